//go:build e2e

// End-to-end tests of the Dex backend against the test bed's Dex, built by
// scripts/e2e-deps, through its gRPC API over mutual TLS.

package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hubctl/hubctl/pkg/app"
	"github.com/hubctl/hubctl/pkg/testbed"
)

func TestDexAgainstDex(t *testing.T) {
	d := testbed.StartDex(t, testbed.DexOptions{MTLS: true, StaticClients: []testbed.DexStaticClient{{
		ID: "static-hub", Secret: "static-hub-secret-0123456789", RedirectURIs: []string{"http://127.0.0.1:8000/hub/oauth_callback"},
	}}})
	tokenURL := d.Issuer + "/token"
	b, err := app.NewDex(app.DexOptions{Address: d.GRPCAddr, CAFile: d.CAFile, CertFile: d.ClientCert, KeyFile: d.ClientKey})
	if err != nil {
		t.Fatal(err)
	}
	// The hub's callback: the login below ends there, with the code.
	callback := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer callback.Close()
	tests := []struct {
		name, id, wantID string
	}{
		{name: "id from the display name", wantID: "jupyterhub-e2e"},
		{name: "the spec's id", id: "hubctl-e2e-login", wantID: "hubctl-e2e-login"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			c := app.Client{
				Name:         app.LoginClient,
				DisplayName:  "JupyterHub e2e",
				ClientID:     tt.id,
				RedirectURIs: []string{"http://127.0.0.1:8000/hub/oauth_callback", callback.URL + "/hub/oauth_callback"},
				Scopes:       []string{"openid", "profile", "email"},
				AuthMethod:   "client_secret_post",
				GrantTypes:   []string{"authorization_code"},
				PKCE:         true,
			}
			if _, ok, err := b.Get(ctx, c, app.Stored{ClientID: "no-such-client"}); ok || err != nil {
				t.Fatalf("get of an unknown client: %v, %v; want not found", ok, err)
			}
			reg, err := b.Create(ctx, c)
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			if reg.ClientID != tt.wantID || reg.ClientSecret == "" {
				t.Fatalf("create returned client %q (secret set: %v), want %q and a secret", reg.ClientID, reg.ClientSecret != "", tt.wantID)
			}
			oldSecret := reg.ClientSecret
			wantTokenError(t, http.DefaultClient, tokenURL, reg.ClientID, oldSecret, "invalid_grant")
			wantTokenError(t, http.DefaultClient, tokenURL, reg.ClientID, "not-the-secret", "invalid_client")
			dexLogIn(t, ctx, d, reg.ClientID, oldSecret, callback.URL+"/hub/oauth_callback")

			_, err = b.Create(ctx, c)
			var exists *app.ExistsError
			if !errors.Is(err, app.ErrClientExists) || !errors.As(err, &exists) || exists.ClientID != tt.wantID {
				t.Errorf("a second create: got %v, want an ExistsError for %s", err, tt.wantID)
			} else {
				t.Logf("a second create: %v", err)
			}
			c.ClientID = reg.ClientID
			prev := app.Stored{Backend: b.Name(), ClientID: reg.ClientID}
			got, ok, err := b.Get(ctx, c, prev)
			if err != nil || !ok || !slices.Equal(got.RedirectURIs, c.RedirectURIs) || len(app.Differences(c, got)) != 0 {
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
			wantTokenError(t, http.DefaultClient, tokenURL, reg.ClientID, oldSecret, "invalid_grant")

			rotated, err := b.Rotate(ctx, c, prev)
			if err != nil {
				t.Fatalf("rotate: %v", err)
			}
			if rotated.ClientSecret == "" || rotated.ClientSecret == oldSecret || rotated.ClientID != reg.ClientID {
				t.Fatalf("rotate returned client %q and no new secret", rotated.ClientID)
			}
			wantTokenError(t, http.DefaultClient, tokenURL, reg.ClientID, oldSecret, "invalid_client")
			wantTokenError(t, http.DefaultClient, tokenURL, reg.ClientID, rotated.ClientSecret, "invalid_grant")
			got, _, err = b.Get(ctx, c, prev)
			if err != nil || !slices.Equal(got.RedirectURIs, c.RedirectURIs) {
				t.Errorf("rotate changed the client: %+v, %v", got, err)
			}

			if err := b.Delete(ctx, c, prev); err != nil {
				t.Fatalf("delete: %v", err)
			}
			if _, ok, err := b.Get(ctx, c, prev); ok || err != nil {
				t.Errorf("get after delete: %v, %v; want not found", ok, err)
			}
			wantTokenError(t, http.DefaultClient, tokenURL, reg.ClientID, rotated.ClientSecret, "invalid_client")
			if err := b.Delete(ctx, c, prev); err != nil {
				t.Errorf("deleting a deleted client: %v, want nothing to do", err)
			}
			if _, err := b.Rotate(ctx, c, prev); err == nil || !strings.Contains(err.Error(), "hubctl app create login") {
				t.Errorf("rotating a deleted client: %v, want a hint to create it", err)
			}
		})
	}

	t.Run("static client", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c := app.Client{Name: app.LoginClient, DisplayName: "JupyterHub static", ClientID: "static-hub",
			RedirectURIs: []string{"http://127.0.0.1:8000/hub/oauth_callback"}}
		prev := app.Stored{ClientID: "static-hub"}
		if got, ok, err := b.Get(ctx, c, prev); !ok || err != nil || len(app.Differences(c, got)) != 0 {
			t.Errorf("get of the static client: %+v, %v, %v", got, ok, err)
		}
		for op, f := range map[string]func() error{
			"create": func() error { _, err := b.Create(ctx, c); return err },
			"update": func() error { _, err := b.Update(ctx, c, prev); return err },
			"rotate": func() error { _, err := b.Rotate(ctx, c, prev); return err },
			"delete": func() error { return b.Delete(ctx, c, prev) },
		} {
			err := f()
			if err == nil || !strings.Contains(err.Error(), "staticClients") {
				t.Errorf("%s of a static client: %v, want a hint about Dex's staticClients", op, err)
			} else {
				t.Logf("%s: %v", op, err)
			}
		}
		wantTokenError(t, http.DefaultClient, tokenURL, "static-hub", "static-hub-secret-0123456789", "invalid_grant")
	})

	t.Run("dry run", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		var out strings.Builder
		dry, err := app.NewDex(app.DexOptions{Address: d.GRPCAddr, CAFile: d.CAFile, CertFile: d.ClientCert, KeyFile: d.ClientKey, DryRun: &out})
		if err != nil {
			t.Fatal(err)
		}
		c := app.Client{Name: app.LoginClient, DisplayName: "JupyterHub dry", ClientID: "hubctl-e2e-dry"}
		if _, err := dry.Create(ctx, c); !errors.Is(err, app.ErrDryRun) {
			t.Fatalf("create in a dry run: %v, want ErrDryRun", err)
		}
		if _, ok, err := b.Get(ctx, c, app.Stored{}); ok || err != nil {
			t.Errorf("a dry run created the client: %v, %v", ok, err)
		}
		if !strings.Contains(out.String(), "CreateClient") || !strings.Contains(out.String(), "********") {
			t.Errorf("the dry run printed:\n%s", out.String())
		}
	})

	t.Run("without the client certificate", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		noCert, err := app.NewDex(app.DexOptions{Address: d.GRPCAddr, CAFile: d.CAFile})
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = noCert.Get(ctx, app.Client{Name: app.LoginClient}, app.Stored{ClientID: "static-hub"})
		if err == nil || !strings.Contains(err.Error(), "--dex-cert-file") {
			t.Errorf("get without a client certificate: %v, want a hint to give one", err)
		} else {
			t.Logf("without a client certificate: %v", err)
		}
		untrusted, _ := app.NewDex(app.DexOptions{Address: d.GRPCAddr, CertFile: d.ClientCert, KeyFile: d.ClientKey})
		_, _, err = untrusted.Get(ctx, app.Client{Name: app.LoginClient}, app.Stored{ClientID: "static-hub"})
		if err == nil || !strings.Contains(err.Error(), "--dex-ca-file") {
			t.Errorf("get without Dex's CA: %v, want a hint to give it", err)
		}
	})
}

