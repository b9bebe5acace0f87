package finding

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/fatih/color"
)

// WriteText prints each finding on its own line, followed by its hint
// indented beneath it, and colours the severity when colour is on.
func WriteText(w io.Writer, l List, colour bool) error {
	for _, f := range l {
		line := f.String()
		if colour {
			line = severityColour(f.Severity).Sprint(line)
		}
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
		if f.Hint != "" {
			if _, err := fmt.Fprintf(w, "    hint: %s\n", f.Hint); err != nil {
				return err
			}
		}
	}
	return nil
}

// WriteJSON prints the findings and their counts as one JSON document.
func WriteJSON(w io.Writer, l List) error {
	if l == nil {
		l = List{}
	}
	doc := struct {
		Findings List `json:"findings"`
		Errors   int  `json:"errors"`
		Warnings int  `json:"warnings"`
	}{l, l.Count(Error), l.Count(Warning)}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

func severityColour(s Severity) *color.Color {
	var c *color.Color
	switch s {
	case Error:
		c = color.New(color.FgRed)
	case Warning:
		c = color.New(color.FgYellow)
	default:
		c = color.New(color.FgCyan)
	}
	// The caller has decided colour is wanted for this stream; fatih/color's
	// own detection only looks at os.Stdout, so it must not overrule that.
	c.EnableColor()
	return c
}
