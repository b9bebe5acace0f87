package valuesdoc

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/hubctl/hubctl/pkg/golden"
	"github.com/hubctl/hubctl/pkg/testbed"
)

func mustParse(t *testing.T, name, text string) *Doc {
	t.Helper()
	d, err := Parse(name, []byte(text))
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return d
}

func TestApply(t *testing.T) {
	gen := Path{"hub", "config", "GenericOAuthenticator"}
	sub := func(p Path, more ...string) Path { return append(append(Path{}, p...), more...) }
	for _, tc := range []struct {
		name  string
		in    string
		edits []Edit
		want  string
	}{
		{
			name:  "set a scalar keeps its comment",
			in:    "hub:\n  config:\n    GenericOAuthenticator:\n      client_id: abc   # the id\n",
			edits: []Edit{{Kind: SetValue, Path: sub(gen, "client_id"), Value: "xyz"}},
			want:  "hub:\n  config:\n    GenericOAuthenticator:\n      client_id: xyz   # the id\n",
		},
		{
			name:  "a quoted string stays quoted",
			in:    "c:\n  a: 'old'\n  b: \"old\"\n  n: \"8080\"\n",
			edits: []Edit{{Kind: SetValue, Path: Path{"c", "a"}, Value: "new"}, {Kind: SetValue, Path: Path{"c", "b"}, Value: "new"}, {Kind: SetValue, Path: Path{"c", "n"}, Value: "9090"}},
			want:  "c:\n  a: 'new'\n  b: \"new\"\n  n: 9090\n",
		},
		{
			name:  "set an absent key adds it after the mapping's last entry",
			in:    "hub:\n  config:\n    GenericOAuthenticator:\n      client_id: abc\n      scope:\n        - openid\nproxy: {}\n",
			edits: []Edit{{Kind: SetValue, Path: sub(gen, "username_claim"), Value: "preferred_username"}},
			want:  "hub:\n  config:\n    GenericOAuthenticator:\n      client_id: abc\n      scope:\n        - openid\n      username_claim: preferred_username\nproxy: {}\n",
		},
		{
			name:  "set creates the missing parents",
			in:    "hub:\n  image: {name: x}\n",
			edits: []Edit{{Kind: SetValue, Path: Path{"hub", "config", "JupyterHub", "authenticator_class"}, Value: "generic-oauth"}},
			want:  "hub:\n  image: {name: x}\n  config:\n    JupyterHub:\n      authenticator_class: generic-oauth\n",
		},
		{
			name:  "set a block value replaces the old block",
			in:    "hub:\n  loadRoles:   # roles\n    a:\n      scopes: [x]\n  other: 1\n",
			edits: []Edit{{Kind: SetValue, Path: Path{"hub", "loadRoles"}, Value: "b:\n  scopes:\n    - y\n"}},
			want:  "hub:\n  loadRoles:   # roles\n    b:\n      scopes:\n        - y\n  other: 1\n",
		},
		{
			name:  "set into an empty mapping",
			in:    "hub:\n  extraEnv: {}\n",
			edits: []Edit{{Kind: SetValue, Path: Path{"hub", "extraEnv", "A"}, Value: `"1"`}},
			want:  "hub:\n  extraEnv:\n    A: \"1\"\n",
		},
		{
			name:  "set into a null key",
			in:    "hub:\n  extraEnv:\nproxy: {}\n",
			edits: []Edit{{Kind: SetValue, Path: Path{"hub", "extraEnv", "A"}, Value: `"1"`}},
			want:  "hub:\n  extraEnv:\n    A: \"1\"\nproxy: {}\n",
		},
		{
			name:  "set the same value again changes nothing",
			in:    "a:\n  b: \"0\"\n",
			edits: []Edit{{Kind: SetValue, Path: Path{"a", "b"}, Value: `"0"`}},
			want:  "a:\n  b: \"0\"\n",
		},
		{
			name:  "delete takes the comments directly above",
			in:    "hub:\n  config:\n    # why\n    # it is here\n    userdata_method: GET\n    keep: 1\n",
			edits: []Edit{{Kind: DeleteKey, Path: Path{"hub", "config", "userdata_method"}}},
			want:  "hub:\n  config:\n    keep: 1\n",
		},
		{
			name:  "delete a block between blank lines leaves one",
			in:    "a: 1\n\nauth:\n  type: x\n\nb: 2\n",
			edits: []Edit{{Kind: DeleteKey, Path: Path{"auth"}}},
			want:  "a: 1\n\nb: 2\n",
		},
		{
			name:  "delete the first key keeps the file's header comment",
			in:    "# header\nauth:\n  type: x\nhub: {}\n",
			edits: []Edit{{Kind: DeleteKey, Path: Path{"auth"}}},
			want:  "# header\nhub: {}\n",
		},
		{
			name:  "a comment above the first key is placed once",
			in:    "auth:\n  type: x\n",
			edits: []Edit{{Kind: AddComment, Path: Path{"auth"}, Comment: "hubctl: x"}, {Kind: AddComment, Path: Path{"auth"}, Comment: "hubctl: x"}},
			want:  "# hubctl: x\nauth:\n  type: x\n",
		},
		{
			name:  "delete the last key removes the emptied mappings",
			in:    "hub:\n  extraEnv:\n    OAUTH2_TLS_VERIFY: \"0\"\n  image: x\n",
			edits: []Edit{{Kind: DeleteKey, Path: Path{"hub", "extraEnv", "OAUTH2_TLS_VERIFY"}}},
			want:  "hub:\n  image: x\n",
		},
		{
			name:  "delete a block with a block scalar",
			in:    "a:\n  code: |\n    x = 1\n\n    y = 2\n  b: 1\n",
			edits: []Edit{{Kind: DeleteKey, Path: Path{"a", "code"}}},
			want:  "a:\n  b: 1\n",
		},
		{
			name:  "delete what is not there changes nothing",
			in:    "a: 1\n",
			edits: []Edit{{Kind: DeleteKey, Path: Path{"b", "c"}}},
			want:  "a: 1\n",
		},
		{
			name:  "rename keeps value and comment",
			in:    "c:\n  username_key: email # from the guide\n",
			edits: []Edit{{Kind: RenameKey, Path: Path{"c", "username_key"}, NewKey: "username_claim"}},
			want:  "c:\n  username_claim: email # from the guide\n",
		},
		{
			name: "move to another mapping, comments and nested lines along",
			in:   "auth:\n  custom:\n    config:\n      # the id\n      client_id: abc\n      scope:\n      - read\nhub:\n  config:\n    JupyterHub:\n      x: 1\n",
			edits: []Edit{
				{Kind: MoveKey, Path: Path{"auth", "custom", "config", "client_id"}, To: sub(gen, "client_id")},
				{Kind: MoveKey, Path: Path{"auth", "custom", "config", "scope"}, To: sub(gen, "scope")},
			},
			want: "hub:\n  config:\n    JupyterHub:\n      x: 1\n    GenericOAuthenticator:\n      # the id\n      client_id: abc\n      scope:\n      - read\n",
		},
		{
			name:  "move renames",
			in:    "a:\n  old: 1\nb:\n  c: 2\n",
			edits: []Edit{{Kind: MoveKey, Path: Path{"a", "old"}, To: Path{"b", "new"}}},
			want:  "b:\n  c: 2\n  new: 1\n",
		},
		{
			name:  "an edit inside a flow mapping writes that entry in block style",
			in:    "# ours\nhub: {config: {a: 1}, image: x}   # flow\nproxy: {secretToken: t}\n",
			edits: []Edit{{Kind: SetValue, Path: Path{"hub", "config", "b"}, Value: "2"}},
			want:  "# ours\nhub:   # flow\n  config:\n    a: 1\n    b: 2\n  image: x\nproxy: {secretToken: t}\n",
		},
		{
			name:  "delete inside a flow mapping",
			in:    "hub:\n  extraEnv: {A: \"1\", OAUTH2_TLS_VERIFY: \"0\"}\n",
			edits: []Edit{{Kind: DeleteKey, Path: Path{"hub", "extraEnv", "OAUTH2_TLS_VERIFY"}}},
			want:  "hub:\n  extraEnv:\n    A: \"1\"\n",
		},
		{
			name:  "comment above a key, once",
			in:    "c:\n  k: 1\n",
			edits: []Edit{{Kind: AddComment, Path: Path{"c", "k"}, Comment: "hubctl: decide"}, {Kind: AddComment, Path: Path{"c", "k"}, Comment: "hubctl: decide"}},
			want:  "c:\n  # hubctl: decide\n  k: 1\n",
		},
		{
			name:  "CRLF lines stay CRLF",
			in:    "a:\r\n  b: 1\r\n",
			edits: []Edit{{Kind: SetValue, Path: Path{"a", "c"}, Value: "2"}},
			want:  "a:\r\n  b: 1\r\n  c: 2\r\n",
		},
		{
			name:  "a file without a final newline",
			in:    "a:\n  b: 1",
			edits: []Edit{{Kind: SetValue, Path: Path{"a", "c"}, Value: "2"}},
			want:  "a:\n  b: 1\n  c: 2\n",
		},
		{
			name:  "four-space files get four-space blocks",
			in:    "a:\n    b: 1\n",
			edits: []Edit{{Kind: SetValue, Path: Path{"a", "c", "d"}, Value: "2"}},
			want:  "a:\n    b: 1\n    c:\n        d: 2\n",
		},
		{
			name:  "later documents are left alone",
			in:    "a:\n  b: 1\n---\na:\n  b: 1\n",
			edits: []Edit{{Kind: SetValue, Path: Path{"a", "b"}, Value: "2"}},
			want:  "a:\n  b: 2\n---\na:\n  b: 1\n",
		},
		{
			name:  "an empty file",
			in:    "# nothing yet\n",
			edits: []Edit{{Kind: SetValue, Path: Path{"hub", "config"}, Value: "x: 1"}},
			want:  "# nothing yet\nhub:\n  config:\n    x: 1\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := mustParse(t, "values.yaml", tc.in).Apply(nil, tc.edits...)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got\n%s\nwant\n%s\ndiff:\n%s", got, tc.want, UnifiedDiff("values.yaml", []byte(tc.want), got))
			}
		})
	}
}

func TestApplyRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		edit     Edit
		want     string
	}{
		{"a flow mapping at the top", "{hub: {config: {a: 1}}}\n", Edit{Kind: SetValue, Path: Path{"hub", "config", "a"}, Value: "2"}, "values.yaml:1:1: cannot change : it is written in flow style"},
		{"through an alias", "x: &x {a: 1}\nhub: *x\n", Edit{Kind: DeleteKey, Path: Path{"hub", "a"}}, "it is an alias of &x"},
		{"anchored value", "hub:\n  a: &v 1\nb: *v\n", Edit{Kind: SetValue, Path: Path{"hub", "a"}, Value: "2"}, "its value is the anchor &v"},
		{"duplicate key", "a:\n  b: 1\n  b: 2\n", Edit{Kind: SetValue, Path: Path{"a", "b"}, Value: "3"}, "the key is written twice (lines 2 and 3)"},
		{"rename onto a key", "a:\n  b: 1\n  c: 2\n", Edit{Kind: RenameKey, Path: Path{"a", "b"}, NewKey: "c"}, "c is set too"},
		{"scalar parent", "a: 1\n", Edit{Kind: SetValue, Path: Path{"a", "b"}, Value: "3"}, "it holds a single value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := mustParse(t, "values.yaml", tc.in)
			_, err := d.Apply(nil, tc.edit)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
			if !bytes.Equal(d.Bytes(), []byte(tc.in)) {
				t.Error("the document changed")
			}
		})
	}
}

