//go:build e2e

package e2e_test

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/hubctl/hubctl/pkg/testbed"
)

// oauthService is a small external service that uses the hub as its OAuth
// provider the way JupyterHub's HubOAuth does, configured only from the
// environment `hubctl render service-env` printed.
type oauthService struct {
	env map[string]string
}

func (s *oauthService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	prefix := s.env["JUPYTERHUB_SERVICE_PREFIX"]
	callback, _ := url.Parse(s.env["JUPYTERHUB_OAUTH_CALLBACK_URL"])
	switch {
	case r.URL.Path == callback.Path:
		s.callback(w, r)
	case strings.HasPrefix(r.URL.Path, prefix):
		if c, err := r.Cookie("e2e-service-user"); err == nil {
			fmt.Fprintf(w, "hello %s", c.Value)
			return
		}
		state := randomHex()
		http.SetCookie(w, &http.Cookie{Name: "e2e-service-state", Value: state, Path: prefix, HttpOnly: true})
		q := url.Values{
			"client_id":     {s.env["JUPYTERHUB_CLIENT_ID"]},
			"redirect_uri":  {s.env["JUPYTERHUB_OAUTH_CALLBACK_URL"]},
			"response_type": {"code"},
			"state":         {state},
		}
		authorize := s.env["JUPYTERHUB_HOST"] + s.env["JUPYTERHUB_BASE_URL"] + "hub/api/oauth2/authorize?" + q.Encode()
		http.Redirect(w, r, authorize, http.StatusFound)
	default:
		http.NotFound(w, r)
	}
}

func (s *oauthService) callback(w http.ResponseWriter, r *http.Request) {
	state, err := r.Cookie("e2e-service-state")
	if err != nil || state.Value != r.URL.Query().Get("state") {
		http.Error(w, "OAuth state mismatch", http.StatusBadRequest)
		return
	}
	api := s.env["JUPYTERHUB_API_URL"]
	resp, err := http.PostForm(api+"/oauth2/token", url.Values{
		"client_id":     {s.env["JUPYTERHUB_CLIENT_ID"]},
		"client_secret": {s.env["JUPYTERHUB_API_TOKEN"]},
		"grant_type":    {"authorization_code"},
		"code":          {r.URL.Query().Get("code")},
		"redirect_uri":  {s.env["JUPYTERHUB_OAUTH_CALLBACK_URL"]},
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	var token struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&token)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || token.AccessToken == "" {
		http.Error(w, fmt.Sprintf("token exchange: HTTP %d", resp.StatusCode), http.StatusForbidden)
		return
	}
	req, _ := http.NewRequest(http.MethodGet, api+"/user", nil)
	req.Header.Set("Authorization", "token "+token.AccessToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	var user struct {
		Name   string
		Scopes []string
	}
	json.NewDecoder(resp.Body).Decode(&user)
	resp.Body.Close()
	// As HubOAuth.check_scopes: the token must carry one of the access scopes.
	var access []string
	json.Unmarshal([]byte(s.env["JUPYTERHUB_OAUTH_ACCESS_SCOPES"]), &access)
	if !slices.ContainsFunc(access, func(a string) bool { return slices.Contains(user.Scopes, a) }) {
		http.Error(w, fmt.Sprintf("token scopes %v lack %v", user.Scopes, access), http.StatusForbidden)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "e2e-service-user", Value: user.Name, Path: s.env["JUPYTERHUB_SERVICE_PREFIX"], HttpOnly: true})
	http.Redirect(w, r, s.env["JUPYTERHUB_SERVICE_PREFIX"], http.StatusFound)
}

func randomHex() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func parseDotenv(t *testing.T, text string) map[string]string {
	t.Helper()
	env := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("not a dotenv line: %q", line)
		}
		if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
			v = v[1 : len(v)-1]
		}
		env[k] = v
	}
	return env
}

// TestServiceOAuth registers a service with hubctl, runs it from the
// environment `hubctl render service-env` prints, and checks that a user
// with access completes the hub's OAuth into the service while a user
// without access gets the hub's 403.
func TestServiceOAuth(t *testing.T) {
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
				p := providers["oidc-provider"](t, port, dir)
				listener, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				secrets := map[string]string{"OAUTH_CLIENT_SECRET": clientSecret, "REPORTS_API_TOKEN": "reports-token-" + randomHex()}
				specPath := writeSpec(t, dir, fmt.Sprintf(`version: 1
hub:
  url: http://127.0.0.1:%d
  jupyterhub: "%s"
login:
  %s
  clientId: %s
  clientSecret: {env: OAUTH_CLIENT_SECRET}
  allow: {all: true}
services:
  reports:
    url: http://%s
    noConfirm: true
    access: {users: [alice]}
    apiToken: {env: REPORTS_API_TOKEN}
`, port, version, p.loginSpec, p.clientID, listener.Addr()))

				env := parseDotenv(t, runHubctl(t, secrets, "render", "service-env", "reports", "-f", specPath, "--inline-secrets"))
				if env["JUPYTERHUB_API_TOKEN"] != secrets["REPORTS_API_TOKEN"] {
					t.Fatalf("service-env --inline-secrets gave the token %q", env["JUPYTERHUB_API_TOKEN"])
				}
				svc := &http.Server{Handler: &oauthService{env: env}}
				go svc.Serve(listener)
				t.Cleanup(func() { svc.Close() })

				h := startRenderedHub(t, version, port, renderFor(t, tgt, specPath, secrets, nil))

				_, alice := logIn(t, p, h, "alice")
				resp, body, hops := follow(t, alice, h.URL+"/services/reports/")
				if resp.StatusCode != http.StatusOK || body != "hello alice" {
					t.Errorf("alice at the service: HTTP %d %q, want hello alice\n%s", resp.StatusCode, body, strings.Join(hops, "\n"))
				}

				_, bob := logIn(t, p, h, "bob")
				resp, body, hops = follow(t, bob, h.URL+"/services/reports/")
				if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "You do not have permission to access JupyterHub service reports") {
					t.Errorf("bob, without access: HTTP %d %.300s, want the hub's 403\n%s", resp.StatusCode, body, strings.Join(hops, "\n"))
				}
				if !strings.Contains(h.Log(), "not allowed to access JupyterHub service reports") {
					t.Error("the hub log does not record the refusal")
				}
			})
		}
	}
}
