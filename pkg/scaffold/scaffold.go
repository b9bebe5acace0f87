// Package scaffold writes a new, commented hubctl.yaml from a few answers
// (provider, URLs, services), valid as written, and checks those answers
// first so that a bad one is refused with a reason instead of written.
package scaffold

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/template"

	"github.com/hubctl/hubctl/pkg/jupyterhub"
	"github.com/hubctl/hubctl/pkg/lazyre"
	"github.com/hubctl/hubctl/pkg/spec"
	"github.com/hubctl/hubctl/pkg/validate"
)

// Service is a --service NAME=URL answer; an empty URL is an API-only
// service (a script using the hub's API, with no OAuth and no proxy route).
type Service struct {
	Name string
	URL  string
}

// Options are the answers a spec is made from.
type Options struct {
	// Provider is one of Providers; ProviderNone writes no login block.
	Provider    string
	ProviderURL string
	HubURL      string
	// ClientID empty writes PlaceholderClientID.
	ClientID string
	Services []Service
	// Version is hubctl's version, which picks the published schema the
	// editor line points at.
	Version string
}

// PlaceholderClientID marks a client id the user still has to fill in;
// validate reports it as an error until then.
const PlaceholderClientID = "CHANGE-ME"

// ProviderNone is init's answer for a hub without hubctl's OAuth login, only
// services: the spec gets no login block.
const ProviderNone = "none"

// Providers are the answers init takes for --provider.
var Providers = append(slices.Clone(spec.Providers), ProviderNone)

// otherProviders maps products people name to the kind hubctl configures
// them as, so `--provider keycloak` gets an answer rather than a list.
var otherProviders = map[string]struct{ product, kind string }{
	"keycloak":  {"Keycloak", spec.ProviderOIDC},
	"hydra":     {"Ory Hydra", spec.ProviderOIDC},
	"ory":       {"Ory Hydra", spec.ProviderOIDC},
	"dex":       {"Dex", spec.ProviderOIDC},
	"okta":      {"Okta", spec.ProviderOIDC},
	"auth0":     {"Auth0", spec.ProviderOIDC},
	"zitadel":   {"ZITADEL", spec.ProviderOIDC},
	"authentik": {"authentik", spec.ProviderOIDC},
	"google":    {"Google", spec.ProviderOIDC},
	"gitlab":    {"GitLab", spec.ProviderOIDC},
	"entra":     {"Microsoft Entra ID", spec.ProviderOIDC},
	"entra-id":  {"Microsoft Entra ID", spec.ProviderOIDC},
	"entraid":   {"Microsoft Entra ID", spec.ProviderOIDC},
	"azure":     {"Microsoft Entra ID", spec.ProviderOIDC},
	"azuread":   {"Microsoft Entra ID", spec.ProviderOIDC},
	"azure-ad":  {"Microsoft Entra ID", spec.ProviderOIDC},
	"openid":    {"OpenID Connect", spec.ProviderOIDC},
	// NBGallery's OAuth server is Doorkeeper, with its paths and scopes.
	"doorkeeper": {"Doorkeeper", spec.ProviderNBGallery},
	"github":     {"GitHub", spec.ProviderOAuth2},
	"oauth":      {"Plain OAuth", spec.ProviderOAuth2},
}

// gitHubEndpoints says what a GitHub login needs beyond init's template,
// which guesses Doorkeeper-style paths for oauth2.
const gitHubEndpoints = "then set authorizeUrl https://github.com/login/oauth/authorize, tokenUrl https://github.com/login/oauth/access_token, userdataUrl https://api.github.com/user and usernameClaim login"

