package provider

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hubctl/hubctl/pkg/spec"
)

func TestResolveNBGalleryPaths(t *testing.T) {
	ep, err := Resolve(context.Background(), &spec.Login{Provider: "nbgallery", URL: "https://example.org/gallery/", TokenURL: "https://internal:3000/oauth/token"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Endpoints{"https://example.org/gallery/oauth/authorize", "https://internal:3000/oauth/token", "https://example.org/gallery/oauth/userinfo"}
	if ep != want {
		t.Errorf("got %+v, want %+v", ep, want)
	}
}

// discoveryServer serves a discovery document; mutate adjusts it.
func discoveryServer(t *testing.T, tls bool, mutate func(issuer string, doc map[string]any)) *httptest.Server {
	var srv *httptest.Server
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/realm/.well-known/openid-configuration" {
			http.NotFound(w, r)
			return
		}
		issuer := srv.URL + "/realm"
		doc := map[string]any{
			"issuer":                 issuer,
			"authorization_endpoint": issuer + "/auth",
			"token_endpoint":         issuer + "/token",
			"userinfo_endpoint":      issuer + "/userinfo",
		}
		if mutate != nil {
			mutate(issuer, doc)
		}
		json.NewEncoder(w).Encode(doc)
	})
	srv = httptest.NewUnstartedServer(handler)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are what some tests make
	if tls {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv
}

func TestDiscovery(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(string, map[string]any)
		given   spec.Login
		want    func(issuer string) Endpoints
		wantErr string
	}{
		{name: "all from discovery", want: func(i string) Endpoints { return Endpoints{i + "/auth", i + "/token", i + "/userinfo"} }},
		{name: "spec overrides one", given: spec.Login{TokenURL: "https://internal/token"},
			want: func(i string) Endpoints { return Endpoints{i + "/auth", "https://internal/token", i + "/userinfo"} }},
		{name: "issuer mismatch", mutate: func(_ string, d map[string]any) { d["issuer"] = "https://elsewhere" }, wantErr: `names issuer "https://elsewhere"`},
		{name: "no userinfo", mutate: func(_ string, d map[string]any) { delete(d, "userinfo_endpoint") }, wantErr: "no userinfo_endpoint; set login.userdataUrl"},
		{name: "no token endpoint", mutate: func(_ string, d map[string]any) { delete(d, "token_endpoint") }, wantErr: "has no token_endpoint; set login.tokenUrl"},
		{name: "no endpoint the spec lacks", mutate: func(_ string, d map[string]any) { delete(d, "token_endpoint") },
			given: spec.Login{TokenURL: "https://internal/token"},
			want:  func(i string) Endpoints { return Endpoints{i + "/auth", "https://internal/token", i + "/userinfo"} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := discoveryServer(t, false, tt.mutate)
			l := tt.given
			l.Provider, l.URL = "oidc", srv.URL+"/realm"
			ep, err := Resolve(context.Background(), &l, srv.Client())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := tt.want(l.URL); ep != want {
				t.Errorf("got %+v, want %+v", ep, want)
			}
		})
	}
	t.Run("not found", func(t *testing.T) {
		srv := discoveryServer(t, false, nil)
		_, err := Discover(context.Background(), srv.Client(), srv.URL+"/other")
		if err == nil || !strings.Contains(err.Error(), "404") {
			t.Fatalf("got %v", err)
		}
	})
}

