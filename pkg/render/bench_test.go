package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/hubctl/hubctl/pkg/bench"
	"github.com/hubctl/hubctl/pkg/hub"
	"github.com/hubctl/hubctl/pkg/provider"
	"github.com/hubctl/hubctl/pkg/secret"
	"github.com/hubctl/hubctl/pkg/spec"
)

// scaleConfig is the hub configuration of bench.Spec(n), with every third
// service's token moved to a Kubernetes Secret (so extraEnv and
// extraConfig grow with the spec too) and, with caFile, the login trusting
// examples/gallery-ca.pem (a literal block scalar).
func scaleConfig(tb testing.TB, n int, caFile bool) (*hub.Config, Options) {
	tb.Helper()
	data, env := bench.Spec(n)
	s, doc, findings := spec.Parse("hubctl.yaml", ".", data)
	if len(findings) > 0 {
		tb.Fatal(findings)
	}
	if caFile {
		s.Login.CAFile = "gallery-ca.pem"
	}
	cfg := hub.Build(s, provider.Static(s.Login))
	for i := range cfg.Services {
		if i%3 == 2 {
			cfg.Services[i].APIToken.Ref = secret.Ref{Kind: secret.K8s, K8s: secret.K8sRef{Name: "tokens", Key: cfg.Services[i].Name}}
		}
	}
	_, file, _, _ := runtime.Caller(0)
	return cfg, Options{Source: doc.File,
		Resolver: secret.Resolver{BaseDir: filepath.Join(filepath.Dir(file), "..", "..", "examples"), LookupEnv: bench.LookupEnv(env)}}
}

// TestFastYAML holds encodeYAML to what one yaml.v3 encoder writes for the
// whole document: on the helm values of specs of several sizes (with a CA
// bundle and Kubernetes Secret tokens, whose entries go through yaml.v3),
// and on a tree of the scalars whose form is yaml.v3's to decide (quoted
// keys and values, block scalars with blank lines, empty collections).
func TestFastYAML(t *testing.T) {
	type tc struct {
		doc *yaml.Node
		// fallbacks is how many entries yaml.v3 writes; -1 is all of it.
		fallbacks int
	}
	cases := map[string]tc{}
	for _, n := range []int{1, 10, 300} {
		cfg, opts := scaleConfig(t, n, true)
		doc, err := helmValuesDoc(cfg, opts)
		if err != nil {
			t.Fatal(err)
		}
		fallbacks := 2 // the CA bundle, a block scalar; the client id, which starts with a digit
		if n > 2 {
			fallbacks++ // extraConfig's token map, another
		}
		cases[fmt.Sprintf("helm-values/services=%d", n)] = tc{doc, fallbacks}
	}
	odd := mapNode()
	for i := range 12 {
		v := mapNode("text", strNode(fmt.Sprintf("line %d\n\n  indented\n\ttab\n", i)),
			"yes", strNode("no"), "empty", mapNode(), "list", listNode([]string{"1", "a: b", "#c"}),
			"none", listNode(nil), "quoted", quotedNode("0755"), "n", intNode(-3), "ok", boolNode(false))
		add(odd, []string{"yes", "123", "a: b", "plain-", " lead", "x#y"}[i%6]+fmt.Sprint(i), v)
	}
	nested := mapNode("top", mapNode("0", strNode("zero"), "odd", odd, "after", boolNode(true)))
	nested.HeadComment = "a header\nof two lines"
	cases["odd"] = tc{&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{nested}}, 25}
	long := mapNode(strings.Repeat("k", 200), strNode("v")) // a key yaml.v3 writes as "? key"
	cases["long-key"] = tc{&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{long}}, 1}
	footed := mapNode("top", odd)
	footed.FootComment = "after top"
	cases["foot-comment"] = tc{&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{footed}}, -1}

	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := encodeYAML(c.doc)
			if err != nil {
				t.Fatal(err)
			}
			want, err := encodeWhole(c.doc)
			if err != nil {
				t.Fatal(err)
			}
			_, fallbacks, ok := fastYAML(c.doc.Content[0])
			if !ok {
				fallbacks = -1
			}
			if fallbacks != c.fallbacks {
				t.Errorf("%d entries through yaml.v3, want %d", fallbacks, c.fallbacks)
			}
			if !bytes.Equal(got, want) {
				gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
				for i := range min(len(gl), len(wl)) {
					if gl[i] != wl[i] {
						t.Fatalf("line %d differs:\n got %q\nwant %q", i+1, gl[i], wl[i])
					}
				}
				t.Fatalf("%d lines, want %d", len(gl), len(wl))
			}
		})
	}
}

