package importer

import (
	"slices"
	"strings"
	"testing"

	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/spec"
)

// generic is a GenericOAuthenticator login that the cases below vary.
const generic = `
hub:
  config:
    JupyterHub:
      authenticator_class: generic-oauth
    GenericOAuthenticator:
      client_id: hub
      client_secret: generic-secret-0123456789
      oauth_callback_url: https://hub.example.org/hub/oauth_callback
      authorize_url: https://auth.example.org/authorize
      token_url: https://auth.example.org/token
      userdata_url: https://auth.example.org/userinfo
      allow_all: true
`

func TestImportCases(t *testing.T) {
	tests := []struct {
		name   string
		values string
		in     Input // SecretName, Prefix, JupyterHub, HubURL
		// spec holds lines the imported spec must have, and notSpec lines
		// it must not.
		spec, notSpec []string
		left, review  []string // finding paths
		err           string
	}{
		{name: "literal in the environment", values: strings.Replace(generic, "      client_secret: generic-secret-0123456789\n", "", 1) + `
  extraEnv:
    OAUTH_CLIENT_SECRET: env-secret-0123456789
`, spec: []string{"  clientSecret: {k8sSecret: {name: hubctl, key: hubctl.login.clientSecret}}"}},
		{name: "secret name given", values: generic, in: Input{SecretName: "jhub"},
			spec: []string{"  existingSecret: jhub", "  clientSecret: {k8sSecret: {name: jhub, key: hubctl.login.clientSecret}}"}},
		{name: "values' existing secret", values: generic + "  existingSecret: chart-secrets\n",
			spec: []string{"  existingSecret: chart-secrets", "  clientSecret: {k8sSecret: {name: chart-secrets, key: hubctl.login.clientSecret}}"}},
		{name: "no client secret", values: strings.Replace(generic, "      client_secret: generic-secret-0123456789\n", "", 1),
			spec: []string{"  clientSecret: {env: OAUTH_CLIENT_SECRET}"}, review: []string{"hub.config.GenericOAuthenticator"}},
		{name: "deprecated group claim", values: generic + `
      claim_groups_key: roles
      manage_groups: true
      allowed_groups: [staff]
`, spec: []string{"  allow: {all: true, groups: [staff], groupsClaim: roles}"}},
		{name: "groups without manage_groups", values: generic + `
      auth_state_groups_key: oauth_user.teams
      allowed_groups: [staff]
`, spec: []string{"  allow: {all: true, groups: [staff], groupsClaim: teams}"}, review: []string{"hub.config.GenericOAuthenticator"}},
		{name: "oauth2 without userdata_url", values: strings.Replace(generic, "      userdata_url: https://auth.example.org/userinfo\n", "", 1),
			notSpec: []string{"login:"}, left: []string{"hub.config.JupyterHub.authenticator_class", "hub.config.GenericOAuthenticator"}},
		{name: "no authenticator_class", values: strings.Replace(generic, "      authenticator_class: generic-oauth\n", "", 1),
			notSpec: []string{"login:"}, left: []string{"hub.config.GenericOAuthenticator"}},
		{name: "local authenticator", values: strings.Replace(generic, "generic-oauth", "local-generic-oauth", 1),
			notSpec: []string{"login:"}, left: []string{"hub.config.JupyterHub.authenticator_class", "hub.config.GenericOAuthenticator"}},
		{name: "scope as a string", values: generic + "      scope: openid profile\n",
			spec: []string{"  provider: oauth2"}, left: []string{"hub.config.GenericOAuthenticator.scope"}},
		{name: "keycloak without scope", values: strings.ReplaceAll(generic, "https://auth.example.org/", "https://id.example.org/realms/x/protocol/openid-connect/"),
			spec: []string{"  provider: oidc", "  url: https://id.example.org/realms/x", "  usernameClaim: username", "  scopes: []"}},
		{name: "tls off", values: generic + "      validate_server_cert: false\n",
			spec: []string{"  verifyTLS: false"}, review: []string{"hub.config.GenericOAuthenticator.validate_server_cert"}},
		{name: "anchors and merge keys", values: `
base: &svc
  url: http://stats:8000
  display: false
hub:
  config:
    JupyterHub: {authenticator_class: generic-oauth}
    GenericOAuthenticator: &login
      client_id: hub
      client_secret: anchored-secret-0123456789
      oauth_callback_url: https://hub.example.org/hub/oauth_callback
      authorize_url: https://gallery.example.org/oauth/authorize
      token_url: https://gallery.example.org/oauth/token
      userdata_url: https://gallery.example.org/oauth/userinfo
      allowed_users: [alice]
  services:
    stats:
      <<: *svc
      display: true
`, spec: []string{"  provider: nbgallery", "  allow: {users: [alice]}", "    url: http://stats:8000", "    display: true"},
			// NBGallery's userinfo has no username, OAuthenticator's default
			// claim; the service's token is the chart's.
			review: []string{"hub.config.GenericOAuthenticator", "hub.services.stats"}},
		{name: "user role beyond access", values: generic + `
  services:
    stats: {url: "http://stats:8000"}
  loadRoles:
    user:
      scopes: [self, "access:services!service=stats", read:hub]
`, notSpec: []string{"access: all"}, left: []string{"hub.loadRoles.user"}, review: []string{"hub.services.stats"}},
		{name: "service renamed inside", values: generic + `
  services:
    stats: {name: statistics, url: "http://stats:8000"}
  loadRoles:
    stats:
      scopes: [read:hub]
      services: [stats]
`, notSpec: []string{"services:"}, left: []string{"hub.services.stats", "hub.loadRoles.stats"}},
		{name: "custom role", values: generic + `
  services:
    stats: {url: "http://stats:8000"}
  loadRoles:
    watchers:
      description: Watch the hub
      scopes: [read:hub, "read:users!group=staff"]
      groups: [staff]
      services: [stats]
`, spec: []string{"  watchers:", "    services: [stats]"}, review: []string{"hub.services.stats"}},
		{name: "unknown scope", values: generic + `
  loadRoles:
    odd:
      scopes: [read:everything]
      users: [alice]
`, notSpec: []string{"roles:"}, left: []string{"hub.loadRoles.odd"}},
		{name: "somebody's token code", values: generic + `
  services:
    stats: {url: "http://stats:8000"}
  extraEnv:
    HUBCTL_STATS_API_TOKEN:
      valueFrom: {secretKeyRef: {name: stats, key: token}}
  extraConfig:
    hubctl-service-tokens: |
      import os
      token_env = {
          "stats": "HUBCTL_STATS_API_TOKEN",
      }
`, spec: []string{"    apiToken: {k8sSecret: {name: hub, key: hub.services.stats.apiToken}}"},
			left: []string{"hub.extraConfig.hubctl-service-tokens"}, review: []string{"hub.services.stats"}},
		{name: "version needed", values: generic + `
  services:
    stats: {url: "http://stats:8000", timeout: 30}
`, spec: []string{`  jupyterhub: "6.0"`, "    timeout: 30"}, review: []string{"hub.services.stats"}},
		{name: "chart's Secret under fullnameOverride", values: generic + `
  services:
    stats: {url: "http://stats:8000"}
fullnameOverride: jh
`, spec: []string{"    apiToken: {k8sSecret: {name: jh-hub, key: hub.services.stats.apiToken}}"}, review: []string{"hub.services.stats"}},
		{name: "version given", values: generic, in: Input{JupyterHub: "6.1"}, spec: []string{`  jupyterhub: "6.1"`}},
		{name: "ingress host", values: strings.Replace(generic, "      oauth_callback_url: https://hub.example.org/hub/oauth_callback\n", "", 1) + `
ingress:
  hosts: [jupyter.example.org]
  tls: [{hosts: [jupyter.example.org]}]
`, spec: []string{"  url: https://jupyter.example.org"}},
		{name: "no hub URL", values: strings.Replace(generic, "      oauth_callback_url: https://hub.example.org/hub/oauth_callback\n", "", 1),
			err: "do not say the hub's public URL"},
		{name: "hub URL given", values: strings.Replace(generic, "      oauth_callback_url: https://hub.example.org/hub/oauth_callback\n", "", 1),
			in: Input{HubURL: "https://given.example.org"}, spec: []string{"  url: https://given.example.org"}},
		{name: "prefix in paths", values: generic + "      userdata_params: {a: b}\n", in: Input{Prefix: []string{"jupyterhub"}},
			left: []string{"jupyterhub.hub.config.GenericOAuthenticator.userdata_params"}},
		{name: "legacy auth", values: "auth:\n  type: github\n", err: "hubctl migrate values.yaml --write"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := parseValues(t, "values.yaml", []byte(tt.values))
			in.SecretName, in.Prefix, in.JupyterHub, in.HubURL = tt.in.SecretName, tt.in.Prefix, tt.in.JupyterHub, tt.in.HubURL
			res, err := Import(in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got error %v, want one saying %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(string(res.Spec), "\n")
			for _, want := range tt.spec {
				if !slices.Contains(lines, want) {
					t.Errorf("the spec has no line %q:\n%s", want, res.Spec)
				}
			}
			for _, not := range tt.notSpec {
				if strings.Contains(string(res.Spec), not) {
					t.Errorf("the spec has %q:\n%s", not, res.Spec)
				}
			}
			if got := paths(res.Left); !slices.Equal(got, tt.left) {
				t.Errorf("left %q, want %q", got, tt.left)
			}
			if got := paths(res.Review); !slices.Equal(got, tt.review) {
				t.Errorf("review %q, want %q", got, tt.review)
			}
			writeImported(t, res)
			assertNoSecret(t, res)
		})
	}
}

