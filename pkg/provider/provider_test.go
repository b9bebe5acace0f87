package provider

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	if tls {
		srv = httptest.NewTLSServer(handler)
	} else {
		srv = httptest.NewServer(handler)
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
		{name: "no token endpoint", mutate: func(_ string, d map[string]any) { delete(d, "token_endpoint") }, wantErr: "lacks authorization_endpoint or token_endpoint"},
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