// TestFixturesRoundTrip reads every file of testdata/values, checks that
// it comes back byte for byte, and that setting one key changes exactly
// that value as YAML reads the result.
func TestFixturesRoundTrip(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(golden.Dir(t), "values", "*.yaml"))
	if err != nil || len(files) < 12 {
		t.Fatalf("want at least 12 fixtures, got %d (%v)", len(files), err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			d, err := Parse(filepath.Base(f), data)
			if err != nil {
				t.Fatal(err)
			}
			same, err := d.Apply(nil)
			if err != nil || !bytes.Equal(same, data) {
				t.Fatalf("Apply with no edits changed the file (%v)", err)
			}
			prefix, err := DetectPrefix(d.Root())
			if err != nil {
				t.Fatal(err)
			}
			p := append(append(Path{}, prefix...), "hub", "config", "GenericOAuthenticator", "client_id")
			got, err := d.Apply(nil, Edit{Kind: SetValue, Path: p, Value: "new-id"})
			if err != nil {
				var ee *EditError
				if !asEditError(err, &ee) {
					t.Fatal(err)
				}
				t.Logf("refused, as it should be here: %v", err)
				if !bytes.Equal(d.Bytes(), data) {
					t.Fatal("a refused edit changed the document")
				}
				return
			}
			if len(d.Duplicates()) > 0 {
				return
			}
			want := decode(t, data)
			setIn(want, p, "new-id")
			if have := decode(t, got); !reflect.DeepEqual(have, want) {
				t.Errorf("after the edit YAML reads\n%v\nwant\n%v\ntext:\n%s", have, want, got)
			}
		})
	}
}