// CheckProvider accepts one of Providers and explains anything else.
func CheckProvider(name string) error {
	if slices.Contains(Providers, name) {
		return nil
	}
	if other, ok := otherProviders[strings.ToLower(name)]; ok {
		switch other.kind {
		case spec.ProviderOIDC:
			return fmt.Errorf("%s is OIDC: use --provider oidc with its issuer URL as --provider-url", other.product)
		case spec.ProviderNBGallery:
			return fmt.Errorf("%s is NBGallery's OAuth server: use --provider nbgallery (for another Doorkeeper application, --provider oauth2)", other.product)
		case spec.ProviderOAuth2:
			if other.product == "GitHub" {
				return fmt.Errorf("GitHub is plain OAuth2, without OIDC discovery: use --provider oauth2 with --provider-url https://github.com, %s", gitHubEndpoints)
			}
			return fmt.Errorf("%s is OAuth2 without discovery: use --provider oauth2", other.product)
		}
	}
	known := strings.Join(Providers, ", ")
	if s := jupyterhub.Closest(strings.ToLower(name), Providers); s != "" {
		return fmt.Errorf("unknown provider %q; did you mean %q? (one of %s)", name, s, known)
	}
	return fmt.Errorf("unknown provider %q: use one of %s (an OpenID Connect provider such as Keycloak is oidc)", name, known)
}

// CheckHubURL accepts the hub's public URL: absolute http(s), https unless
// the host is loopback, since OAuth codes and cookies travel through it.
func CheckHubURL(raw string) error {
	u, err := absoluteURL(raw, "https", "https://hub.example.org")
	if err != nil {
		return err
	}
	if u.RawQuery != "" {
		return fmt.Errorf("%s has a query; the hub URL is its origin plus, if the hub is not at /, its base path", raw)
	}
	return httpsOffLoopback(raw, u)
}

// CheckProviderURL accepts the provider's base URL or issuer. The browser
// is sent to the provider's authorize endpoint under it, so it needs https
// as the hub does.
func CheckProviderURL(raw string) error {
	u, err := absoluteURL(raw, "https", "https://id.example.org/realms/hub")
	if err != nil {
		return err
	}
	if u.RawQuery != "" {
		return fmt.Errorf("%s has a query; give the provider's base URL or OIDC issuer", raw)
	}
	return httpsOffLoopback(raw, u)
}

// checkServiceURL accepts where the hub's proxy reaches a service: plain
// http is usual inside a cluster, but only the origin counts.
func checkServiceURL(raw string) error {
	u, err := absoluteURL(raw, "http", "http://nbviewer:8080")
	if err != nil {
		return err
	}
	if strings.Trim(u.Path, "/") != "" || u.RawQuery != "" {
		return fmt.Errorf("%s has a path or query, which the hub's proxy ignores (it sends /services/NAME/ to the host and port): give %s://%s", raw, u.Scheme, u.Host)
	}
	return nil
}

// absoluteURL parses raw as an absolute http(s) URL with a host, a valid
// port, and neither credentials nor a fragment. A bare host gets a
// did-you-mean with scheme in front.
func absoluteURL(raw, scheme, example string) (*url.URL, error) {
	if raw == "" {
		return nil, fmt.Errorf("a URL is required, such as %s", example)
	}
	u, err := url.Parse(raw)
	if err != nil {
		if ue, ok := err.(*url.Error); ok {
			err = ue.Err
		}
		return nil, fmt.Errorf("%q is not a URL: %v", raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		if guess, err := url.Parse(scheme + "://" + raw); !strings.Contains(raw, "://") && err == nil && guess.Hostname() != "" {
			return nil, fmt.Errorf("%q is not an absolute http(s) URL; did you mean %q?", raw, guess.String())
		}
		return nil, fmt.Errorf("%q is not an absolute http(s) URL: write it in full, such as %s", raw, example)
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("%s: port %s is out of range 1-65535", raw, port)
		}
	}
	if u.User != nil {
		return nil, fmt.Errorf("%s carries credentials; the spec references secrets instead", u.Redacted())
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return nil, fmt.Errorf("%s has a fragment, which OAuth URLs must not have", raw)
	}
	return u, nil
}

func httpsOffLoopback(raw string, u *url.URL) error {
	if u.Scheme == "http" && !validate.IsLoopback(u.Hostname()) {
		secure := *u
		secure.Scheme = "https"
		return fmt.Errorf("%s uses http on a host other than loopback; OAuth codes and cookies would cross the network in clear: use %s", raw, secure.String())
	}
	return nil
}

