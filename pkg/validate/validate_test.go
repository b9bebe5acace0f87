package validate_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/golden"
	"github.com/hubctl/hubctl/pkg/schema"
	"github.com/hubctl/hubctl/pkg/secret"
	"github.com/hubctl/hubctl/pkg/spec"
	"github.com/hubctl/hubctl/pkg/validate"
)

// blocks compose a spec; each case replaces the ones it is about.
type blocks struct {
	top, hub, login, services, roles string
}

var base = blocks{
	top: "version: 1\n",
	hub: `hub:
  url: https://hub.example.org
`,
	login: `login:
  provider: nbgallery
  url: https://gallery.example.org
  clientId: abc
  clientSecret: {env: OAUTH_CLIENT_SECRET}
  allow: {all: true}
`,
	services: `services:
  nbviewer:
    url: http://nbviewer:8080
    access: all
    apiToken: {env: NBVIEWER_API_TOKEN}
`,
}

func (b blocks) text() string { return b.top + b.hub + b.login + b.services + b.roles }

func with(f func(*blocks)) string {
	b := base
	f(&b)
	return b.text()
}

// check loads and validates text as the CLI does.
func check(t *testing.T, text string) finding.List {
	t.Helper()
	s, doc, findings := spec.Parse("hubctl.yaml", ".", []byte(text))
	if s != nil {
		findings = append(findings, validate.Spec(s, doc)...)
	}
	return findings
}

func ids(l finding.List) []string {
	var out []string
	for _, f := range l {
		out = append(out, f.ID+"@"+f.Path)
	}
	return out
}

func TestBaseSpecIsClean(t *testing.T) {
	if got := check(t, base.text()); len(got) != 0 {
		t.Fatalf("base spec has findings: %v", got)
	}
}

type ruleCase struct {
	name string
	spec string
	// id and path of the expected finding; an empty id means the spec
	// must produce no finding at all.
	id, path string
	severity finding.Severity
	// line and column, when non-zero, pin the position.
	line, col int
	// contains must appear in the message, hint in the hint.
	contains, hint string
	// absent are IDs that must not be reported at all, such as a second
	// finding about the same mistake.
	absent []string
}

