package validate_test

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/hubctl/hubctl/pkg/bench"
	"github.com/hubctl/hubctl/pkg/jupyterhub"
	"github.com/hubctl/hubctl/pkg/secret"
	"github.com/hubctl/hubctl/pkg/spec"
	"github.com/hubctl/hubctl/pkg/validate"
)

// BenchmarkSpec is the rules alone, on an already parsed spec of each
// size: every per-service check, and the roles' checks against all
// services, which are where a rule that scans every service would show.
func BenchmarkSpec(b *testing.B) {
	for _, n := range bench.Sizes {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			data, _ := bench.Spec(n)
			s, doc, findings := spec.Parse("hubctl.yaml", ".", data)
			if len(findings) > 0 {
				b.Fatal(findings)
			}
			b.ReportAllocs()
			for b.Loop() {
				if got := validate.Spec(s, doc); len(got) > 0 {
					b.Fatal(got)
				}
			}
		})
	}
}

// TestNamesWithoutRegexps holds the name rules written out for speed to
// the regexps they replace: JupyterHub's role names (roles.py), service
// names (the JSON Schema's pattern) and environment variable names.
func TestNamesWithoutRegexps(t *testing.T) {
	role := regexp.MustCompile(`^[a-z][a-z0-9\-_~.]{1,253}[a-z0-9]$`)
	service := regexp.MustCompile(`^[a-z0-9][-._a-z0-9]*$`)
	env := regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	rng := rand.New(rand.NewPCG(5, 6))
	alphabet := []string{"a", "z", "Q", "0", "9", "-", "_", ".", "~", " ", "/", "é", "\xff"}
	names := []string{"", "ab", "abc", "a-1", "1ab", "ab-", strings.Repeat("a", 255), strings.Repeat("a", 256), "user", "nbviewer-users"}
	for range 30000 {
		var b strings.Builder
		for range rng.IntN(7) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		names = append(names, b.String())
	}
	// Positions only: the spec checked is built below, name by name.
	_, doc, _ := spec.Parse("hubctl.yaml", ".", []byte("version: 1\nhub: {url: \"https://hub.example.org\"}\nservices:\n  svc: {apiToken: {env: X}}\n"))
	for _, name := range names {
		if got, want := jupyterhub.ValidRoleName(name), role.MatchString(name); got != want {
			t.Errorf("ValidRoleName(%q) = %v, want %v", name, got, want)
		}
		if got, want := validate.ServiceNameProblem(name) == "", service.MatchString(name) && !strings.Contains(name, "/"); got != want {
			t.Errorf("ServiceNameProblem(%q) == \"\" is %v, want %v", name, got, want)
		}
		s := &spec.Spec{Version: 1, Hub: spec.Hub{URL: "https://hub.example.org"},
			Services: spec.Services{{Name: "svc", APIToken: secret.Ref{Kind: secret.Env, Env: name}}}}
		bad := false
		for _, f := range validate.Spec(s, doc) {
			bad = bad || f.ID == "bad-env-name"
		}
		if want := !env.MatchString(name); bad != want {
			t.Errorf("env name %q: bad-env-name %v, want %v", name, bad, want)
		}
	}
}
