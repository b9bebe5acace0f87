package valuesdoc

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// EditError is an edit that cannot be made by splicing text, with the
// place that stops it; the caller reports it and leaves the file alone.
type EditError struct {
	File         string
	Line, Column int
	Path         Path
	Msg          string
}

func (e *EditError) Error() string {
	where := e.File
	if e.Line > 0 {
		where = fmt.Sprintf("%s:%d:%d", e.File, e.Line, e.Column)
	}
	return fmt.Sprintf("%s: cannot change %s: %s; make the change by hand", where, strings.Join(e.Path, "."), e.Msg)
}

// Apply makes the edits in order, below prefix, and returns the new file.
// Each edit splices text into the file as the one before left it, so every
// byte outside the edited entries stays as it was. With no edits, or edits
// that change nothing, the result is the file as read.
func (d *Doc) Apply(prefix Path, edits ...Edit) ([]byte, error) {
	cur := d
	for _, e := range edits {
		full := e
		full.Path = append(slices.Clone(prefix), e.Path...)
		if e.Kind == MoveKey {
			full.To = append(slices.Clone(prefix), e.To...)
		}
		body, err := cur.apply(full)
		// An edit inside a flow mapping ({...}) rewrites that one entry in
		// block style first, then goes on; each round removes one level.
		// A comment is no reason to restyle an entry: it is left out there.
		for round := 0; err != nil && e.Kind != AddComment && round < 64; round++ {
			var fe *flowMapping
			if !errors.As(err, &fe) {
				break
			}
			blocked, berr := cur.blockify(fe.at)
			if berr != nil {
				return nil, berr
			}
			if cur, berr = Parse(d.File, append(slices.Clone(utf8BOM[:d.bom]), blocked...)); berr != nil {
				return nil, fmt.Errorf("valuesdoc: %s after writing a flow mapping in block style: %w", d.File, berr)
			}
			body, err = cur.apply(full)
		}
		if err != nil {
			var fe *flowMapping
			if errors.As(err, &fe) {
				return nil, fe.EditError
			}
			return nil, err
		}
		if bytes.Equal(body, cur.body) {
			continue
		}
		next, err := Parse(d.File, append(slices.Clone(utf8BOM[:d.bom]), body...))
		if err != nil {
			// An edit that breaks the file is a bug here, never the user's.
			return nil, fmt.Errorf("valuesdoc: %s after %s: %w", d.File, describe(full), err)
		}
		cur = next
	}
	return cur.Bytes(), nil
}

func describe(e Edit) string {
	p := strings.Join(e.Path, ".")
	switch e.Kind {
	case SetValue:
		return "setting " + p
	case DeleteKey:
		return "deleting " + p
	case RenameKey:
		return "renaming " + p + " to " + e.NewKey
	case MoveKey:
		return "moving " + p + " to " + strings.Join(e.To, ".")
	}
	return "a comment at " + p
}

func (d *Doc) apply(e Edit) ([]byte, error) {
	if len(e.Path) == 0 {
		return nil, d.editError(e.Path, nil, "an edit needs a key")
	}
	switch e.Kind {
	case SetValue:
		return d.setValue(e.Path, e.Value)
	case DeleteKey:
		return d.deleteKey(e.Path)
	case RenameKey:
		return d.renameKey(e.Path, e.NewKey)
	case MoveKey:
		return d.moveKey(e.Path, e.To)
	case AddComment:
		return d.addComment(e.Path, e.Comment)
	}
	return nil, fmt.Errorf("valuesdoc: unknown edit kind %d", e.Kind)
}

func (d *Doc) editError(p Path, at *yaml.Node, msg string) error {
	e := &EditError{File: d.File, Path: p, Msg: msg}
	if at != nil {
		e.Line, e.Column = at.Line, at.Column
	}
	return e
}

// located is a key written in the file: its mapping and its index there.
type located struct {
	parent *yaml.Node
	index  int // of the key in parent.Content
}

