// Package scaffold writes a new, commented hubctl.yaml from a few answers
// (provider, URLs, services), valid as written.
package scaffold

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"text/template"

	"github.com/hubctl/hubctl/pkg/jupyterhub"
	"github.com/hubctl/hubctl/pkg/spec"
)

// Service is a --service NAME=URL answer.
type Service struct {
	Name string
	URL  string
}

// Options are the answers a spec is made from.
type Options struct {
	Provider    string
	ProviderURL string
	HubURL      string
	ClientID    string
	Services    []Service
}

// PlaceholderClientID marks a client id the user still has to fill in.
const PlaceholderClientID = "CHANGE-ME"

// ParseService reads NAME=URL.
func ParseService(arg string) (Service, error) {
	name, url, ok := strings.Cut(arg, "=")
	if !ok || name == "" || url == "" {
		return Service{}, fmt.Errorf("--service %q: expected NAME=URL, such as nbviewer=http://nbviewer:8080", arg)
	}
	return Service{Name: name, URL: url}, nil
}

// Spec renders the spec text.
func Spec(o Options) ([]byte, error) {
	if o.ClientID == "" {
		o.ClientID = PlaceholderClientID
	}
	hub := spec.Hub{URL: o.HubURL}
	data := map[string]any{
		"O":          o,
		"Callback":   hub.LoginCallbackURL(),
		"JupyterHub": jupyterhub.Default.String(),
		"Base":       strings.TrimSuffix(o.ProviderURL, "/"),
	}
	var buf bytes.Buffer
	if err := specTemplate.Execute(&buf, data); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

var plainScalar = regexp.MustCompile(`^[A-Za-z0-9][-A-Za-z0-9_./:@=+%~]*$`)

// scalar writes a YAML scalar, quoted when a plain one would be read as
// something else.
func scalar(s string) string {
	if plainScalar.MatchString(s) && !strings.Contains(s, ": ") && !reservedPlain[strings.ToLower(s)] {
		return s
	}
	b, _ := json.Marshal(s)
	return string(b)
}

var reservedPlain = map[string]bool{"true": true, "false": true, "yes": true, "no": true, "on": true, "off": true, "null": true, "~": true}

var specTemplate = template.Must(template.New("spec").Funcs(template.FuncMap{"q": scalar, "env": spec.TokenEnvName}).Parse(`# hubctl.yaml: a JupyterHub's OAuth login and its services, in one file.
# Check it with "hubctl validate"; the README documents every key, and
# "hubctl schema" prints a JSON Schema for editors.
version: 1

hub:
  # The hub's public URL: the origin plus an optional base path.
  url: {{q .O.HubURL}}
  # Where services reach the hub's API; defaults to the public URL's /hub/api.
  # apiUrl: http://hub:8081/hub/api
  # The JupyterHub version the hub runs: it decides which keys and scopes exist.
  jupyterhub: "{{.JupyterHub}}"

login:
  provider: {{.O.Provider}}
{{- if eq .O.Provider "nbgallery"}}
  # NBGallery's base URL; it serves /oauth/authorize, /oauth/token and /oauth/userinfo.
  url: {{q .O.ProviderURL}}
  # Register the hub in NBGallery (Admin > Manage OAuth Applications) with the
  # redirect URI {{.Callback}}, Confidential checked, scope "read";
  # put the application's UID here and its secret in $OAUTH_CLIENT_SECRET.
{{- else if eq .O.Provider "oidc"}}
  # The issuer: hubctl reads the endpoints from its discovery document.
  url: {{q .O.ProviderURL}}
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
  clientId: {{q .O.ClientID}}
  clientSecret: {env: OAUTH_CLIENT_SECRET}
  # To trust a private CA rather than switch certificate checks off:
  # caFile: ./provider-ca.pem
  # Who may log in. OAuthenticator 16 and later admits nobody without this;
  # alternatives: {users: [alice, bob]} or {groups: [staff], groupsClaim: groups}.
  allow:
    all: true
  # admins: [alice]
{{- if .O.Services}}

services:
{{- range .O.Services}}
  {{.Name}}:
    url: {{q .URL}}
    # Who may use the service through the hub's OAuth: all, or {users: [...]} / {groups: [...]}.
    access: all
    # The service's token, also its OAuth client secret: at least 8 characters,
    # for instance: export {{env .Name}}=$(openssl rand -hex 32)
    apiToken: {env: {{env .Name}}}
    # The hub API permissions the service itself needs, if any:
    # scopes: [list:users, read:users:activity]
{{- end}}
{{- end}}
`))
