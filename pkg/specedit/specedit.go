// Package specedit changes one value of a YAML file in place, leaving every
// other byte as it was: comments, order, quoting, indentation and line
// endings are the operator's, and a rewrite through a YAML encoder would
// lose them.
package specedit

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/hubctl/hubctl/pkg/atomicfile"
	"github.com/hubctl/hubctl/pkg/lazyre"
)

var utf8BOM = []byte("\xef\xbb\xbf")

// SetString sets the string at keys (["login", "clientId"]) in the YAML
// file at path to value. An existing scalar has exactly its bytes replaced,
// in its quote style; an absent key is added as a new line after the last
// entry of its block mapping. Anything it cannot change that way (a flow
// mapping, a missing parent, a block or multi-line scalar, an anchor or a
// tag) is an error that says to make the change by hand. The file is
// replaced atomically and keeps its mode.
func SetString(path string, keys []string, value string) error {
	if len(keys) == 0 {
		return errors.New("specedit: no key to set")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	// yaml.v3 skips a byte order mark without counting it in columns, so
	// positions are found in the text after it; the mark is kept.
	bom := bytes.HasPrefix(data, utf8BOM)
	src := bytes.TrimPrefix(data, utf8BOM)
	out, changed, err := edit(src, keys, value)
	var r *refusal
	if errors.As(err, &r) && r.line > 0 {
		return fmt.Errorf("%s:%d: %w", path, r.line, err)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if !changed {
		return nil
	}
	if bom {
		out = append(append([]byte{}, utf8BOM...), out...)
	}
	return atomicfile.Write(path, out, 0o644)
}

// refusal is an edit that cannot be done in place, at a line of the file
// (0 for the file as a whole).
type refusal struct {
	line int
	msg  string
}

func (r *refusal) Error() string { return r.msg }

func manual(keys []string, line int, why string) error {
	return &refusal{line, fmt.Sprintf("%s, so hubctl cannot set %s in place: set it by hand", why, strings.Join(keys, "."))}
}

// edit returns src with the value at keys set, and whether anything
// changed. The result is parsed again and must equal src's document with
// only that value changed.
func edit(src []byte, keys []string, value string) ([]byte, bool, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, false, fmt.Errorf("not valid YAML: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, false, manual(keys, 0, "the file is empty")
	}
	m := doc.Content[0]
	for i, k := range keys[:len(keys)-1] {
		if err := blockMapping(m, keys[:i], keys); err != nil {
			return nil, false, err
		}
		_, v, err := lookup(m, k, keys[:i+1], keys)
		if err != nil {
			return nil, false, err
		}
		if v == nil {
			return nil, false, manual(keys, 0, "there is no "+strings.Join(keys[:i+1], ".")+" mapping")
		}
		m = v
	}
	if err := blockMapping(m, keys[:len(keys)-1], keys); err != nil {
		return nil, false, err
	}
	text := newText(src)
	last := keys[len(keys)-1]
	k, v, err := lookup(m, last, keys, keys)
	if err != nil {
		return nil, false, err
	}
	var out []byte
	if v == nil {
		out, err = text.insert(m, last, value)
	} else {
		if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!str" && v.Value == value {
			return src, false, nil
		}
		out, err = text.replace(k, v, keys, value)
	}
	if err != nil {
		return nil, false, err
	}
	if err := verify(src, out, keys, value); err != nil {
		return nil, false, err
	}
	return out, true, nil
}

// blockMapping refuses anything but a block mapping at path.
func blockMapping(m *yaml.Node, path, keys []string) error {
	name := "the file's top level"
	if len(path) > 0 {
		name = strings.Join(path, ".")
	}
	switch {
	case m.Kind == yaml.AliasNode:
		return manual(keys, m.Line, name+" is an alias (*"+m.Value+")")
	case m.Kind != yaml.MappingNode:
		return manual(keys, m.Line, name+" is not a mapping")
	case m.Style&yaml.FlowStyle != 0:
		return manual(keys, m.Line, name+" is a flow mapping ({...})")
	case m.Anchor != "":
		return manual(keys, m.Line, name+" has an anchor (&"+m.Anchor+") that other keys may share")
	}
	return nil
}

// lookup finds key k in mapping m; nil when it is absent.
func lookup(m *yaml.Node, k string, path, keys []string) (key, value *yaml.Node, err error) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		c := m.Content[i]
		if c.Kind == yaml.ScalarNode && c.Value == k {
			if key != nil {
				return nil, nil, manual(keys, c.Line, strings.Join(path, ".")+" appears twice (also line "+fmt.Sprint(key.Line)+")")
			}
			key, value = c, m.Content[i+1]
		}
	}
	return key, value, nil
}

