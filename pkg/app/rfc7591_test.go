package app

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// registryRequest is what a fake registry received.
type registryRequest struct {
	Method, Path, Authorization string
	Body                        map[string]any
}

// fakeRegistry answers every request with status and reply, and records it.
func fakeRegistry(t *testing.T, status int, reply string) (*httptest.Server, *[]registryRequest) {
	t.Helper()
	var seen []registryRequest
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := registryRequest{Method: r.Method, Path: r.URL.Path, Authorization: r.Header.Get("Authorization")}
		if data, _ := io.ReadAll(r.Body); len(data) > 0 {
			if err := json.Unmarshal(data, &s.Body); err != nil {
				t.Errorf("%s %s: the body is not JSON: %v", r.Method, r.URL.Path, err)
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("%s %s: Content-Type %q", r.Method, r.URL.Path, ct)
			}
		}
		seen = append(seen, s)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, reply)
	}))
	t.Cleanup(srv.Close)
	return srv, &seen
}

func wantedLoginClient() Client {
	return Client{
		Name:         LoginClient,
		DisplayName:  "JupyterHub hub.example.org",
		RedirectURIs: []string{"https://hub.example.org/hub/oauth_callback"},
		Scopes:       []string{"openid", "profile", "email"},
		AuthMethod:   "client_secret_post",
		GrantTypes:   []string{"authorization_code"},
		PKCE:         true,
	}
}

const (
	testRAT    = "registration-access-token-0123"
	testSecret = "issued-client-secret-0123"
)

func TestRFC7591Create(t *testing.T) {
	created := `{"client_id": "c1", "client_secret": "` + testSecret + `", "redirect_uris": ["https://hub.example.org/hub/oauth_callback"],
		"scope": "openid profile email", "token_endpoint_auth_method": "client_secret_post", "grant_types": ["authorization_code"],
		"registration_client_uri": "https://idp.example.org/reg/c1", "registration_access_token": "` + testRAT + `"}`
	tests := []struct {
		name         string
		initialToken string
		status       int
		reply        string
		wantAuth     string
		wantErr      []string // parts of the message; none means success
		wantIs       error
	}{
		{name: "open registration", status: 201, reply: created},
		{name: "with an initial access token", initialToken: "iat-0123", status: 201, reply: created, wantAuth: "Bearer iat-0123"},
		{name: "an initial access token is needed", status: 401, reply: `{"error": "invalid_token", "error_description": "no access token provided"}`,
			wantErr: []string{"POST ", "/reg: HTTP 401 invalid_token: no access token provided", "pass it with --initial-token env:NAME or file:PATH"}},
		{name: "the initial access token is refused", initialToken: "iat-0123", status: 401, reply: `{"error": "invalid_token"}`,
			wantAuth: "Bearer iat-0123", wantErr: []string{"HTTP 401 invalid_token", "refused the initial access token"}},
		{name: "a client of that id exists", status: 409, reply: `{"error": "conflict"}`, wantErr: []string{"HTTP 409 conflict"}, wantIs: ErrClientExists},
		{name: "bad metadata", status: 400, reply: `{"error": "invalid_redirect_uri", "error_description": "redirect_uris must use https."}`,
			wantErr: []string{"HTTP 400 invalid_redirect_uri: redirect_uris must use https"}},
		{name: "Ory's error shape", status: 403, reply: `{"error": {"code": 403, "message": "The requested action was forbidden", "reason": "Registration is off."}}`,
			wantErr: []string{"HTTP 403 The requested action was forbidden: Registration is off"}},
		{name: "an HTML error page", status: 502, reply: "<html>\n<body>Bad gateway " + strings.Repeat("x", 300) + "</body></html>",
			wantErr: []string{"HTTP 502: <html> <body>Bad gateway", "…"}},
		{name: "a reply without a client id", status: 201, reply: `{"client_secret": "` + testSecret + `"}`, wantErr: []string{"without a client_id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, seen := fakeRegistry(t, tt.status, tt.reply)
			b := NewRFC7591(RFC7591Options{RegistrationURL: srv.URL + "/reg", InitialToken: tt.initialToken})
			reg, err := b.Create(context.Background(), wantedLoginClient())
			if len(*seen) != 1 {
				t.Fatalf("%d requests, want 1", len(*seen))
			}
			req := (*seen)[0]
			if req.Method != http.MethodPost || req.Path != "/reg" || req.Authorization != tt.wantAuth {
				t.Errorf("sent %s %s with Authorization %q, want POST /reg with %q", req.Method, req.Path, req.Authorization, tt.wantAuth)
			}
			want := map[string]any{
				"client_name": "JupyterHub hub.example.org", "redirect_uris": []any{"https://hub.example.org/hub/oauth_callback"},
				"grant_types": []any{"authorization_code"}, "response_types": []any{"code"},
				"token_endpoint_auth_method": "client_secret_post", "scope": "openid profile email",
			}
			if got, _ := json.Marshal(req.Body); string(got) != string(mustMarshal(want)) {
				t.Errorf("sent %s, want %s", got, mustMarshal(want))
			}
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("create: %v", err)
				}
				if reg.ClientID != "c1" || reg.ClientSecret != testSecret || reg.RegistrationURI != "https://idp.example.org/reg/c1" ||
					reg.RegistrationToken != testRAT || !slices.Equal(reg.Scopes, []string{"openid", "profile", "email"}) {
					t.Errorf("create returned %+v", reg)
				}
				return
			}
			if err == nil {
				t.Fatalf("create succeeded, want an error with %q", tt.wantErr)
			}
			for _, part := range tt.wantErr {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q lacks %q", err, part)
				}
			}
			if strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), "iat-0123") {
				t.Errorf("error %q is not one line or shows the initial access token", err)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %q is not %v", err, tt.wantIs)
			}
		})
	}
}

