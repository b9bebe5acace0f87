// This file runs Ory Hydra (built by scripts/e2e-deps into .build/bin/hydra)
// with an in-memory database, creates its clients through the admin API and
// logs in through it by accepting login and consent on the admin API.

package testbed

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// HydraOptions configures StartHydra.
type HydraOptions struct {
	// TLS, if set, serves both the public and the admin port over HTTPS with
	// a certificate from this CA. Otherwise Hydra runs in --dev mode, which
	// allows its http issuer.
	TLS *CA
	// DynamicRegistration enables RFC 7591 registration at
	// <issuer>/oauth2/register and advertises it in the discovery document.
	DynamicRegistration bool
}

// Hydra is a running Ory Hydra.
type Hydra struct {
	Issuer    string // e.g. http://127.0.0.1:PORT/ (with the trailing slash Hydra uses)
	PublicURL string // Issuer without the trailing slash
	AdminURL  string // the admin API, e.g. http://127.0.0.1:PORT
	CAFile    string // the CA that signed the TLS certificate; empty without TLS
	// LoginURL and ConsentURL are where Hydra sends the browser for login and
	// consent. Nothing listens there: LogIn intercepts those redirects.
	LoginURL   string
	ConsentURL string
	// Client trusts Hydra's certificate, for talking to either API.
	Client *http.Client

	*Process
}

// hydraSecret signs Hydra's cookies and tokens; it lives only as long as the
// in-memory database.
const hydraSecret = "hubctl-testbed-system-secret-0123456789"

// DefaultScope is the scope of Hydra clients when ClientSpec.Scope is
// empty, and (plus "groups") of oidc-provider's static clients.
const DefaultScope = "openid offline_access profile email"

