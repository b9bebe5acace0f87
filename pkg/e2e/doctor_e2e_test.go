//go:build e2e

package e2e_test

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hubctl/hubctl/pkg/testbed"
)

// Tokens of the two services of the doctor's stack.
const (
	announcementsToken = "announcements-token-0123456789abcdef"
	reporterToken      = "reporter-token-0123456789abcdef"
)

// doctorResult is one check of `hubctl doctor --format json`.
type doctorResult struct {
	ID, Title, Target, Status, Severity, Message, Hint string
}

type doctorRun struct {
	hubctlRun
	results []doctorResult
}

// find returns the results of check id.
func (r doctorRun) find(id string) []doctorResult {
	var out []doctorResult
	for _, c := range r.results {
		if c.ID == id {
			out = append(out, c)
		}
	}
	return out
}

func (r doctorRun) String() string {
	var b strings.Builder
	for _, c := range r.results {
		fmt.Fprintf(&b, "  %-5s %-26s %s: %s\n", c.Status, c.ID, c.Target, c.Message)
	}
	return b.String()
}

// execDoctor runs hubctl doctor on spec text with env, and fails the test
// if its output holds the value of a secret of env.
func execDoctor(t *testing.T, dir, spec string, env map[string]string, args ...string) doctorRun {
	t.Helper()
	specPath := filepath.Join(dir, fmt.Sprintf("doctor-%d.yaml", time.Now().UnixNano()))
	if err := os.WriteFile(specPath, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	run := execHubctl(t, env, append([]string{"doctor", "-f", specPath}, args...)...)
	for _, secret := range env {
		if len(secret) >= 16 && (strings.Contains(run.stdout, secret) || strings.Contains(run.stderr, secret)) {
			t.Errorf("hubctl doctor's output holds the value of a secret")
		}
	}
	return doctorRun{hubctlRun: run}
}

// runDoctor runs hubctl doctor --format json and reads its report.
func runDoctor(t *testing.T, dir, spec string, env map[string]string, args ...string) doctorRun {
	t.Helper()
	run := execDoctor(t, dir, spec, env, append([]string{"--format", "json"}, args...)...)
	var doc struct{ Checks []doctorResult }
	if err := json.Unmarshal([]byte(run.stdout), &doc); err != nil {
		t.Fatalf("hubctl doctor (exit %d) printed no JSON report: %v\nstdout:\n%s\nstderr:\n%s", run.exitCode, err, run.stdout, run.stderr)
	}
	run.results = doc.Checks
	return run
}

// wantCheck asserts that check id reported status for some target with a
// message containing every one of parts.
func wantCheck(t *testing.T, run doctorRun, id, status string, parts ...string) {
	t.Helper()
	for _, c := range run.find(id) {
		if c.Status != status {
			continue
		}
		ok := true
		for _, p := range parts {
			if !strings.Contains(c.Message+" "+c.Hint, p) {
				ok = false
			}
		}
		if ok {
			return
		}
	}
	t.Errorf("want %s %s with %q; doctor reported:\n%s", id, status, parts, run)
}

// doctorStack is a healthy setup: Hydra over TLS with the hub's client
// registered (and a second client that authenticates with HTTP Basic), a
// JupyterHub running hubctl's rendering, and a service behind the hub's
// proxy.
type doctorStack struct {
	dir         string
	hubPort     int
	hydra       *testbed.Hydra
	clientID    string
	basicClient string
	// otherRedirect is registered with a redirect URI that is not the hub's.
	otherRedirect string
	serviceURL    string
	hub           *testbed.Hub
}

type stackSpec struct {
	clientID      string
	scopes        string
	usernameClaim string
	reporterScope string
}

// spec is the stack's spec, as deployed when o is zero, with o's changes
// otherwise.
func (s *doctorStack) spec(o stackSpec) string {
	if o.clientID == "" {
		o.clientID = s.clientID
	}
	if o.reporterScope == "" {
		o.reporterScope = "[read:users:activity]"
	}
	extra := ""
	if o.scopes != "" {
		extra += "\n  scopes: " + o.scopes
	}
	if o.usernameClaim != "" {
		extra += "\n  usernameClaim: " + o.usernameClaim
	}
	return fmt.Sprintf(`version: 1
hub:
  url: http://127.0.0.1:%d
  jupyterhub: "5.5"
login:
  provider: oidc
  url: %s
  caFile: provider-ca.pem
  clientId: %s
  clientSecret: {env: OAUTH_CLIENT_SECRET}%s
  allow: {users: [alice]}
services:
  announcements:
    url: %s
    access: all
    scopes: [list:users]
    apiToken: {env: ANNOUNCEMENTS_API_TOKEN}
  reporter:
    scopes: %s
    apiToken: {env: REPORTER_API_TOKEN}
`, s.hubPort, s.hydra.Issuer, o.clientID, extra, s.serviceURL, o.reporterScope)
}

// env is the operator's environment for the deployed spec.
func (s *doctorStack) env() map[string]string {
	return map[string]string{
		"OAUTH_CLIENT_SECRET":     clientSecret,
		"ANNOUNCEMENTS_API_TOKEN": announcementsToken,
		"REPORTER_API_TOKEN":      reporterToken,
		"HUBCTL_HUB_TOKEN":        adminToken,
	}
}

func startDoctorStack(t *testing.T) *doctorStack {
	t.Helper()
	s := &doctorStack{dir: t.TempDir(), hubPort: testbed.FreePort(t)}
	ca := testbed.NewCA(t)
	s.hydra = testbed.StartHydra(t, testbed.HydraOptions{TLS: ca})
	callback := fmt.Sprintf("http://127.0.0.1:%d/hub/oauth_callback", s.hubPort)
	var err error
	if s.clientID, _, err = s.hydra.CreateClient(testContext(t), testbed.ClientSpec{
		Name: "jupyterhub", Secret: clientSecret, TokenEndpointAuthMethod: "client_secret_post", RedirectURIs: []string{callback},
	}); err != nil {
		t.Fatal(err)
	}
	if s.basicClient, _, err = s.hydra.CreateClient(testContext(t), testbed.ClientSpec{
		Name: "jupyterhub-basic", Secret: clientSecret, TokenEndpointAuthMethod: "client_secret_basic", RedirectURIs: []string{callback},
	}); err != nil {
		t.Fatal(err)
	}
	if s.otherRedirect, _, err = s.hydra.CreateClient(testContext(t), testbed.ClientSpec{
		Name: "jupyterhub-elsewhere", Secret: clientSecret, TokenEndpointAuthMethod: "client_secret_post",
		RedirectURIs: []string{fmt.Sprintf("http://127.0.0.1:%d/hub/elsewhere", s.hubPort)},
	}); err != nil {
		t.Fatal(err)
	}
	pem, err := os.ReadFile(s.hydra.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.dir, "provider-ca.pem"), pem, 0o644); err != nil {
		t.Fatal(err)
	}
	s.serviceURL = serveAnything(t)
	specPath := writeSpec(t, s.dir, s.spec(stackSpec{}))
	s.hub = startRenderedHub(t, "5.5", s.hubPort, renderFor(t, hubConfig, specPath, s.env(), nil))
	return s
}

