package spec_test

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/hubctl/hubctl/pkg/bench"
	"github.com/hubctl/hubctl/pkg/spec"
)

// BenchmarkParse is decoding alone, with every position recorded, on specs
// of each size; scripts/bench reports its growth from 10 services.
func BenchmarkParse(b *testing.B) {
	for _, n := range bench.Sizes {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			data, _ := bench.Spec(n)
			b.ReportAllocs()
			for b.Loop() {
				if _, _, findings := spec.Parse("hubctl.yaml", ".", data); len(findings) > 0 {
					b.Fatal(findings)
				}
			}
		})
	}
}

// corpus is strings over an alphabet of what the name rules tell apart:
// letters of both cases, digits, separators, a non-ASCII letter and an
// invalid byte.
func corpus() []string {
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []string{"a", "Z", "0", "9", "-", "_", ".", "~", " ", "/", "é", "\xff", "\"", "["}
	out := []string{"", "nbviewer", "nb-viewer", "nb_viewer", "a.b", "NB", "é"}
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(8) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		out = append(out, b.String())
	}
	return out
}

// TestNamesWithoutRegexps holds Join, Index and TokenEnvName, written out
// for speed, to the regexps and formats they replace.
func TestNamesWithoutRegexps(t *testing.T) {
	plainKey := regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	nonWord := regexp.MustCompile(`[^A-Za-z0-9]+`)
	for _, s := range corpus() {
		want := "services." + s
		if !plainKey.MatchString(s) {
			want = fmt.Sprintf("%s[%q]", "services", s)
		}
		if got := spec.Join("services", s); got != want {
			t.Errorf("Join(services, %q) = %q, want %q", s, got, want)
		}
		if want := strings.ToUpper(nonWord.ReplaceAllString(s, "_")) + "_API_TOKEN"; spec.TokenEnvName(s) != want {
			t.Errorf("TokenEnvName(%q) = %q, want %q", s, spec.TokenEnvName(s), want)
		}
	}
	if got := spec.Join("", "hub"); got != "hub" {
		t.Errorf("Join(\"\", hub) = %q", got)
	}
	if got, want := spec.Index("roles.x.scopes", 12), fmt.Sprintf("%s[%d]", "roles.x.scopes", 12); got != want {
		t.Errorf("Index = %q, want %q", got, want)
	}
}
