package lint

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/hubctl/hubctl/pkg/golden"
	"github.com/hubctl/hubctl/pkg/valuesdoc"
)

type lintCase struct {
	name    string
	files   []string // testdata fixtures; several are layers, the last one the merged root
	prefix  []string
	version string
	want    []string // the IDs found, sorted
}

var cases = []lintCase{
	{name: "clean", files: []string{"clean.yaml"}},
	{name: "legacy-auth-nbgallery", files: []string{"legacy-auth-nbgallery.yaml"}, want: []string{"legacy-auth", "removed-key"}},
	{name: "legacy-auth-empty", files: []string{"legacy-auth-empty.yaml"}, want: []string{"legacy-auth"}},
	{name: "legacy-auth-github", files: []string{"legacy-auth-github.yaml"}, want: []string{"legacy-auth"}},
	{name: "legacy-auth-unmapped", files: []string{"legacy-auth-unmapped.yaml"}, want: []string{"legacy-auth"}},
	{name: "config-sections", files: []string{"config-sections.yaml"},
		want: []string{"config-section-name", "config-section-name", "unknown-config-section", "unknown-config-section"}},
	{name: "wrong-class", files: []string{"wrong-class.yaml"},
		want: []string{"unknown-trait", "unknown-trait", "unused-key", "wrong-class", "wrong-class", "wrong-class", "wrong-class", "wrong-class", "wrong-class"}},
	{name: "no-authenticator-class", files: []string{"no-authenticator-class.yaml"}, want: []string{"no-authenticator-class"}},
	{name: "no-authenticator-class-two", files: []string{"no-authenticator-class-two.yaml"}, want: []string{"no-authenticator-class"}},
	{name: "renamed-traits", files: []string{"renamed-traits.yaml"},
		want: []string{"removed-key", "renamed-key", "renamed-key", "renamed-key", "renamed-key", "renamed-key", "tls-verify-off"}},
	{name: "renamed-both", files: []string{"renamed-both.yaml"}, want: []string{"renamed-key", "tls-verify-off"}},
	{name: "cilogon", files: []string{"cilogon.yaml"}, want: []string{"renamed-key", "renamed-key"}},
	{name: "extra-env", files: []string{"extra-env.yaml"},
		want: []string{"env-not-string", "env-not-string", "env-not-string", "env-not-string", "literal-secret", "removed-key"}},
	{name: "extra-env-tls", files: []string{"extra-env-tls.yaml"}, want: []string{"removed-key", "tls-verify-off"}},
	{name: "no-allow", files: []string{"no-allow.yaml"}, want: []string{"no-allow"}},
	{name: "no-allow-github", files: []string{"no-allow-github.yaml"}, want: []string{"no-allow"}},
	{name: "manage-groups", files: []string{"manage-groups.yaml"},
		want: []string{"manage-groups-required", "manage-groups-required", "manage-groups-required"}},
	{name: "services", files: []string{"services.yaml"},
		want: []string{"bad-service-key", "bad-service-key", "bad-service-key", "bad-service-key", "client-id-prefix", "key-needs-version",
			"literal-secret", "missing-redirect-uri", "reserved-service-name", "token-too-short"}},
	{name: "services-jupyterhub-6", files: []string{"services.yaml"}, version: "6.0",
		want: []string{"bad-service-key", "bad-service-key", "bad-service-key", "bad-service-key", "client-id-prefix",
			"literal-secret", "missing-redirect-uri", "reserved-service-name", "token-too-short"}},
	{name: "roles", files: []string{"roles.yaml"},
		want: []string{"bad-scope-filter", "scope-needs-version", "undefined-service", "unknown-scope"}},
	{name: "config-roles-services", files: []string{"config-roles-services.yaml"},
		want: []string{"config-load-roles", "config-services", "role-defined-twice", "undefined-service"}},
	{name: "config-services-noconvert", files: []string{"config-services-noconvert.yaml"}, want: []string{"config-services"}},
	{name: "user-role-two-files", files: []string{"user-role-a.yaml", "user-role-b.yaml"}, want: []string{"role-defined-twice"}},
	{name: "literal-secrets", files: []string{"literal-secrets.yaml"},
		want: []string{"literal-secret", "literal-secret", "literal-secret", "literal-secret", "literal-secret", "literal-secret"}},
	{name: "prefixed", files: []string{"prefixed.yaml"}, prefix: []string{"jupyterhub"}, want: []string{"env-not-string", "legacy-auth"}},
	{name: "version-bad", files: []string{"version.yaml"}, version: "five", want: []string{"jupyterhub-version", "scope-needs-version"}},
	{name: "duplicate-key", files: []string{"duplicate-key.yaml"}, want: []string{"duplicate-key"}},
	{name: "version-6", files: []string{"version.yaml"}, version: "6.0"},
}

