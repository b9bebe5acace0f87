//go:build e2e

// End-to-end tests of the RFC 7591/7592 backend against the test bed's Ory
// Hydra (dynamic registration on) and oidc-provider (open, and behind an
// initial access token). scripts/e2e-deps installs both.

package app_test

import (
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

func TestRFC7591AgainstRealRegistries(t *testing.T) {
	const initialToken = "hubctl-e2e-initial-access-token-0123"
	tests := []struct {
		name string
		// start returns the registration endpoint, the token endpoint and
		// the HTTP client that trusts the registry.
		start        func(t *testing.T) (registrationURL, tokenURL string, client *http.Client)
		initialToken string
	}{
		{name: "hydra", start: func(t *testing.T) (string, string, *http.Client) {
			h := testbed.StartHydra(t, testbed.HydraOptions{DynamicRegistration: true})
			return h.PublicURL + "/oauth2/register", h.PublicURL + "/oauth2/token", h.Client
		}},
		{name: "oidc-provider open", start: func(t *testing.T) (string, string, *http.Client) {
			p := testbed.StartOIDCProvider(t, testbed.OIDCProviderOptions{})
			return p.RegistrationURL, p.Issuer + "/token", http.DefaultClient
		}},
		{name: "oidc-provider with an initial access token", initialToken: initialToken, start: func(t *testing.T) (string, string, *http.Client) {
			p := testbed.StartOIDCProvider(t, testbed.OIDCProviderOptions{InitialAccessToken: initialToken})
			return p.RegistrationURL, p.Issuer + "/token", http.DefaultClient
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			regURL, tokenURL, httpClient := tt.start(t)
			c := app.Client{
				Name:         app.LoginClient,
				DisplayName:  "JupyterHub e2e",
				RedirectURIs: []string{"http://127.0.0.1:8000/hub/oauth_callback"},
				Scopes:       []string{"openid", "profile", "email"},
				AuthMethod:   "client_secret_post",
				GrantTypes:   []string{"authorization_code"},
			}

			if tt.initialToken != "" {
				for _, token := range []string{"", "not-the-initial-token"} {
					_, err := app.NewRFC7591(app.RFC7591Options{HTTPClient: httpClient, RegistrationURL: regURL, InitialToken: token}).Create(ctx, c)
					if err == nil || !strings.Contains(err.Error(), "HTTP 401") || !strings.Contains(err.Error(), "initial access token") {
						t.Fatalf("create with initial token %q: got %v, want a 401 that names the initial access token", token, err)
					}
				}
			}
			b := app.NewRFC7591(app.RFC7591Options{HTTPClient: httpClient, RegistrationURL: regURL, InitialToken: tt.initialToken})
			reg, err := b.Create(ctx, c)
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			if reg.ClientID == "" || reg.ClientSecret == "" || reg.RegistrationURI == "" || reg.RegistrationToken == "" {
				t.Fatalf("create returned %+v (secret set: %v, token set: %v), want an id, a secret, a registration URI and token",
					reg, reg.ClientSecret != "", reg.RegistrationToken != "")
			}
			if reg.AuthMethod != "client_secret_post" || !slices.Equal(reg.RedirectURIs, c.RedirectURIs) {
				t.Errorf("create registered %s %v, want client_secret_post %v", reg.AuthMethod, reg.RedirectURIs, c.RedirectURIs)
			}
			secret := reg.ClientSecret
			wantTokenError(t, httpClient, tokenURL, reg.ClientID, secret, "invalid_grant")
			wantTokenError(t, httpClient, tokenURL, reg.ClientID, "not-the-secret", "invalid_client")
			prev := app.Stored{Backend: b.Name(), ClientID: reg.ClientID, RegistrationURI: reg.RegistrationURI, RegistrationToken: reg.RegistrationToken}

			got, ok, err := b.Get(ctx, c, prev)
			if err != nil || !ok || got.ClientID != reg.ClientID || !slices.Equal(got.RedirectURIs, c.RedirectURIs) {
				t.Fatalf("get after create: %+v, %v, %v", got, ok, err)
			}
			if got.ClientSecret != "" {
				t.Errorf("get returned the client secret")
			}

			c.RedirectURIs = []string{"http://127.0.0.1:8000/hub/oauth_callback", "https://hub.example.org/hub/oauth_callback"}
			updated, err := b.Update(ctx, c, prev)
			if err != nil {
				t.Fatalf("update: %v", err)
			}
			if updated.RegistrationToken != "" && updated.RegistrationToken != prev.RegistrationToken {
				// Both registries replace the token on update: the old one
				// must not work any more, or storing the new one would not
				// matter.
				if _, ok, err := b.Get(ctx, c, prev); ok || err != nil {
					t.Errorf("the registration token from before the update still reads the client: %v, %v", ok, err)
				}
				prev.RegistrationToken = updated.RegistrationToken
			}
			got, ok, err = b.Get(ctx, c, prev)
			if err != nil || !ok || !slices.Equal(got.RedirectURIs, c.RedirectURIs) {
				t.Fatalf("get after update: %v, %v, %v; want the redirect URIs %v", got.RedirectURIs, ok, err, c.RedirectURIs)
			}
			wantTokenError(t, httpClient, tokenURL, reg.ClientID, secret, "invalid_grant")

			// Neither registry takes a client_secret in an update: the
			// rotate is refused before anything changes.
			_, err = b.Rotate(ctx, c, prev)
			if !errors.Is(err, app.ErrNotSupported) || !strings.Contains(err.Error(), "hubctl app delete login") {
				t.Fatalf("rotate: got %v, want ErrNotSupported with what to do", err)
			}
			t.Logf("rotate refused: %v", err)
			if _, ok, err := b.Get(ctx, c, prev); !ok || err != nil {
				t.Fatalf("the registration token stopped working after the refused rotate: %v, %v", ok, err)
			}
			wantTokenError(t, httpClient, tokenURL, reg.ClientID, secret, "invalid_grant")

			if err := b.Delete(ctx, c, prev); err != nil {
				t.Fatalf("delete: %v", err)
			}
			if _, ok, err := b.Get(ctx, c, prev); ok || err != nil {
				t.Errorf("get after delete: %v, %v; want not found", ok, err)
			}
			wantTokenError(t, httpClient, tokenURL, reg.ClientID, secret, "invalid_client")
			err = b.Delete(ctx, c, prev)
			if err == nil || !strings.Contains(err.Error(), "HTTP 401") || !strings.Contains(err.Error(), "hubctl app create login") {
				t.Errorf("a second delete: got %v, want the 401 explained", err)
			}
			t.Logf("a second delete: %v", err)
		})
	}
}

// wantTokenError exchanges a made-up code with client_secret_post, which
// only tells whether the client authenticated: invalid_grant if it did,
// invalid_client if not.
func wantTokenError(t *testing.T, client *http.Client, tokenURL, id, secret, want string) {
	t.Helper()
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {"bogus-code-0123456789"},
		"redirect_uri":  {"http://127.0.0.1:8000/hub/oauth_callback"},
		"client_id":     {id},
		"client_secret": {secret},
	}
	resp, err := client.PostForm(tokenURL, form)
	if err != nil {
		t.Fatalf("token request: %v", err)
	}
	defer resp.Body.Close()
	var body struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("token endpoint %s: HTTP %d, not JSON: %v", tokenURL, resp.StatusCode, err)
	}
	if body.Error != want {
		t.Errorf("token endpoint: %s (%s), want %s", body.Error, body.Description, want)
	}
}
