package importer

import (
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hubctl/hubctl/pkg/valuesdoc"
)

func resolve(n *yaml.Node) *yaml.Node { return valuesdoc.Resolve(n) }

// pair is one mapping entry as helm reads it.
type pair = valuesdoc.Pair

func pairs(m *yaml.Node) []pair { return valuesdoc.Pairs(m) }

func get(m *yaml.Node, key string) (pair, bool) { return valuesdoc.Get(m, key) }

func lookup(m *yaml.Node, path ...string) (pair, bool) { return valuesdoc.LookupPair(m, path...) }

func isMap(n *yaml.Node) bool { return n != nil && n.Kind == yaml.MappingNode }

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// str returns a scalar's text; a mapping, a list or null is not one.
func str(n *yaml.Node) (string, bool) {
	if n == nil || n.Kind != yaml.ScalarNode || isNull(n) {
		return "", false
	}
	return n.Value, true
}

// boolean reads a YAML bool; Python would take other truthy values too,
// but the chart's values schema and traitlets only take bools here.
func boolean(n *yaml.Node) (value, ok bool) {
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		return false, false
	}
	return strings.EqualFold(n.Value, "true"), true
}

// strings reads a list of strings; ok is false when n is anything else
// or holds anything else.
func stringList(n *yaml.Node) ([]string, bool) {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil, false
	}
	out := []string{}
	for _, item := range n.Content {
		s, ok := str(resolve(item))
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}
