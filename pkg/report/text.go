package report

import (
	"fmt"
	"strings"

	"github.com/fatih/color"

	"github.com/hubctl/hubctl/pkg/finding"
)

// symbols mark each status at the start of its line.
var symbols = map[finding.Status]string{
	finding.Pass:    "✓",
	finding.Warn:    "!",
	finding.Fail:    "✗",
	finding.Errored: "?",
	finding.Skip:    "-",
}

// textStyle colours the text format; without colour every colour is a
// plain Sprint.
type textStyle struct {
	status    map[finding.Status]*color.Color
	header    *color.Color
	good, bad *color.Color
	faint     *color.Color
}

func newTextStyle(colour bool) textStyle {
	mk := func(attrs ...color.Attribute) *color.Color {
		c := color.New(attrs...)
		// The caller decided colour for this stream; fatih/color's own
		// detection only looks at os.Stdout and must not overrule it.
		if colour {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
		return c
	}
	green, red := mk(color.FgGreen), mk(color.FgRed)
	return textStyle{
		status: map[finding.Status]*color.Color{
			finding.Pass:    green,
			finding.Warn:    mk(color.FgYellow),
			finding.Fail:    red,
			finding.Errored: red,
		},
		header: mk(color.Bold),
		good:   green,
		bad:    red,
		faint:  mk(color.Faint),
	}
}

type targetGroup struct {
	target  string
	results finding.Results
}

// groupByTarget keeps the targets in the order they first appear, which is
// the plan's order: the hub before its API, the provider before services.
func groupByTarget(rs finding.Results) []targetGroup {
	var groups []targetGroup
	index := map[string]int{}
	for _, r := range rs {
		i, ok := index[r.Target]
		if !ok {
			i = len(groups)
			index[r.Target] = i
			groups = append(groups, targetGroup{target: r.Target})
		}
		groups[i].results = append(groups[i].results, r)
	}
	return groups
}

func writeText(w *errWriter, rs finding.Results, m Meta, o TextOptions) {
	st := newTextStyle(o.Colour)
	// A check skipped because one it needs did not pass says nothing new:
	// the failure above it is the finding. Verbose output lists them.
	shown, blocked := rs, 0
	if !o.Verbose {
		shown = nil
		for _, r := range rs {
			if r.BlockedBy != "" {
				blocked++
				continue
			}
			shown = append(shown, r)
		}
	}
	for i, g := range groupByTarget(shown) {
		if i > 0 {
			w.printf("\n")
		}
		target := g.target
		if target == "" {
			target = "(no target)"
		}
		w.printf("%s\n", st.header.Sprint(target))
		for _, r := range g.results {
			writeTextResult(w, r, st, o)
		}
	}
	if len(shown) > 0 {
		w.printf("\n")
	}
	line := summary(rs, m)
	if blocked > 0 {
		line += fmt.Sprintf(" (%d skipped because a check they need did not pass; -v lists them)", blocked)
	}
	if rs.Failed(m.Strict) {
		w.printf("%s\n", st.bad.Sprint(line))
	} else {
		w.printf("%s\n", st.good.Sprint(line))
	}
}

// writeTextResult prints "  ✗ [FILE:LINE:COL: ]Title[: path][: message] [id]"
// and the hint beneath it.
func writeTextResult(w *errWriter, r finding.Result, st textStyle, o TextOptions) {
	var b strings.Builder
	if isStatic(r) && r.Pos.Line > 0 {
		b.WriteString(r.Pos.String())
		b.WriteString(": ")
	}
	b.WriteString(r.Title)
	if r.Path != "" && r.Path != r.Title {
		b.WriteString(": ")
		b.WriteString(r.Path)
	}
	if r.Message != "" && (r.Status != finding.Pass || o.Verbose) {
		b.WriteString(": ")
		b.WriteString(r.Message)
	}
	b.WriteString(" [")
	b.WriteString(r.ID)
	b.WriteString("]")
	if r.Status == finding.Skip {
		w.printf("  %s\n", st.faint.Sprint(symbols[r.Status]+" "+b.String()))
	} else {
		w.printf("  %s %s\n", st.status[r.Status].Sprint(symbols[r.Status]), b.String())
	}
	showHint := reported(r) || (r.Status == finding.Skip && o.Verbose)
	if r.Hint != "" && showHint {
		w.printf("    hint: %s\n", r.Hint)
	}
}