// serveAnything starts the external service the hub proxies to: it
// answers every path, as a running service does.
func serveAnything(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "announcements")
	}), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// TestDoctorOnARealStack runs doctor against a healthy stack, which passes
// every check, then against one fault at a time, each caught by the check
// that names it, with exit status 3.
func TestDoctorOnARealStack(t *testing.T) {
	t.Parallel()
	s := startDoctorStack(t)

	t.Run("healthy", func(t *testing.T) {
		run := runDoctor(t, s.dir, s.spec(stackSpec{}), s.env())
		if run.exitCode != 0 {
			t.Errorf("exit status %d, want 0; stderr %s", run.exitCode, run.stderr)
		}
		for _, c := range run.results {
			// The advisories are about the versions the test bed pins,
			// which may be behind a fix; they warn, never fail.
			allowedWarn := strings.HasPrefix(c.ID, "advisories.")
			if c.Status != "pass" && !(c.Status == "warn" && allowedWarn) {
				t.Errorf("%s %s on %s: %s (hint: %s)", c.ID, c.Status, c.Target, c.Message, c.Hint)
			}
		}
		for _, id := range []string{"spec.valid", "net.reach", "tls.handshake", "tls.expiry", "tls.version",
			"oidc.discovery", "oidc.issuer", "oidc.endpoints", "oidc.scopes", "oidc.claims", "oidc.pkce",
			"oidc.auth-method", "oidc.clock", "login.credentials", "login.redirect-uri", "hub.oauth-login",
			"hub.api", "hub.service-token", "hub.services", "hub.roles", "hub.service-url", "secrets.resolve"} {
			if len(run.find(id)) == 0 {
				t.Errorf("the healthy run has no %s result:\n%s", id, run)
			}
		}
	})

	// The text report of one fault, as an operator reads it (the README
	// shows this run).
	t.Run("text report", func(t *testing.T) {
		spec := s.spec(stackSpec{clientID: s.basicClient})
		run := execDoctor(t, s.dir, spec, s.env(), "--format", "text")
		t.Logf("hubctl doctor printed:\n%s", run.stdout)
		if run.exitCode != 3 {
			t.Errorf("exit status %d, want 3", run.exitCode)
		}
		for _, want := range []string{
			"  ✗ Client credentials authenticate: the provider accepts client_secret_basic, not client_secret_post",
			"    hint: ", "basic_auth",
			"  ✓ Provider supports PKCE S256 [oidc.pkce]",
			" failed, ",
		} {
			if !strings.Contains(run.stdout, want) {
				t.Errorf("the text report lacks %q", want)
			}
		}
	})

	faults := []struct {
		name     string
		spec     stackSpec
		env      map[string]string
		id, want string
		parts    []string
	}{
		{name: "wrong client secret", env: map[string]string{"OAUTH_CLIENT_SECRET": "not-the-client-secret-0123456789"},
			id: "login.credentials", parts: []string{"login.clientSecret"}},
		{name: "unknown client id", spec: stackSpec{clientID: "no-such-client"},
			id: "login.credentials", parts: []string{"no-such-client"}},
		{name: "the other token auth method", spec: stackSpec{clientID: "BASIC"},
			id: "login.credentials", parts: []string{"client_secret_basic", "basic_auth"}},
		// Hydra ignores the port of a loopback redirect URI (RFC 8252), so
		// the registered one differs in its path.
		{name: "redirect URI not registered", spec: stackSpec{clientID: "ELSEWHERE"},
			id: "login.redirect-uri", parts: []string{"/hub/oauth_callback"}},
		{name: "a scope the provider does not support", spec: stackSpec{scopes: "[openid, profile, email, phone]"},
			id: "oidc.scopes", parts: []string{"phone"}},
		{name: "a username claim the provider does not send", spec: stackSpec{usernameClaim: "upn"},
			id: "oidc.claims", parts: []string{"upn"}},
		{name: "a service token of another service", env: map[string]string{"ANNOUNCEMENTS_API_TOKEN": reporterToken},
			id: "hub.service-token", parts: []string{"reporter"}},
		{name: "a role missing a scope", spec: stackSpec{reporterScope: "[read:users:activity, list:users]"},
			id: "hub.service-token", parts: []string{"list:users"}},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			switch f.spec.clientID {
			case "BASIC":
				f.spec.clientID = s.basicClient
			case "ELSEWHERE":
				f.spec.clientID = s.otherRedirect
			}
			env := s.env()
			for k, v := range f.env {
				env[k] = v
			}
			run := runDoctor(t, s.dir, s.spec(f.spec), env)
			t.Logf("doctor reported:\n%s", run)
			if run.exitCode != 3 {
				t.Errorf("exit status %d, want 3", run.exitCode)
			}
			wantCheck(t, run, f.id, "fail", f.parts...)
		})
	}
}

