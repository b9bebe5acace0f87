// Package bench makes the inputs and measurements of hubctl's benchmarks:
// specs with many services, generated rather than committed so that a size
// costs nothing to add, and the peak heap of one operation, which
// testing's B/op (everything allocated) does not tell.
package bench

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"time"
)

// Sizes are the service counts the scale benchmarks run: the 10 to
// 10,000, each ten times the one before, so that linear growth shows as a
// ratio of about 10 from one size to the next.
var Sizes = []int{10, 100, 1000, 10000}

// Spec returns a valid spec with n services and the environment its
// secrets need. Every service has its own token from its own variable, and
// the services vary the way real ones do, so that every per-service path of
// validation and rendering runs: OAuth services open to all or to groups,
// API-only services, services with their own scopes, and one extra role for
// every ten services naming two of them.
func Spec(n int) ([]byte, map[string]string) {
	var b strings.Builder
	b.Grow(n * 260)
	env := make(map[string]string, n+1)
	b.WriteString(`version: 1
hub:
  url: https://hub.example.org
  apiUrl: http://hub:8081/hub/api
  jupyterhub: "5.5"
login:
  provider: nbgallery
  url: https://gallery.example.org
  clientId: 3c1e0e4b9a7d4f0c8e2f5a6b7c8d9e0f
  clientSecret: {env: OAUTH_CLIENT_SECRET}
  allow: {all: true}
  admins: [alice]
services:
`)
	env["OAUTH_CLIENT_SECRET"] = "client-secret-0123456789"
	for i := range n {
		name := ServiceName(i)
		variable := fmt.Sprintf("SVC%05d_API_TOKEN", i)
		env[variable] = fmt.Sprintf("token-%05d-0123456789abcdef", i)
		fmt.Fprintf(&b, "  %s:\n", name)
		switch i % 4 {
		case 0: // nbviewer's shape (examples/nbviewer.yaml)
			fmt.Fprintf(&b, "    url: http://%s:8080\n    noConfirm: true\n    access: {groups: [researchers]}\n    scopes: [list:users, read:users:activity]\n", name)
		case 1:
			fmt.Fprintf(&b, "    url: http://%s:8080\n    access: all\n    display: false\n", name)
		case 2:
			fmt.Fprintf(&b, "    url: http://%s:8080\n    access: {users: [alice, bob]}\n    scopes: [read:users]\n", name)
		case 3: // an API-only service: a script with a token
			b.WriteString("    scopes: [list:users, read:servers]\n")
		}
		fmt.Fprintf(&b, "    apiToken: {env: %s}\n", variable)
	}
	if n >= 10 {
		b.WriteString("roles:\n")
		for i := 0; i+9 < n; i += 10 {
			fmt.Fprintf(&b, "  observers-%05d:\n    description: Read-only view of users\n    scopes: [read:users]\n    groups: [staff]\n    services: [%s, %s]\n",
				i, ServiceName(i+3), ServiceName(i+7))
		}
	}
	return []byte(b.String()), env
}

// ServiceName is the name Spec gives its i-th service.
func ServiceName(i int) string { return fmt.Sprintf("svc-%05d", i) }

// LookupEnv reads env as os.LookupEnv reads the process environment.
func LookupEnv(env map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
}

// heapObjects is the live heap as the runtime counts it, readable without
// stopping the world (runtime.ReadMemStats would, and would slow the
// operation it watches).
const heapObjects = "/memory/classes/heap/objects:bytes"

// PeakHeap runs f once and returns the most heap it held live above what
// was live before it started, sampled every 50 µs (and once at the end, for
// an f quicker than that). A sample can fall between a peak and the
// collection after it, so this is a lower bound; GOGC still applies, so it
// is what a real run holds, not everything f allocated.
func PeakHeap(f func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: heapObjects}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	base := read()
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(50 * time.Microsecond)
		defer t.Stop()
		for {
			if v := read(); v > peak {
				peak = v
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	f()
	end := read()
	close(done)
	wg.Wait()
	peak = max(peak, end)
	if peak < base {
		return 0
	}
	return peak - base
}
