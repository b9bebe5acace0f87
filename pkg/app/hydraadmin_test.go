package app

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeHydraAdmin keeps clients as Hydra's admin API shows them, with fields
// hubctl does not manage, and replaces the whole client on PUT as Hydra
// does. echoSecret false makes PUT leave client_secret out of the reply.
type fakeHydraAdmin struct {
	mu         sync.Mutex
	clients    map[string]map[string]any
	secrets    map[string]string
	echoSecret bool
	requests   []string
}

func (f *fakeHydraAdmin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r.Method+" "+r.URL.Path)
	id, _ := strings.CutPrefix(r.URL.Path, "/admin/clients/")
	var body map[string]any
	json.NewDecoder(r.Body).Decode(&body)
	reply := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(v)
	}
	notFound := map[string]any{"error": "Unable to locate the resource", "error_description": ""}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/admin/clients":
		id, _ := body["client_id"].(string)
		if id == "" {
			id = "generated-id"
		}
		if _, ok := f.clients[id]; ok {
			reply(409, map[string]any{"error": "Unable to insert or update resource because a resource with that value exists already"})
			return
		}
		body["client_id"], body["owner"], body["metadata"] = id, "ops-team", map[string]any{"ticket": "OPS-1"}
		f.secrets[id] = "hydra-made-secret-0123"
		f.clients[id] = body
		out := cloneFields(body)
		out["client_secret"] = f.secrets[id]
		reply(201, out)
	case f.clients[id] == nil:
		reply(404, notFound)
	case r.Method == http.MethodGet:
		reply(200, f.clients[id])
	case r.Method == http.MethodPut:
		if s, ok := body["client_secret"].(string); ok && s != "" {
			f.secrets[id] = s
		}
		delete(body, "client_secret")
		body["client_id"] = id
		f.clients[id] = body
		out := cloneFields(body)
		if f.echoSecret {
			out["client_secret"] = f.secrets[id]
		}
		reply(200, out)
	case r.Method == http.MethodDelete:
		delete(f.clients, id)
		w.WriteHeader(204)
	}
}

