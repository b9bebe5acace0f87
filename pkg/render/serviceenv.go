package render

import (
	"encoding/json"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hubctl/hubctl/pkg/hub"
	"github.com/hubctl/hubctl/pkg/secret"
	"github.com/hubctl/hubctl/pkg/spec"
)

// EnvFormats are the forms service-env can take.
var EnvFormats = []string{"dotenv", "k8s", "helm"}

// EnvVar is one variable of a service's environment; Secret is set instead
// of Value for the API token.
type EnvVar struct {
	Name   string
	Value  string
	Secret *hub.Secret
}

// ServiceEnv lists the environment an external service needs to talk to
// the hub and to use it as its OAuth provider: what JupyterHub would set for
// a service it manages, plus JUPYTERHUB_URL, which nbviewer's OAuth pull
// request (#1065) reads.
func ServiceEnv(s *spec.Spec, cfg *hub.Config, name string) ([]EnvVar, error) {
	svc, ok := s.Services.Get(name)
	if !ok {
		return nil, fmt.Errorf("no service %q in the spec (services: %s)", name, strings.Join(s.Services.Names(), ", "))
	}
	var model hub.Service
	for _, m := range cfg.Services {
		if m.Name == name {
			model = m
		}
	}
	vars := []EnvVar{{Name: "JUPYTERHUB_SERVICE_NAME", Value: name}}
	if svc.URL != "" {
		vars = append(vars, EnvVar{Name: "JUPYTERHUB_SERVICE_URL", Value: svc.URL})
	}
	vars = append(vars,
		EnvVar{Name: "JUPYTERHUB_API_URL", Value: s.Hub.ResolvedAPIURL()},
		EnvVar{Name: "JUPYTERHUB_BASE_URL", Value: s.Hub.BasePath()},
		EnvVar{Name: "JUPYTERHUB_SERVICE_PREFIX", Value: s.Hub.ServicePrefix(name)},
		// The service is reached on another host than the hub, so the
		// browser must be sent to the hub's origin, not a relative path.
		EnvVar{Name: "JUPYTERHUB_HOST", Value: s.Hub.Origin()},
		EnvVar{Name: "JUPYTERHUB_URL", Value: s.Hub.Origin()},
	)
	if model.OAuthClientID != "" {
		scopes, _ := json.Marshal([]string{hub.AccessScope(name)})
		vars = append(vars,
			EnvVar{Name: "JUPYTERHUB_CLIENT_ID", Value: model.OAuthClientID},
			EnvVar{Name: "JUPYTERHUB_OAUTH_CALLBACK_URL", Value: model.OAuthRedirectURI},
			EnvVar{Name: "JUPYTERHUB_OAUTH_ACCESS_SCOPES", Value: string(scopes)},
		)
	}
	if model.APIToken.Ref.IsSet() {
		tok := model.APIToken
		vars = append(vars, EnvVar{Name: "JUPYTERHUB_API_TOKEN", Secret: &tok})
	}
	return vars, nil
}

// WriteServiceEnv renders vars in one of EnvFormats. The token is a
// reference unless InlineSecrets is set.
func WriteServiceEnv(vars []EnvVar, format string, cfg *hub.Config, opts Options) ([]byte, error) {
	var inlined map[string]string
	if opts.InlineSecrets {
		var secrets []hub.Secret
		for _, v := range vars {
			if v.Secret != nil {
				secrets = append(secrets, *v.Secret)
			}
		}
		var err error
		if inlined, err = resolveAll(opts.Resolver, secrets, false); err != nil {
			return nil, err
		}
	}
	switch format {
	case "dotenv":
		return dotenv(vars, inlined), nil
	case "k8s":
		list := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, v := range vars {
			n := mapNode("name", strNode(v.Name))
			add(n, envValueKey(v, inlined), envValueNode(cfg, v, inlined))
			list.Content = append(list.Content, n)
		}
		return encodeYAML(list)
	case "helm":
		m := mapNode()
		for _, v := range vars {
			if v.Secret != nil && inlined == nil {
				add(m, v.Name, secretEnvNode(cfg, *v.Secret))
			} else {
				add(m, v.Name, envValueNode(cfg, v, inlined))
			}
		}
		return encodeYAML(mapNode("extraEnv", m))
	}
	return nil, fmt.Errorf("unknown format %q (one of %s)", format, strings.Join(EnvFormats, ", "))
}

func envValueKey(v EnvVar, inlined map[string]string) string {
	if v.Secret != nil && inlined == nil {
		return "valueFrom"
	}
	return "value"
}

// envValueNode is the value of a variable: a quoted string, or for the
// token, the secretKeyRef body of the Secret that holds it.
func envValueNode(cfg *hub.Config, v EnvVar, inlined map[string]string) *yaml.Node {
	if v.Secret == nil {
		return quotedNode(v.Value)
	}
	if inlined != nil {
		return quotedNode(inlined[v.Secret.SpecPath])
	}
	return secretEnvNode(cfg, *v.Secret).Content[1]
}

func dotenv(vars []EnvVar, inlined map[string]string) []byte {
	var b strings.Builder
	for _, v := range vars {
		switch {
		case v.Secret == nil:
			fmt.Fprintf(&b, "%s=%s\n", v.Name, dotenvQuote(v.Value))
		case inlined != nil:
			fmt.Fprintf(&b, "%s=%s\n", v.Name, dotenvQuote(inlined[v.Secret.SpecPath]))
		default:
			fmt.Fprintf(&b, "# %s is secret: set it from %s (or pass --inline-secrets)\n", v.Name, describeForService(*v.Secret))
		}
	}
	return []byte(b.String())
}

func describeForService(s hub.Secret) string {
	if s.Ref.Kind == secret.Literal {
		return s.SpecPath
	}
	return s.Ref.String()
}

// dotenvQuote single-quotes values that shells and dotenv readers would
// otherwise split or expand.
func dotenvQuote(v string) string {
	if v != "" && !strings.ContainsAny(v, " \t\n'\"$#\\`!*?[]{}()<>|&;") {
		return v
	}
	if !strings.Contains(v, "'") {
		return "'" + v + "'"
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `\$`, "`", "\\`").Replace(v) + `"`
}
