package valuesdoc

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// span is one line of the text: [start, end) its characters, next the start
// of the line after (past the line break).
type span struct{ start, end, next int }

// splitLines breaks text where YAML does, so that line numbers agree with
// yaml.v3's: CR LF, LF, CR, NEL, LS and PS.
func splitLines(b []byte) []span {
	var out []span
	start := 0
	for i := 0; i < len(b); {
		n := breakLen(b, i)
		if n == 0 {
			i++
			continue
		}
		out = append(out, span{start, i, i + n})
		i += n
		start = i
	}
	if start < len(b) || len(b) == 0 {
		out = append(out, span{start, len(b), len(b)})
	}
	return out
}

// breakLen is the length of the line break at b[i], 0 when there is none.
func breakLen(b []byte, i int) int {
	switch {
	case b[i] == '\n':
		return 1
	case b[i] == '\r':
		if i+1 < len(b) && b[i+1] == '\n' {
			return 2
		}
		return 1
	case b[i] == 0xc2 && i+1 < len(b) && b[i+1] == 0x85:
		return 2
	case b[i] == 0xe2 && i+2 < len(b) && b[i+1] == 0x80 && (b[i+2] == 0xa8 || b[i+2] == 0xa9):
		return 3
	}
	return 0
}

func (d *Doc) line(i int) []byte { return d.body[d.lines[i].start:d.lines[i].end] }

// lineStart is the offset of line i, or the end of the text past the last.
func (d *Doc) lineStart(i int) int {
	if i >= len(d.lines) {
		return len(d.body)
	}
	return d.lines[i].start
}

