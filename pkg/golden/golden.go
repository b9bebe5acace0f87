// Package golden compares test output with files under testdata, and
// rewrites those files when the tests run with -update.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files with the current output")

// Dir is the repository's top-level testdata directory.
func Dir(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("golden: cannot locate the repository")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata")
}

// Assert compares got with testdata/name.
func Assert(t testing.TB, name string, got []byte) {
	t.Helper()
	AssertPath(t, filepath.Join(Dir(t), name), got)
}

// AssertPath compares got with the file at path, for packages that keep
// their golden files in their own testdata.
func AssertPath(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file %s: %v (run go test ./... -update to create it)", path, err)
	}
	if string(want) != string(got) {
		t.Errorf("output differs from %s (run go test ./... -update if the change is intended)\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}

// Updating reports whether the tests were asked to rewrite golden files.
func Updating() bool { return *update }
