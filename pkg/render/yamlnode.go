package render

import (
	"bytes"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Small constructors for yaml.v3 nodes: building nodes, rather than
// marshalling maps, keeps keys in a deliberate order and lets each scalar
// carry its style.

func mapNode(pairs ...any) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for i := 0; i+1 < len(pairs); i += 2 {
		n.Content = append(n.Content, strNode(pairs[i].(string)), pairs[i+1].(*yaml.Node))
	}
	return n
}

// add appends a key and value to a mapping node.
func add(m *yaml.Node, key string, value *yaml.Node) {
	m.Content = append(m.Content, strNode(key), value)
}

// strNode is a string scalar; the encoder quotes it when it would
// otherwise read back as another type.
func strNode(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if strings.Contains(s, "\n") {
		n.Style = yaml.LiteralStyle
	}
	return n
}

// quotedNode is always double-quoted: Kubernetes env values and the chart's
// extraEnv accept strings only, and YAML 1.1 readers such as helm turn an
// unquoted yes, 1 or 0755 into something else.
func quotedNode(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: yaml.DoubleQuotedStyle}
}

func boolNode(b bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(b)}
}

func intNode(i int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(i)}
}

func listNode(items []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for _, s := range items {
		n.Content = append(n.Content, strNode(s))
	}
	return n
}

// valueNode converts a trait value.
func valueNode(v any) *yaml.Node {
	switch v := v.(type) {
	case string:
		return strNode(v)
	case bool:
		return boolNode(v)
	case int:
		return intNode(v)
	case []string:
		return listNode(v)
	}
	panic("render: no YAML form for a trait value")
}

// encodeYAML writes a document with two-space indentation.
func encodeYAML(doc *yaml.Node) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
