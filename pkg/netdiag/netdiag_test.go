package netdiag

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// get runs a GET through Do and returns its *Error.
func get(t *testing.T, client *http.Client, rawURL string) *Error {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := Do(client, req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("GET %s succeeded", rawURL)
	}
	var ne *Error
	if !errors.As(err, &ne) {
		t.Fatalf("error %T %v is not a *netdiag.Error", err, err)
	}
	if !strings.HasPrefix(ne.Error(), "GET "+rawURL+": ") {
		t.Errorf("error %q does not start with what was tried", ne)
	}
	return ne
}

func check(t *testing.T, e *Error, step Step, cause Cause, reason ...string) {
	t.Helper()
	t.Log(e)
	if e.Step != step || e.Cause != cause {
		t.Errorf("step %v cause %d, want %v %d: %s", e.Step, e.Cause, step, cause, e)
	}
	for _, want := range reason {
		if !strings.Contains(e.Reason, want) {
			t.Errorf("reason %q lacks %q", e.Reason, want)
		}
	}
}

// direct is a client that ignores proxy settings, so a test reaches what it
// names whatever the environment says.
func direct(timeout time.Duration, tlsConfig *tls.Config) *http.Client {
	return &http.Client{Timeout: timeout, Transport: &http.Transport{TLSClientConfig: tlsConfig, TLSHandshakeTimeout: 10 * time.Second}}
}

func TestClosedPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	e := get(t, direct(5*time.Second, nil), "http://"+addr+"/x")
	check(t, e, StepConnect, ConnectionRefused, "connection to "+addr+" refused")
}

func TestUnresolvableHost(t *testing.T) {
	e := get(t, direct(10*time.Second, nil), "http://id.example.invalid/.well-known/openid-configuration")
	if e.Cause != HostNotFound && e.Cause != DNSFailure {
		t.Errorf("cause %d, want a DNS failure: %s", e.Cause, e)
	}
	check(t, e, StepDNS, e.Cause, "cannot resolve host id.example.invalid")
}

// silentListener accepts connections and never writes to them.
func silentListener(t *testing.T) (addr string, accepted *atomic.Int32) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted = &atomic.Int32{}
	done := make(chan struct{})
	t.Cleanup(func() { close(done); ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			go func() {
				defer c.Close()
				go io.Copy(io.Discard, c)
				<-done
			}()
		}
	}()
	return ln.Addr().String(), accepted
}

func TestServerThatNeverAnswersCostsOneTimeout(t *testing.T) {
	addr, accepted := silentListener(t)
	const timeout = 300 * time.Millisecond
	start := time.Now()
	e := get(t, direct(timeout, nil), "http://"+addr+"/")
	if elapsed := time.Since(start); elapsed > 3*timeout {
		t.Errorf("took %v for a %v timeout", elapsed, timeout)
	}
	check(t, e, StepHTTP, Timeout, "connected to "+addr+" and sent the request, but no reply came within 300ms (the client's timeout)")
	if e.Timeout != timeout {
		t.Errorf("timeout %v, want %v", e.Timeout, timeout)
	}
	if n := accepted.Load(); n != 1 {
		t.Errorf("%d connections, want 1: the request was retried", n)
	}
}

func TestTLSHandshakeThatNeverFinishes(t *testing.T) {
	addr, _ := silentListener(t)
	client := direct(5*time.Second, nil)
	client.Transport.(*http.Transport).TLSHandshakeTimeout = 200 * time.Millisecond
	e := get(t, client, "https://"+addr+"/")
	check(t, e, StepTLS, Timeout, "connected to "+addr+", but the TLS handshake did not finish within 200ms (the TLS handshake timeout)")
}

// pki makes certificates for the TLS tests.
type pki struct {
	t      *testing.T
	ca     *x509.Certificate
	caKey  *ecdsa.PrivateKey
	serial int64
}

func newPKI(t *testing.T) *pki {
	p := &pki{t: t}
	p.ca, p.caKey = p.issue(&x509.Certificate{
		Subject: pkix.Name{CommonName: "Test Private CA", Organization: []string{"hubctl tests"}},
		IsCA:    true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}, nil, nil)
	return p
}

