package doctor

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubctl/hubctl/pkg/finding"
)

// testNow is the clock of every TLS test; certificates are dated from it.
var testNow = time.Now().UTC().Truncate(time.Minute)

const day = 24 * time.Hour

// testCert is a certificate made in the test, with its key.
type testCert struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func (c *testCert) pem() string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.cert.Raw}))
}

// certTemplate says what a test certificate is for and when it is valid.
type certTemplate struct {
	cn        string
	dnsNames  []string
	ips       []net.IP
	ca        bool
	notBefore time.Time
	notAfter  time.Time
}

// makeCert signs tmpl with parent, or with its own key when parent is nil.
func makeCert(t *testing.T, tmpl certTemplate, parent *testCert) *testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	if tmpl.notBefore.IsZero() {
		tmpl.notBefore = testNow.Add(-day)
	}
	if tmpl.notAfter.IsZero() {
		tmpl.notAfter = testNow.Add(90 * day)
	}
	x := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: tmpl.cn},
		DNSNames:     tmpl.dnsNames,
		IPAddresses:  tmpl.ips,
		NotBefore:    tmpl.notBefore,
		NotAfter:     tmpl.notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if tmpl.ca {
		x.IsCA, x.BasicConstraintsValid = true, true
		x.KeyUsage |= x509.KeyUsageCertSign
		x.ExtKeyUsage = nil
	}
	signer, signerKey := x, key
	if parent != nil {
		signer, signerKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, x, signer, &key.PublicKey, signerKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testCert{cert: cert, key: key}
}

// serverCert is leaf with the chain the server sends after it.
func serverCert(leaf *testCert, chain ...*testCert) tls.Certificate {
	c := tls.Certificate{Certificate: [][]byte{leaf.cert.Raw}, PrivateKey: leaf.key}
	for _, ca := range chain {
		c.Certificate = append(c.Certificate, ca.cert.Raw)
	}
	return c
}

// serveTLS answers TLS handshakes on 127.0.0.1 with cert, between the
// given versions (0: Go's defaults), and returns the address.
func serveTLS(t *testing.T, cert tls.Certificate, minVersion, maxVersion uint16) string {
	t.Helper()
	return serveTLSConfig(t, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: minVersion, MaxVersion: maxVersion})
}

func serveTLSConfig(t *testing.T, config *tls.Config) string {
	t.Helper()
	return serve(t, func(c net.Conn) {
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		tc := tls.Server(c, config)
		if tc.Handshake() == nil {
			// Wait for the client to hang up, as a real server would.
			tc.Read(make([]byte, 1))
		}
	})
}

// serve runs handle for each connection to a listener on 127.0.0.1 until
// the test ends.
func serve(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() { defer wg.Done(); handle(c) }()
		}
	}()
	return ln.Addr().String()
}

// serveSilence accepts connections and never says a word.
func serveSilence(t *testing.T) string {
	done := make(chan struct{})
	addr := serve(t, func(c net.Conn) {
		defer c.Close()
		<-done
	})
	// Registered after serve's cleanup, so it runs first and frees the
	// handlers that serve's cleanup waits for.
	t.Cleanup(func() { close(done) })
	return addr
}

func servePlainHTTP(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "hello") }))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// tlsSpec is a spec whose hub is at https://host:port; with caFile, the
// login (NBGallery at the same address) trusts the CA in ca.pem beside it.
func tlsSpec(host, port string, caFile bool) string {
	origin := "https://" + net.JoinHostPort(host, port)
	s := fmt.Sprintf("version: 1\nhub:\n  url: %s\n  jupyterhub: \"5.5\"\n", origin)
	if caFile {
		s += fmt.Sprintf(`login:
  provider: nbgallery
  url: %s
  clientId: hubctl-test
  clientSecret: {env: OAUTH_CLIENT_SECRET}
  caFile: ca.pem
  allow: {all: true}
`, origin)
	}
	return s
}

type wantResult struct {
	status finding.Status
	// message and hint hold substrings of the result's; {addr} stands for
	// the server's host:port.
	message, hint []string
}

