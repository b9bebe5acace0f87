// Package report writes check results (finding.Results) in the formats
// doctor and lint share: text for a person, json for scripts, junit for CI
// test reports, github for workflow annotations and sarif for code
// scanning. Every format is written from the same results and Meta, so
// they agree on what passed and what failed.
package report

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/jupyterhub"
)

// Format names an output format, as --format spells it.
type Format string

const (
	Text   Format = "text"
	JSON   Format = "json"
	JUnit  Format = "junit"
	GitHub Format = "github"
	SARIF  Format = "sarif"
)

// Formats lists every format, in the order help text shows them.
var Formats = []Format{Text, JSON, JUnit, GitHub, SARIF}

// Parse reads a --format value.
func Parse(s string) (Format, error) {
	word := strings.ToLower(strings.TrimSpace(s))
	names := make([]string, len(Formats))
	for i, f := range Formats {
		if string(f) == word {
			return f, nil
		}
		names[i] = string(f)
	}
	known := strings.Join(names, ", ")
	if word == "" {
		return "", fmt.Errorf("no output format given; use one of %s", known)
	}
	if near := jupyterhub.Closest(word, names); near != "" {
		return "", fmt.Errorf("unknown output format %q; did you mean %q? (one of %s)", s, near, known)
	}
	return "", fmt.Errorf("unknown output format %q; use one of %s", s, known)
}

// Rule is one check of the catalogue, for SARIF's rule list.
type Rule struct {
	ID    string
	Title string
	// Doc is the check's one-line description.
	Doc string
}

// Meta is what the formats say about the run besides its results.
type Meta struct {
	// Tool is the program's name; empty means "hubctl".
	Tool string
	// Command is the subcommand that ran, such as "doctor" or "lint"; it
	// names the JUnit test suite.
	Command string
	Version string
	// SpecFile is the spec as the user named it (relative paths stay
	// relative, so SARIF locations resolve against the checkout).
	SpecFile string
	Rules    []Rule
	// Strict makes warnings count against the run, as --strict does.
	Strict bool
	// Elapsed is the run's wall time; zero leaves it out of the text
	// summary and makes JUnit's suite time the sum of the checks'.
	Elapsed time.Duration
}

func (m Meta) tool() string {
	if m.Tool == "" {
		return "hubctl"
	}
	return m.Tool
}

func (m Meta) suiteName() string {
	if m.Command == "" {
		return m.tool()
	}
	return m.tool() + " " + m.Command
}

// TextOptions shape the text format.
type TextOptions struct {
	Colour bool
	// Verbose shows passes' messages and skips' hints; otherwise a pass is
	// one short line.
	Verbose bool
}

// Write writes rs to w in format f.
func Write(w io.Writer, f Format, rs finding.Results, m Meta, o TextOptions) error {
	if err := checkStatuses(rs); err != nil {
		return err
	}
	ew := &errWriter{w: w}
	switch f {
	case Text:
		writeText(ew, rs, m, o)
	case JSON:
		if err := writeJSON(ew, rs, m); err != nil {
			return err
		}
	case JUnit:
		if err := writeJUnit(ew, rs, m); err != nil {
			return err
		}
	case GitHub:
		writeGitHub(ew, rs, m)
	case SARIF:
		if err := writeSARIF(ew, rs, m); err != nil {
			return err
		}
	default:
		_, err := Parse(string(f))
		return err
	}
	return ew.err
}

// errWriter keeps the first write error, so the writers can print line
// after line and the error is checked once at the end.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, a ...any) { fmt.Fprintf(e, format, a...) }

// counts tallies results by status.
type counts struct {
	Total, Passed, Warnings, Failed, Skipped, Errored int
}

func countOf(rs finding.Results) counts {
	return counts{
		Total:    len(rs),
		Passed:   rs.CountStatus(finding.Pass),
		Warnings: rs.CountStatus(finding.Warn),
		Failed:   rs.CountStatus(finding.Fail),
		Skipped:  rs.CountStatus(finding.Skip),
		Errored:  rs.CountStatus(finding.Errored),
	}
}

// summary is the closing line of the text and github formats, such as
// "6 checks: 1 passed, 1 warning, 2 failed, 1 skipped, 1 errored in 1.5s".
func summary(rs finding.Results, m Meta) string {
	c := countOf(rs)
	s := fmt.Sprintf("%s: %d passed, %s, %d failed, %d skipped",
		plural(c.Total, "check"), c.Passed, plural(c.Warnings, "warning"), c.Failed, c.Skipped)
	if c.Errored > 0 {
		s += fmt.Sprintf(", %d errored", c.Errored)
	}
	if m.Elapsed > 0 {
		s += " in " + roundDuration(m.Elapsed).String()
	}
	return s
}

// roundDuration keeps a wall time readable: milliseconds under a minute,
// seconds above.
func roundDuration(d time.Duration) time.Duration {
	if d >= time.Minute {
		return d.Round(time.Second)
	}
	return d.Round(time.Millisecond)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// isStatic tells a finding of validate or lint, placed in its file, from a
// live check.
func isStatic(r finding.Result) bool { return r.Pos.File != "" }

// messageOf is the result's message, after the key path of a static
// finding, which the message itself does not repeat.
func messageOf(r finding.Result) string {
	if r.Path == "" {
		return r.Message
	}
	return r.Path + ": " + r.Message
}

// reported is whether a result becomes an annotation or SARIF result:
// passes and skips say nothing to fix.
func reported(r finding.Result) bool {
	return r.Status == finding.Warn || r.Status == finding.Fail || r.Status == finding.Errored
}

var errUnknownStatus = errors.New("report: result with an unknown status")

func checkStatuses(rs finding.Results) error {
	for _, r := range rs {
		switch r.Status {
		case finding.Pass, finding.Warn, finding.Fail, finding.Skip, finding.Errored:
		default:
			return fmt.Errorf("%w %q (check %s, target %s)", errUnknownStatus, r.Status, r.ID, r.Target)
		}
	}
	return nil
}
