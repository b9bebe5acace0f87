package valuesdoc

import (
	"errors"
	"fmt"
	"strconv"

	"gopkg.in/yaml.v3"
)

// Merged is several values files laid over each other as helm -f a -f b
// lays them: mappings merge key by key, anything else (lists included) is
// replaced by the later file, and a null deletes the key. The merged nodes
// are the files' own, so every value keeps its position, and FileOf names
// the file it came from.
type Merged struct {
	Root   *yaml.Node
	Layers []*yaml.Node // each file's values below the prefix, in order
	fileOf map[*yaml.Node]string
}

// FileOf names the file a node of Root was written in.
func (m *Merged) FileOf(n *yaml.Node) string { return m.fileOf[n] }

// maxMergedNodes bounds the nodes a merge visits, so that an alias bomb (a
// few lines whose aliases expand to billions of nodes) is refused, not
// expanded. Helm's own parser stops such a file too.
const maxMergedNodes = 1_000_000

// ErrTooLarge is a values file whose aliases expand past maxMergedNodes.
var ErrTooLarge = errors.New("the aliases expand to more than a million values (an alias bomb?)")

// Merge lays the documents over each other below prefix. A document
// without the prefix contributes nothing.
func Merge(prefix Path, docs ...*Doc) (*Merged, error) {
	m := &Merged{fileOf: map[*yaml.Node]string{}}
	budget := maxMergedNodes
	var root *yaml.Node
	for _, d := range docs {
		layer := d.At(prefix)
		if layer != nil && layer.Kind != yaml.MappingNode && !isNull(layer) {
			return nil, &SyntaxError{File: d.File, Line: layer.Line, Column: layer.Column,
				Msg: fmt.Sprintf("%s must be a mapping of chart values, not %s", prefixName(prefix), kindName(layer))}
		}
		if layer == nil || isNull(layer) {
			m.Layers = append(m.Layers, nil)
			continue
		}
		m.Layers = append(m.Layers, layer)
		if err := m.record(layer, d.File, &budget, 0); err != nil {
			return nil, fmt.Errorf("%s: %w", d.File, err)
		}
		root = m.mergeNode(root, layer, d.File)
	}
	m.Root = root
	return m, nil
}

func prefixName(p Path) string {
	if len(p) == 0 {
		return "the file"
	}
	s := ""
	for i, k := range p {
		if i > 0 {
			s += "."
		}
		s += k
	}
	return s
}

// record notes the file of every node reachable from n, aliases followed,
// within budget.
func (m *Merged) record(n *yaml.Node, file string, budget *int, depth int) error {
	if n == nil {
		return nil
	}
	*budget--
	if *budget < 0 {
		return ErrTooLarge
	}
	if depth > 10000 {
		return errors.New("values nested more than 10,000 levels deep")
	}
	// A node reached twice through aliases costs each visit, so the budget
	// counts the expansion.
	m.fileOf[n] = file
	if n.Kind == yaml.AliasNode {
		return m.record(n.Alias, file, budget, depth+1)
	}
	for _, c := range n.Content {
		if err := m.record(c, file, budget, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// mergeNode lays over on base. Two mappings make a new mapping of the
// pairs helm would see; otherwise over wins, and a null over deletes.
func (m *Merged) mergeNode(base, over *yaml.Node, file string) *yaml.Node {
	over = resolve(over)
	base = resolve(base)
	if base == nil || over == nil || base.Kind != yaml.MappingNode || over.Kind != yaml.MappingNode {
		return over
	}
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: over.Line, Column: over.Column}
	m.fileOf[out] = file
	index := map[string]int{}
	for _, kv := range Pairs(base) {
		index[kv.Key.Value] = len(out.Content)
		out.Content = append(out.Content, kv.Key, kv.Value)
	}
	for _, kv := range Pairs(over) {
		k, v := kv.Key, kv.Value
		i, ok := index[k.Value]
		switch {
		case isNull(v) && ok:
			// helm: a null deletes the key from what came before.
			out.Content[i+1] = nil
		case ok:
			out.Content[i], out.Content[i+1] = k, m.mergeNode(out.Content[i+1], v, file)
		case !isNull(v):
			index[k.Value] = len(out.Content)
			out.Content = append(out.Content, k, v)
		}
	}
	kept := out.Content[:0]
	for i := 0; i+1 < len(out.Content); i += 2 {
		if out.Content[i+1] != nil {
			kept = append(kept, out.Content[i], out.Content[i+1])
		}
	}
	out.Content = kept
	return out
}

// Plain turns values into the maps, lists and scalars helm works with,
// merge keys applied as helm applies them; for the chart's schema.
func Plain(n *yaml.Node) any { return plain(n, 0) }

func plain(n *yaml.Node, depth int) any {
	n = resolve(n)
	if n == nil || depth > 10000 {
		return nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		out := map[string]any{}
		for _, kv := range Pairs(n) {
			out[kv.Key.Value] = plain(kv.Value, depth+1)
		}
		return out
	case yaml.SequenceNode:
		out := make([]any, len(n.Content))
		for i, c := range n.Content {
			out[i] = plain(c, depth+1)
		}
		return out
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return n.Value
	}
	return v
}

// Locate finds the node at path below root, list items by their index;
// for a mapping key it returns the key's node, where a person looks.
func Locate(root *yaml.Node, path []string) (*yaml.Node, bool) {
	cur, at := resolve(root), resolve(root)
	for _, seg := range path {
		switch {
		case cur == nil:
			return nil, false
		case cur.Kind == yaml.MappingNode:
			kv, found := Get(cur, seg)
			if !found {
				return nil, false
			}
			at, cur = kv.Key, kv.Value
		case cur.Kind == yaml.SequenceNode:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(cur.Content) {
				return nil, false
			}
			cur = resolve(cur.Content[i])
			at = cur
		default:
			return nil, false
		}
	}
	return at, at != nil
}
