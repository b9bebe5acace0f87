// Package finding is how hubctl reports problems: each finding is data
// (a stable ID, a severity, a position in a file, the key path, a message and
// a fix hint), so validation now and the doctor and linter later all report
// through the same types and output formats.
package finding

import (
	"fmt"
	"sort"
	"strings"
)

// Severity orders findings; only errors make a spec invalid.
type Severity int

const (
	Info Severity = iota
	Warning
	Error
)

func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	default:
		return "info"
	}
}

// MarshalText makes severities read as words in JSON output.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Position is a place in a file; Line and Column start at 1, and 0 means
// unknown (a finding about the file as a whole).
type Position struct {
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

func (p Position) String() string {
	switch {
	case p.Line == 0:
		return p.File
	case p.Column == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	default:
		return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
	}
}

// Finding is one problem found in a configuration.
type Finding struct {
	ID       string   `json:"id"`
	Severity Severity `json:"severity"`
	Pos      Position `json:"position"`
	// Path is the key path in the file, such as services.nbviewer.scopes[1].
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
}

// String renders the finding as FILE:LINE:COL: path: message [severity ID].
func (f Finding) String() string {
	var b strings.Builder
	b.WriteString(f.Pos.String())
	b.WriteString(": ")
	if f.Path != "" {
		b.WriteString(f.Path)
		b.WriteString(": ")
	}
	b.WriteString(f.Message)
	fmt.Fprintf(&b, " [%s %s]", f.Severity, f.ID)
	return b.String()
}

// List is an ordered collection of findings.
type List []Finding

// HasErrors reports whether any finding is an error.
func (l List) HasErrors() bool { return l.Count(Error) > 0 }

// Count returns how many findings have severity s.
func (l List) Count(s Severity) int {
	n := 0
	for _, f := range l {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// Sort orders findings by file position, then by path, so output is stable
// whatever order the rules ran in.
func (l List) Sort() {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i].Pos, l[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return l[i].Path < l[j].Path
	})
}

// Summary is a one-line count such as "2 errors, 1 warning".
func (l List) Summary() string {
	return fmt.Sprintf("%s, %s", plural(l.Count(Error), "error"), plural(l.Count(Warning), "warning"))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// InvalidInput wraps findings that make an input invalid, so callers can
// return them through an error path and the CLI can print each one and pick
// the "invalid input" exit code.
type InvalidInput struct{ Findings List }

func (e *InvalidInput) Error() string {
	errs := e.Findings.Count(Error)
	if errs == 1 {
		for _, f := range e.Findings {
			if f.Severity == Error {
				return f.String()
			}
		}
	}
	return fmt.Sprintf("invalid configuration: %s", e.Findings.Summary())
}
