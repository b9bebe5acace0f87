package doctor

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hubctl/hubctl/pkg/finding"
)

// TestHostileDiscovery serves discovery answers that misbehave: each gets
// a precise finding, none a hang or a panic.
func TestHostileDiscovery(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler func(srvURL string) http.HandlerFunc
		want    finding.Status
		message []string
	}{
		{"HTML where JSON is expected", func(string) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				fmt.Fprint(w, "<!doctype html><html><head><title>Sign in</title></head><body>sign in</body></html>")
			}
		}, finding.Fail, []string{"HTML page titled \"Sign in\""}},
		{"an answer over 1 MiB", func(srvURL string) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				doc := healthyDiscovery(srvURL)
				doc["padding"] = strings.Repeat("x", 2<<20)
				w.Header().Set("Content-Type", "application/json")
				json.NewEncoder(w).Encode(doc)
			}
		}, finding.Fail, []string{"answered with more than 1 MiB"}},
		{"a redirect loop", func(string) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, r.URL.Path+"?again", http.StatusFound)
			}
		}, finding.Fail, []string{"stopped after 5 redirects"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var srv *httptest.Server
			srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { tc.handler(srv.URL)(w, r) }))
			t.Cleanup(srv.Close)
			res := loadSpec(t, oidcSpec(srv.URL, allowAllLine), nil, map[string]string{"OAUTH_CLIENT_SECRET": "s3cret-value"})
			r := onlyResult(t, runChecks(t, res, Options{}, "oidc.discovery"), "oidc.discovery")
			assertProviderResult(t, r, tc.want, tc.message, "")
		})
	}
}

// TestIPv6Loopback: a provider on [::1] is checked like any other.
func TestIPv6Loopback(t *testing.T) {
	l, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Fatalf("this machine has no IPv6 loopback: %v", err)
	}
	var srv *httptest.Server
	srv = &httptest.Server{Listener: l, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(healthyDiscovery(srv.URL))
	})}}
	srv.Start()
	t.Cleanup(srv.Close)
	if !strings.HasPrefix(srv.URL, "http://[::1]:") {
		t.Fatalf("server URL %s", srv.URL)
	}
	res := loadSpec(t, oidcSpec(srv.URL, allowAllLine), nil, map[string]string{"OAUTH_CLIENT_SECRET": "s3cret-value"})
	for _, id := range []string{"oidc.discovery", "oidc.issuer", "oidc.endpoints"} {
		r := onlyResult(t, runChecks(t, res, Options{}, id), id)
		assertProviderResult(t, r, finding.Pass, nil, "")
	}
}