// TestDoctorTLSFaults serves certificates with each fault doctor must name
// and checks the hub URL over them.
func TestDoctorTLSFaults(t *testing.T) {
	t.Parallel()
	ca := testbed.NewCA(t)
	now := time.Now()
	day := 24 * time.Hour
	for _, tc := range []struct {
		name  string
		cert  testbed.CertOptions
		id    string
		parts []string
	}{
		{"expired", testbed.CertOptions{NotBefore: now.Add(-30 * day), NotAfter: now.Add(-day)}, "tls.handshake", []string{"expired"}},
		{"self-signed", testbed.CertOptions{NotBefore: now.Add(-day), NotAfter: now.Add(90 * day), SelfSigned: true}, "tls.handshake", []string{"self-signed"}},
		{"for another host", testbed.CertOptions{Hosts: []string{"gallery.example.org"}, NotBefore: now.Add(-day), NotAfter: now.Add(90 * day)}, "tls.handshake", []string{"gallery.example.org"}},
		{"expiring in 10 days", testbed.CertOptions{NotBefore: now.Add(-day), NotAfter: now.Add(10 * day)}, "tls.expiry", []string{"expires"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			certFile, keyFile := ca.IssueCert(tc.cert)
			addr := serveTLS(t, certFile, keyFile)
			dir := t.TempDir()
			spec := fmt.Sprintf("version: 1\nhub:\n  url: https://%s\n  jupyterhub: \"5.5\"\n", addr)
			run := runDoctor(t, dir, spec, nil, "--ca-file", ca.CAFile, "tls.handshake", "tls.expiry")
			if run.exitCode != 3 {
				t.Errorf("exit status %d, want 3", run.exitCode)
			}
			wantCheck(t, run, tc.id, "fail", tc.parts...)
		})
	}
}

