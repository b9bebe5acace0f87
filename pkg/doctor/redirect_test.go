package doctor

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/hubctl/hubctl/pkg/finding"
)

// authorizeServer serves /authorize with answer, and records the query of
// the last request.
type authorizeServer struct {
	*httptest.Server
	mu   sync.Mutex
	last url.Values
}

func startAuthorizeServer(t *testing.T, answer func(srv *authorizeServer, w http.ResponseWriter, r *http.Request)) *authorizeServer {
	t.Helper()
	as := &authorizeServer{}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		as.mu.Lock()
		as.last = r.URL.Query()
		as.mu.Unlock()
		answer(as, w, r)
	})
	as.Server = httptest.NewServer(mux)
	t.Cleanup(as.Close)
	return as
}

func (as *authorizeServer) query() url.Values {
	as.mu.Lock()
	defer as.mu.Unlock()
	return as.last
}

// redirectTo answers with a redirect to path (on the provider when it
// starts with /) carrying params.
func redirectTo(status int, path string, params url.Values) func(*authorizeServer, http.ResponseWriter, *http.Request) {
	return func(as *authorizeServer, w http.ResponseWriter, r *http.Request) {
		loc := path
		if len(params) > 0 {
			loc += "?" + params.Encode()
		}
		w.Header().Set("Location", loc)
		w.WriteHeader(status)
	}
}

// toCallback redirects to the callback the request names, as providers
// send errors they may send to the client.
func toCallback(params url.Values) func(*authorizeServer, http.ResponseWriter, *http.Request) {
	return func(as *authorizeServer, w http.ResponseWriter, r *http.Request) {
		params.Set("state", r.URL.Query().Get("state"))
		w.Header().Set("Location", r.URL.Query().Get("redirect_uri")+"?"+params.Encode())
		w.WriteHeader(http.StatusSeeOther)
	}
}

func page(status int, contentType, body string) func(*authorizeServer, http.ResponseWriter, *http.Request) {
	return func(as *authorizeServer, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}
}

// The pages below are trimmed copies of what oidc-provider 9 and Doorkeeper
// 5.5 (the test bed's) answer.
const (
	oidcProviderErrorPage = `<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>oops! something went wrong</title><style>h1{font-weight:100}</style></head>
<body><div class="container"><h1>oops! something went wrong</h1>
<pre><strong>error</strong>: invalid_redirect_uri</pre><pre><strong>error_description</strong>: redirect_uri did not match any of the client&#39;s registered redirect_uris</pre><pre><strong>state</strong>: abc</pre><pre><strong>iss</strong>: http://127.0.0.1:3001</pre>
</div></body></html>`
	oidcProviderUnknownClientPage = `<!DOCTYPE html><html><head><title>oops! something went wrong</title></head>
<body><div class="container"><h1>oops! something went wrong</h1>
<pre><strong>error</strong>: invalid_client</pre><pre><strong>error_description</strong>: client is invalid</pre><pre><strong>state</strong>: abc</pre>
</div></body></html>`
	doorkeeperErrorPage = `<!DOCTYPE html>
<html>
<head><title>OAuth authorization required</title><meta name="csrf-token" content="x" /></head>
<body><div id="container"><div class="border-bottom mb-4"><h1>An error has occurred</h1></div>
<main role="main"><pre>The requested redirect uri is malformed or doesn&#39;t match client redirect URI.</pre></main>
</div></body></html>`
	doorkeeperScopePage = `<!DOCTYPE html><html><head><title>OAuth authorization required</title></head>
<body><div id="container"><h1>An error has occurred</h1><main role="main"><pre>The requested scope is invalid, unknown, or malformed.</pre></main></div></body></html>`
	loginPage = `<!DOCTYPE html><html><head><title>Sign in to Example</title><script>var error = "none";</script></head>
<body><form method="post"><input name="username"><input name="password" type="password"><button>Sign in</button></form></body></html>`
)

const hydraRedirectError = "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed. The 'redirect_uri' parameter does not match any of the OAuth 2.0 Client's pre-registered redirect urls."

