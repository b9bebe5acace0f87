package doctor

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/load"
)

// oidcSpec is a valid OIDC spec for issuer, with extra lines under login.
func oidcSpec(issuer, extraLogin string) string {
	return fmt.Sprintf(`version: 1
hub:
  url: https://hub.example.org
login:
  provider: oidc
  url: %s
  clientId: jupyterhub
  clientSecret: {env: OAUTH_CLIENT_SECRET}
%s`, issuer, extraLogin)
}

const allowAllLine = "  allow: {all: true}\n"

// healthyDiscovery is the document of a provider every OIDC check passes
// against with oidcSpec's defaults.
func healthyDiscovery(issuer string) map[string]any {
	return map[string]any{
		"issuer":                                issuer,
		"authorization_endpoint":                issuer + "/auth",
		"token_endpoint":                        issuer + "/token",
		"userinfo_endpoint":                     issuer + "/userinfo",
		"jwks_uri":                              issuer + "/keys",
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"claims_supported":                      []string{"sub", "iss", "preferred_username", "email", "name", "groups"},
		"code_challenge_methods_supported":      []string{"plain", "S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
	}
}

// discoveryServer serves healthyDiscovery changed by edit, with the Date
// header date: "" keeps the server's own, "-" sends none.
func discoveryServer(t *testing.T, edit func(doc map[string]any), date string) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/openid-configuration" {
			http.NotFound(w, r)
			return
		}
		doc := healthyDiscovery(srv.URL)
		if edit != nil {
			edit(doc)
		}
		switch date {
		case "":
		case "-":
			w.Header()["Date"] = nil
		default:
			w.Header().Set("Date", date)
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(doc)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// without returns an edit that deletes the fields.
func docWithout(fields ...string) func(map[string]any) {
	return func(doc map[string]any) {
		for _, f := range fields {
			delete(doc, f)
		}
	}
}

// with returns an edit that sets field to v.
func docWith(field string, v any) func(map[string]any) {
	return func(doc map[string]any) { doc[field] = v }
}

type oidcCase struct {
	name string
	edit func(doc map[string]any)
	// login is extra spec lines under login; %[1]s is the issuer. Empty
	// means allow all.
	login string
	// issuer replaces the server's URL as login.url; %[1]s is the URL.
	issuer     string
	want       finding.Status
	message    []string
	hint       string
	notMessage string
}

func runOIDCCases(t *testing.T, id string, cases []oidcCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := discoveryServer(t, tc.edit, "")
			issuer := srv.URL
			if tc.issuer != "" {
				issuer = fmt.Sprintf(tc.issuer, srv.URL)
			}
			login := tc.login
			if login == "" {
				login = allowAllLine
			}
			if strings.Contains(login, "%") {
				login = fmt.Sprintf(login, srv.URL)
			}
			res := loadSpec(t, oidcSpec(issuer, login), nil, map[string]string{"OAUTH_CLIENT_SECRET": "s3cret-value"})
			r := onlyResult(t, runChecks(t, res, Options{}, id), id)
			assertProviderResult(t, r, tc.want, tc.message, tc.hint)
			if tc.notMessage != "" && strings.Contains(r.Message, tc.notMessage) {
				t.Errorf("message %q should not contain %q", r.Message, tc.notMessage)
			}
			if want := srv.URL + "/.well-known/openid-configuration"; r.Target != want {
				t.Errorf("target = %q; want %q", r.Target, want)
			}
		})
	}
}

func assertProviderResult(t *testing.T, r finding.Result, status finding.Status, message []string, hint string) {
	t.Helper()
	assertOutcome(t, r, status, message, hint, "s3cret-value")
}

