package atomicfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubctl/hubctl/pkg/exitcode"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.yaml")
	if err := Write(path, []byte("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("two"), 0o600); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	info, _ := os.Stat(path)
	if string(data) != "two" || info.Mode().Perm() != 0o600 {
		t.Errorf("content %q mode %v", data, info.Mode().Perm())
	}
	// A private file stays private when rewritten with a looser mode.
	if err := Write(path, []byte("three"), 0o644); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Errorf("mode loosened to %v", info.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}

func TestWriteKeepsAnExistingMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.yaml")
	os.WriteFile(path, []byte("old"), 0o600)
	if err := os.Chmod(path, 0o664); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o664 {
		t.Errorf("an existing 0664 file became %v", info.Mode().Perm())
	}
}

func TestWriteFollowsSymlinks(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.yaml")
	os.WriteFile(real, []byte("old"), 0o644)
	link := filepath.Join(dir, "link.yaml")
	if err := os.Symlink("real.yaml", link); err != nil {
		t.Skip(err)
	}
	if err := Write(link, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", info.Mode(), err)
	}
	if data, _ := os.ReadFile(real); string(data) != "new" {
		t.Errorf("the target has %q", data)
	}
	// A link to a file not written yet creates it, as a shell's > does.
	dangling := filepath.Join(dir, "next.yaml")
	os.Symlink("sub-missing.yaml", dangling)
	if err := Write(dangling, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "sub-missing.yaml")); string(data) != "x" {
		t.Errorf("dangling link target has %q", data)
	}
}

func TestWriteRefusesWhatARenameCannotReplace(t *testing.T) {
	dir := t.TempDir()
	hard := filepath.Join(dir, "hard.yaml")
	os.WriteFile(hard, []byte("old"), 0o644)
	if err := os.Link(hard, filepath.Join(dir, "other-name.yaml")); err != nil {
		t.Skip(err)
	}
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o755)
	tests := []struct{ path, want string }{
		{"/dev/null", "is a character device, not a regular file"},
		{"/dev/stdout", "not a regular file"},
		{sub, "is a directory, not a regular file"},
		{hard, "has 2 hard links"},
	}
	for _, tt := range tests {
		if _, err := os.Lstat(tt.path); err != nil {
			continue // no such device here
		}
		err := Write(tt.path, []byte("x"), 0o644)
		if err == nil || !strings.Contains(err.Error(), tt.want) || exitcode.For(err) != exitcode.Invalid {
			t.Errorf("%s: %v (exit %d), want %q and exit 2", tt.path, err, exitcode.For(err), tt.want)
		}
		if Check(tt.path) == nil {
			t.Errorf("Check(%s) accepts it", tt.path)
		}
	}
	if data, _ := os.ReadFile(hard); string(data) != "old" {
		t.Error("a refused write changed the file")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 3 {
		t.Errorf("files left: %v", entries)
	}
}

func TestRewriteKeepsBackups(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(p, []byte("v1\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	for i, step := range []struct{ old, new, wantBackup string }{
		{"v1\n", "v2\n", p + ".bak"},
		{"v2\n", "v3\n", p + ".bak.1"},
		{"v3\n", "v3\n", p + ".bak.2"},
	} {
		got, err := Rewrite(p, []byte(step.old), []byte(step.new), true, 0o644)
		if err != nil || got != step.wantBackup {
			t.Fatalf("step %d: backup %q, %v; want %q", i, got, err, step.wantBackup)
		}
		if b, _ := os.ReadFile(got); string(b) != step.old {
			t.Errorf("step %d: backup holds %q", i, b)
		}
	}
	info, err := os.Stat(p)
	if err != nil || info.Mode().Perm() != 0o640 {
		t.Errorf("mode = %v, %v; want 0640 kept", info.Mode().Perm(), err)
	}
	if b, _ := os.ReadFile(p + ".bak"); string(b) != "v1\n" {
		t.Errorf("the first backup was overwritten: %q", b)
	}
	if name, err := Rewrite(p, []byte("v3\n"), []byte("v4\n"), false, 0o644); err != nil || name != "" {
		t.Errorf("no backup: %q, %v", name, err)
	}
}