var ruleCases = []ruleCase{
	// Loading.
	{name: "yaml syntax", spec: "version: 1\nhub: [\n", id: "yaml-syntax", line: 2, severity: finding.Error},
	{name: "empty file", spec: "", id: "empty-file", severity: finding.Error},
	{name: "chart values", spec: "# config.yaml\nproxy:\n  secretToken: x\nhub:\n  config:\n    JupyterHub: {}\n", id: "chart-values",
		line: 2, col: 1, contains: "chart values (it has proxy)", hint: "hubctl lint hubctl.yaml", severity: finding.Error},
	{name: "legacy auth block", spec: "hub:\n  extraEnv: {A: b}\nauth:\n  type: custom\n", id: "chart-values",
		line: 2, col: 3, contains: "it has extraEnv", hint: "hubctl import", severity: finding.Error},
	{name: "two documents", spec: base.text() + "---\nversion: 1\n", id: "multiple-documents", severity: finding.Error},
	{name: "duplicate key", spec: with(func(b *blocks) { b.hub += "  url: https://other.example.org\n" }),
		id: "duplicate-key", path: "hub.url", line: 4, col: 3, contains: `key "url" is already set at line 3, column 3`, severity: finding.Error},
	{name: "removed key", spec: with(func(b *blocks) { b.login += "  userdata_method: GET\n" }),
		id: "removed-key", path: "login.userdata_method", line: 10, col: 3, contains: "userdata_method was removed in OAuthenticator 14.0: delete it", severity: finding.Error},
	{name: "unknown key with suggestion", spec: with(func(b *blocks) {
		b.login = strings.Replace(b.login, "clientSecret:", "clientSecert:", 1)
	}), id: "unknown-key", path: "login.clientSecert", line: 8, col: 3, contains: `did you mean "clientSecret"?`, severity: finding.Error},
	{name: "unknown top-level key", spec: base.text() + "auth:\n  type: custom\n", id: "unknown-key", path: "auth", severity: finding.Error},
	{name: "wrong type", spec: with(func(b *blocks) {
		b.login = strings.Replace(b.login, "allow: {all: true}", "allow: {all: yes please}", 1)
	}),
		id: "wrong-type", path: "login.allow.all", contains: "expected true or false", severity: finding.Error},
	{name: "list expected", spec: with(func(b *blocks) { b.login += "  scopes: read\n" }), id: "wrong-type", path: "login.scopes", severity: finding.Error},
	{name: "ambiguous secret", spec: with(func(b *blocks) {
		b.login = strings.Replace(b.login, "{env: OAUTH_CLIENT_SECRET}", "{env: A, file: b}", 1)
	}), id: "ambiguous-secret", path: "login.clientSecret", severity: finding.Error},
	{name: "access word", spec: with(func(b *blocks) { b.services = strings.Replace(b.services, "access: all", "access: everyone", 1) }),
		id: "wrong-type", path: "services.nbviewer.access", severity: finding.Error},

	// Top level and hub.
	{name: "missing version", spec: with(func(b *blocks) { b.top = "" }), id: "missing-key", path: "version", severity: finding.Error},
	{name: "version 2", spec: with(func(b *blocks) { b.top = "version: 2\n" }), id: "unsupported-version", path: "version", severity: finding.Error},
	{name: "missing hub url", spec: with(func(b *blocks) { b.hub = "hub:\n  jupyterhub: \"5.5\"\n" }), id: "missing-key", path: "hub.url", severity: finding.Error},
	{name: "unreadable jupyterhub version", spec: with(func(b *blocks) { b.hub += "  jupyterhub: latest\n" }), id: "jupyterhub-version", path: "hub.jupyterhub", severity: finding.Error},
	{name: "old jupyterhub", spec: with(func(b *blocks) { b.hub += "  jupyterhub: \"3.1\"\n" }), id: "jupyterhub-version", severity: finding.Error},
	{name: "future jupyterhub", spec: with(func(b *blocks) { b.hub += "  jupyterhub: \"7.0\"\n" }), id: "jupyterhub-version", severity: finding.Warning},
	{name: "unquoted version reads as text", spec: with(func(b *blocks) { b.hub += "  jupyterhub: 6.1\n" }), id: ""},
	{name: "relative hub url", spec: with(func(b *blocks) { b.hub = "hub:\n  url: hub.example.org\n" }), id: "bad-url", path: "hub.url", severity: finding.Error},
	{name: "ftp hub url", spec: with(func(b *blocks) { b.hub = "hub:\n  url: ftp://hub.example.org\n" }), id: "bad-url", severity: finding.Error},
	{name: "hub url with query", spec: with(func(b *blocks) { b.hub = "hub:\n  url: https://hub.example.org/?x=1\n" }), id: "bad-url", severity: finding.Error},
	{name: "hub url with fragment", spec: with(func(b *blocks) { b.hub = "hub:\n  url: https://hub.example.org/#top\n" }), id: "bad-url", severity: finding.Error},
	{name: "hub url with credentials", spec: with(func(b *blocks) { b.hub = "hub:\n  url: https://me:pw@hub.example.org\n" }), id: "bad-url", severity: finding.Error},
	{name: "http hub", spec: with(func(b *blocks) { b.hub = "hub:\n  url: http://hub.example.org\n" }), id: "insecure-url", path: "hub.url", severity: finding.Error},
	{name: "http loopback hub is fine", spec: with(func(b *blocks) {
		b.hub = "hub:\n  url: http://127.0.0.1:8000\n"
		b.login = strings.Replace(b.login, "nbgallery", "oidc", 1) + "  scopes: [openid]\n"
	}), id: ""},
	{name: "base path hub is fine", spec: with(func(b *blocks) { b.hub = "hub:\n  url: https://example.org/jupyter/\n" }), id: ""},
	{name: "api url path", spec: with(func(b *blocks) { b.hub += "  apiUrl: http://hub:8081/api\n" }),
		id: "api-url-path", path: "hub.apiUrl", hint: "use http://hub:8081/hub/api", severity: finding.Warning},
	{name: "api url fine", spec: with(func(b *blocks) { b.hub += "  apiUrl: http://hub:8081/hub/api\n" }), id: ""},
	{name: "api url without the base path", spec: with(func(b *blocks) {
		b.hub = "hub:\n  url: https://example.org/jupyter\n  apiUrl: http://hub:8081/hub/api\n"
	}), id: "api-url-path", path: "hub.apiUrl", contains: "/jupyter/hub/api", hint: "use http://hub:8081/jupyter/hub/api", severity: finding.Warning},
	{name: "api url under the base path", spec: with(func(b *blocks) {
		b.hub = "hub:\n  url: https://example.org/jupyter/\n  apiUrl: http://hub:8081/jupyter/hub/api/\n"
	}), id: ""},
	{name: "port too high", spec: with(func(b *blocks) { b.hub = "hub:\n  url: https://hub.example.org:99999\n" }),
		id: "bad-url", path: "hub.url", contains: "port 99999 is out of range 1-65535", severity: finding.Error},
	{name: "port zero", spec: with(func(b *blocks) { b.hub += "  apiUrl: http://hub:0/hub/api\n" }),
		id: "bad-url", path: "hub.apiUrl", contains: "port 0 is out of range", severity: finding.Error},
	{name: "service port too high", spec: with(func(b *blocks) { b.services = strings.Replace(b.services, ":8080", ":70000", 1) }),
		id: "bad-url", path: "services.nbviewer.url", contains: "port 70000 is out of range", severity: finding.Error},
	{name: "highest port is fine", spec: with(func(b *blocks) { b.services = strings.Replace(b.services, ":8080", ":65535", 1) }), id: ""},
	{name: "idn hub is fine", spec: with(func(b *blocks) { b.hub = "hub:\n  url: https://bücher.example/jupyter\n" }), id: ""},
	{name: "punycode hub is fine", spec: with(func(b *blocks) { b.hub = "hub:\n  url: https://xn--bcher-kva.example\n" }), id: ""},
	{name: "ipv6 hub and api are fine", spec: with(func(b *blocks) {
		b.hub = "hub:\n  url: https://[2001:db8::1]:8443/\n  apiUrl: http://[::1]:8081/hub/api\n"
	}), id: ""},
	{name: "javascript url", spec: with(func(b *blocks) { b.services += "    redirectUri: javascript:alert(1)\n" }),
		id: "bad-url", path: "services.nbviewer.redirectUri", contains: `scheme "javascript" is not http or https`, severity: finding.Error},
	{name: "host and port without scheme", spec: with(func(b *blocks) { b.hub = "hub:\n  url: hub.example.org:8443\n" }),
		id: "bad-url", path: "hub.url", contains: "is not an absolute URL", severity: finding.Error},
	{name: "placeholder hub host", spec: with(func(b *blocks) { b.hub = "hub:\n  url: https://<hub>/\n" }),
		id: "placeholder", path: "hub.url", contains: `hub.url is still the placeholder "<hub>"`, severity: finding.Error, absent: []string{"redirect-uri-mismatch"}},
	{name: "placeholder label in login url", spec: with(func(b *blocks) {
		b.login = strings.Replace(b.login, "https://gallery.example.org", "https://CHANGE-ME.example.org", 1)
	}), id: "placeholder", path: "login.url", severity: finding.Error},
	{name: "ellipsis host", spec: with(func(b *blocks) {
		b.services = strings.Replace(b.services, "http://nbviewer:8080", "http://...:8080", 1)
	}),
		id: "placeholder", path: "services.nbviewer.url", severity: finding.Error},
	{name: "example.org and a todo service are real hosts", spec: with(func(b *blocks) {
		b.hub = "hub:\n  url: https://example.org\n"
		b.services += "  todo:\n    url: http://todo:8080\n    access: all\n    apiToken: {env: TODO_API_TOKEN}\n"
	}), id: ""},
	{name: "bad existing secret name", spec: with(func(b *blocks) { b.hub += "  existingSecret: My_Secret\n" }), id: "bad-secret-name", path: "hub.existingSecret", severity: finding.Error},

	// Secrets.
	{name: "literal secret", spec: with(func(b *blocks) {
		b.login = strings.Replace(b.login, "{env: OAUTH_CLIENT_SECRET}", "s3cret-value", 1)
	}), id: "literal-secret", path: "login.clientSecret", severity: finding.Warning},
	{name: "secret with a trailing newline", spec: with(func(b *blocks) {
		b.login = strings.Replace(b.login, "{env: OAUTH_CLIENT_SECRET}", "|\n    s3cret-value", 1)
	}), id: "bad-secret-value", path: "login.clientSecret", contains: "the literal secret at login.clientSecret holds a line break", hint: "block scalar", severity: finding.Error},
	{name: "token with a tab", spec: with(func(b *blocks) {
		b.services = strings.Replace(b.services, "{env: NBVIEWER_API_TOKEN}", `"s3cret\tvalue"`, 1)
	}), id: "bad-secret-value", path: "services.nbviewer.apiToken", contains: "control character U+0009", severity: finding.Error},
	{name: "token with a C1 control", spec: with(func(b *blocks) {
		b.services = strings.Replace(b.services, "{env: NBVIEWER_API_TOKEN}", `"s3cret\x85value"`, 1)
	}), id: "bad-secret-value", contains: "control character U+0085", severity: finding.Error},
	{name: "non-ascii secret is fine", spec: with(func(b *blocks) {
		b.login = strings.Replace(b.login, "{env: OAUTH_CLIENT_SECRET}", "sécret-välue", 1)
	}), id: "literal-secret", severity: finding.Warning, absent: []string{"bad-secret-value"}},
	{name: "placeholder secret", spec: with(func(b *blocks) {
		b.login = strings.Replace(b.login, "{env: OAUTH_CLIENT_SECRET}", "CHANGE-ME", 1)
	}), id: "placeholder", path: "login.clientSecret", contains: "login.clientSecret is still a placeholder", severity: finding.Error},
	{name: "bad env name", spec: with(func(b *blocks) {
		b.login = strings.Replace(b.login, "OAUTH_CLIENT_SECRET", "OAUTH-SECRET", 1)
	}), id: "bad-env-name", path: "login.clientSecret.env", severity: finding.Error},
	{name: "k8s secret needs key", spec: with(func(b *blocks) {
		b.login = strings.Replace(b.login, "{env: OAUTH_CLIENT_SECRET}", "{k8sSecret: {name: oauth}}", 1)
	}), id: "missing-key", path: "login.clientSecret.k8sSecret", severity: finding.Error},
	{name: "k8s secret key chars", spec: with(func(b *blocks) {
		b.login = strings.Replace(b.login, "{env: OAUTH_CLIENT_SECRET}", "{k8sSecret: {name: oauth, key: \"client secret\"}}", 1)
	}), id: "bad-secret-key", path: "login.clientSecret.k8sSecret.key", severity: finding.Error},
	{name: "k8s secret name chars", spec: with(func(b *blocks) {
		b.login = strings.Replace(b.login, "{env: OAUTH_CLIENT_SECRET}", "{k8sSecret: {name: OAuth, key: k}}", 1)
	}), id: "bad-secret-name", path: "login.clientSecret.k8sSecret.name", severity: finding.Error},

	// Login.
	{name: "provider typo", spec: with(func(b *blocks) { b.login = strings.Replace(b.login, "nbgallery", "nbgalery", 1) }),
		id: "unknown-provider", path: "login.provider", contains: `did you mean "nbgallery"?`, severity: finding.Error},
	{name: "no provider", spec: with(func(b *blocks) { b.login = strings.Replace(b.login, "  provider: nbgallery\n", "", 1) }), id: "missing-key", path: "login.provider", severity: finding.Error},
	{name: "no client id", spec: with(func(b *blocks) { b.login = strings.Replace(b.login, "  clientId: abc\n", "", 1) }), id: "client-not-registered", path: "login.clientId", severity: finding.Warning, contains: "not registered at the provider yet"},
	{name: "placeholder client id", spec: with(func(b *blocks) { b.login = strings.Replace(b.login, "clientId: abc", "clientId: CHANGE-ME", 1) }),
		id: "placeholder", path: "login.clientId", line: 7, col: 13, severity: finding.Error,
		contains: `login.clientId is still the placeholder "CHANGE-ME": set it to the client id the provider issued`},
	{name: "changeme client id", spec: with(func(b *blocks) { b.login = strings.Replace(b.login, "clientId: abc", "clientId: changeme", 1) }),
		id: "placeholder", path: "login.clientId", severity: finding.Error},
	{name: "CHANGEME client id", spec: with(func(b *blocks) { b.login = strings.Replace(b.login, "clientId: abc", "clientId: CHANGEME", 1) }),
		id: "placeholder", path: "login.clientId", severity: finding.Error},
	{name: "TODO client id", spec: with(func(b *blocks) { b.login = strings.Replace(b.login, "clientId: abc", "clientId: TODO", 1) }),
		id: "placeholder", path: "login.clientId", severity: finding.Error},
	{name: "FIXME client id", spec: with(func(b *blocks) { b.login = strings.Replace(b.login, "clientId: abc", "clientId: FIXME", 1) }),
		id: "placeholder", path: "login.clientId", severity: finding.Error},
	{name: "xxx client id", spec: with(func(b *blocks) { b.login = strings.Replace(b.login, "clientId: abc", "clientId: xxxx", 1) }),
		id: "placeholder", path: "login.clientId", severity: finding.Error},
	{name: "angle bracket client id", spec: with(func(b *blocks) { b.login = strings.Replace(b.login, "clientId: abc", `clientId: "<client-id>"`, 1) }),
		id: "placeholder", path: "login.clientId", contains: `"<client-id>"`, severity: finding.Error},
	{name: "ellipsis client id", spec: with(func(b *blocks) { b.login = strings.Replace(b.login, "clientId: abc", `clientId: "..."`, 1) }),
		id: "placeholder", path: "login.clientId", severity: finding.Error},
	{name: "client id with x and todo in it is fine", spec: with(func(b *blocks) {
		b.login = strings.Replace(b.login, "clientId: abc", "clientId: xx-todo-app", 1)
	}), id: ""},
	{name: "no client secret", spec: with(func(b *blocks) {
		b.login = strings.Replace(b.login, "  clientSecret: {env: OAUTH_CLIENT_SECRET}\n", "", 1)
	}), id: "missing-key", path: "login.clientSecret", severity: finding.Error},
	{name: "nbgallery needs url", spec: with(func(b *blocks) { b.login = strings.Replace(b.login, "  url: https://gallery.example.org\n", "", 1) }),
		id: "missing-key", path: "login.url", severity: finding.Error},
	{name: "oauth2 needs endpoints", spec: with(func(b *blocks) { b.login = strings.Replace(b.login, "nbgallery", "oauth2", 1) }),
		id: "missing-key", path: "login.authorizeUrl", severity: finding.Error},
	{name: "oidc without url but all endpoints is fine", spec: with(func(b *blocks) {
		b.login = `login:
  provider: oidc
  authorizeUrl: https://id.example.org/auth
  tokenUrl: https://id.example.org/token
  userdataUrl: https://id.example.org/userinfo
  clientId: abc
  clientSecret: {env: S}
  allow: {users: [alice]}
`
	}), id: ""},
	{name: "http authorize url", spec: with(func(b *blocks) { b.login += "  authorizeUrl: http://gallery.example.org/oauth/authorize\n" }),
		id: "insecure-url", path: "login.authorizeUrl", severity: finding.Error},
	{name: "http token url", spec: with(func(b *blocks) { b.login += "  tokenUrl: http://gallery:3000/oauth/token\n" }),
		id: "insecure-url", path: "login.tokenUrl", severity: finding.Warning},
	{name: "callback elsewhere", spec: with(func(b *blocks) { b.login += "  callbackUrl: https://hub.example.org/oauth_callback\n" }),
		id: "redirect-uri-mismatch", path: "login.callbackUrl", severity: finding.Error},
	{name: "callback trailing slash", spec: with(func(b *blocks) { b.login += "  callbackUrl: https://hub.example.org/hub/oauth_callback/\n" }),
		id: "redirect-uri-mismatch", severity: finding.Error},
	{name: "callback as derived is fine", spec: with(func(b *blocks) { b.login += "  callbackUrl: https://hub.example.org/hub/oauth_callback\n" }), id: ""},
	{name: "nbgallery and loopback http", spec: with(func(b *blocks) { b.hub = "hub:\n  url: http://127.0.0.1:8000\n" }),
		id: "provider-refuses-http", path: "hub.url", severity: finding.Warning},
	{name: "nbgallery scope", spec: with(func(b *blocks) { b.login += "  scopes: [read, admin]\n" }),
		id: "unknown-provider-scope", path: "login.scopes[1]", severity: finding.Error},
	{name: "nbgallery without read", spec: with(func(b *blocks) { b.login += "  scopes: [write]\n" }),
		id: "missing-provider-scope", path: "login.scopes", severity: finding.Error},
	{name: "oidc without openid", spec: with(func(b *blocks) {
		b.login = strings.Replace(b.login, "nbgallery", "oidc", 1) + "  scopes: [profile]\n"
	}), id: "missing-openid-scope", severity: finding.Warning},
	{name: "nbgallery claim", spec: with(func(b *blocks) { b.login += "  usernameClaim: username\n" }),
		id: "unknown-username-claim", path: "login.usernameClaim", contains: `did you mean "user_name"?`, severity: finding.Error},
	{name: "nbgallery email claim is fine", spec: with(func(b *blocks) { b.login += "  usernameClaim: email\n" }), id: ""},
	{name: "no allow", spec: with(func(b *blocks) { b.login = strings.Replace(b.login, "  allow: {all: true}\n", "", 1) }),
		id: "no-allow", path: "login.allow", line: 4, col: 1, severity: finding.Error},
	{name: "allow nothing", spec: with(func(b *blocks) { b.login = strings.Replace(b.login, "{all: true}", "{all: false}", 1) }),
		id: "no-allow", severity: finding.Error},
	{name: "allow all and users", spec: with(func(b *blocks) { b.login = strings.Replace(b.login, "{all: true}", "{all: true, users: [a]}", 1) }),
		id: "redundant-allow", severity: finding.Warning},
	{name: "groups claim alone", spec: with(func(b *blocks) {
		b.login = strings.Replace(b.login, "{all: true}", "{users: [a], groupsClaim: g}", 1)
	}), id: "unused-key", path: "login.allow.groupsClaim", severity: finding.Warning},
	{name: "groupsClaim used by admins.groups", spec: with(func(b *blocks) {
		b.login = strings.Replace(b.login, "{all: true}", "{users: [a], groupsClaim: g}", 1) + "  admins: {groups: [hub-admins]}\n"
	}), id: ""},
	{name: "allow groups is fine", spec: with(func(b *blocks) { b.login = strings.Replace(b.login, "{all: true}", "{groups: [staff]}", 1) }), id: ""},
	{name: "tls verify off", spec: with(func(b *blocks) { b.login += "  verifyTLS: false\n" }), id: "tls-verify-off", path: "login.verifyTLS", severity: finding.Warning},
	{name: "tls verify off with ca", spec: with(func(b *blocks) { b.login += "  verifyTLS: false\n  caFile: ca.pem\n" }),
		id: "tls-verify-off", contains: "caFile is ignored", severity: finding.Warning},

	// Services.
	{name: "slash in name", spec: with(func(b *blocks) { b.services += "  a/b:\n    oauth: false\n" }), id: "bad-service-name", path: `services["a/b"]`, severity: finding.Error},
	{name: "space in name", spec: with(func(b *blocks) { b.services += "  my service:\n    oauth: false\n" }), id: "bad-service-name", severity: finding.Error},
	{name: "uppercase name", spec: with(func(b *blocks) { b.services += "  Reporter:\n    oauth: false\n" }),
		id: "bad-service-name", path: "services.Reporter", line: 15, col: 3, contains: `did you mean "reporter"?`, severity: finding.Error},
	{name: "uppercase name with scopes is one finding", spec: with(func(b *blocks) { b.services += "  NB:\n    scopes: [list:users]\n" }),
		id: "bad-service-name", path: "services.NB", contains: `did you mean "nb"?`, severity: finding.Error, absent: []string{"bad-role-name"}},
	{name: "name starting with a dot", spec: with(func(b *blocks) { b.services += "  .hidden:\n    oauth: false\n" }),
		id: "bad-service-name", contains: "starts with a letter or digit", severity: finding.Error},
	{name: "names sharing a token variable", spec: with(func(b *blocks) {
		b.services = "services:\n  nb-viewer:\n    oauth: false\n  nb_viewer:\n    oauth: false\n"
	}), id: "name-collision", path: "services.nb_viewer", line: 13, col: 3, severity: finding.Error,
		contains: "services nb-viewer and nb_viewer both derive the token variable HUBCTL_NB_VIEWER_API_TOKEN"},
	{name: "access role is another service's role", spec: with(func(b *blocks) {
		b.services = `services:
  viewer:
    url: http://viewer:8080
    access: {users: [alice]}
    apiToken: {env: VIEWER_API_TOKEN}
  viewer-users:
    scopes: [list:users]
`
	}), id: "name-collision", path: "services.viewer-users", contains: "services viewer and viewer-users both derive the role viewer-users", severity: finding.Error},
	{name: "access role without a clashing service is fine", spec: with(func(b *blocks) {
		b.services = `services:
  viewer:
    url: http://viewer:8080
    access: {users: [alice]}
    apiToken: {env: VIEWER_API_TOKEN}
  viewer-users:
    oauth: false
`
	}), id: ""},
	{name: "chart schema name", spec: with(func(b *blocks) { b.services += "  apiToken:\n    oauth: false\n" }), id: "reserved-service-name", path: "services.apiToken", severity: finding.Error},
	{name: "culler name", spec: with(func(b *blocks) { b.services += "  jupyterhub-idle-culler:\n    oauth: false\n" }), id: "reserved-service-name", severity: finding.Error},
	{name: "service url path", spec: with(func(b *blocks) {
		b.services = strings.Replace(b.services, "http://nbviewer:8080", "http://nbviewer:8080/nbviewer/", 1)
	}), id: "service-url-path", path: "services.nbviewer.url", severity: finding.Warning},
	{name: "service url scheme", spec: with(func(b *blocks) {
		b.services = strings.Replace(b.services, "http://nbviewer:8080", "tcp://nbviewer:8080", 1)
	}), id: "bad-url", path: "services.nbviewer.url", severity: finding.Error},
	{name: "oauth without token", spec: with(func(b *blocks) {
		b.services = strings.Replace(b.services, "    apiToken: {env: NBVIEWER_API_TOKEN}\n", "", 1)
	}), id: "missing-key", path: "services.nbviewer.apiToken", line: 11, col: 3, severity: finding.Error},
	{name: "token-less non-oauth service is fine", spec: with(func(b *blocks) { b.services += "  reporter:\n    scopes: [list:users]\n" }), id: ""},
	{name: "client id prefix", spec: with(func(b *blocks) { b.services += "    clientId: nbviewer\n" }),
		id: "client-id-prefix", path: "services.nbviewer.clientId", contains: `must start with "service-"`, severity: finding.Error},
	{name: "client id unused", spec: with(func(b *blocks) { b.services += "  reporter:\n    clientId: service-reporter\n" }),
		id: "unused-key", path: "services.reporter.clientId", severity: finding.Warning},
	{name: "redirect on hub elsewhere", spec: with(func(b *blocks) {
		b.services += "    redirectUri: https://hub.example.org/services/nbviewer/callback\n"
	}), id: "redirect-uri-mismatch", path: "services.nbviewer.redirectUri", severity: finding.Error},
	{name: "redirect as derived is fine", spec: with(func(b *blocks) {
		b.services += "    redirectUri: https://hub.example.org/services/nbviewer/oauth_callback\n"
	}), id: ""},
	{name: "redirect off hub", spec: with(func(b *blocks) {
		b.services += "    redirectUri: https://nbviewer.example.org/oauth_callback\n"
	}), id: "redirect-uri-off-hub", severity: finding.Warning},
	{name: "http redirect", spec: with(func(b *blocks) {
		b.services += "    redirectUri: http://nbviewer.example.org/oauth_callback\n"
	}), id: "insecure-url", path: "services.nbviewer.redirectUri", severity: finding.Error},
	{name: "no access", spec: with(func(b *blocks) { b.services = strings.Replace(b.services, "    access: all\n", "", 1) }),
		id: "no-access", path: "services.nbviewer.access", line: 11, col: 3, severity: finding.Warning},
	{name: "empty access", spec: with(func(b *blocks) { b.services = strings.Replace(b.services, "access: all", "access: {}", 1) }),
		id: "empty-access", severity: finding.Error},
	{name: "access users", spec: with(func(b *blocks) {
		b.services = strings.Replace(b.services, "access: all", "access: {users: [alice], groups: [staff]}", 1)
	}), id: ""},
	{name: "timeout before 6", spec: with(func(b *blocks) { b.services += "    timeout: 30\n" }),
		id: "key-needs-version", path: "services.nbviewer.timeout", severity: finding.Error},
	{name: "timeout on 6", spec: with(func(b *blocks) { b.hub += "  jupyterhub: \"6.1\"\n"; b.services += "    timeout: 30\n" }), id: ""},
	{name: "timeout zero", spec: with(func(b *blocks) { b.hub += "  jupyterhub: \"6.1\"\n"; b.services += "    timeout: 0\n" }),
		id: "bad-timeout", severity: finding.Error},
	{name: "short token", spec: with(func(b *blocks) {
		b.services = strings.Replace(b.services, "{env: NBVIEWER_API_TOKEN}", "abc", 1)
	}), id: "token-too-short", path: "services.nbviewer.apiToken", severity: finding.Error},
	{name: "shared token", spec: with(func(b *blocks) {
		b.services += "  other:\n    url: http://other:80\n    access: all\n    apiToken: {env: NBVIEWER_API_TOKEN}\n"
	}), id: "shared-token", path: "services.other.apiToken", severity: finding.Error},
	{name: "token is the login's client secret", spec: with(func(b *blocks) {
		b.services = strings.Replace(b.services, "NBVIEWER_API_TOKEN", "OAUTH_CLIENT_SECRET", 1)
	}), id: "shared-token", path: "services.nbviewer.apiToken", contains: "same reference as login.clientSecret", severity: finding.Error},
	{name: "unused noConfirm", spec: with(func(b *blocks) { b.services += "  reporter:\n    noConfirm: true\n" }),
		id: "unused-key", path: "services.reporter.noConfirm", severity: finding.Warning},

	// Scopes and roles.
	{name: "scope typo", spec: with(func(b *blocks) { b.services += "    scopes: [list:user]\n" }),
		id: "unknown-scope", path: "services.nbviewer.scopes[0]", contains: `did you mean "list:users"?`, severity: finding.Error},
	{name: "scope filter typo", spec: with(func(b *blocks) { b.services += "    scopes: [\"access:service!service=nbviewer\"]\n" }),
		id: "unknown-scope", contains: `did you mean "access:services!service=nbviewer"?`, severity: finding.Error},
	{name: "start servers on 5.5", spec: with(func(b *blocks) { b.services += "    scopes: [start:servers]\n" }),
		id: "scope-needs-version", severity: finding.Error},
	{name: "start servers on 6.1", spec: with(func(b *blocks) { b.hub += "  jupyterhub: \"6.1\"\n"; b.services += "    scopes: [start:servers]\n" }), id: ""},
	{name: "admin services on 4.1", spec: with(func(b *blocks) { b.hub += "  jupyterhub: \"4.1\"\n"; b.services += "    scopes: [admin:services]\n" }),
		id: "scope-needs-version", severity: finding.Error},
	{name: "bare group filter", spec: with(func(b *blocks) { b.services += "    scopes: [\"read:users!group\"]\n" }), id: "bad-scope-filter", severity: finding.Error},
	{name: "custom scope", spec: with(func(b *blocks) { b.services += "    scopes: [\"custom:reports\"]\n" }), id: "custom-scope", severity: finding.Error},
	{name: "self for a service", spec: with(func(b *blocks) { b.services += "    scopes: [self]\n" }), id: "service-self-scope", severity: finding.Warning},
	{name: "service name makes a bad role", spec: with(func(b *blocks) { b.services += "  9lives:\n    scopes: [list:users]\n" }),
		id: "bad-role-name", path: "services.9lives", contains: `"9lives", which JupyterHub refuses (a role name has 3 to 255 characters`, severity: finding.Error},
	{name: "service name takes a built-in role", spec: with(func(b *blocks) { b.services += "  user:\n    scopes: [list:users]\n" }),
		id: "role-name-taken", path: "services.user", severity: finding.Error},
	{name: "role name", spec: with(func(b *blocks) { b.roles = "roles:\n  Readers:\n    scopes: [read:users]\n" }),
		id: "bad-role-name", path: "roles.Readers", severity: finding.Error,
		contains: `invalid role name "Readers": a role name has 3 to 255 characters: lowercase letters, digits, '-', '_', '~' and '.', and starts with a letter and ends with a letter or digit`},
	{name: "role named admin", spec: with(func(b *blocks) { b.roles = "roles:\n  admin:\n    scopes: [read:users]\n" }),
		id: "role-name-taken", severity: finding.Error},
	{name: "role clashing with a derived one", spec: with(func(b *blocks) {
		b.services = strings.Replace(b.services, "access: all", "access: {users: [a]}", 1)
		b.roles = "roles:\n  nbviewer-users:\n    scopes: [read:users]\n"
	}), id: "role-name-taken", path: "roles.nbviewer-users", severity: finding.Error},
	{name: "role without scopes", spec: with(func(b *blocks) { b.roles = "roles:\n  readers:\n    users: [alice]\n" }),
		id: "role-without-scopes", severity: finding.Warning},
	{name: "role draft scope", spec: with(func(b *blocks) { b.roles = "roles:\n  everything:\n    scopes: [all]\n" }),
		id: "unknown-scope", contains: `"inherit"`, severity: finding.Error},
	{name: "role undefined service", spec: with(func(b *blocks) { b.roles = "roles:\n  viewers:\n    scopes: [read:users]\n    services: [nbviewr]\n" }),
		id: "undefined-service", path: "roles.viewers.services[0]", contains: `did you mean "nbviewer"?`, severity: finding.Error},
	{name: "role is fine", spec: with(func(b *blocks) {
		b.roles = "roles:\n  readers:\n    description: read users\n    scopes: [read:users]\n    groups: [staff]\n    services: [nbviewer]\n"
	}), id: ""},
}

