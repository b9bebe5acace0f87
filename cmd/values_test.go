package cmd_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubctl/hubctl/pkg/testbed"
)

const legacyValues = `# from NBGallery's guide
auth:
  type: custom
  custom:
    className: oauthenticator.generic.GenericOAuthenticator
    config:
      client_id: "abc"
      client_secret: "s3cret-value-from-the-guide"
      token_url: https://gallery.example.org/oauth/token
      userdata_url: https://gallery.example.org/user_info
      userdata_method: GET
      username_key: username
hub:
  extraEnv:
    OAUTH2_TLS_VERIFY: 0
`

func TestLintCommand(t *testing.T) {
	t.Setenv("HELM_CACHE_HOME", t.TempDir())
	dir := t.TempDir()
	legacy := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(legacy, []byte(legacyValues), 0o644); err != nil {
		t.Fatal(err)
	}
	r := execute(t, setup{}, "lint", legacy)
	expect(t, r, 3, legacy+":2:1: auth:", "the chart's values schema was not checked", false)
	if strings.Contains(r.out+r.errOut, "s3cret-value-from-the-guide") {
		t.Error("lint printed the literal secret")
	}

	chart := testbed.ChartDir(t)
	r = execute(t, setup{}, "lint", legacy, "--chart", chart, "--format", "json")
	var report struct {
		Checks []struct {
			ID       string
			Position struct{ Line, Column int }
		}
	}
	if err := json.Unmarshal([]byte(r.out), &report); err != nil || r.code != 3 {
		t.Fatalf("json: exit %d, %v\n%s", r.code, err, r.out)
	}
	ids := map[string]bool{}
	for _, c := range report.Checks {
		ids[c.ID] = true
	}
	for _, want := range []string{"legacy-auth", "removed-key"} {
		if !ids[want] {
			t.Errorf("json report lacks %s: %s", want, r.out)
		}
	}
	if !strings.Contains(r.errOut, "checked against the values schema of chart 4.4.0") {
		t.Errorf("stderr: %s", r.errOut)
	}
	for _, format := range []string{"junit", "sarif", "github"} {
		out := filepath.Join(dir, "lint."+format)
		r = execute(t, setup{}, "lint", legacy, "--format", format, "-o", out)
		if data, err := os.ReadFile(out); r.code != 3 || err != nil || !strings.Contains(string(data), "legacy-auth") {
			t.Errorf("%s: exit %d, %v, %s", format, r.code, err, data)
		}
	}

	clean := writeFile(t, "clean.yaml", "hub:\n  config:\n    JupyterHub:\n      authenticator_class: generic-oauth\n    GenericOAuthenticator:\n      allow_all: true\n")
	expect(t, execute(t, setup{}, "lint", clean, "--chart", chart), 0, "0 failed", "", false)
	expect(t, execute(t, setup{}, "lint", filepath.Join(dir, "missing.yaml")), 1, "", "missing.yaml", true)
	bad := writeFile(t, "bad.yaml", "hub:\n  config: [1\n")
	expect(t, execute(t, setup{}, "lint", bad), 2, "", "bad.yaml:", true)
	expect(t, execute(t, setup{}, "lint"), 2, "", "", true)
	expect(t, execute(t, setup{}, "lint", legacy, "--chart", filepath.Join(dir, "nope.tgz")), 2, "", "--chart", true)
}

func TestMigrateCommand(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(legacyValues), 0o640); err != nil {
		t.Fatal(err)
	}
	r := execute(t, setup{}, "migrate", path)
	expect(t, r, 0, "-auth:", "run with --write", false)
	if data, _ := os.ReadFile(path); string(data) != legacyValues {
		t.Fatal("migrate without --write changed the file")
	}

	expect(t, execute(t, setup{}, "migrate", path, "--write"), 0, "", "the file as it was is in "+path+".bak", true)
	migrated, _ := os.ReadFile(path)
	for _, want := range []string{"# from NBGallery's guide\n", "username_claim: username", "OAUTH_TLS_VERIFY: \"0\"", "# hubctl: no allow setting"} {
		if !strings.Contains(string(migrated), want) {
			t.Errorf("migrated file lacks %q:\n%s", want, migrated)
		}
	}
	if strings.Contains(string(migrated), "auth:\n") || strings.Contains(string(migrated), "userdata_method") {
		t.Errorf("migrated file still has legacy settings:\n%s", migrated)
	}
	if backup, _ := os.ReadFile(path + ".bak"); string(backup) != legacyValues {
		t.Error("the backup is not the file as it was")
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o640 {
		t.Errorf("mode after --write: %v, %v; want 0640 kept", info.Mode().Perm(), err)
	}
	expect(t, execute(t, setup{}, "migrate", path, "--write", "--no-backup"), 0, "", "nothing to migrate", true)
	if again, _ := os.ReadFile(path); string(again) != string(migrated) {
		t.Error("a second migrate changed the file")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("files left: %v (want the file and one backup, no temporary files)", entries)
	}
}