func TestRedirectURI(t *testing.T) {
	callback := "https://hub.example.org/hub/oauth_callback"
	cases := []struct {
		name    string
		answer  func(*authorizeServer, http.ResponseWriter, *http.Request)
		status  finding.Status
		message []string
		hint    string
	}{
		{"Hydra: to the login page", redirectTo(http.StatusFound, "/login", url.Values{"login_challenge": {"abc"}}),
			finding.Pass, []string{"accepted client hub-client and redirect_uri " + callback, "/login"}, ""},
		{"oidc-provider: to a relative interaction page", redirectTo(http.StatusSeeOther, "/interaction/xyz", nil),
			finding.Pass, []string{"sent the browser on to http://127.0.0.1:"}, ""},
		{"straight to the callback", toCallback(url.Values{"code": {"c0de"}}),
			finding.Pass, []string{"redirected to the callback " + callback}, ""},
		{"a login page at the authorize URL", page(http.StatusOK, "text/html", loginPage),
			finding.Pass, []string{`an HTML page titled "Sign in to Example"`}, ""},
		{"Hydra: redirect_uri not registered", redirectTo(http.StatusFound, "/oauth2/fallbacks/error",
			url.Values{"error": {"invalid_request"}, "error_description": {hydraRedirectError}}),
			finding.Fail, []string{"the provider does not accept redirect_uri " + callback + " for client hub-client", "invalid_request: The request is missing"},
			"register " + callback + " exactly at the provider"},
		{"Hydra: unknown client", redirectTo(http.StatusFound, "/oauth2/fallbacks/error",
			url.Values{"error": {"invalid_client"}, "error_description": {"Client authentication failed (e.g., unknown client). The requested OAuth 2.0 Client does not exist."}}),
			finding.Fail, []string{"the provider does not know client id hub-client", "invalid_client"}, "hubctl app create login"},
		{"Hydra: scope not allowed, at the callback", toCallback(url.Values{"error": {"invalid_scope"},
			"error_description": {"The OAuth 2.0 Client is not allowed to request scope 'profile'."}}),
			finding.Fail, []string{"the provider refuses the scopes read, profile for client hub-client", "invalid_scope"}, "login.scopes"},
		{"unauthorized_client at the callback", toCallback(url.Values{"error": {"unauthorized_client"}}),
			finding.Fail, []string{"does not let client hub-client use the authorization code flow (unauthorized_client)"}, "response type code"},
		{"oidc-provider: redirect_uri not registered (400 page)", page(http.StatusBadRequest, "text/html; charset=utf-8", oidcProviderErrorPage),
			finding.Fail, []string{"does not accept redirect_uri " + callback, "invalid_redirect_uri: redirect_uri did not match any of the client's registered redirect_uris"}, "login.callbackUrl"},
		{"oidc-provider: unknown client (400 page)", page(http.StatusBadRequest, "text/html; charset=utf-8", oidcProviderUnknownClientPage),
			finding.Fail, []string{"does not know client id hub-client (invalid_client: client is invalid)"}, "check login.clientId"},
		{"Doorkeeper: redirect_uri page, 400", page(http.StatusBadRequest, "text/html; charset=utf-8", doorkeeperErrorPage),
			finding.Fail, []string{"does not accept redirect_uri " + callback, "The requested redirect uri is malformed or doesn't match client redirect URI."}, "register " + callback},
		{"Doorkeeper 5.5: redirect_uri page, 200", page(http.StatusOK, "text/html; charset=utf-8", doorkeeperErrorPage),
			finding.Fail, []string{"does not accept redirect_uri " + callback}, "register " + callback},
		{"Doorkeeper: scope page", page(http.StatusOK, "text/html; charset=utf-8", doorkeeperScopePage),
			finding.Fail, []string{"refuses the scopes read, profile", "The requested scope is invalid"}, "login.scopes"},
		{"JSON error", page(http.StatusUnauthorized, "application/json", `{"error":"invalid_client","error_description":"unknown client"}`),
			finding.Fail, []string{"does not know client id hub-client (invalid_client: unknown client)"}, "check login.clientId"},
		{"no such endpoint", page(http.StatusNotFound, "text/plain", "404 page not found"),
			finding.Fail, []string{"answered 404 with plain text \"404 page not found\""}, "login.authorizeUrl"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := startAuthorizeServer(t, c.answer)
			res := loadFlowSpec(t, flowSpec("https://hub.example.org", srv.URL, ""))
			r := onlyResult(t, runUnscrubbed(t, res, checkRedirectURI.ID), checkRedirectURI.ID)
			assertFlowResult(t, r, c.status, c.message, c.hint)
			if r.Target != srv.URL+"/authorize" {
				t.Errorf("target = %q, want the authorize endpoint", r.Target)
			}
		})
	}
}

