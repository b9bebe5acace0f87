package migrate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubctl/hubctl/pkg/golden"
	"github.com/hubctl/hubctl/pkg/lint"
	"github.com/hubctl/hubctl/pkg/valuesdoc"
)

// TestMigrate migrates each legacy fixture, compares the result with its
// golden file, and checks that lint finds nothing left to fix and that a
// second migrate changes nothing.
func TestMigrate(t *testing.T) {
	dir := filepath.Join(golden.Dir(t), "migrate") // inputs; results in golden/migrate
	inputs, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(inputs) < 4 {
		t.Fatalf("want at least 4 fixtures in %s, got %d", dir, len(inputs))
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".yaml")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			res, err := File(name+".yaml", data, nil, "")
			if err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, filepath.Join("golden", "migrate", name+".yaml"), res.New)
			var report strings.Builder
			for _, p := range res.Fixed {
				report.WriteString("fixed " + p.ID + " " + p.Path + "\n")
			}
			for _, p := range res.Left {
				report.WriteString("left " + p.ID + " " + p.Path + "\n")
			}
			for _, r := range res.Refused {
				report.WriteString("refused " + r.Problem.ID + " " + r.Problem.Path + ": " + r.Err.Error() + "\n")
			}
			golden.Assert(t, filepath.Join("golden", "migrate", name+".report"), []byte(report.String()))

			again, err := File(name+".yaml", res.New, nil, "")
			if err != nil {
				t.Fatal(err)
			}
			if again.Changed() || len(again.Fixed) > 0 {
				t.Errorf("a second migrate changed the file:\n%s", valuesdoc.UnifiedDiff(name, res.New, again.New))
			}
			rep, err := lint.Check([]lint.File{{Name: name, Data: res.New}}, lint.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range rep.Problems {
				if len(p.Fixes) > 0 && !refusedID(res, p.ID) {
					t.Errorf("after migrate lint still offers a fix: %s %s", p.ID, p.Path)
				}
			}
		})
	}
}

func refusedID(r *Result, id string) bool {
	for _, x := range r.Refused {
		if x.Problem.ID == id {
			return true
		}
	}
	return false
}

// FuzzMigrate migrates arbitrary text: it never panics, what it writes
// is YAML, and migrating that again changes nothing.
func FuzzMigrate(f *testing.F) {
	for _, pattern := range []string{"migrate/*.yaml", "values/*.yaml"} {
		files, _ := filepath.Glob(filepath.Join(golden.Dir(f), pattern))
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		res, err := File("fuzz.yaml", data, nil, "")
		if err != nil {
			return
		}
		if _, err := valuesdoc.Parse("fuzz.yaml", res.New); err != nil {
			t.Fatalf("migrate wrote what does not parse: %v\n%s", err, res.New)
		}
		again, err := File("fuzz.yaml", res.New, nil, "")
		if err != nil {
			t.Fatalf("the migrated file fails a second migrate: %v\n%s", err, res.New)
		}
		if again.Changed() {
			t.Fatalf("a second migrate changed the file:\n%s", valuesdoc.UnifiedDiff("fuzz.yaml", res.New, again.New))
		}
	})
}
