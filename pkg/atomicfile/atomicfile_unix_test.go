//go:build unix

package atomicfile

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestWriteHonoursTheUmask(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	dir := t.TempDir()
	path := filepath.Join(dir, "values.yaml")
	if err := Write(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Errorf("a new 0644 file under umask 077 is %v", info.Mode().Perm())
	}
	syscall.Umask(0o022)
	secret := filepath.Join(dir, "secret.yaml")
	if err := Write(secret, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(secret); info.Mode().Perm() != 0o600 {
		t.Errorf("a secret under umask 022 is %v", info.Mode().Perm())
	}
}

// deadPid returns the id of a process that has exited and been reaped.
func deadPid(t *testing.T) int {
	c := exec.Command("true")
	if err := c.Run(); err != nil {
		t.Skip(err)
	}
	return c.Process.Pid
}

func TestWriteRemovesTheLeftoversOfKilledWrites(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, fmt.Sprintf(".out.yaml.hubctl-%d-abc.tmp", deadPid(t)))
	live := filepath.Join(dir, fmt.Sprintf(".out.yaml.hubctl-%d-abc.tmp", os.Getppid()))
	other := filepath.Join(dir, fmt.Sprintf(".other.yaml.hubctl-%d-abc.tmp", deadPid(t)))
	for _, p := range []string{stale, live, other} {
		os.WriteFile(p, []byte("partial"), 0o600)
	}
	if err := Write(filepath.Join(dir, "out.yaml"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("a dead writer's temporary file was kept")
	}
	if _, err := os.Stat(live); err != nil {
		t.Error("a live writer's temporary file was removed")
	}
	if _, err := os.Stat(other); err != nil {
		t.Error("another file's temporary file was removed")
	}
}

func TestTemporaryFileIsNamedAndPrivateFromTheStart(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "secret.yaml")
	f, err := createTemp(target, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	name := filepath.Base(f.Name())
	if want := fmt.Sprintf(".secret.yaml.hubctl-%d-", os.Getpid()); !strings.HasPrefix(name, want) || !strings.HasSuffix(name, ".tmp") {
		t.Errorf("temporary file %s, want %s*.tmp", name, want)
	}
	if info, _ := f.Stat(); info.Mode().Perm() != 0o600 {
		t.Errorf("temporary file mode %v before any chmod", info.Mode().Perm())
	}
}
