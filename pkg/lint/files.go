package lint

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hubctl/hubctl/pkg/chart"
	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/valuesdoc"
)

// File is one values file as read from disk.
type File struct {
	Name string
	Data []byte
}

// Options say how to read the files.
type Options struct {
	// Prefix is where the chart's values sit; nil to detect it.
	Prefix valuesdoc.Path
	// JupyterHub is the target version, DefaultJupyterHub when empty.
	JupyterHub string
	// Chart is the chart whose values schema to check against; nil skips
	// the schema.
	Chart *chart.Source
}

// Values is the files parsed and merged as helm merges them.
type Values struct {
	Docs   []*valuesdoc.Doc
	Prefix valuesdoc.Path
	Merged *valuesdoc.Merged
}

// ReadValues parses the files, finds the prefix (from the first file that
// has the chart's keys, unless given) and merges them. A file that is not
// YAML is a *valuesdoc.SyntaxError naming its place.
func ReadValues(files []File, prefix valuesdoc.Path) (*Values, error) {
	v := &Values{Prefix: prefix}
	for _, f := range files {
		d, err := valuesdoc.Parse(f.Name, f.Data)
		if err != nil {
			return nil, err
		}
		v.Docs = append(v.Docs, d)
	}
	if v.Prefix == nil {
		v.Prefix = valuesdoc.Path{}
		for _, d := range v.Docs {
			p, err := valuesdoc.DetectPrefix(d.Root())
			if err != nil {
				return nil, fmt.Errorf("%s: %w", d.File, err)
			}
			if len(p) > 0 || d.Root() != nil {
				v.Prefix = p
				break
			}
		}
	}
	m, err := valuesdoc.Merge(v.Prefix, v.Docs...)
	if err != nil {
		return nil, err
	}
	v.Merged = m
	return v, nil
}

// Report is what lint found in a set of files.
type Report struct {
	Values   *Values
	Problems []Problem
	// Schema holds the chart schema's findings; SchemaSkipped says no
	// chart was found to take it from.
	Schema        finding.List
	SchemaSkipped bool
}

// Findings are every finding, in file order.
func (r *Report) Findings() finding.List {
	out := append(Findings(r.Problems), r.Schema...)
	out.Sort()
	return out
}

// Check reads the files and runs every check on the merged values.
func Check(files []File, opts Options) (*Report, error) {
	v, err := ReadValues(files, opts.Prefix)
	if err != nil {
		return nil, err
	}
	r := &Report{Values: v}
	in := Input{Root: v.Merged.Root, FileOf: v.Merged.FileOf, Prefix: v.Prefix, JupyterHub: opts.JupyterHub}
	if len(files) > 1 {
		in.Layers = v.Merged.Layers
	}
	if in.Root == nil && len(files) > 0 {
		in.FileOf = func(*yaml.Node) string { return files[0].Name }
	}
	r.Problems = Lint(in)
	r.Problems = append(r.Problems, duplicates(v)...)
	if opts.Chart == nil {
		r.SchemaSkipped = true
		return r, nil
	}
	plain, _ := valuesdoc.Plain(v.Merged.Root).(map[string]any)
	if plain == nil {
		plain = map[string]any{}
	}
	locate := func(path []string) (string, int, int, bool) {
		n, ok := valuesdoc.Locate(v.Merged.Root, path)
		if !ok {
			return "", 0, 0, false
		}
		return v.Merged.FileOf(n), n.Line, n.Column, true
	}
	display := strings.Join(v.Prefix, ".")
	schema, err := chart.SchemaFindings(opts.Chart, plain, locate, display)
	if err != nil {
		return nil, err
	}
	// Where lint already reports an error at the same place (the legacy
	// auth: block is an unknown key to the schema too), the schema's
	// finding says less.
	said := map[finding.Position]bool{}
	for _, p := range r.Problems {
		if p.Severity == finding.Error {
			said[p.Pos] = true
		}
	}
	for _, f := range schema {
		if !said[f.Pos] {
			r.Schema = append(r.Schema, f)
		}
	}
	return r, nil
}

// duplicates reports keys written twice: helm takes the last without a
// word, so the first is a setting that silently does nothing.
func duplicates(v *Values) []Problem {
	var out []Problem
	for _, d := range v.Docs {
		for _, dup := range d.Duplicates() {
			out = append(out, Problem{Finding: finding.Finding{
				ID: "duplicate-key", Severity: finding.Warning,
				Pos:     finding.Position{File: d.File, Line: dup.Second.Line, Column: dup.Second.Column},
				Path:    strings.Join(dup.Path, "."),
				Message: fmt.Sprintf("the key is written twice; helm takes this one and ignores line %d", dup.First.Line),
				Hint:    "delete one of them",
			}, Comment: "hubctl: this key is written twice; helm takes the last"})
		}
	}
	return out
}