// StartHydra starts Hydra with DSN=memory and waits for /health/ready.
func StartHydra(t testing.TB, o HydraOptions) *Hydra {
	t.Helper()
	bin := filepath.Join(BuildDir(t), "bin", "hydra")
	requireInstalled(t, bin, "Ory Hydra")

	// Not t.TempDir(): its name comes from the test's, and hydra splits the
	// --config flag at commas, which subtest names may contain.
	dir, err := os.MkdirTemp("", "testbed-hydra-")
	if err != nil {
		t.Fatalf("testbed: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	publicPort, adminPort, uiPort := FreePort(t), FreePort(t), FreePort(t)
	scheme := "http"
	if o.TLS != nil {
		scheme = "https"
	}
	h := &Hydra{
		Issuer:     fmt.Sprintf("%s://127.0.0.1:%d/", scheme, publicPort),
		PublicURL:  fmt.Sprintf("%s://127.0.0.1:%d", scheme, publicPort),
		AdminURL:   fmt.Sprintf("%s://127.0.0.1:%d", scheme, adminPort),
		LoginURL:   fmt.Sprintf("http://127.0.0.1:%d/login", uiPort),
		ConsentURL: fmt.Sprintf("http://127.0.0.1:%d/consent", uiPort),
		Client:     &http.Client{Timeout: 30 * time.Second},
	}

	serve := map[string]any{
		"public": map[string]any{"host": "127.0.0.1", "port": publicPort},
		"admin":  map[string]any{"host": "127.0.0.1", "port": adminPort},
	}
	if o.TLS != nil {
		certFile, keyFile := o.TLS.IssueServerCert("127.0.0.1", "localhost")
		serve["tls"] = map[string]any{
			"enabled": true,
			"cert":    map[string]any{"path": certFile},
			"key":     map[string]any{"path": keyFile},
		}
		h.CAFile = o.TLS.CAFile
		h.Client = o.TLS.Client()
	}
	scopes := strings.Fields(DefaultScope)
	cfg := map[string]any{
		"dsn":     "memory",
		"serve":   serve,
		"log":     map[string]any{"level": "info", "format": "text"},
		"secrets": map[string]any{"system": []string{hydraSecret}},
		"urls": map[string]any{
			"self":    map[string]any{"issuer": h.Issuer},
			"login":   h.LoginURL,
			"consent": h.ConsentURL,
		},
		"oidc": map[string]any{
			"dynamic_client_registration": map[string]any{
				"enabled":       o.DynamicRegistration,
				"default_scope": scopes,
			},
		},
	}
	// What a Hydra set up for discovery-reading clients advertises: without
	// these keys its discovery document lists only the scopes openid,
	// offline and offline_access and the claim sub.
	discovery := map[string]any{
		"supported_scope":  scopes,
		"supported_claims": slices.Sorted(maps.Keys(DefaultClaims(""))),
	}
	if o.DynamicRegistration {
		// Without this key the discovery document has no registration_endpoint.
		discovery["client_registration_url"] = h.PublicURL + "/oauth2/register"
	}
	cfg["webfinger"] = map[string]any{"oidc_discovery": discovery}
	// JSON is YAML, and Hydra picks the parser by the file extension.
	cfgFile := filepath.Join(dir, "hydra.yaml")
	data, _ := json.MarshalIndent(cfg, "", "  ")
	if err := os.WriteFile(cfgFile, data, 0o600); err != nil {
		t.Fatalf("testbed: %v", err)
	}

	args := []string{bin, "serve", "all", "--sqa-opt-out", "--config", cfgFile}
	if o.TLS == nil {
		args = append(args, "--dev")
	}
	h.Process = startProcess(t, startOptions{name: "hydra", argv: args, dir: dir})
	waitReady(t, h.Process, h.Client, h.AdminURL+"/health/ready", 30*time.Second, statusOK)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.installSigningKey(ctx); err != nil {
		t.Fatalf("testbed: hydra: %v", err)
	}
	return h
}

// ClientSpec is an OAuth client to create in Hydra.
type ClientSpec struct {
	ID           string // Hydra picks a UUID when empty
	Name         string
	Secret       string // Hydra generates one when empty
	RedirectURIs []string
	Scope        string   // DefaultScope when empty
	GrantTypes   []string // authorization_code, refresh_token and client_credentials when empty
	// TokenEndpointAuthMethod is client_secret_basic (Hydra's default) when
	// empty; OAuthenticator's GenericOAuthenticator sends client_secret_post
	// unless basic_auth is set.
	TokenEndpointAuthMethod string
}

// CreateClient creates a client through the admin API and returns its ID and
// secret.
func (h *Hydra) CreateClient(ctx context.Context, c ClientSpec) (id, secret string, err error) {
	body := map[string]any{
		"client_name":    c.Name,
		"redirect_uris":  c.RedirectURIs,
		"scope":          c.Scope,
		"grant_types":    c.GrantTypes,
		"response_types": []string{"code"},
	}
	if c.ID != "" {
		body["client_id"] = c.ID
	}
	if c.Secret != "" {
		body["client_secret"] = c.Secret
	}
	if c.Scope == "" {
		body["scope"] = DefaultScope
	}
	if len(c.GrantTypes) == 0 {
		body["grant_types"] = []string{"authorization_code", "refresh_token", "client_credentials"}
	}
	if c.TokenEndpointAuthMethod != "" {
		body["token_endpoint_auth_method"] = c.TokenEndpointAuthMethod
	}
	var out struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	if err := h.admin(ctx, http.MethodPost, "/admin/clients", nil, body, &out); err != nil {
		return "", "", fmt.Errorf("creating Hydra client: %w", err)
	}
	return out.ClientID, out.ClientSecret, nil
}

// DefaultClaims are the id_token and userinfo claims LogIn grants for a user
// unless Flow.Claims overrides them.
func DefaultClaims(username string) map[string]any {
	return map[string]any{
		"email":              username + "@example.org",
		"email_verified":     true,
		"preferred_username": username,
		"name":               username,
	}
}

// LogIn runs f through Hydra. Hydra sends the browser to LoginURL and
// ConsentURL, where a real deployment has its own UI; LogIn catches those
// redirects and accepts them on the admin API instead: the login with
// subject f.Username, the consent with every requested scope and audience
// and the claims DefaultClaims(f.Username) plus f.Claims in the id_token
// (which Hydra's /userinfo also returns).
func (h *Hydra) LogIn(ctx context.Context, f Flow) (*FlowResult, error) {
	claims := DefaultClaims(f.Username)
	maps.Copy(claims, f.Claims)
	return f.run(ctx, func(ctx context.Context, resp *http.Response, _ []byte) (*http.Request, error) {
		loc, err := resp.Location()
		if err != nil {
			return nil, nil
		}
		var redirectTo string
		switch {
		case strings.HasPrefix(loc.String(), h.LoginURL):
			challenge := loc.Query().Get("login_challenge")
			redirectTo, err = h.acceptLogin(ctx, challenge, f.Username)
		case strings.HasPrefix(loc.String(), h.ConsentURL):
			challenge := loc.Query().Get("consent_challenge")
			redirectTo, err = h.acceptConsent(ctx, challenge, claims)
		default:
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return http.NewRequestWithContext(ctx, http.MethodGet, redirectTo, nil)
	})
}

func (h *Hydra) acceptLogin(ctx context.Context, challenge, subject string) (string, error) {
	var out struct {
		RedirectTo string `json:"redirect_to"`
	}
	q := url.Values{"login_challenge": {challenge}}
	err := h.admin(ctx, http.MethodPut, "/admin/oauth2/auth/requests/login/accept", q,
		map[string]any{"subject": subject}, &out)
	if err != nil {
		return "", fmt.Errorf("accepting Hydra login: %w", err)
	}
	return out.RedirectTo, nil
}

func (h *Hydra) acceptConsent(ctx context.Context, challenge string, claims map[string]any) (string, error) {
	q := url.Values{"consent_challenge": {challenge}}
	var req struct {
		RequestedScope    []string `json:"requested_scope"`
		RequestedAudience []string `json:"requested_access_token_audience"`
	}
	if err := h.admin(ctx, http.MethodGet, "/admin/oauth2/auth/requests/consent", q, nil, &req); err != nil {
		return "", fmt.Errorf("reading Hydra consent request: %w", err)
	}
	var out struct {
		RedirectTo string `json:"redirect_to"`
	}
	err := h.admin(ctx, http.MethodPut, "/admin/oauth2/auth/requests/consent/accept", q, map[string]any{
		"grant_scope":                 req.RequestedScope,
		"grant_access_token_audience": req.RequestedAudience,
		"session":                     map[string]any{"id_token": claims},
	}, &out)
	if err != nil {
		return "", fmt.Errorf("accepting Hydra consent: %w", err)
	}
	return out.RedirectTo, nil
}

// admin calls Hydra's admin API with a JSON body and decodes a 2xx reply
// into out.
func (h *Hydra) admin(ctx context.Context, method, path string, query url.Values, in, out any) error {
	u := h.AdminURL + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := h.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: HTTP %d: %s", method, path, resp.StatusCode, bytes.TrimSpace(data))
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return nil
}
