package valuesdoc

import (
	"errors"
	"strings"
	"testing"
)

func TestDetectPrefix(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{in: "hub:\n  config: {}\n", want: ""},
		{in: "auth:\n  type: custom\n", want: ""},
		{in: "jupyterhub:\n  hub: {}\nconfig: {BinderHub: {}}\n", want: "jupyterhub"},
		{in: "daskhub:\n  jupyterhub:\n    proxy: {}\n", want: "daskhub.jupyterhub"},
		{in: "basehub:\n  jupyterhub:\n    singleuser: {}\n", want: "basehub.jupyterhub"},
		{in: "nfs: {}\n", want: ""},
		{in: "hub: {}\njupyterhub:\n  hub: {}\n", err: "under the top level and jupyterhub; say which with --prefix"},
	} {
		d := mustParse(t, "v.yaml", tc.in)
		got, err := DetectPrefix(d.Root())
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: err = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || strings.Join(got, ".") != tc.want {
			t.Errorf("%q: got %v, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	if got := ParsePrefix("daskhub.jupyterhub"); strings.Join(got, "/") != "daskhub/jupyterhub" {
		t.Errorf("ParsePrefix = %v", got)
	}
}

func TestMerge(t *testing.T) {
	a := mustParse(t, "a.yaml", "hub:\n  config:\n    GenericOAuthenticator:\n      client_id: a\n      scope: [x]\n  image: old\nsingleuser: {}\n")
	b := mustParse(t, "b.yaml", "hub:\n  config:\n    GenericOAuthenticator:\n      scope: [y]\n  image: ~\n")
	m, err := Merge(nil, a, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Layers) != 2 {
		t.Fatalf("layers = %d", len(m.Layers))
	}
	_, id, _ := Lookup(m.Root, Path{"hub", "config", "GenericOAuthenticator", "client_id"})
	_, scope, _ := Lookup(m.Root, Path{"hub", "config", "GenericOAuthenticator", "scope"})
	if id == nil || id.Value != "a" || m.FileOf(id) != "a.yaml" || id.Line != 4 {
		t.Errorf("client_id = %+v from %q", id, m.FileOf(id))
	}
	if scope == nil || len(scope.Content) != 1 || scope.Content[0].Value != "y" || m.FileOf(scope) != "b.yaml" {
		t.Errorf("scope = %+v from %q: a list is replaced, not merged", scope, m.FileOf(scope))
	}
	if _, _, ok := Lookup(m.Root, Path{"hub", "image"}); ok {
		t.Error("a null in a later file deletes the key")
	}

	bomb := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	for i, prev := 'b', 'a'; i <= 'j'; i, prev = i+1, i {
		bomb += string(i) + ": &" + string(i) + " [" + strings.Repeat("*"+string(prev)+", ", 9) + "*" + string(prev) + "]\n"
	}
	bomb += "hub: *j\n"
	if _, err := Merge(nil, mustParse(t, "bomb.yaml", bomb)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("alias bomb: err = %v, want ErrTooLarge", err)
	}
	if _, err := Merge(Path{"jupyterhub"}, mustParse(t, "w.yaml", "jupyterhub: 3\n")); err == nil || !strings.Contains(err.Error(), "w.yaml:1:13: jupyterhub must be a mapping") {
		t.Errorf("scalar prefix: err = %v", err)
	}
}

func TestUnifiedDiff(t *testing.T) {
	if got := UnifiedDiff("v.yaml", []byte("a: 1\n"), []byte("a: 1\n")); got != "" {
		t.Errorf("equal files: %q", got)
	}
	got := UnifiedDiff("v.yaml", []byte("a: 1\nb: 2\n"), []byte("a: 1\nb: 3\n"))
	for _, want := range []string{"--- a/v.yaml\n", "+++ b/v.yaml\n", "-b: 2\n", "+b: 3\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("diff lacks %q:\n%s", want, got)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"hub:\n  a: [1\n", "v.yaml:"},
		{"- a\n- b\n", "v.yaml:1:1: values must be a mapping of keys, not a list"},
		{"hub:\n\tconfig: 1\n", "v.yaml:2:"},
	} {
		_, err := Parse("v.yaml", []byte(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.in, err, tc.want)
		}
	}
}
