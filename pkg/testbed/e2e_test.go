//go:build e2e

// This file proves the test bed: it starts every server and runs a full
// authorization-code flow against each provider, and starts both hubs.
// Run it with: scripts/e2e-deps && go test -tags e2e ./pkg/testbed/

package testbed_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hubctl/hubctl/pkg/testbed"
)

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// discover reads an OIDC discovery document and fills in the client's
// endpoints.
func discover(t *testing.T, c *oauthClient, client *http.Client, issuer string) map[string]any {
	t.Helper()
	status, doc := getJSON(t, client, strings.TrimSuffix(issuer, "/")+"/.well-known/openid-configuration", nil)
	if status != http.StatusOK {
		t.Fatalf("discovery: HTTP %d", status)
	}
	if doc["issuer"] != issuer {
		t.Errorf("discovery issuer = %v, want %s", doc["issuer"], issuer)
	}
	c.AuthorizeURL, _ = doc["authorization_endpoint"].(string)
	c.TokenURL, _ = doc["token_endpoint"].(string)
	c.UserinfoURL, _ = doc["userinfo_endpoint"].(string)
	return doc
}

func logHops(t *testing.T) func(testbed.Hop) {
	return func(h testbed.Hop) { t.Logf("hop: %s", h) }
}

func hydraFlow(t *testing.T, ca *testbed.CA) {
	ctx := testContext(t)
	h := testbed.StartHydra(t, testbed.HydraOptions{TLS: ca})
	c := newOAuthClient(t)
	c.HTTP = h.Client
	discover(t, c, h.Client, h.Issuer)
	var err error
	wantID := "testbed-client-" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-"))
	c.ClientID, c.ClientSecret, err = h.CreateClient(ctx, testbed.ClientSpec{
		ID:                      wantID,
		Name:                    "testbed-client",
		Secret:                  "testbed-client-secret-0123456789",
		RedirectURIs:            []string{c.RedirectURI},
		TokenEndpointAuthMethod: "client_secret_post",
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.ClientID != wantID {
		t.Errorf("client ID = %q, want the requested %q", c.ClientID, wantID)
	}
	c.Scope = "openid profile email"

	var browser *http.Client
	if ca != nil {
		browser = testbed.NewBrowser(ca)
	} else {
		browser = testbed.NewBrowser()
	}
	res, err := h.LogIn(ctx, testbed.Flow{
		Client: browser, StartURL: c.LoginURL, Username: "alice",
		Claims: map[string]any{"groups": []string{"staff"}}, OnHop: logHops(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	got := decodeResult(t, res.Body)
	if got.Error != "" {
		t.Fatalf("callback: %s", got.Error)
	}
	if got.Token["id_token"] == nil || got.Token["token_type"] == nil {
		t.Errorf("token response lacks id_token or token_type: %v", got.Token)
	}
	want := map[string]any{"sub": "alice", "email": "alice@example.org", "preferred_username": "alice"}
	for k, v := range want {
		if got.Userinfo[k] != v {
			t.Errorf("userinfo[%s] = %v, want %v (userinfo %v)", k, got.Userinfo[k], v, got.Userinfo)
		}
	}
	if g, _ := got.Userinfo["groups"].([]any); len(g) != 1 || g[0] != "staff" {
		t.Errorf("userinfo groups = %v, want [staff]", got.Userinfo["groups"])
	}
}

func TestHydraAuthCodeFlow(t *testing.T) {
	t.Parallel()
	hydraFlow(t, nil)
}

func TestHydraTLS(t *testing.T) {
	t.Parallel()
	ca := testbed.NewCA(t)
	t.Run("trusted CA", func(t *testing.T) { hydraFlow(t, ca) })

	t.Run("untrusted CA", func(t *testing.T) {
		h := testbed.StartHydra(t, testbed.HydraOptions{TLS: testbed.NewCA(t)})
		for name, client := range map[string]*http.Client{
			"another test CA": testbed.NewCA(t).Client(),
			"system roots":    {Timeout: 10 * time.Second},
		} {
			_, err := client.Get(h.Issuer + ".well-known/openid-configuration")
			var unknown x509.UnknownAuthorityError
			var verify *tls.CertificateVerificationError
			if !errors.As(err, &unknown) && !errors.As(err, &verify) {
				t.Errorf("%s: want a certificate verification error, got %v", name, err)
			}
		}
		// Plain http to the TLS port: Go's TLS server answers 400.
		resp, err := http.Get(strings.Replace(h.Issuer, "https://", "http://", 1) + "health/alive")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("http to the https port: HTTP %d, want 400", resp.StatusCode)
		}
	})
}

func TestHydraDynamicRegistration(t *testing.T) {
	t.Parallel()
	h := testbed.StartHydra(t, testbed.HydraOptions{DynamicRegistration: true})
	c := newOAuthClient(t)
	doc := discover(t, c, h.Client, h.Issuer)
	reg, _ := doc["registration_endpoint"].(string)
	if reg != h.PublicURL+"/oauth2/register" {
		t.Fatalf("registration_endpoint = %q", reg)
	}
	status, body := postJSON(t, h.Client, reg, nil, map[string]any{
		"client_name":                "testbed-dcr",
		"redirect_uris":              []string{c.RedirectURI},
		"grant_types":                []string{"authorization_code"},
		"response_types":             []string{"code"},
		"token_endpoint_auth_method": "client_secret_post",
	})
	if status != http.StatusCreated || body["client_id"] == nil || body["client_secret"] == nil {
		t.Fatalf("register: HTTP %d %v", status, body)
	}
}

func TestOIDCProvider(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	const iat = "testbed-initial-access-token-0123456789"
	static := newOAuthClient(t)
	static.ClientID, static.ClientSecret = "testbed-static", "testbed-static-secret-0123456789"
	static.Scope = "openid profile email groups"
	p := testbed.StartOIDCProvider(t, testbed.OIDCProviderOptions{
		InitialAccessToken: iat,
		Clients: []testbed.StaticClient{{
			ClientID: static.ClientID, ClientSecret: static.ClientSecret,
			RedirectURIs:            []string{static.RedirectURI},
			TokenEndpointAuthMethod: "client_secret_post",
		}},
		Accounts: map[string]map[string]any{"alice": {"groups": []string{"staff"}}},
	})

	t.Run("static client", func(t *testing.T) {
		discover(t, static, http.DefaultClient, p.Issuer)
		res, err := p.LogIn(ctx, testbed.Flow{
			Client: testbed.NewBrowser(), StartURL: static.LoginURL, Username: "alice", OnHop: logHops(t),
		})
		if err != nil {
			t.Fatal(err)
		}
		got := decodeResult(t, res.Body)
		if got.Error != "" {
			t.Fatalf("callback: %s", got.Error)
		}
		for k, v := range map[string]any{"sub": "alice", "email": "alice@example.org", "preferred_username": "alice"} {
			if got.Userinfo[k] != v {
				t.Errorf("userinfo[%s] = %v, want %v (userinfo %v)", k, got.Userinfo[k], v, got.Userinfo)
			}
		}
		if g, _ := got.Userinfo["groups"].([]any); len(g) != 1 || g[0] != "staff" {
			t.Errorf("userinfo groups = %v, want [staff]", got.Userinfo["groups"])
		}
	})

	t.Run("dynamic registration", func(t *testing.T) {
		c := newOAuthClient(t)
		doc := discover(t, c, http.DefaultClient, p.Issuer)
		if doc["registration_endpoint"] != p.RegistrationURL {
			t.Fatalf("registration_endpoint = %v, want %s", doc["registration_endpoint"], p.RegistrationURL)
		}
		meta := map[string]any{
			"client_name":                "testbed-dcr",
			"redirect_uris":              []string{c.RedirectURI},
			"grant_types":                []string{"authorization_code"},
			"response_types":             []string{"code"},
			"token_endpoint_auth_method": "client_secret_basic",
		}
		if status, body := postJSON(t, http.DefaultClient, p.RegistrationURL, nil, meta); status != http.StatusUnauthorized {
			t.Errorf("register without the initial access token: HTTP %d %v, want 401", status, body)
		}
		status, body := postJSON(t, http.DefaultClient, p.RegistrationURL,
			http.Header{"Authorization": {"Bearer " + iat}}, meta)
		if status != http.StatusCreated {
			t.Fatalf("register with the initial access token: HTTP %d %v, want 201", status, body)
		}
		c.ClientID, _ = body["client_id"].(string)
		c.ClientSecret, _ = body["client_secret"].(string)
		c.BasicAuth = true
		c.Scope = "openid email"
		res, err := p.LogIn(ctx, testbed.Flow{Client: testbed.NewBrowser(), StartURL: c.LoginURL, Username: "carol"})
		if err != nil {
			t.Fatal(err)
		}
		got := decodeResult(t, res.Body)
		if got.Error != "" || got.Userinfo["email"] != "carol@example.org" {
			t.Fatalf("callback: %+v", got)
		}
	})
}

func TestDoorkeeper(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newOAuthClient(t)
	d := testbed.StartDoorkeeper(t, testbed.DoorkeeperOptions{
		Applications: []testbed.DoorkeeperApp{{Name: "testbed-client", RedirectURI: c.RedirectURI}},
	})
	app, ok := d.App("testbed-client")
	if !ok || len(app.Errors) > 0 || app.UID == "" || app.Secret == "" {
		t.Fatalf("seeded application: %+v", app)
	}
	c.AuthorizeURL, c.TokenURL, c.UserinfoURL = d.AuthorizeURL, d.TokenURL, d.UserinfoURL
	c.ClientID, c.ClientSecret, c.Scope = app.UID, app.Secret, "read"

	browser := testbed.NewBrowser()
	var hops []string
	res, err := d.LogIn(ctx, testbed.Flow{
		Client: browser, StartURL: c.LoginURL, Username: "alice",
		OnHop: func(h testbed.Hop) { hops = append(hops, h.String()); t.Logf("hop: %s", h) },
	})
	if err != nil {
		t.Fatal(err)
	}
	got := decodeResult(t, res.Body)
	if got.Error != "" {
		t.Fatalf("callback: %s", got.Error)
	}
	if got.Userinfo["user_name"] != "alice" || got.Userinfo["email"] != "alice@example.org" {
		t.Errorf("userinfo = %v, want user_name alice", got.Userinfo)
	}
	if _, has := got.Userinfo["sub"]; has {
		t.Errorf("userinfo has sub, NBGallery's has none: %v", got.Userinfo)
	}
	for _, k := range []string{"id", "first_name", "last_name", "org", "admin", "approved", "created_at", "updated_at"} {
		if _, has := got.Userinfo[k]; !has {
			t.Errorf("userinfo lacks %s: %v", k, got.Userinfo)
		}
	}
	if got.Token["scope"] != "read" || got.Token["token_type"] != "Bearer" {
		t.Errorf("token = %v, want scope read and token_type Bearer", got.Token)
	}
	if !strings.Contains(strings.Join(hops, "\n"), "/users/sign_in") {
		t.Errorf("the flow never saw the login form: %v", hops)
	}

	t.Run("wrong secret", func(t *testing.T) {
		status, body, err := c.exchange("any-code", "wrong-secret")
		if err != nil || status != http.StatusUnauthorized || body["error"] != "invalid_client" {
			t.Errorf("token with a wrong secret: HTTP %d %v %v, want 401 invalid_client", status, body, err)
		}
	})

	t.Run("userinfo without token", func(t *testing.T) {
		resp, err := http.Get(d.UserinfoURL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("userinfo without a token: HTTP %d, want 401", resp.StatusCode)
		}
	})

	t.Run("bad scope is an error page", func(t *testing.T) {
		c.Scope = "admin"
		defer func() { c.Scope = "read" }()
		_, err := d.LogIn(ctx, testbed.Flow{Client: browser, StartURL: c.LoginURL, Username: "alice"})
		if err == nil || !strings.Contains(err.Error(), "scope is invalid") {
			t.Errorf("LogIn with scope admin: %v, want the invalid scope page", err)
		}
	})
}

// TestDoorkeeperApplicationsAPI registers an application the way an
// NBGallery admin's browser session can: log in, take the CSRF token from
// the applications page, POST /oauth/applications.json.
func TestDoorkeeperApplicationsAPI(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	d := testbed.StartDoorkeeper(t, testbed.DoorkeeperOptions{})
	csrfRE := regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)"`)

	create := func(t *testing.T, user string) (int, map[string]any) {
		browser := testbed.NewBrowser()
		if err := d.SignIn(ctx, browser, user, ""); err != nil {
			t.Fatal(err)
		}
		resp, err := browser.Get(d.URL + "/oauth/applications")
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return resp.StatusCode, nil
		}
		m := csrfRE.FindSubmatch(page)
		if m == nil {
			t.Fatalf("no csrf-token meta tag on /oauth/applications: %.300s", page)
		}
		return postJSON(t, browser, d.URL+"/oauth/applications.json", http.Header{"X-Csrf-Token": {html.UnescapeString(string(m[1]))}},
			map[string]any{"doorkeeper_application": map[string]any{
				"name": "registered", "redirect_uri": "http://127.0.0.1:8000/hub/oauth_callback", "scopes": "read", "confidential": true,
			}})
	}
	status, app := create(t, "admin")
	if status != http.StatusOK || app["uid"] == nil || app["secret"] == nil {
		t.Errorf("admin creating an application: HTTP %d %v, want 200 with uid and secret", status, app)
	}
	if status, _ := create(t, "bob"); status != http.StatusForbidden {
		t.Errorf("non-admin on /oauth/applications: HTTP %d, want 403", status)
	}
}

func TestDoorkeeperProductionRefusesHTTPRedirect(t *testing.T) {
	t.Parallel()
	d := testbed.StartDoorkeeper(t, testbed.DoorkeeperOptions{
		Production: true,
		Applications: []testbed.DoorkeeperApp{
			{Name: "http-hub", RedirectURI: "http://127.0.0.1:8000/hub/oauth_callback"},
			{Name: "https-hub", RedirectURI: "https://hub.example.org/hub/oauth_callback"},
		},
	})
	if a, _ := d.App("http-hub"); !strings.Contains(strings.Join(a.Errors, " "), "HTTPS/SSL") {
		t.Errorf("http redirect URI in production: errors %v, want the HTTPS/SSL refusal", a.Errors)
	}
	if a, _ := d.App("https-hub"); len(a.Errors) > 0 || a.UID == "" {
		t.Errorf("https redirect URI in production: %+v", a)
	}
}

func TestHub(t *testing.T) {
	t.Parallel()
	for _, v := range testbed.HubVersions {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			const token = "testbed-service-token-0123456789"
			h := testbed.StartHub(t, testbed.HubOptions{Version: v, Config: fmt.Sprintf(`
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
c.JupyterHub.services = [{"name": "hubctl", "api_token": %q}]
c.JupyterHub.load_roles = [{"name": "hubctl-role", "services": ["hubctl"],
    "scopes": ["read:hub", "list:users", "read:users", "list:services", "read:services"]}]
`, token)})
			if !strings.HasPrefix(h.Version(), v+".") {
				t.Errorf("Version() = %q, want %s.x", h.Version(), v)
			}
			status, me := getJSON(t, http.DefaultClient, h.APIURL+"/user", http.Header{"Authorization": {"token " + token}})
			if status != http.StatusOK || me["kind"] != "service" || me["name"] != "hubctl" {
				t.Fatalf("GET /hub/api/user with the service token: HTTP %d %v", status, me)
			}
			if status, _ := getJSON(t, http.DefaultClient, h.APIURL+"/user", http.Header{"Authorization": {"token wrong-token-0123"}}); status != http.StatusForbidden {
				t.Errorf("a wrong token: HTTP %d, want 403", status)
			}
			if !strings.Contains(h.Log(), "JupyterHub is now running") {
				t.Errorf("hub log lacks the running line")
			}
		})
	}
}