func cloneFields(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func TestHydraAdmin(t *testing.T) {
	tests := []struct {
		name string
		// specID is the client id the spec has at create.
		specID     string
		echoSecret bool
		run        func(t *testing.T, b Backend, f *fakeHydraAdmin, c Client)
	}{
		{name: "create lets Hydra choose the id and secret", echoSecret: true, run: func(t *testing.T, b Backend, f *fakeHydraAdmin, c Client) {
			reg, err := b.Create(context.Background(), c)
			if err != nil || reg.ClientID != "generated-id" || reg.ClientSecret != "hydra-made-secret-0123" {
				t.Fatalf("create: %+v, %v", reg, err)
			}
			if _, sent := f.clients["generated-id"]["client_secret"]; sent {
				t.Errorf("create sent a client_secret; Hydra should make it")
			}
		}},
		{name: "create keeps the spec's id; a second create is ErrClientExists", specID: "hub-login", echoSecret: true, run: func(t *testing.T, b Backend, f *fakeHydraAdmin, c Client) {
			if reg, err := b.Create(context.Background(), c); err != nil || reg.ClientID != "hub-login" {
				t.Fatalf("create: %+v, %v", reg, err)
			}
			_, err := b.Create(context.Background(), c)
			if !errors.Is(err, ErrClientExists) || !strings.Contains(err.Error(), "POST http://") || !strings.Contains(err.Error(), "HTTP 409") {
				t.Errorf("second create: %v, want ErrClientExists naming the URL", err)
			}
		}},
		{name: "get", specID: "hub-login", run: func(t *testing.T, b Backend, f *fakeHydraAdmin, c Client) {
			b.Create(context.Background(), c)
			reg, ok, err := b.Get(context.Background(), c, Stored{ClientID: "hub-login"})
			if err != nil || !ok || reg.AuthMethod != "client_secret_post" || strings.Join(reg.Scopes, " ") != "openid profile email" || reg.ClientSecret != "" {
				t.Errorf("get: %+v, %v, %v", reg, ok, err)
			}
			if _, ok, err := b.Get(context.Background(), c, Stored{ClientID: "other"}); ok || err != nil {
				t.Errorf("get of an unknown client: %v, %v; want not found", ok, err)
			}
		}},
		{name: "update keeps the secret and the fields hubctl does not manage", specID: "hub-login", run: func(t *testing.T, b Backend, f *fakeHydraAdmin, c Client) {
			b.Create(context.Background(), c)
			c.RedirectURIs = []string{"https://new.example.org/hub/oauth_callback"}
			if _, err := b.Update(context.Background(), c, Stored{ClientID: "hub-login"}); err != nil {
				t.Fatalf("update: %v", err)
			}
			got := f.clients["hub-login"]
			if got["owner"] != "ops-team" || got["metadata"] == nil || f.secrets["hub-login"] != "hydra-made-secret-0123" {
				t.Errorf("update lost fields or the secret: %v", got)
			}
			if uris, _ := json.Marshal(got["redirect_uris"]); string(uris) != `["https://new.example.org/hub/oauth_callback"]` {
				t.Errorf("update stored redirect URIs %s", uris)
			}
		}},
		{name: "rotate sets a new secret", specID: "hub-login", echoSecret: true, run: func(t *testing.T, b Backend, f *fakeHydraAdmin, c Client) {
			b.Create(context.Background(), c)
			reg, err := b.Rotate(context.Background(), c, Stored{ClientID: "hub-login"})
			if err != nil || len(reg.ClientSecret) != 43 || f.secrets["hub-login"] != reg.ClientSecret {
				t.Fatalf("rotate: %v; returned a secret of %d characters, the same as Hydra's: %v", err, len(reg.ClientSecret), f.secrets["hub-login"] == reg.ClientSecret)
			}
			if f.clients["hub-login"]["owner"] != "ops-team" {
				t.Errorf("rotate lost fields: %v", f.clients["hub-login"])
			}
		}},
		{name: "rotate without the secret echoed is an error", specID: "hub-login", run: func(t *testing.T, b Backend, f *fakeHydraAdmin, c Client) {
			b.Create(context.Background(), c)
			_, err := b.Rotate(context.Background(), c, Stored{ClientID: "hub-login"})
			if err == nil || !strings.Contains(err.Error(), "did not echo the new client_secret") || strings.Contains(err.Error(), f.secrets["hub-login"]) {
				t.Errorf("rotate: %v", err)
			}
		}},
		{name: "update and rotate of a client that is gone", specID: "hub-login", run: func(t *testing.T, b Backend, f *fakeHydraAdmin, c Client) {
			for _, err := range []error{errorOf(b.Update(context.Background(), c, Stored{})), errorOf(b.Rotate(context.Background(), c, Stored{}))} {
				if err == nil || !strings.Contains(err.Error(), "HTTP 404") || !strings.Contains(err.Error(), "hubctl app create login") {
					t.Errorf("got %v, want the 404 explained", err)
				}
			}
			if n := len(f.requests); n != 2 {
				t.Errorf("%d requests (%v), want one GET each and no PUT", n, f.requests)
			}
		}},
		{name: "delete, twice", specID: "hub-login", run: func(t *testing.T, b Backend, f *fakeHydraAdmin, c Client) {
			b.Create(context.Background(), c)
			for i := range 2 {
				if err := b.Delete(context.Background(), c, Stored{ClientID: "hub-login"}); err != nil {
					t.Errorf("delete %d: %v", i+1, err)
				}
			}
			if len(f.clients) != 0 {
				t.Errorf("the client is still there")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeHydraAdmin{clients: map[string]map[string]any{}, secrets: map[string]string{}, echoSecret: tt.echoSecret}
			srv := httptest.NewServer(f)
			defer srv.Close()
			c := wantedLoginClient()
			c.ClientID = tt.specID
			tt.run(t, NewHydraAdmin(HydraAdminOptions{AdminURL: srv.URL + "/"}), f, c)
		})
	}
}
