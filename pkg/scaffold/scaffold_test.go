package scaffold

import (
	"strings"
	"testing"

	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/provider"
	"github.com/hubctl/hubctl/pkg/spec"
	"github.com/hubctl/hubctl/pkg/validate"
)

// wantErr checks err against want: "" means no error, anything else must
// appear in the message.
func wantErr(t *testing.T, what string, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("%s: unexpected error %v", what, err)
	case want != "" && err == nil:
		t.Errorf("%s: no error, want one with %q", what, want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Errorf("%s: error %q lacks %q", what, err, want)
	}
}

func TestCheckProvider(t *testing.T) {
	tests := []struct{ name, want string }{
		{"nbgallery", ""}, {"oidc", ""}, {"oauth2", ""}, {"none", ""},
		{"keycloak", "Keycloak is OIDC: use --provider oidc"},
		{"Keycloak", "Keycloak is OIDC: use --provider oidc"},
		{"hydra", "Ory Hydra is OIDC: use --provider oidc"},
		{"dex", "Dex is OIDC"}, {"okta", "Okta is OIDC"}, {"auth0", "Auth0 is OIDC"},
		{"zitadel", "ZITADEL is OIDC"}, {"authentik", "authentik is OIDC"}, {"google", "Google is OIDC"},
		{"entra", "Microsoft Entra ID is OIDC"}, {"azure", "Microsoft Entra ID is OIDC"},
		{"doorkeeper", "use --provider nbgallery"},
		{"github", "use --provider oauth2"},
		{"GitHub", "userdataUrl https://api.github.com/user"},
		{"OIDC", `did you mean "oidc"?`},
		{"oicd", `did you mean "oidc"?`},
		{"nbgalery", `did you mean "nbgallery"?`},
		{"saml", `unknown provider "saml": use one of nbgallery, oidc, oauth2, none`},
		{"", "unknown provider"},
	}
	for _, tt := range tests {
		wantErr(t, tt.name, CheckProvider(tt.name), tt.want)
	}
}

func TestCheckURLs(t *testing.T) {
	tests := []struct {
		check      func(string) error
		raw, want  string
		checkerFor string
	}{
		{CheckHubURL, "https://hub.example.org", "", "hub"},
		{CheckHubURL, "https://hub.example.org/jupyter/", "", "hub"},
		{CheckHubURL, "http://127.0.0.1:8000", "", "hub"},
		{CheckHubURL, "http://localhost:8000", "", "hub"},
		{CheckHubURL, "http://[::1]:8000", "", "hub"},
		{CheckHubURL, "http://hub.example.org", "uses http on a host other than loopback; OAuth codes and cookies would cross the network in clear: use https://hub.example.org", "hub"},
		{CheckHubURL, "hub.example.org", `"hub.example.org" is not an absolute http(s) URL; did you mean "https://hub.example.org"?`, "hub"},
		{CheckHubURL, "localhost:8000", `did you mean "https://localhost:8000"?`, "hub"},
		{CheckHubURL, "ftp://hub.example.org", "is not an absolute http(s) URL: write it in full", "hub"},
		{CheckHubURL, "/jupyter", "is not an absolute http(s) URL", "hub"},
		{CheckHubURL, "https://hub.example.org:99999", "port 99999 is out of range 1-65535", "hub"},
		{CheckHubURL, "https://hub.example.org/?x=1", "has a query", "hub"},
		{CheckHubURL, "https://hub.example.org/#top", "has a fragment", "hub"},
		{CheckHubURL, "https://alice:pw@hub.example.org", "carries credentials", "hub"},
		{CheckHubURL, "https://hub example.org", "is not a URL", "hub"},
		{CheckHubURL, "", "a URL is required", "hub"},
		{CheckProviderURL, "https://id.example.org/realms/hub", "", "provider"},
		{CheckProviderURL, "http://id.example.org", "uses http on a host other than loopback", "provider"},
		{CheckProviderURL, "http://127.0.0.1:4444", "", "provider"},
		{checkServiceURL, "http://nbviewer:8080", "", "service"},
		{checkServiceURL, "http://nbviewer:8080/", "", "service"},
		{checkServiceURL, "http://nbviewer:8080/viewer", "the hub's proxy ignores", "service"},
		{checkServiceURL, "nbviewer:8080", `did you mean "http://nbviewer:8080"?`, "service"},
	}
	for _, tt := range tests {
		err := tt.check(tt.raw)
		wantErr(t, tt.checkerFor+" "+tt.raw, err, tt.want)
		if err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("%s: the error repeats the password: %v", tt.raw, err)
		}
	}
}