func asEditError(err error, target **EditError) bool {
	e, ok := err.(*EditError)
	*target = e
	return ok
}

// TestChartValuesRoundTrip edits the chart's own values.yaml, 700 lines of
// comments, anchors and blocks, and checks that the diff is the edit.
func TestChartValuesRoundTrip(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testbed.ChartDir(t), "values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := Parse("values.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	if same, _ := d.Apply(nil); !bytes.Equal(same, data) {
		t.Fatal("Apply with no edits changed values.yaml")
	}
	got, err := d.Apply(nil,
		Edit{Kind: SetValue, Path: Path{"hub", "config", "JupyterHub", "authenticator_class"}, Value: "generic-oauth"},
		Edit{Kind: SetValue, Path: Path{"hub", "services", "nbviewer", "url"}, Value: "http://nbviewer:8080"},
		Edit{Kind: DeleteKey, Path: Path{"cull", "every"}},
	)
	if err != nil {
		t.Fatal(err)
	}
	diff := UnifiedDiff("values.yaml", data, got)
	var changed []string
	for _, l := range strings.Split(diff, "\n") {
		if (strings.HasPrefix(l, "+") || strings.HasPrefix(l, "-")) && !strings.HasPrefix(l, "+++") && !strings.HasPrefix(l, "---") {
			changed = append(changed, l)
		}
	}
	want := []string{
		"-      authenticator_class: dummy",
		"+      authenticator_class: generic-oauth",
		"-  services: {}",
		"+  services:",
		"+    nbviewer:",
		"+      url: http://nbviewer:8080",
		"-  every: 600 # --cull-every",
	}
	if !reflect.DeepEqual(changed, want) {
		t.Errorf("changed lines\n%s\nwant\n%s", strings.Join(changed, "\n"), strings.Join(want, "\n"))
	}
}

func decode(t *testing.T, data []byte) map[string]any {
	t.Helper()
	var v map[string]any
	if err := yaml.Unmarshal(bytes.TrimPrefix(data, utf8BOM), &v); err != nil {
		t.Fatalf("result is not YAML: %v\n%s", err, data)
	}
	if v == nil {
		v = map[string]any{}
	}
	return v
}

func setIn(m map[string]any, p Path, v any) {
	for _, k := range p[:len(p)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[p[len(p)-1]] = v
}

func TestDropComments(t *testing.T) {
	in := "# keep\na:\n  # hubctl: stale\n  b: 1\n  code: |\n    # hubctl: stale\n    x = 1\n  # hubctl: current\n  c: 2\n"
	got, err := mustParse(t, "v.yaml", in).DropComments(func(text string) bool {
		return strings.HasPrefix(text, "# hubctl:") && text != "# hubctl: current"
	})
	want := "# keep\na:\n  b: 1\n  code: |\n    # hubctl: stale\n    x = 1\n  # hubctl: current\n  c: 2\n"
	if err != nil || string(got) != want {
		t.Errorf("got %v\n%s\nwant\n%s", err, got, want)
	}
}
