package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"strings"
)

// ErrClientExists is a create the registry refused because it has such a
// client already (HTTP 409).
var ErrClientExists = errors.New("the registry has this client already")

// RFC7591Options say where and how to register dynamically.
type RFC7591Options struct {
	HTTPClient *http.Client
	// RegistrationURL is the registration endpoint: discovery's
	// registration_endpoint or --registration-url.
	RegistrationURL string
	// InitialToken is an initial access token, sent as a bearer token on
	// create; empty for open registration.
	InitialToken string
}

// NewRFC7591 registers clients with RFC 7591 dynamic registration and
// manages them with RFC 7592, through the registration access token the
// registry returned, which the flow keeps in the state.
//
// RFC 7592 answers 401 both for a client that is gone and for a token that
// is not valid any more (§2.1: it must not tell which), so Get reports
// either as not found; Update, Rotate and Delete report a 401 as an error
// that says both causes.
//
// RFC 7592 has no rotate: Rotate sends an update with a new client_secret
// of hubctl's making, which Hydra v2.3 (403) and oidc-provider 9 (400)
// refuse; Rotate then returns an error wrapping ErrNotSupported.
func NewRFC7591(o RFC7591Options) Backend {
	return &rfc7591{client: httpClientOr(o.HTTPClient), registrationURL: o.RegistrationURL, initialToken: o.InitialToken}
}

type rfc7591 struct {
	client          *http.Client
	registrationURL string
	initialToken    string
}

func (b *rfc7591) Name() string { return "rfc7591" }

func (b *rfc7591) Create(ctx context.Context, c Client) (Registration, error) {
	var out clientMetadata
	resp, err := sendJSON(ctx, b.client, http.MethodPost, b.registrationURL, b.initialToken, metadataFor(c), &out)
	if err != nil {
		var re *RegistryError
		if errors.As(err, &re) && re.Status == http.StatusUnauthorized {
			if b.initialToken == "" {
				return Registration{}, fmt.Errorf("%w: the registry asks for an initial access token: issue one in the provider's console and pass it with --initial-token env:NAME or file:PATH", err)
			}
			return Registration{}, fmt.Errorf("%w: the registry refused the initial access token (expired, used up, or for another realm): issue a new one and pass it with --initial-token", err)
		}
		return Registration{}, err
	}
	reg := out.registration()
	if reg.ClientID == "" {
		return Registration{}, fmt.Errorf("POST %s: HTTP %d without a client_id in the reply", b.registrationURL, resp.StatusCode)
	}
	return reg, nil
}

func (b *rfc7591) Get(ctx context.Context, c Client, prev Stored) (Registration, bool, error) {
	if err := b.manageable(c, prev); err != nil {
		return Registration{}, false, err
	}
	var out clientMetadata
	_, err := sendJSON(ctx, b.client, http.MethodGet, prev.RegistrationURI, prev.RegistrationToken, nil, &out)
	var re *RegistryError
	if errors.As(err, &re) && (re.Status == http.StatusUnauthorized || re.Status == http.StatusNotFound) {
		return Registration{}, false, nil
	}
	if err != nil {
		return Registration{}, false, err
	}
	reg := out.registration()
	// RFC 7592 lets the reply carry the secret (oidc-provider's does);
	// only Create and Rotate hand one out.
	reg.ClientSecret = ""
	reg.RegistrationURI = firstNonEmpty(reg.RegistrationURI, prev.RegistrationURI)
	return reg, true, nil
}

func (b *rfc7591) Update(ctx context.Context, c Client, prev Stored) (Registration, error) {
	reg, err := b.put(ctx, c, prev, "")
	reg.ClientSecret = "" // the old one, where the reply echoes it
	return reg, err
}

