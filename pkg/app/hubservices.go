package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// HubRolesNote is said after every change through the hub's services API,
// which has no roles key.
const HubRolesNote = "roles cannot be set through the hub's services API: the service's roles are in the rendered configuration (load_roles) and take effect when it is deployed"

// HubServiceDetails is what the services API takes beyond the client: the
// spec's services.NAME.url, noConfirm and display.
type HubServiceDetails struct {
	URL       string
	NoConfirm bool
	Display   *bool
}

// HubServicesOptions configure the hub's services backend.
type HubServicesOptions struct {
	HTTPClient *http.Client
	// APIURL is hub.apiUrl resolved, such as https://hub.example.org/hub/api.
	APIURL string
	// Token is an admin token with the scopes admin:services and
	// read:services; empty generates registrations for the rendered
	// configuration instead.
	Token string
	// Version is the hub's JupyterHub version when known; before 5.0
	// there is no services API.
	Version string
	// Details gives a service's URL and options; nil sends none, and the
	// hub then adds no proxy route for the service.
	Details func(name string) HubServiceDetails
	// Out receives notes: why a registration is pending, what the API
	// cannot do.
	Out io.Writer
}

// NewHubServices registers services with the hub through its REST API
// (JupyterHub 5.0+: POST and DELETE /hub/api/services/NAME) when it has an
// admin token and the hub answers. Otherwise Create returns a Pending
// registration, the client id, redirect URI and a new token, which takes
// effect when the rendered configuration is deployed.
func NewHubServices(o HubServicesOptions) Backend {
	o.APIURL = strings.TrimSuffix(o.APIURL, "/")
	if o.HTTPClient == nil {
		o.HTTPClient = http.DefaultClient
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	return &hubServices{o: o}
}

type hubServices struct{ o HubServicesOptions }

func (h *hubServices) Name() string { return "hub" }

func hubClientID(c Client) string {
	if c.ClientID != "" {
		return c.ClientID
	}
	return "service-" + c.Name
}

// newServiceToken is a service's API token, which is also its OAuth
// client secret.
func newServiceToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}

// apiUnavailable says why the API cannot be used; "" when it can.
func (h *hubServices) apiUnavailable() string {
	if h.o.Token == "" {
		return "no hub admin token was given (--hub-token or HUBCTL_HUB_TOKEN)"
	}
	if v := h.o.Version; v != "" {
		major, _, _ := strings.Cut(strings.TrimPrefix(v, "v"), ".")
		if n, err := strconv.Atoi(major); err == nil && n < 5 {
			return "JupyterHub " + v + " has no services API (it came in 5.0)"
		}
	}
	return ""
}