// TestHubGenericOAuth logs in to a hub running GenericOAuthenticator
// through each provider, starting at the hub's /hub/oauth_login, which is
// how hubctl's rendered configs are meant to be tested.
func TestHubGenericOAuth(t *testing.T) {
	t.Parallel()
	const token = "testbed-admin-token-0123456789"
	const secret = "testbed-hub-client-secret-0123456789"
	// hubConfig is the GenericOAuthenticator part of a hub's config.
	hubConfig := func(port int, clientID, authorize, tokenURL, userdata, claim, scope, extra string) string {
		return fmt.Sprintf(`
c.JupyterHub.authenticator_class = "generic-oauth"
c.GenericOAuthenticator.client_id = %q
c.GenericOAuthenticator.client_secret = %q
c.GenericOAuthenticator.oauth_callback_url = "http://127.0.0.1:%d/hub/oauth_callback"
c.GenericOAuthenticator.authorize_url = %q
c.GenericOAuthenticator.token_url = %q
c.GenericOAuthenticator.userdata_url = %q
c.GenericOAuthenticator.username_claim = %q
c.GenericOAuthenticator.scope = %s
c.GenericOAuthenticator.allow_all = True
c.JupyterHub.services = [{"name": "admin-client", "api_token": %q}]
c.JupyterHub.load_roles = [{"name": "admin-client-role", "services": ["admin-client"], "scopes": ["admin:users"]}]
%s
`, clientID, secret, port, authorize, tokenURL, userdata, claim, scope, token, extra)
	}
	// loginAndCheck runs the flow from /hub/oauth_login and checks that the
	// hub now knows the user.
	loginAndCheck := func(t *testing.T, h *testbed.Hub, user string, logIn func(context.Context, testbed.Flow) (*testbed.FlowResult, error), browser *http.Client) {
		t.Helper()
		res, err := logIn(testContext(t), testbed.Flow{
			Client: browser, StartURL: h.URL + "/hub/oauth_login", Username: user, OnHop: logHops(t),
		})
		if err != nil {
			t.Fatal(err)
		}
		last := res.Hops[len(res.Hops)-1]
		if !strings.Contains(last.URL, "/hub/oauth_callback?") || res.Response.StatusCode != http.StatusFound {
			t.Fatalf("flow ended at %s, want a 302 from the hub's oauth_callback; body %.300s", last, res.Body)
		}
		status, u := getJSON(t, http.DefaultClient, h.APIURL+"/users/"+user, http.Header{"Authorization": {"token " + token}})
		if status != http.StatusOK || u["name"] != user {
			t.Fatalf("GET /hub/api/users/%s: HTTP %d %v", user, status, u)
		}
		if !strings.Contains(h.Log(), "User logged in: "+user) {
			t.Errorf("hub log lacks %q", "User logged in: "+user)
		}
	}

	t.Run("hydra over TLS, hub 5.5", func(t *testing.T) {
		t.Parallel()
		ca := testbed.NewCA(t)
		hy := testbed.StartHydra(t, testbed.HydraOptions{TLS: ca})
		port := testbed.FreePort(t)
		id, _, err := hy.CreateClient(testContext(t), testbed.ClientSpec{
			Secret: secret, RedirectURIs: []string{fmt.Sprintf("http://127.0.0.1:%d/hub/oauth_callback", port)},
			TokenEndpointAuthMethod: "client_secret_post",
		})
		if err != nil {
			t.Fatal(err)
		}
		h := testbed.StartHub(t, testbed.HubOptions{Version: "5.5", Port: port, Config: hubConfig(port, id,
			hy.PublicURL+"/oauth2/auth", hy.PublicURL+"/oauth2/token", hy.PublicURL+"/userinfo",
			"preferred_username", `["openid", "profile", "email"]`,
			fmt.Sprintf("c.GenericOAuthenticator.http_request_kwargs = {\"ca_certs\": %q}", hy.CAFile))})
		loginAndCheck(t, h, "alice", hy.LogIn, testbed.NewBrowser(ca))
	})

	t.Run("oidc-provider, hub 6.1", func(t *testing.T) {
		t.Parallel()
		port := testbed.FreePort(t)
		p := testbed.StartOIDCProvider(t, testbed.OIDCProviderOptions{Clients: []testbed.StaticClient{{
			ClientID: "jupyterhub", ClientSecret: secret,
			RedirectURIs:            []string{fmt.Sprintf("http://127.0.0.1:%d/hub/oauth_callback", port)},
			TokenEndpointAuthMethod: "client_secret_post",
		}}})
		h := testbed.StartHub(t, testbed.HubOptions{Version: "6.1", Port: port, Config: hubConfig(port, "jupyterhub",
			p.Issuer+"/auth", p.Issuer+"/token", p.Issuer+"/me",
			"preferred_username", `["openid", "profile", "email"]`, "")})
		loginAndCheck(t, h, "bob", p.LogIn, testbed.NewBrowser())
	})

	t.Run("doorkeeper (NBGallery), hub 6.1", func(t *testing.T) {
		t.Parallel()
		port := testbed.FreePort(t)
		d := testbed.StartDoorkeeper(t, testbed.DoorkeeperOptions{Applications: []testbed.DoorkeeperApp{{
			Name: "jupyterhub", RedirectURI: fmt.Sprintf("http://127.0.0.1:%d/hub/oauth_callback", port), Secret: secret,
		}}})
		app, _ := d.App("jupyterhub")
		h := testbed.StartHub(t, testbed.HubOptions{Version: "6.1", Port: port, Config: hubConfig(port, app.UID,
			d.AuthorizeURL, d.TokenURL, d.UserinfoURL, "user_name", `["read"]`, "")})
		loginAndCheck(t, h, "alice", d.LogIn, testbed.NewBrowser())
	})
}
