package report

import (
	"strconv"
	"strings"

	"github.com/hubctl/hubctl/pkg/finding"
)

// GitHub Actions reads "::error ...::" and "::warning ...::" lines of a
// step's output as annotations. A result's text goes through the escaping
// of GitHub's own toolkit, so a message can neither end the command early
// nor start another one on a new line.

var (
	dataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	propertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

func escapeData(s string) string     { return dataEscaper.Replace(s) }
func escapeProperty(s string) string { return propertyEscaper.Replace(s) }

func writeGitHub(w *errWriter, rs finding.Results, m Meta) {
	for _, r := range rs {
		if !reported(r) {
			continue
		}
		w.printf("%s\n", githubCommand(r))
	}
	w.printf("%s\n", summary(rs, m))
}

// githubCommand is the annotation of one warn, fail or errored result.
func githubCommand(r finding.Result) string {
	cmd := "error"
	if r.Status == finding.Warn {
		cmd = "warning"
	}
	var props []string
	if r.Pos.File != "" {
		props = append(props, "file="+escapeProperty(r.Pos.File))
		if r.Pos.Line > 0 {
			props = append(props, "line="+strconv.Itoa(r.Pos.Line))
			if r.Pos.Column > 0 {
				props = append(props, "col="+strconv.Itoa(r.Pos.Column))
			}
		}
	}
	props = append(props, "title="+escapeProperty(r.ID+": "+r.Title))
	msg := messageOf(r)
	// A live result's annotation has no file to sit on, so the target it
	// is about goes into the text.
	if !isStatic(r) && r.Target != "" {
		msg = r.Target + ": " + msg
	}
	if r.Hint != "" {
		msg += " (hint: " + r.Hint + ")"
	}
	return "::" + cmd + " " + strings.Join(props, ",") + "::" + escapeData(msg)
}