// issue signs tmpl with parent's key, or with its own when parent is nil.
func (p *pki) issue(tmpl *x509.Certificate, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		p.t.Fatal(err)
	}
	p.serial++
	tmpl.SerialNumber = big.NewInt(p.serial)
	if tmpl.NotBefore.IsZero() {
		tmpl.NotBefore = time.Now().Add(-time.Hour)
	}
	if tmpl.NotAfter.IsZero() {
		tmpl.NotAfter = time.Now().Add(time.Hour)
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		p.t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		p.t.Fatal(err)
	}
	return cert, key
}

// leaf is a server certificate signed by the CA, valid for 127.0.0.1
// unless tmpl names other hosts.
func (p *pki) leaf(tmpl *x509.Certificate) tls.Certificate {
	if tmpl.DNSNames == nil && tmpl.IPAddresses == nil {
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
	}
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	cert, key := p.issue(tmpl, p.ca, p.caKey)
	return tls.Certificate{Certificate: [][]byte{cert.Raw}, PrivateKey: key, Leaf: cert}
}

func (p *pki) trusting() *tls.Config {
	pool := x509.NewCertPool()
	pool.AddCert(p.ca)
	return &tls.Config{RootCAs: pool}
}

func tlsServer(t *testing.T, config *tls.Config) *httptest.Server {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "{}") }))
	srv.TLS = config
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func TestTLSFailures(t *testing.T) {
	p := newPKI(t)
	trusted := p.trusting()
	selfKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	selfTmpl := &x509.Certificate{SerialNumber: big.NewInt(99), Subject: pkix.Name{CommonName: "id.example.org"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	selfDER, _ := x509.CreateCertificate(rand.Reader, selfTmpl, selfTmpl, &selfKey.PublicKey, selfKey)
	expiredOn := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	validFrom := time.Now().Add(48 * time.Hour).Truncate(time.Second)

	tests := []struct {
		name   string
		server *tls.Config
		client *tls.Config
		cause  Cause
		reason []string
	}{
		{"unknown authority", &tls.Config{Certificates: []tls.Certificate{p.leaf(&x509.Certificate{})}}, nil,
			UnknownAuthority, []string{"the certificate of 127.0.0.1 is signed by an unknown authority (CN=Test Private CA,O=hubctl tests)"}},
		{"self-signed", &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{selfDER}, PrivateKey: selfKey}}}, nil,
			SelfSigned, []string{"the certificate of 127.0.0.1 is self-signed (CN=id.example.org)"}},
		{"wrong host", &tls.Config{Certificates: []tls.Certificate{p.leaf(&x509.Certificate{DNSNames: []string{"id.example.org", "*.auth.example.org"}})}}, trusted,
			WrongHost, []string{"the certificate of 127.0.0.1 is valid only for id.example.org, *.auth.example.org"}},
		{"expired", &tls.Config{Certificates: []tls.Certificate{p.leaf(&x509.Certificate{NotBefore: expiredOn.Add(-24 * time.Hour), NotAfter: expiredOn})}}, trusted,
			Expired, []string{"the certificate of 127.0.0.1 expired on 2024-03-01 12:00:00 UTC"}},
		{"not yet valid", &tls.Config{Certificates: []tls.Certificate{p.leaf(&x509.Certificate{NotBefore: validFrom, NotAfter: validFrom.Add(time.Hour)})}}, trusted,
			NotYetValid, []string{"is not valid before " + validFrom.UTC().Format("2006-01-02 15:04:05 UTC")}},
		{"protocol version", &tls.Config{Certificates: []tls.Certificate{p.leaf(&x509.Certificate{})}, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}, trusted,
			HandshakeFailure, []string{"refused the TLS handshake (protocol version not supported): it and this client (TLS 1.2 or later) share no TLS version"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := tlsServer(t, tt.server)
			e := get(t, direct(5*time.Second, tt.client), srv.URL+"/.well-known/openid-configuration")
			check(t, e, StepTLS, tt.cause, tt.reason...)
			if tt.cause.Certificate() != (tt.cause != HandshakeFailure) {
				t.Errorf("Certificate() is wrong for cause %d", tt.cause)
			}
		})
	}
	t.Run("trusted and right", func(t *testing.T) {
		srv := tlsServer(t, &tls.Config{Certificates: []tls.Certificate{p.leaf(&x509.Certificate{})}})
		req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
		resp, err := Do(direct(5*time.Second, trusted), req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	})
}