// text is the file split into lines as YAML counts them.
type text struct {
	src   []byte
	lines []line
}

// line is one line: its content is src[start:end], its line break
// src[end:next].
type line struct{ start, end, next int }

func newText(src []byte) text {
	var t text
	t.src = src
	start := 0
	for i := 0; i < len(src); {
		n := lineBreak(src[i:])
		if n == 0 {
			i++
			continue
		}
		t.lines = append(t.lines, line{start, i, i + n})
		i += n
		start = i
	}
	if start < len(src) || len(src) == 0 {
		t.lines = append(t.lines, line{start, len(src), len(src)})
	}
	return t
}

// lineBreak is the length of the line break at the start of b, 0 for
// none: yaml.v3 also breaks lines at NEL, LS and PS.
func lineBreak(b []byte) int {
	switch {
	case bytes.HasPrefix(b, []byte("\r\n")):
		return 2
	case len(b) > 0 && (b[0] == '\n' || b[0] == '\r'):
		return 1
	case bytes.HasPrefix(b, []byte("\u0085")):
		return 2
	case bytes.HasPrefix(b, []byte("\u2028")), bytes.HasPrefix(b, []byte("\u2029")):
		return 3
	}
	return 0
}

// offset is the byte offset of a node's position: yaml.v3's lines and
// columns start at 1 and count characters.
func (t text) offset(lineNo, column int) (int, bool) {
	if lineNo < 1 || lineNo > len(t.lines) {
		return 0, false
	}
	l := t.lines[lineNo-1]
	i := l.start
	for range column - 1 {
		if i >= l.end {
			return 0, false
		}
		_, size := utf8.DecodeRune(t.src[i:l.end])
		i += size
	}
	return i, true
}

// lineEnding is the file's line break, for a line it adds.
func (t text) lineEnding() string {
	for _, l := range t.lines {
		if l.next > l.end {
			return string(t.src[l.end:l.next])
		}
	}
	return "\n"
}

func (t text) splice(from, to int, with string) []byte {
	out := make([]byte, 0, len(t.src)+len(with))
	out = append(out, t.src[:from]...)
	out = append(out, with...)
	return append(out, t.src[to:]...)
}

// replace swaps the bytes of scalar v, the value of key k.
func (t text) replace(k, v *yaml.Node, keys []string, value string) ([]byte, error) {
	name := strings.Join(keys, ".")
	switch {
	case v.Kind == yaml.AliasNode:
		return nil, manual(keys, v.Line, name+" is an alias (*"+v.Value+")")
	case v.Kind != yaml.ScalarNode:
		return nil, manual(keys, v.Line, name+" is not a string but a "+kindName(v.Kind))
	case v.Style&yaml.TaggedStyle != 0 || v.Anchor != "":
		return nil, manual(keys, v.Line, name+" has a tag or an anchor")
	case v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		return nil, manual(keys, v.Line, name+" is a block scalar (| or >)")
	}
	if v.Style == 0 && v.Value == "" && v.ShortTag() == "!!null" {
		// An empty value has no bytes of its own: the new one goes after
		// the key's colon, before any comment.
		colon, ok := t.colonAfter(k)
		if !ok {
			return nil, manual(keys, k.Line, "the colon after "+name+"'s key is not on its line")
		}
		return t.splice(colon+1, colon+1, " "+render(value, 0)), nil
	}
	start, ok := t.offset(v.Line, v.Column)
	if !ok {
		return nil, manual(keys, v.Line, "the position of "+name+" is not in the file")
	}
	end, ok := t.scalarEnd(start, v.Line, v.Style)
	if !ok || (v.Style == 0 && string(t.src[start:end]) != v.Value) {
		return nil, manual(keys, v.Line, name+" spans more than one line")
	}
	return t.splice(start, end, render(value, v.Style)), nil
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "sequence"
	}
	return "node"
}

