// This file checks values against a located chart's schema as helm does,
// and turns each schema error into a finding at the user's key.

package chart

import (
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/agnivade/levenshtein"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"gopkg.in/yaml.v3"

	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/spec"
)

// SchemaFindingID is the ID of every finding SchemaFindings reports.
const SchemaFindingID = "chart-schema"

// compiledSource is what a Source's files turn into, made once per Source
// because lint may check several inputs against one chart.
type compiledSource struct {
	schema *Schema
	// doc is the schema as plain data, to read the properties an unknown
	// key could have meant.
	doc      any
	defaults map[string]any
}

func (s *Source) compile() (*compiledSource, error) {
	s.once.Do(func() {
		schema, err := CompileSchema(s.Schema)
		if err != nil {
			s.err = fmt.Errorf("chart %s: %w", s.Path, err)
			return
		}
		var raw any
		if err := yaml.Unmarshal(s.Schema, &raw); err != nil {
			s.err = fmt.Errorf("chart %s: values schema: %w", s.Path, err)
			return
		}
		doc, err := jsonCompatible(raw)
		if err != nil {
			s.err = fmt.Errorf("chart %s: values schema: %w", s.Path, err)
			return
		}
		defaults, err := ParseValues(s.Values)
		if err != nil {
			s.err = fmt.Errorf("chart %s: values.yaml: %w", s.Path, err)
			return
		}
		s.compiled = &compiledSource{schema: schema, doc: doc, defaults: normalize(defaults).(map[string]any)}
	})
	return s.compiled, s.err
}

// SchemaFindings validates the user's values (merged below any wrapping
// prefix, without the chart's defaults) as helm does: over the chart's
// values.yaml, against its schema. Each error the schema reports becomes a
// finding whose Path starts with prefixDisplay. locate maps a key path in
// the values, list indices as decimal strings, to the place the user wrote
// it; a path it cannot place (a value from the chart's defaults) is
// reported at its nearest placed parent.
func SchemaFindings(src *Source, merged map[string]any, locate func(path []string) (file string, line, col int, ok bool), prefixDisplay string) (finding.List, error) {
	c, err := src.compile()
	if err != nil {
		return nil, err
	}
	user, _ := normalize(merged).(map[string]any)
	values, err := jsonCompatible(Merge(c.defaults, user))
	if err != nil {
		return nil, fmt.Errorf("values: %w", err)
	}
	err = c.schema.s.Validate(values)
	if err == nil {
		return nil, nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil, err
	}
	r := reporter{
		c:       c,
		values:  values,
		locate:  locate,
		prefix:  prefixDisplay,
		version: src.Version,
		seen:    map[string]bool{},
	}
	r.walk(ve)
	r.list.Sort()
	return r.list, nil
}

type reporter struct {
	c       *compiledSource
	values  any
	locate  func([]string) (string, int, int, bool)
	prefix  string
	version string
	seen    map[string]bool
	list    finding.List
}

// walk reports the leaves of the error tree: the inner nodes (the schema,
// a property's subschema, allOf) only say that something below failed.
func (r *reporter) walk(e *jsonschema.ValidationError) {
	switch k := e.ErrorKind.(type) {
	case *kind.OneOf, *kind.AnyOf:
		// extraFiles wants exactly one of data, stringData, binaryData:
		// three "missing" errors would each suggest a different fix.
		if missing, ok := onlyMissing(e, e.InstanceLocation); ok && len(e.Causes) > 0 {
			r.add(e.InstanceLocation, nil, "needs one of the keys "+strings.Join(missing, ", "), "")
			return
		}
		if k, ok := k.(*kind.OneOf); ok && len(k.Subschemas) > 0 {
			if keys := r.oneOfKeys(e.SchemaURL); keys != nil {
				r.add(e.InstanceLocation, nil, "sets more than one of "+strings.Join(keys, ", ")+"; the chart takes exactly one", "")
				return
			}
			r.add(e.InstanceLocation, nil, "matches more than one of the forms the chart allows here, and must match exactly one", "")
			return
		}
	case *kind.Type:
		// A null the user did not write is the chart's default, which a
		// setting elsewhere (imagePullSecret.create) made insufficient.
		if k.Got == "null" && r.locate != nil && !r.placed(e.InstanceLocation) {
			r.add(e.InstanceLocation, nil, "is not set; the chart wants "+orList(typeNames(k.Want))+" here", "")
			return
		}
	case *kind.Required:
		// A key the user set to null is missing because null deletes the
		// chart's default: point at the null, not at the parent.
		var rest []string
		for _, m := range k.Missing {
			if r.placed(append(slices.Clone(e.InstanceLocation), m)) {
				r.add(e.InstanceLocation, &m, "is required, and null deletes the key as helm merges values", "give it a value, or drop the line to keep the chart's default")
			} else {
				rest = append(rest, m)
			}
		}
		if len(rest) > 0 {
			r.add(e.InstanceLocation, nil, message(&kind.Required{Missing: rest}), "")
		}
		return
	case *kind.AdditionalProperties:
		props := slices.Sorted(slices.Values(k.Properties))
		for _, p := range props {
			msg, hint := r.unknownKey(e, p)
			r.add(e.InstanceLocation, &p, msg, hint)
		}
		return
	}
	if len(e.Causes) > 0 {
		for _, c := range e.Causes {
			r.walk(c)
		}
		return
	}
	r.add(e.InstanceLocation, nil, message(e.ErrorKind), "")
}

