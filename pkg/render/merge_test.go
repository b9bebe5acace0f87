package render_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubctl/hubctl/pkg/golden"
	"github.com/hubctl/hubctl/pkg/lint"
	"github.com/hubctl/hubctl/pkg/render"
	"github.com/hubctl/hubctl/pkg/valuesdoc"
)

// TestMergeInto merges the NBGallery example's rendering into values files
// of several shapes: the result is golden, merging again changes nothing,
// what hubctl does not own is still there, and lint finds no error in it.
func TestMergeInto(t *testing.T) {
	root := filepath.Dir(golden.Dir(t))
	res := loadSpec(t, filepath.Join(root, "examples", "nbgallery.yaml"))
	rendered, err := render.HelmValues(res.Config, renderOptions(res))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		file string
		keep []string // lines of the file that must survive
	}{
		{"comments-everywhere.yaml", []string{"# top comment", "hub:   # the hub", "  # about config", "    # end of config", "  image: {name: jupyter/base-notebook}", "# last line"}},
		{"daskhub.yaml", []string{"# DaskHub: the hub's values sit under daskhub.jupyterhub", "        type: jupyterhub"}},
		{"migrate-legacy-nbgallery.yaml", []string{"# NBGallery as the login, from the old guide"}},
		{"block-scalars.yaml", []string{"    00-first: |", "      # a comment inside the code", "    01-second: >-"}},
		{"empty.yaml", nil},
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join(golden.Dir(t), "values", tc.file)
			if strings.HasPrefix(tc.file, "migrate-") {
				path = filepath.Join(golden.Dir(t), "golden", "migrate", "nbgallery-guide.yaml")
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			values, err := lint.ReadValues([]lint.File{{Name: tc.file, Data: data}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			merged, err := render.MergeInto(values.Docs[0], values.Prefix, rendered)
			if err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, filepath.Join("golden", "merge", tc.file), merged)
			for _, line := range tc.keep {
				if !strings.Contains(string(merged), line+"\n") {
					t.Errorf("the line %q was lost", line)
				}
			}
			doc, err := valuesdoc.Parse(tc.file, merged)
			if err != nil {
				t.Fatal(err)
			}
			again, err := render.MergeInto(doc, values.Prefix, rendered)
			if err != nil || string(again) != string(merged) {
				t.Errorf("merging twice changed the file (%v):\n%s", err, valuesdoc.UnifiedDiff(tc.file, merged, again))
			}
			rep, err := lint.Check([]lint.File{{Name: tc.file, Data: merged}}, lint.Options{Prefix: values.Prefix})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range rep.Findings() {
				if f.Severity.String() == "error" || f.ID == "no-allow" || f.ID == "tls-verify-off" || f.ID == "literal-secret" {
					t.Errorf("after the merge: %s", f)
				}
			}
		})
	}
}

// FuzzMergeInto merges a fixed rendering into arbitrary text: no panic,
// and a merge that succeeds gives YAML holding the rendered values.
func FuzzMergeInto(f *testing.F) {
	rendered, err := os.ReadFile(filepath.Join(golden.Dir(f), "golden", "nbgallery", "helm-values.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(golden.Dir(f), "values", "*.yaml"))
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		doc, err := valuesdoc.Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		prefix, err := valuesdoc.DetectPrefix(doc.Root())
		if err != nil {
			return
		}
		merged, err := render.MergeInto(doc, prefix, rendered)
		if err != nil {
			return
		}
		out, err := valuesdoc.Parse("fuzz.yaml", merged)
		if err != nil {
			t.Fatalf("the merge does not parse: %v\n%s", err, merged)
		}
		_, id, ok := valuesdoc.Lookup(out.At(prefix), valuesdoc.Path{"hub", "config", "GenericOAuthenticator", "client_id"})
		if !ok || id.Value != "3c1e0e4b9a7d4f0c8e2f5a6b7c8d9e0f" {
			t.Fatalf("the merge lost the client id:\n%s", merged)
		}
	})
}
