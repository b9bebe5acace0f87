package hub_test

import (
	"fmt"
	"testing"

	"github.com/hubctl/hubctl/pkg/bench"
	"github.com/hubctl/hubctl/pkg/hub"
	"github.com/hubctl/hubctl/pkg/provider"
	"github.com/hubctl/hubctl/pkg/spec"
)

// BenchmarkBuild is turning a parsed spec of each size into the hub
// configuration both renderers write.
func BenchmarkBuild(b *testing.B) {
	for _, n := range bench.Sizes {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			data, _ := bench.Spec(n)
			s, _, findings := spec.Parse("hubctl.yaml", ".", data)
			if len(findings) > 0 {
				b.Fatal(findings)
			}
			ep := provider.Static(s.Login)
			b.ReportAllocs()
			for b.Loop() {
				if cfg := hub.Build(s, ep); len(cfg.Services) != n {
					b.Fatalf("%d services built, want %d", len(cfg.Services), n)
				}
			}
		})
	}
}

// TestRedirectsAsSpecDerivesThem holds Build, which parses the hub's URL
// once for all services, to spec.Spec.RedirectURI, which parses it for each.
func TestRedirectsAsSpecDerivesThem(t *testing.T) {
	for _, url := range []string{"https://hub.example.org", "https://hub.example.org/", "https://hub.example.org/jupyter", "http://127.0.0.1:8000/a/b/", "https://h.example.org:8443/x?q=1"} {
		s := &spec.Spec{Hub: spec.Hub{URL: url}, Services: spec.Services{
			{Name: "nbviewer", URL: "http://nbviewer:8080"},
			{Name: "own", URL: "http://own:8080", RedirectURI: "https://own.example.org/callback"},
			{Name: "a.b", URL: "http://ab:8080"},
		}}
		cfg := hub.Build(s, provider.Endpoints{})
		for i, svc := range s.Services {
			if got, want := cfg.Services[i].OAuthRedirectURI, s.RedirectURI(svc); got != want {
				t.Errorf("hub %s, service %s: redirect %q, want %q", url, svc.Name, got, want)
			}
		}
	}
}
