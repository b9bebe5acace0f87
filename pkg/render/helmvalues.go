package render

import (
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hubctl/hubctl/pkg/hub"
	"github.com/hubctl/hubctl/pkg/secret"
)

// HubCAPath is where the chart mounts the login's CA bundle in the hub pod
// (through hub.extraFiles).
const HubCAPath = "/usr/local/etc/jupyterhub/hubctl/login-ca.pem"

// caFileKey is the hub.extraFiles entry carrying the CA bundle.
const caFileKey = "hubctl-login-ca"

// serviceTokensConfigKey is the hub.extraConfig entry that hands services
// their tokens from environment variables; the chart itself only reads
// tokens from the Secret key hub.services.NAME.apiToken.
const serviceTokensConfigKey = "hubctl-service-tokens"

// HelmValues renders the Zero-to-JupyterHub config.yaml blocks for cfg.
//
// Every secret reaches the hub through a Kubernetes Secret: env, file and
// literal references through hubctl's own Secret (hub.existingSecret, keys
// named as the chart names them), k8sSecret references straight from the
// Secret they name. With InlineSecrets the values are written in instead.
func HelmValues(cfg *hub.Config, opts Options) ([]byte, error) {
	doc, err := helmValuesDoc(cfg, opts)
	if err != nil {
		return nil, err
	}
	return encodeYAML(doc)
}

func helmValuesDoc(cfg *hub.Config, opts Options) (*yaml.Node, error) {
	var inlined map[string]string
	if opts.InlineSecrets {
		var err error
		if inlined, err = resolveAll(opts.Resolver, cfg.Secrets(), false); err != nil {
			return nil, err
		}
	}
	h := mapNode()
	if cfg.BaseURL != "/" {
		add(h, "baseUrl", strNode(cfg.BaseURL))
	}
	if !opts.InlineSecrets && needsExistingSecret(cfg) {
		add(h, "existingSecret", strNode(cfg.ExistingSecret))
	}

	env := mapNode()
	var tokenEnv []hub.Service // services whose token comes from a cluster Secret via env
	if a := cfg.Authenticator; a != nil && !opts.InlineSecrets {
		add(env, hub.ClientSecretEnv, secretEnvNode(cfg, a.ClientSecret))
	}
	for _, s := range cfg.Services {
		if s.APIToken.Ref.Kind == secret.K8s && !opts.InlineSecrets && !chartReadsDirectly(cfg, s) {
			add(env, s.APIToken.HubEnv, secretEnvNode(cfg, s.APIToken))
			tokenEnv = append(tokenEnv, s)
		}
	}
	if len(env.Content) > 0 {
		add(h, "extraEnv", env)
	}

	if a := cfg.Authenticator; a != nil && a.CAFile != "" {
		pem, err := readCAFile(opts, a.CAFile)
		if err != nil {
			return nil, err
		}
		add(h, "extraFiles", mapNode(caFileKey, mapNode("mountPath", strNode(HubCAPath), "stringData", strNode(pem))))
	}

	if a := cfg.Authenticator; a != nil {
		gen := mapNode()
		for _, t := range a.Traits {
			add(gen, t.Name, valueNode(t.Value))
		}
		if opts.InlineSecrets {
			add(gen, "client_secret", strNode(inlined[a.ClientSecret.SpecPath]))
		}
		if a.CAFile != "" {
			add(gen, "http_request_kwargs", mapNode("ca_certs", strNode(HubCAPath)))
		}
		add(h, "config", mapNode(
			"JupyterHub", mapNode("authenticator_class", strNode(hub.AuthenticatorClass)),
			hub.AuthenticatorSection, gen,
		))
	}

	if len(cfg.Services) > 0 {
		services := mapNode()
		for _, s := range cfg.Services {
			n := serviceMap(s)
			if opts.InlineSecrets && s.APIToken.Ref.IsSet() {
				add(n, "apiToken", strNode(inlined[s.APIToken.SpecPath]))
			}
			add(services, s.Name, n)
		}
		add(h, "services", services)
	}

	if len(cfg.Roles) > 0 {
		roles := mapNode()
		for _, r := range cfg.Roles {
			add(roles, r.Name, roleMap(r, false))
		}
		add(h, "loadRoles", roles)
	}

	if len(tokenEnv) > 0 {
		add(h, "extraConfig", mapNode(serviceTokensConfigKey, strNode(serviceTokensConfig(tokenEnv))))
	}

	root := mapNode("hub", h)
	root.HeadComment = helmHeader(cfg, opts)
	return &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}, nil
}