// find walks the keys as they are written (no aliases, no merge keys, so
// an edit never reaches through an anchor and changes every alias of it).
// It returns the written keys along path, as far as they go, and the
// mapping the next key would go into (nil when the walk stopped at a
// value that is not a block mapping).
func (d *Doc) find(p Path) (chain []located, err error) {
	m := d.root
	for depth, seg := range p {
		if m == nil || isNull(m) {
			return chain, nil
		}
		if m.Kind == yaml.AliasNode {
			return nil, d.editError(p[:depth], m, "it is an alias of &"+m.Value+", and changing it would change every alias")
		}
		if m.Kind != yaml.MappingNode {
			return nil, d.editError(p[:depth], m, "it holds "+kindName(m)+", not a mapping")
		}
		idx := -1
		for i := 0; i+1 < len(m.Content); i += 2 {
			if k := m.Content[i]; k.Kind == yaml.ScalarNode && k.ShortTag() != "!!merge" && k.Value == seg {
				if idx >= 0 {
					return nil, d.editError(p[:depth+1], k, fmt.Sprintf("the key is written twice (lines %d and %d); remove one first", m.Content[idx].Line, k.Line))
				}
				idx = i
			}
		}
		if idx < 0 {
			return chain, nil
		}
		if m.Style&yaml.FlowStyle != 0 {
			return nil, d.flowError(p[:depth], chain, m)
		}
		chain = append(chain, located{m, idx})
		m = m.Content[idx+1]
	}
	return chain, nil
}

// lookupEntry finds the entry at p, which must be written in the file.
func (d *Doc) lookupEntry(p Path) (entry, bool, error) {
	chain, err := d.find(p)
	if err != nil || len(chain) < len(p) {
		return entry{}, false, err
	}
	last := chain[len(chain)-1]
	e, err := d.entryAt(last.parent, last.index)
	if err != nil {
		return entry{}, false, d.editError(p, last.parent.Content[last.index], err.Error())
	}
	return e, true, nil
}

// span of whole lines [first, last], as offsets.
func (d *Doc) linesRange(first, last int) (int, int) {
	return d.lineStart(first), d.lineStart(last + 1)
}

func (d *Doc) deleteKey(p Path) ([]byte, error) {
	chain, err := d.find(p)
	if err != nil {
		return nil, err
	}
	if len(chain) < len(p) {
		return d.body, nil // already gone
	}
	// A mapping left empty goes too: `auth:` with nothing under it is a
	// null, and helm reads a null as "delete the chart's default".
	for len(chain) > 1 && len(chain[len(chain)-1].parent.Content) == 2 {
		chain = chain[:len(chain)-1]
	}
	last := chain[len(chain)-1]
	e, err := d.entryAt(last.parent, last.index)
	if err != nil {
		return nil, d.editError(p[:len(chain)], e.key, err.Error())
	}
	first, end := e.leadLine, e.lastLine
	// An entry set off by blank lines on both sides takes one of them, so
	// its going leaves one gap, not two.
	blankAt := func(i int) bool { return i >= d.docStart && i < d.docEnd && isBlank(d.line(i)) }
	if blankAt(first-1) && (blankAt(end+1) || end+1 >= d.docEnd) {
		if blankAt(end + 1) {
			end++
		} else {
			first--
		}
	}
	from, to := d.linesRange(first, end)
	return d.applySplices([]splice{{from, to, ""}}), nil
}

func (d *Doc) renameKey(p Path, newKey string) ([]byte, error) {
	e, ok, err := d.lookupEntry(p)
	if err != nil {
		return nil, err
	}
	if !ok {
		return d.body, nil
	}
	if p[len(p)-1] == newKey {
		return d.body, nil
	}
	sibling := append(slices.Clone(p[:len(p)-1]), newKey)
	if _, exists, _ := d.lookupEntry(sibling); exists {
		return nil, d.editError(p, e.key, newKey+" is set too; keep one of them")
	}
	return d.applySplices([]splice{{e.keyStart, e.keyEnd, keyText(newKey)}}), nil
}

func (d *Doc) addComment(p Path, comment string) ([]byte, error) {
	e, ok, err := d.lookupEntry(p)
	if err != nil || !ok {
		return d.body, err
	}
	text := "# " + comment
	for i := d.commentsAbove(e.keyLine, e.indent); i < e.keyLine; i++ {
		if string(bytes.TrimSpace(d.line(i))) == text {
			return d.body, nil // placed by an earlier run
		}
	}
	at := d.lineStart(e.keyLine)
	return d.applySplices([]splice{{at, at, strings.Repeat(" ", e.indent) + text + d.newline}}), nil
}