// TestSafePlain checks safePlain against yaml.v3 itself, as a key and as a
// value, on words YAML reads as something else and on random strings over
// an alphabet of the characters that matter to it.
func TestSafePlain(t *testing.T) {
	words := []string{"true", "True", "NO", "yes", "Y", "n", "on", "Off", "null", "Null", "~", "<<",
		".inf", "-.inf", ".nan", "1", "0x1f", "1e3", "1_000", "+1", "-", "0755", "2001-12-14",
		"a:", "a: b", "a:b", "a #b", "a#b", "-a", "? a", "a ", " a", "a  b", "@a", "!a", "a!b",
		"http://nbviewer:8080", "access:services!service=nbviewer", "API permissions of service x (hubctl)",
		"/usr/local/etc/jupyterhub/hubctl/login-ca.pem", "list:users", "a,b", "a'b", "a\"b", "é"}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("ayYnN01.-_/:@=+()!~ #,'\"?*&|>%[]{}")
	for range 20000 {
		b := make([]byte, 1+rng.IntN(6))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		words = append(words, string(b))
	}
	for _, w := range words {
		if !safePlain(w) {
			continue
		}
		out, err := encodeWhole(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{mapNode(w, strNode(w))}})
		if err != nil {
			t.Fatal(err)
		}
		if want := w + ": " + w + "\n"; string(out) != want {
			t.Errorf("safePlain(%q), but yaml.v3 writes %q", w, out)
		}
	}
}

// BenchmarkRender is each renderer alone, on the hub configuration of a
// spec of each size, with secrets left as references (the default) and
// inlined (every token read).
func BenchmarkRender(b *testing.B) {
	renderers := []struct {
		name   string
		render func(*hub.Config, Options) ([]byte, error)
	}{
		{"helm-values", HelmValues},
		{"hub-config", HubConfig},
	}
	for _, r := range renderers {
		for _, inline := range []bool{false, true} {
			for _, n := range bench.Sizes {
				name := fmt.Sprintf("%s/services=%d", r.name, n)
				if inline {
					name = fmt.Sprintf("%s-inline/services=%d", r.name, n)
				}
				b.Run(name, func(b *testing.B) {
					data, env := bench.Spec(n)
					s, doc, findings := spec.Parse("hubctl.yaml", ".", data)
					if len(findings) > 0 {
						b.Fatal(findings)
					}
					cfg := hub.Build(s, provider.Static(s.Login))
					opts := Options{Source: doc.File, InlineSecrets: inline,
						Resolver: secret.Resolver{BaseDir: ".", LookupEnv: bench.LookupEnv(env)}}
					b.ReportAllocs()
					for b.Loop() {
						if _, err := r.render(cfg, opts); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}

// TestPyStringWithoutEncoder holds pyString's shortcut for strings with
// nothing to escape to the JSON encoder it otherwise uses.
func TestPyStringWithoutEncoder(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	alphabet := []string{"a", "Z", "0", " ", "~", "\x7f", "\x1f", "\"", "\\", "'", "<", "&", "é", "\u2028", "\xff", "\n", "\t"}
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(6) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		s := b.String()
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		if got, want := pyString(s), strings.TrimSuffix(buf.String(), "\n"); got != want {
			t.Errorf("pyString(%q) = %s, want %s", s, got, want)
		}
	}
}
