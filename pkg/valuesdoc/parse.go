package valuesdoc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	goyaml "github.com/goccy/go-yaml"
	goyamlparser "github.com/goccy/go-yaml/parser"
	"gopkg.in/yaml.v3"

	"github.com/hubctl/hubctl/pkg/lazyre"
)

var utf8BOM = []byte("\xef\xbb\xbf")

// Doc is one values file: its original bytes and the parsed nodes of its
// first YAML document, which is all helm reads.
type Doc struct {
	File string

	bom     int    // length of the byte order mark in front of body
	body    []byte // the file after the byte order mark
	lines   []span
	newline string // the line break the file uses, for inserted lines

	root *yaml.Node // the values mapping; nil when the document is empty
	// docStart and docEnd are the line indexes [start, end) of the first
	// document's text, without the --- or ... that ends it.
	docStart, docEnd int
	dups             []Duplicate
	style            layout
}

// Pos is a 1-based line and column.
type Pos struct{ Line, Column int }

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Column) }

// Duplicate is a key written twice in one mapping. yaml.v3 refuses it when
// decoding, but helm takes the last one without a word, and so does this
// package; the caller decides whether to report it.
type Duplicate struct {
	Path          Path
	First, Second Pos
}

// SyntaxError is text that is not YAML, at the place that is wrong.
type SyntaxError struct {
	File         string
	Line, Column int
	Msg          string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
}

// Parse reads a values file. The file keeps every byte of data, so that
// Apply with no edits gives data back.
func Parse(file string, data []byte) (*Doc, error) {
	d, err := parseAny(file, data)
	if err != nil {
		return nil, err
	}
	if d.root != nil && d.root.Kind != yaml.MappingNode {
		r := d.root
		return nil, &SyntaxError{File: file, Line: r.Line, Column: r.Column,
			Msg: "values must be a mapping of keys, not " + kindName(r)}
	}
	d.style = detectLayout(d.root)
	return d, nil
}

// parseAny reads a YAML text whose first document may be of any kind (the
// Value of an edit is one).
func parseAny(file string, data []byte) (*Doc, error) {
	d := &Doc{File: file}
	if bytes.HasPrefix(data, utf8BOM) {
		d.bom = len(utf8BOM)
	}
	d.body = data[d.bom:]
	d.lines = splitLines(d.body)
	d.newline = "\n"
	for _, l := range d.lines {
		if l.next > l.end {
			d.newline = string(d.body[l.end:l.next])
			break
		}
	}
	var doc yaml.Node
	err := yaml.NewDecoder(bytes.NewReader(d.body)).Decode(&doc)
	switch {
	case errors.Is(err, io.EOF):
		d.docStart, d.docEnd = 0, d.findDocEnd(0)
		return d, nil
	case err != nil:
		return nil, d.syntaxError(err)
	}
	// The first document starts at the top, with the comments there (which
	// yaml.v3 does not count in its position), or after its --- marker.
	d.docStart = 0
	for i := range d.lines {
		l := d.line(i)
		if isBlank(l) || isCommentLine(l) {
			continue
		}
		if isMarker(l) && l[0] == '-' {
			d.docStart = i + 1
		}
		break
	}
	d.docEnd = d.findDocEnd(d.docStart)
	if len(doc.Content) > 0 {
		r := doc.Content[0]
		if !(r.Kind == yaml.ScalarNode && r.ShortTag() == "!!null") {
			d.root = r
		}
	}
	if d.root != nil && d.root.Kind == yaml.MappingNode {
		d.dups = findDuplicates(d.root, nil, nil)
	}
	return d, nil
}

// Root is the values mapping, nil for an empty file.
func (d *Doc) Root() *yaml.Node {
	if d == nil {
		return nil
	}
	return d.root
}

// Duplicates are the keys written twice, in file order.
func (d *Doc) Duplicates() []Duplicate { return d.dups }

// Bytes is the file as it was read.
func (d *Doc) Bytes() []byte {
	out := make([]byte, 0, d.bom+len(d.body))
	out = append(out, utf8BOM[:d.bom]...)
	return append(out, d.body...)
}

// At returns the node at prefix as helm sees it (aliases followed), the
// root for an empty prefix, or nil when there is none.
func (d *Doc) At(prefix Path) *yaml.Node {
	if len(prefix) == 0 {
		return d.Root()
	}
	_, v, ok := Lookup(d.Root(), prefix)
	if !ok {
		return nil
	}
	return v
}

var yamlLine = lazyre.New(`^yaml: line (\d+): (.*)$`)