func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// TestRFC7591Manage covers RFC 7592 read, update, rotate and delete.
func TestRFC7591Manage(t *testing.T) {
	const rotatedRAT = "rotated-registration-token-4567"
	current := `{"client_id": "c1", "client_secret": "` + testSecret + `", "redirect_uris": ["https://hub.example.org/hub/oauth_callback"],
		"token_endpoint_auth_method": "client_secret_post", "registration_access_token": "` + rotatedRAT + `"}`
	tests := []struct {
		name   string
		op     string
		status int
		reply  string
		// echo puts the client_secret of the request into the reply.
		echo bool
		// wantOK is Get's ok; wantErr parts of the error, none for success.
		wantOK  bool
		wantErr []string
		wantIs  error
		check   func(t *testing.T, reg Registration, sent registryRequest)
	}{
		{name: "get", op: "get", status: 200, reply: current, wantOK: true, check: func(t *testing.T, reg Registration, sent registryRequest) {
			if reg.ClientSecret != "" || reg.ClientID != "c1" || reg.RegistrationURI == "" {
				t.Errorf("get returned %+v (secret set: %v), want c1 without its secret, with the stored URI", reg, reg.ClientSecret != "")
			}
		}},
		{name: "get of a client that is gone", op: "get", status: 401, reply: `{"error": "invalid_token"}`},
		{name: "get, 404", op: "get", status: 404, reply: `{"error": "not_found"}`},
		{name: "get, server error", op: "get", status: 500, reply: `{"error": "server_error"}`, wantErr: []string{"GET ", "/reg/c1: HTTP 500 server_error"}},
		{name: "update", op: "update", status: 200, reply: current, check: func(t *testing.T, reg Registration, sent registryRequest) {
			if sent.Method != http.MethodPut || sent.Body["client_id"] != "c1" || sent.Body["client_secret"] != nil {
				t.Errorf("update sent %s %v, want a PUT with client_id and no client_secret", sent.Method, sent.Body)
			}
			if reg.RegistrationToken != rotatedRAT || reg.ClientSecret != "" {
				t.Errorf("update returned token %q (secret set: %v), want the rotated token and no secret", reg.RegistrationToken, reg.ClientSecret != "")
			}
		}},
		{name: "update with a token that is not valid", op: "update", status: 401, reply: `{"error": "invalid_token"}`,
			wantErr: []string{"HTTP 401 invalid_token", "not valid any more", "hubctl app create login"}},
		{name: "rotate where the registry takes the secret", op: "rotate", status: 200, reply: current, echo: true,
			check: func(t *testing.T, reg Registration, sent registryRequest) {
				secret, _ := sent.Body["client_secret"].(string)
				if len(secret) != 43 || reg.ClientSecret != secret || reg.RegistrationToken != rotatedRAT {
					t.Errorf("rotate sent secret of %d characters and returned %d (same: %v), token %q", len(secret), len(reg.ClientSecret), reg.ClientSecret == secret, reg.RegistrationToken)
				}
			}},
		{name: "rotate refused (Hydra)", op: "rotate", status: 403,
			reply:   `{"error": {"message": "The requested action was forbidden", "reason": "It is not allowed to choose your own OAuth2 Client secret."}}`,
			wantErr: []string{"choose your own OAuth2 Client secret", "hubctl app delete login and hubctl app create login"}, wantIs: ErrNotSupported},
		{name: "rotate refused (oidc-provider)", op: "rotate", status: 400,
			reply:   `{"error": "invalid_request", "error_description": "provided client_secret does not match the authenticated client's one"}`,
			wantErr: []string{"client_secret does not match"}, wantIs: ErrNotSupported},
		{name: "rotate with other bad metadata", op: "rotate", status: 400, reply: `{"error": "invalid_redirect_uri"}`, wantErr: []string{"invalid_redirect_uri"}},
		{name: "rotate ignored", op: "rotate", status: 200, reply: current, wantErr: []string{"ignored the new client_secret"}, wantIs: ErrNotSupported,
			check: func(t *testing.T, reg Registration, sent registryRequest) {
				if reg.RegistrationToken != rotatedRAT || reg.ClientSecret != "" {
					t.Errorf("an ignored rotate returned token %q (secret set: %v), want the new token to store and no secret", reg.RegistrationToken, reg.ClientSecret != "")
				}
			}},
		{name: "delete", op: "delete", status: 204},
		{name: "delete of a client that is gone", op: "delete", status: 404, reply: `{}`},
		{name: "delete with a token that is not valid", op: "delete", status: 401, reply: `{"error": "invalid_token"}`, wantErr: []string{"HTTP 401", "not valid any more"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sent registryRequest
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				sent = registryRequest{Method: r.Method, Path: r.URL.Path, Authorization: r.Header.Get("Authorization")}
				json.NewDecoder(r.Body).Decode(&sent.Body)
				reply := tt.reply
				if secret, ok := sent.Body["client_secret"].(string); ok && tt.echo {
					reply = strings.Replace(reply, testSecret, secret, 1)
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, reply)
			}))
			defer srv.Close()
			b := NewRFC7591(RFC7591Options{RegistrationURL: srv.URL + "/reg"})
			prev := Stored{Backend: "rfc7591", ClientID: "c1", RegistrationURI: srv.URL + "/reg/c1", RegistrationToken: testRAT}
			ctx := context.Background()
			var reg Registration
			var ok bool
			var err error
			switch tt.op {
			case "get":
				reg, ok, err = b.Get(ctx, wantedLoginClient(), prev)
			case "update":
				reg, err = b.Update(ctx, wantedLoginClient(), prev)
			case "rotate":
				reg, err = b.Rotate(ctx, wantedLoginClient(), prev)
			case "delete":
				err = b.Delete(ctx, wantedLoginClient(), prev)
			}
			if sent.Path != "/reg/c1" || sent.Authorization != "Bearer "+testRAT {
				t.Errorf("sent to %s with %q, want /reg/c1 with the registration access token", sent.Path, sent.Authorization)
			}
			if ok != tt.wantOK {
				t.Errorf("ok = %v, want %v", ok, tt.wantOK)
			}
			if len(tt.wantErr) == 0 && err != nil {
				t.Fatalf("%s: %v", tt.op, err)
			}
			if len(tt.wantErr) > 0 && err == nil {
				t.Fatalf("%s succeeded, want an error with %q", tt.op, tt.wantErr)
			}
			for _, part := range tt.wantErr {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q lacks %q", err, part)
				}
			}
			if err != nil && (strings.Contains(err.Error(), testRAT) || strings.Contains(err.Error(), testSecret)) {
				t.Errorf("error %q shows a secret", err)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %q is not %v", err, tt.wantIs)
			}
			if tt.check != nil {
				tt.check(t, reg, sent)
			}
		})
	}
}

