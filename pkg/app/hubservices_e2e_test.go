//go:build e2e

// End-to-end tests of the hub's services backend against the test bed's
// JupyterHub 5.5 and 6.1 (scripts/e2e-deps installs both).

package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hubctl/hubctl/pkg/app"
	"github.com/hubctl/hubctl/pkg/testbed"
)

const hubAdminToken = "hubctl-app-e2e-admin-token-0123456789"

// hubAdminConfig is an admin service from the hub's configuration, whose
// token is the one hubctl app is given.
const hubAdminConfig = `
c.JupyterHub.services = [{"name": "e2e-admin", "api_token": "` + hubAdminToken + `"}]
c.JupyterHub.load_roles = [{"name": "e2e-admin", "services": ["e2e-admin"],
    "scopes": ["admin:services", "read:services", "read:roles"]}]
# The hub adds a runtime service's proxy route at this check, not at once.
c.JupyterHub.last_activity_interval = 1
`

// hubWhoAmI is GET /hub/api/user with token: the status and, on 200, the
// kind and name of what the token belongs to.
func hubWhoAmI(t *testing.T, apiURL, token string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, apiURL+"/user", nil)
	req.Header.Set("Authorization", "token "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET /hub/api/user: %v", err)
	}
	defer resp.Body.Close()
	var who struct{ Kind, Name string }
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&who); err != nil {
			t.Fatalf("GET /hub/api/user: %v", err)
		}
	}
	return resp.StatusCode, who.Kind, who.Name
}

func hubGet(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func TestHubServicesAgainstJupyterHub(t *testing.T) {
	for _, version := range testbed.HubVersions {
		t.Run(version, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			h := testbed.StartHub(t, testbed.HubOptions{Version: version, Config: hubAdminConfig})
			// The service itself, which the hub waits for and then routes to.
			svc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Write([]byte("viewer at " + r.URL.Path))
			}))
			defer svc.Close()
			var out bytes.Buffer
			b := app.NewHubServices(app.HubServicesOptions{APIURL: h.APIURL, Token: hubAdminToken, Version: h.Version(), Out: &out,
				Details: func(string) app.HubServiceDetails { return app.HubServiceDetails{URL: svc.URL} }})
			c := app.Client{Name: "viewer", ClientID: "service-viewer", RedirectURIs: []string{h.URL + "/services/viewer/oauth_callback"}}

			if _, ok, err := b.Get(ctx, c, app.Stored{}); ok || err != nil {
				t.Fatalf("Get before Create: ok %v, %v; want not found", ok, err)
			}
			reg, err := b.Create(ctx, c)
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			if reg.Pending || reg.ClientID != "service-viewer" || len(reg.ClientSecret) != 64 {
				t.Fatalf("Create = %+v (a secret of %d characters)", reg, len(reg.ClientSecret))
			}
			if status, kind, name := hubWhoAmI(t, h.APIURL, reg.ClientSecret); status != 200 || kind != "service" || name != "viewer" {
				t.Errorf("the new token: HTTP %d, %s %q; want service viewer", status, kind, name)
			}
			routed := false
			for deadline := time.Now().Add(20 * time.Second); !routed && time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
				routed = hubGet(t, h.URL+"/services/viewer/") == "viewer at /services/viewer/"
			}
			if !routed {
				t.Errorf("the proxy has no route to the service's url after 20 s")
			}
			if !strings.Contains(out.String(), "roles cannot be set") {
				t.Errorf("Create did not say that roles come from the rendered configuration: %q", out.String())
			}
			if got, ok, err := b.Get(ctx, c, app.Stored{}); !ok || err != nil || got.ClientID != "service-viewer" {
				t.Errorf("Get after Create = %+v, %v, %v", got, ok, err)
			}
			if _, err := b.Create(ctx, c); err == nil || !strings.Contains(err.Error(), "exists at the hub already") {
				t.Errorf("a second Create: %v, want the conflict explained", err)
			}

			rot, err := b.Rotate(ctx, c, app.Stored{ClientID: reg.ClientID})
			if err != nil || rot.ClientSecret == "" || rot.ClientSecret == reg.ClientSecret {
				t.Fatalf("Rotate = %+v, %v", rot, err)
			}
			if status, _, _ := hubWhoAmI(t, h.APIURL, reg.ClientSecret); status != http.StatusForbidden {
				t.Errorf("after Rotate, the old token: HTTP %d, want 403", status)
			}
			if status, kind, name := hubWhoAmI(t, h.APIURL, rot.ClientSecret); status != 200 || kind != "service" || name != "viewer" {
				t.Errorf("after Rotate, the new token: HTTP %d, %s %q", status, kind, name)
			}

			if err := b.Delete(ctx, c, app.Stored{ClientID: reg.ClientID}); err != nil {
				t.Fatalf("Delete: %v", err)
			}
			if _, ok, err := b.Get(ctx, c, app.Stored{}); ok || err != nil {
				t.Errorf("Get after Delete: ok %v, %v; want not found", ok, err)
			}
			if status, _, _ := hubWhoAmI(t, h.APIURL, rot.ClientSecret); status != http.StatusForbidden {
				t.Errorf("after Delete, the token: HTTP %d, want 403", status)
			}

			admin := app.Client{Name: "e2e-admin"}
			if err := b.Delete(ctx, admin, app.Stored{}); err == nil || !strings.Contains(err.Error(), "defined in the hub's configuration") {
				t.Errorf("deleting a service of the hub's configuration: %v, want it explained", err)
			}
			// Its token changes with the rendered configuration instead.
			if reg, err := b.Rotate(ctx, admin, app.Stored{ClientID: "service-e2e-admin"}); err != nil || !reg.Pending || reg.ClientSecret == "" {
				t.Errorf("rotating a service of the hub's configuration = %+v, %v; want a pending new token", reg, err)
			}
			if status, kind, _ := hubWhoAmI(t, h.APIURL, hubAdminToken); status != 200 || kind != "service" {
				t.Errorf("after that Rotate, the configured token: HTTP %d %s, want it still working", status, kind)
			}
		})
	}
}