func serveTLS(t *testing.T, certFile, keyFile string) string {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.NotFoundHandler(), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// TestDoctorNetworkFaults: a provider that accepts connections and never
// answers costs one timeout; a port with nothing listening is refused.
func TestDoctorNetworkFaults(t *testing.T) {
	t.Parallel()
	t.Run("accepts and never answers", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		go func() {
			for {
				conn, err := ln.Accept()
				if err != nil {
					return
				}
				t.Cleanup(func() { conn.Close() })
			}
		}()
		spec := fmt.Sprintf(`version: 1
hub:
  url: http://127.0.0.1:%d
  jupyterhub: "5.5"
login:
  provider: oidc
  url: http://%s
  clientId: jupyterhub
  clientSecret: {env: OAUTH_CLIENT_SECRET}
  allow: {all: true}
`, testbed.FreePort(t), ln.Addr())
		run := runDoctor(t, t.TempDir(), spec, map[string]string{"OAUTH_CLIENT_SECRET": clientSecret}, "--timeout", "2s", "oidc.discovery")
		if run.exitCode != 3 {
			t.Errorf("exit status %d, want 3", run.exitCode)
		}
		wantCheck(t, run, "oidc.discovery", "fail", "2s")
	})
	t.Run("nothing listening", func(t *testing.T) {
		spec := fmt.Sprintf("version: 1\nhub:\n  url: http://127.0.0.1:%d\n  jupyterhub: \"5.5\"\n", testbed.FreePort(t))
		run := runDoctor(t, t.TempDir(), spec, nil, "net.reach")
		if run.exitCode != 3 {
			t.Errorf("exit status %d, want 3", run.exitCode)
		}
		wantCheck(t, run, "net.reach", "fail", "refused")
	})
}

// TestDoctorNBGalleryProviderOff: a gallery without
// GALLERY__OAUTH_PROVIDER_ENABLED has no /oauth/authorize, and doctor says
// which setting turns it on.
func TestDoctorNBGalleryProviderOff(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		disabled bool
		status   string
	}{{"on", false, "pass"}, {"off", true, "fail"}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := testbed.StartDoorkeeper(t, testbed.DoorkeeperOptions{ProviderDisabled: tc.disabled})
			spec := fmt.Sprintf(`version: 1
hub:
  url: https://hub.example.org
  jupyterhub: "5.5"
login:
  provider: nbgallery
  url: %s
  clientId: jupyterhub
  clientSecret: {env: OAUTH_CLIENT_SECRET}
  allow: {all: true}
`, d.URL)
			run := runDoctor(t, t.TempDir(), spec, map[string]string{"OAUTH_CLIENT_SECRET": clientSecret}, "nbgallery.oauth-provider", "nbgallery.userinfo")
			if tc.disabled {
				wantCheck(t, run, "nbgallery.oauth-provider", "fail", "GALLERY__OAUTH_PROVIDER_ENABLED")
				if run.exitCode != 3 {
					t.Errorf("exit status %d, want 3", run.exitCode)
				}
			} else {
				wantCheck(t, run, "nbgallery.oauth-provider", "pass")
				if run.exitCode != 0 {
					t.Errorf("exit status %d, want 0:\n%s", run.exitCode, run)
				}
			}
			wantCheck(t, run, "nbgallery.userinfo", "pass")
		})
	}
}