func TestRules(t *testing.T) {
	for _, tc := range ruleCases {
		t.Run(tc.name, func(t *testing.T) {
			got := check(t, tc.spec)
			if tc.id == "" {
				if len(got) != 0 {
					t.Fatalf("want no finding, got %v", got)
				}
				return
			}
			var match *finding.Finding
			for i, f := range got {
				if f.ID == tc.id && (tc.path == "" || f.Path == tc.path) {
					match = &got[i]
					break
				}
			}
			if match == nil {
				t.Fatalf("want %s@%s, got %v", tc.id, tc.path, ids(got))
			}
			if match.Severity != tc.severity {
				t.Errorf("severity %s, want %s", match.Severity, tc.severity)
			}
			if tc.line != 0 && (match.Pos.Line != tc.line || (tc.col != 0 && match.Pos.Column != tc.col)) {
				t.Errorf("position %s, want line %d column %d", match.Pos, tc.line, tc.col)
			}
			if !strings.Contains(match.Message, tc.contains) {
				t.Errorf("message %q does not contain %q", match.Message, tc.contains)
			}
			if !strings.Contains(match.Hint, tc.hint) {
				t.Errorf("hint %q does not contain %q", match.Hint, tc.hint)
			}
			for _, f := range got {
				if slices.Contains(tc.absent, f.ID) {
					t.Errorf("unwanted %s@%s: %s", f.ID, f.Path, f.Message)
				}
			}
			if match.Pos.File != "hubctl.yaml" {
				t.Errorf("position file %q", match.Pos.File)
			}
		})
	}
}