// syntaxError places yaml.v3's complaint. yaml.v3 names the problem and a
// line but no column; goccy/go-yaml's parser is asked only for the column.
func (d *Doc) syntaxError(err error) error {
	e := &SyntaxError{File: d.File, Line: 1, Column: 1, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
	if m := yamlLine().FindStringSubmatch(err.Error()); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		e.Msg = m[2]
	}
	var se *goyaml.SyntaxError
	if _, perr := goyamlparser.ParseBytes(d.body, 0); errors.As(perr, &se) && se.Token != nil && se.Token.Position.Line == e.Line {
		e.Column = max(se.Token.Position.Column, 1)
	} else if e.Line-1 < len(d.lines) && e.Line >= 1 {
		e.Column = indentOf(d.line(e.Line-1)) + 1
	}
	return e
}

func findDuplicates(m *yaml.Node, path Path, out []Duplicate) []Duplicate {
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!merge" {
			continue
		}
		p := append(append(Path{}, path...), k.Value)
		if first, ok := seen[k.Value]; ok {
			out = append(out, Duplicate{Path: p, First: Pos{first.Line, first.Column}, Second: Pos{k.Line, k.Column}})
		}
		seen[k.Value] = k
		if v.Kind == yaml.MappingNode {
			out = findDuplicates(v, p, out)
		}
	}
	return out
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a single value"
	case yaml.AliasNode:
		return "an alias"
	}
	return "a mapping"
}

// Resolve follows aliases and unwraps a document node; nil for an alias
// cycle or nothing.
func Resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && i < 100; i++ {
		switch {
		case n.Kind == yaml.AliasNode:
			n = n.Alias
		case n.Kind == yaml.DocumentNode && len(n.Content) > 0:
			n = n.Content[0]
		default:
			return n
		}
	}
	return nil
}

func resolve(n *yaml.Node) *yaml.Node { return Resolve(n) }

func isNull(n *yaml.Node) bool {
	return n != nil && n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// maxMergeDepth bounds merge keys that merge mappings with merge keys.
const maxMergeDepth = 50

// Pair is one key of a mapping and its value, aliases resolved.
type Pair struct{ Key, Value *yaml.Node }

// Pairs returns a mapping's keys and values as helm reads them: merge keys
// applied where they are written, later keys overriding earlier ones,
// aliases followed. Keys keep the order they first appear in. Anything but
// a mapping has none.
func Pairs(m *yaml.Node) []Pair {
	var out []Pair
	index := map[string]int{}
	set := func(k, v *yaml.Node) {
		if i, ok := index[k.Value]; ok {
			out[i] = Pair{k, resolve(v)}
			return
		}
		index[k.Value] = len(out)
		out = append(out, Pair{k, resolve(v)})
	}
	var add func(m *yaml.Node, depth int)
	add = func(m *yaml.Node, depth int) {
		m = resolve(m)
		if m == nil || m.Kind != yaml.MappingNode || depth > maxMergeDepth {
			return
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			k, v := m.Content[i], m.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				continue
			}
			if k.ShortTag() == "!!merge" {
				switch rv := resolve(v); {
				case rv == nil:
				case rv.Kind == yaml.SequenceNode:
					// Earlier mappings take precedence.
					for j := len(rv.Content) - 1; j >= 0; j-- {
						add(rv.Content[j], depth+1)
					}
				default:
					add(rv, depth+1)
				}
				continue
			}
			set(k, v)
		}
	}
	add(m, 0)
	return out
}

// Lookup finds the key and value at path below root as helm sees the
// mapping: aliases followed, merge keys applied, the last of duplicate keys.
// The value is returned with aliases resolved.
func Lookup(root *yaml.Node, path Path) (key, value *yaml.Node, ok bool) {
	cur := resolve(root)
	for _, seg := range path {
		if cur == nil || cur.Kind != yaml.MappingNode {
			return nil, nil, false
		}
		kv, found := Get(cur, seg)
		if !found {
			return nil, nil, false
		}
		key, cur = kv.Key, kv.Value
	}
	if len(path) == 0 {
		return nil, cur, cur != nil
	}
	return key, cur, cur != nil
}

// Get finds key in mapping m as helm reads it (Pairs).
func Get(m *yaml.Node, key string) (Pair, bool) {
	for _, p := range Pairs(m) {
		if p.Key.Value == key {
			return p, true
		}
	}
	return Pair{}, false
}

// LookupPair follows a key path from m as helm reads it; the pair is the
// last key's.
func LookupPair(m *yaml.Node, path ...string) (Pair, bool) {
	var p Pair
	for _, k := range path {
		var ok bool
		if p, ok = Get(m, k); !ok {
			return Pair{}, false
		}
		m = p.Value
	}
	return p, len(path) > 0
}
