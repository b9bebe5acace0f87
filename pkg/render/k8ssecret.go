package render

import (
	"gopkg.in/yaml.v3"

	"github.com/hubctl/hubctl/pkg/hub"
	"github.com/hubctl/hubctl/pkg/secret"
)

// SecretOptions name and place the Secret.
type SecretOptions struct {
	Options
	Namespace string
}

// KubernetesSecret renders hubctl's Secret: the values of every env, file
// and literal secret, under the keys the helm values point at. It returns
// nil when the configuration keeps no secret there.
func KubernetesSecret(cfg *hub.Config, opts SecretOptions) ([]byte, error) {
	var owned []hub.Secret
	for _, s := range cfg.Secrets() {
		if s.Ref.Kind != secret.K8s {
			owned = append(owned, s)
		}
	}
	if len(owned) == 0 {
		return nil, nil
	}
	values, err := resolveAll(opts.Resolver, owned, true)
	if err != nil {
		return nil, err
	}
	data := mapNode()
	for _, s := range owned {
		add(data, s.SecretKey, quotedNode(values[s.SpecPath]))
	}
	meta := mapNode("name", strNode(cfg.ExistingSecret))
	if opts.Namespace != "" {
		add(meta, "namespace", strNode(opts.Namespace))
	}
	add(meta, "labels", mapNode("app.kubernetes.io/managed-by", strNode("hubctl")))
	root := mapNode(
		"apiVersion", strNode("v1"),
		"kind", strNode("Secret"),
		"metadata", meta,
		"type", strNode("Opaque"),
		"stringData", data,
	)
	root.HeadComment = "Secret rendered by hubctl from " + opts.Source + ": it holds secret values."
	return encodeYAML(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}})
}
