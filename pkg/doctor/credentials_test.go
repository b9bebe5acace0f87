package doctor

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/hub"
	"github.com/hubctl/hubctl/pkg/load"
	"github.com/hubctl/hubctl/pkg/provider"
)

// flowSecret is the client secret of the login-flow tests; no result may
// show it.
const flowSecret = "flow-client-secret-0123456789"

// flowSpec is an oauth2 login at providerURL with every endpoint set, so no
// discovery runs, for a hub at hubURL; extra lines go under login.
func flowSpec(hubURL, providerURL, extraLogin string) string {
	return fmt.Sprintf(`version: 1
hub:
  url: %s
login:
  provider: oauth2
  url: %[2]s
  authorizeUrl: %[2]s/authorize
  tokenUrl: %[2]s/token
  userdataUrl: %[2]s/userinfo
  clientId: hub-client
  clientSecret: {env: FLOW_CLIENT_SECRET}
  scopes: [read, profile]
  allow: {all: true}
%s`, hubURL, providerURL, extraLogin)
}

func loadFlowSpec(t *testing.T, text string) *load.Result {
	t.Helper()
	res := loadSpec(t, text, nil, map[string]string{"FLOW_CLIENT_SECRET": flowSecret})
	if res.Findings.HasErrors() {
		t.Fatalf("the test spec is invalid: %v", res.Findings)
	}
	return res
}

// runUnscrubbed runs the plan's tasks without Run's final scrubbing, so a
// test sees whatever a check itself wrote, and returns the results of id.
func runUnscrubbed(t *testing.T, res *load.Result, id string) finding.Results {
	t.Helper()
	opts := Defaults
	p, err := NewPlan(res, opts)
	if err != nil {
		t.Fatal(err)
	}
	tasks, _ := selectTasks(p.Tasks(), Options{Only: []string{id}})
	return resultsOf(RunTasks(context.Background(), tasks, RunOptions{Workers: 4, Deadline: opts.Deadline}), id)
}

// assertFlowResult checks one result: its status, that its message holds
// each of message, that its hint holds hint, and that neither shows the
// client secret.
func assertFlowResult(t *testing.T, r finding.Result, status finding.Status, message []string, hint string) {
	t.Helper()
	t.Logf("%s %s: %s | hint: %s", r.Status, r.Target, r.Message, r.Hint)
	assertOutcome(t, r, status, message, hint, flowSecret)
}

// tokenProvider answers token requests as an OAuth2 provider does for one
// registered client, and records how each request authenticated.
type tokenProvider struct {
	clientID, secret string
	// methods are the client authentication methods the client is
	// registered for.
	methods []string
	// answer, when set, replaces the answer to an authenticated request
	// (invalid_grant by default).
	answer func(w http.ResponseWriter)
	// refuse, when set, replaces the invalid_client answer.
	refuse func(w http.ResponseWriter)

	mu   sync.Mutex
	seen []tokenRequest
}

type tokenRequest struct {
	method                     string
	grantType, code, redirect  string
	clientIDInBody, secretBody bool
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (tp *tokenProvider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	id, secret, basic := r.BasicAuth()
	method := clientSecretBasic
	if !basic {
		id, secret, method = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret"), clientSecretPost
	}
	tp.mu.Lock()
	tp.seen = append(tp.seen, tokenRequest{method: method, grantType: r.PostForm.Get("grant_type"), code: r.PostForm.Get("code"),
		redirect: r.PostForm.Get("redirect_uri"), clientIDInBody: r.PostForm.Has("client_id"), secretBody: r.PostForm.Has("client_secret")})
	tp.mu.Unlock()
	if id != tp.clientID || secret != tp.secret || !slices.Contains(tp.methods, method) {
		if tp.refuse != nil {
			tp.refuse(w)
			return
		}
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client",
			"error_description": "Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method)."})
		return
	}
	if tp.answer != nil {
		tp.answer(w)
		return
	}
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant",
		"error_description": "The provided authorization grant is invalid, expired, revoked, or was issued to another client."})
}

func (tp *tokenProvider) requests() []tokenRequest {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	return slices.Clone(tp.seen)
}

