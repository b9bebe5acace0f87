// Package manual writes hubctl's man pages that are not about one command
// (cobra/doc writes those): the exit statuses, hubctl-exit-codes(7), and
// the spec's reference, hubctl.yaml(5), generated from the JSON Schema so
// that it cannot drift from what validate and editors check.
package manual

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/cpuguy83/go-md2man/v2/md2man"
)

// Header is a page's title line, as cobra/doc's GenManHeader has it.
type Header struct {
	Source string // "hubctl 1.2.3"
	Date   string // "Nov 2026"
	Manual string // "hubctl manual"
}

func preamble(b *bytes.Buffer, title, section string, h Header) {
	fmt.Fprintf(b, "%% %q %q %q %q %q\n", title, section, h.Date, h.Source, h.Manual)
}

// ExitCodes is hubctl-exit-codes(7) from the exit-codes help topic's text:
// indented paragraphs stay as laid out, the others are prose.
func ExitCodes(h Header, text string) []byte {
	var b bytes.Buffer
	preamble(&b, "HUBCTL-EXIT-CODES", "7", h)
	b.WriteString("# NAME\nhubctl-exit-codes \\- exit statuses hubctl returns\n\n# DESCRIPTION\n")
	for _, para := range strings.Split(strings.TrimSpace(text), "\n\n") {
		if strings.HasPrefix(para, "  ") {
			fmt.Fprintf(&b, "```\n%s\n```\n\n", para)
		} else {
			b.WriteString(escape(para) + "\n\n")
		}
	}
	b.WriteString("# SEE ALSO\n**hubctl(1)**, **hubctl.yaml(5)**\n")
	return md2man.Render(b.Bytes())
}

// Spec is hubctl.yaml(5): every key path of the spec with its type, what
// it may hold and its description, walked from the JSON Schema.
func Spec(h Header, schemaJSON []byte) ([]byte, error) {
	root, err := parseNode(schemaJSON)
	if err != nil {
		return nil, fmt.Errorf("reading the schema: %w", err)
	}
	w := walker{definitions: map[string]*node{}}
	if defs, ok := root.raw["definitions"]; ok {
		d, err := parseNode(defs)
		if err != nil {
			return nil, err
		}
		for _, name := range d.keys {
			if w.definitions[name], err = parseNode(d.raw[name]); err != nil {
				return nil, err
			}
		}
	}
	if err := w.children("", root); err != nil {
		return nil, err
	}

	var b bytes.Buffer
	preamble(&b, "HUBCTL.YAML", "5", h)
	fmt.Fprintf(&b, "# NAME\nhubctl.yaml \\- %s\n\n", escape(root.str("description")))
	b.WriteString(`# DESCRIPTION
hubctl.yaml is the spec **hubctl(1)** reads: YAML, one document. The keys
below are every key the spec may have, by path; NAME stands for a name the
spec chooses (a service's, a role's). **hubctl validate** checks more than
the types listed here, with a message and a hint for each problem; **hubctl
schema** prints the JSON Schema this page is generated from, for editors.

# KEYS
`)
	for _, e := range w.entries {
		fmt.Fprintf(&b, "**%s** (%s)\n", escape(e.path), escape(e.what))
		if e.description != "" {
			fmt.Fprintf(&b, ": %s\n", escape(e.description))
		}
		b.WriteString("\n")
	}
	b.WriteString("# SEE ALSO\n**hubctl(1)**, **hubctl-validate(1)**, **hubctl-schema(1)**, **hubctl-exit-codes(7)**\n")
	return md2man.Render(b.Bytes()), nil
}

// escape keeps Markdown from reading the schema's text as markup.
func escape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "<", `\<`, "[", `\[`)
	return r.Replace(s)
}

// node is one schema object, its keys in document order.
type node struct {
	keys []string
	raw  map[string]json.RawMessage
}

