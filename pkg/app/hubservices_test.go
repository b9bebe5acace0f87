package app

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
)

// hubAcceptedKeys are the keys JupyterHub 5.x's POST /hub/api/services/NAME
// takes (apihandlers/base.py _service_model_types); any other is a 400.
var hubAcceptedKeys = []string{"name", "admin", "url", "oauth_client_allowed_scopes", "api_token", "info", "display",
	"oauth_no_confirm", "command", "cwd", "environment", "user", "oauth_client_id", "oauth_redirect_uri"}

// fakeHub is JupyterHub's services API: runtime services in services,
// those of the configuration in config (not modifiable at run time).
type fakeHub struct {
	mu       sync.Mutex
	token    string
	services map[string]map[string]any
	config   map[string]bool
	bodies   []map[string]any
	// echo makes a POST fail with the body in the message, as JupyterHub
	// does for unknown keys.
	echo bool
}

func newFakeHub() *fakeHub {
	return &fakeHub{token: "admin-token-0123456789", services: map[string]map[string]any{}, config: map[string]bool{"configured": true}}
}

func (f *fakeHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name, ok := strings.CutPrefix(r.URL.Path, "/hub/api/services/")
	if !ok {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, "<h1>404 : Not Found</h1>")
		return
	}
	if r.Header.Get("Authorization") != "token "+f.token {
		f.reply(w, http.StatusForbidden, "Action is not authorized with current scopes; requires any of [admin:services]")
		return
	}
	_, exists := f.services[name]
	exists = exists || f.config[name]
	switch r.Method {
	case http.MethodGet:
		if !exists {
			f.reply(w, http.StatusNotFound, "No such service: "+name)
			return
		}
		f.json(w, http.StatusOK, map[string]any{"kind": "service", "name": name})
	case http.MethodPost:
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		f.bodies = append(f.bodies, body)
		if f.echo {
			f.reply(w, http.StatusBadRequest, fmt.Sprintf("Invalid JSON keys: %v", body))
			return
		}
		if exists {
			f.reply(w, http.StatusConflict, "Service "+name+" already exists")
			return
		}
		for k := range body {
			if !slices.Contains(hubAcceptedKeys, k) {
				f.reply(w, http.StatusBadRequest, "Invalid JSON keys: "+k)
				return
			}
		}
		f.services[name] = body
		f.json(w, http.StatusCreated, map[string]any{"kind": "service", "name": name, "roles": []string{}})
	case http.MethodDelete:
		switch {
		case f.config[name]:
			f.reply(w, http.StatusMethodNotAllowed, "Service "+name+" is not modifiable at runtime")
		case !exists:
			f.reply(w, http.StatusNotFound, "Service "+name+" does not exist")
		default:
			delete(f.services, name)
		}
	}
}

func (f *fakeHub) reply(w http.ResponseWriter, status int, msg string) {
	f.json(w, status, map[string]any{"status": status, "message": msg})
}

func (f *fakeHub) json(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func viewerClient() Client {
	return Client{Name: "viewer", DisplayName: "viewer", ClientID: "service-viewer",
		RedirectURIs: []string{"https://hub.example.org/services/viewer/oauth_callback"}}
}

func isServiceToken(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == 32
}

func TestHubServicesThroughTheAPI(t *testing.T) {
	ctx := context.Background()
	f := newFakeHub()
	srv := httptest.NewServer(f)
	defer srv.Close()
	var out strings.Builder
	yes := true
	b := NewHubServices(HubServicesOptions{APIURL: srv.URL + "/hub/api/", Token: f.token, Version: "5.5.0", Out: &out,
		Details: func(string) HubServiceDetails {
			return HubServiceDetails{URL: "http://viewer:8080", NoConfirm: true, Display: &yes}
		}})
	c := viewerClient()

	if _, ok, err := b.Get(ctx, c, Stored{}); ok || err != nil {
		t.Fatalf("Get before Create: ok %v, %v", ok, err)
	}
	reg, err := b.Create(ctx, c)
	if err != nil || reg.Pending || reg.ClientID != "service-viewer" || !isServiceToken(reg.ClientSecret) {
		t.Fatalf("Create = %+v, %v", reg, err)
	}
	wantBody := map[string]any{"api_token": reg.ClientSecret, "oauth_client_id": "service-viewer",
		"oauth_redirect_uri": c.RedirectURIs[0], "url": "http://viewer:8080", "oauth_no_confirm": true, "display": true}
	if got := f.bodies[0]; !maps.EqualFunc(got, wantBody, func(a, b any) bool { return fmt.Sprint(a) == fmt.Sprint(b) }) {
		t.Errorf("POST body %v, want %v", got, wantBody)
	}
	for _, want := range []string{HubRolesNote, "routes /services/viewer/ to http://viewer:8080 from its next route check"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("Create's notes %q lack %q", out.String(), want)
		}
	}
	if got, ok, err := b.Get(ctx, c, Stored{}); !ok || err != nil || got.ClientID != "service-viewer" {
		t.Errorf("Get = %+v, %v, %v", got, ok, err)
	}

	rot, err := b.Rotate(ctx, c, Stored{ClientID: reg.ClientID})
	if err != nil || rot.Pending || !isServiceToken(rot.ClientSecret) || rot.ClientSecret == reg.ClientSecret {
		t.Fatalf("Rotate = %+v, %v", rot, err)
	}
	if got := f.services["viewer"]["api_token"]; got != rot.ClientSecret {
		t.Errorf("after Rotate the hub has another token")
	}
	if upd, err := b.Update(ctx, c, Stored{}); err != nil || !isServiceToken(upd.ClientSecret) {
		t.Errorf("Update = %+v, %v; want the service made again, with its new token", upd, err)
	}

	if err := b.Delete(ctx, c, Stored{}); err != nil || len(f.services) != 0 {
		t.Fatalf("Delete: %v, services left %v", err, f.services)
	}
	if err := b.Delete(ctx, c, Stored{}); err != nil {
		t.Errorf("a second Delete: %v, want nothing to do", err)
	}
}