func startTokenProvider(t *testing.T, tp *tokenProvider) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/token", tp)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestCredentials(t *testing.T) {
	post, basic := []string{clientSecretPost}, []string{clientSecretBasic}
	cases := []struct {
		name     string
		provider *tokenProvider
		status   finding.Status
		message  []string
		hint     string
		// methods are the auth methods doctor must have tried, in order.
		methods []string
	}{
		{name: "post client: invalid_grant", provider: &tokenProvider{clientID: "hub-client", secret: flowSecret, methods: post},
			status: finding.Pass, message: []string{"the client authenticated (the bogus code was refused with invalid_grant)"},
			methods: post},
		{name: "client takes both methods", provider: &tokenProvider{clientID: "hub-client", secret: flowSecret, methods: []string{clientSecretBasic, clientSecretPost}},
			status: finding.Pass, message: []string{"invalid_grant"}, methods: post},
		{name: "basic-only client", provider: &tokenProvider{clientID: "hub-client", secret: flowSecret, methods: basic},
			status: finding.Fail, message: []string{"the provider accepts client_secret_basic, not client_secret_post, for this client", "invalid_client"},
			hint: "GenericOAuthenticator.basic_auth = True", methods: []string{clientSecretPost, clientSecretBasic}},
		{name: "wrong secret", provider: &tokenProvider{clientID: "hub-client", secret: "another-secret-0123456789", methods: post},
			status: finding.Fail, message: []string{"the provider does not accept client id hub-client with login.clientSecret (unknown client, or wrong secret)"},
			hint: "hubctl app create login", methods: []string{clientSecretPost, clientSecretBasic}},
		{name: "unknown client", provider: &tokenProvider{clientID: "other-client", secret: flowSecret, methods: post},
			status: finding.Fail, message: []string{"does not accept client id hub-client", "401 invalid_client"},
			hint: "check login.clientId and login.clientSecret", methods: []string{clientSecretPost, clientSecretBasic}},
		{name: "Doorkeeper-style bare 401", provider: &tokenProvider{clientID: "other-client", secret: flowSecret, methods: post,
			refuse: func(w http.ResponseWriter) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="Doorkeeper", error="invalid_client", error_description="Client authentication failed due to unknown client."`)
				w.WriteHeader(http.StatusUnauthorized)
			}},
			status: finding.Fail, message: []string{"unknown client, or wrong secret", "invalid_client: Client authentication failed due to unknown client."},
			methods: []string{clientSecretPost, clientSecretBasic}},
		{name: "grant type not allowed", provider: &tokenProvider{clientID: "hub-client", secret: flowSecret, methods: post,
			answer: func(w http.ResponseWriter) {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unauthorized_client",
					"error_description": "The OAuth 2.0 Client is not allowed to use authorization grant 'authorization_code'."})
			}},
			status: finding.Fail, message: []string{"does not let client hub-client use the authorization_code grant", "unauthorized_client"},
			hint: "allow the authorization_code grant", methods: post},
		{name: "invalid_request about the code", provider: &tokenProvider{clientID: "hub-client", secret: flowSecret, methods: post,
			answer: func(w http.ResponseWriter) {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "Code not valid"})
			}},
			status: finding.Pass, message: []string{"the client authenticated", "invalid_request: Code not valid"}, methods: post},
		{name: "a token for a bogus code", provider: &tokenProvider{clientID: "hub-client", secret: flowSecret, methods: post,
			answer: func(w http.ResponseWriter) {
				writeJSON(w, http.StatusOK, map[string]any{"access_token": "issued-token-0123456789", "token_type": "Bearer"})
			}},
			status: finding.Fail, message: []string{"issued an access token for a made-up authorization code"}, hint: "checks authorization codes", methods: post},
		{name: "a token without token_type", provider: &tokenProvider{clientID: "hub-client", secret: flowSecret, methods: post,
			answer: func(w http.ResponseWriter) {
				writeJSON(w, http.StatusOK, map[string]any{"access_token": "issued-token-0123456789"})
			}},
			status: finding.Fail, message: []string{"made-up authorization code", "without the token_type OAuthenticator needs"}, methods: post},
		{name: "200 without access_token", provider: &tokenProvider{clientID: "hub-client", secret: flowSecret, methods: post,
			answer: func(w http.ResponseWriter) {
				writeJSON(w, http.StatusOK, map[string]any{"token_type": "Bearer"})
			}},
			status: finding.Fail, message: []string{"answered 200 with", "no access_token", "500 Bad response"}, hint: "RFC 6749", methods: post},
		{name: "an answer over 1 MiB", provider: &tokenProvider{clientID: "hub-client", secret: flowSecret, methods: post,
			answer: func(w http.ResponseWriter) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprint(w, `{"error": "invalid_grant", "padding": "`+strings.Repeat("x", 2<<20)+`"}`)
			}},
			status: finding.Fail, message: []string{"answered with more than 1 MiB"}, methods: post},
		{name: "a server error", provider: &tokenProvider{clientID: "hub-client", secret: flowSecret, methods: post,
			answer: func(w http.ResponseWriter) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(http.StatusInternalServerError)
				fmt.Fprint(w, "<html><head><title>Internal Server Error</title></head><body>boom</body></html>")
			}},
			status: finding.Fail, message: []string{"answered 500 with an HTML page titled \"Internal Server Error\""}, methods: post},
		{name: "a provider echoing the secret", provider: &tokenProvider{clientID: "hub-client", secret: flowSecret, methods: post,
			answer: func(w http.ResponseWriter) {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "client_secret " + flowSecret + " is not allowed here"})
			}},
			status: finding.Fail, message: []string{"invalid_request", "********"}, methods: post},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tp := c.provider
			srv := startTokenProvider(t, tp)
			res := loadFlowSpec(t, flowSpec("https://hub.example.org", srv.URL, ""))
			assertFlowResult(t, onlyResult(t, runUnscrubbed(t, res, checkCredentials.ID), checkCredentials.ID), c.status, c.message, c.hint)

			reqs := tp.requests()
			var methods []string
			for _, r := range reqs {
				methods = append(methods, r.method)
				if r.grantType != "authorization_code" || len(r.code) < 32 || r.redirect != "https://hub.example.org/hub/oauth_callback" {
					t.Errorf("token request %+v is not the hub's: grant authorization_code, a random code, the rendered callback", r)
				}
				if r.method == clientSecretBasic && (r.clientIDInBody || r.secretBody) {
					t.Errorf("a client_secret_basic request also carried credentials in the body: %+v", r)
				}
			}
			if !slices.Equal(methods, c.methods) {
				t.Errorf("auth methods tried = %v, want %v", methods, c.methods)
			}
			if len(reqs) == 2 && reqs[0].code == reqs[1].code {
				t.Errorf("both requests sent the code %q; each must be fresh", reqs[0].code)
			}
		})
	}
}

// TestCredentialsBasicAuth: with basic_auth rendered true, OAuthenticator
// sends a Basic header, and doctor must too, and name the opposite fix.
func TestCredentialsBasicAuth(t *testing.T) {
	for _, c := range []struct {
		name    string
		methods []string
		status  finding.Status
		message string
		hint    string
		tried   []string
	}{
		{"basic client", []string{clientSecretBasic}, finding.Pass, "invalid_grant", "", []string{clientSecretBasic}},
		{"post-only client", []string{clientSecretPost}, finding.Fail, "the provider accepts client_secret_post, not client_secret_basic, for this client",
			"GenericOAuthenticator.basic_auth = False", []string{clientSecretBasic, clientSecretPost}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tp := &tokenProvider{clientID: "hub-client", secret: flowSecret, methods: c.methods}
			srv := startTokenProvider(t, tp)
			res := loadFlowSpec(t, flowSpec("https://hub.example.org", srv.URL, ""))
			res.Config = hub.Build(res.Spec, provider.Static(res.Spec.Login))
			res.Config.Authenticator.Traits = append(res.Config.Authenticator.Traits, hub.Trait{Name: "basic_auth", Value: true})
			assertFlowResult(t, onlyResult(t, runUnscrubbed(t, res, checkCredentials.ID), checkCredentials.ID), c.status, []string{c.message}, c.hint)
			var tried []string
			for _, r := range tp.requests() {
				tried = append(tried, r.method)
			}
			if !slices.Equal(tried, c.tried) {
				t.Errorf("auth methods tried = %v, want %v", tried, c.tried)
			}
		})
	}
}

func TestCredentialsSecretNotReadable(t *testing.T) {
	tp := &tokenProvider{clientID: "hub-client", secret: flowSecret, methods: []string{clientSecretPost}}
	srv := startTokenProvider(t, tp)
	text := strings.Replace(flowSpec("https://hub.example.org", srv.URL, ""), "{env: FLOW_CLIENT_SECRET}", "{k8sSecret: {name: hub-login, key: client-secret}}", 1)
	res := loadFlowSpec(t, text)
	r := onlyResult(t, runChecks(t, res, Options{}, checkCredentials.ID), checkCredentials.ID)
	assertFlowResult(t, r, finding.Skip, []string{"login.clientSecret is not readable here"}, "doctor-job")
	if n := len(tp.requests()); n != 0 {
		t.Errorf("doctor sent %d token requests without a secret", n)
	}
}

// TestCredentialsWithoutClientID: a login client not registered yet (issue
// 8 makes login.clientId optional until hubctl app create login) is no
// failure of the provider's.
func TestCredentialsWithoutClientID(t *testing.T) {
	tp := &tokenProvider{clientID: "hub-client", secret: flowSecret, methods: []string{clientSecretPost}}
	srv := startTokenProvider(t, tp)
	res := loadFlowSpec(t, flowSpec("https://hub.example.org", srv.URL, ""))
	res.Config = hub.Build(res.Spec, provider.Static(res.Spec.Login))
	for i, tr := range res.Config.Authenticator.Traits {
		if tr.Name == "client_id" {
			res.Config.Authenticator.Traits[i].Value = ""
		}
	}
	rs := runChecks(t, res, Options{}, checkCredentials.ID, checkRedirectURI.ID)
	for _, id := range []string{checkCredentials.ID, checkRedirectURI.ID} {
		assertFlowResult(t, onlyResult(t, rs, id), finding.Skip, []string{"login.clientId is not set"}, "hubctl app create login")
	}
	if n := len(tp.requests()); n != 0 {
		t.Errorf("doctor sent %d token requests without a client id", n)
	}
}

// TestCredentialsAfterDiscovery: an OIDC login's token endpoint comes from
// discovery; the check waits for it and posts there.
func TestCredentialsAfterDiscovery(t *testing.T) {
	tp := &tokenProvider{clientID: "jupyterhub", secret: flowSecret, methods: []string{clientSecretPost}}
	var srv *httptest.Server
	mux := http.NewServeMux()
	mux.Handle("/oauth2/token", tp)
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"issuer": srv.URL, "authorization_endpoint": srv.URL + "/oauth2/auth",
			"token_endpoint": srv.URL + "/oauth2/token", "userinfo_endpoint": srv.URL + "/userinfo", "jwks_uri": srv.URL + "/jwks"})
	})
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	res := loadSpec(t, fmt.Sprintf(`version: 1
hub:
  url: https://hub.example.org
login:
  provider: oidc
  url: %s
  clientId: jupyterhub
  clientSecret: {env: FLOW_CLIENT_SECRET}
  allow: {all: true}
`, srv.URL), nil, map[string]string{"FLOW_CLIENT_SECRET": flowSecret})
	rs := runChecks(t, res, Options{}, checkCredentials.ID)
	r := onlyResult(t, rs, checkCredentials.ID)
	assertFlowResult(t, r, finding.Pass, []string{"invalid_grant"}, "")
	if r.Target != srv.URL {
		t.Errorf("target = %q, want the issuer %q until discovery names the endpoint", r.Target, srv.URL)
	}
	if n := len(tp.requests()); n != 1 {
		t.Errorf("the discovered token endpoint got %d requests, want 1", n)
	}
}