func TestRFC7591WithoutRegistrationToken(t *testing.T) {
	srv, seen := fakeRegistry(t, 200, `{}`)
	b := NewRFC7591(RFC7591Options{RegistrationURL: srv.URL + "/reg"})
	prev := Stored{ClientID: "console-made"}
	ctx := context.Background()
	_, ok, getErr := b.Get(ctx, wantedLoginClient(), prev)
	for name, err := range map[string]error{
		"get":    getErr,
		"update": errorOf(b.Update(ctx, wantedLoginClient(), prev)),
		"rotate": errorOf(b.Rotate(ctx, wantedLoginClient(), prev)),
		"delete": b.Delete(ctx, wantedLoginClient(), prev),
	} {
		// An error, not "not found" or ErrNotSupported: the flow would
		// take either for leave to register a second client.
		if err == nil || errors.Is(err, ErrNotSupported) || !strings.Contains(err.Error(), "no registration access token for login (client console-made)") {
			t.Errorf("%s: got %v, want the missing registration access token explained", name, err)
		}
	}
	if ok || len(*seen) != 0 {
		t.Errorf("ok %v after %d requests, want not found and no requests", ok, len(*seen))
	}
}

func errorOf[T any](_ T, err error) error { return err }

func TestRFC7591DryRun(t *testing.T) {
	srv, seen := fakeRegistry(t, 201, `{}`)
	var out strings.Builder
	client := &http.Client{Transport: &DryRunTransport{Out: &out}}
	b := NewRFC7591(RFC7591Options{HTTPClient: client, RegistrationURL: srv.URL + "/reg", InitialToken: "iat-0123"})
	if _, err := b.Create(context.Background(), wantedLoginClient()); !errors.Is(err, ErrDryRun) || err != ErrDryRun {
		t.Fatalf("create in a dry run: %v, want ErrDryRun itself", err)
	}
	prev := Stored{ClientID: "c1", RegistrationURI: srv.URL + "/reg/c1", RegistrationToken: testRAT}
	if _, err := b.Rotate(context.Background(), wantedLoginClient(), prev); err != ErrDryRun {
		t.Fatalf("rotate in a dry run: %v, want ErrDryRun", err)
	}
	printed := out.String()
	if len(*seen) != 0 || !strings.Contains(printed, "POST "+srv.URL+"/reg") || !strings.Contains(printed, `"client_secret":"********"`) {
		t.Errorf("%d requests sent; printed:\n%s", len(*seen), printed)
	}
	for _, secret := range []string{"iat-0123", testRAT} {
		if strings.Contains(printed, secret) {
			t.Errorf("the dry run printed %q", secret)
		}
	}
}