// A service without OAuth sends no OAuth keys: with one, JupyterHub wants
// a redirect URI too.
func TestHubServicesWithoutOAuth(t *testing.T) {
	f := newFakeHub()
	srv := httptest.NewServer(f)
	defer srv.Close()
	_, err := NewHubServices(HubServicesOptions{APIURL: srv.URL + "/hub/api", Token: f.token}).Create(context.Background(), Client{Name: "cull"})
	if err != nil {
		t.Fatal(err)
	}
	if keys := slices.Sorted(maps.Keys(f.bodies[0])); !slices.Equal(keys, []string{"api_token"}) {
		t.Errorf("POST keys %v, want only api_token", keys)
	}
}

func TestHubServicesPending(t *testing.T) {
	f := newFakeHub()
	srv := httptest.NewServer(f)
	defer srv.Close()
	gone := httptest.NewServer(f)
	gone.Close()
	tests := []struct {
		name    string
		o       HubServicesOptions
		wantWhy string
	}{
		{name: "no token", o: HubServicesOptions{APIURL: srv.URL + "/hub/api"}, wantWhy: "no hub admin token was given"},
		{name: "a hub before 5.0", o: HubServicesOptions{APIURL: srv.URL + "/hub/api", Token: f.token, Version: "4.1.6"}, wantWhy: "JupyterHub 4.1.6 has no services API"},
		{name: "a hub that does not answer", o: HubServicesOptions{APIURL: gone.URL + "/hub/api", Token: f.token}, wantWhy: "does not answer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			var out strings.Builder
			tt.o.Out = &out
			b := NewHubServices(tt.o)
			c := viewerClient()
			_, ok, err := b.Get(ctx, c, Stored{})
			if ok || (err != nil && !errors.Is(err, ErrNotSupported)) {
				t.Fatalf("Get with no state: ok %v, %v; want not found or ErrNotSupported", ok, err)
			}
			reg, err := b.Create(ctx, c)
			if err != nil || !reg.Pending || reg.ClientID != "service-viewer" || !isServiceToken(reg.ClientSecret) ||
				!slices.Equal(reg.RedirectURIs, c.RedirectURIs) {
				t.Fatalf("Create = %+v, %v; want a pending registration", reg, err)
			}
			if !strings.Contains(out.String(), tt.wantWhy) || !strings.Contains(out.String(), "when the rendered configuration is deployed") {
				t.Errorf("the note %q does not say why (%q) and when", out.String(), tt.wantWhy)
			}
			if len(f.services) != 0 {
				t.Errorf("the hub got a service: %v", f.services)
			}
			rot, err := b.Rotate(ctx, c, Stored{ClientID: reg.ClientID})
			if tt.o.Token != "" && tt.o.Version == "" {
				// The hub may hold the service: a pending token would not
				// replace its own.
				if err == nil || !strings.Contains(err.Error(), "retry when it answers; service viewer is unchanged") {
					t.Errorf("Rotate at an unanswering hub = %+v, %v; want an error", rot, err)
				}
				return
			}
			if err != nil || !rot.Pending || rot.ClientSecret == reg.ClientSecret || !isServiceToken(rot.ClientSecret) {
				t.Errorf("Rotate = %+v, %v; want a new pending token", rot, err)
			}
		})
	}
}

// With a state that remembers the service, an unanswering hub is an error:
// a pending token would replace the one the hub has.
func TestHubServicesGetKeepsWhatTheStateKnows(t *testing.T) {
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	ctx := context.Background()
	prev := Stored{Backend: "hub", ClientID: "service-viewer"}
	_, ok, err := NewHubServices(HubServicesOptions{APIURL: gone.URL, Token: "t0123456789"}).Get(ctx, viewerClient(), prev)
	if ok || err == nil || errors.Is(err, ErrNotSupported) || !strings.Contains(err.Error(), "retry when it answers") {
		t.Errorf("Get of a remembered service at an unanswering hub: ok %v, %v", ok, err)
	}
	reg, ok, err := NewHubServices(HubServicesOptions{APIURL: gone.URL}).Get(ctx, viewerClient(), prev)
	if !ok || err != nil || !reg.Pending || reg.ClientID != "service-viewer" {
		t.Errorf("Get of a remembered service without a token = %+v, %v, %v; want the pending registration", reg, ok, err)
	}
}