func (b *rfc7591) Rotate(ctx context.Context, c Client, prev Stored) (Registration, error) {
	secret, err := newClientSecret()
	if err != nil {
		return Registration{}, err
	}
	reg, err := b.put(ctx, c, prev, secret)
	var re *RegistryError
	if errors.As(err, &re) && (re.Status == http.StatusBadRequest || re.Status == http.StatusForbidden) &&
		strings.Contains(strings.ToLower(re.Code+" "+re.Description), "secret") {
		return Registration{}, fmt.Errorf("%w: %w; RFC 7592 has no rotate and this registry does not take a new client_secret in an update: "+
			"rotate it in the provider's console (or with --backend hydra-admin for Hydra), or run hubctl app delete %s and hubctl app create %s (the client id changes)",
			ErrNotSupported, err, c.Name, c.Name)
	}
	if err != nil {
		return Registration{}, err
	}
	if reg.ClientSecret != secret {
		// The update went through, maybe with a new registration access
		// token, which the caller must still store; only the secret stayed.
		reg.ClientSecret = ""
		return reg, fmt.Errorf("%w: PUT %s ignored the new client_secret and the old one still works: rotate it in the provider's console, "+
			"or run hubctl app delete %s and hubctl app create %s (the client id changes)", ErrNotSupported, prev.RegistrationURI, c.Name, c.Name)
	}
	return reg, nil
}

// put replaces the registration with c's metadata (RFC 7592 §2.2 wants the
// full metadata and the client_id), and with secret when it is not empty.
func (b *rfc7591) put(ctx context.Context, c Client, prev Stored, secret string) (Registration, error) {
	if err := b.manageable(c, prev); err != nil {
		return Registration{}, err
	}
	m := metadataFor(c)
	m.ClientID = prev.ClientID
	m.ClientSecret = secret
	var out clientMetadata
	if _, err := sendJSON(ctx, b.client, http.MethodPut, prev.RegistrationURI, prev.RegistrationToken, m, &out); err != nil {
		return Registration{}, b.explain401(err, c)
	}
	reg := out.registration()
	reg.ClientID = firstNonEmpty(reg.ClientID, prev.ClientID)
	reg.RegistrationURI = firstNonEmpty(reg.RegistrationURI, prev.RegistrationURI)
	return reg, nil
}

func (b *rfc7591) Delete(ctx context.Context, c Client, prev Stored) error {
	if err := b.manageable(c, prev); err != nil {
		return err
	}
	_, err := sendJSON(ctx, b.client, http.MethodDelete, prev.RegistrationURI, prev.RegistrationToken, nil, nil)
	var re *RegistryError
	if errors.As(err, &re) && re.Status == http.StatusNotFound {
		return nil // gone already, which is what was asked
	}
	return b.explain401(err, c)
}

// manageable says why prev cannot be managed with RFC 7592, if it cannot.
func (b *rfc7591) manageable(c Client, prev Stored) error {
	if prev.RegistrationURI != "" && prev.RegistrationToken != "" {
		return nil
	}
	id := firstNonEmpty(prev.ClientID, c.ClientID)
	return fmt.Errorf("hubctl's state has no registration access token for %s (client %s), so RFC 7592 cannot read or change it "+
		"(it was registered by hand, the registry returned no registration_client_uri, or the state was lost): "+
		"manage it in the provider's console or its admin API (--backend hydra-admin for Hydra), or remove the client id from the spec to register a new client",
		c.Name, id)
}

func (b *rfc7591) explain401(err error, c Client) error {
	var re *RegistryError
	if errors.As(err, &re) && re.Status == http.StatusUnauthorized {
		return fmt.Errorf("%w: the client was deleted at the provider or its registration access token is not valid any more; "+
			"hubctl app create %s registers a new client", err, c.Name)
	}
	return err
}

// clientMetadata is RFC 7591 §2 client metadata plus the §3.2.1 and RFC
// 7592 §3 reply fields. Hydra's admin API speaks the same names.
type clientMetadata struct {
	ClientID                string   `json:"client_id,omitempty"`
	ClientSecret            string   `json:"client_secret,omitempty"`
	ClientName              string   `json:"client_name,omitempty"`
	RedirectURIs            []string `json:"redirect_uris"`
	GrantTypes              []string `json:"grant_types,omitempty"`
	ResponseTypes           []string `json:"response_types,omitempty"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method,omitempty"`
	Scope                   string   `json:"scope,omitempty"`
	RegistrationClientURI   string   `json:"registration_client_uri,omitempty"`
	RegistrationAccessToken string   `json:"registration_access_token,omitempty"`
}