// CheckServiceName accepts a name hubctl and JupyterHub can both use.
func CheckServiceName(name string) error {
	if name == "" {
		return fmt.Errorf("the service has no name: %s", validate.ServiceNameRule)
	}
	if problem := validate.ServiceNameProblem(name); problem != "" {
		return fmt.Errorf("%s", problem)
	}
	return nil
}

// ParseService reads NAME=URL, or NAME alone for an API-only service.
func ParseService(arg string) (Service, error) {
	name, rawURL, hasURL := strings.Cut(arg, "=")
	if err := CheckServiceName(name); err != nil {
		return Service{}, err
	}
	if !hasURL {
		return Service{Name: name}, nil
	}
	if err := checkServiceURL(rawURL); err != nil {
		return Service{}, fmt.Errorf("service %s: %w; or give NAME alone for an API-only service", name, err)
	}
	return Service{Name: name, URL: rawURL}, nil
}

// CheckServices reports a name given twice, and names that differ only in
// punctuation, which would share a token variable.
func CheckServices(services []Service) error {
	byEnv := map[string]string{}
	for _, s := range services {
		env := spec.TokenEnvName(s.Name)
		switch other, seen := byEnv[env]; {
		case seen && other == s.Name:
			return fmt.Errorf("service %s is given twice; each service needs its own name", s.Name)
		case seen:
			return fmt.Errorf("services %s and %s would share the token variable %s: rename one", other, s.Name, env)
		}
		byEnv[env] = s.Name
	}
	return nil
}

// schemaRepo is where hubctl's schema is published, one copy per tag.
const schemaRepo = "https://raw.githubusercontent.com/hubctl/hubctl/"

// releaseVersion is a release's version, with or without the tag's v: not
// "dev", and not a Go pseudo-version such as v0.0.0-20250101120000-abcdef.
var releaseVersion = lazyre.New(`^v?([0-9]+\.[0-9]+\.[0-9]+(-(alpha|beta|rc)[.0-9]*)?)$`)

// SchemaURL is the JSON Schema published for this hubctl version: the
// release tag's copy, or main's for a build that is not a release.
func SchemaURL(version string) string {
	ref := "main"
	if m := releaseVersion().FindStringSubmatch(version); m != nil {
		ref = "v" + m[1]
	}
	return schemaRepo + ref + "/pkg/schema/hubctl.schema.json"
}

// Spec renders the spec text. The answers should have passed the checks
// above; Spec itself only refuses what it cannot write.
func Spec(o Options) ([]byte, error) {
	if !slices.Contains(Providers, o.Provider) {
		return nil, CheckProvider(o.Provider)
	}
	if o.ClientID == "" {
		o.ClientID = PlaceholderClientID
	}
	hub := spec.Hub{URL: o.HubURL}
	data := map[string]any{
		"O":           o,
		"Login":       o.Provider != ProviderNone,
		"Placeholder": o.ClientID == PlaceholderClientID,
		"Callback":    hub.LoginCallbackURL(),
		"JupyterHub":  jupyterhub.Default.String(),
		"Base":        strings.TrimSuffix(o.ProviderURL, "/"),
		"SchemaURL":   SchemaURL(o.Version),
	}
	var buf bytes.Buffer
	if err := specTemplate().Execute(&buf, data); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

var plainScalar = lazyre.New(`^[A-Za-z0-9][-A-Za-z0-9_./:@=+%~]*$`)

// scalar writes a YAML scalar, quoted when a plain one would be read as
// something else.
func scalar(s string) string {
	if plainScalar().MatchString(s) && !strings.Contains(s, ": ") && !reservedPlain[strings.ToLower(s)] {
		return s
	}
	b, _ := json.Marshal(s)
	return string(b)
}

var reservedPlain = map[string]bool{"true": true, "false": true, "yes": true, "no": true, "on": true, "off": true, "null": true, "~": true}

// specTemplate is parsed on first use: only init runs it.
var specTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("spec").Funcs(template.FuncMap{"q": scalar, "env": spec.TokenEnvName}).Parse(specText))
})

