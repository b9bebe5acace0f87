package spec

import (
	"strings"
	"testing"

	"github.com/hubctl/hubctl/pkg/secret"
)

func TestParseKeepsOrderAndValues(t *testing.T) {
	s, doc, findings := Parse("hubctl.yaml", "/specs", []byte(`version: 1
hub:
  url: https://hub.example.org
  jupyterhub: 6.10
login:
  provider: oidc
  clientSecret: {k8sSecret: {name: oauth, key: secret}}
  verifyTLS: false
services:
  zeta: {url: "http://z:1", access: all, apiToken: {file: z.txt}}
  alpha:
    access: {users: [a, b]}
    apiToken: literal-token
    timeout: 30
roles:
  readers: {scopes: [read:users]}
`))
	if len(findings) != 0 {
		t.Fatalf("findings: %v", findings)
	}
	if got := s.Hub.JupyterHub; got != "6.10" {
		t.Errorf("an unquoted version keeps its text, got %q", got)
	}
	if got := s.Services.Names(); strings.Join(got, ",") != "zeta,alpha" {
		t.Errorf("services out of file order: %v", got)
	}
	if ref := s.Login.ClientSecret; ref.Kind != secret.K8s || ref.K8s != (secret.K8sRef{Name: "oauth", Key: "secret"}) {
		t.Errorf("k8s ref: %+v", ref)
	}
	if s.Login.VerifyTLS == nil || *s.Login.VerifyTLS {
		t.Error("verifyTLS false lost")
	}
	zeta, _ := s.Services.Get("zeta")
	alpha, _ := s.Services.Get("alpha")
	if !zeta.Access.All || zeta.APIToken.File != "z.txt" || !zeta.OAuthEnabled() {
		t.Errorf("zeta: %+v", zeta)
	}
	if alpha.Access.All || len(alpha.Access.Users) != 2 || alpha.APIToken.Literal != "literal-token" || *alpha.Timeout != 30 || alpha.OAuthEnabled() {
		t.Errorf("alpha: %+v", alpha)
	}
	if pos := doc.Pos("services.alpha.access.users[1]"); pos.Line != 12 || pos.Column != 25 {
		t.Errorf("position of users[1]: %v", pos)
	}
	if pos := doc.KeyPos("services.alpha.timeout"); pos.Line != 14 || pos.Column != 5 {
		t.Errorf("position of the timeout key: %v", pos)
	}
	if pos := doc.Pos("services.alpha.redirectUri"); pos.Line != 11 || pos.Column != 3 {
		t.Errorf("a missing key sits at its parent's key, got %v", pos)
	}
	if doc.Dir != "/specs" || doc.File != "hubctl.yaml" {
		t.Errorf("document names: %+v", doc)
	}
}

func TestParseReportsEveryStructuralProblem(t *testing.T) {
	s, _, findings := Parse("x.yaml", ".", []byte(`version: one
hub:
  url: [https://hub.example.org]
  jupyterhub: 5.5
  colour: blue
login:
  provider: oidc
  scopes: openid
  clientSecret: {env: A, file: b}
  allow: {all: maybe}
services:
  nbviewer:
    access: everyone
    timeout: soon
`))
	if s == nil {
		t.Fatal("a structurally broken spec still decodes what it can")
	}
	want := []string{
		"x.yaml:1:10: version: expected a whole number",
		"x.yaml:3:8: hub.url: expected a string, got a list",
		`x.yaml:5:3: hub.colour: unknown key "colour"`,
		"x.yaml:8:11: login.scopes: expected a list of strings",
		"x.yaml:9:17: login.clientSecret: a secret reference takes exactly one of env, file or k8sSecret; this one has env and file",
		"x.yaml:10:16: login.allow.all: expected true or false, got the string \"maybe\"",
		`x.yaml:13:13: services.nbviewer.access: expected "all" or a mapping with users and groups, got "everyone"`,
		"x.yaml:14:14: services.nbviewer.timeout: expected a whole number",
	}
	if len(findings) != len(want) {
		t.Errorf("got %d findings, want %d:\n%v", len(findings), len(want), findings)
	}
	for i, w := range want {
		if i < len(findings) && !strings.HasPrefix(findings[i].String(), w) {
			t.Errorf("finding %d:\n got %s\nwant %s...", i, findings[i], w)
		}
	}
}

func TestJoinQuotesOddKeys(t *testing.T) {
	for _, tt := range []struct{ path, key, want string }{
		{"", "hub", "hub"},
		{"services", "nbviewer", "services.nbviewer"},
		{"services", "a.b", `services["a.b"]`},
		{"services", "a/b", `services["a/b"]`},
	} {
		if got := Join(tt.path, tt.key); got != tt.want {
			t.Errorf("Join(%q, %q) = %q, want %q", tt.path, tt.key, got, tt.want)
		}
	}
	if got := parentPath(`services["a.b"].url`); got != `services["a.b"]` {
		t.Errorf("parentPath: %q", got)
	}
	if got := parentPath(`services["a.b"]`); got != "services" {
		t.Errorf("parentPath: %q", got)
	}
}

func TestHubURLs(t *testing.T) {
	tests := []struct {
		url, base, callback, redirect, api string
	}{
		{"https://hub.example.org", "/", "https://hub.example.org/hub/oauth_callback", "https://hub.example.org/services/nb/oauth_callback", "https://hub.example.org/hub/api"},
		{"https://hub.example.org/", "/", "https://hub.example.org/hub/oauth_callback", "https://hub.example.org/services/nb/oauth_callback", "https://hub.example.org/hub/api"},
		{"https://example.org/jupyter", "/jupyter/", "https://example.org/jupyter/hub/oauth_callback", "https://example.org/jupyter/services/nb/oauth_callback", "https://example.org/jupyter/hub/api"},
		{"http://127.0.0.1:8000/a/b/", "/a/b/", "http://127.0.0.1:8000/a/b/hub/oauth_callback", "http://127.0.0.1:8000/a/b/services/nb/oauth_callback", "http://127.0.0.1:8000/a/b/hub/api"},
	}
	for _, tt := range tests {
		h := Hub{URL: tt.url}
		if h.BasePath() != tt.base || h.LoginCallbackURL() != tt.callback || h.ServiceRedirectURI("nb") != tt.redirect || h.ResolvedAPIURL() != tt.api {
			t.Errorf("%s: base %s callback %s redirect %s api %s", tt.url, h.BasePath(), h.LoginCallbackURL(), h.ServiceRedirectURI("nb"), h.ResolvedAPIURL())
		}
	}
}

func TestSuggestKey(t *testing.T) {
	known := []string{"clientId", "clientSecret", "usernameClaim", "verifyTLS", "admins", "allow", "scopes"}
	for key, want := range map[string]string{
		"client_id": "clientId", "CLIENTID": "clientId", "clientSecert": "clientSecret",
		"username_key": "usernameClaim", "usernameKey": "usernameClaim", "tls_verify": "verifyTLS",
		"admin_users": "admins", "allow_all": "allow", "scope": "scopes", "frobnicate": "",
	} {
		if got := suggestKey(key, known); got != want {
			t.Errorf("suggestKey(%q) = %q, want %q", key, got, want)
		}
	}
}
