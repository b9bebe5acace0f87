package provider

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/hubctl/hubctl/pkg/cabundle"
	"github.com/hubctl/hubctl/pkg/netdiag"
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
func NeedsDiscovery(l *spec.Login) bool { return len(DiscoveredKeys(l)) > 0 }

// DiscoveredKeys lists the spec keys whose values come from discovery: the
// endpoints an OIDC login leaves unset. Setting them all skips discovery.
func DiscoveredKeys(l *spec.Login) []string {
	if prof, _ := Lookup(l.Provider); !prof.Discovery {
		return nil
	}
	var keys []string
	for _, k := range []struct{ key, value string }{
		{"login.authorizeUrl", l.AuthorizeURL}, {"login.tokenUrl", l.TokenURL}, {"login.userdataUrl", l.UserdataURL},
	} {
		if k.value == "" {
			keys = append(keys, k.key)
		}
	}
	return keys
}

// InWords joins keys as a sentence does: "a", "a and b", "a, b and c".
func InWords(keys []string) string {
	if len(keys) <= 1 {
		return strings.Join(keys, "")
	}
	return strings.Join(keys[:len(keys)-1], ", ") + " and " + keys[len(keys)-1]
}

// Static returns the endpoints known without the network: those the spec
// gives and the provider's fixed paths. An OIDC login's others stay empty.
func Static(l *spec.Login) Endpoints {
	ep := Endpoints{Authorize: l.AuthorizeURL, Token: l.TokenURL, Userdata: l.UserdataURL}
	if prof, _ := Lookup(l.Provider); prof.AuthorizePath != "" {
		base := strings.TrimSuffix(l.URL, "/")
		fill(&ep.Authorize, base+prof.AuthorizePath)
		fill(&ep.Token, base+prof.TokenPath)
		fill(&ep.Userdata, base+prof.UserdataPath)
	}
	return ep
}

// Resolve returns the login's endpoints: those the spec gives, the rest from
// the provider's fixed paths or its discovery document. A failed discovery
// is a *DiscoveryError that says how to go on.
func Resolve(ctx context.Context, l *spec.Login, client *http.Client) (Endpoints, error) {
	ep := Static(l)
	if _, ok := Lookup(l.Provider); !ok {
		return ep, fmt.Errorf("unknown provider %q", l.Provider)
	}
	missing := DiscoveredKeys(l)
	if len(missing) == 0 {
		return ep, nil
	}
	md, err := Discover(ctx, client, l.URL)
	if err == nil {
		fill(&ep.Authorize, md.AuthorizationEndpoint)
		fill(&ep.Token, md.TokenEndpoint)
		fill(&ep.Userdata, md.UserinfoEndpoint)
		err = lacking(md, ep)
	}
	if err != nil {
		var de *DiscoveryError
		if !errors.As(err, &de) {
			de = &DiscoveryError{Issuer: l.URL, Err: err}
		}
		de.Hint = hint(l, de, missing)
		return ep, de
	}
	return ep, nil
}

// lacking names the endpoints neither the spec nor the document gives.
func lacking(md *Metadata, ep Endpoints) error {
	var absent, keys []string
	for _, e := range []struct{ field, key, value string }{
		{"authorization_endpoint", "login.authorizeUrl", ep.Authorize},
		{"token_endpoint", "login.tokenUrl", ep.Token},
		{"userinfo_endpoint", "login.userdataUrl", ep.Userdata},
	} {
		if e.value == "" {
			absent, keys = append(absent, e.field), append(keys, e.key)
		}
	}
	if len(absent) == 0 {
		return nil
	}
	return &DiscoveryError{Issuer: md.Issuer, Err: fmt.Errorf("the discovery document of %s has no %s", md.Issuer, InWords(absent)),
		Hint: "set " + InWords(keys)}
}

// hint says how to go on after a failed discovery: the fix for a refused
// certificate, then the keys that make discovery unnecessary.
func hint(l *spec.Login, de *DiscoveryError, missing []string) string {
	if de.Hint != "" {
		return de.Hint
	}
	var hints []string
	var ne *netdiag.Error
	if errors.As(de.Err, &ne) {
		switch {
		case ne.Cause == netdiag.UnknownAuthority || ne.Cause == netdiag.SelfSigned:
			if l.CAFile != "" {
				hints = append(hints, "login.caFile "+l.CAFile+" does not hold the certificate of the authority that signed it")
			} else {
				hints = append(hints, "if the provider uses a private CA, set login.caFile to that CA's certificate (PEM)")
			}
		case ne.Cause == netdiag.WrongHost:
			hints = append(hints, "set login.url to a name the certificate is valid for")
		}
	}
	if de.NotIssuer {
		hints = append(hints, "set login.url to the issuer exactly (Keycloak: https://HOST/realms/REALM)")
	}
	return strings.Join(append(hints, "give "+InWords(missing)+" in the spec to skip discovery"), "; ")
}