// needsExistingSecret reports whether the chart must mount hubctl's Secret:
// it holds a secret, or a k8sSecret token sits in it under the chart's key.
func needsExistingSecret(cfg *hub.Config) bool {
	if usesOwnSecret(cfg) {
		return true
	}
	for _, s := range cfg.Services {
		if s.APIToken.Ref.Kind == secret.K8s && chartReadsDirectly(cfg, s) {
			return true
		}
	}
	return false
}

// usesOwnSecret reports whether any secret lives in hubctl's Secret.
func usesOwnSecret(cfg *hub.Config) bool {
	for _, s := range cfg.Secrets() {
		if s.Ref.Kind != secret.K8s {
			return true
		}
	}
	return false
}

// chartReadsDirectly reports whether a k8sSecret token already sits where
// the chart looks for it: hub.existingSecret, under the chart's key.
func chartReadsDirectly(cfg *hub.Config, s hub.Service) bool {
	ref := s.APIToken.Ref.K8s
	return ref.Name == cfg.ExistingSecret && ref.Key == s.APIToken.SecretKey
}

// secretEnvNode is an env entry read from a Kubernetes Secret.
func secretEnvNode(cfg *hub.Config, s hub.Secret) *yaml.Node {
	name, key := cfg.ExistingSecret, s.SecretKey
	if s.Ref.Kind == secret.K8s {
		name, key = s.Ref.K8s.Name, s.Ref.K8s.Key
	}
	return mapNode("valueFrom", mapNode("secretKeyRef", mapNode("name", strNode(name), "key", strNode(key))))
}

func serviceMap(s hub.Service) *yaml.Node {
	n := mapNode()
	if s.URL != "" {
		add(n, "url", strNode(s.URL))
	}
	if s.OAuthClientID != "" {
		add(n, "oauth_client_id", strNode(s.OAuthClientID))
		add(n, "oauth_redirect_uri", strNode(s.OAuthRedirectURI))
		if s.OAuthNoConfirm {
			add(n, "oauth_no_confirm", boolNode(true))
		}
	}
	if s.Display != nil {
		add(n, "display", boolNode(*s.Display))
	}
	if s.Timeout != nil {
		add(n, "timeout", intNode(*s.Timeout))
	}
	return n
}

// roleMap writes a role; withName includes the name key, which the chart
// derives from the map key.
func roleMap(r hub.Role, withName bool) *yaml.Node {
	n := mapNode()
	if withName {
		add(n, "name", strNode(r.Name))
	}
	if r.Description != "" {
		add(n, "description", strNode(r.Description))
	}
	add(n, "scopes", listNode(r.Scopes))
	for _, m := range []struct {
		key     string
		members []string
	}{{"users", r.Users}, {"groups", r.Groups}, {"services", r.Services}} {
		if len(m.members) > 0 {
			add(n, m.key, listNode(m.members))
		}
	}
	return n
}

func serviceTokensConfig(services []hub.Service) string {
	var b strings.Builder
	b.WriteString("# Rendered by hubctl: these services' tokens live in Kubernetes Secrets\n")
	b.WriteString("# that hub.extraEnv maps to environment variables.\n")
	b.WriteString("import os\n\ntoken_env = {\n")
	names := make([]string, 0, len(services))
	byName := map[string]string{}
	for _, s := range services {
		names = append(names, s.Name)
		byName[s.Name] = s.APIToken.HubEnv
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "    %s: %s,\n", pyString(n), pyString(byName[n]))
	}
	b.WriteString("}\nfor service in c.JupyterHub.services:\n")
	b.WriteString("    if service[\"name\"] in token_env:\n")
	b.WriteString("        service[\"api_token\"] = os.environ[token_env[service[\"name\"]]]\n")
	return b.String()
}

func helmHeader(cfg *hub.Config, opts Options) string {
	lines := []string{
		fmt.Sprintf("Zero-to-JupyterHub values rendered by hubctl from %s (JupyterHub %s).", opts.Source, cfg.Version),
		"Merge into your config.yaml, or pass it as an extra -f to helm upgrade.",
	}
	switch {
	case opts.InlineSecrets:
		lines = append(lines, "This file holds secrets (--inline-secrets): keep it out of version control.")
	case usesOwnSecret(cfg):
		lines = append(lines, fmt.Sprintf("Secrets come from the Kubernetes Secret %q: create it with", cfg.ExistingSecret),
			fmt.Sprintf("  hubctl render secret -f %s | kubectl apply -n NAMESPACE -f -", opts.Source))
	}
	return strings.Join(lines, "\n")
}
