// Unit tests of the helpers that need no installed test bed.

package testbed

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func TestRepoRoot(t *testing.T) {
	root := RepoRoot(t)
	if _, err := os.Stat(filepath.Join(root, "pkg", "testbed", "doc.go")); err != nil {
		t.Errorf("RepoRoot = %s, which has no pkg/testbed: %v", root, err)
	}
}

func TestFreePortDistinct(t *testing.T) {
	seen := map[int]bool{}
	for range 50 {
		p := FreePort(t)
		if p <= 0 || seen[p] {
			t.Fatalf("FreePort returned %d twice or invalid", p)
		}
		seen[p] = true
	}
}

// fatalRecorder catches Fatalf so the message can be checked.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestMissingTestBedNamesSetupCommand(t *testing.T) {
	rec := &fatalRecorder{TB: t}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		requireInstalled(rec, filepath.Join(t.TempDir(), "no-such-binary"), "Ory Hydra")
	}()
	wg.Wait()
	if !strings.Contains(rec.msg, "scripts/e2e-deps") || !strings.Contains(rec.msg, "Ory Hydra") {
		t.Errorf("message %q should name the piece and scripts/e2e-deps", rec.msg)
	}
}

func TestMergeEnv(t *testing.T) {
	got := mergeEnv([]string{"A=1", "PATH=/bin", "B=2"}, map[string]string{"PATH": "/x:/bin", "C": "3"})
	want := map[string]bool{"A=1": true, "B=2": true, "PATH=/x:/bin": true, "C=3": true}
	if len(got) != len(want) {
		t.Fatalf("mergeEnv = %v", got)
	}
	for _, kv := range got {
		if !want[kv] {
			t.Errorf("unexpected %q in %v", kv, got)
		}
	}
}
