//go:build e2e

package e2e_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubctl/hubctl/pkg/testbed"
)

// TestAppCreateLoginAtHydra registers the hub's login client with hubctl
// app create login through Hydra's RFC 7591 registration, from a spec with
// no client id: the id lands in the spec, the secret in its file (0600),
// doctor then finds the credentials good, a second create changes nothing
// (exit 5), list says the registration matches, and delete removes it.
func TestAppCreateLoginAtHydra(t *testing.T) {
	t.Parallel()
	hy := testbed.StartHydra(t, testbed.HydraOptions{DynamicRegistration: true})
	dir := t.TempDir()
	port := testbed.FreePort(t)
	spec := fmt.Sprintf(`version: 1
hub:
  url: http://127.0.0.1:%d
  jupyterhub: "5.5"
# The login: registered by hubctl app create login.
login:
  provider: oidc
  url: %s
  clientSecret: {file: client-secret}   # written by hubctl, mode 0600
  allow: {users: [alice]}
`, port, hy.Issuer)
	specPath := writeSpec(t, dir, spec)

	run := execHubctl(t, nil, "app", "create", "login", "-f", specPath)
	if run.exitCode != 0 {
		t.Fatalf("app create login: exit %d: %s", run.exitCode, run.stderr)
	}
	edited, _ := os.ReadFile(specPath)
	if !strings.Contains(string(edited), "# The login: registered by hubctl app create login.\n") ||
		!strings.Contains(string(edited), "  clientSecret: {file: client-secret}   # written by hubctl, mode 0600\n") ||
		!strings.Contains(string(edited), "  clientId: ") {
		t.Errorf("the spec was not edited in place:\n%s", edited)
	}
	info, err := os.Stat(filepath.Join(dir, "client-secret"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("the secret file: %v, mode %v", err, info.Mode())
	}
	secretValue, _ := os.ReadFile(filepath.Join(dir, "client-secret"))
	if strings.Contains(run.stdout+run.stderr, strings.TrimSpace(string(secretValue))) {
		t.Error("app create printed the secret without --reveal-secret")
	}

	doc := runDoctor(t, dir, string(edited), nil, "login.credentials")
	wantCheck(t, doc, "login.credentials", "pass", "invalid_grant")

	again := execHubctl(t, nil, "app", "create", "login", "-f", specPath)
	if again.exitCode != 5 || !strings.Contains(again.stderr, "registered already") {
		t.Errorf("a second create: exit %d, %s", again.exitCode, again.stderr)
	}
	list := execHubctl(t, nil, "app", "list", "-f", specPath)
	if !strings.Contains(list.stdout, "registered, matches the spec") {
		t.Errorf("app list:\n%s%s", list.stdout, list.stderr)
	}
	del := execHubctl(t, nil, "app", "delete", "login", "-f", specPath, "--yes")
	if del.exitCode != 0 {
		t.Fatalf("app delete: exit %d: %s", del.exitCode, del.stderr)
	}
	doc = runDoctor(t, dir, string(edited), nil, "login.credentials")
	wantCheck(t, doc, "login.credentials", "fail", "invalid_client")
}
