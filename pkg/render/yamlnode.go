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

// encodeYAML writes a document with two-space indentation, as yaml.v3
// writes it.
//
// The common shapes (block mappings and lists of plain, double-quoted,
// boolean and integer scalars) are written here, and only the rest goes
// through yaml.v3's encoder, one mapping entry at a time. Its emitter keeps
// every event of a document until the document ends (yaml_emitter_emit
// appends each one and only moves a head index past it), about 270 bytes an
// event, so one encoder over the values of 10,000 services grew a slice of
// hundreds of megabytes and spent most of a render copying, clearing and
// scanning it. yaml.v3 writes block collections with a fixed indent per
// level and no line width, so an entry it encodes alone, shifted right, is
// byte for byte what it writes nested; TestFastYAML holds this writer to
// yaml.v3's output.
func encodeYAML(doc *yaml.Node) ([]byte, error) {
	root := doc
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 && !hasComments(doc) {
		root = doc.Content[0]
	}
	if out, _, ok := fastYAML(root); ok {
		return out, nil
	}
	return encodeWhole(doc)
}

func encodeWhole(doc *yaml.Node) ([]byte, error) {
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

// fastYAML writes root, a block mapping, and says how many of its entries
// went through yaml.v3. ok is false for a root it does not write (another
// kind, comments other than a plain head comment, flow style, anchors, or
// an entry yaml.v3 failed on).
func fastYAML(root *yaml.Node) (out []byte, fallbacks int, ok bool) {
	head := root.HeadComment
	bare := *root
	bare.HeadComment = ""
	if root.Kind != yaml.MappingNode || !plainMapping(&bare) {
		return nil, 0, false
	}
	w := &yamlWriter{}
	w.buf.Grow(64 * len(root.Content))
	if head != "" {
		for _, line := range strings.Split(head, "\n") {
			if line == "" || line[0] == '#' || strings.TrimRight(line, " \t\r") != line {
				return nil, 0, false
			}
			w.buf.WriteString("# ")
			w.buf.WriteString(line)
			w.buf.WriteByte('\n')
		}
	}
	if err := w.mapping(root, ""); err != nil {
		return nil, 0, false
	}
	return w.buf.Bytes(), w.fallbacks, true
}

type yamlWriter struct {
	buf       bytes.Buffer
	fallbacks int
}

// plainMapping is a block mapping (or list) with nothing about it that
// yaml.v3 would write: no style, anchor, tag of its own or comment.
func plainMapping(n *yaml.Node) bool {
	return (n.Kind == yaml.MappingNode && (n.Tag == "" || n.Tag == "!!map") ||
		n.Kind == yaml.SequenceNode && (n.Tag == "" || n.Tag == "!!seq")) &&
		n.Style == 0 && n.Anchor == "" && !hasComments(n)
}

func (w *yamlWriter) mapping(m *yaml.Node, indent string) error {
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		key, ok := scalarText(k)
		if !ok || k.Tag == "!!bool" || k.Tag == "!!int" || len(key) > 128 {
			if err := w.viaYAML(k, v, indent); err != nil {
				return err
			}
			continue
		}
		if text, ok := scalarText(v); ok {
			w.line(indent, key, ": ", text)
			continue
		}
		if !plainMapping(v) {
			if err := w.viaYAML(k, v, indent); err != nil {
				return err
			}
			continue
		}
		if len(v.Content) == 0 {
			empty := "{}"
			if v.Kind == yaml.SequenceNode {
				empty = "[]"
			}
			w.line(indent, key, ": ", empty)
			continue
		}
		if v.Kind == yaml.SequenceNode {
			items := make([]string, len(v.Content))
			for j, item := range v.Content {
				if items[j], ok = scalarText(item); !ok {
					break
				}
			}
			if !ok {
				if err := w.viaYAML(k, v, indent); err != nil {
					return err
				}
				continue
			}
			w.line(indent, key, ":", "")
			for _, item := range items {
				w.line(indent+"  ", "- ", item, "")
			}
			continue
		}
		w.line(indent, key, ":", "")
		if err := w.mapping(v, indent+"  "); err != nil {
			return err
		}
	}
	return nil
}

func (w *yamlWriter) line(indent, a, b, c string) {
	w.buf.WriteString(indent)
	w.buf.WriteString(a)
	w.buf.WriteString(b)
	w.buf.WriteString(c)
	w.buf.WriteByte('\n')
}

// viaYAML has yaml.v3 write one entry, as a mapping of its own, and shifts
// it to indent.
func (w *yamlWriter) viaYAML(k, v *yaml.Node, indent string) error {
	w.fallbacks++
	out, err := encodeWhole(&yaml.Node{Kind: yaml.DocumentNode,
		Content: []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{k, v}}}})
	if err != nil {
		return err
	}
	for len(out) > 0 {
		line, rest, _ := bytes.Cut(out, []byte("\n"))
		// yaml.v3 writes an empty line of a block scalar without indent.
		if len(line) > 0 {
			w.buf.WriteString(indent)
			w.buf.Write(line)
		}
		w.buf.WriteByte('\n')
		out = rest
	}
	return nil
}

// scalarText is a scalar as yaml.v3 writes it, for the scalars whose form
// is certain: a string yaml.v3 leaves plain, a double-quoted string with
// nothing to escape, and booleans and integers in their canonical form.
// ok is false for every other node.
func scalarText(n *yaml.Node) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Anchor != "" || hasComments(n) {
		return "", false
	}
	v := n.Value
	switch {
	case n.Tag == "!!bool" && n.Style == 0 && (v == "true" || v == "false"):
		return v, true
	case n.Tag == "!!int" && n.Style == 0 && canonicalInt(v):
		return v, true
	case n.Tag != "!!str":
		return "", false
	case n.Style == 0 && safePlain(v):
		return v, true
	case n.Style == yaml.DoubleQuotedStyle && noEscapes(v):
		return `"` + v + `"`, true
	}
	return "", false
}

func canonicalInt(v string) bool {
	i, err := strconv.Atoi(v)
	return err == nil && strconv.Itoa(i) == v
}

// safePlain reports a string that yaml.v3 writes as a plain scalar, by a
// rule narrower than its own: it starts with a letter or '/', holds only
// letters, digits, spaces and -_./:@=+()!~, has no ": " and does not end in
// a space or ':', and is not a word YAML reads as a boolean or null.
func safePlain(s string) bool {
	if s == "" || !(isLetter(s[0]) || s[0] == '/') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isLetter(c) || c >= '0' && c <= '9' {
			continue
		}
		switch c {
		case '-', '_', '.', '/', ':', '@', '=', '+', '(', ')', '!', '~':
		case ' ':
			if i > 0 && s[i-1] == ':' {
				return false
			}
		default:
			return false
		}
	}
	if last := s[len(s)-1]; last == ' ' || last == ':' {
		return false
	}
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "y", "n", "null":
		return false
	}
	return true
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// noEscapes reports a string of printable ASCII without '"' or '\\', which
// a double-quoted scalar holds as it is.
func noEscapes(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

func hasComments(n *yaml.Node) bool {
	return n.HeadComment != "" || n.LineComment != "" || n.FootComment != ""
}
