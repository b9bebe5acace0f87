//go:build e2e

// End-to-end tests of the NBGallery backend against the test bed's
// Doorkeeper stand-in (scripts/e2e-deps installs it): session mode with an
// admin's cookie, and guided mode with piped answers.

package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hubctl/hubctl/pkg/app"
	"github.com/hubctl/hubctl/pkg/testbed"
)

const nbgRedirect = "http://127.0.0.1:8000/hub/oauth_callback"

func nbgLoginClient() app.Client {
	return app.Client{Name: app.LoginClient, DisplayName: "JupyterHub e2e", RedirectURIs: []string{nbgRedirect},
		Scopes: []string{"read"}, AuthMethod: "client_secret_post", GrantTypes: []string{"authorization_code"}}
}

// nbgSignIn signs in as login and returns the session as the cookie file
// would hold it: a bare value, or a Cookie header.
func nbgSignIn(t *testing.T, ctx context.Context, d *testbed.Doorkeeper, login string, bare bool) string {
	t.Helper()
	browser := testbed.NewBrowser()
	if err := d.SignIn(ctx, browser, login, ""); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(d.URL)
	var pairs []string
	for _, c := range browser.Jar.Cookies(u) {
		if bare && c.Name == app.NBGallerySessionCookie {
			return c.Value
		}
		pairs = append(pairs, c.Name+"="+c.Value)
	}
	if bare || len(pairs) == 0 {
		t.Fatalf("signing in to the stand-in set no %s cookie (%v)", app.NBGallerySessionCookie, pairs)
	}
	return strings.Join(pairs, "; ")
}

