package provider

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzDiscover serves arbitrary bodies as a discovery document: Discover
// never panics, and what it accepts names the issuer it was asked for.
func FuzzDiscover(f *testing.F) {
	for _, seed := range []string{
		`{"issuer": "ISSUER", "authorization_endpoint": "ISSUER/auth", "token_endpoint": "ISSUER/token", "userinfo_endpoint": "ISSUER/me", "scopes_supported": ["openid"]}`,
		`{"issuer": "https://elsewhere.example.org"}`,
		`{"token_endpoint": 5}`,
		`[]`, `null`, `<html>login</html>`, `{"issuer": "ISSUER", "scopes_supported": "openid"}`, "",
	} {
		f.Add(seed, "application/json")
	}
	f.Add(`<!doctype html><p>sign in`, "text/html")
	f.Fuzz(func(t *testing.T, body, contentType string) {
		if len(body) > 1<<16 {
			return
		}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", contentType)
			w.Write([]byte(strings.ReplaceAll(body, "ISSUER", "http://"+r.Host)))
		}))
		defer srv.Close()
		md, err := Discover(context.Background(), srv.Client(), srv.URL)
		if err == nil && strings.TrimSuffix(md.Issuer, "/") != srv.URL {
			t.Fatalf("accepted a document for issuer %q from %s", md.Issuer, srv.URL)
		}
	})
}