func TestOIDCIssuer(t *testing.T) {
	runOIDCCases(t, "oidc.issuer", []oidcCase{
		{name: "equal", want: finding.Pass, message: []string{"names issuer", "as login.url does"}},
		{name: "spec has a trailing slash", issuer: "%s/", want: finding.Fail,
			message: []string{"differ in a trailing slash"}, hint: "set login.url to \"http://127.0.0.1:"},
		{name: "provider has a trailing slash", edit: func(doc map[string]any) { doc["issuer"] = doc["issuer"].(string) + "/" },
			want: finding.Fail, message: []string{"differ in a trailing slash"}, hint: "/\": the issuer must match byte for byte"},
		{name: "another issuer", edit: docWith("issuer", "https://id.example.org/realms/other"), want: finding.Fail,
			message: []string{`names issuer "https://id.example.org/realms/other", not login.url`},
			hint:    `set login.url to "https://id.example.org/realms/other" if that is the provider's public URL`},
		{name: "no issuer", edit: docWithout("issuer"), want: finding.Fail, message: []string{"names no issuer"},
			hint: "OpenID Connect Discovery requires an issuer"},
	})
}

func TestOIDCEndpoints(t *testing.T) {
	runOIDCCases(t, "oidc.endpoints", []oidcCase{
		{name: "all from discovery", want: finding.Pass,
			message: []string{"authorization_endpoint, token_endpoint and userinfo_endpoint come from discovery (hubctl render writes them out)"}},
		{name: "all given and equal", login: allowAllLine + "  authorizeUrl: %[1]s/auth\n  tokenUrl: %[1]s/token\n  userdataUrl: %[1]s/userinfo\n",
			want: finding.Pass, message: []string{"login.authorizeUrl, login.tokenUrl and login.userdataUrl equal the advertised endpoints"},
			notMessage: "from discovery"},
		{name: "one given, the rest discovered", login: allowAllLine + "  tokenUrl: %[1]s/token\n", want: finding.Pass,
			message: []string{"login.tokenUrl equals the advertised endpoint", "authorization_endpoint and userinfo_endpoint come from discovery"}},
		{name: "token URL differs", login: allowAllLine + "  tokenUrl: %[1]s/oauth/token\n", want: finding.Fail,
			message: []string{`login.tokenUrl is "http://127.0.0.1:`, `/oauth/token" but the provider advertises token_endpoint "http://127.0.0.1:`},
			hint:    "or drop it to use the advertised one"},
		{name: "trailing slash differs", login: allowAllLine + "  authorizeUrl: %[1]s/auth/\n", want: finding.Fail,
			message: []string{"login.authorizeUrl is", "authorization_endpoint"}, hint: "set login.authorizeUrl to"},
		{name: "no userinfo endpoint", edit: docWithout("userinfo_endpoint"), want: finding.Fail,
			message: []string{"the discovery document has no userinfo_endpoint and login.userdataUrl is not set (GenericOAuthenticator needs userdata_url)"},
			hint:    "set login.userdataUrl to the provider's userinfo URL"},
		{name: "no userinfo endpoint, spec gives it", edit: docWithout("userinfo_endpoint"), login: allowAllLine + "  userdataUrl: %[1]s/me\n",
			want: finding.Pass, message: []string{"login.userdataUrl is not advertised; the spec's value is used"}},
	})
}

func TestOIDCScopes(t *testing.T) {
	runOIDCCases(t, "oidc.scopes", []oidcCase{
		{name: "defaults supported", want: finding.Pass, message: []string{"includes every requested scope: openid, profile, email"}},
		{name: "not advertised", edit: docWithout("scopes_supported"), want: finding.Pass,
			message: []string{"scopes_supported is not advertised; cannot check openid, profile, email"}},
		{name: "a typo", login: allowAllLine + "  scopes: [openid, profil]\n", want: finding.Fail,
			message: []string{`lacks "profil" (did you mean "profile"?)`, "openid, profile, email, offline_access"},
			hint:    `remove profil from login.scopes`},
		{name: "the default is not supported", edit: docWith("scopes_supported", []string{"openid", "offline"}), want: finding.Fail,
			message: []string{`scopes_supported (openid, offline) lacks "profile", "email"`},
			hint:    "set login.scopes to scopes the provider supports: the default openid, profile, email includes profile and email"},
		{name: "nothing requested", login: allowAllLine + "  scopes: []\n", want: finding.Skip, message: []string{"requests no scopes"}},
	})
}

