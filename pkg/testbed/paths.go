// This file finds the repository, the installed test bed under .build/ and
// free loopback ports.

package testbed

import (
	"bufio"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// modulePath identifies hubctl's own go.mod; the Hydra tools module nested in
// scripts/testbed has a go.mod too and must not be taken for the root.
const modulePath = "github.com/hubctl/hubctl"

// SetupCommand installs the test bed; failures about a missing piece name it.
const SetupCommand = "scripts/e2e-deps"

// RepoRoot returns the root of the hubctl checkout, found by walking up from
// the working directory (a package directory under go test) to the go.mod
// of module github.com/hubctl/hubctl.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("testbed: %v", err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if isRootModule(filepath.Join(d, "go.mod")) {
			return d
		}
		if filepath.Dir(d) == d {
			t.Fatalf("testbed: no go.mod of module %s above %s", modulePath, dir)
		}
	}
}

func isRootModule(goMod string) bool {
	f, err := os.Open(goMod)
	if err != nil {
		return false
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(s.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`) == modulePath
		}
	}
	return false
}

// BuildDir returns <repo>/.build, where scripts/e2e-deps installs everything.
func BuildDir(t testing.TB) string {
	t.Helper()
	return filepath.Join(RepoRoot(t), ".build")
}

// requireInstalled fails the test, naming the set-up command, unless path
// exists. what says which piece of the test bed it is.
func requireInstalled(t testing.TB, path, what string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("testbed: %s is not installed (%s: %v); run %s from the repository root first",
			what, path, err, SetupCommand)
	}
}

var (
	portsMu sync.Mutex
	// portsGiven keeps one test binary from handing out the same port twice
	// while an earlier taker has not bound it yet.
	portsGiven = map[int]bool{}
)

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago. The
// kernel picks it; another process could still take it before the caller
// binds it, which is rare enough for tests.
func FreePort(t testing.TB) int {
	t.Helper()
	portsMu.Lock()
	defer portsMu.Unlock()
	for range 20 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("testbed: no free port: %v", err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if !portsGiven[port] {
			portsGiven[port] = true
			return port
		}
	}
	t.Fatalf("testbed: no new free port after 20 tries")
	return 0
}
