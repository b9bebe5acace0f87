package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	neturl "net/url"
	"strings"
)

// HydraAdminOptions say where Ory Hydra's admin API is.
type HydraAdminOptions struct {
	HTTPClient *http.Client
	// AdminURL is the admin API's base, such as http://hydra-admin:4445.
	AdminURL string
}

// NewHydraAdmin manages clients through Ory Hydra's admin API
// (/admin/clients), for installs where dynamic registration is off. The
// admin API has no authentication of its own; whoever can reach it may
// change any client.
func NewHydraAdmin(o HydraAdminOptions) Backend {
	return &hydraAdmin{client: httpClientOr(o.HTTPClient), clientsURL: strings.TrimSuffix(o.AdminURL, "/") + "/admin/clients"}
}

type hydraAdmin struct {
	client     *http.Client
	clientsURL string
}

func (b *hydraAdmin) Name() string { return "hydra-admin" }

// Create lets Hydra make the secret. A client id the spec has already is
// kept, so that a client deleted at Hydra comes back under its old id.
func (b *hydraAdmin) Create(ctx context.Context, c Client) (Registration, error) {
	m := metadataFor(c)
	m.ClientID = c.ClientID
	var out clientMetadata
	if _, err := sendJSON(ctx, b.client, http.MethodPost, b.clientsURL, "", m, &out); err != nil {
		return Registration{}, err
	}
	if out.ClientID == "" || out.ClientSecret == "" {
		return Registration{}, fmt.Errorf("POST %s: the reply lacks the client_id or client_secret", b.clientsURL)
	}
	return hydraRegistration(out), nil
}

func (b *hydraAdmin) Get(ctx context.Context, c Client, prev Stored) (Registration, bool, error) {
	id := firstNonEmpty(prev.ClientID, c.ClientID)
	if id == "" {
		return Registration{}, false, nil
	}
	var out clientMetadata
	_, err := sendJSON(ctx, b.client, http.MethodGet, b.clientURL(id), "", nil, &out)
	var re *RegistryError
	if errors.As(err, &re) && re.Status == http.StatusNotFound {
		return Registration{}, false, nil
	}
	if err != nil {
		return Registration{}, false, err
	}
	return hydraRegistration(out), true, nil
}

func (b *hydraAdmin) Update(ctx context.Context, c Client, prev Stored) (Registration, error) {
	return b.put(ctx, c, prev, "")
}

// Rotate sets a new secret with PUT: Hydra v2.3 has no rotate endpoint
// (later versions add /secrets/rotate, which keeps the old secret valid,
// against what a rotate here promises), and a PUT with client_secret
// replaces the secret at once.
func (b *hydraAdmin) Rotate(ctx context.Context, c Client, prev Stored) (Registration, error) {
	secret, err := newClientSecret()
	if err != nil {
		return Registration{}, err
	}
	reg, err := b.put(ctx, c, prev, secret)
	if err != nil {
		return Registration{}, err
	}
	if reg.ClientSecret != secret {
		return Registration{}, fmt.Errorf("PUT %s did not echo the new client_secret, so whether it took is unknown: check the client at Hydra and run hubctl app rotate %s again",
			b.clientURL(reg.ClientID), c.Name)
	}
	return reg, nil
}

// put reads the client and writes it back with c's metadata, and secret
// when it is not empty: Hydra's PUT replaces the whole client, and fields
// hubctl does not manage (owner, metadata, lifespans, consent settings)
// would be lost otherwise. Without a client_secret Hydra keeps the secret.
func (b *hydraAdmin) put(ctx context.Context, c Client, prev Stored, secret string) (Registration, error) {
	id := firstNonEmpty(prev.ClientID, c.ClientID)
	if id == "" {
		return Registration{}, fmt.Errorf("%s has no client id: run hubctl app create %s first", c.Name, c.Name)
	}
	u := b.clientURL(id)
	var current map[string]json.RawMessage
	if _, err := sendJSON(ctx, b.client, http.MethodGet, u, "", nil, &current); err != nil {
		return Registration{}, b.explain404(err, c)
	}
	m := metadataFor(c)
	m.ClientSecret = secret
	wanted, err := json.Marshal(m)
	if err != nil {
		return Registration{}, err
	}
	var overlay map[string]json.RawMessage
	if err := json.Unmarshal(wanted, &overlay); err != nil {
		return Registration{}, err
	}
	for k, v := range overlay {
		current[k] = v
	}
	var out clientMetadata
	if _, err := sendJSON(ctx, b.client, http.MethodPut, u, "", current, &out); err != nil {
		return Registration{}, b.explain404(err, c)
	}
	return hydraRegistration(out), nil
}

func (b *hydraAdmin) Delete(ctx context.Context, c Client, prev Stored) error {
	id := firstNonEmpty(prev.ClientID, c.ClientID)
	if id == "" {
		return fmt.Errorf("%s has no client id: nothing to delete", c.Name)
	}
	_, err := sendJSON(ctx, b.client, http.MethodDelete, b.clientURL(id), "", nil, nil)
	var re *RegistryError
	if errors.As(err, &re) && re.Status == http.StatusNotFound {
		return nil // gone already, which is what was asked
	}
	return err
}

func (b *hydraAdmin) clientURL(id string) string {
	return b.clientsURL + "/" + neturl.PathEscape(id)
}

func (b *hydraAdmin) explain404(err error, c Client) error {
	var re *RegistryError
	if errors.As(err, &re) && re.Status == http.StatusNotFound {
		return fmt.Errorf("%w: Hydra has no such client; hubctl app create %s registers it again", err, c.Name)
	}
	return err
}

// hydraRegistration drops what the admin API returns of RFC 7592 (a
// registration access token for Hydra's public /oauth2/register): this
// backend manages the client through the admin API only.
func hydraRegistration(m clientMetadata) Registration {
	r := m.registration()
	r.RegistrationURI, r.RegistrationToken = "", ""
	return r
}