func fill(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

// DiscoveryError is an OIDC discovery that failed: Err says what was
// fetched and why it failed (a *netdiag.Error for the network), Hint how to
// go on.
type DiscoveryError struct {
	Issuer string
	Err    error
	// NotIssuer is set when the URL answered but is not an issuer (a 404, a
	// web page): login.url is likely wrong.
	NotIssuer bool
	Hint      string
}

func (e *DiscoveryError) Error() string {
	msg := "OIDC discovery: " + e.Err.Error()
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return msg
}

func (e *DiscoveryError) Unwrap() error { return e.Err }

// Discover fetches issuer/.well-known/openid-configuration and checks that
// it is a discovery document naming the same issuer (OpenID Connect
// Discovery 1.0 §4.3).
func Discover(ctx context.Context, client *http.Client, issuer string) (*Metadata, error) {
	docURL := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	fail := func(notIssuer bool, format string, args ...any) error {
		return &DiscoveryError{Issuer: issuer, NotIssuer: notIssuer, Err: fmt.Errorf(format, args...)}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, docURL, nil)
	if err != nil {
		return nil, fail(false, "login.url %q is not a URL: %w", issuer, err)
	}
	req.Header.Set("Accept", "application/json")
	if client == nil {
		if client, err = HTTPClient("", true); err != nil {
			return nil, err
		}
	}
	resp, err := netdiag.Do(client, req)
	if err != nil {
		return nil, &DiscoveryError{Issuer: issuer, Err: err}
	}
	defer resp.Body.Close()
	body, err := netdiag.ReadBody(client, resp, 1<<20)
	if err != nil {
		return nil, &DiscoveryError{Issuer: issuer, Err: err}
	}
	what := netdiag.DescribeBody(resp.Header.Get("Content-Type"), body)
	if resp.StatusCode != http.StatusOK {
		return nil, fail(resp.StatusCode == http.StatusNotFound || what != "JSON", "GET %s %s with %s", docURL, netdiag.Answered(docURL, resp), what)
	}
	if what != "JSON" {
		return nil, fail(true, "GET %s %s with %s, not a discovery document", docURL, netdiag.Answered(docURL, resp), what)
	}
	var md Metadata
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return nil, fail(true, "GET %s %s with JSON that is not an object, not a discovery document", docURL, netdiag.Answered(docURL, resp))
	}
	if fields["issuer"] == nil && fields["authorization_endpoint"] == nil && fields["token_endpoint"] == nil {
		return nil, fail(true, "GET %s %s with JSON that is not a discovery document: no issuer, authorization_endpoint or token_endpoint (its keys: %s)",
			docURL, netdiag.Answered(docURL, resp), someKeys(fields))
	}
	if err := json.Unmarshal(body, &md); err != nil {
		return nil, fail(false, "GET %s: the discovery document does not decode: %w", docURL, err)
	}
	if strings.TrimSuffix(md.Issuer, "/") != strings.TrimSuffix(issuer, "/") {
		return nil, fail(false, "%s names issuer %q, not %q; set login.url to the issuer exactly", docURL, md.Issuer, issuer)
	}
	return &md, nil
}

// someKeys lists a few of an object's keys, sorted, to show what answered.
func someKeys(fields map[string]json.RawMessage) string {
	if len(fields) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	const shown = 6
	if len(keys) > shown {
		return strings.Join(keys[:shown], ", ") + fmt.Sprintf(" and %d more", len(keys)-shown)
	}
	return strings.Join(keys, ", ")
}

// HTTPClient builds the client hubctl uses to talk to a provider, trusting
// caFile in addition to the system roots, as the hub will be told to.
func HTTPClient(caFile string, verifyTLS bool) (*http.Client, error) {
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
	if !verifyTLS {
		tlsConfig.InsecureSkipVerify = true //nolint:gosec // the user turned verification off, and validate warned about it
	}
	if caFile != "" && verifyTLS {
		// Only the certificates, as the renderings copy them (pkg/cabundle).
		bundle, err := cabundle.Read(caFile)
		if errors.Is(err, cabundle.ErrNoCertificate) {
			return nil, fmt.Errorf("login.caFile %s %w", caFile, err)
		}
		if err != nil {
			return nil, fmt.Errorf("reading login.caFile %s: %w", caFile, err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		pool.AppendCertsFromPEM(bundle.PEM)
		tlsConfig.RootCAs = pool
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = tlsConfig
	return &http.Client{Transport: transport, Timeout: 15 * time.Second}, nil
}
