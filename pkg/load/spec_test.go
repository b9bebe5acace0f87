package load

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hubctl/hubctl/pkg/exitcode"
)

func specFindings(t *testing.T, text string) []string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hubctl.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	r, _ := Spec(path, Options{})
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.ID+"@"+f.Path)
	}
	return out
}

// One finding per problem: an access that failed to decode is not also
// reported as missing.
func TestWrongAccessIsNotAlsoMissing(t *testing.T) {
	got := specFindings(t, "version: 1\nhub: {url: https://hub.example.org}\nservices:\n  nb:\n    url: http://nb:80\n    access: everyone\n    apiToken: {env: NB_API_TOKEN}\n")
	if !slices.Equal(got, []string{"wrong-type@services.nb.access"}) {
		t.Errorf("findings %v, want only the wrong type", got)
	}
}

// A mapping whose content failed to decode is not also absent: the
// structural finding inside it is the one problem.
func TestBrokenMappingIsNotAlsoAbsent(t *testing.T) {
	const head = "version: 1\nhub: {url: https://hub.example.org}\n"
	const login = "login:\n  provider: oidc\n  url: https://id.example.org\n  clientId: hub\n"
	for _, tt := range []struct{ name, text, want string }{
		{"allow.all mistyped", head + login + "  clientSecret: {env: S}\n  allow: {all: \"yes\"}\n", "wrong-type@login.allow.all"},
		{"secret of an unknown kind", head + login + "  clientSecret: {vault: x}\n  allow: {all: true}\n", "unknown-key@login.clientSecret.vault"},
		{"role scopes mistyped", head + "roles:\n  observers:\n    scopes: read:users\n", "wrong-type@roles.observers.scopes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := specFindings(t, tt.text); !slices.Equal(got, []string{tt.want}) {
				t.Errorf("findings %v, want only %s", got, tt.want)
			}
		})
	}
}

// A duplicate key does not hide what is wrong with the first occurrence,
// which is the one read.
func TestDuplicateKeyKeepsTheFirstChecked(t *testing.T) {
	got := specFindings(t, "version: 1\nhub:\n  url: http://hub.example.org\n  url: https://hub.example.org\n")
	if !slices.Contains(got, "duplicate-key@hub.url") || !slices.Contains(got, "insecure-url@hub.url") {
		t.Errorf("findings %v, want duplicate-key and insecure-url at hub.url", got)
	}
}

type endlessInput struct{}

func (endlessInput) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'y'
	}
	return len(p), nil
}

// `yes | hubctl validate -f -` stops at the cap, as invalid input.
func TestStandardInputIsCapped(t *testing.T) {
	_, err := Spec("-", Options{Stdin: endlessInput{}})
	if err == nil || !strings.Contains(err.Error(), "reading the spec from standard input: is larger than 4 MiB") || exitcode.For(err) != exitcode.Invalid {
		t.Errorf("Spec(-) = %v (exit %d)", err, exitcode.For(err))
	}
}