func TestParseService(t *testing.T) {
	tests := []struct {
		arg  string
		want Service
		err  string
	}{
		{arg: "nbviewer=http://nbviewer:8080", want: Service{"nbviewer", "http://nbviewer:8080"}},
		{arg: "grader", want: Service{Name: "grader"}},
		{arg: "my-svc_1.x", want: Service{Name: "my-svc_1.x"}},
		{arg: "9lives", want: Service{Name: "9lives"}},
		{arg: "NBViewer=http://nbviewer:8080", err: `service name "NBViewer" has uppercase letters: a service name has lowercase letters, digits, '-', '_' and '.', and starts with a letter or digit; did you mean "nbviewer"?`},
		{arg: "nb/viewer", err: "contains '/'"},
		{arg: "-svc", err: `invalid service name "-svc"`},
		{arg: "nb viewer", err: `invalid service name "nb viewer"`},
		{arg: "=http://x:80", err: "the service has no name"},
		{arg: "nbviewer=", err: "service nbviewer: a URL is required"},
		{arg: "nbviewer=nbviewer:8080", err: `did you mean "http://nbviewer:8080"?`},
		{arg: "nbviewer=http://nbviewer:8080/x", err: "give http://nbviewer:8080; or give NAME alone for an API-only service"},
	}
	for _, tt := range tests {
		got, err := ParseService(tt.arg)
		wantErr(t, tt.arg, err, tt.err)
		if tt.err == "" && got != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.arg, got, tt.want)
		}
	}
}

func TestCheckServices(t *testing.T) {
	tests := []struct {
		names []string
		want  string
	}{
		{[]string{"nbviewer", "grader"}, ""},
		{[]string{"nbviewer", "grader", "nbviewer"}, "service nbviewer is given twice"},
		{[]string{"a-b", "a_b"}, "services a-b and a_b would share the token variable A_B_API_TOKEN"},
	}
	for _, tt := range tests {
		var services []Service
		for _, n := range tt.names {
			services = append(services, Service{Name: n})
		}
		wantErr(t, strings.Join(tt.names, ","), CheckServices(services), tt.want)
	}
}

func TestSchemaURL(t *testing.T) {
	const prefix, suffix = "https://raw.githubusercontent.com/hubctl/hubctl/", "/pkg/schema/hubctl.schema.json"
	tests := []struct{ version, ref string }{
		{"1.2.3", "v1.2.3"}, // goreleaser's .Version has no v
		{"v1.2.3", "v1.2.3"},
		{"v1.3.0-rc.1", "v1.3.0-rc.1"},
		{"dev", "main"},
		{"", "main"},
		{"v0.0.0-20250101120000-abcdef123456", "main"}, // a Go pseudo-version is no tag
		{"v1.2.4-0.20250101120000-abcdef123456", "main"},
		{"v1.2.3+dirty", "main"},
	}
	for _, tt := range tests {
		if got := SchemaURL(tt.version); got != prefix+tt.ref+suffix {
			t.Errorf("SchemaURL(%q) = %s, want ref %s", tt.version, got, tt.ref)
		}
	}
}

// parse renders o and runs validate over it.
func parse(t *testing.T, o Options) (string, *spec.Spec, finding.List) {
	t.Helper()
	data, err := Spec(o)
	if err != nil {
		t.Fatal(err)
	}
	s, doc, findings := spec.Parse("hubctl.yaml", ".", data)
	if len(findings) > 0 || doc == nil {
		t.Fatalf("the scaffold does not parse: %v\n%s", findings, data)
	}
	return string(data), s, validate.Spec(s, doc)
}

