// Package app registers the OAuth clients of a setup where they live: the
// hub's login client at its provider, and each service at the hub. Each
// kind of registry is a Backend; the flows (create or update, list, rotate,
// delete) and where their results are stored are the same for all.
package app

import (
	"context"
	"errors"
	"io"
	"net/http"
)

// LoginClient is the name of the hub's own login client in commands and in
// the state, beside the service names.
const LoginClient = "login"

// Client is what the spec wants registered.
type Client struct {
	// Name is LoginClient or a service name.
	Name string
	// DisplayName is the client_name shown on consent pages.
	DisplayName string
	// ClientID is the id already known (spec or state); empty before the
	// first registration.
	ClientID     string
	RedirectURIs []string
	Scopes       []string
	// AuthMethod is the token endpoint auth method the client will use:
	// client_secret_post (GenericOAuthenticator's default) or
	// client_secret_basic.
	AuthMethod string
	GrantTypes []string
	// PKCE asks the registry to record that the client uses S256, where it
	// has a setting for that.
	PKCE bool
}

// Registration is a client as a registry holds it.
type Registration struct {
	ClientID string `json:"client_id"`
	// ClientSecret is set only by Create and Rotate, and only when the
	// registry issued it (a service token hubctl generated is one too).
	ClientSecret string   `json:"-"`
	RedirectURIs []string `json:"redirect_uris,omitempty"`
	Scopes       []string `json:"scopes,omitempty"`
	AuthMethod   string   `json:"token_endpoint_auth_method,omitempty"`
	GrantTypes   []string `json:"grant_types,omitempty"`
	// RegistrationURI and RegistrationToken are RFC 7592's client
	// configuration endpoint and registration access token; the token is
	// a secret and goes to the state only.
	RegistrationURI   string `json:"registration_client_uri,omitempty"`
	RegistrationToken string `json:"-"`
	// Pending is a registration hubctl made itself (a service without a
	// reachable hub): it takes effect when the rendered configuration is
	// deployed.
	Pending bool `json:"pending,omitempty"`
}

// Stored is what the state remembers of a registration, for the backends
// that need it to find, update or delete the client again.
type Stored struct {
	Backend           string
	ClientID          string
	RegistrationURI   string
	RegistrationToken string
}

// Backend is one kind of registry: RFC 7591/7592 dynamic registration,
// Hydra's admin API, Dex's gRPC API, NBGallery's applications, the hub's
// services API.
type Backend interface {
	// Name identifies the backend in the state and in messages
	// ("rfc7591", "hydra-admin", "dex", "nbgallery", "hub").
	Name() string
	// Get reads the client; ok is false when the registry has no such
	// client. prev is what the state remembers (zero when nothing).
	Get(ctx context.Context, c Client, prev Stored) (r Registration, ok bool, err error)
	// Create registers c and returns what the registry made, secret
	// included.
	Create(ctx context.Context, c Client) (Registration, error)
	// Update brings an existing registration in line with c.
	Update(ctx context.Context, c Client, prev Stored) (Registration, error)
	// Rotate issues a new secret; the old one stops working where the
	// registry allows it.
	Rotate(ctx context.Context, c Client, prev Stored) (Registration, error)
	// Delete removes the registration.
	Delete(ctx context.Context, c Client, prev Stored) error
}

// ErrNotSupported is returned by a backend for an operation its registry
// has no way to do (a rotate without a regenerate call, say); the message
// says what to do by hand.
var ErrNotSupported = errors.New("not supported by this registry")

// ErrDryRun ends an operation at its first request that would change
// something, after the request was printed.
var ErrDryRun = errors.New("dry run: the request was not sent")

// DryRunTransport lets reads (GET, HEAD) through to Next and prints every
// other request to Out, with Mask applied to its headers and body, instead
// of sending it.
type DryRunTransport struct {
	Next http.RoundTripper
	Out  io.Writer
	Mask func(string) string
}