func TestHubServicesRefusals(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*fakeHub, *HubServicesOptions, *Client)
		op    string
		want  string
	}{
		{name: "a token without admin:services", op: "create", setup: func(_ *fakeHub, o *HubServicesOptions, _ *Client) { o.Token = "weak-token-0123" },
			want: "HTTP 403: Action is not authorized with current scopes; requires any of [admin:services]: the admin token lacks the scopes admin:services and read:services"},
		{name: "an API URL that is not the hub's API", op: "get", setup: func(_ *fakeHub, o *HubServicesOptions, _ *Client) { o.APIURL += "/wrong" },
			want: "is not a JupyterHub API; check hub.apiUrl"},
		{name: "a client id JupyterHub refuses", op: "create", setup: func(_ *fakeHub, _ *HubServicesOptions, c *Client) { c.ClientID = "viewer" },
			want: `client id "viewer", and JupyterHub requires that it start with service-: fix services.viewer.clientId`},
		{name: "a service of the hub's configuration", op: "delete", setup: func(_ *fakeHub, _ *HubServicesOptions, c *Client) { c.Name = "configured" },
			want: "service configured is defined in the hub's configuration (c.JupyterHub.services), which the services API cannot change: remove services.configured from the spec"},
		{name: "an existing service", op: "create", setup: func(f *fakeHub, _ *HubServicesOptions, _ *Client) { f.services["viewer"] = map[string]any{} },
			want: "service viewer exists at the hub already (Service viewer already exists): hubctl app create viewer --update"},
		{name: "a hub that echoes the token", op: "create", setup: func(f *fakeHub, _ *HubServicesOptions, _ *Client) { f.echo = true },
			want: "api_token:<services.viewer.apiToken>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFakeHub()
			srv := httptest.NewServer(f)
			defer srv.Close()
			o := HubServicesOptions{APIURL: srv.URL + "/hub/api", Token: f.token}
			c := viewerClient()
			tt.setup(f, &o, &c)
			b := NewHubServices(o)
			var err error
			switch tt.op {
			case "create":
				_, err = b.Create(ctx, c)
			case "get":
				_, _, err = b.Get(ctx, c, Stored{})
			case "delete":
				err = b.Delete(ctx, c, Stored{})
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("%s: %v, want %q", tt.op, err, tt.want)
			}
			if strings.Contains(err.Error(), o.Token) {
				t.Errorf("the error shows the admin token: %v", err)
			}
			for _, body := range f.bodies {
				if tok, _ := body["api_token"].(string); strings.Contains(err.Error(), tok) {
					t.Errorf("the error shows the service token: %v", err)
				}
			}
		})
	}
}

// A service of the hub's configuration changes with the rendered
// configuration: rotating it gives a pending token, and the hub keeps it.
func TestHubServicesRotateAConfiguredService(t *testing.T) {
	f := newFakeHub()
	srv := httptest.NewServer(f)
	defer srv.Close()
	var out strings.Builder
	reg, err := NewHubServices(HubServicesOptions{APIURL: srv.URL + "/hub/api", Token: f.token, Out: &out}).
		Rotate(context.Background(), Client{Name: "configured"}, Stored{})
	if err != nil || !reg.Pending || !isServiceToken(reg.ClientSecret) || !f.config["configured"] || len(f.bodies) != 0 {
		t.Fatalf("Rotate = %+v, %v (posted %v)", reg, err, f.bodies)
	}
	if !strings.Contains(out.String(), "defined in the hub's configuration") {
		t.Errorf("the note %q does not say why", out.String())
	}
}

func TestHubServicesDryRun(t *testing.T) {
	f := newFakeHub()
	srv := httptest.NewServer(f)
	defer srv.Close()
	var printed strings.Builder
	client := &http.Client{Transport: &DryRunTransport{Out: &printed}}
	reg, err := NewHubServices(HubServicesOptions{HTTPClient: client, APIURL: srv.URL + "/hub/api", Token: f.token}).Create(context.Background(), viewerClient())
	if !errors.Is(err, ErrDryRun) || reg.Pending {
		t.Fatalf("Create in a dry run = %+v, %v; want ErrDryRun, not a pending registration", reg, err)
	}
	if got := printed.String(); !strings.Contains(got, "POST "+srv.URL+"/hub/api/services/viewer") || strings.Contains(got, f.token) ||
		!strings.Contains(got, `"api_token":"********"`) {
		t.Errorf("the dry run printed %q", got)
	}
}