// metadataFor is what is sent for c. c.PKCE is not sent: RFC 7591 has no
// field for it, and Hydra and oidc-provider set PKCE for all clients at
// once.
func metadataFor(c Client) clientMetadata {
	grants := c.GrantTypes
	if len(grants) == 0 {
		grants = []string{"authorization_code"}
	}
	return clientMetadata{
		ClientName:              c.DisplayName,
		RedirectURIs:            c.RedirectURIs,
		GrantTypes:              grants,
		ResponseTypes:           []string{"code"},
		TokenEndpointAuthMethod: c.AuthMethod,
		Scope:                   strings.Join(c.Scopes, " "),
	}
}

func (m clientMetadata) registration() Registration {
	r := Registration{
		ClientID:          m.ClientID,
		ClientSecret:      m.ClientSecret,
		RedirectURIs:      m.RedirectURIs,
		AuthMethod:        m.TokenEndpointAuthMethod,
		GrantTypes:        m.GrantTypes,
		RegistrationURI:   m.RegistrationClientURI,
		RegistrationToken: m.RegistrationAccessToken,
	}
	if m.Scope != "" {
		r.Scopes = strings.Fields(m.Scope)
	}
	return r
}

// RegistryError is a registry's non-2xx answer: its URL, status and the
// error and error_description it gave.
type RegistryError struct {
	Method, URL string
	Status      int
	Code        string
	Description string
}

func (e *RegistryError) Error() string {
	msg := fmt.Sprintf("%s %s: HTTP %d", e.Method, e.URL, e.Status)
	if e.Code != "" {
		msg += " " + e.Code
	}
	if e.Description != "" {
		msg += ": " + strings.TrimSuffix(e.Description, ".")
	}
	if e.Status == http.StatusConflict {
		msg += " (" + ErrClientExists.Error() + ")"
	}
	return msg
}

// Is makes a 409 match ErrClientExists.
func (e *RegistryError) Is(target error) bool {
	return target == ErrClientExists && e.Status == http.StatusConflict
}

// maxReply bounds what is read of a registry's reply.
const maxReply = 1 << 20

// sendJSON sends in as JSON (none when nil) with bearer as the bearer token
// (none when empty), and decodes a 2xx reply into out (skipped when nil).
// A non-2xx reply is a *RegistryError.
func sendJSON(ctx context.Context, client *http.Client, method, url, bearer string, in, out any) (*http.Response, error) {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, url, err)
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, ErrDryRun) {
			return nil, ErrDryRun
		}
		var ue *neturl.Error
		if errors.As(err, &ue) {
			err = ue.Err // its message repeats the method and URL
		}
		return nil, fmt.Errorf("%s %s: %w", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	if err != nil {
		return resp, fmt.Errorf("%s %s: reading the reply: %w", method, url, err)
	}
	if resp.StatusCode/100 != 2 {
		return resp, registryError(method, url, resp.StatusCode, data)
	}
	if out != nil && len(bytes.TrimSpace(data)) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return resp, fmt.Errorf("%s %s: HTTP %d with a reply that is not client metadata: %v", method, url, resp.StatusCode, err)
		}
	}
	return resp, nil
}

// registryError reads the OAuth error (RFC 7591 §3.2.2) or Ory's
// {"error": {"message", "reason"}} from a reply; other bodies are quoted,
// cut short, on one line and with any secret field masked.
func registryError(method, url string, status int, body []byte) *RegistryError {
	e := &RegistryError{Method: method, URL: url, Status: status}
	var oauth struct {
		Error       json.RawMessage `json:"error"`
		Description string          `json:"error_description"`
	}
	if json.Unmarshal(body, &oauth) == nil && len(oauth.Error) > 0 {
		var code string
		var ory struct{ Message, Reason string }
		switch {
		case json.Unmarshal(oauth.Error, &code) == nil:
			e.Code, e.Description = code, oauth.Description
		case json.Unmarshal(oauth.Error, &ory) == nil:
			e.Code, e.Description = ory.Message, ory.Reason
		}
	} else if text := strings.Join(strings.Fields(string(body)), " "); text != "" {
		if len(text) > 200 {
			text = text[:200] + "…"
		}
		e.Description = maskSecretFields(text)
	}
	return e
}

// newClientSecret is 32 bytes from crypto/rand, base64url: characters that
// need no escaping in a form or in HTTP basic auth.
func newClientSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("making a client secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func httpClientOr(c *http.Client) *http.Client {
	if c != nil {
		return c
	}
	return http.DefaultClient
}
