package spec

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	goyaml "github.com/goccy/go-yaml"
	goyamlparser "github.com/goccy/go-yaml/parser"

	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/lazyre"
)

var (
	yamlLine      = lazyre.New(`^yaml: line (\d+): (.*)$`)
	unknownAnchor = lazyre.New(`^yaml: unknown anchor '(.*)' referenced$`)
)

// syntaxFinding reports text that yaml.v3 refuses, at the place that is
// wrong. yaml.v3 decides validity and names the problem, but gives only a
// line, and often that of the construct around the problem (the key above a
// badly indented line), never a column. goccy/go-yaml's parser gives the
// line and column of the offending token, so it is asked only for where.
func syntaxFinding(name string, data []byte, err error) finding.Finding {
	f := finding.Finding{ID: "yaml-syntax", Severity: finding.Error, Pos: finding.Position{File: name},
		Message: strings.TrimPrefix(err.Error(), "yaml: ")}
	if m := yamlLine().FindStringSubmatch(err.Error()); m != nil {
		f.Pos.Line, _ = strconv.Atoi(m[1])
		f.Message = m[2]
	}
	// yaml.v3's reader refuses bytes before it has lines to count, so
	// it names no place: find the first character it refuses.
	if f.Pos.Line == 0 {
		if line, col, what, hint := badCharacter(data); line > 0 {
			f.Pos.Line, f.Pos.Column = line, col
			f.Message, f.Hint = what, hint
			return f
		}
	}
	if strings.HasPrefix(f.Message, "exceeded max depth") {
		// goccy/go-yaml's parser takes memory quadratic in the depth
		// (gigabytes for 40,000 levels), so it is not asked.
		f.Pos.Line, f.Pos.Column = tooDeep(data, maxDepth)
		f.Message = fmt.Sprintf("values are nested more than %d levels deep here", maxDepth)
		f.Hint = "a spec is a few levels deep; check for brackets that are never closed"
		return f
	}
	lines := strings.Split(string(data), "\n")

	// A tab yaml.v3 complains of may sit below the line it names.
	if strings.Contains(f.Message, "tab") {
		for i := max(f.Pos.Line, 1) - 1; i < len(lines); i++ {
			if col := indentTab(lines[i]); col > 0 {
				return tabFinding(f, i+1, col)
			}
		}
	}

	var se *goyaml.SyntaxError
	var perr error
	// goccy/go-yaml's parser costs hundreds of times the text in memory
	// (1.5 GB for a 4 MB list); past a size no hand-written spec reaches,
	// yaml.v3's line alone places the error.
	if len(data) <= maxPlacedSize {
		_, perr = goyamlparser.ParseBytes(data, 0)
	}
	switch {
	case errors.As(perr, &se) && se.Token != nil && se.Token.Position.Line >= f.Pos.Line:
		f.Pos.Line, f.Pos.Column = se.Token.Position.Line, se.Token.Position.Column
	case f.Pos.Line > 0 && f.Pos.Line <= len(lines):
		// goccy/go-yaml blames an earlier line (the start of a plain
		// scalar that a deeper-indented line continues) or accepts the
		// text: yaml.v3's line is the better one.
		f.Pos.Column = firstNonBlank(lines[f.Pos.Line-1])
	}
	if m := unknownAnchor().FindStringSubmatch(err.Error()); m != nil {
		f.Message = "unknown anchor '" + m[1] + "' referenced"
		f.Pos.Line, f.Pos.Column = findAlias(lines, m[1])
		f.Hint = "an alias *" + m[1] + " needs an anchor &" + m[1] + " earlier in the file"
	}
	if f.Pos.Line > 0 && f.Pos.Line <= len(lines) {
		if col := indentTab(lines[f.Pos.Line-1]); col > 0 {
			return tabFinding(f, f.Pos.Line, col)
		}
	}
	// An error at an opening quote or bracket is that it never closes.
	if f.Pos.Line > 0 && f.Pos.Line <= len(lines) && f.Pos.Column > 0 {
		if rest := []rune(lines[f.Pos.Line-1]); f.Pos.Column <= len(rest) && strings.ContainsRune(`"'[{`, rest[f.Pos.Column-1]) {
			f.Hint = fmt.Sprintf("check that the %c here is closed", rest[f.Pos.Column-1])
		}
	}
	return f
}

