package spec

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	goyaml "github.com/goccy/go-yaml"
	goyamlparser "github.com/goccy/go-yaml/parser"

	"github.com/hubctl/hubctl/pkg/finding"
)

var (
	yamlLine      = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	unknownAnchor = regexp.MustCompile(`^yaml: unknown anchor '(.*)' referenced$`)
)

// syntaxFinding reports text that yaml.v3 refuses, at the place that is
// wrong. yaml.v3 decides validity and names the problem, but gives only a
// line, and often that of the construct around the problem (the key above a
// badly indented line), never a column. goccy/go-yaml's parser gives the
// line and column of the offending token, so it is asked only for where.
func syntaxFinding(name string, data []byte, err error) finding.Finding {
	f := finding.Finding{ID: "yaml-syntax", Severity: finding.Error, Pos: finding.Position{File: name},
		Message: strings.TrimPrefix(err.Error(), "yaml: ")}
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		f.Pos.Line, _ = strconv.Atoi(m[1])
		f.Message = m[2]
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
	_, perr := goyamlparser.ParseBytes(data, 0)
	switch {
	case errors.As(perr, &se) && se.Token != nil && se.Token.Position.Line >= f.Pos.Line:
		f.Pos.Line, f.Pos.Column = se.Token.Position.Line, se.Token.Position.Column
	case f.Pos.Line > 0 && f.Pos.Line <= len(lines):
		// goccy/go-yaml blames an earlier line (the start of a plain
		// scalar that a deeper-indented line continues) or accepts the
		// text: yaml.v3's line is the better one.
		f.Pos.Column = firstNonBlank(lines[f.Pos.Line-1])
	}
	if m := unknownAnchor.FindStringSubmatch(err.Error()); m != nil {
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
