package chart

import (
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/golden"
	"github.com/hubctl/hubctl/pkg/testbed"
)

// nodeLocator places key paths in a values file the way lint's caller
// does: at the key, list items at the item; prefix is the wrapping keys.
func nodeLocator(t *testing.T, file string, data []byte, prefix ...string) func([]string) (string, int, int, bool) {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return func(path []string) (string, int, int, bool) {
		if len(doc.Content) == 0 {
			return "", 0, 0, false
		}
		n, at := doc.Content[0], doc.Content[0]
		for _, seg := range append(append([]string{}, prefix...), path...) {
			switch n.Kind {
			case yaml.MappingNode:
				found := false
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == seg {
						at, n, found = n.Content[i], n.Content[i+1], true
						break
					}
				}
				if !found {
					return "", 0, 0, false
				}
			case yaml.SequenceNode:
				i, err := strconv.Atoi(seg)
				if err != nil || i < 0 || i >= len(n.Content) {
					return "", 0, 0, false
				}
				at, n = n.Content[i], n.Content[i]
			default:
				return "", 0, 0, false
			}
		}
		return file, at.Line, at.Column, true
	}
}

func realSource(t *testing.T) *Source {
	t.Helper()
	src, err := Locate(testbed.ChartDir(t), "", "")
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func render(l finding.List) string {
	var b strings.Builder
	for _, f := range l {
		b.WriteString(f.Pos.String() + " " + f.ID + " " + f.Path + " " + f.Message)
		if f.Hint != "" {
			b.WriteString(" [hint: " + f.Hint + "]")
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestSchemaFindings(t *testing.T) {
	src := realSource(t)
	tests := []struct {
		name   string
		values string
		// prefix wraps the chart's values, as a daskhub-style chart does.
		prefix []string
		empty  bool
	}{
		{name: "clean", empty: true, values: `
hub:
  config:
    JupyterHub:
      authenticator_class: generic-oauth
    GenericOAuthenticator:
      client_id: hub
      allow_all: true
  extraEnv:
    OAUTH2_TLS_VERIFY: "true"
proxy:
  secretToken: null
singleuser:
  storage:
    type: none
`},
		{name: "unknown-keys", values: `
auth:
  type: custom
hub:
  cofnig:
    JupyterHub:
      admin_access: true
  config:
    jupyterhub:
      admin_access: true
    oauthenticator: {}
  extraFiles:
    my.conf:
      mountPath: /etc/my.conf
      data: {a: 1}
      datta: {}
`},
		{name: "wrong-types", values: `
proxy:
  secretToken: 5
  service:
    type: Ingress
hub:
  baseUrl: null
  db:
    type: sqlite
    pvc:
      accessModes: [ReadWriteOnce, 5]
  extraEnv: true
  extraFiles:
    missing-data:
      mountPath: /x
    both:
      mountPath: /y
      data: {a: 1}
      stringData: "b"
imagePullSecret:
  create: true
  registry: null
cull:
  timeout: -1
`},
		{name: "wrapped", prefix: []string{"jupyterhub"}, values: `
jupyterhub:
  hub:
    cofnig: {}
  proxy:
    secretToken: 5
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(strings.TrimPrefix(tt.values, "\n"))
			all, err := ParseValues(data)
			if err != nil {
				t.Fatal(err)
			}
			user := all
			for _, k := range tt.prefix {
				user = user[k].(map[string]any)
			}
			got, err := SchemaFindings(src, user, nodeLocator(t, "values.yaml", data, tt.prefix...), strings.Join(tt.prefix, "."))
			if err != nil {
				t.Fatal(err)
			}
			if tt.empty {
				if len(got) != 0 {
					t.Errorf("want no findings, got:\n%s", render(got))
				}
				return
			}
			if len(got) == 0 {
				t.Fatal("no findings")
			}
			for _, f := range got {
				if f.ID != "chart-schema" || f.Severity != finding.Error || !strings.HasSuffix(f.Message, "(chart 4.4.0 schema)") {
					t.Errorf("finding %v: want an error chart-schema ending (chart 4.4.0 schema)", f)
				}
			}
			golden.Assert(t, "golden/chart/"+tt.name+".txt", []byte(render(got)))
		})
	}
}

// The user's values never appear in messages: proxy.secretToken and the
// like are secrets.
func TestSchemaFindingsHideValues(t *testing.T) {
	src := realSource(t)
	data := []byte("proxy:\n  secretToken: 987654321\n  service:\n    type: s3cr3t-value\nhub:\n  cookieSecret: 123456789\n  db:\n    url: 55555\n")
	values, err := ParseValues(data)
	if err != nil {
		t.Fatal(err)
	}
	got, err := SchemaFindings(src, values, nodeLocator(t, "v.yaml", data), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < 3 {
		t.Fatalf("want a finding per bad value, got:\n%s", render(got))
	}
	for _, f := range got {
		for _, secret := range []string{"987654321", "s3cr3t", "123456789", "55555"} {
			if strings.Contains(f.Message+f.Hint, secret) {
				t.Errorf("finding shows a value: %v", f)
			}
		}
	}
}

// A path the locator cannot place is reported at its nearest placed
// parent, and one with no placed parent at all has no position.
func TestSchemaFindingsPositionFallback(t *testing.T) {
	src := realSource(t)
	values := map[string]any{"hub": map[string]any{"cofnig": map[string]any{}, "db": map[string]any{"type": "nope"}}}
	tests := []struct {
		name   string
		locate func([]string) (string, int, int, bool)
		want   []finding.Position
	}{
		{"parent only", func(p []string) (string, int, int, bool) {
			if len(p) == 1 && p[0] == "hub" {
				return "f.yaml", 3, 1, true
			}
			return "", 0, 0, false
		}, []finding.Position{{File: "f.yaml", Line: 3, Column: 1}, {File: "f.yaml", Line: 3, Column: 1}}},
		{"nothing placed", func([]string) (string, int, int, bool) { return "", 0, 0, false }, []finding.Position{{}, {}}},
		{"no locator", nil, []finding.Position{{}, {}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SchemaFindings(src, values, tt.locate, "")
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got:\n%s", render(got))
			}
			for i, f := range got {
				if f.Pos != tt.want[i] {
					t.Errorf("%s: at %v, want %v", f.Path, f.Pos, tt.want[i])
				}
			}
		})
	}
}

func TestSchemaFindingsCompilesOnce(t *testing.T) {
	src := realSource(t)
	for range 3 {
		if _, err := SchemaFindings(src, map[string]any{"hub": map[string]any{"x": 1}}, nil, ""); err != nil {
			t.Fatal(err)
		}
	}
	first := src.compiled
	if _, err := SchemaFindings(src, nil, nil, ""); err != nil {
		t.Fatal(err)
	}
	if first == nil || src.compiled != first {
		t.Error("the schema was compiled again")
	}
}

func TestSchemaFindingsBrokenChart(t *testing.T) {
	tests := []struct {
		name string
		src  *Source
		want string
	}{
		{"schema not YAML", &Source{Path: "c.tgz", Schema: []byte("a: [\n"), Values: []byte("{}")}, "c.tgz"},
		{"schema not a schema", &Source{Path: "c.tgz", Schema: []byte("type: 5\n"), Values: []byte("{}")}, "c.tgz"},
		{"values not YAML", &Source{Path: "c.tgz", Schema: []byte("type: object\n"), Values: []byte("a: [\n")}, "values.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := SchemaFindings(tt.src, nil, nil, "")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error naming %s", err, tt.want)
			}
		})
	}
}

// Keys YAML allows and JSON does not (numbers, booleans) are validated as
// helm validates them, as strings.
func TestSchemaFindingsNonStringKeys(t *testing.T) {
	src := &Source{Path: "fake", Version: "1.0.0", Schema: []byte("type: object\nproperties:\n  env:\n    type: object\n    additionalProperties: {type: string}\n"), Values: []byte("{}")}
	values, err := ParseValues([]byte("env:\n  1: one\n  true: 2\n"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := SchemaFindings(src, values, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Path != `env["true"]` && got[0].Path != "env.true" {
		t.Errorf("got:\n%s", render(got))
	}
}
