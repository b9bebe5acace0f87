//go:build e2e

package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubctl/hubctl/pkg/testbed"
)

const clientSecret = "hub-client-secret-0123456789abcdef"

// provider is a real OAuth server started for one hub, with the login part
// of a spec that points at it.
type provider struct {
	// loginSpec is the provider-specific part of the spec's login block.
	loginSpec string
	clientID  string
	logIn     func(context.Context, testbed.Flow) (*testbed.FlowResult, error)
	browser   func() *http.Client
	log       func() string
}

// providers start each provider with the hub's callback registered; files
// the spec names (a CA) go into dir.
var providers = map[string]func(t *testing.T, hubPort int, dir string) provider{
	"hydra-tls": func(t *testing.T, hubPort int, dir string) provider {
		ca := testbed.NewCA(t)
		hy := testbed.StartHydra(t, testbed.HydraOptions{TLS: ca})
		id, _, err := hy.CreateClient(testContext(t), testbed.ClientSpec{
			Name: "jupyterhub", Secret: clientSecret, TokenEndpointAuthMethod: "client_secret_post",
			RedirectURIs: []string{fmt.Sprintf("http://127.0.0.1:%d/hub/oauth_callback", hubPort)},
		})
		if err != nil {
			t.Fatal(err)
		}
		pem, _ := os.ReadFile(hy.CAFile)
		os.WriteFile(filepath.Join(dir, "provider-ca.pem"), pem, 0o644)
		// The issuer is discovered when hubctl renders, over TLS, trusting
		// the CA the hub will trust.
		return provider{
			loginSpec: fmt.Sprintf("provider: oidc\n  url: %s\n  caFile: provider-ca.pem", hy.Issuer),
			clientID:  id, logIn: hy.LogIn, browser: func() *http.Client { return testbed.NewBrowser(ca) }, log: hy.Log,
		}
	},
	"oidc-provider": func(t *testing.T, hubPort int, dir string) provider {
		p := testbed.StartOIDCProvider(t, testbed.OIDCProviderOptions{Clients: []testbed.StaticClient{{
			ClientID: "jupyterhub", ClientSecret: clientSecret, TokenEndpointAuthMethod: "client_secret_post",
			RedirectURIs: []string{fmt.Sprintf("http://127.0.0.1:%d/hub/oauth_callback", hubPort)},
		}}})
		return provider{
			loginSpec: fmt.Sprintf("provider: oidc\n  url: %s", p.Issuer),
			clientID:  "jupyterhub", logIn: p.LogIn, browser: func() *http.Client { return testbed.NewBrowser() }, log: p.Log,
		}
	},
	// NBGallery's provider: hubctl's defaults alone (scope read, username
	// claim user_name, the /oauth/userinfo path) must fit it.
	"nbgallery-doorkeeper": func(t *testing.T, hubPort int, dir string) provider {
		d := testbed.StartDoorkeeper(t, testbed.DoorkeeperOptions{Applications: []testbed.DoorkeeperApp{{
			Name: "jupyterhub", Secret: clientSecret, Scopes: "read",
			RedirectURI: fmt.Sprintf("http://127.0.0.1:%d/hub/oauth_callback", hubPort),
		}}})
		app, ok := d.App("jupyterhub")
		if !ok || len(app.Errors) > 0 {
			t.Fatalf("registering the hub at Doorkeeper: %+v", app)
		}
		return provider{
			loginSpec: fmt.Sprintf("provider: nbgallery\n  url: %s", d.URL),
			clientID:  app.UID, logIn: d.LogIn, browser: func() *http.Client { return testbed.NewBrowser() }, log: d.Log,
		}
	},
}

func loginSpec(hubPort int, version string, p provider) string {
	return fmt.Sprintf(`version: 1
hub:
  url: http://127.0.0.1:%d
  jupyterhub: "%s"
login:
  %s
  clientId: %s
  clientSecret: {env: OAUTH_CLIENT_SECRET}
  allow: {users: [alice]}
`, hubPort, version, p.loginSpec, p.clientID)
}