// lineOf is the index of the line holding offset p.
func (d *Doc) lineOf(p int) int {
	lo, hi := 0, len(d.lines)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if d.lines[mid].start <= p {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// offset turns yaml.v3's 1-based line and column (counted in characters)
// into a byte offset.
func (d *Doc) offset(line, col int) (int, error) {
	if line < 1 || line > len(d.lines) || col < 1 {
		return 0, fmt.Errorf("position %d:%d is outside the text", line, col)
	}
	l := d.lines[line-1]
	p := l.start
	for c := 1; c < col; c++ {
		if p >= l.end {
			return 0, fmt.Errorf("position %d:%d is outside the text", line, col)
		}
		_, n := utf8.DecodeRune(d.body[p:l.end])
		p += n
	}
	return p, nil
}

func (d *Doc) nodeOffset(n *yaml.Node) (int, error) { return d.offset(n.Line, n.Column) }

func indentOf(b []byte) int {
	n := 0
	for n < len(b) && b[n] == ' ' {
		n++
	}
	return n
}

func isBlank(b []byte) bool { return len(bytes.Trim(b, " \t")) == 0 }

func isCommentLine(b []byte) bool {
	t := bytes.TrimLeft(b, " \t")
	return len(t) > 0 && t[0] == '#'
}

// isMarker reports a document start (---) or end (...) line.
func isMarker(b []byte) bool {
	if len(b) < 3 || !(bytes.HasPrefix(b, []byte("---")) || bytes.HasPrefix(b, []byte("..."))) {
		return false
	}
	return len(b) == 3 || b[3] == ' ' || b[3] == '\t'
}

// findDocEnd is the first document marker line at or after from.
func (d *Doc) findDocEnd(from int) int {
	for i := from; i < len(d.lines); i++ {
		if isMarker(d.line(i)) {
			return i
		}
	}
	return len(d.lines)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' }

func (d *Doc) isBreakAt(p int) bool { return p < len(d.body) && breakLen(d.body, p) > 0 }

// tokenEnd is the end of the node written at p, which must end before
// limit. A key ends before its colon; a block scalar, whose extent is its
// lines, ends at limit.
func (d *Doc) tokenEnd(p, limit int, key bool) (int, error) {
	b := d.body[:limit]
	// Anchors and tags come first; alone on their line they belong to a
	// block collection below.
	for p < limit && (b[p] == '&' || b[p] == '!') {
		q := p
		for q < limit && !isSpace(b[q]) && !d.isBreakAt(q) && !(key && b[q] == ':') {
			q++
		}
		r := q
		for r < limit && isSpace(b[r]) {
			r++
		}
		if r >= limit || d.isBreakAt(r) || b[r] == '#' {
			return q, nil
		}
		p = r
	}
	if p >= limit {
		return p, nil
	}
	switch b[p] {
	case '"':
		for i := p + 1; i < limit; i++ {
			switch b[i] {
			case '\\':
				i++
			case '"':
				return i + 1, nil
			}
		}
		return 0, fmt.Errorf("unclosed double quote")
	case '\'':
		for i := p + 1; i < limit; i++ {
			if b[i] == '\'' {
				if i+1 < limit && b[i+1] == '\'' {
					i++
					continue
				}
				return i + 1, nil
			}
		}
		return 0, fmt.Errorf("unclosed single quote")
	case '[', '{':
		return d.flowEnd(p, limit)
	case '|', '>':
		if key {
			return 0, fmt.Errorf("block scalar as a key")
		}
		return trimEnd(d.body, p, limit), nil
	case '*':
		i := p + 1
		for i < limit && !isSpace(b[i]) && !d.isBreakAt(i) && !bytes.ContainsRune([]byte(",[]{}"), rune(b[i])) {
			if key && b[i] == ':' {
				break
			}
			i++
		}
		return i, nil
	}
	return d.plainEnd(p, limit, key), nil
}

// plainEnd is the end of a plain scalar on its line: at a comment, at
// the colon after a key, or at the line's end. A plain scalar that goes on
// over the next lines is longer; callers compare the text with the node's
// value to see that.
func (d *Doc) plainEnd(p, limit int, key bool) int {
	b := d.body
	end := p
	for i := p; i < limit && !d.isBreakAt(i); i++ {
		c := b[i]
		switch {
		case c == '#' && i > p && isSpace(b[i-1]):
			return end
		case key && c == ':' && (i+1 >= limit || isSpace(b[i+1]) || d.isBreakAt(i+1)):
			return end
		case !isSpace(c):
			end = i + 1
		}
	}
	return end
}

// flowEnd is the end of the flow collection opening at p.
func (d *Doc) flowEnd(p, limit int) (int, error) {
	b := d.body
	depth := 0
	for i := p; i < limit; i++ {
		switch b[i] {
		case '[', '{':
			depth++
		case ']', '}':
			depth--
			if depth == 0 {
				return i + 1, nil
			}
		case '"', '\'':
			end, err := d.tokenEnd(i, limit, false)
			if err != nil {
				return 0, err
			}
			i = end - 1
		case '#':
			if i > p && (isSpace(b[i-1]) || d.isBreakAt(i-1)) {
				for i < limit && !d.isBreakAt(i) {
					i++
				}
			}
		}
	}
	return 0, fmt.Errorf("unclosed flow collection")
}

func trimEnd(b []byte, from, to int) int {
	for to > from && (isSpace(b[to-1]) || b[to-1] == '\n' || b[to-1] == '\r') {
		to--
	}
	return to
}

// entry is where one key: value pair of a block mapping is written.
type entry struct {
	key, value *yaml.Node
	keyStart   int // offset of the key
	keyEnd     int // offset after the key
	colon      int // offset after the colon
	keyLine    int // line index of the key
	leadLine   int // first line of the comments directly above the key
	lastLine   int // last line of the value
	indent     int // the key's column, 0-based
}

// entryAt locates pair i (the index of its key in m.Content) of block
// mapping m.
func (d *Doc) entryAt(m *yaml.Node, i int) (entry, error) {
	k, v := m.Content[i], m.Content[i+1]
	e := entry{key: k, value: v, keyLine: k.Line - 1}
	var err error
	if e.keyStart, err = d.nodeOffset(k); err != nil {
		return e, err
	}
	l := d.lines[e.keyLine]
	if !isBlank(d.body[l.start:e.keyStart]) || bytes.ContainsRune(d.body[l.start:e.keyStart], '\t') {
		return e, fmt.Errorf("key %q at %d:%d does not start its line", k.Value, k.Line, k.Column)
	}
	e.indent = e.keyStart - l.start
	if e.keyEnd, err = d.tokenEnd(e.keyStart, l.end, true); err != nil {
		return e, fmt.Errorf("key %q at %d:%d: %v", k.Value, k.Line, k.Column, err)
	}
	if k.Style == 0 && k.ShortTag() != "!!merge" && string(d.body[e.keyStart:e.keyEnd]) != k.Value {
		return e, fmt.Errorf("key %q at %d:%d is not where yaml.v3 says", k.Value, k.Line, k.Column)
	}
	c := e.keyEnd
	for c < l.end && isSpace(d.body[c]) {
		c++
	}
	if c >= l.end || d.body[c] != ':' {
		return e, fmt.Errorf("key %q at %d:%d has no colon on its line", k.Value, k.Line, k.Column)
	}
	e.colon = c + 1

	e.lastLine = d.valueLastLine(e)
	e.leadLine = d.commentsAbove(e.keyLine, e.indent)
	if e.leadLine == d.docStart && e.leadLine < e.keyLine {
		// Comments from the top of the file down to its first key are the
		// file's header: they stay when the key moves or goes.
		e.leadLine = e.keyLine
	}
	return e, nil
}

// commentsAbove is the first line of the comment lines at indent directly
// above line.
func (d *Doc) commentsAbove(line, indent int) int {
	for line > d.docStart {
		prev := d.line(line - 1)
		if !isCommentLine(prev) || indentOf(prev) != indent {
			break
		}
		line--
	}
	return line
}

// valueLastLine is the last line of an entry's value: the lines below the
// key that are indented deeper (comments there included), a block sequence
// written at the key's own indentation, and at least every line a node of
// the value starts on.
func (d *Doc) valueLastLine(e entry) int {
	last := max(e.keyLine, maxLine(e.value, 0)-1)
	v := e.value
	if v.Kind == yaml.SequenceNode && v.Style&yaml.FlowStyle != 0 || v.Kind == yaml.MappingNode && v.Style&yaml.FlowStyle != 0 ||
		v.Kind == yaml.ScalarNode && v.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		if p, err := d.nodeOffset(v); err == nil {
			if end, err := d.tokenEnd(p, d.lineStart(d.docEnd), false); err == nil && end > p {
				last = max(last, d.lineOf(end-1))
			}
		}
	}
	blockSeq := v.Kind == yaml.SequenceNode && v.Style&yaml.FlowStyle == 0
	for i := e.keyLine + 1; i < d.docEnd; i++ {
		l := d.line(i)
		if isBlank(l) {
			continue
		}
		ind := indentOf(l)
		if isCommentLine(l) {
			if ind > e.indent {
				last = max(last, i)
			}
			continue
		}
		dash := ind == e.indent && blockSeq && l[ind] == '-' && (ind+1 == len(l) || isSpace(l[ind+1]))
		if ind > e.indent || dash || i <= last {
			last = max(last, i)
			continue
		}
		break
	}
	return last
}

// maxLine is the last line a node of n (not following aliases) starts on.
func maxLine(n *yaml.Node, depth int) int {
	if n == nil || depth > 10000 {
		return 0
	}
	m := n.Line
	for _, c := range n.Content {
		m = max(m, maxLine(c, depth+1))
	}
	return m
}

// splice replaces body[start:end] with text.
type splice struct {
	start, end int
	text       string
}

func (d *Doc) applySplices(ss []splice) []byte {
	// Splices of one edit never overlap; apply from the end.
	out := append([]byte{}, d.body...)
	for i := len(ss) - 1; i >= 0; i-- {
		s := ss[i]
		out = append(out[:s.start], append([]byte(s.text), out[s.end:]...)...)
	}
	return out
}

// trailingComment returns the comment after offset p on its line, and the
// line's end, or "" when the rest of the line is blank; ok is false when
// something else follows.
func (d *Doc) trailingComment(p int) (comment string, lineEnd int, ok bool) {
	l := d.lines[d.lineOf(p)]
	rest := bytes.Trim(d.body[p:l.end], " \t")
	if len(rest) == 0 {
		return "", l.end, true
	}
	if rest[0] == '#' {
		return string(rest), l.end, true
	}
	return "", l.end, false
}
