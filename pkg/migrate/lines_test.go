package migrate

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	udiff "github.com/aymanbagabas/go-udiff"

	"github.com/hubctl/hubctl/pkg/golden"
	"github.com/hubctl/hubctl/pkg/lint"
	"github.com/hubctl/hubctl/pkg/render"
	"github.com/hubctl/hubctl/pkg/testbed"
	"github.com/hubctl/hubctl/pkg/valuesdoc"
)

// TestUntouchedLinesStay migrates every values fixture and the chart's own
// values.yaml, and merges a rendering into each, and checks line by line,
// not by parsing: every line the diff removes or changes belongs to an
// entry an edit names (its lines, the key lines above it, a blank line
// beside it) or is a "# hubctl:" comment; every other line is still there.
func TestUntouchedLinesStay(t *testing.T) {
	rendered, err := os.ReadFile(filepath.Join(golden.Dir(t), "golden", "nbgallery", "helm-values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	mergeEdits, err := render.MergeEdits(rendered)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, pattern := range []string{"values/*.yaml", "migrate/*.yaml"} {
		m, _ := filepath.Glob(filepath.Join(golden.Dir(t), pattern))
		files = append(files, m...)
	}
	files = append(files, filepath.Join(testbed.ChartDir(t), "values.yaml"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(filepath.Dir(file)) + "/" + filepath.Base(file)
		values, err := lint.ReadValues([]lint.File{{Name: name, Data: data}}, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		doc, prefix := values.Docs[0], values.Prefix

		t.Run("migrate/"+name, func(t *testing.T) {
			res, err := File(name, data, nil, "")
			if err != nil {
				t.Fatal(err)
			}
			var paths []valuesdoc.Path
			for _, p := range res.Fixed {
				for _, e := range p.Fixes {
					paths = append(paths, join(prefix, e.Path))
					if e.Kind == valuesdoc.MoveKey {
						paths = append(paths, join(prefix, e.To))
					}
				}
			}
			checkLines(t, doc, data, res.New, paths)
		})
		t.Run("merge/"+name, func(t *testing.T) {
			merged, err := doc.Apply(prefix, mergeEdits...)
			var refused *valuesdoc.EditError
			if errors.As(err, &refused) {
				// A flow mapping or a key written twice: refused whole,
				// which is the other way of changing no line.
				t.Logf("refused: %v", err)
				return
			} else if err != nil {
				t.Fatal(err)
			}
			var paths []valuesdoc.Path
			for _, e := range mergeEdits {
				paths = append(paths, join(prefix, e.Path))
			}
			checkLines(t, doc, data, merged, paths)
		})
	}
}

func join(prefix, p valuesdoc.Path) valuesdoc.Path {
	return append(append(valuesdoc.Path{}, prefix...), p...)
}

func checkLines(t *testing.T, doc *valuesdoc.Doc, old, new []byte, paths []valuesdoc.Path) {
	t.Helper()
	oldLines := splitKeep(string(old))
	allowed := map[int]bool{} // 0-based lines of old
	for _, p := range paths {
		for i := 1; i <= len(p); i++ {
			first, last, ok := doc.EntryLines(p[:i])
			if !ok {
				break
			}
			if i < len(p) {
				// An ancestor: its key line (with its comments), which a
				// delete that empties it removes.
				allowed[first-1] = true
				for l := first; l <= last && strings.HasPrefix(strings.TrimSpace(oldLines[l-1]), "#"); l++ {
					allowed[l-1] = true
				}
				continue
			}
			for l := first; l <= last; l++ {
				allowed[l-1] = true
			}
			allowed[first-2], allowed[last] = true, true // a blank line beside it
		}
	}
	edits := udiff.Lines(string(old), string(new))
	for _, e := range edits {
		// e covers whole lines of old: find them.
		startLine := strings.Count(string(old[:e.Start]), "\n")
		endLine := strings.Count(string(old[:e.End]), "\n")
		for l := startLine; l < endLine; l++ {
			line := strings.TrimRight(oldLines[l], "\r\n")
			if allowed[l] || strings.TrimSpace(line) == "" && (allowed[l-1] || allowed[l+1]) || strings.HasPrefix(strings.TrimSpace(line), "# hubctl:") {
				continue
			}
			t.Errorf("line %d changed, outside every edited entry: %q", l+1, line)
		}
	}
}

func splitKeep(s string) []string {
	lines := strings.SplitAfter(s, "\n")
	if n := len(lines); n > 0 && lines[n-1] == "" {
		lines = lines[:n-1]
	}
	return lines
}