// dexLogIn logs alice in through Dex with the client and exchanges the
// code the callback gets for tokens: the created client works for a real
// login, not only at the token endpoint.
func dexLogIn(t *testing.T, ctx context.Context, d *testbed.Dex, id, secret, redirectURI string) {
	t.Helper()
	q := url.Values{"response_type": {"code"}, "client_id": {id}, "redirect_uri": {redirectURI},
		"scope": {"openid profile email"}, "state": {"e2e-state-0123456789"}}
	cb, _ := url.Parse(redirectURI)
	res, err := d.LogIn(ctx, testbed.Flow{Client: testbed.NewBrowser(), StartURL: d.Issuer + "/auth?" + q.Encode(),
		Username: testbed.DexUser, ReturnHost: cb.Host})
	if err != nil {
		t.Fatalf("login with the created client: %v", err)
	}
	code := res.Response.Request.URL.Query().Get("code")
	if code == "" {
		t.Fatalf("login with the created client ended at %s without a code", res.Response.Request.URL)
	}
	resp, err := http.PostForm(d.Issuer+"/token", url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {redirectURI}, "client_id": {id}, "client_secret": {secret}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		IDToken string `json:"id_token"`
		Error   string `json:"error"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	if resp.StatusCode != http.StatusOK || tok.IDToken == "" {
		t.Fatalf("code exchange with the created client: HTTP %d %s", resp.StatusCode, tok.Error)
	}
}