// TestLogin logs in through each provider to a hub running hubctl's
// rendering, for each target and hub version: alice, who is allowed, lands
// on the hub logged in; bob, who is not, gets the hub's 403.
func TestLogin(t *testing.T) {
	t.Parallel()
	for name, start := range providers {
		for _, version := range testbed.HubVersions {
			for _, tgt := range targets {
				if !runsOn(tgt, version) {
					continue
				}
				t.Run(fmt.Sprintf("%s/jupyterhub-%s/%s", name, version, tgt), func(t *testing.T) {
					t.Parallel()
					dir := t.TempDir()
					port := testbed.FreePort(t)
					p := start(t, port, dir)
					specPath := writeSpec(t, dir, loginSpec(port, version, p))
					h := startRenderedHub(t, version, port, renderFor(t, tgt, specPath, map[string]string{"OAUTH_CLIENT_SECRET": clientSecret}, nil))

					res, browser := logIn(t, p, h, "alice")
					if res.Response.StatusCode != http.StatusFound {
						t.Fatalf("alice: the callback answered %d, want a 302 into the hub; body %.400s", res.Response.StatusCode, res.Body)
					}
					checkSession(t, h, browser, "alice")
					if !strings.Contains(h.Log(), "User logged in: alice") {
						t.Error(`the hub log lacks "User logged in: alice"`)
					}

					res, browser = logIn(t, p, h, "bob")
					if res.Response.StatusCode != http.StatusForbidden || !strings.Contains(string(res.Body), "not currently authorized") {
						t.Errorf("bob, outside allow.users: HTTP %d, want the hub's 403; body %.400s", res.Response.StatusCode, res.Body)
					}
					checkSession(t, h, browser, "")
				})
			}
		}
	}
}

// TestWrongClientSecretFailsAtTheTokenStep renders with a client secret
// the provider does not know: the login fails when the hub exchanges the
// code, and the hub's log says why.
func TestWrongClientSecretFailsAtTheTokenStep(t *testing.T) {
	t.Parallel()
	for _, version := range testbed.HubVersions {
		for _, tgt := range targets {
			if !runsOn(tgt, version) {
				continue
			}
			t.Run(fmt.Sprintf("jupyterhub-%s/%s", version, tgt), func(t *testing.T) {
				t.Parallel()
				dir := t.TempDir()
				port := testbed.FreePort(t)
				p := providers["hydra-tls"](t, port, dir)
				specPath := writeSpec(t, dir, loginSpec(port, version, p))
				h := startRenderedHub(t, version, port, renderFor(t, tgt, specPath, map[string]string{"OAUTH_CLIENT_SECRET": "not-the-secret-0123456789"}, nil))
				res, browser := logIn(t, p, h, "alice")
				// OAuthenticator 17.4 does not catch the provider's 401: the
				// callback fails with a 500 and the hub logs the token
				// request's error.
				if res.Response.StatusCode != http.StatusInternalServerError {
					t.Errorf("the callback answered %d, want 500", res.Response.StatusCode)
				}
				hubLog := h.Log()
				for _, want := range []string{"Uncaught exception GET /hub/oauth_callback", "HTTPClientError: HTTP 401: Unauthorized"} {
					if !strings.Contains(hubLog, want) {
						t.Errorf("the hub log lacks %q", want)
					}
				}
				if !strings.Contains(p.log(), "invalid_client") {
					t.Error("the provider's log does not show invalid_client")
				}
				checkSession(t, h, browser, "")
			})
		}
	}
}

func logIn(t *testing.T, p provider, h *testbed.Hub, user string) (*testbed.FlowResult, *http.Client) {
	t.Helper()
	browser := p.browser()
	res, err := p.logIn(testContext(t), testbed.Flow{
		Client: browser, StartURL: h.URL + "/hub/oauth_login", Username: user,
		OnHop: func(hop testbed.Hop) { t.Logf("%s: %s", user, hop) },
	})
	if err != nil {
		t.Fatalf("%s logging in: %v", user, err)
	}
	if last := res.Hops[len(res.Hops)-1]; !strings.Contains(last.URL, "/hub/oauth_callback?") {
		t.Fatalf("%s: the flow ended at %s, not the hub's callback", user, last)
	}
	return res, browser
}

// checkSession asks the hub who the browser's session is: want, or nobody
// when want is empty.
func checkSession(t *testing.T, h *testbed.Hub, browser *http.Client, want string) {
	t.Helper()
	resp, body, _ := follow(t, browser, h.APIURL+"/user")
	if want == "" {
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("GET /hub/api/user without a login: HTTP %d %.200s, want 403", resp.StatusCode, body)
		}
		return
	}
	var me struct{ Kind, Name string }
	json.Unmarshal([]byte(body), &me)
	if resp.StatusCode != http.StatusOK || me.Kind != "user" || me.Name != want {
		t.Errorf("GET /hub/api/user with the session: HTTP %d %.200s, want user %s", resp.StatusCode, body, want)
	}
}