func TestTLSToAPlainServer(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	addr := strings.TrimPrefix(srv.URL, "http://")
	e := get(t, direct(5*time.Second, nil), "https://"+addr+"/")
	check(t, e, StepTLS, NotTLS, addr+" does not speak TLS")
}

// TestExplain covers errors loopback cannot produce, built as net/http
// would return them.
func TestExplain(t *testing.T) {
	dial := func(errno error) error {
		return &url.Error{Op: "Get", URL: "https://10.0.0.9/x", Err: &net.OpError{Op: "dial", Net: "tcp",
			Addr: &net.TCPAddr{IP: net.ParseIP("10.0.0.9"), Port: 443}, Err: os.NewSyscallError("connect", errno)}}
	}
	tests := []struct {
		name   string
		err    error
		step   Step
		cause  Cause
		reason string
	}{
		{"host unreachable", dial(syscall.EHOSTUNREACH), StepConnect, HostUnreachable, "host 10.0.0.9:443 unreachable"},
		{"network unreachable", dial(syscall.ENETUNREACH), StepConnect, NetworkUnreachable, "network unreachable: this machine has no route to 10.0.0.9:443"},
		{"dial timeout", dial(&timeoutErr{}), StepConnect, Timeout, "no answer from 10.0.0.9:443 in time while connecting"},
		{"dns temporary", &url.Error{Op: "Get", URL: "https://id.example.org/x", Err: &net.OpError{Op: "dial", Net: "tcp",
			Err: &net.DNSError{Err: "server misbehaving", Name: "id.example.org", IsTemporary: true}}},
			StepDNS, DNSFailure, "cannot resolve host id.example.org (server misbehaving; the resolver failed"},
		{"reset", &url.Error{Op: "Get", URL: "https://10.0.0.9/x", Err: &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}},
			StepHTTP, ConnectionClosed, "10.0.0.9 closed the connection"},
		{"through a proxy", &url.Error{Op: "Get", URL: "https://id.example.org/x", Err: &net.OpError{Op: "proxyconnect", Net: "tcp",
			Addr: &net.TCPAddr{IP: net.ParseIP("10.1.1.1"), Port: 3128}, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}},
			StepConnect, ConnectionRefused, "through the proxy 10.1.1.1:3128"},
		{"other", errors.New("something odd"), StepStart, CauseOther, "something odd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Explain("GET", "https://fallback/", tt.err)
			check(t, e, tt.step, tt.cause, tt.reason)
		})
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string { return "i/o timeout" }
func (timeoutErr) Timeout() bool { return true }

func TestDescribeBody(t *testing.T) {
	tests := []struct{ contentType, body, want string }{
		{"application/json", `{"a": 1}`, "JSON"},
		{"", "  \n", "an empty body"},
		{"text/html; charset=utf-8", "<!DOCTYPE html><html><head><title>\n  Sign in to\n Example </title></head></html>", `an HTML page titled "Sign in to Example"`},
		{"", "<html><body>hi</body></html>", "an HTML page"},
		{"text/plain", "Client sent an HTTP request to an HTTPS server.\nmore", `plain text "Client sent an HTTP request to an HTTPS server."`},
		{"application/octet-stream", "\x00\x01\x02", "binary data (application/octet-stream)"},
	}
	for _, tt := range tests {
		if got := DescribeBody(tt.contentType, []byte(tt.body)); got != tt.want {
			t.Errorf("DescribeBody(%q, %q) = %q, want %q", tt.contentType, tt.body, got, tt.want)
		}
	}
}

func TestAnsweredNamesARedirect(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/old" {
			http.Redirect(w, r, "/new", http.StatusFound)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	resp, err := srv.Client().Get(srv.URL + "/old")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got, want := Answered(srv.URL+"/old", resp), "answered 404 Not Found (redirected to "+srv.URL+"/new)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