func parseNode(data []byte) (*node, error) {
	n := &node{raw: map[string]json.RawMessage{}}
	if err := json.Unmarshal(data, &n.raw); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil { // {
		return nil, err
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, err
		}
		n.keys = append(n.keys, key.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return n, nil
}

func (n *node) str(key string) string {
	var s string
	_ = json.Unmarshal(n.raw[key], &s)
	return s
}

func (n *node) child(key string) (*node, bool) {
	raw, ok := n.raw[key]
	if !ok || len(raw) == 0 || raw[0] != '{' {
		return nil, false
	}
	c, err := parseNode(raw)
	return c, err == nil
}

type entry struct{ path, what, description string }

type walker struct {
	definitions map[string]*node
	entries     []entry
}

// deref follows a local $ref (#/definitions/NAME).
func (w *walker) deref(n *node) (*node, error) {
	ref := n.str("$ref")
	if ref == "" {
		return n, nil
	}
	name, ok := strings.CutPrefix(ref, "#/definitions/")
	if d := w.definitions[name]; ok && d != nil {
		return d, nil
	}
	return nil, fmt.Errorf("schema: unresolved $ref %q", ref)
}

// children lists n's keys (properties, then NAME for additionalProperties)
// under prefix, and recurses.
func (w *walker) children(prefix string, n *node) error {
	n, err := w.deref(n)
	if err != nil {
		return err
	}
	var required []string
	_ = json.Unmarshal(n.raw["required"], &required)
	if props, ok := n.child("properties"); ok {
		for _, key := range props.keys {
			c, _ := props.child(key)
			if c == nil {
				continue
			}
			if err := w.key(join(prefix, key), c, contains(required, key)); err != nil {
				return err
			}
		}
	}
	if extra, ok := n.child("additionalProperties"); ok {
		if err := w.key(join(prefix, "NAME"), extra, false); err != nil {
			return err
		}
	}
	// if/then/else, oneOf, anyOf: the alternatives' keys are the key's keys.
	for _, alt := range n.alternatives() {
		if err := w.children(prefix, alt); err != nil {
			return err
		}
	}
	return nil
}

// alternatives are the schemas a value may match instead of n itself:
// then and else of an if, the members of oneOf and anyOf.
func (n *node) alternatives() []*node {
	var alts []*node
	for _, key := range []string{"then", "else"} {
		if c, ok := n.child(key); ok {
			alts = append(alts, c)
		}
	}
	for _, key := range []string{"oneOf", "anyOf"} {
		var members []json.RawMessage
		_ = json.Unmarshal(n.raw[key], &members)
		for _, m := range members {
			if c, err := parseNode(m); err == nil {
				alts = append(alts, c)
			}
		}
	}
	return alts
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (w *walker) key(path string, n *node, required bool) error {
	description := n.str("description")
	n, err := w.deref(n)
	if err != nil {
		return err
	}
	if description == "" {
		description = n.str("description")
	}
	what := describe(n)
	if required {
		what += "; required"
	}
	w.entries = append(w.entries, entry{path: path, what: what, description: description})
	return w.children(path, n)
}

// describe is a key's type and constraints in words.
func describe(n *node) string {
	var parts []string
	switch {
	case n.raw["const"] != nil:
		parts = append(parts, "exactly "+string(n.raw["const"]))
	case n.raw["enum"] != nil:
		var values []any
		_ = json.Unmarshal(n.raw["enum"], &values)
		parts = append(parts, "one of "+joinValues(values))
	default:
		if t := types(n); t != "" {
			parts = append(parts, t)
		}
	}
	var alts []string
	for _, alt := range n.alternatives() {
		alts = append(alts, describe(alt))
	}
	if len(alts) > 0 {
		parts = append(parts, strings.Join(alts, " or "))
	}
	if f := n.str("format"); f != "" {
		parts = append(parts, strings.ToUpper(f))
	}
	if p := n.str("pattern"); p != "" {
		parts = append(parts, "matching "+p)
	}
	if names, ok := n.child("propertyNames"); ok && names.str("pattern") != "" {
		parts = append(parts, "names matching "+names.str("pattern"))
	}
	if m := n.raw["minimum"]; m != nil {
		parts = append(parts, "at least "+string(m))
	}
	if len(parts) == 0 {
		return "any"
	}
	return strings.Join(parts, ", ")
}

func types(n *node) string {
	var list []string
	if err := json.Unmarshal(n.raw["type"], &list); err != nil {
		if t := n.str("type"); t != "" {
			list = []string{t}
		}
	}
	for i, t := range list {
		if t == "array" {
			if items, ok := n.child("items"); ok && items.str("type") != "" {
				list[i] = "list of " + items.str("type")
			} else {
				list[i] = "list"
			}
		}
		if t == "object" && n.raw["additionalProperties"] != nil && n.raw["properties"] == nil {
			list[i] = "mapping by NAME"
		}
	}
	return strings.Join(list, " or ")
}

func joinValues(values []any) string {
	var s []string
	for _, v := range values {
		s = append(s, fmt.Sprint(v))
	}
	sort.Strings(s)
	return strings.Join(s, ", ")
}
