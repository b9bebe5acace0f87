package render

import (
	"bytes"

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
// and literal secret, under the keys the helm values point at. After it
// come the Secrets that k8sSecret references name, with the values hubctl
// app stored for them (a client registered whose secret the spec keeps in
// the cluster); a k8sSecret reference with nothing stored is the user's to
// fill and is left out. It returns nil when there is nothing to render.
func KubernetesSecret(cfg *hub.Config, opts SecretOptions) ([]byte, error) {
	var owned []hub.Secret
	stored := map[string][][2]string{}
	var storedNames []string
	for _, s := range cfg.Secrets() {
		if s.Ref.Kind != secret.K8s {
			owned = append(owned, s)
			continue
		}
		if v, ok := opts.Resolver.StoredValue(s.Ref); ok {
			if _, seen := stored[s.Ref.K8s.Name]; !seen {
				storedNames = append(storedNames, s.Ref.K8s.Name)
			}
			stored[s.Ref.K8s.Name] = append(stored[s.Ref.K8s.Name], [2]string{s.Ref.K8s.Key, v})
		}
	}
	var docs [][]byte
	if len(owned) > 0 {
		values, err := resolveAll(opts.Resolver, owned, true)
		if err != nil {
			return nil, err
		}
		data := mapNode()
		for _, s := range owned {
			add(data, s.SecretKey, quotedNode(values[s.SpecPath]))
		}
		doc, err := secretManifest(cfg.ExistingSecret, opts.Namespace, data,
			"Secret rendered by hubctl from "+opts.Source+": it holds secret values.")
		if err != nil {
			return nil, err
		}
		docs = append(docs, doc)
	}
	for _, name := range storedNames {
		data := mapNode()
		seen := map[string]bool{}
		for _, kv := range stored[name] {
			if !seen[kv[0]] {
				seen[kv[0]] = true
				add(data, kv[0], quotedNode(kv[1]))
			}
		}
		doc, err := secretManifest(name, opts.Namespace, data,
			"Secret "+name+", which "+opts.Source+" references: the values hubctl app stored for it (hubctl's state).")
		if err != nil {
			return nil, err
		}
		docs = append(docs, doc)
	}
	if len(docs) == 0 {
		return nil, nil
	}
	return bytes.Join(docs, []byte("---\n")), nil
}

func secretManifest(name, namespace string, data *yaml.Node, comment string) ([]byte, error) {
	meta := mapNode("name", strNode(name))
	if namespace != "" {
		add(meta, "namespace", strNode(namespace))
	}
	add(meta, "labels", mapNode("app.kubernetes.io/managed-by", strNode("hubctl")))
	root := mapNode(
		"apiVersion", strNode("v1"),
		"kind", strNode("Secret"),
		"metadata", meta,
		"type", strNode("Opaque"),
		"stringData", data,
	)
	root.HeadComment = comment
	return encodeYAML(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}})
}