func TestOIDCClaims(t *testing.T) {
	groups := "  allow: {groups: [staff]}\n"
	runOIDCCases(t, "oidc.claims", []oidcCase{
		{name: "default claim offered", want: finding.Pass, message: []string{`claims_supported includes username claim "preferred_username"`},
			notMessage: "groups"},
		{name: "not advertised", edit: docWithout("claims_supported"), want: finding.Pass,
			message: []string{`claims_supported is not advertised; cannot check username claim "preferred_username"`}},
		{name: "claim not offered", login: allowAllLine + "  usernameClaim: preferred_usrname\n", want: finding.Fail,
			message: []string{`lacks username claim "preferred_usrname" (did you mean "preferred_username"?)`},
			hint:    "set login.usernameClaim to a claim the provider offers: preferred_username, email, sub, name"},
		{name: "default not offered", edit: docWith("claims_supported", []string{"sub", "email", "upn"}), want: finding.Fail,
			message: []string{`claims_supported (sub, email, upn) lacks username claim "preferred_username"`},
			hint:    "login.usernameClaim to a claim the provider offers: email, sub, upn"},
		{name: "groups offered", login: groups, want: finding.Pass,
			message: []string{`includes username claim "preferred_username" and groups claim "groups"`}},
		{name: "groups not offered", login: groups, edit: docWith("claims_supported", []string{"sub", "preferred_username"}),
			want: finding.Warn, message: []string{`groups claim "groups" is not in claims_supported`}, hint: "allow.groupsClaim"},
		{name: "dotted groups claim", login: "  allow: {groups: [staff], groupsClaim: realm_access.roles}\n", want: finding.Warn,
			message: []string{`groups claim "realm_access" (of allow.groupsClaim "realm_access.roles") is not in claims_supported`}},
		{name: "dotted groups claim offered", login: "  allow: {groups: [staff], groupsClaim: groups.names}\n", want: finding.Pass,
			message: []string{`groups claim "groups"`}},
		{name: "username fails, groups warns", login: groups + "  usernameClaim: uid\n",
			edit: docWith("claims_supported", []string{"sub", "email"}), want: finding.Fail,
			message: []string{`lacks username claim "uid"`, `groups claim "groups" is not in claims_supported`},
			hint:    "set login.usernameClaim"},
		{name: "admins groups", login: allowAllLine + "  admins: {groups: [hub-admins]}\n", edit: docWith("claims_supported", []string{"preferred_username"}),
			want: finding.Warn, message: []string{`groups claim "groups"`}},
	})
}

func TestOIDCPKCE(t *testing.T) {
	runOIDCCases(t, "oidc.pkce", []oidcCase{
		{name: "S256", want: finding.Pass, message: []string{"code_challenge_methods_supported (plain, S256) includes S256"}},
		{name: "plain only", edit: docWith("code_challenge_methods_supported", []string{"plain"}), want: finding.Fail,
			message: []string{"code_challenge_methods_supported (plain) lacks S256"},
			hint:    "GenericOAuthenticator.enable_pkce = False by hand in the hub's configuration (hubctl.yaml has no key for it)"},
		{name: "not advertised", edit: docWithout("code_challenge_methods_supported"), want: finding.Warn,
			message: []string{"not advertised, so the provider does not support PKCE (RFC 8414)"}, hint: "ignores the challenge"},
	})
}

func TestOIDCAuthMethod(t *testing.T) {
	runOIDCCases(t, "oidc.auth-method", []oidcCase{
		{name: "post supported", want: finding.Pass,
			message: []string{"(client_secret_basic, client_secret_post) includes client_secret_post, which OAuthenticator uses (basic_auth is False)"}},
		{name: "basic only", edit: docWith("token_endpoint_auth_methods_supported", []string{"client_secret_basic", "private_key_jwt"}),
			want:    finding.Fail,
			message: []string{"(client_secret_basic, private_key_jwt) lacks client_secret_post"},
			hint:    `allow client_secret_post for client "jupyterhub" at the provider; or, to send client_secret_basic, set GenericOAuthenticator.basic_auth = True by hand`},
		{name: "neither", edit: docWith("token_endpoint_auth_methods_supported", []string{"private_key_jwt"}), want: finding.Fail,
			message: []string{"lacks client_secret_post"}, hint: `allow client_secret_post for client "jupyterhub" at the provider`},
		{name: "not advertised", edit: docWithout("token_endpoint_auth_methods_supported"), want: finding.Warn,
			message: []string{"which means client_secret_basic only (RFC 8414), but OAuthenticator sends client_secret_post"},
			hint:    "basic_auth = True"},
	})
}