// check lints fixtures as hubctl lint does: parsed and merged by
// ReadValues, duplicate keys included.
func check(t *testing.T, c lintCase) []Problem {
	t.Helper()
	var files []File
	for _, name := range c.files {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, File{Name: "testdata/" + name, Data: data})
	}
	var prefix valuesdoc.Path
	if c.prefix != nil {
		prefix = c.prefix
	}
	rep, err := Check(files, Options{Prefix: prefix, JupyterHub: c.version})
	if err != nil {
		t.Fatal(err)
	}
	return rep.Problems
}

func render(ps []Problem) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintln(&b, p.Finding.String())
		if p.Hint != "" {
			fmt.Fprintf(&b, "    hint: %s\n", p.Hint)
		}
		for _, e := range p.Fixes {
			fmt.Fprintf(&b, "    fix: %s\n", describeEdit(e))
		}
		if p.Comment != "" {
			fmt.Fprintf(&b, "    comment: %s\n", p.Comment)
		}
	}
	return b.String()
}

func describeEdit(e valuesdoc.Edit) string {
	at := strings.Join(e.Path, ".")
	switch e.Kind {
	case valuesdoc.SetValue:
		return fmt.Sprintf("set %s = %q", at, e.Value)
	case valuesdoc.DeleteKey:
		return "delete " + at
	case valuesdoc.RenameKey:
		return fmt.Sprintf("rename %s to %s", at, e.NewKey)
	case valuesdoc.MoveKey:
		return fmt.Sprintf("move %s to %s", at, strings.Join(e.To, "."))
	case valuesdoc.AddComment:
		return fmt.Sprintf("comment %s: %s", at, e.Comment)
	}
	return fmt.Sprintf("edit %d %s", e.Kind, at)
}

func TestLint(t *testing.T) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps := check(t, c)
			var ids []string
			for _, p := range ps {
				ids = append(ids, p.ID)
			}
			slices.Sort(ids)
			if !slices.Equal(ids, c.want) {
				t.Errorf("IDs\n got %q\nwant %q\n%s", ids, c.want, render(ps))
			}
			golden.AssertPath(t, filepath.Join("testdata", c.name+".golden"), []byte(render(ps)))
		})
	}
}

// TestProblemsAreWellFormed holds every problem to the rules of the
// output: one-line messages, no secret value quoted, a comment exactly
// when there are no fixes, and comments migrate can place.
func TestProblemsAreWellFormed(t *testing.T) {
	for _, c := range cases {
		for _, p := range check(t, c) {
			where := c.name + ": " + p.Finding.String()
			for _, text := range []string{p.Message, p.Hint, p.Comment} {
				if strings.Contains(text, "\n") {
					t.Errorf("%s: text has a line break: %q", where, text)
				}
				if strings.Contains(strings.ToLower(text), "s3cr3t") || strings.Contains(text, "short\"") {
					t.Errorf("%s: a secret value is quoted: %q", where, text)
				}
			}
			if p.Pos.File == "" && p.ID != "jupyterhub-version" {
				t.Errorf("%s: no position", where)
			}
			if p.Pos.File != "" && p.Pos.Line == 0 && p.ID != "jupyterhub-version" {
				t.Errorf("%s: no line", where)
			}
			if p.Comment != "" && !strings.HasPrefix(p.Comment, "hubctl:") {
				t.Errorf("%s: comment %q does not start with hubctl:", where, p.Comment)
			}
			if len(p.Fixes) > 0 && p.Comment != "" {
				t.Errorf("%s: both fixes and a comment", where)
			}
			if len(p.Fixes) == 0 && p.Comment == "" && p.Severity > 0 && p.ID != "unknown-trait" &&
				p.ID != "unused-key" && p.ID != "unknown-config-section" && p.ID != "token-too-short" &&
				p.ID != "bad-scope-filter" && p.ID != "scope-needs-version" && p.ID != "unknown-scope" &&
				p.ID != "undefined-service" && p.ID != "reserved-service-name" && p.ID != "key-needs-version" &&
				p.ID != "jupyterhub-version" {
				t.Errorf("%s: neither fixes nor a comment", where)
			}
		}
	}
}