// hubUnreachable is a request that never got an answer; a dry run, a
// refused certificate or a cancel is not.
func hubUnreachable(err error) bool {
	if errors.Is(err, ErrDryRun) || errors.Is(err, context.Canceled) {
		return false
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func (h *hubServices) pending(c Client, why string, newToken bool) Registration {
	reg := Registration{ClientID: hubClientID(c), RedirectURIs: c.RedirectURIs, Pending: true}
	if newToken {
		reg.ClientSecret = newServiceToken()
	}
	fmt.Fprintf(h.o.Out, "note: %s: service %s takes effect at the hub when the rendered configuration is deployed\n", why, c.Name)
	return reg
}

// hubAnswer is one answer of the services API.
type hubAnswer struct {
	status  int
	message string // JupyterHub's error message, secrets scrubbed
	json    bool
	body    []byte
}

func (h *hubServices) endpoint(name string) string {
	return h.o.APIURL + "/services/" + url.PathEscape(name)
}

// call sends one request; token is the service token in the body, which
// the hub may echo in an error ("Invalid JSON keys: {...}").
func (h *hubServices) call(ctx context.Context, method string, c Client, body any, token string) (hubAnswer, error) {
	var r io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return hubAnswer{}, err
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, h.endpoint(c.Name), r)
	if err != nil {
		return hubAnswer{}, err
	}
	req.Header.Set("Authorization", "token "+h.o.Token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := h.o.HTTPClient.Do(req)
	if err != nil {
		return hubAnswer{}, redactURLError(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return hubAnswer{}, fmt.Errorf("%s %s: %w", method, h.endpoint(c.Name), err)
	}
	a := hubAnswer{status: resp.StatusCode, body: data}
	var e struct {
		Message string `json:"message"`
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") && json.Unmarshal(data, &e) == nil {
		a.json = true
		a.message = e.Message
		if token != "" {
			a.message = strings.ReplaceAll(a.message, token, "<services."+c.Name+".apiToken>")
		}
		if h.o.Token != "" {
			a.message = strings.ReplaceAll(a.message, h.o.Token, "<hub token>")
		}
	}
	return a, nil
}

// refused turns an answer hubctl did not expect into an error.
func (h *hubServices) refused(method string, c Client, a hubAnswer) error {
	msg := fmt.Sprintf("%s %s: HTTP %d", method, h.endpoint(c.Name), a.status)
	if a.message != "" {
		msg += ": " + a.message
	}
	switch {
	case a.status == http.StatusUnauthorized:
		return fmt.Errorf("%s: the hub does not know the admin token; give a valid one (--hub-token or HUBCTL_HUB_TOKEN)", msg)
	case a.status == http.StatusForbidden:
		return fmt.Errorf("%s: the admin token lacks the scopes admin:services and read:services; give it a role with both", msg)
	case !a.json:
		return fmt.Errorf("%s: %s is not a JupyterHub API; check hub.apiUrl", msg, h.o.APIURL)
	}
	return errors.New(msg)
}

// post creates the service with token.
func (h *hubServices) post(ctx context.Context, c Client, token string) (Registration, error) {
	body := map[string]any{"api_token": token}
	if len(c.RedirectURIs) > 1 {
		return Registration{}, fmt.Errorf("service %s has %d redirect URIs; a JupyterHub service has one", c.Name, len(c.RedirectURIs))
	}
	if len(c.RedirectURIs) == 1 {
		body["oauth_client_id"] = hubClientID(c)
		body["oauth_redirect_uri"] = c.RedirectURIs[0]
	}
	if len(c.Scopes) > 0 {
		body["oauth_client_allowed_scopes"] = c.Scopes
	}
	if h.o.Details != nil {
		d := h.o.Details(c.Name)
		if d.URL != "" {
			body["url"] = d.URL
		}
		if d.NoConfirm {
			body["oauth_no_confirm"] = true
		}
		if d.Display != nil {
			body["display"] = *d.Display
		}
	}
	a, err := h.call(ctx, http.MethodPost, c, body, token)
	if err != nil {
		return Registration{}, err
	}
	switch a.status {
	case http.StatusCreated, http.StatusOK:
		var model struct {
			Kind string `json:"kind"`
			Name string `json:"name"`
		}
		if json.Unmarshal(a.body, &model) != nil || model.Name != c.Name {
			return Registration{}, fmt.Errorf("POST %s answered HTTP %d without the service's model: %s is not a JupyterHub API; check hub.apiUrl", h.endpoint(c.Name), a.status, h.o.APIURL)
		}
		fmt.Fprintf(h.o.Out, "note: %s\n", HubRolesNote)
		if u, ok := body["url"]; ok {
			fmt.Fprintf(h.o.Out, "note: the hub routes /services/%s/ to %s from its next route check (JupyterHub's last_activity_interval, 5 minutes by default)\n", c.Name, u)
		}
		return Registration{ClientID: hubClientID(c), ClientSecret: token, RedirectURIs: c.RedirectURIs, Scopes: c.Scopes}, nil
	case http.StatusConflict:
		return Registration{}, fmt.Errorf("service %s exists at the hub already (%s): hubctl app create %s --update makes it again with the spec's settings", c.Name, a.message, c.Name)
	case http.StatusMethodNotAllowed, http.StatusNotFound:
		if a.json {
			return Registration{}, fmt.Errorf("the hub at %s cannot add services at run time (HTTP %d; JupyterHub before 5.0): upgrade it, or leave out the hub token to generate the service's token for the rendered configuration", h.o.APIURL, a.status)
		}
	}
	return Registration{}, h.refused(http.MethodPost, c, a)
}

// errConfigService is a service the hub's configuration defines, which
// the API cannot change (HTTP 405).
var errConfigService = errors.New("defined in the hub's configuration")

// remove deletes the service; a missing one is no error.
func (h *hubServices) remove(ctx context.Context, c Client) error {
	a, err := h.call(ctx, http.MethodDelete, c, nil, "")
	if err != nil {
		return err
	}
	switch {
	case a.status == http.StatusOK || a.status == http.StatusNoContent:
		return nil
	case a.status == http.StatusNotFound && a.json:
		return nil
	case a.status == http.StatusMethodNotAllowed && a.json:
		return fmt.Errorf("service %s is %w (c.JupyterHub.services), which the services API cannot change", c.Name, errConfigService)
	}
	return h.refused(http.MethodDelete, c, a)
}

func (h *hubServices) Get(ctx context.Context, c Client, prev Stored) (Registration, bool, error) {
	if h.apiUnavailable() != "" {
		// Without the API, the state is all there is to know.
		if prev.ClientID != "" {
			return Registration{ClientID: prev.ClientID, Pending: true}, true, nil
		}
		return Registration{}, false, nil
	}
	a, err := h.call(ctx, http.MethodGet, c, nil, "")
	switch {
	case err != nil && hubUnreachable(err) && prev.ClientID == "":
		// Create goes on and generates the registration.
		return Registration{}, false, fmt.Errorf("the hub at %s does not answer (%v): %w", h.o.APIURL, err, ErrNotSupported)
	case err != nil && hubUnreachable(err):
		return Registration{}, false, fmt.Errorf("the hub at %s does not answer (%v), and hubctl's state has service %s registered: retry when it answers", h.o.APIURL, err, c.Name)
	case err != nil:
		return Registration{}, false, err
	case a.status == http.StatusOK:
		// The model has no OAuth fields: the client id is the one the
		// spec derives, the redirect URI unknown.
		return Registration{ClientID: hubClientID(c)}, true, nil
	case a.status == http.StatusNotFound && a.json:
		return Registration{}, false, nil
	}
	return Registration{}, false, h.refused(http.MethodGet, c, a)
}

func (h *hubServices) Create(ctx context.Context, c Client) (Registration, error) {
	if id := hubClientID(c); !strings.HasPrefix(id, "service-") {
		return Registration{}, fmt.Errorf("service %s has client id %q, and JupyterHub requires that it start with service-: fix services.%s.clientId", c.Name, id, c.Name)
	}
	if why := h.apiUnavailable(); why != "" {
		return h.pending(c, why, true), nil
	}
	reg, err := h.post(ctx, c, newServiceToken())
	if err != nil && hubUnreachable(err) {
		return h.pending(c, fmt.Sprintf("the hub at %s does not answer (%v)", h.o.APIURL, err), true), nil
	}
	return reg, err
}

// recreate deletes the service and creates it again with a new token: the
// API has no PATCH and no way to change a token. A service from the hub's
// configuration changes with the rendered configuration instead.
func (h *hubServices) recreate(ctx context.Context, c Client, newToken bool) (Registration, error) {
	if why := h.apiUnavailable(); why != "" {
		return h.pending(c, why, newToken), nil
	}
	fmt.Fprintf(h.o.Out, "note: the hub's services API cannot change a service: hubctl deletes service %s and creates it again, with a new token\n", c.Name)
	if err := h.remove(ctx, c); err != nil {
		if errors.Is(err, errConfigService) {
			return h.pending(c, err.Error(), newToken), nil
		}
		if hubUnreachable(err) {
			// Unlike a create: the hub may hold the service, and a token
			// for the rendered configuration would not replace it.
			return Registration{}, fmt.Errorf("the hub at %s does not answer (%v): retry when it answers; service %s is unchanged", h.o.APIURL, err, c.Name)
		}
		return Registration{}, err
	}
	reg, err := h.post(ctx, c, newServiceToken())
	if err != nil {
		return Registration{}, fmt.Errorf("service %s was deleted from the hub and creating it again failed: %w; run hubctl app create %s", c.Name, err, c.Name)
	}
	return reg, nil
}

func (h *hubServices) Update(ctx context.Context, c Client, _ Stored) (Registration, error) {
	return h.recreate(ctx, c, false)
}

func (h *hubServices) Rotate(ctx context.Context, c Client, _ Stored) (Registration, error) {
	return h.recreate(ctx, c, true)
}

func (h *hubServices) Delete(ctx context.Context, c Client, _ Stored) error {
	if why := h.apiUnavailable(); why != "" {
		fmt.Fprintf(h.o.Out, "note: %s: only hubctl's record of service %s goes; the hub keeps it until the rendered configuration without it is deployed\n", why, c.Name)
		return nil
	}
	err := h.remove(ctx, c)
	if errors.Is(err, errConfigService) {
		return fmt.Errorf("%w: remove services.%s from the spec and deploy the rendered configuration", err, c.Name)
	}
	return err
}