func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	values := filepath.Join(dir, "config.yaml")
	migrated := `hub:
  config:
    JupyterHub:
      authenticator_class: generic-oauth
    GenericOAuthenticator:
      client_id: abc
      client_secret: "s3cret-value-from-the-guide"
      oauth_callback_url: https://hub.example.org/hub/oauth_callback
      authorize_url: https://gallery.example.org/oauth/authorize
      token_url: https://gallery.example.org/oauth/token
      userdata_url: https://gallery.example.org/oauth/userinfo
      scope: [read]
      username_claim: user_name
      allowed_users: [alice]
  services:
    nbviewer:
      url: http://nbviewer:8080
      api_token: "0123456789abcdef0123456789abcdef"
`
	if err := os.WriteFile(values, []byte(migrated), 0o644); err != nil {
		t.Fatal(err)
	}
	spec := filepath.Join(dir, "hubctl.yaml")
	r := execute(t, setup{}, "import", values, "-o", spec)
	expect(t, r, 0, "", "wrote "+spec, true)
	text, err := os.ReadFile(spec)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"s3cret-value-from-the-guide", "0123456789abcdef0123456789abcdef"} {
		if strings.Contains(string(text), secret) || strings.Contains(r.errOut, secret) {
			t.Errorf("a secret value reached the spec or the messages")
		}
	}
	statePath := filepath.Join(dir, ".hubctl", "state.json")
	info, err := os.Stat(statePath)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("state: %v, %v; want a 0600 file", info, err)
	}
	if state, _ := os.ReadFile(statePath); !strings.Contains(string(state), "s3cret-value-from-the-guide") {
		t.Error("the client secret's value is not in the state")
	}
	expect(t, execute(t, setup{}, "validate", "-f", spec), 0, "", "is valid", true)
	expect(t, execute(t, setup{}, "import", values, "-o", spec), 2, "", "exists", true)

	legacy := writeFile(t, "legacy.yaml", legacyValues)
	expect(t, execute(t, setup{}, "import", legacy, "-o", filepath.Join(dir, "other.yaml")), 2, "", "hubctl migrate", true)
	if _, err := os.Stat(filepath.Join(dir, "other.yaml")); err == nil {
		t.Error("a refused import wrote the spec")
	}
}

func TestRenderMerge(t *testing.T) {
	env := map[string]string{"OAUTH_CLIENT_SECRET": "client-secret-value", "NBVIEWER_API_TOKEN": "0123456789abcdef0123"}
	spec := repo(t, "examples/nbgallery.yaml")
	values := writeFile(t, "config.yaml", "# ours\nsingleuser:\n  image: {name: jupyter/base-notebook}   # keep\nhub:\n  config:\n    GenericOAuthenticator:\n      client_secret: old-literal\n")
	r := execute(t, setup{env: env}, "render", "helm-values", "-f", spec, "--merge", values)
	expect(t, r, 0, "# ours\nsingleuser:\n  image: {name: jupyter/base-notebook}   # keep\nhub:\n", "", false)
	if strings.Contains(r.out, "old-literal") || strings.Contains(r.out, "client-secret-value") {
		t.Errorf("merged output:\n%s", r.out)
	}
	expect(t, execute(t, setup{env: env}, "render", "helm-values", "-f", spec, "--merge", values, "--write", "-o", "x.yaml"), 2, "", "give one of them", true)
	expect(t, execute(t, setup{env: env}, "render", "helm-values", "-f", spec, "--write"), 2, "", "--merge", true)
	expect(t, execute(t, setup{env: env}, "render", "helm-values", "-f", spec, "--merge", values, "--write"), 0, "", "merged", true)
	if data, _ := os.ReadFile(values); string(data) != r.out {
		t.Error("--write wrote something else than the merge printed")
	}
}
