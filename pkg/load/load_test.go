package load

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hubctl/hubctl/pkg/exitcode"
	"github.com/hubctl/hubctl/pkg/finding"
)

// writeSpec writes an OIDC spec whose issuer is issuer, with extra login
// keys, and returns its path. login.url is on line 6, column 8.
func writeSpec(t *testing.T, issuer, extraLogin string) string {
	t.Helper()
	text := `version: 1
hub:
  url: https://hub.example.org
login:
  provider: oidc
  url: ` + issuer + `
  clientId: jupyterhub
  clientSecret: {k8sSecret: {name: oidc, key: secret}}
  allow: {all: true}
` + extraLogin
	path := filepath.Join(t.TempDir(), "hubctl.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// unreachableIssuer is an issuer on a loopback port nothing listens on.
func unreachableIssuer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	return "http://" + ln.Addr().String() + "/realm"
}

// noNetwork is a client that fails the test if anything is sent.
func noNetwork(t *testing.T) *http.Client {
	return &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		t.Errorf("%s %s was sent; this load must not touch the network", r.Method, r.URL)
		return nil, http.ErrHandlerTimeout
	})}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestSkipEndpointsNeverDiscovers(t *testing.T) {
	issuer := unreachableIssuer(t)
	path := writeSpec(t, issuer, "  tokenUrl: https://internal/token\n")
	for _, offline := range []bool{false, true} {
		r, err := Config(context.Background(), path, Options{SkipEndpoints: true, Offline: offline, HTTPClient: noNetwork(t)})
		if err != nil {
			t.Fatalf("offline=%v: %v", offline, err)
		}
		if r.Config == nil {
			t.Fatalf("offline=%v: no hub configuration", offline)
		}
	}
}

func TestUnreachableIssuerSaysWhatFailed(t *testing.T) {
	issuer := unreachableIssuer(t)
	path := writeSpec(t, issuer, "")
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{}}
	r, err := Config(context.Background(), path, Options{HTTPClient: client})
	if err == nil {
		t.Fatal("an unreachable issuer was accepted")
	}
	if r.Config != nil {
		t.Error("a hub configuration was built without the endpoints")
	}
	host := strings.TrimSuffix(strings.TrimPrefix(issuer, "http://"), "/realm")
	for _, want := range []string{
		path + ":6:8: login.url: OIDC discovery: GET " + issuer + "/.well-known/openid-configuration: connection to " + host + " refused",
		"; give login.authorizeUrl, login.tokenUrl and login.userdataUrl in the spec to skip discovery",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if code := exitcode.For(err); code != exitcode.Runtime {
		t.Errorf("exit %d, want %d (runtime)", code, exitcode.Runtime)
	}
}

func TestOffline(t *testing.T) {
	tests := []struct {
		name, extraLogin, wantErr string
	}{
		{name: "discovery needed",
			wantErr: ":6:8: --offline: login.url https://id.example.org/realm is an OIDC issuer whose endpoints come from discovery; " +
				"set login.authorizeUrl, login.tokenUrl and login.userdataUrl to render without the network"},
		{name: "only the missing keys", extraLogin: "  tokenUrl: https://internal/token\n",
			wantErr: "; set login.authorizeUrl and login.userdataUrl to render without the network"},
		{name: "every endpoint given", extraLogin: "  authorizeUrl: https://id.example.org/auth\n  tokenUrl: https://id.example.org/token\n  userdataUrl: https://id.example.org/userinfo\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeSpec(t, "https://id.example.org/realm", tt.extraLogin)
			r, err := Config(context.Background(), path, Options{Offline: true, HTTPClient: noNetwork(t)})
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if r.Config == nil {
					t.Fatal("no hub configuration")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want %q", err, tt.wantErr)
			}
			if !strings.HasPrefix(err.Error(), path+":6:8: ") {
				t.Errorf("error %q does not start at login.url", err)
			}
			if code := exitcode.For(err); code != exitcode.Invalid {
				t.Errorf("exit %d, want %d (invalid input)", code, exitcode.Invalid)
			}
		})
	}
}

// A spec without login.clientId is valid (a warning) until an output needs
// the client id; then it is refused, naming hubctl app create login.
func TestUnregisteredClient(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hubctl.yaml")
	text := "version: 1\nhub:\n  url: https://hub.example.org\nlogin:\n  provider: nbgallery\n  url: https://gallery.example.org\n  clientSecret: {env: S}\n  allow: {all: true}\n"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := Spec(path, Options{})
	if err != nil || res.Findings.Count(finding.Warning) != 1 || res.Findings[0].ID != "client-not-registered" {
		t.Fatalf("Spec: %v, findings %v", err, res.Findings)
	}
	if _, err := Config(context.Background(), path, Options{SkipEndpoints: true}); err != nil {
		t.Errorf("an output without the client id: %v", err)
	}
	_, err = Config(context.Background(), path, Options{})
	var inv *finding.InvalidInput
	if !errors.As(err, &inv) || !strings.Contains(inv.Findings[0].Hint, "hubctl app create login") {
		t.Errorf("an output with the client id: %v", err)
	}
}
