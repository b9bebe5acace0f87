package doctor

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubctl/hubctl/pkg/finding"
)

const literalToken = "literal-token-0123456789"

// secretSpec is a spec whose nbviewer token is ref, with no hub reachable:
// the secret checks need none.
func secretSpec(ref string) string {
	return strings.Replace(hubSpec("http://127.0.0.1:9", "", ""), "{env: NBVIEWER_API_TOKEN}", ref, 1)
}

func TestSecretsResolve(t *testing.T) {
	cases := []struct {
		name    string
		ref     string
		env     map[string]string
		mode    os.FileMode // of token.txt; 0 writes none
		status  finding.Status
		message []string
		hint    string
	}{
		{"env set", "{env: NBVIEWER_API_TOKEN}", hubEnv, 0, finding.Pass, []string{"$NBVIEWER_API_TOKEN is set"}, ""},
		{"env unset", "{env: NBVIEWER_API_TOKEN}", nil, 0, finding.Fail,
			[]string{"services.nbviewer.apiToken: environment variable NBVIEWER_API_TOKEN is not set"}, "export NBVIEWER_API_TOKEN"},
		{"env empty", "{env: NBVIEWER_API_TOKEN}", map[string]string{"NBVIEWER_API_TOKEN": ""}, 0, finding.Fail,
			[]string{"is empty"}, "export NBVIEWER_API_TOKEN"},
		{"private file", "{file: token.txt}", nil, 0o600, finding.Pass, []string{"token.txt is readable, and by its owner alone"}, ""},
		{"open file", "{file: token.txt}", nil, 0o644, finding.Fail,
			[]string{"token.txt has mode 0644: group or others can read or change it"}, "chmod 600 "},
		{"group-writable file", "{file: token.txt}", nil, 0o620, finding.Fail, []string{"mode 0620"}, "chmod 600"},
		{"missing file", "{file: absent.txt}", nil, 0, finding.Fail, []string{"absent.txt does not exist"}, "correct services.nbviewer.apiToken.file"},
		{"in the cluster", "{k8sSecret: {name: hub-tokens, key: nbviewer}}", nil, 0, finding.Skip,
			[]string{"services.nbviewer.apiToken is in the cluster (Kubernetes Secret hub-tokens key nbviewer)"}, "hubctl render doctor-job"},
		{"mapped from the cluster", "{k8sSecret: {name: hub-tokens, key: nbviewer}}", map[string]string{"HUBCTL_NBVIEWER_API_TOKEN": nbviewerToken}, 0,
			finding.Pass, []string{"read from $HUBCTL_NBVIEWER_API_TOKEN"}, ""},
		{"literal", literalToken, nil, 0, finding.Pass, []string{"services.nbviewer.apiToken is written in the spec itself"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := map[string]string{}
			if c.mode != 0 {
				files["token.txt"] = nbviewerToken + "\n"
			}
			res := loadSpec(t, secretSpec(c.ref), files, c.env)
			path := filepath.Join(res.Doc.Dir, "token.txt")
			if c.mode != 0 {
				if err := os.Chmod(path, c.mode); err != nil {
					t.Fatal(err)
				}
			}
			r := onlyResult(t, runChecks(t, res, Options{}, "secrets.resolve"), "secrets.resolve")
			if r.Target != "services.nbviewer.apiToken" {
				t.Errorf("target %q", r.Target)
			}
			hint := c.hint
			if hint == "chmod 600 " {
				hint += path
			}
			assertResult(t, r, c.status, c.message, hint)
			if strings.Contains(r.Message+r.Hint, literalToken) {
				t.Errorf("the literal shows in %q", r.Message+r.Hint)
			}
		})
	}
}

func TestSecretsResolveIsNotLive(t *testing.T) {
	c, ok := Lookup("secrets.resolve")
	if !ok || c.Live {
		t.Fatalf("secrets.resolve: registered %v, live %v", ok, c != nil && c.Live)
	}
}

func TestSecretsLiteral(t *testing.T) {
	git, err := exec.LookPath("git")
	if err != nil {
		t.Fatalf("this test needs git on PATH: %v", err)
	}
	runGit := func(t *testing.T, dir string, args ...string) {
		t.Helper()
		cmd := exec.Command(git, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	cases := []struct {
		name    string
		repo    func(t *testing.T, dir string)
		status  finding.Status
		message []string
		hint    string
	}{
		{"tracked", func(t *testing.T, dir string) {
			runGit(t, dir, "init", "-q")
			runGit(t, dir, "add", "hubctl.yaml")
		}, finding.Warn, []string{"holds literal secrets (services.nbviewer.apiToken) and git tracks it"}, "git history keeps the old values"},
		{"untracked in a repository", func(t *testing.T, dir string) { runGit(t, dir, "init", "-q") }, finding.Pass,
			[]string{"but git does not track it"}, ""},
		{"no repository", func(t *testing.T, dir string) {}, finding.Pass, []string{"but git does not track it"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := loadSpec(t, secretSpec(literalToken), nil, nil)
			c.repo(t, res.Doc.Dir)
			r := onlyResult(t, runChecks(t, res, Options{}, "secrets.literal"), "secrets.literal")
			if r.Target != res.Doc.File {
				t.Errorf("target %q, want the spec file %q", r.Target, res.Doc.File)
			}
			assertResult(t, r, c.status, c.message, c.hint)
			if strings.Contains(r.Message+r.Hint, literalToken) {
				t.Errorf("the literal shows in %q", r.Message+r.Hint)
			}
		})
	}
}

func TestSecretsLiteralOnlyWithLiterals(t *testing.T) {
	res := loadSpec(t, secretSpec("{env: NBVIEWER_API_TOKEN}"), nil, hubEnv)
	if got := resultsOf(runChecks(t, res, Options{}, "secrets.literal"), "secrets.literal"); len(got) != 0 {
		t.Errorf("secrets.literal ran without literal secrets: %+v", got)
	}
}