// TestRedirectURIRequest: the request is the hub's, parameter by
// parameter, with a fresh state and PKCE challenge.
func TestRedirectURIRequest(t *testing.T) {
	srv := startAuthorizeServer(t, redirectTo(http.StatusFound, "/login", nil))
	res := loadFlowSpec(t, flowSpec("https://hub.example.org/jhub/", srv.URL, ""))
	onlyResult(t, runChecks(t, res, Options{}, checkRedirectURI.ID), checkRedirectURI.ID)
	q := srv.query()
	want := map[string]string{
		"response_type":         "code",
		"client_id":             "hub-client",
		"redirect_uri":          "https://hub.example.org/jhub/hub/oauth_callback",
		"scope":                 "read profile",
		"code_challenge_method": "S256",
	}
	for k, v := range want {
		if got := q.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if c := q.Get("code_challenge"); len(c) != 43 || strings.ContainsAny(c, "+/=") {
		t.Errorf("code_challenge = %q, want an unpadded base64url SHA-256", c)
	}
	if len(q.Get("state")) < 32 {
		t.Errorf("state = %q, want a random one", q.Get("state"))
	}
	if q.Has("client_secret") {
		t.Error("the authorize request carries the client secret")
	}
}

// TestRedirectURINBGallery: Doorkeeper sends every request without a
// session to its login page, so the pass must say it proves little.
func TestRedirectURINBGallery(t *testing.T) {
	srv := startAuthorizeServer(t, func(as *authorizeServer, w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/oauth/authorize" {
			http.NotFound(w, r)
			return
		}
		redirectTo(http.StatusFound, as.URL+"/users/sign_in", nil)(as, w, r)
	})
	res := loadFlowSpec(t, fmt.Sprintf(`version: 1
hub:
  url: https://hub.example.org
login:
  provider: nbgallery
  url: %s
  clientId: hub-client
  clientSecret: {env: FLOW_CLIENT_SECRET}
  allow: {all: true}
`, srv.URL))
	r := onlyResult(t, runChecks(t, res, Options{}, checkRedirectURI.ID), checkRedirectURI.ID)
	assertFlowResult(t, r, finding.Pass, []string{"login page " + srv.URL + "/users/sign_in", "only after a user logs in"}, "")
	if got := srv.query().Get("scope"); got != "read" {
		t.Errorf("scope = %q, want NBGallery's default read", got)
	}
}