// setValue replaces the value at p, or adds the key (and any parents) with
// it.
func (d *Doc) setValue(p Path, value string) ([]byte, error) {
	value = strings.TrimRight(value, "\n")
	chain, err := d.find(p)
	if err != nil {
		return nil, err
	}
	if len(chain) == len(p) {
		return d.replaceValue(p, chain[len(chain)-1], value)
	}
	// Build the missing keys as a block, innermost last.
	block := []string{keyText(p[len(p)-1]) + ":"}
	if isInline(value) && value != "" {
		block[0] += " " + value
	} else if !isInline(value) {
		block = append([]string{keyText(p[len(p)-1]) + ":"}, indentLines(valueLines(value, d.style), d.style.step)...)
	}
	for i := len(p) - 2; i >= len(chain); i-- {
		block = append([]string{keyText(p[i]) + ":"}, indentLines(block, d.style.step)...)
	}
	return d.insertBlock(p[:len(chain)], chain, block)
}

// insertBlock puts block (lines at indentation 0, their first line a key)
// into the mapping at parent, whose written keys are chain.
func (d *Doc) insertBlock(parent Path, chain []located, block []string) ([]byte, error) {
	var m *yaml.Node
	if len(chain) == 0 {
		m = d.root
	} else {
		last := chain[len(chain)-1]
		m = last.parent.Content[last.index+1]
	}
	switch {
	case m == nil && len(chain) == 0:
		// An empty file: the block goes at the end of the first document.
		at := d.lineStart(d.docEnd)
		return d.insertLines(at, 0, block), nil
	case m == nil || isNull(m) || (m.Kind == yaml.MappingNode && len(m.Content) == 0):
		// `key:` with nothing, or `key: {}`: the block becomes its value.
		last := chain[len(chain)-1]
		e, err := d.entryAt(last.parent, last.index)
		if err != nil {
			return nil, d.editError(parent, last.parent.Content[last.index], err.Error())
		}
		return d.replaceEntryValue(e, strings.Join(block, "\n"), true)
	case m.Kind != yaml.MappingNode:
		return nil, d.editError(parent, m, "it holds "+kindName(m)+", not a mapping")
	case m.Style&yaml.FlowStyle != 0:
		return nil, d.flowError(parent, chain, m)
	}
	lastKey := len(m.Content) - 2
	e, err := d.entryAt(m, lastKey)
	if err != nil {
		return nil, d.editError(parent, m.Content[lastKey], err.Error())
	}
	return d.insertLines(d.lineStart(e.lastLine+1), e.indent, block), nil
}

// insertLines puts lines, indented by indent, at offset at (a line start).
func (d *Doc) insertLines(at, indent int, lines []string) []byte {
	var b strings.Builder
	if at > 0 && at == len(d.body) && d.body[at-1] != '\n' && d.body[at-1] != '\r' {
		b.WriteString(d.newline)
	}
	for _, l := range indentLines(lines, indent) {
		b.WriteString(l)
		b.WriteString(d.newline)
	}
	return d.applySplices([]splice{{at, at, b.String()}})
}

func (d *Doc) replaceValue(p Path, loc located, value string) ([]byte, error) {
	e, err := d.entryAt(loc.parent, loc.index)
	if err != nil {
		return nil, d.editError(p, loc.parent.Content[loc.index], err.Error())
	}
	if v := e.value; v.Anchor != "" {
		return nil, d.editError(p, v, "its value is the anchor &"+v.Anchor+" that aliases use")
	}
	return d.replaceEntryValue(e, value, false)
}

// replaceEntryValue writes value (YAML text; a block when asBlock or when
// it spans lines) as the value of entry e, keeping a comment on the key's
// line.
func (d *Doc) replaceEntryValue(e entry, value string, asBlock bool) ([]byte, error) {
	v := e.value
	keyLine := d.lines[e.keyLine]
	inlineOld := v.Line-1 == e.keyLine && !(v.Kind == yaml.ScalarNode && v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0) && !(isNull(v) && v.Value == "")
	if inlineOld && isInline(value) && !asBlock {
		start, err := d.nodeOffset(v)
		if err != nil {
			return nil, err
		}
		end, err := d.tokenEnd(start, d.lineStart(d.docEnd), false)
		if err != nil {
			return nil, err
		}
		text := string(d.body[start:end])
		if v.Kind == yaml.ScalarNode && v.Style == 0 && v.Alias == nil && text != v.Value && !strings.HasPrefix(text, "!") {
			// A plain scalar folded over several lines: replace its lines.
			inlineOld = false
		} else {
			value = keepQuoting(v, value)
			if text == value {
				return d.body, nil
			}
			return d.applySplices([]splice{{start, end, value}}), nil
		}
	}
	// Replace from the colon to the end of the value's last line, keeping
	// a comment that follows the key.
	comment := ""
	if c, _, ok := d.trailingComment(e.colon); ok && c != "" {
		comment = strings.TrimRight(string(d.body[e.colon:keyLine.end]), " \t")
	}
	end := d.lines[e.lastLine].end
	if e.lastLine == e.keyLine {
		end = keyLine.end
	}
	var b strings.Builder
	if isInline(value) && !asBlock {
		b.WriteString(" " + value + comment)
	} else {
		b.WriteString(comment)
		lines := valueLines(value, d.style)
		step := d.style.step
		if isSequenceText(lines) && !d.style.seqIndented {
			step = 0
		}
		for _, l := range indentLines(lines, e.indent+step) {
			b.WriteString(d.newline + l)
		}
	}
	if old := string(d.body[e.colon:end]); old == b.String() {
		return d.body, nil
	}
	return d.applySplices([]splice{{e.colon, end, b.String()}}), nil
}

