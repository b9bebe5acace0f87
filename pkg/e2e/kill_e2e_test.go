//go:build e2e

package e2e_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hubctl/hubctl/pkg/testbed"
)

// killCase is one write hubctl makes: the command, the file it replaces,
// and how to set the directory up before each try.
type killCase struct {
	name   string
	target string // relative to the directory
	args   func(dir string) []string
	setup  func(t *testing.T, dir string)
}

// TestKilledWritesLeaveOldOrNew kills hubctl with SIGKILL at random moments
// while it writes, 100 tries in all: the state (import), a secret output
// (render secret -o), a rendered file (render helm-values -o), a merged
// and a migrated values file (--write). After each kill the file holds the
// old content or the new, whole; the next run succeeds and leaves no
// temporary file beside it.
func TestKilledWritesLeaveOldOrNew(t *testing.T) {
	t.Parallel()
	env := map[string]string{"OAUTH_CLIENT_SECRET": "client-secret-0123456789", "NBVIEWER_API_TOKEN": "nbviewer-token-0123456789abcdef"}
	example := func(dir string) string { return filepath.Join(dir, "nbgallery.yaml") }
	copyExamples := func(t *testing.T, dir string) {
		for _, name := range []string{"nbgallery.yaml", "gallery-ca.pem"} {
			data, err := os.ReadFile(filepath.Join(testbed.RepoRoot(t), "examples", name))
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dir, name), data, 0o644)
		}
	}
	guide, err := os.ReadFile(filepath.Join(testbed.RepoRoot(t), "examples", "chart-values", "nbgallery-guide.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []killCase{
		{name: "state", target: ".hubctl/state.json",
			args: func(dir string) []string {
				return []string{"import", filepath.Join(dir, "config.yaml"), "-o", filepath.Join(dir, "hubctl.yaml"), "--force"}
			},
			setup: func(t *testing.T, dir string) {
				// Values that import can take: the guide's, migrated.
				os.WriteFile(filepath.Join(dir, "config.yaml"), guide, 0o644)
				runHubctl(t, nil, "migrate", filepath.Join(dir, "config.yaml"), "--write", "--no-backup")
			}},
		{name: "secret", target: "secret.yaml",
			args: func(dir string) []string {
				return []string{"render", "secret", "-f", example(dir), "-o", filepath.Join(dir, "secret.yaml")}
			},
			setup: copyExamples},
		{name: "rendered", target: "values-hubctl.yaml",
			args: func(dir string) []string {
				return []string{"render", "helm-values", "-f", example(dir), "-o", filepath.Join(dir, "values-hubctl.yaml")}
			},
			setup: copyExamples},
		{name: "merged", target: "config.yaml",
			args: func(dir string) []string {
				return []string{"render", "helm-values", "-f", example(dir), "--merge", filepath.Join(dir, "config.yaml"), "--write", "--no-backup"}
			},
			setup: func(t *testing.T, dir string) {
				copyExamples(t, dir)
				os.WriteFile(filepath.Join(dir, "config.yaml"), []byte("# ours\nsingleuser:\n  image: {name: x}\n"), 0o644)
			}},
		{name: "migrated", target: "config.yaml",
			args: func(dir string) []string {
				return []string{"migrate", filepath.Join(dir, "config.yaml"), "--write", "--no-backup"}
			},
			setup: func(t *testing.T, dir string) { os.WriteFile(filepath.Join(dir, "config.yaml"), guide, 0o644) }},
	}
	const tries = 20 // per case: 100 in all
	for _, kc := range cases {
		t.Run(kc.name, func(t *testing.T) {
			t.Parallel()
			// What the file holds before, and after a run that completes.
			ref := t.TempDir()
			kc.setup(t, ref)
			old, _ := os.ReadFile(filepath.Join(ref, kc.target))
			start := time.Now()
			runHubctl(t, env, kc.args(ref)...)
			took := time.Since(start)
			want, err := os.ReadFile(filepath.Join(ref, kc.target))
			if err != nil {
				t.Fatal(err)
			}
			killed, sawOld, sawNew, sawTemp := 0, 0, 0, 0
			for i := 0; i < tries; i++ {
				dir := t.TempDir()
				kc.setup(t, dir)
				cmd := exec.Command(hubctlBinary, kc.args(dir)...)
				for k, v := range env {
					cmd.Env = append(cmd.Env, k+"="+v)
				}
				cmd.Env = append(cmd.Env, "PATH="+os.Getenv("PATH"), "HOME="+dir)
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				time.Sleep(time.Duration(rand.Int64N(int64(2 * took))))
				if cmd.Process.Signal(syscall.SIGKILL) == nil {
					killed++
				}
				cmd.Wait()
				// Outputs name the spec's path: compare as if written in ref.
				read := func() ([]byte, error) {
					b, err := os.ReadFile(filepath.Join(dir, kc.target))
					return bytes.ReplaceAll(b, []byte(dir), []byte(ref)), err
				}
				have, err := read()
				if entries, _ := os.ReadDir(filepath.Dir(filepath.Join(dir, kc.target))); strings.Contains(fmt.Sprint(entries), ".tmp") {
					sawTemp++ // killed between the temporary file and the rename
				}
				switch {
				case err == nil && bytes.Equal(have, want):
					sawNew++
				case err != nil && old == nil && os.IsNotExist(err), err == nil && bytes.Equal(have, old):
					sawOld++
				case err != nil:
					t.Fatalf("try %d: %v", i, err)
				case !bytes.Equal(have, old) && !bytes.Equal(have, want):
					t.Fatalf("try %d: after SIGKILL the file is neither the old nor the new content:\n%s", i, have)
				}
				// The next run completes, and leaves nothing behind.
				runHubctl(t, env, kc.args(dir)...)
				if have, _ := read(); !bytes.Equal(have, want) {
					t.Fatalf("try %d: the run after the kill wrote\n%s", i, have)
				}
				entries, _ := os.ReadDir(filepath.Dir(filepath.Join(dir, kc.target)))
				for _, e := range entries {
					if strings.HasSuffix(e.Name(), ".tmp") {
						t.Fatalf("try %d: a temporary file is left: %s", i, e.Name())
					}
				}
			}
			t.Logf("%d of %d runs killed (a run takes about %v): %d left the old content, %d the new, %d a temporary file the next run removed",
				killed, tries, took, sawOld, sawNew, sawTemp)
		})
	}
}