// TestEveryRuleIsExercised keeps Rules, the code and the table in step:
// every finding the cases produce is a listed rule, and every listed rule
// has a case that produces it.
func TestEveryRuleIsExercised(t *testing.T) {
	known := map[string]bool{}
	for _, r := range validate.Rules {
		known[r.ID] = true
	}
	seen := map[string]bool{}
	for _, tc := range ruleCases {
		for _, f := range check(t, tc.spec) {
			seen[f.ID] = true
			if !known[f.ID] {
				t.Errorf("case %q produced %q, which validate.Rules does not list", tc.name, f.ID)
			}
		}
	}
	for _, r := range validate.Rules {
		if !seen[r.ID] {
			t.Errorf("no case produces rule %q", r.ID)
		}
	}
}

func TestEveryProblemIsReported(t *testing.T) {
	got := check(t, `version: 1
hub:
  url: http://hub.example.org
login:
  provider: nbgalery
  clientId: x
  clientSecert: {env: X}
services:
  nbviewer:
    url: http://nbviewer:8080
    clientId: nbviewer
    scopes: [list:user]
    apiToken: short
`)
	want := []string{"insecure-url", "unknown-provider", "unknown-key", "missing-key", "no-allow", "client-id-prefix", "unknown-scope", "token-too-short"}
	var gotIDs []string
	for _, f := range got {
		gotIDs = append(gotIDs, f.ID)
	}
	for _, id := range want {
		if !slices.Contains(gotIDs, id) {
			t.Errorf("missing %s in %v", id, ids(got))
		}
	}
}