func TestSpecValidatesAsWritten(t *testing.T) {
	services := []Service{{"nbviewer", "http://nbviewer:8080"}, {"grader", ""}, {"null", "http://null:80"}, {"yes", ""}}
	tests := []struct {
		name string
		o    Options
	}{
		{"nbgallery", Options{Provider: "nbgallery", ProviderURL: "https://gallery.example.org/", HubURL: "https://hub.example.org", ClientID: "3c1e0e4b", Services: services}},
		{"oidc", Options{Provider: "oidc", ProviderURL: "https://id.example.org/realms/hub", HubURL: "https://hub.example.org/jupyter", ClientID: "jupyterhub", Services: services}},
		{"oauth2", Options{Provider: "oauth2", ProviderURL: "https://oauth.example.org", HubURL: "https://hub.example.org", ClientID: "yes", Services: services}},
		{"no login", Options{Provider: ProviderNone, HubURL: "https://hub.example.org", Services: services}},
		{"no login, API-only", Options{Provider: ProviderNone, HubURL: "http://127.0.0.1:8000", Services: []Service{{Name: "grader"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, s, findings := parse(t, tt.o)
			if len(findings) > 0 {
				t.Errorf("findings:\n%v\n%s", findings, text)
			}
			if (s.Login != nil) != (tt.o.Provider != ProviderNone) {
				t.Errorf("login block present: %v, for provider %s", s.Login != nil, tt.o.Provider)
			}
			if len(s.Services) != len(tt.o.Services) {
				t.Fatalf("services %v, want %v", s.Services.Names(), tt.o.Services)
			}
			for i, want := range tt.o.Services {
				if got := s.Services[i]; got.Name != want.Name || got.URL != want.URL || !got.APIToken.IsSet() {
					t.Errorf("service %d: %+v, want %+v with a token", i, got, want)
				}
			}
			if !strings.HasPrefix(text, "# yaml-language-server: $schema=https://raw.githubusercontent.com/hubctl/hubctl/main/pkg/schema/hubctl.schema.json\n") ||
				!strings.Contains(text, "hubctl schema -o hubctl.schema.json") {
				t.Errorf("no schema line first:\n%s", text)
			}
		})
	}
}

func TestSpecAPIOnlyService(t *testing.T) {
	text, s, _ := parse(t, Options{Provider: ProviderNone, HubURL: "https://hub.example.org", Services: []Service{{Name: "grader"}}})
	svc := s.Services[0]
	if svc.URL != "" || svc.OAuthEnabled() || svc.Access != nil || svc.APIToken.Env != "GRADER_API_TOKEN" {
		t.Errorf("API-only service: %+v", svc)
	}
	if !strings.Contains(text, "    # scopes: [") {
		t.Errorf("no commented scopes line:\n%s", text)
	}
}

func TestSpecPlaceholderClientID(t *testing.T) {
	text, _, findings := parse(t, Options{Provider: "oidc", ProviderURL: "https://id.example.org", HubURL: "https://hub.example.org"})
	if len(findings) != 1 || findings[0].ID != "placeholder" || findings[0].Path != "login.clientId" || findings[0].Severity != finding.Error {
		t.Errorf("want one placeholder error at login.clientId, got %v", findings)
	}
	if !strings.Contains(text, "clientId: CHANGE-ME\n") || !strings.Contains(text, "# Replace CHANGE-ME with the client id") {
		t.Errorf("no commented placeholder:\n%s", text)
	}
	if text, _, _ := parse(t, Options{Provider: "oidc", ProviderURL: "https://id.example.org", HubURL: "https://hub.example.org", ClientID: "hub"}); strings.Contains(text, "CHANGE-ME") {
		t.Errorf("a given client id still mentions the placeholder:\n%s", text)
	}
}

// TestSpecOIDCEndpoints checks that the commented endpoints, once filled
// in, are exactly what skips discovery.
func TestSpecOIDCEndpoints(t *testing.T) {
	data, err := Spec(Options{Provider: "oidc", ProviderURL: "https://id.example.org/realms/hub", HubURL: "https://hub.example.org", ClientID: "hub", Version: "v2.0.0"})
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	if !strings.Contains(text, "Giving all three endpoints skips discovery") || !strings.Contains(text, "https://id.example.org/realms/hub/.well-known/openid-configuration") {
		t.Errorf("no comment on skipping discovery:\n%s", text)
	}
	if !strings.HasPrefix(text, "# yaml-language-server: $schema=https://raw.githubusercontent.com/hubctl/hubctl/v2.0.0/") {
		t.Errorf("schema line does not name the release: %s", strings.SplitN(text, "\n", 2)[0])
	}
	filled := text
	for _, r := range []struct{ comment, value string }{
		{"# authorizeUrl: <authorization_endpoint>", "authorizeUrl: https://id.example.org/auth"},
		{"# tokenUrl: <token_endpoint>", "tokenUrl: https://id.example.org/token"},
		{"# userdataUrl: <userinfo_endpoint>", "userdataUrl: https://id.example.org/userinfo"},
	} {
		if !strings.Contains(filled, r.comment) {
			t.Fatalf("no %q:\n%s", r.comment, text)
		}
		filled = strings.Replace(filled, r.comment, r.value, 1)
	}
	s, doc, findings := spec.Parse("hubctl.yaml", ".", []byte(filled))
	if len(findings) > 0 {
		t.Fatalf("filled in, it does not parse: %v", findings)
	}
	if vf := validate.Spec(s, doc); len(vf) > 0 {
		t.Errorf("filled in, it does not validate: %v", vf)
	}
	if provider.NeedsDiscovery(s.Login) {
		t.Errorf("filled in, it still needs discovery: %v", provider.DiscoveredKeys(s.Login))
	}
}

func TestSpecRefusesUnknownProvider(t *testing.T) {
	if _, err := Spec(Options{Provider: "keycloak", HubURL: "https://hub.example.org"}); err == nil || !strings.Contains(err.Error(), "use --provider oidc") {
		t.Errorf("Spec wrote an unknown provider: %v", err)
	}
}