// onlyMissing collects the keys when every leaf below e is a required key
// missing from the same object.
func onlyMissing(e *jsonschema.ValidationError, at []string) ([]string, bool) {
	if len(e.Causes) == 0 {
		k, ok := e.ErrorKind.(*kind.Required)
		if !ok || !slices.Equal(e.InstanceLocation, at) {
			return nil, false
		}
		return k.Missing, true
	}
	var all []string
	for _, c := range e.Causes {
		m, ok := onlyMissing(c, at)
		if !ok {
			return nil, false
		}
		for _, k := range m {
			if !slices.Contains(all, k) {
				all = append(all, k)
			}
		}
	}
	return all, true
}

// unknownKey words an additional-properties error for one key, with the
// property the user most likely meant.
func (r *reporter) unknownKey(e *jsonschema.ValidationError, key string) (msg, hint string) {
	msg = "unknown key " + key
	obj, _ := schemaAt(r.c.doc, e.SchemaURL).(map[string]any)
	props, _ := obj["properties"].(map[string]any)
	known := make([]string, 0, len(props))
	for k := range props {
		known = append(known, k)
	}
	sort.Strings(known)
	if s := nearest(key, known); s != "" {
		return msg + "; did you mean " + s + "?", "rename " + key + " to " + s
	}
	patterns, _ := obj["patternProperties"].(map[string]any)
	if len(patterns) > 0 {
		ps := make([]string, 0, len(patterns))
		for p := range patterns {
			ps = append(ps, p)
		}
		sort.Strings(ps)
		return msg + "; keys here must match " + strings.Join(ps, " or "), ""
	}
	return msg, ""
}

// oneOfKeys returns the keys of a oneOf whose every branch requires one
// key, as hub.extraFiles' data, stringData and binaryData; nil otherwise.
func (r *reporter) oneOfKeys(location string) []string {
	obj, _ := schemaAt(r.c.doc, location).(map[string]any)
	branches, _ := obj["oneOf"].([]any)
	var keys []string
	for _, b := range branches {
		bm, _ := b.(map[string]any)
		req, _ := bm["required"].([]any)
		if len(bm) != 1 || len(req) != 1 {
			return nil
		}
		key, ok := req[0].(string)
		if !ok {
			return nil
		}
		keys = append(keys, key)
	}
	return keys
}