func tabFinding(f finding.Finding, line, col int) finding.Finding {
	f.Pos.Line, f.Pos.Column = line, col
	f.Message = "tabs cannot indent YAML"
	f.Hint = "indent with spaces"
	return f
}

// indentTab returns the column of the first tab in a line's indentation,
// or 0 when it is indented with spaces only (or is blank).
func indentTab(line string) int {
	indent := len(line) - len(strings.TrimLeft(line, " \t"))
	if strings.TrimSpace(line) == "" {
		return 0
	}
	return strings.IndexByte(line[:indent], '\t') + 1
}

func firstNonBlank(line string) int {
	return len(line) - len(strings.TrimLeft(line, " \t")) + 1
}

// findAlias returns the position of the first alias *name, or line 0 when
// the text has none (yaml.v3 found one, so that is unlikely).
func findAlias(lines []string, name string) (int, int) {
	alias := regexp.MustCompile(`(^|[\s\[{,:-])(\*` + regexp.QuoteMeta(name) + `)([\s\]},]|$)`)
	for i, l := range lines {
		if m := alias.FindStringSubmatchIndex(l); m != nil {
			return i + 1, len([]rune(l[:m[4]])) + 1
		}
	}
	return 0, 0
}

// badCharacter finds the first character that YAML does not allow in a
// stream (invalid UTF-8, or a control character other than tab, CR and LF:
// YAML 1.2 §5.1), with its line and column in characters; line 0 when
// there is none, or when the text is UTF-16, whose offsets differ.
func badCharacter(data []byte) (line, col int, what, hint string) {
	if len(data) >= 2 && (data[0] == 0xFE && data[1] == 0xFF || data[0] == 0xFF && data[1] == 0xFE) {
		return 0, 0, "", ""
	}
	line, col = 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return line, col, fmt.Sprintf("byte 0x%02X is not UTF-8", data[i]), "save the file as UTF-8"
		case r == '\n':
			line, col = line+1, 1
			i += size
			continue
		case !allowedInYAML(r):
			return line, col, fmt.Sprintf("control character %U is not allowed", r),
				"remove it, or write it escaped in a double-quoted string (\"\\x01\")"
		}
		if r != 0xFEFF || i > 0 {
			col++
		}
		i += size
	}
	return 0, 0, "", ""
}

func allowedInYAML(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r' || r == 0x85:
		return true
	case r >= 0x20 && r <= 0x7E, r >= 0xA0 && r <= 0xD7FF, r >= 0xE000 && r <= 0xFFFD, r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}

// maxPlacedSize is the largest text goccy/go-yaml is asked to place a
// syntax error in.
const maxPlacedSize = 256 << 10

// maxDepth is yaml.v3's limit on nesting, past which it refuses the text.
const maxDepth = 10000

// tooDeep returns where the nesting first goes deeper than limit: flow
// brackets, plus the block entries ("- - -", "? ") that open a level on
// the same line. It skips quoted scalars and comments, and is a guide
// rather than a parser; when it finds no such place it returns the
// deepest one.
func tooDeep(data []byte, limit int) (int, int) {
	line, col := 1, 1
	flow, block := 0, 0
	bestLine, bestCol, best := 1, 1, -1
	var quote rune
	comment, lineStart := false, true
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		next := byte(0)
		if i+size < len(data) {
			next = data[i+size]
		}
		depth := -1
		switch {
		case r == '\n':
			line, col, block, comment, lineStart = line+1, 1, 0, false, true
			if quote == 0 {
				i += size
				continue
			}
		case comment:
		case quote != 0:
			if r == quote {
				quote = 0
			} else if r == '\\' && quote == '"' && next != 0 {
				i, col = i+1, col+1
			}
		case r == '"' || r == '\'':
			quote = r
		case r == '#':
			comment = true
		case r == '[' || r == '{':
			flow++
			depth = flow + block
		case r == ']' || r == '}':
			flow--
		case (r == '-' || r == '?') && (next == ' ' || next == '\n' || next == 0) && lineStart:
			block++
			depth = flow + block
		}
		if r != ' ' && r != '-' && r != '?' {
			lineStart = false
		}
		if depth > limit {
			return line, col
		}
		if depth > best {
			bestLine, bestCol, best = line, col, depth
		}
		i += size
		col++
	}
	return bestLine, bestCol
}
