// Package chart applies the Zero-to-JupyterHub chart's own rules to values:
// helm's merge of a values file over the chart's defaults, and the chart's
// values schema.
package chart

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

// ParseValues reads a values file into plain maps, lists and scalars.
func ParseValues(data []byte) (map[string]any, error) {
	var v map[string]any
	if err := yaml.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	if v == nil {
		v = map[string]any{}
	}
	return v, nil
}

// Merge lays override over base as helm does: maps merge key by key, any
// other value (lists included) replaces, and null deletes the key.
func Merge(base, override map[string]any) map[string]any {
	out := make(map[string]any, len(base))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range override {
		if v == nil {
			delete(out, k)
			continue
		}
		bm, baseIsMap := out[k].(map[string]any)
		om, overrideIsMap := v.(map[string]any)
		if baseIsMap && overrideIsMap {
			out[k] = Merge(bm, om)
		} else {
			out[k] = v
		}
	}
	return out
}

// MergeFiles parses values files and lays each over the ones before it, as
// `helm install -f a.yaml -f b.yaml` does; the chart's values.yaml comes
// first.
func MergeFiles(files ...[]byte) (map[string]any, error) {
	merged := map[string]any{}
	for i, data := range files {
		v, err := ParseValues(data)
		if err != nil {
			return nil, fmt.Errorf("values file %d: %w", i+1, err)
		}
		merged = Merge(merged, v)
	}
	return merged, nil
}

// Schema is a compiled values schema.
type Schema struct{ s *jsonschema.Schema }

// CompileSchema compiles the chart's values.schema.yaml (JSON Schema
// draft-07 written in YAML).
func CompileSchema(schemaYAML []byte) (*Schema, error) {
	var doc any
	if err := yaml.Unmarshal(schemaYAML, &doc); err != nil {
		return nil, fmt.Errorf("values schema: %w", err)
	}
	doc, err := jsonCompatible(doc)
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7)
	if err := c.AddResource("values.schema.json", doc); err != nil {
		return nil, err
	}
	s, err := c.Compile("values.schema.json")
	if err != nil {
		return nil, err
	}
	return &Schema{s}, nil
}

// Validate checks values (already merged over the chart's defaults, as
// helm checks them).
func (s *Schema) Validate(values map[string]any) error {
	doc, err := jsonCompatible(values)
	if err != nil {
		return err
	}
	return s.s.Validate(doc)
}

// jsonCompatible round-trips through JSON so numbers and maps have the
// types the validator expects.
func jsonCompatible(v any) (any, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(data))
}
