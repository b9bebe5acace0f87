//go:build e2e

// End-to-end tests of the Hydra admin backend against the test bed's Ory
// Hydra with dynamic registration off (scripts/e2e-deps builds it).

package app_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/hubctl/hubctl/pkg/app"
	"github.com/hubctl/hubctl/pkg/testbed"
)

func TestHydraAdminAgainstHydra(t *testing.T) {
	h := testbed.StartHydra(t, testbed.HydraOptions{})
	tokenURL := h.PublicURL + "/oauth2/token"
	b := app.NewHydraAdmin(app.HydraAdminOptions{HTTPClient: h.Client, AdminURL: h.AdminURL})
	tests := []struct {
		name string
		// id is the client id the spec has before create; empty lets
		// Hydra choose.
		id string
	}{
		{name: "hydra chooses the id"},
		{name: "the spec's id", id: "hubctl-e2e-login"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			c := app.Client{
				Name:         app.LoginClient,
				DisplayName:  "JupyterHub e2e",
				ClientID:     tt.id,
				RedirectURIs: []string{"http://127.0.0.1:8000/hub/oauth_callback"},
				Scopes:       []string{"openid", "profile", "email"},
				AuthMethod:   "client_secret_post",
				GrantTypes:   []string{"authorization_code"},
			}
			if _, ok, err := b.Get(ctx, c, app.Stored{ClientID: "no-such-client"}); ok || err != nil {
				t.Fatalf("get of an unknown client: %v, %v; want not found", ok, err)
			}
			reg, err := b.Create(ctx, c)
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			if reg.ClientID == "" || reg.ClientSecret == "" || (tt.id != "" && reg.ClientID != tt.id) {
				t.Fatalf("create returned client %q (secret set: %v), want id %q and a secret", reg.ClientID, reg.ClientSecret != "", tt.id)
			}
			oldSecret := reg.ClientSecret
			wantTokenError(t, h.Client, tokenURL, reg.ClientID, oldSecret, "invalid_grant")
			c.ClientID = reg.ClientID
			prev := app.Stored{Backend: b.Name(), ClientID: reg.ClientID}
			if _, err := b.Create(ctx, c); !errors.Is(err, app.ErrClientExists) {
				t.Errorf("a second create with the same id: got %v, want ErrClientExists", err)
			} else {
				t.Logf("a second create: %v", err)
			}

			got, ok, err := b.Get(ctx, c, prev)
			if err != nil || !ok || !slices.Equal(got.RedirectURIs, c.RedirectURIs) || got.AuthMethod != "client_secret_post" ||
				!slices.Equal(got.Scopes, c.Scopes) {
				t.Fatalf("get after create: %+v, %v, %v", got, ok, err)
			}

			c.RedirectURIs = []string{"https://hub.example.org/hub/oauth_callback"}
			if _, err := b.Update(ctx, c, prev); err != nil {
				t.Fatalf("update: %v", err)
			}
			got, ok, err = b.Get(ctx, c, prev)
			if err != nil || !ok || !slices.Equal(got.RedirectURIs, c.RedirectURIs) {
				t.Fatalf("get after update: %v, %v, %v; want %v", got.RedirectURIs, ok, err, c.RedirectURIs)
			}
			// wantTokenError sends the first redirect URI, which the update
			// removed; Hydra authenticates the client before it looks at it.
			wantTokenError(t, h.Client, tokenURL, reg.ClientID, oldSecret, "invalid_grant")

			rotated, err := b.Rotate(ctx, c, prev)
			if err != nil {
				t.Fatalf("rotate: %v", err)
			}
			if rotated.ClientSecret == "" || rotated.ClientSecret == oldSecret {
				t.Fatalf("rotate returned no new secret")
			}
			wantTokenError(t, h.Client, tokenURL, reg.ClientID, oldSecret, "invalid_client")
			wantTokenError(t, h.Client, tokenURL, reg.ClientID, rotated.ClientSecret, "invalid_grant")
			got, _, err = b.Get(ctx, c, prev)
			if err != nil || !slices.Equal(got.RedirectURIs, c.RedirectURIs) || got.AuthMethod != "client_secret_post" {
				t.Errorf("rotate changed the client: %+v, %v", got, err)
			}

			if err := b.Delete(ctx, c, prev); err != nil {
				t.Fatalf("delete: %v", err)
			}
			if _, ok, err := b.Get(ctx, c, prev); ok || err != nil {
				t.Errorf("get after delete: %v, %v; want not found", ok, err)
			}
			wantTokenError(t, h.Client, tokenURL, reg.ClientID, rotated.ClientSecret, "invalid_client")
			if err := b.Delete(ctx, c, prev); err != nil {
				t.Errorf("deleting a deleted client: %v, want nothing to do", err)
			}
			if _, err := b.Rotate(ctx, c, prev); err == nil {
				t.Errorf("rotating a deleted client succeeded")
			} else {
				t.Logf("rotating a deleted client: %v", err)
			}
		})
	}
}
