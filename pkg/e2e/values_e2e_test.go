//go:build e2e

package e2e_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubctl/hubctl/pkg/testbed"
)

// seedValues is the configuration of NBGallery's guide
// (../shared/seeds/nbgallery-jupyter_hub_oauth.md) as an operator has it
// in config.yaml, with the test's Doorkeeper for NBGallery: the hub's
// extraEnv block and the chart 0.10 auth: block, word for word but for
// the URLs, the application's UID and secret.
const seedValues = `hub:
  extraEnv:
    OAUTH2_AUTHORIZE_URL: %[1]s/oauth/authorize
    OAUTH2_TOKEN_URL: %[1]s/oauth/token
    OAUTH2_TLS_VERIFY: False

auth:
  type: custom
  custom:
    className: oauthenticator.generic.GenericOAuthenticator
    config:
      login_service: "Name of your Gallery"
      client_id: "%[2]s"
      client_secret: "%[3]s"
      token_url: "%[1]s/oauth/token"
      userdata_url: "%[1]s/oauth/userinfo.json"
      userdata_method: GET
      userdata_params: {"state": "state"}
      username_key: user_name  # or email
`

// allowValues is the decision migrate leaves to a person (OAuthenticator
// 16 and later admit nobody by default), made in a second values file.
const allowValues = `hub:
  config:
    GenericOAuthenticator:
      allowed_users: [alice]
`

// TestMigratedSeedLogsIn takes the guide's configuration through lint,
// migrate, import and render --merge, and logs in through the
// NBGallery-shaped Doorkeeper on a hub made from each result.
func TestMigratedSeedLogsIn(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	port := testbed.FreePort(t)
	d := testbed.StartDoorkeeper(t, testbed.DoorkeeperOptions{Applications: []testbed.DoorkeeperApp{{
		Name: "jupyterhub", Secret: clientSecret, Scopes: "read",
		RedirectURI: fmt.Sprintf("http://127.0.0.1:%d/hub/oauth_callback", port),
	}}})
	app, ok := d.App("jupyterhub")
	if !ok || len(app.Errors) > 0 {
		t.Fatalf("registering the hub at Doorkeeper: %+v", app)
	}
	p := provider{clientID: app.UID, logIn: d.LogIn, browser: func() *http.Client { return testbed.NewBrowser() }, log: d.Log}
	config := filepath.Join(dir, "config.yaml")
	seed := fmt.Sprintf(seedValues, d.URL, app.UID, clientSecret)
	if err := os.WriteFile(config, []byte(seed), 0o644); err != nil {
		t.Fatal(err)
	}
	allow := filepath.Join(dir, "allow.yaml")
	if err := os.WriteFile(allow, []byte(allowValues), 0o644); err != nil {
		t.Fatal(err)
	}
	chart := testbed.ChartDir(t)

	// As it is, the chart refuses the file and lint says why.
	run := execHubctl(t, nil, "lint", config, "--chart", chart)
	for _, want := range []string{"[legacy-auth]", "[removed-key]"} {
		if run.exitCode != 3 || !strings.Contains(run.stdout, want) {
			t.Fatalf("lint of the guide's values: exit %d, want 3 with %s\n%s%s", run.exitCode, want, run.stdout, run.stderr)
		}
	}
	runHubctl(t, nil, "migrate", config, "--write", "--no-backup")
	migrated, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(migrated), "# hubctl: no allow setting") {
		t.Errorf("migrate placed no comment for the allow decision:\n%s", migrated)
	}
	t.Logf("migrated config.yaml:\n%s", migrated)
	run = execHubctl(t, nil, "lint", config, allow, "--chart", chart)
	if run.exitCode != 0 {
		t.Errorf("lint after migrate, with the allow decision: exit %d\n%s", run.exitCode, run.stdout)
	}

	t.Run("migrated", func(t *testing.T) {
		h := startRenderedHub(t, "5.5", port, chartHub(t, t.TempDir(), nil, migrated, []byte(allowValues)))
		logsInAliceNotBob(t, p, h)
	})

	// Import the migrated values into a spec, render it, merge the
	// rendering back into config.yaml, and deploy config.yaml alone.
	spec := filepath.Join(dir, "hubctl.yaml")
	runHubctl(t, nil, "import", config, allow, "-o", spec, "--hub-url", fmt.Sprintf("http://127.0.0.1:%d", port))
	if text, _ := os.ReadFile(spec); strings.Contains(string(text), clientSecret) {
		t.Fatalf("the imported spec holds the client secret:\n%s", text)
	}
	runHubctl(t, nil, "validate", "-f", spec)
	runHubctl(t, nil, "render", "helm-values", "-f", spec, "--merge", config, "--write", "--no-backup")
	merged, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(merged), clientSecret) {
		t.Errorf("the merged config.yaml still holds the literal client secret:\n%s", merged)
	}
	run = execHubctl(t, nil, "lint", config, "--chart", chart)
	if run.exitCode != 0 {
		t.Errorf("lint of the merged config.yaml: exit %d\n%s", run.exitCode, run.stdout)
	}
	t.Run("imported-and-merged", func(t *testing.T) {
		h := startRenderedHub(t, "5.5", port, chartHub(t, t.TempDir(), clusterSecretsFor(t, nil, spec, nil), merged))
		logsInAliceNotBob(t, p, h)
	})
}

func logsInAliceNotBob(t *testing.T, p provider, h *testbed.Hub) {
	t.Helper()
	res, browser := logIn(t, p, h, "alice")
	if res.Response.StatusCode != http.StatusFound {
		t.Fatalf("alice: the callback answered %d, want a 302 into the hub; body %.400s\nhub log:\n%s", res.Response.StatusCode, res.Body, h.Log())
	}
	checkSession(t, h, browser, "alice")
	res, browser = logIn(t, p, h, "bob")
	if res.Response.StatusCode != http.StatusForbidden {
		t.Errorf("bob, outside allowed_users: HTTP %d, want the hub's 403", res.Response.StatusCode)
	}
	checkSession(t, h, browser, "")
}