// TestGuidesCopiedIntoASpec checks the spec a user gets by copying the two
// seed guides (testdata/invalid) against the findings it must draw.
func TestGuidesCopiedIntoASpec(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(golden.Dir(t), "invalid", "copied-from-the-guides.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	got := ids(check(t, string(data)))
	for _, want := range []string{
		"insecure-url@hub.url", "no-allow@login.allow", "literal-secret@login.clientSecret",
		"unknown-key@login.usernameKey", "tls-verify-off@login.verifyTLS",
		"client-id-prefix@services.nbviewer.clientId", "unknown-scope@services.nbviewer.scopes[4]", "no-access@services.nbviewer.access",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("missing %s in %v", want, got)
		}
	}
}

// TestServiceNamePatternMatchesTheSchema keeps the JSON Schema's services
// propertyNames, which editors check as the user types, in step with the
// bad-service-name rule.
func TestServiceNamePatternMatchesTheSchema(t *testing.T) {
	var doc struct {
		Properties struct {
			Services struct {
				PropertyNames struct {
					Pattern string `json:"pattern"`
				} `json:"propertyNames"`
			} `json:"services"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(schema.JSON, &doc); err != nil {
		t.Fatal(err)
	}
	pattern := regexp.MustCompile(doc.Properties.Services.PropertyNames.Pattern)
	for _, name := range []string{"nbviewer", "nb-viewer", "nb_viewer", "nb.viewer", "9lives", "NbViewer", "nbViewer", "my service", ".hidden", "_x", "a~b", "a/b"} {
		text := with(func(b *blocks) { b.services += "  \"" + name + "\":\n    oauth: false\n" })
		refused := slices.ContainsFunc(check(t, text), func(f finding.Finding) bool { return f.ID == "bad-service-name" })
		if schemaAccepts := pattern.MatchString(name); schemaAccepts == refused {
			t.Errorf("service %q: schema accepts %v, validate refuses %v", name, schemaAccepts, refused)
		}
	}
}

// TestSecretValuesStayOutOfFindings: findings about a literal secret name
// its path, never its value.
func TestSecretValuesStayOutOfFindings(t *testing.T) {
	for _, literal := range []string{"CHANGE-ME", "xxxxxxxx", "s3cret\nvalue", "s3cret\tvalue", "s3cret\x7fvalue", "s3cret\xffvalue"} {
		s, doc, findings := spec.Parse("hubctl.yaml", ".", []byte(base.text()))
		if s == nil || len(findings) != 0 {
			t.Fatalf("base spec: %v", findings)
		}
		// Set in Go: YAML cannot carry invalid UTF-8.
		s.Login.ClientSecret = secret.Ref{Kind: secret.Literal, Literal: literal}
		s.Services[0].APIToken = secret.Ref{Kind: secret.Literal, Literal: literal + "2"}
		got := validate.Spec(s, doc)
		var errs []string
		for _, f := range got {
			if f.Severity == finding.Error {
				errs = append(errs, f.ID+"@"+f.Path)
			}
			if strings.Contains(f.Message, literal) || strings.Contains(f.Hint, literal) {
				t.Errorf("%s@%s quotes the secret: %s (%s)", f.ID, f.Path, f.Message, f.Hint)
			}
		}
		if len(errs) == 0 {
			t.Errorf("%q: no error in %v", literal, ids(got))
		}
	}
}
