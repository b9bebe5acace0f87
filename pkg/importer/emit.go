package importer

import (
	"bytes"
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/hubctl/hubctl/pkg/secret"
	"github.com/hubctl/hubctl/pkg/spec"
)

// emit writes the spec with its keys in the README's order, short lists
// and references on one line, and the comments above their keys.
func (im *importer) emit() ([]byte, error) {
	s := im.spec
	root := &mapping{im: im}
	root.add("version", intNode(s.Version))

	h := root.child("hub")
	h.add("url", strNode(s.Hub.URL))
	h.str("apiUrl", s.Hub.APIURL)
	h.str("jupyterhub", s.Hub.JupyterHub)
	h.str("existingSecret", s.Hub.ExistingSecret)
	root.add("hub", h.node)

	if l := s.Login; l != nil {
		m := root.child("login")
		m.str("provider", l.Provider)
		m.str("url", l.URL)
		m.str("authorizeUrl", l.AuthorizeURL)
		m.str("tokenUrl", l.TokenURL)
		m.str("userdataUrl", l.UserdataURL)
		m.str("callbackUrl", l.CallbackURL)
		m.str("loginService", l.LoginService)
		m.str("usernameClaim", l.UsernameClaim)
		if l.Scopes != nil {
			m.add("scopes", listNode(l.Scopes))
		}
		m.str("clientId", l.ClientID)
		if l.ClientSecret.IsSet() {
			m.add("clientSecret", refNode(l.ClientSecret))
		}
		m.str("caFile", l.CAFile)
		if l.VerifyTLS != nil {
			m.add("verifyTLS", boolNode(*l.VerifyTLS))
		}
		if a := l.Allow; a != nil {
			n := flowMap()
			if a.All {
				addPair(n, "all", boolNode(true))
			}
			if len(a.Users) > 0 {
				addPair(n, "users", listNode(a.Users))
			}
			if len(a.Groups) > 0 {
				addPair(n, "groups", listNode(a.Groups))
			}
			if a.GroupsClaim != "" {
				addPair(n, "groupsClaim", strNode(a.GroupsClaim))
			}
			if a.ExistingUsers {
				addPair(n, "existingUsers", boolNode(true))
			}
			m.add("allow", n)
		}
		if a := l.Admins; a != nil {
			if len(a.Groups) == 0 {
				m.add("admins", listNode(a.Users))
			} else {
				n := flowMap()
				if len(a.Users) > 0 {
					addPair(n, "users", listNode(a.Users))
				}
				addPair(n, "groups", listNode(a.Groups))
				m.add("admins", n)
			}
		}
		root.add("login", m.node)
	}

	if len(s.Services) > 0 {
		ss := root.child("services")
		for _, svc := range s.Services {
			m := ss.child(svc.Name)
			m.str("url", svc.URL)
			if svc.OAuth != nil {
				m.add("oauth", boolNode(*svc.OAuth))
			}
			m.str("clientId", svc.ClientID)
			m.str("redirectUri", svc.RedirectURI)
			if svc.NoConfirm {
				m.add("noConfirm", boolNode(true))
			}
			if svc.Display != nil {
				m.add("display", boolNode(*svc.Display))
			}
			if svc.Timeout != nil {
				m.add("timeout", intNode(*svc.Timeout))
			}
			if len(svc.Scopes) > 0 {
				m.add("scopes", listNode(svc.Scopes))
			}
			if a := svc.Access; a != nil {
				if a.All {
					m.add("access", strNode("all"))
				} else {
					n := flowMap()
					if len(a.Users) > 0 {
						addPair(n, "users", listNode(a.Users))
					}
					if len(a.Groups) > 0 {
						addPair(n, "groups", listNode(a.Groups))
					}
					m.add("access", n)
				}
			}
			if svc.APIToken.IsSet() {
				m.add("apiToken", refNode(svc.APIToken))
			}
			if len(m.node.Content) == 0 {
				// A service with nothing set is still a service.
				ss.add(svc.Name, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"})
				continue
			}
			ss.add(svc.Name, m.node)
		}
		root.add("services", ss.node)
	}

	if len(s.Roles) > 0 {
		rs := root.child("roles")
		for _, r := range s.Roles {
			m := rs.child(r.Name)
			m.str("description", r.Description)
			m.add("scopes", listNode(r.Scopes))
			for _, members := range []struct {
				key  string
				list []string
			}{{"users", r.Users}, {"groups", r.Groups}, {"services", r.Services}} {
				if len(members.list) > 0 {
					m.add(members.key, listNode(members.list))
				}
			}
			rs.add(r.Name, m.node)
		}
		root.add("roles", rs.node)
	}

	root.node.HeadComment = im.header()
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root.node}}); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// mapping is a block mapping at a spec path; its keys take the comments
// recorded for their paths.
type mapping struct {
	im   *importer
	path string
	node *yaml.Node
}

func (m *mapping) child(key string) *mapping {
	return &mapping{im: m.im, path: spec.Join(m.path, key), node: &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}}
}

func (m *mapping) add(key string, value *yaml.Node) {
	if m.node == nil {
		m.node = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	}
	k := strNode(key)
	k.HeadComment = m.im.comments[spec.Join(m.path, key)]
	m.node.Content = append(m.node.Content, k, value)
}

// str adds a string that is set.
func (m *mapping) str(key, value string) {
	if value != "" {
		m.add(key, strNode(value))
	}
}

func addPair(m *yaml.Node, key string, value *yaml.Node) {
	m.Content = append(m.Content, strNode(key), value)
}

func flowMap() *yaml.Node {
	return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: yaml.FlowStyle}
}

func strNode(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

func boolNode(b bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(b)}
}

func intNode(i int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(i)}
}

func listNode(items []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
	for _, s := range items {
		n.Content = append(n.Content, strNode(s))
	}
	return n
}

// refNode writes a secret reference; the importer makes only env and
// k8sSecret ones.
func refNode(r secret.Ref) *yaml.Node {
	n := flowMap()
	switch r.Kind {
	case secret.Env:
		addPair(n, "env", strNode(r.Env))
	case secret.File:
		addPair(n, "file", strNode(r.File))
	case secret.K8s:
		k := flowMap()
		addPair(k, "name", strNode(r.K8s.Name))
		addPair(k, "key", strNode(r.K8s.Key))
		addPair(n, "k8sSecret", k)
	}
	return n
}
