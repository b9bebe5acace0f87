package schema_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/hubctl/hubctl/pkg/golden"
	"github.com/hubctl/hubctl/pkg/schema"
	"github.com/hubctl/hubctl/pkg/spec"
)

func compile(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema.JSON))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("hubctl.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("hubctl.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func yamlToJSON(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestExamplesMatchTheSchema(t *testing.T) {
	s := compile(t)
	root := filepath.Dir(golden.Dir(t))
	files, _ := filepath.Glob(filepath.Join(root, "examples", "*.yaml"))
	more, _ := filepath.Glob(filepath.Join(root, "testdata", "specs", "*.yaml"))
	for _, f := range append(files, more...) {
		data, _ := os.ReadFile(f)
		if err := s.Validate(yamlToJSON(t, data)); err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
		}
	}
}

func TestSchemaRejectsWhatValidateRejects(t *testing.T) {
	s := compile(t)
	for name, text := range map[string]string{
		"legacy auth block":  "version: 1\nhub: {url: https://h}\nauth: {type: custom}\n",
		"typo":               "version: 1\nhub: {url: https://h, jupyterhb: '5.5'}\n",
		"secret with two":    "version: 1\nhub: {url: https://h}\nservices: {a: {apiToken: {env: A, file: b}}}\n",
		"access word":        "version: 1\nhub: {url: https://h}\nservices: {a: {access: everyone}}\n",
		"client id prefix":   "version: 1\nhub: {url: https://h}\nservices: {a: {clientId: nbviewer}}\n",
		"provider":           "version: 1\nhub: {url: https://h}\nlogin: {provider: github, clientId: x, clientSecret: {env: X}, allow: {all: true}}\n",
		"no allow":           "version: 1\nhub: {url: https://h}\nlogin: {provider: oidc, clientId: x, clientSecret: {env: X}}\n",
		"service with slash": "version: 1\nhub: {url: https://h}\nservices: {a/b: {}}\n",
		"version 2":          "version: 2\nhub: {url: https://h}\n",
	} {
		if err := s.Validate(yamlToJSON(t, []byte(text))); err == nil {
			t.Errorf("%s: the schema accepts it", name)
		}
	}
}

// TestSchemaKnowsEveryKey keeps the published schema and the Go types in
// step: every key the loader accepts is in the schema, and nothing else.
func TestSchemaKnowsEveryKey(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(schema.JSON, &doc); err != nil {
		t.Fatal(err)
	}
	defs := doc["definitions"].(map[string]any)
	props := func(node any) []string {
		var keys []string
		for k := range node.(map[string]any)["properties"].(map[string]any) {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return keys
	}
	root := doc["properties"].(map[string]any)
	cases := []struct {
		name   string
		schema any
		goType any
	}{
		{"top", doc, spec.Spec{}},
		{"hub", root["hub"], spec.Hub{}},
		{"login", root["login"], spec.Login{}},
		{"allow", root["login"].(map[string]any)["properties"].(map[string]any)["allow"], spec.Allow{}},
		{"service", defs["service"], spec.Service{}},
		{"role", defs["role"], spec.Role{}},
		{"access", defs["service"].(map[string]any)["properties"].(map[string]any)["access"].(map[string]any)["else"], spec.Access{}},
	}
	for _, c := range cases {
		got, want := props(c.schema), yamlKeys(reflect.TypeOf(c.goType))
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: schema has %v, Go has %v", c.name, got, want)
		}
	}
}

func yamlKeys(t reflect.Type) []string {
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			keys = append(keys, name)
		}
	}
	sort.Strings(keys)
	return keys
}