func TestTLSChecks(t *testing.T) {
	localhost := []net.IP{net.ParseIP("127.0.0.1")}
	ca := makeCert(t, certTemplate{cn: "Hubctl Test CA", ca: true}, nil)
	rogue := makeCert(t, certTemplate{cn: "Rogue CA", ca: true}, nil)
	intermediate := makeCert(t, certTemplate{cn: "Hubctl Test Intermediate", ca: true}, ca)
	leaf := func(tmpl certTemplate, parent *testCert) *testCert {
		if tmpl.dnsNames == nil && tmpl.ips == nil {
			tmpl.ips = localhost
		}
		if tmpl.cn == "" {
			tmpl.cn = "hub"
		}
		return makeCert(t, tmpl, parent)
	}
	tlsServer := func(c tls.Certificate) func(t *testing.T) string {
		return func(t *testing.T) string { return serveTLS(t, c, 0, 0) }
	}
	skipped := wantResult{status: finding.Skip, message: []string{"tls.handshake did not pass"}}
	passed := func(msg ...string) wantResult { return wantResult{status: finding.Pass, message: msg} }

	tests := []struct {
		name   string
		server func(t *testing.T) string
		// host replaces 127.0.0.1 in the URL.
		host string
		// trust: "" trusts nothing but the system, "option" passes the CA as
		// Options.CAFile, "login" as login.caFile.
		trust   string
		timeout time.Duration
		// clock moves Options.Now from testNow.
		clock time.Duration
		want  map[string]wantResult
	}{
		{name: "trusted through --ca-file", trust: "option",
			server: tlsServer(serverCert(leaf(certTemplate{}, ca))),
			want: map[string]wantResult{
				"tls.handshake": passed("certificate for 127.0.0.1 issued by CN=Hubctl Test CA, trusted", "TLS 1.3"),
				"tls.expiry":    passed("valid until "+testNow.Add(90*day).Format("2006-01-02"), "(90 days)"),
				"tls.version":   passed("negotiates TLS 1.3"),
			}},
		{name: "trusted through login.caFile", trust: "login",
			server: tlsServer(serverCert(leaf(certTemplate{}, ca))),
			want:   map[string]wantResult{"tls.handshake": passed("trusted")}},
		{name: "host name, with the intermediate served", trust: "option", host: "localhost",
			server: tlsServer(serverCert(leaf(certTemplate{dnsNames: []string{"localhost"}}, intermediate), intermediate)),
			want: map[string]wantResult{
				"tls.handshake": passed("certificate for localhost issued by CN=Hubctl Test Intermediate"),
			}},
		{name: "CA not given",
			server: tlsServer(serverCert(leaf(certTemplate{}, ca))),
			want: map[string]wantResult{
				"tls.handshake": {status: finding.Fail,
					message: []string{"signed by an unknown authority (CN=Hubctl Test CA)"},
					hint:    []string{"set login.caFile to the CA's PEM (or pass --ca-file)"}},
				"tls.expiry":  skipped,
				"tls.version": skipped,
			}},
		{name: "unknown CA", trust: "option",
			server: tlsServer(serverCert(leaf(certTemplate{}, rogue))),
			want: map[string]wantResult{"tls.handshake": {status: finding.Fail,
				message: []string{"signed by an unknown authority (CN=Rogue CA), not one trusted here"},
				hint:    []string{"login.caFile"}}}},
		{name: "served chain ends at an untrusted root",
			server: tlsServer(serverCert(leaf(certTemplate{}, intermediate), intermediate, ca)),
			want: map[string]wantResult{"tls.handshake": {status: finding.Fail,
				message: []string{"chain ends at the CA CN=Hubctl Test CA, which is not trusted here"}}}},
		{name: "self-signed", trust: "option",
			server: tlsServer(serverCert(leaf(certTemplate{cn: "hub.internal"}, nil))),
			want: map[string]wantResult{"tls.handshake": {status: finding.Fail,
				message: []string{"self-signed (CN=hub.internal)"},
				hint:    []string{"set login.caFile to its PEM"}}}},
		{name: "wrong host", trust: "option",
			server: tlsServer(serverCert(leaf(certTemplate{dnsNames: []string{"hub.example.org", "www.example.org"},
				ips: []net.IP{net.ParseIP("10.1.2.3")}}, ca))),
			want: map[string]wantResult{"tls.handshake": {status: finding.Fail,
				message: []string{"not valid for 127.0.0.1: it is valid only for hub.example.org, www.example.org, 10.1.2.3"},
				hint:    []string{"reissue the certificate with 127.0.0.1 among its subject alternative names"}}}},
		{name: "expired", trust: "option",
			server: tlsServer(serverCert(leaf(certTemplate{notBefore: testNow.Add(-90 * day), notAfter: testNow.Add(-2 * day)}, ca))),
			want: map[string]wantResult{
				"tls.handshake": {status: finding.Fail,
					message: []string{"the certificate of 127.0.0.1 expired on " + testNow.Add(-2*day).Format("2006-01-02 15:04 UTC")},
					hint:    []string{"renew the certificate"}},
				"tls.expiry": skipped,
			}},
		{name: "expired and self-signed: both said",
			server: tlsServer(serverCert(leaf(certTemplate{notBefore: testNow.Add(-90 * day), notAfter: testNow.Add(-2 * day)}, nil))),
			want: map[string]wantResult{"tls.handshake": {status: finding.Fail,
				message: []string{"expired on", "; the certificate is self-signed"},
				hint:    []string{"renew", "; replace it with one from a CA"}}}},
		{name: "Options.Now past the end", trust: "option", clock: 100 * day,
			server: tlsServer(serverCert(leaf(certTemplate{}, ca))),
			want: map[string]wantResult{"tls.handshake": {status: finding.Fail,
				message: []string{"expired on " + testNow.Add(90*day).Format("2006-01-02 15:04 UTC")}}}},
		{name: "not yet valid", trust: "option",
			server: tlsServer(serverCert(leaf(certTemplate{notBefore: testNow.Add(3 * day), notAfter: testNow.Add(90 * day)}, ca))),
			want: map[string]wantResult{"tls.handshake": {status: finding.Fail,
				message: []string{"is not valid before " + testNow.Add(3*day).Format("2006-01-02 15:04 UTC")},
				hint:    []string{"clock"}}}},
		{name: "expires in 10 days", trust: "option",
			server: tlsServer(serverCert(leaf(certTemplate{notAfter: testNow.Add(10 * day)}, ca))),
			want: map[string]wantResult{
				"tls.handshake": passed("trusted"),
				"tls.expiry": {status: finding.Fail,
					message: []string{"the certificate of 127.0.0.1 expires on " + testNow.Add(10*day).Format("2006-01-02"), "(in 10 days)"},
					hint:    []string{"renew the certificate of 127.0.0.1 before"}},
			}},
		{name: "expires in 20 days", trust: "option",
			server: tlsServer(serverCert(leaf(certTemplate{notAfter: testNow.Add(20 * day)}, ca))),
			want:   map[string]wantResult{"tls.expiry": {status: finding.Warn, message: []string{"(in 20 days)"}}}},
		{name: "intermediate expires first", trust: "option",
			server: func(t *testing.T) string {
				short := makeCert(t, certTemplate{cn: "Short Intermediate", ca: true, notAfter: testNow.Add(5 * day)}, ca)
				return serveTLS(t, serverCert(leaf(certTemplate{}, short), short), 0, 0)
			},
			want: map[string]wantResult{"tls.expiry": {status: finding.Fail,
				message: []string{"the CA certificate CN=Short Intermediate in the chain of 127.0.0.1 expires on", "(in 5 days)"}}}},
		{name: "TLS 1.1 only", trust: "option",
			server: func(t *testing.T) string {
				return serveTLS(t, serverCert(leaf(certTemplate{}, ca)), tls.VersionTLS10, tls.VersionTLS11)
			},
			want: map[string]wantResult{
				"tls.handshake": passed("TLS 1.1 handshake"),
				"tls.version": {status: finding.Warn,
					message: []string{"negotiates TLS 1.1 at best, below TLS 1.2"},
					hint:    []string{"enable TLS 1.2 and 1.3"}},
			}},
		{name: "alert: a client certificate wanted", trust: "option",
			server: func(t *testing.T) string {
				// Under TLS 1.3 the client's handshake ends before the server
				// judges its certificate; under 1.2 the alert comes first.
				return serveTLSConfig(t, &tls.Config{Certificates: []tls.Certificate{serverCert(leaf(certTemplate{}, ca))},
					MaxVersion: tls.VersionTLS12, ClientAuth: tls.RequireAnyClientCert})
			},
			want: map[string]wantResult{"tls.handshake": {status: finding.Fail,
				message: []string{"{addr} refused the TLS handshake", "client certificate"},
				hint:    []string{"a client without a certificate"}}}},
		{name: "accepts and never speaks", timeout: 300 * time.Millisecond,
			server: serveSilence,
			want: map[string]wantResult{
				"tls.handshake": {status: finding.Fail,
					message: []string{"connected to {addr}, but the TLS handshake did not finish within 300ms"},
					hint:    []string{"raise --timeout"}},
				"tls.version": skipped,
			}},
		{name: "plain HTTP server",
			server: servePlainHTTP,
			want: map[string]wantResult{"tls.handshake": {status: finding.Fail,
				message: []string{"{addr} does not speak TLS"},
				hint:    []string{"use http://"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, port, err := net.SplitHostPort(tt.server(t))
			if err != nil {
				t.Fatal(err)
			}
			host := tt.host
			if host == "" {
				host = "127.0.0.1"
			}
			opts := Options{Timeout: tt.timeout, Now: func() time.Time { return testNow.Add(tt.clock) }}
			files := map[string]string{}
			switch tt.trust {
			case "option":
				opts.CAFile = filepath.Join(t.TempDir(), "ca.pem")
				if err := os.WriteFile(opts.CAFile, []byte(ca.pem()), 0o600); err != nil {
					t.Fatal(err)
				}
			case "login":
				files["ca.pem"] = ca.pem()
			}
			res := loadSpec(t, tlsSpec(host, port, tt.trust == "login"), files, map[string]string{"OAUTH_CLIENT_SECRET": "not-a-real-secret"})
			if res.Findings.HasErrors() {
				t.Fatalf("the test's spec is invalid: %v", res.Findings)
			}
			rs := runChecks(t, res, opts, "tls.handshake", "tls.expiry", "tls.version")
			addr := net.JoinHostPort(host, port)
			for id, want := range tt.want {
				r := onlyResult(t, rs, id)
				t.Logf("%s %s %s: %s (hint: %s)", r.Status, id, r.Duration.Round(time.Millisecond), r.Message, r.Hint)
				if r.Target != addr {
					t.Errorf("%s: target %q, want %s", id, r.Target, addr)
				}
				if r.Status != want.status {
					t.Errorf("%s: status %s, want %s: %s (hint: %s)", id, r.Status, want.status, r.Message, r.Hint)
				}
				for _, s := range want.message {
					if s = strings.ReplaceAll(s, "{addr}", addr); !strings.Contains(r.Message, s) {
						t.Errorf("%s: message %q lacks %q", id, r.Message, s)
					}
				}
				for _, s := range want.hint {
					if !strings.Contains(r.Hint, s) {
						t.Errorf("%s: hint %q lacks %q", id, r.Hint, s)
					}
				}
				if strings.Contains(r.Message, "\n") || strings.Contains(r.Hint, "\n") {
					t.Errorf("%s: message or hint is not one line: %q / %q", id, r.Message, r.Hint)
				}
				if tt.timeout > 0 && id == "tls.handshake" && r.Duration > 3*tt.timeout {
					t.Errorf("%s took %s; a server that never speaks should cost one timeout (%s)", id, r.Duration, tt.timeout)
				}
			}
		})
	}
}