// scalarEnd is where the scalar starting at start on lineNo ends, when it
// ends on that line.
func (t text) scalarEnd(start, lineNo int, style yaml.Style) (int, bool) {
	end := t.lines[lineNo-1].end
	b := t.src
	switch {
	case style&yaml.SingleQuotedStyle != 0:
		for i := start + 1; i < end; i++ {
			if b[i] == '\'' {
				if i+1 < end && b[i+1] == '\'' {
					i++
					continue
				}
				return i + 1, true
			}
		}
		return 0, false
	case style&yaml.DoubleQuotedStyle != 0:
		for i := start + 1; i < end; i++ {
			switch b[i] {
			case '\\':
				i++
			case '"':
				return i + 1, true
			}
		}
		return 0, false
	}
	// A plain scalar runs to a comment (a # after white space) or the end
	// of the line, less trailing white space.
	stop := end
	for i := start; i < end; i++ {
		if b[i] == '#' && i > start && (b[i-1] == ' ' || b[i-1] == '\t') {
			stop = i
			break
		}
	}
	for stop > start && (b[stop-1] == ' ' || b[stop-1] == '\t') {
		stop--
	}
	return stop, true
}

// colonAfter is the offset of the mapping colon after key k, on its line.
func (t text) colonAfter(k *yaml.Node) (int, bool) {
	start, ok := t.offset(k.Line, k.Column)
	if !ok {
		return 0, false
	}
	i := start
	end := t.lines[k.Line-1].end
	if k.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0 {
		if i, ok = t.scalarEnd(start, k.Line, k.Style); !ok {
			return 0, false
		}
	}
	for ; i < end; i++ {
		if t.src[i] == ':' && (i+1 == end || t.src[i+1] == ' ' || t.src[i+1] == '\t') {
			return i, true
		}
	}
	return 0, false
}

// insert adds "key: value" as a new line after the last entry of block
// mapping m, nested lines included, at the indentation of m's keys.
func (t text) insert(m *yaml.Node, key, value string) ([]byte, error) {
	indent := m.Content[0].Column - 1
	lastKey := m.Content[len(m.Content)-2]
	last := lastKey.Line - 1
scan:
	for i := last + 1; i < len(t.lines); i++ {
		content := string(t.src[t.lines[i].start:t.lines[i].end])
		trimmed := strings.TrimLeft(content, " ")
		lead := len(content) - len(trimmed)
		switch {
		case strings.TrimSpace(trimmed) == "":
			continue // a blank line belongs to whatever follows it
		case lead > indent:
			last = i
			continue
		case lead == indent && (trimmed == "-" || strings.HasPrefix(trimmed, "- ") || strings.HasPrefix(trimmed, "-\t")):
			// A block sequence may sit at its key's indentation.
			last = i
			continue
		case strings.HasPrefix(trimmed, "#"):
			continue // a comment does not end a mapping
		}
		break scan
	}
	entry := strings.Repeat(" ", indent) + renderKey(key) + ": " + render(value, 0)
	l := t.lines[last]
	if l.next == l.end {
		// The last line has no line break: the file still ends without one.
		return t.splice(l.end, l.end, t.lineEnding()+entry), nil
	}
	return t.splice(l.next, l.next, entry+string(t.src[l.end:l.next])), nil
}