func (d *Doc) moveKey(from, to Path) ([]byte, error) {
	if len(to) == 0 {
		return nil, d.editError(from, nil, "no place to move it to")
	}
	e, ok, err := d.lookupEntry(from)
	if err != nil || !ok {
		return d.body, err
	}
	if _, exists, _ := d.lookupEntry(to); exists {
		return nil, d.editError(from, e.key, strings.Join(to, ".")+" is set too; keep one of them")
	}
	// The entry's lines, comments above included, brought to column 0,
	// with the key renamed when the move renames it.
	var block []string
	for i := e.leadLine; i <= e.lastLine; i++ {
		l := string(d.line(i))
		if i == e.keyLine {
			ks, ke := e.keyStart-d.lines[i].start, e.keyEnd-d.lines[i].start
			if name := to[len(to)-1]; name != from[len(from)-1] {
				l = l[:ks] + keyText(name) + l[ke:]
			}
		}
		block = append(block, dedent(l, e.indent))
	}
	// Delete, then insert into what the delete left.
	body, err := d.deleteKey(from)
	if err != nil {
		return nil, err
	}
	after, err := Parse(d.File, append(slices.Clone(utf8BOM[:d.bom]), body...))
	if err != nil {
		return nil, err
	}
	chain, err := after.find(to)
	if err != nil {
		return nil, err
	}
	// The missing parents of the destination go above the entry.
	for i := len(to) - 2; i >= len(chain); i-- {
		block = append([]string{keyText(to[i]) + ":"}, indentLines(block, after.style.step)...)
	}
	return after.insertBlock(to[:len(chain)], chain, block)
}

// dedent removes n columns of indentation, less from a line that has less
// (a blank line).
func dedent(l string, n int) string {
	i := 0
	for i < n && i < len(l) && l[i] == ' ' {
		i++
	}
	return l[i:]
}

func indentLines(lines []string, n int) []string {
	pad := strings.Repeat(" ", n)
	out := make([]string, len(lines))
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			out[i] = ""
			continue
		}
		out[i] = pad + l
	}
	return out
}

// isInline reports a value written on the key's line: one line that is
// not a block collection.
func isInline(value string) bool {
	if strings.ContainsAny(value, "\n\r") {
		return false
	}
	t := strings.TrimSpace(value)
	if t == "" {
		return true
	}
	if strings.HasPrefix(t, "- ") || t == "-" {
		return false
	}
	// "key: value" on one line is a block mapping; a quoted or flow value
	// is not.
	if t[0] != '"' && t[0] != '\'' && t[0] != '{' && t[0] != '[' && strings.Contains(t, ": ") {
		return false
	}
	return true
}

// valueLines splits a block value, re-indented from yaml.v3's habit of
// two spaces to the file's step.
func valueLines(value string, l layout) []string {
	lines := strings.Split(strings.TrimRight(value, "\n"), "\n")
	if l.step == 2 {
		return lines
	}
	out := make([]string, len(lines))
	for i, s := range lines {
		n := indentOf([]byte(s))
		out[i] = strings.Repeat(" ", n/2*l.step+n%2) + s[n:]
	}
	return out
}

func isSequenceText(lines []string) bool {
	return len(lines) > 0 && (strings.HasPrefix(lines[0], "- ") || lines[0] == "-")
}

// keyText writes a mapping key, quoted when YAML would read it as
// something other than the string.
func keyText(k string) string {
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	if err := enc.Encode(&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}); err != nil {
		return fmt.Sprintf("%q", k)
	}
	enc.Close()
	return strings.TrimSuffix(b.String(), "\n")
}

