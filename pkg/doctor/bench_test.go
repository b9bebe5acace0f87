package doctor

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hubctl/hubctl/pkg/finding"
)

// slowHub answers like a hub, every request after delay.
func slowHub(delay time.Duration) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(delay)
		switch {
		case r.URL.Path == "/hub/api/":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"version": "5.5.4"}`)
		case strings.HasPrefix(r.URL.Path, "/services/"):
			fmt.Fprint(w, "ok")
		default:
			http.Error(w, `{"status": 403, "message": "Forbidden"}`, http.StatusForbidden)
		}
	}))
}

// BenchmarkDoctor runs doctor over a hub whose every endpoint answers after
// 200 ms, with 25 services (a service URL and a token check each: 50
// endpoint requests besides the hub API), concurrently and one check after
// another, as a curl-and-openssl script would. The ratio of the two is the
// x-faster metric; the concurrent run should take about as long as the
// slowest chain of checks (reach, hub API, then the service checks), not
// the sum.
func BenchmarkDoctor(b *testing.B) {
	const services = 25
	const delay = 200 * time.Millisecond
	srv := slowHub(delay)
	defer srv.Close()
	var spec strings.Builder
	fmt.Fprintf(&spec, "version: 1\nhub:\n  url: %s\n  jupyterhub: \"5.5\"\nservices:\n", srv.URL)
	env := map[string]string{}
	for i := range services {
		fmt.Fprintf(&spec, "  svc%d:\n    url: %s\n    apiToken: {env: TOKEN_%d}\n", i, srv.URL, i)
		env[fmt.Sprintf("TOKEN_%d", i)] = fmt.Sprintf("service-token-%d-0123456789", i)
	}
	res := loadSpec(b, spec.String(), nil, env)
	run := func(b *testing.B, workers int) time.Duration {
		start := time.Now()
		rs := runChecks(b, res, Options{Workers: workers})
		took := time.Since(start)
		if got := len(resultsOf(rs, checkServiceURL.ID)); got != services {
			b.Fatalf("%d hub.service-url results, want %d", got, services)
		}
		for _, r := range rs {
			if r.Status == finding.Errored {
				b.Fatalf("%s errored: %s", r.ID, r.Message)
			}
		}
		return took
	}
	var concurrent, sequential time.Duration
	for b.Loop() {
		concurrent += run(b, Defaults.Workers)
		sequential += run(b, 1)
	}
	n := time.Duration(b.N)
	b.ReportMetric(float64((concurrent / n).Milliseconds()), "concurrent-ms")
	b.ReportMetric(float64((sequential / n).Milliseconds()), "sequential-ms")
	b.ReportMetric(float64(sequential)/float64(concurrent), "x-faster")
	b.ReportMetric(float64(concurrent/n)/float64(delay), "x-endpoint-delay")
}