func paths(fs []finding.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Path)
	}
	return out
}

// assertNoSecret checks that no value import moved to Result.Secrets
// appears in the spec or in a finding.
func assertNoSecret(t *testing.T, res *Result) {
	t.Helper()
	for _, v := range res.Secrets {
		if strings.Contains(string(res.Spec), v) {
			t.Errorf("the spec holds a secret value")
		}
		for _, f := range append(slices.Clone(res.Left), res.Review...) {
			if strings.Contains(f.Message, v) || strings.Contains(f.Hint, v) {
				t.Errorf("finding %s holds a secret value", f.Path)
			}
		}
	}
}

func TestDetectProvider(t *testing.T) {
	tests := []struct {
		authz, token string
		scopes       []string
		kind, base   string
	}{
		{"https://g.example.org/oauth/authorize", "https://g.example.org/oauth/token", nil, spec.ProviderNBGallery, "https://g.example.org"},
		{"https://g.example.org/oauth/authorize", "https://g.example.org/oauth/token", []string{"read", "write"}, spec.ProviderNBGallery, "https://g.example.org"},
		// Doorkeeper's paths with scopes NBGallery lacks: GitLab, for one.
		{"https://gitlab.example.org/oauth/authorize", "https://gitlab.example.org/oauth/token", []string{"read_user"}, spec.ProviderOAuth2, ""},
		{"https://gitlab.example.org/oauth/authorize", "https://gitlab.example.org/oauth/token", []string{"openid"}, spec.ProviderOIDC, ""},
		{"https://g.example.org/oauth/authorize", "https://other.example.org/oauth/token", nil, spec.ProviderOAuth2, ""},
		{"https://id.example.org/realms/r/protocol/openid-connect/auth", "https://id.example.org/realms/r/protocol/openid-connect/token", nil, spec.ProviderOIDC, "https://id.example.org/realms/r"},
		{"https://github.com/login/oauth/authorize", "https://github.com/login/oauth/access_token", []string{"read:user"}, spec.ProviderOAuth2, ""},
	}
	for _, tt := range tests {
		kind, base := detectProvider(tt.authz, tt.token, tt.scopes)
		if kind != tt.kind || base != tt.base {
			t.Errorf("detectProvider(%s, %s, %v) = %s, %q; want %s, %q", tt.authz, tt.token, tt.scopes, kind, base, tt.kind, tt.base)
		}
	}
}