// fakeHub serves <base>hub/oauth_login as a hub with GenericOAuthenticator
// does, from the values it was deployed with (given the hub's own URL).
func fakeHub(t *testing.T, base string, deployed func(hubURL string) url.Values, authorizeURL string) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc(base+"hub/oauth_login", func(w http.ResponseWriter, r *http.Request) {
		q := url.Values{"response_type": {"code"}, "state": {"s"}, "code_challenge": {"c"}, "code_challenge_method": {"S256"}}
		for k, v := range deployed("http://" + r.Host) {
			q[k] = v
		}
		http.Redirect(w, r, authorizeURL+"?"+q.Encode(), http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestHubOAuthLogin(t *testing.T) {
	const providerURL = "https://id.example.org"
	cases := []struct {
		name      string
		base      string
		deployed  func(hubURL string) url.Values
		authorize string
		status    finding.Status
		message   []string
		hint      string
	}{
		{name: "no drift", base: "/",
			deployed: func(h string) url.Values {
				return url.Values{"client_id": {"hub-client"}, "redirect_uri": {h + "/hub/oauth_callback"}, "scope": {"profile read"}}
			},
			status: finding.Pass, message: []string{"sends the browser to " + providerURL + "/authorize with the spec's client_id, redirect_uri and scope"}},
		{name: "no drift under a base path", base: "/jhub/",
			deployed: func(h string) url.Values {
				return url.Values{"client_id": {"hub-client"}, "redirect_uri": {h + "/jhub/hub/oauth_callback"}, "scope": {"read profile"}}
			},
			status: finding.Pass, message: []string{"the spec's client_id, redirect_uri and scope"}},
		{name: "drifted redirect_uri and scopes", base: "/",
			deployed: func(h string) url.Values {
				return url.Values{"client_id": {"hub-client"}, "redirect_uri": {"https://old.example.org/hub/oauth_callback"}, "scope": {"read email"}}
			},
			status: finding.Fail, message: []string{
				"the deployed hub sends redirect_uri https://old.example.org/hub/oauth_callback but the spec renders http://127.0.0.1:",
				"the deployed hub does not request scope profile that the spec renders",
				"the deployed hub requests scope email that the spec does not render"},
			hint: "the deployed config has drifted from the spec; deploy the rendered values"},
		{name: "another client and provider", base: "/", authorize: "https://old-id.example.org/auth",
			deployed: func(h string) url.Values {
				return url.Values{"client_id": {"old-client"}, "redirect_uri": {h + "/hub/oauth_callback"}, "scope": {"read profile"}}
			},
			status: finding.Fail, message: []string{
				"the deployed hub sends the browser to https://old-id.example.org/auth but the spec renders authorize_url " + providerURL + "/authorize",
				"the deployed hub sends client_id old-client but the spec renders hub-client"},
			hint: "drifted"},
		{name: "no client_id", base: "/",
			deployed: func(h string) url.Values {
				return url.Values{"redirect_uri": {h + "/hub/oauth_callback"}, "scope": {"read profile"}}
			},
			status: finding.Fail, message: []string{"the deployed hub sends no client_id but the spec renders hub-client"}, hint: "drifted"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			authorize := c.authorize
			if authorize == "" {
				authorize = providerURL + "/authorize"
			}
			hubURL := fakeHub(t, c.base, c.deployed, authorize).URL
			spec := flowSpec(hubURL+c.base, providerURL, "")
			res := loadFlowSpec(t, spec)
			r := onlyResult(t, runChecks(t, res, Options{}, checkHubOAuthLogin.ID), checkHubOAuthLogin.ID)
			assertFlowResult(t, r, c.status, c.message, c.hint)
			if want := hubURL + c.base + "hub/oauth_login"; r.Target != want {
				t.Errorf("target = %q, want %q", r.Target, want)
			}
		})
	}
}

func TestHubOAuthLoginNotOAuth(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	res := loadFlowSpec(t, flowSpec(srv.URL, "https://id.example.org", ""))
	r := onlyResult(t, runChecks(t, res, Options{}, checkHubOAuthLogin.ID), checkHubOAuthLogin.ID)
	assertFlowResult(t, r, finding.Fail, []string{"the hub does not use OAuth login (is the authenticator GenericOAuthenticator?)"}, "generic-oauth")
}

// TestHubOAuthLoginUnreachable: a hub that is down is its gate's failure,
// not a second one of this check.
func TestHubOAuthLoginUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	hubURL := srv.URL
	srv.Close()
	res := loadFlowSpec(t, flowSpec(hubURL, "https://id.example.org", ""))
	rs := runChecks(t, res, Options{}, checkHubOAuthLogin.ID, checkReach.ID)
	r := onlyResult(t, rs, checkHubOAuthLogin.ID)
	if r.Status != finding.Skip || !strings.Contains(r.Message, "net.reach") {
		t.Errorf("hub.oauth-login = %s %q, want skipped for net.reach", r.Status, r.Message)
	}
}