const specText = `# yaml-language-server: $schema={{.SchemaURL}}
# For a local copy of the schema, run "hubctl schema -o hubctl.schema.json"
# and point the line above at ./hubctl.schema.json.
#
# hubctl.yaml: a JupyterHub's OAuth login and its services, in one file.
# Check it with "hubctl validate"; the README documents every key.
version: 1

hub:
  # The hub's public URL: the origin plus an optional base path.
  url: {{q .O.HubURL}}
  # Where services reach the hub's API; defaults to the public URL's /hub/api.
  # apiUrl: http://hub:8081/hub/api
  # The JupyterHub version the hub runs: it decides which keys and scopes exist.
  jupyterhub: "{{.JupyterHub}}"
{{- if not .Login}}

# No login block: hubctl leaves the hub's authenticator to the rest of the
# deployment. "hubctl init --provider oidc ..." writes one for an OAuth login.
{{- else}}

login:
  provider: {{.O.Provider}}
{{- if eq .O.Provider "nbgallery"}}
  # NBGallery's base URL; it serves /oauth/authorize, /oauth/token and /oauth/userinfo.
  url: {{q .O.ProviderURL}}
  # Register the hub in NBGallery (Admin > Manage OAuth Applications) with the
  # redirect URI {{.Callback}}, Confidential checked, scope "read";
  # put the application's UID here and its secret in $OAUTH_CLIENT_SECRET.
{{- else if eq .O.Provider "oidc"}}
  # The issuer: hubctl reads the endpoints from its discovery document,
  # {{.Base}}/.well-known/openid-configuration
  url: {{q .O.ProviderURL}}
  # Giving all three endpoints skips discovery, so render works where the
  # issuer cannot be reached; copy them from the discovery document:
  # authorizeUrl: <authorization_endpoint>
  # tokenUrl: <token_endpoint>
  # userdataUrl: <userinfo_endpoint>
  # Register a confidential client with the redirect URI
  # {{.Callback}}
  # and put its secret in $OAUTH_CLIENT_SECRET.
  usernameClaim: preferred_username
{{- else}}
  # A plain OAuth2 provider has no discovery: check these three endpoints.
  authorizeUrl: {{q (print .Base "/oauth/authorize")}}
  tokenUrl: {{q (print .Base "/oauth/token")}}
  userdataUrl: {{q (print .Base "/oauth/userinfo")}}
  # The userinfo field that names the user.
  usernameClaim: username
  # Register the redirect URI {{.Callback}} at the provider.
{{- end}}
{{- if .Placeholder}}
  # Replace CHANGE-ME with the client id the provider issued for the hub;
  # "hubctl validate" reports it as an error until then.
{{- end}}
  clientId: {{q .O.ClientID}}
  clientSecret: {env: OAUTH_CLIENT_SECRET}
  # To trust a private CA rather than switch certificate checks off:
  # caFile: ./provider-ca.pem
  # Who may log in. OAuthenticator 16 and later admits nobody without this;
  # alternatives: {users: [alice, bob]} or {groups: [staff], groupsClaim: groups}.
  allow:
    all: true
  # admins: [alice]
{{- end}}
{{- if .O.Services}}

services:
{{- range .O.Services}}
  {{q .Name}}:
{{- if .URL}}
    url: {{q .URL}}
    # Who may use the service through the hub's OAuth: all, or {users: [...]} / {groups: [...]}.
    access: all
    # The service's token, also its OAuth client secret: at least 8 characters,
    # for instance: export {{env .Name}}=$(openssl rand -hex 32)
    apiToken: {env: {{env .Name}}}
    # The hub API permissions the service itself needs, if any:
    # scopes: [list:users, read:users:activity]
{{- else}}
    # No url: an API-only service (a script or job that calls the hub's API),
    # with no OAuth and no route through the hub's proxy.
    # Its token: at least 8 characters, for instance:
    # export {{env .Name}}=$(openssl rand -hex 32)
    apiToken: {env: {{env .Name}}}
    # The hub API permissions it needs, for instance:
    # scopes: [list:users, read:users:activity]
{{- end}}
{{- end}}
{{- end}}
`