func TestHTTPClientTrustsTheCAFile(t *testing.T) {
	srv := discoveryServer(t, true, nil)
	issuer := srv.URL + "/realm"
	plain, err := HTTPClient("", true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Discover(context.Background(), plain, issuer); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("an unknown CA was trusted: %v", err)
	}
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	os.WriteFile(caFile, pemBytes, 0o644)
	trusting, err := HTTPClient(caFile, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Discover(context.Background(), trusting, issuer); err != nil {
		t.Fatalf("with the CA file: %v", err)
	}
	insecure, _ := HTTPClient("", false)
	if _, err := Discover(context.Background(), insecure, issuer); err != nil {
		t.Fatalf("with verification off: %v", err)
	}
	os.WriteFile(caFile, []byte("not a certificate"), 0o644)
	if _, err := HTTPClient(caFile, true); err == nil {
		t.Error("a CA file without a certificate was accepted")
	}
}

func TestDiscoveredKeys(t *testing.T) {
	tests := []struct {
		login spec.Login
		want  string
	}{
		{spec.Login{Provider: "oidc"}, "login.authorizeUrl, login.tokenUrl and login.userdataUrl"},
		{spec.Login{Provider: "oidc", TokenURL: "https://t"}, "login.authorizeUrl and login.userdataUrl"},
		{spec.Login{Provider: "oidc", TokenURL: "https://t", AuthorizeURL: "https://a"}, "login.userdataUrl"},
		{spec.Login{Provider: "oidc", TokenURL: "https://t", AuthorizeURL: "https://a", UserdataURL: "https://u"}, ""},
		{spec.Login{Provider: "nbgallery"}, ""},
		{spec.Login{Provider: "oauth2"}, ""},
	}
	for _, tt := range tests {
		if got := InWords(DiscoveredKeys(&tt.login)); got != tt.want {
			t.Errorf("%+v: got %q, want %q", tt.login, got, tt.want)
		}
		if NeedsDiscovery(&tt.login) != (tt.want != "") {
			t.Errorf("%+v: NeedsDiscovery disagrees with DiscoveredKeys", tt.login)
		}
	}
}

func TestStaticNeedsNoNetwork(t *testing.T) {
	got := Static(&spec.Login{Provider: "oidc", URL: "https://id.example.invalid/realm", TokenURL: "https://internal/token"})
	if want := (Endpoints{Token: "https://internal/token"}); got != want {
		t.Errorf("oidc: got %+v, want %+v", got, want)
	}
	got = Static(&spec.Login{Provider: "nbgallery", URL: "https://g.example.org"})
	if want := (Endpoints{"https://g.example.org/oauth/authorize", "https://g.example.org/oauth/token", "https://g.example.org/oauth/userinfo"}); got != want {
		t.Errorf("nbgallery: got %+v, want %+v", got, want)
	}
}

// replyServer answers every request with status, content type and body.
func replyServer(t *testing.T, status int, contentType, body string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestDiscoveryFailuresSayWhatFailed checks each failure names the URL
// tried, why it failed, and how to go on without discovery.
func TestDiscoveryFailuresSayWhatFailed(t *testing.T) {
	const skipAll = "; give login.authorizeUrl, login.tokenUrl and login.userdataUrl in the spec to skip discovery"
	closed := func(t *testing.T) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ln.Close()
		return "http://" + ln.Addr().String() + "/realm"
	}
	tests := []struct {
		name   string
		issuer func(t *testing.T) string
		given  spec.Login
		want   []string
	}{
		{name: "404", issuer: func(t *testing.T) string {
			return replyServer(t, 404, "text/html", "<html><head><title>Not Found</title></head></html>").URL + "/realm"
		},
			want: []string{"/realm/.well-known/openid-configuration answered 404 Not Found with an HTML page titled \"Not Found\"",
				"; set login.url to the issuer exactly", skipAll}},
		{name: "HTML page", issuer: func(t *testing.T) string {
			return replyServer(t, 200, "text/html", "<!doctype html><title>Sign in</title>").URL + "/realm"
		},
			want: []string{"answered 200 OK with an HTML page titled \"Sign in\", not a discovery document", "set login.url to the issuer exactly", skipAll}},
		{name: "JSON that is not a discovery document", issuer: func(t *testing.T) string {
			return replyServer(t, 200, "application/json", `{"error": "unknown realm", "status": 1}`).URL + "/realm"
		},
			want: []string{"answered 200 OK with JSON that is not a discovery document: no issuer, authorization_endpoint or token_endpoint (its keys: error, status)", skipAll}},
		{name: "JSON that is not an object", issuer: func(t *testing.T) string { return replyServer(t, 200, "application/json", `[1, 2]`).URL },
			want: []string{"with JSON that is not an object, not a discovery document"}},
		{name: "server error", issuer: func(t *testing.T) string {
			return replyServer(t, 503, "application/json", `{"error": "down"}`).URL + "/realm"
		},
			want: []string{"answered 503 Service Unavailable with JSON", skipAll}},
		{name: "closed port", issuer: closed,
			want: []string{"OIDC discovery: GET http://127.0.0.1:", "/realm/.well-known/openid-configuration: connection to 127.0.0.1:", "refused", skipAll}},
		{name: "only the missing keys", issuer: closed, given: spec.Login{TokenURL: "https://internal/token"},
			want: []string{"; give login.authorizeUrl and login.userdataUrl in the spec to skip discovery"}},
		{name: "unresolvable", issuer: func(*testing.T) string { return "https://id.example.invalid/realm" },
			want: []string{"GET https://id.example.invalid/realm/.well-known/openid-configuration: cannot resolve host id.example.invalid", skipAll}},
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{}} // no proxy: the tests reach loopback only
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := tt.given
			l.Provider, l.URL = "oidc", tt.issuer(t)
			_, err := Resolve(context.Background(), &l, client)
			t.Log(err)
			var de *DiscoveryError
			if !errors.As(err, &de) {
				t.Fatalf("error %v is not a *DiscoveryError", err)
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			if strings.Count(err.Error(), "skip discovery") != 1 {
				t.Errorf("error %q does not say once how to skip discovery", err)
			}
		})
	}
}

func TestDiscoveryCertificateHints(t *testing.T) {
	srv := discoveryServer(t, true, nil)
	l := spec.Login{Provider: "oidc", URL: srv.URL + "/realm"}
	plain, err := HTTPClient("", true)
	if err != nil {
		t.Fatal(err)
	}
	if plain.Timeout <= 0 {
		t.Fatalf("the provider client has no timeout: a server that never answers would hang hubctl")
	}
	_, err = Resolve(context.Background(), &l, plain)
	for _, want := range []string{"the certificate of 127.0.0.1 is self-signed", "if the provider uses a private CA, set login.caFile to that CA's certificate (PEM)"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
	// A CA file that holds another authority.
	caFile := filepath.Join(t.TempDir(), "other-ca.pem")
	os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: selfSignedDER(t)}), 0o644)
	withCA, err := HTTPClient(caFile, true)
	if err != nil {
		t.Fatal(err)
	}
	l.CAFile = "other-ca.pem"
	_, err = Resolve(context.Background(), &l, withCA)
	if want := "login.caFile other-ca.pem does not hold the certificate of the authority that signed it"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v lacks %q", err, want)
	}
}

// selfSignedDER is a CA certificate that signed nothing the tests serve.
func selfSignedDER(t *testing.T) []byte {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Some Other CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}