// nearest returns the known key within a typo's reach of key: the same
// word in another case, or about one edit in four characters, so that a
// different word of similar length is not offered.
func nearest(key string, known []string) string {
	for _, k := range known {
		if strings.EqualFold(k, key) {
			return k
		}
	}
	best, bestDist := "", len(key)/4+2
	for _, k := range known {
		if d := levenshtein.ComputeDistance(strings.ToLower(key), strings.ToLower(k)); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// schemaAt follows the JSON pointer in a schema location's fragment, such
// as values.schema.json#/properties/hub, into the schema document; nil
// when it leads nowhere.
func schemaAt(doc any, location string) any {
	_, frag, ok := strings.Cut(location, "#")
	if !ok {
		return doc
	}
	cur := doc
	for _, tok := range strings.Split(frag, "/") {
		if tok == "" {
			continue
		}
		// The fragment is a URI's: ".*" arrives as ".%2A".
		if u, err := url.PathUnescape(tok); err == nil {
			tok = u
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch v := cur.(type) {
		case map[string]any:
			cur = v[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(v) {
				return nil
			}
			cur = v[i]
		default:
			return nil
		}
	}
	return cur
}

// add records one finding at the instance location loc, or at the key
// below it when key is set, once per path and message.
func (r *reporter) add(loc []string, key *string, msg, hint string) {
	at := slices.Clone(loc)
	if key != nil {
		at = append(at, *key)
	}
	if r.version != "" {
		msg += " (chart " + r.version + " schema)"
	} else {
		msg += " (chart schema)"
	}
	f := finding.Finding{
		ID:       SchemaFindingID,
		Severity: finding.Error,
		Path:     r.display(at),
		Message:  msg,
		Hint:     hint,
	}
	if r.seen[f.Path+"\x00"+msg] {
		return
	}
	r.seen[f.Path+"\x00"+msg] = true
	if r.locate != nil {
		for n := len(at); n >= 0; n-- {
			if file, line, col, ok := r.locate(at[:n]); ok {
				f.Pos = finding.Position{File: file, Line: line, Column: col}
				break
			}
		}
	}
	r.list = append(r.list, f)
}

// placed reports whether the user wrote the key at path.
func (r *reporter) placed(path []string) bool {
	if r.locate == nil {
		return false
	}
	_, _, _, ok := r.locate(path)
	return ok
}

// display renders an instance location as a key path, list indices in
// brackets, after the prefix.
func (r *reporter) display(loc []string) string {
	out := r.prefix
	cur := r.values
	for _, seg := range loc {
		switch v := cur.(type) {
		case []any:
			if i, err := strconv.Atoi(seg); err == nil {
				out = spec.Index(out, i)
				if i >= 0 && i < len(v) {
					cur = v[i]
				} else {
					cur = nil
				}
				continue
			}
			cur = nil
		case map[string]any:
			cur = v[seg]
		default:
			cur = nil
		}
		out = spec.Join(out, seg)
	}
	return out
}

// message says in plain words what a leaf schema error means. It never
// repeats the value, which may be a secret such as proxy.secretToken.
func message(k jsonschema.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Type:
		return "is " + typeName(k.Got) + "; the chart wants " + orList(typeNames(k.Want))
	case *kind.Enum:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = literal(w)
		}
		if len(want) == 1 {
			return "must be " + want[0]
		}
		return "must be one of " + strings.Join(want, ", ")
	case *kind.Const:
		return "must be " + literal(k.Want)
	case *kind.Required:
		if len(k.Missing) == 1 {
			return "missing required key " + k.Missing[0]
		}
		return "missing required keys " + strings.Join(k.Missing, ", ")
	case *kind.Dependency:
		return "needs " + strings.Join(k.Missing, ", ") + " when " + k.Prop + " is set"
	case *kind.DependentRequired:
		return "needs " + strings.Join(k.Missing, ", ") + " when " + k.Prop + " is set"
	case *kind.Pattern:
		return "does not match the pattern " + k.Want
	case *kind.Format:
		return "is not a valid " + k.Want
	case *kind.MinLength:
		return fmt.Sprintf("must be at least %d characters long", k.Want)
	case *kind.MaxLength:
		return fmt.Sprintf("must be at most %d characters long", k.Want)
	case *kind.Minimum:
		return "must be at least " + ratString(k.Want)
	case *kind.Maximum:
		return "must be at most " + ratString(k.Want)
	case *kind.ExclusiveMinimum:
		return "must be more than " + ratString(k.Want)
	case *kind.ExclusiveMaximum:
		return "must be less than " + ratString(k.Want)
	case *kind.MultipleOf:
		return "must be a multiple of " + ratString(k.Want)
	case *kind.MinItems:
		return fmt.Sprintf("needs at least %d items", k.Want)
	case *kind.MaxItems:
		return fmt.Sprintf("takes at most %d items", k.Want)
	case *kind.MinProperties:
		return fmt.Sprintf("needs at least %d keys", k.Want)
	case *kind.MaxProperties:
		return fmt.Sprintf("takes at most %d keys", k.Want)
	case *kind.UniqueItems:
		return fmt.Sprintf("items %d and %d are the same; they must differ", k.Duplicates[0], k.Duplicates[1])
	case *kind.PropertyNames:
		return "has a key the chart does not allow here: " + k.Property
	case *kind.FalseSchema:
		return "is not allowed here"
	case *kind.Not:
		return "has a form the chart forbids here"
	case *kind.OneOf:
		return "matches none of the forms the chart allows here"
	case *kind.AnyOf:
		return "matches none of the forms the chart allows here"
	}
	if kw := k.KeywordPath(); len(kw) > 0 {
		return "fails the schema's " + strings.Join(kw, "/") + " rule"
	}
	return "fails the schema"
}

func typeNames(ts []string) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = typeName(t)
	}
	return out
}

func typeName(t string) string {
	switch t {
	case "string":
		return "a string"
	case "object":
		return "a mapping"
	case "array":
		return "a list"
	case "boolean":
		return "a boolean"
	case "integer":
		return "an integer"
	case "number":
		return "a number"
	case "null":
		return "null"
	}
	return t
}

func orList(items []string) string {
	switch len(items) {
	case 0:
		return "nothing"
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// literal shows a value from the schema (not the user's) as YAML would.
func literal(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		if v == "" {
			return `""`
		}
		return v
	}
	return fmt.Sprint(v)
}

func ratString(r *big.Rat) string {
	if r == nil {
		return "?"
	}
	if r.IsInt() {
		return r.Num().String()
	}
	f, _ := r.Float64()
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// normalize turns maps with non-string keys, which YAML allows and JSON
// does not, into string-keyed maps, as helm does when it reads values.
func normalize(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = normalize(x)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[fmt.Sprint(k)] = normalize(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = normalize(x)
		}
		return out
	}
	return v
}
