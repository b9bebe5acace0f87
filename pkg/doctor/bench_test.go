package doctor

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/load"
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

// servicesSpec loads a spec of n services, each at hubURL with its own
// token.
func servicesSpec(b *testing.B, hubURL string, n int) *load.Result {
	var spec strings.Builder
	fmt.Fprintf(&spec, "version: 1\nhub:\n  url: %s\n  jupyterhub: \"5.5\"\nservices:\n", hubURL)
	env := map[string]string{}
	for i := range n {
		fmt.Fprintf(&spec, "  svc%d:\n    url: %s\n    apiToken: {env: TOKEN_%d}\n", i, hubURL, i)
		env[fmt.Sprintf("TOKEN_%d", i)] = fmt.Sprintf("service-token-%d-0123456789", i)
	}
	return loadSpec(b, spec.String(), nil, env)
}

// BenchmarkDoctor runs doctor over a hub whose every endpoint answers after
// 200 ms, with 25 services (a service URL and a token check each: 50
// endpoint requests besides the hub API), concurrently and one check after
// another, as a curl-and-openssl script would. The ratio of the two is the
// x-faster metric. Reaching the host is a dial, and the token requests go
// out alongside the hub API's, so the concurrent run should take about one
// endpoint's delay (x-endpoint-delay; the budget is 1.5), not the
// sum.
func BenchmarkDoctor(b *testing.B) {
	const services = 25
	const delay = 200 * time.Millisecond
	srv := slowHub(delay)
	defer srv.Close()
	res := servicesSpec(b, srv.URL, services)
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

// BenchmarkDoctorHungEndpoint: the login provider behind a listener that
// accepts and never answers, with a 2 s timeout, beside a healthy hub. The run should cost that one
// timeout, not more (the other checks run meanwhile): the x-timeout metric
// is the whole run over the timeout, and the budget is 1.25.
func BenchmarkDoctorHungEndpoint(b *testing.B) {
	const timeout = 2 * time.Second
	srv := slowHub(0)
	defer srv.Close()
	hung, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer hung.Close()
	go func() {
		var held []net.Conn
		for {
			c, err := hung.Accept()
			if err != nil {
				for _, c := range held {
					c.Close()
				}
				return
			}
			held = append(held, c) // accepted, never answered
		}
	}()
	spec := fmt.Sprintf("version: 1\nhub:\n  url: %s\n  jupyterhub: \"5.5\"\nlogin:\n  provider: oidc\n  url: http://%s\n  clientId: hub\n  clientSecret: {env: S}\n  allow: {all: true}\nservices:\n  fast:\n    url: %s\n    access: all\n    apiToken: {env: T1}\n",
		srv.URL, hung.Addr(), srv.URL)
	res := loadSpec(b, spec, nil, map[string]string{"T1": "service-token-1-0123456789", "S": "client-secret-0123456789"})
	var total time.Duration
	for b.Loop() {
		start := time.Now()
		rs := runChecks(b, res, Options{Timeout: timeout})
		total += time.Since(start)
		failed := false
		for _, r := range resultsOf(rs, "oidc.discovery") {
			failed = failed || r.Status == finding.Fail || r.Status == finding.Errored
		}
		if !failed {
			for _, r := range rs {
				b.Logf("%s %s %s: %s", r.ID, r.Status, r.Target, r.Message)
			}
			b.Fatal("discovery at the hung provider did not fail")
		}
	}
	b.ReportMetric(float64(total/time.Duration(b.N))/float64(timeout), "x-timeout")
}

// BenchmarkDoctorMemory200 runs doctor over 200 services and samples the
// heap while it runs: peak-MB is the most in use (the budget is 50).
func BenchmarkDoctorMemory200(b *testing.B) {
	const services = 200
	srv := slowHub(10 * time.Millisecond)
	defer srv.Close()
	res := servicesSpec(b, srv.URL, services)
	var peak uint64
	for b.Loop() {
		runtime.GC()
		done := make(chan struct{})
		sampled := make(chan uint64)
		go func() {
			var m runtime.MemStats
			var max uint64
			for {
				runtime.ReadMemStats(&m)
				if m.HeapInuse > max {
					max = m.HeapInuse
				}
				select {
				case <-done:
					sampled <- max
					return
				case <-time.After(2 * time.Millisecond):
				}
			}
		}()
		rs := runChecks(b, res, Options{})
		close(done)
		if p := <-sampled; p > peak {
			peak = p
		}
		if got := len(resultsOf(rs, checkServiceURL.ID)); got != services {
			b.Fatalf("%d hub.service-url results, want %d", got, services)
		}
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-MB")
}