func TestEveryRuleFires(t *testing.T) {
	fired := map[string]bool{}
	for _, c := range cases {
		for _, p := range check(t, c) {
			fired[p.ID] = true
		}
	}
	listed := map[string]bool{}
	for _, r := range Rules {
		if listed[r.ID] {
			t.Errorf("rule %s listed twice", r.ID)
		}
		listed[r.ID] = true
		if !fired[r.ID] {
			t.Errorf("rule %s fires on no fixture", r.ID)
		}
	}
	for id := range fired {
		if !listed[id] {
			t.Errorf("ID %s fires but is not in Rules", id)
		}
	}
}

func TestPrefixInPaths(t *testing.T) {
	c := lintCase{files: []string{"prefixed.yaml"}, prefix: []string{"jupyterhub"}}
	for _, p := range check(t, c) {
		if !strings.HasPrefix(p.Path, "jupyterhub.") {
			t.Errorf("path %q lacks the prefix", p.Path)
		}
		for _, e := range p.Fixes {
			if e.Path[0] == "jupyterhub" {
				t.Errorf("edit path %v includes the prefix; edits are below it", e.Path)
			}
		}
	}
}

func TestNonMappingRoot(t *testing.T) {
	for _, src := range []string{"", "[1, 2]", "just a string", "hub: 3", "hub: {config: [1]}", "hub: {services: {a: 1}, loadRoles: {r: 2}}"} {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
			t.Fatal(err)
		}
		if ps := Lint(Input{Root: &doc}); len(ps) != 0 {
			t.Errorf("%q: %s", src, render(ps))
		}
	}
}

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{"oauthClientId": "oauth_client_id", "apiToken": "api_token", "url": "url", "OAuth": "o_auth"} {
		if got := snakeCase(in); got != want {
			t.Errorf("snakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAuthenticatorClassName(t *testing.T) {
	for in, want := range map[string]string{
		"generic-oauth": "GenericOAuthenticator", "oauthenticator.generic.GenericOAuthenticator": "GenericOAuthenticator",
		"oauthenticator.GitHubOAuthenticator": "GitHubOAuthenticator", "local-github": "LocalGitHubOAuthenticator",
		"dummy": "DummyAuthenticator", "mediawiki": "MWOAuthenticator",
	} {
		if got := authenticatorClassName(in); got != want {
			t.Errorf("authenticatorClassName(%q) = %q, want %q", in, got, want)
		}
	}
	if !inherits("LocalGenericOAuthenticator", "OAuthenticator") || !inherits("LocalGenericOAuthenticator", "LocalAuthenticator") {
		t.Error("LocalGenericOAuthenticator's bases are missing")
	}
}

// FuzzLint feeds lint arbitrary YAML, seeded with the fixtures: it must
// not panic, and every problem keeps to one line.
func FuzzLint(f *testing.F) {
	fixtures, _ := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	for _, name := range fixtures {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var doc yaml.Node
		parsed := make(chan error, 1)
		go func() { parsed <- yaml.Unmarshal(data, &doc) }()
		select {
		case err := <-parsed:
			if err != nil {
				return
			}
		case <-time.After(5 * time.Second):
			t.Skip("yaml.v3 itself is slow on this input")
		}
		done := make(chan struct{})
		go func() { defer close(done); lintFuzzInput(t, &doc) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("lint hangs on %q", data)
		}
	})
}

func lintFuzzInput(t *testing.T, doc *yaml.Node) {
	{
		for _, in := range []Input{{Root: doc}, {Root: doc, Layers: []*yaml.Node{doc, doc}, Prefix: []string{"jupyterhub"}, JupyterHub: "4.1"}} {
			for _, p := range Lint(in) {
				if strings.Contains(p.Message, "\n") || strings.Contains(p.Comment, "\n") {
					t.Errorf("multi-line problem: %q", p.Message)
				}
			}
		}
	}
}
