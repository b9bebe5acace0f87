// This file runs panva's oidc-provider through scripts/testbed/oidc-provider/server.mjs
// and logs in through its development login and consent pages.

package testbed

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// StaticClient is a client oidc-provider knows from its configuration. The
// fields are the RFC 7591 client metadata names.
type StaticClient struct {
	ClientID     string   `json:"client_id"`
	ClientSecret string   `json:"client_secret,omitempty"`
	RedirectURIs []string `json:"redirect_uris,omitempty"`
	// GrantTypes defaults to authorization_code, refresh_token and
	// client_credentials.
	GrantTypes []string `json:"grant_types,omitempty"`
	// Scope defaults to "openid offline_access profile email groups".
	Scope string `json:"scope,omitempty"`
	// TokenEndpointAuthMethod defaults to client_secret_basic, which is
	// oidc-provider's default too. GenericOAuthenticator sends
	// client_secret_post unless basic_auth is set.
	TokenEndpointAuthMethod string `json:"token_endpoint_auth_method,omitempty"`
}

// OIDCProviderOptions configures StartOIDCProvider.
type OIDCProviderOptions struct {
	// InitialAccessToken, if set, is required as a bearer token by dynamic
	// registration at /reg; if empty, anyone may register.
	InitialAccessToken string
	Clients            []StaticClient
	// Accounts maps login names to claims that replace the made-up ones
	// (sub, email, email_verified, preferred_username, name, groups).
	Accounts map[string]map[string]any
}

// OIDCProvider is a running oidc-provider. Its endpoints are at the paths
// of its discovery document: /auth, /token, /me (userinfo), /reg, /jwks,
// /token/introspection and /token/revocation.
type OIDCProvider struct {
	Issuer          string // http://127.0.0.1:PORT, no trailing slash
	RegistrationURL string // Issuer + /reg
	*Process
}

// StartOIDCProvider starts oidc-provider and waits for its discovery
// document.
func StartOIDCProvider(t testing.TB, o OIDCProviderOptions) *OIDCProvider {
	t.Helper()
	root := RepoRoot(t)
	nodeDir := filepath.Join(root, ".build", "node")
	requireInstalled(t, filepath.Join(nodeDir, "node_modules", "oidc-provider", "package.json"), "oidc-provider (npm)")
	script := filepath.Join(root, "scripts", "testbed", "oidc-provider", "server.mjs")

	port := FreePort(t)
	p := &OIDCProvider{Issuer: fmt.Sprintf("http://127.0.0.1:%d", port)}
	p.RegistrationURL = p.Issuer + "/reg"

	clients := make([]StaticClient, len(o.Clients))
	for i, c := range o.Clients {
		if len(c.GrantTypes) == 0 {
			c.GrantTypes = []string{"authorization_code", "refresh_token", "client_credentials"}
		}
		if c.Scope == "" {
			c.Scope = DefaultScope + " groups"
		}
		clients[i] = c
	}
	cfg := map[string]any{
		"issuer":             p.Issuer,
		"port":               port,
		"clients":            clients,
		"initialAccessToken": o.InitialAccessToken,
		"accounts":           o.Accounts,
	}
	cfgFile := filepath.Join(t.TempDir(), "oidc-provider.json")
	data, _ := json.MarshalIndent(cfg, "", "  ")
	if err := os.WriteFile(cfgFile, data, 0o600); err != nil {
		t.Fatalf("testbed: %v", err)
	}
	p.Process = startProcess(t, startOptions{
		name: "oidc-provider",
		argv: []string{"node", script, cfgFile},
		dir:  nodeDir, // server.mjs resolves oidc-provider from here
	})
	waitReady(t, p.Process, http.DefaultClient, p.Issuer+"/.well-known/openid-configuration", 30*time.Second, statusOK)
	return p
}

// LogIn runs f through oidc-provider's development pages: the login form
// (login f.Username, password f.Password or any) and the consent form.
func (p *OIDCProvider) LogIn(ctx context.Context, f Flow) (*FlowResult, error) {
	password := f.Password
	if password == "" {
		password = "any-password" // the development login takes any password
	}
	return f.run(ctx, func(ctx context.Context, resp *http.Response, body []byte) (*http.Request, error) {
		if !isHTML(resp) || !strings.HasPrefix(resp.Request.URL.String(), p.Issuer+"/") {
			return nil, nil
		}
		forms, err := ParseForms(resp.Request.URL.String(), body)
		if err != nil {
			return nil, err
		}
		if form, ok := findForm(forms, "prompt", "login"); ok {
			return form.Request(ctx, url.Values{"login": {f.Username}, "password": {password}})
		}
		if form, ok := findForm(forms, "prompt", "consent"); ok {
			return form.Request(ctx, nil)
		}
		return nil, fmt.Errorf("testbed: oidc-provider page %s has neither the login nor the consent form: %.400s",
			resp.Request.URL, body)
	})
}