func TestOIDCClock(t *testing.T) {
	now := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		date    string
		want    finding.Status
		message string
	}{
		{"same", now.Format(http.TimeFormat), finding.Pass, "is within 1m0s of the local clock"},
		{"a minute behind", now.Add(-time.Minute).Format(http.TimeFormat), finding.Pass, "within 1m0s"},
		{"behind", now.Add(-3*time.Minute - 12*time.Second).Format(http.TimeFormat), finding.Fail, "is 3m12s behind the local clock"},
		{"ahead", now.Add(2 * time.Hour).Format(http.TimeFormat), finding.Fail, "is 2h0m0s ahead of the local clock"},
		{"no Date", "-", finding.Skip, "no Date header"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := discoveryServer(t, nil, tc.date)
			res := loadSpec(t, oidcSpec(srv.URL, allowAllLine), nil, nil)
			r := onlyResult(t, runChecks(t, res, Options{Now: func() time.Time { return now }}, "oidc.clock"), "oidc.clock")
			hint := ""
			if tc.want == finding.Fail {
				hint = "oauthenticator #793"
			}
			assertProviderResult(t, r, tc.want, []string{tc.message}, hint)
		})
	}
}

// A discovery that fails skips every check that reads its document, each
// with the runner's reason, rather than failing them all again.
func TestOIDCChecksSkipWithoutDiscovery(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	res := loadSpec(t, oidcSpec(srv.URL, allowAllLine), nil, nil)
	ids := []string{"oidc.discovery", "oidc.issuer", "oidc.endpoints", "oidc.scopes", "oidc.claims", "oidc.pkce", "oidc.auth-method", "oidc.clock"}
	rs := runChecks(t, res, Options{}, ids...)
	docURL := srv.URL + "/.well-known/openid-configuration"
	if r := onlyResult(t, rs, "oidc.discovery"); r.Status != finding.Fail {
		t.Fatalf("oidc.discovery = %s (%s); want fail", r.Status, r.Message)
	}
	for _, id := range ids[1:] {
		r := onlyResult(t, rs, id)
		want := "skipped: oidc.discovery did not pass for " + docURL
		if r.Status != finding.Skip || r.Message != want {
			t.Errorf("%s = %s %q; want skip %q", id, r.Status, r.Message, want)
		}
	}
}

// A healthy provider passes every OIDC check.
func TestOIDCHealthyProvider(t *testing.T) {
	srv := discoveryServer(t, nil, "")
	res := loadSpec(t, oidcSpec(srv.URL, "  allow: {groups: [staff]}\n"), nil, nil)
	rs := runChecks(t, res, Options{}, "oidc.issuer", "oidc.endpoints", "oidc.scopes", "oidc.claims", "oidc.pkce", "oidc.auth-method", "oidc.clock")
	if len(rs) != 7 {
		t.Fatalf("want 7 results, got %d: %+v", len(rs), rs)
	}
	for _, r := range rs {
		if r.Status != finding.Pass {
			t.Errorf("%s = %s: %s (hint %q)", r.ID, r.Status, r.Message, r.Hint)
		}
	}
}

// NBGallery and oauth2 logins get no OIDC checks.
func TestOIDCChecksOnlyForOIDC(t *testing.T) {
	srv := discoveryServer(t, nil, "")
	spec := strings.Replace(oidcSpec(srv.URL, allowAllLine), "provider: oidc", "provider: oauth2\n  authorizeUrl: "+srv.URL+"/auth\n  tokenUrl: "+srv.URL+"/token\n  userdataUrl: "+srv.URL+"/userinfo", 1)
	res := loadSpec(t, spec, nil, nil)
	for _, task := range providerPlanOf(t, res).Tasks() {
		if strings.HasPrefix(task.Check.ID, "oidc.") || strings.HasPrefix(task.Check.ID, "nbgallery.") {
			t.Errorf("an oauth2 login planned %s", task.Check.ID)
		}
	}
}

func providerPlanOf(t *testing.T, res *load.Result) *Plan {
	t.Helper()
	p, err := NewPlan(res, Defaults)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