// keepQuoting writes a new string value in the quotes the old one had, so
// a file that quotes its strings keeps doing so.
func keepQuoting(old *yaml.Node, value string) string {
	if old.Kind != yaml.ScalarNode || old.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) == 0 {
		return value
	}
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(value), &n); err != nil || len(n.Content) != 1 {
		return value
	}
	c := n.Content[0]
	if c.Kind != yaml.ScalarNode || c.ShortTag() != "!!str" || c.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return value
	}
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	if err := enc.Encode(&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Style: old.Style & (yaml.SingleQuotedStyle | yaml.DoubleQuotedStyle), Value: c.Value}); err != nil {
		return value
	}
	enc.Close()
	return strings.TrimSuffix(b.String(), "\n")
}

// DropComments removes the comment lines of the first document whose text
// (from the #) drop reports, and returns the new file. A line that turns
// out to be part of a value (inside a block scalar) stays: removing it
// must leave every value as it was.
func (d *Doc) DropComments(drop func(text string) bool) ([]byte, error) {
	cur := d
	before := Plain(d.root)
	for i := cur.docStart; i < cur.docEnd; {
		l := cur.line(i)
		text := string(bytes.TrimSpace(l))
		if !isCommentLine(l) || !drop(text) {
			i++
			continue
		}
		start, end := cur.linesRange(i, i)
		body := cur.applySplices([]splice{{start, end, ""}})
		next, err := Parse(d.File, append(slices.Clone(utf8BOM[:d.bom]), body...))
		if err != nil || !reflect.DeepEqual(Plain(next.root), before) {
			i++
			continue
		}
		cur = next
	}
	return cur.Bytes(), nil
}

// EntryLines is where the entry at path is written: its first line (the
// comments directly above it included) and its last, 1-based; ok is false
// when the path is not written in the file as a block entry.
func (d *Doc) EntryLines(p Path) (first, last int, ok bool) {
	e, found, err := d.lookupEntry(p)
	if err != nil || !found {
		return 0, 0, false
	}
	return e.leadLine + 1, e.lastLine + 1, true
}

// flowMapping is an edit that reaches into a flow mapping ({...}), which
// Apply writes in block style before it edits; at is the entry whose value
// it is. At the top of the document there is no entry to rewrite, and the
// EditError stands.
type flowMapping struct {
	*EditError
	at located
}

func (e *flowMapping) Unwrap() error { return e.EditError }

func (d *Doc) flowError(p Path, chain []located, m *yaml.Node) error {
	ee, _ := d.editError(p, m, "it is written in flow style ({...})").(*EditError)
	if len(chain) == 0 {
		return ee
	}
	return &flowMapping{EditError: ee, at: chain[len(chain)-1]}
}

// blockify writes the value of the entry at loc, a flow collection, in
// block style, keeping a comment that follows it on its line.
func (d *Doc) blockify(loc located) ([]byte, error) {
	e, err := d.entryAt(loc.parent, loc.index)
	if err != nil {
		return nil, d.editError(nil, loc.parent.Content[loc.index], err.Error())
	}
	v := e.value
	if v.Anchor != "" {
		return nil, d.editError(nil, v, "its value is the anchor &"+v.Anchor+" that aliases use")
	}
	start, err := d.nodeOffset(v)
	if err != nil {
		return nil, err
	}
	end, err := d.tokenEnd(start, d.lineStart(d.docEnd), false)
	if err != nil {
		return nil, err
	}
	comment := ""
	if c, lineEnd, ok := d.trailingComment(end); ok && c != "" {
		comment = strings.TrimRight(string(d.body[end:lineEnd]), " \t")
	}
	block := cloneBlock(v)
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(d.style.step)
	if err := enc.Encode(block); err != nil {
		return nil, err
	}
	enc.Close()
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	step := d.style.step
	if v.Kind == yaml.SequenceNode && !d.style.seqIndented {
		step = 0
	}
	var out strings.Builder
	out.WriteString(comment)
	for _, l := range indentLines(lines, e.indent+step) {
		out.WriteString(d.newline + l)
	}
	lineEnd := d.lines[d.lineOf(max(end-1, start))].end
	return d.applySplices([]splice{{e.colon, lineEnd, out.String()}}), nil
}

// cloneBlock copies n with every collection in block style.
func cloneBlock(n *yaml.Node) *yaml.Node {
	c := *n
	if c.Kind == yaml.MappingNode || c.Kind == yaml.SequenceNode {
		c.Style &^= yaml.FlowStyle
	}
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, k := range n.Content {
		c.Content[i] = cloneBlock(k)
	}
	return &c
}
