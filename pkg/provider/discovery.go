package provider

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/hubctl/hubctl/pkg/spec"
)

// Endpoints are the three URLs GenericOAuthenticator needs; OAuthenticator
// 17 has no discovery of its own, so hubctl always writes them out.
type Endpoints struct {
	Authorize string
	Token     string
	Userdata  string
}

// Metadata is the part of an OpenID Connect discovery document hubctl uses.
type Metadata struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	UserinfoEndpoint                  string   `json:"userinfo_endpoint"`
	RegistrationEndpoint              string   `json:"registration_endpoint,omitempty"`
	ScopesSupported                   []string `json:"scopes_supported,omitempty"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported,omitempty"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported,omitempty"`
}

// NeedsDiscovery reports whether resolving l's endpoints needs the network.
func NeedsDiscovery(l *spec.Login) bool {
	prof, _ := Lookup(l.Provider)
	return prof.Discovery && (l.AuthorizeURL == "" || l.TokenURL == "" || l.UserdataURL == "")
}

// Resolve returns the login's endpoints: those the spec gives, the rest from
// the provider's fixed paths or its discovery document.
func Resolve(ctx context.Context, l *spec.Login, client *http.Client) (Endpoints, error) {
	ep := Endpoints{Authorize: l.AuthorizeURL, Token: l.TokenURL, Userdata: l.UserdataURL}
	prof, ok := Lookup(l.Provider)
	if !ok {
		return ep, fmt.Errorf("unknown provider %q", l.Provider)
	}
	base := strings.TrimSuffix(l.URL, "/")
	switch {
	case prof.AuthorizePath != "":
		fill(&ep.Authorize, base+prof.AuthorizePath)
		fill(&ep.Token, base+prof.TokenPath)
		fill(&ep.Userdata, base+prof.UserdataPath)
	case NeedsDiscovery(l):
		md, err := Discover(ctx, client, l.URL)
		if err != nil {
			return ep, err
		}
		fill(&ep.Authorize, md.AuthorizationEndpoint)
		fill(&ep.Token, md.TokenEndpoint)
		fill(&ep.Userdata, md.UserinfoEndpoint)
		if ep.Userdata == "" {
			return ep, fmt.Errorf("the discovery document of %s has no userinfo_endpoint; set login.userdataUrl", l.URL)
		}
	}
	return ep, nil
}

func fill(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

// Discover fetches issuer/.well-known/openid-configuration and checks that
// it names the same issuer (OpenID Connect Discovery 1.0 §4.3).
func Discover(ctx context.Context, client *http.Client, issuer string) (*Metadata, error) {
	url := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("OIDC discovery: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("OIDC discovery: reading %s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("OIDC discovery: GET %s answered %s", url, resp.Status)
	}
	var md Metadata
	if err := json.Unmarshal(body, &md); err != nil {
		return nil, fmt.Errorf("OIDC discovery: %s is not a discovery document: %w", url, err)
	}
	if strings.TrimSuffix(md.Issuer, "/") != strings.TrimSuffix(issuer, "/") {
		return nil, fmt.Errorf("OIDC discovery: %s names issuer %q, not %q; set login.url to the issuer exactly", url, md.Issuer, issuer)
	}
	if md.AuthorizationEndpoint == "" || md.TokenEndpoint == "" {
		return nil, fmt.Errorf("OIDC discovery: %s lacks authorization_endpoint or token_endpoint", url)
	}
	return &md, nil
}

// HTTPClient builds the client hubctl uses to talk to a provider, trusting
// caFile in addition to the system roots, as the hub will be told to.
func HTTPClient(caFile string, verifyTLS bool) (*http.Client, error) {
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
	if !verifyTLS {
		tlsConfig.InsecureSkipVerify = true //nolint:gosec // the user turned verification off, and validate warned about it
	}
	if caFile != "" && verifyTLS {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("reading login.caFile: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, errors.New("login.caFile holds no PEM certificate")
		}
		tlsConfig.RootCAs = pool
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = tlsConfig
	return &http.Client{Transport: transport, Timeout: 15 * time.Second}, nil
}