// nbgTokenError exchanges a made-up code: invalid_grant when the client
// authenticated, invalid_client when not.
func nbgTokenError(t *testing.T, tokenURL, id, secret string) string {
	t.Helper()
	resp, err := http.PostForm(tokenURL, url.Values{"grant_type": {"authorization_code"}, "code": {"bogus-code-0123456789"},
		"redirect_uri": {nbgRedirect}, "client_id": {id}, "client_secret": {secret}})
	if err != nil {
		t.Fatalf("token request: %v", err)
	}
	defer resp.Body.Close()
	var body struct {
		Error string `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("token endpoint: HTTP %d, not JSON: %v", resp.StatusCode, err)
	}
	return body.Error
}

func TestNBGallerySessionModeAgainstDoorkeeper(t *testing.T) {
	d := testbed.StartDoorkeeper(t, testbed.DoorkeeperOptions{
		Applications: []testbed.DoorkeeperApp{{Name: "other", RedirectURI: "http://127.0.0.1:9999/cb"}},
	})
	for _, tt := range []struct {
		name string
		bare bool
	}{{"cookie header", false}, {"bare cookie value", true}} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			var out bytes.Buffer
			b := app.NewNBGallery(app.NBGalleryOptions{BaseURL: d.URL, SessionCookie: nbgSignIn(t, ctx, d, "admin", tt.bare), Out: &out})
			c := nbgLoginClient()

			reg, err := b.Create(ctx, c)
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			if reg.ClientID == "" || reg.ClientSecret == "" || !slices.Equal(reg.RedirectURIs, c.RedirectURIs) ||
				!strings.HasPrefix(reg.RegistrationURI, d.URL+"/oauth/applications/") {
				t.Fatalf("Create: %+v", reg)
			}
			if got := nbgTokenError(t, d.TokenURL, reg.ClientID, reg.ClientSecret); got != "invalid_grant" {
				t.Errorf("the created credentials: token endpoint says %s, want invalid_grant", got)
			}
			prev := app.Stored{Backend: "nbgallery", ClientID: reg.ClientID, RegistrationURI: reg.RegistrationURI}
			c.ClientID = reg.ClientID

			// Found by its address, and by its UID alone (a guided
			// registration leaves no address).
			for _, p := range []app.Stored{prev, {ClientID: reg.ClientID}} {
				got, ok, err := b.Get(ctx, c, p)
				if err != nil || !ok || got.ClientID != reg.ClientID || !slices.Equal(got.Scopes, []string{"read"}) ||
					!slices.Equal(got.RedirectURIs, c.RedirectURIs) {
					t.Errorf("Get(%+v) = %+v, %v, %v", p, got, ok, err)
				}
			}

			c.RedirectURIs = append(c.RedirectURIs, "http://127.0.0.1:8001/hub/oauth_callback")
			upd, err := b.Update(ctx, c, prev)
			if err != nil || !slices.Equal(upd.RedirectURIs, c.RedirectURIs) || upd.ClientSecret != "" {
				t.Errorf("Update = %+v, %v", upd, err)
			}

			rot, err := b.Rotate(ctx, c, prev)
			if err != nil || rot.ClientSecret == "" || rot.ClientID == reg.ClientID {
				t.Fatalf("Rotate = %+v, %v", rot, err)
			}
			if got := nbgTokenError(t, d.TokenURL, reg.ClientID, reg.ClientSecret); got != "invalid_client" {
				t.Errorf("after Rotate, the old credentials: %s, want invalid_client", got)
			}
			if got := nbgTokenError(t, d.TokenURL, rot.ClientID, rot.ClientSecret); got != "invalid_grant" {
				t.Errorf("after Rotate, the new credentials: %s, want invalid_grant", got)
			}
			if !strings.Contains(out.String(), "cannot renew a secret") {
				t.Errorf("Rotate did not say the UID changes: %q", out.String())
			}

			c.ClientID = rot.ClientID
			prev = app.Stored{ClientID: rot.ClientID, RegistrationURI: rot.RegistrationURI}
			if err := b.Delete(ctx, c, prev); err != nil {
				t.Fatalf("Delete: %v", err)
			}
			if _, ok, err := b.Get(ctx, c, prev); ok || err != nil {
				t.Errorf("Get after Delete: ok %v, %v; want gone", ok, err)
			}
			if got := nbgTokenError(t, d.TokenURL, rot.ClientID, rot.ClientSecret); got != "invalid_client" {
				t.Errorf("after Delete: %s, want invalid_client", got)
			}
			if _, ok := d.App("other"); !ok {
				t.Fatal("the seeded application is missing")
			}
		})
	}
}

func TestNBGallerySessionModeRefusals(t *testing.T) {
	d := testbed.StartDoorkeeper(t, testbed.DoorkeeperOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tests := []struct {
		name    string
		cookie  string
		client  app.Client
		want    string
		expired bool
	}{
		{name: "a session that is not signed in", cookie: "not-a-session", client: nbgLoginClient(), want: "sign in to", expired: true},
		{name: "a user who is not an admin", cookie: nbgSignIn(t, ctx, d, "alice", false), client: nbgLoginClient(), want: "HTTP 403", expired: true},
		{name: "a scope NBGallery does not know", cookie: nbgSignIn(t, ctx, d, "admin", false),
			client: func() app.Client { c := nbgLoginClient(); c.Scopes = []string{"openid"}; return c }(),
			want:   "NBGallery refused the application: Scopes doesn't match configured on the server"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := app.NewNBGallery(app.NBGalleryOptions{BaseURL: d.URL, SessionCookie: tt.cookie})
			_, err := b.Create(ctx, tt.client)
			if err == nil || !strings.Contains(err.Error(), tt.want) || errors.Is(err, app.ErrSessionExpired) != tt.expired {
				t.Errorf("Create: %v; want %q (session expired: %v)", err, tt.want, tt.expired)
			}
		})
	}
}

func TestNBGalleryGuidedModeAgainstDoorkeeper(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// The admin's part: the application made on NBGallery's console.
	d := testbed.StartDoorkeeper(t, testbed.DoorkeeperOptions{
		Applications: []testbed.DoorkeeperApp{{Name: "JupyterHub e2e", RedirectURI: nbgRedirect}},
	})
	made, _ := d.App("JupyterHub e2e")
	if made.UID == "" || made.Secret == "" {
		t.Fatalf("the stand-in did not seed the application: %+v", made)
	}
	tests := []struct {
		name, input, want string
	}{
		{name: "the form's UID and secret", input: made.UID + "\n" + made.Secret + "\n"},
		{name: "a mistyped secret", input: made.UID + "\nnot-the-secret\n", want: "invalid_client"},
		{name: "input that ends early", input: made.UID + "\n", want: "standard input ended"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			b := app.NewNBGallery(app.NBGalleryOptions{BaseURL: d.URL, Out: &out,
				Prompt: app.NewReaderPrompter(strings.NewReader(tt.input), &out)})
			reg, err := b.Create(ctx, nbgLoginClient())
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("Create: %v, want %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			if reg.ClientID != made.UID || reg.ClientSecret != made.Secret {
				t.Errorf("Create read %q and a secret of %d characters, want the form's", reg.ClientID, len(reg.ClientSecret))
			}
			for _, want := range []string{d.URL + "/oauth/applications/new", "Name:          JupyterHub e2e", nbgRedirect, "Confidential:  checked", "Scopes:        read", "requires https"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("the steps lack %q:\n%s", want, out.String())
				}
			}
			if strings.Contains(out.String(), made.Secret) {
				t.Error("the steps show the secret")
			}
			if got := nbgTokenError(t, d.TokenURL, reg.ClientID, reg.ClientSecret); got != "invalid_grant" {
				t.Errorf("the entered credentials: %s, want invalid_grant", got)
			}
			if _, _, err := b.Get(ctx, nbgLoginClient(), app.Stored{ClientID: reg.ClientID}); !errors.Is(err, app.ErrNotSupported) {
				t.Errorf("guided Get: %v, want ErrNotSupported", err)
			}
		})
	}
}