// render writes value as a scalar in the given quote style, or plain when
// plain reads back as the same string, else double-quoted.
func render(value string, style yaml.Style) string {
	switch {
	case style&yaml.SingleQuotedStyle != 0 && singleQuotable(value):
		return "'" + strings.ReplaceAll(value, "'", "''") + "'"
	case style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0:
		return doubleQuote(value)
	case plainReadsBack(value):
		return value
	}
	return doubleQuote(value)
}

func renderKey(key string) string {
	if plainReadsBack(key) {
		return key
	}
	return doubleQuote(key)
}

// plainReadsBack reports whether value, written plain after a key, parses
// back as that same string (not a number, a boolean, null, a comment...).
func plainReadsBack(value string) bool {
	if value == "" || strings.ContainsAny(value, "\r\n\u0085\u2028\u2029") || yaml11Scalar(value) {
		return false
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("k: "+value+"\n"), &doc); err != nil || len(doc.Content) != 1 {
		return false
	}
	m := doc.Content[0]
	if m.Kind != yaml.MappingNode || len(m.Content) != 2 {
		return false
	}
	v := m.Content[1]
	return v.Kind == yaml.ScalarNode && v.Style == 0 && v.ShortTag() == "!!str" && v.Value == value
}

// base60 is YAML 1.1's sexagesimal number (1:20:30), as yaml.v3 tells it.
var base60 = lazyre.New(`^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`)

// yaml11Scalar reports a string that YAML 1.2 reads as a string and YAML
// 1.1 as a boolean or a number: yaml.v3 quotes those when it writes, so
// that a YAML 1.1 reader gets the string too, and so does hubctl.
func yaml11Scalar(s string) bool {
	switch s {
	case "y", "Y", "yes", "Yes", "YES", "on", "On", "ON",
		"n", "N", "no", "No", "NO", "off", "Off", "OFF":
		return true
	}
	return base60().MatchString(s)
}

func singleQuotable(value string) bool {
	for _, r := range value {
		if !unicode.IsPrint(r) && r != ' ' {
			return false
		}
	}
	return utf8.ValidString(value)
}

// doubleQuote writes value as a YAML double-quoted scalar, escaping what
// YAML requires and anything not printable.
func doubleQuote(value string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range value {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case unicode.IsPrint(r) || r == ' ':
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02X`, r)
		case r < 0x10000:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			fmt.Fprintf(&b, `\U%08X`, r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// verify parses the edited text and checks that its document is the
// original with only the value at keys changed, so that an edit that went
// wrong is never written.
func verify(src, out []byte, keys []string, value string) error {
	var before, after yaml.Node
	if err := yaml.Unmarshal(src, &before); err != nil {
		return err
	}
	if err := yaml.Unmarshal(out, &after); err != nil {
		return manual(keys, 0, "the edited file does not parse ("+err.Error()+")")
	}
	m := before.Content[0]
	for _, k := range keys[:len(keys)-1] {
		_, m, _ = lookup(m, k, nil, keys)
	}
	want := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value}
	if _, v, _ := lookup(m, keys[len(keys)-1], nil, keys); v != nil {
		*v = *want
	} else {
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: keys[len(keys)-1]}, want)
	}
	if !same(&before, &after) {
		return manual(keys, 0, "changing it in place would change other values too")
	}
	return nil
}

// same compares documents as data: kinds, tags, values, anchors, never
// positions, styles or comments.
func same(a, b *yaml.Node) bool {
	if a.Kind != b.Kind || a.Value != b.Value || a.Anchor != b.Anchor || len(a.Content) != len(b.Content) {
		return false
	}
	if a.Kind == yaml.ScalarNode && a.ShortTag() != b.ShortTag() {
		return false
	}
	for i := range a.Content {
		if !same(a.Content[i], b.Content[i]) {
			return false
		}
	}
	return true
}
