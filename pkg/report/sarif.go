package report

import (
	"encoding/json"
	"net/url"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/hubctl/hubctl/pkg/finding"
)

const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
	// informationURI is where a SARIF viewer links the tool's name.
	informationURI = "https://github.com/hubctl/hubctl"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string     `json:"id"`
	Name             string     `json:"name,omitempty"`
	ShortDescription *sarifText `json:"shortDescription,omitempty"`
	FullDescription  *sarifText `json:"fullDescription,omitempty"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysicalLocation `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogicalLocation `json:"logicalLocations,omitempty"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           *sarifRegion          `json:"region,omitempty"`
}

type sarifArtifactLocation struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

type sarifLogicalLocation struct {
	Name string `json:"name"`
	Kind string `json:"kind,omitempty"`
}

// sarifRules is the driver's rule list: the catalogue first, then a rule
// for each ID a result carries that the catalogue lacks (validate's and
// lint's finding IDs), so that every result has a ruleIndex.
type sarifRules struct {
	rules []sarifRule
	index map[string]int
}

func (s *sarifRules) add(rule sarifRule) int {
	if i, ok := s.index[rule.ID]; ok {
		return i
	}
	s.index[rule.ID] = len(s.rules)
	s.rules = append(s.rules, rule)
	return len(s.rules) - 1
}

func describe(text string) *sarifText {
	if text == "" {
		return nil
	}
	return &sarifText{Text: text}
}

func writeSARIF(w *errWriter, rs finding.Results, m Meta) error {
	rules := &sarifRules{rules: []sarifRule{}, index: map[string]int{}}
	for _, r := range m.Rules {
		rules.add(sarifRule{ID: r.ID, Name: ruleName(r.ID),
			ShortDescription: describe(r.Title), FullDescription: describe(r.Doc)})
	}
	results := []sarifResult{}
	for _, r := range rs {
		if !reported(r) {
			continue
		}
		level := "error"
		if r.Status == finding.Warn {
			level = "warning"
		}
		results = append(results, sarifResult{
			RuleID:    r.ID,
			RuleIndex: rules.add(sarifRule{ID: r.ID, Name: ruleName(r.ID), ShortDescription: describe(r.Title)}),
			Level:     level,
			Message:   sarifText{Text: sarifMessage(r)},
			Locations: sarifLocations(r, m),
		})
	}
	doc := sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{{
		Tool: sarifTool{Driver: sarifDriver{Name: m.tool(), Version: m.Version,
			InformationURI: informationURI, Rules: rules.rules}},
		Results: results,
	}}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil && w.err == nil {
		return err
	}
	return nil
}

// sarifMessage is the message with its hint on a line of its own; a live
// result's starts with its target, as viewers show the text first and the
// logical location seldom.
func sarifMessage(r finding.Result) string {
	text := withHint(r, "\nhint: ")
	if !isStatic(r) && r.Target != "" {
		text = r.Target + ": " + text
	}
	return text
}

// sarifLocations places a static finding at its line in its file. A live
// result names its target as a logical location; it also points at the
// spec file as a whole, because code scanning drops results without a
// physical location.
func sarifLocations(r finding.Result, m Meta) []sarifLocation {
	if isStatic(r) {
		loc := &sarifPhysicalLocation{ArtifactLocation: sarifArtifactLocation{URI: fileURI(r.Pos.File)}}
		if r.Pos.Line > 0 {
			loc.Region = &sarifRegion{StartLine: r.Pos.Line, StartColumn: r.Pos.Column}
		}
		return []sarifLocation{{PhysicalLocation: loc}}
	}
	var loc sarifLocation
	if m.SpecFile != "" {
		loc.PhysicalLocation = &sarifPhysicalLocation{ArtifactLocation: sarifArtifactLocation{URI: fileURI(m.SpecFile)}}
	}
	if r.Target != "" {
		loc.LogicalLocations = []sarifLogicalLocation{{Name: r.Target, Kind: "resource"}}
	}
	if loc.PhysicalLocation == nil && loc.LogicalLocations == nil {
		return nil
	}
	return []sarifLocation{loc}
}

// fileURI turns a path into a URI reference: a relative path stays
// relative to the checkout, as code scanning resolves it, and an absolute
// one becomes a file URI.
func fileURI(path string) string {
	p := filepath.ToSlash(path)
	if filepath.IsAbs(path) {
		if !strings.HasPrefix(p, "/") {
			p = "/" + p // a Windows drive letter
		}
		return (&url.URL{Scheme: "file", Path: p}).String()
	}
	return (&url.URL{Path: p}).String()
}

// ruleName is the ID in PascalCase ("tls.expiry" is TlsExpiry), the form
// SARIF asks of a rule's name.
func ruleName(id string) string {
	var b strings.Builder
	upper := true
	for _, c := range id {
		if !unicode.IsLetter(c) && !unicode.IsDigit(c) {
			upper = true
			continue
		}
		if upper {
			c = unicode.ToUpper(c)
			upper = false
		}
		b.WriteRune(c)
	}
	return b.String()
}
