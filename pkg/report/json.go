package report

import (
	"encoding/json"

	"github.com/hubctl/hubctl/pkg/finding"
)

// jsonVersion is the shape's version: it changes only when a field is
// renamed or removed, never when one is added.
const jsonVersion = 1

type jsonSummary struct {
	Passed   int  `json:"passed"`
	Warnings int  `json:"warnings"`
	Failed   int  `json:"failed"`
	Skipped  int  `json:"skipped"`
	Errored  int  `json:"errored"`
	OK       bool `json:"ok"`
}

type jsonReport struct {
	Version int             `json:"version"`
	Checks  finding.Results `json:"checks"`
	Summary jsonSummary     `json:"summary"`
}

func writeJSON(w *errWriter, rs finding.Results, m Meta) error {
	if rs == nil {
		rs = finding.Results{}
	}
	c := countOf(rs)
	doc := jsonReport{
		Version: jsonVersion,
		Checks:  rs,
		Summary: jsonSummary{Passed: c.Passed, Warnings: c.Warnings, Failed: c.Failed,
			Skipped: c.Skipped, Errored: c.Errored, OK: !rs.Failed(m.Strict)},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil && w.err == nil {
		return err
	}
	return nil
}
