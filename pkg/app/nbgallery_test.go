package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeDoorkeeper answers like NBGallery's Doorkeeper admin pages: a
// session cookie, CSRF on changes, the JSON API and the HTML index.
type fakeDoorkeeper struct {
	mu sync.Mutex
	// session is the cookie value of a signed-in admin; rotate makes the
	// New Application page set a new one, which later requests must send.
	session string
	rotate  bool
	// csrf is the token the page shows; wantCSRF what changes must carry.
	csrf, wantCSRF string
	// off leaves Doorkeeper's routes undrawn.
	off    bool
	apps   map[int]map[string]any
	nextID int
	forms  []map[string]string
}

func newFakeDoorkeeper() *fakeDoorkeeper {
	return &fakeDoorkeeper{session: "admin-session-value", csrf: "csrf+token/1==", wantCSRF: "csrf+token/1==",
		apps: map[int]map[string]any{}, nextID: 1}
}

func (f *fakeDoorkeeper) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.off {
		http.NotFound(w, r)
		return
	}
	if c, err := r.Cookie(NBGallerySessionCookie); err != nil || c.Value != f.session {
		http.Redirect(w, r, "/users/sign_in", http.StatusFound)
		return
	}
	if r.Method != http.MethodGet && r.Header.Get("X-CSRF-Token") != f.wantCSRF {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusUnprocessableEntity)
		fmt.Fprint(w, "<h1>ActionController::InvalidAuthenticityToken</h1>")
		return
	}
	path := r.URL.Path
	switch {
	case r.Method == http.MethodGet && path == "/oauth/applications/new":
		if f.rotate {
			f.session = "rotated-session-value"
			http.SetCookie(w, &http.Cookie{Name: NBGallerySessionCookie, Value: f.session, Path: "/"})
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<html><head><meta content="%s" name='csrf-token' /></head><body>
<form action="/oauth/applications" method="post"><input type="hidden" name="authenticity_token" value="per-form"></form></body></html>`, f.csrf)
	case r.Method == http.MethodGet && path == "/oauth/applications":
		w.Header().Set("Content-Type", "text/html")
		for id := range f.apps {
			fmt.Fprintf(w, `<tr><td><a href="/oauth/applications/%d">x</a></td><td><a href="/oauth/applications/%d/edit">Edit</a></td></tr>`, id, id)
		}
	case r.Method == http.MethodPost && path == "/oauth/applications.json":
		form := f.form(r)
		if strings.Contains(form["redirect_uri"], "http://") {
			f.json(w, http.StatusUnprocessableEntity, map[string]any{"errors": []string{"Redirect URI must be an HTTPS/SSL URI."}})
			return
		}
		id := f.nextID
		f.nextID++
		f.apps[id] = map[string]any{"id": id, "name": form["name"], "uid": "uid-" + strconv.Itoa(id), "secret": "secret-" + strconv.Itoa(id),
			"redirect_uri": form["redirect_uri"], "scopes": form["scopes"], "confidential": form["confidential"] == "1"}
		f.json(w, http.StatusOK, f.apps[id])
	case strings.HasPrefix(path, "/oauth/applications/") && strings.HasSuffix(path, ".json"):
		id, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(path, "/oauth/applications/"), ".json"))
		a, ok := f.apps[id]
		if !ok {
			http.NotFound(w, r)
			return
		}
		switch r.Method {
		case http.MethodGet:
			f.json(w, http.StatusOK, a)
		case http.MethodPatch:
			form := f.form(r)
			a["name"], a["redirect_uri"], a["scopes"] = form["name"], form["redirect_uri"], form["scopes"]
			f.json(w, http.StatusOK, a)
		case http.MethodDelete:
			delete(f.apps, id)
			w.WriteHeader(http.StatusNoContent)
		}
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeDoorkeeper) form(r *http.Request) map[string]string {
	_ = r.ParseForm()
	m := map[string]string{}
	for k := range r.PostForm {
		m[strings.TrimSuffix(strings.TrimPrefix(k, "doorkeeper_application["), "]")] = r.PostForm.Get(k)
	}
	f.forms = append(f.forms, m)
	return m
}

func (f *fakeDoorkeeper) json(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func httpsLoginClient() Client {
	return Client{Name: LoginClient, DisplayName: "JupyterHub hub.example.org", RedirectURIs: []string{"https://hub.example.org/hub/oauth_callback"},
		Scopes: []string{"read"}, AuthMethod: "client_secret_post"}
}

func TestNBGallerySessionMode(t *testing.T) {
	for _, cookieFile := range []string{"admin-session-value", NBGallerySessionCookie + "=admin-session-value; other=1"} {
		t.Run(cookieFile, func(t *testing.T) {
			ctx := context.Background()
			f := newFakeDoorkeeper()
			f.rotate = true
			srv := httptest.NewServer(f)
			defer srv.Close()
			var out strings.Builder
			b := NewNBGallery(NBGalleryOptions{BaseURL: srv.URL + "/", SessionCookie: cookieFile + "\n", Out: &out})
			c := httpsLoginClient()
			c.RedirectURIs = append(c.RedirectURIs, "https://hub2.example.org/hub/oauth_callback")

			reg, err := b.Create(ctx, c)
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			want := Registration{ClientID: "uid-1", ClientSecret: "secret-1", RedirectURIs: c.RedirectURIs, Scopes: []string{"read"},
				RegistrationURI: srv.URL + "/oauth/applications/1"}
			if !equalRegistration(reg, want) {
				t.Errorf("Create = %+v, want %+v", reg, want)
			}
			wantForm := map[string]string{"name": "JupyterHub hub.example.org", "confidential": "1", "scopes": "read",
				"redirect_uri": "https://hub.example.org/hub/oauth_callback\nhttps://hub2.example.org/hub/oauth_callback"}
			if got := f.forms[0]; fmt.Sprint(got) != fmt.Sprint(wantForm) {
				t.Errorf("the form sent: %v, want %v", got, wantForm)
			}

			c.ClientID = reg.ClientID
			for _, prev := range []Stored{{ClientID: reg.ClientID, RegistrationURI: reg.RegistrationURI}, {ClientID: reg.ClientID}} {
				got, ok, err := b.Get(ctx, c, prev)
				if !ok || err != nil || got.ClientID != "uid-1" || got.ClientSecret != "" {
					t.Errorf("Get(%+v) = %+v, %v, %v", prev, got, ok, err)
				}
			}
			if _, ok, err := b.Get(ctx, Client{Name: LoginClient, ClientID: "uid-unknown"}, Stored{}); ok || err != nil {
				t.Errorf("Get of an unknown UID: ok %v, %v", ok, err)
			}

			c.Scopes = []string{"read", "write"}
			upd, err := b.Update(ctx, c, Stored{ClientID: reg.ClientID})
			if err != nil || !slices.Equal(upd.Scopes, []string{"read", "write"}) || upd.ClientSecret != "" {
				t.Errorf("Update = %+v, %v", upd, err)
			}

			rot, err := b.Rotate(ctx, c, Stored{ClientID: reg.ClientID, RegistrationURI: reg.RegistrationURI})
			if err != nil || rot.ClientID != "uid-2" || rot.ClientSecret != "secret-2" {
				t.Fatalf("Rotate = %+v, %v", rot, err)
			}
			if _, ok := f.apps[1]; ok {
				t.Error("Rotate left the old application")
			}
			if !strings.Contains(out.String(), "replaces login.clientId") {
				t.Errorf("Rotate did not say the UID changes: %q", out.String())
			}

			c.ClientID = rot.ClientID
			if err := b.Delete(ctx, c, Stored{ClientID: rot.ClientID, RegistrationURI: rot.RegistrationURI}); err != nil || len(f.apps) != 0 {
				t.Errorf("Delete: %v, applications left %v", err, f.apps)
			}
			if err := b.Delete(ctx, c, Stored{ClientID: rot.ClientID}); err != nil {
				t.Errorf("a second Delete: %v, want nothing to do", err)
			}
		})
	}
}

func equalRegistration(a, b Registration) bool {
	return a.ClientID == b.ClientID && a.ClientSecret == b.ClientSecret && slices.Equal(a.RedirectURIs, b.RedirectURIs) &&
		slices.Equal(a.Scopes, b.Scopes) && a.RegistrationURI == b.RegistrationURI && a.Pending == b.Pending
}

func TestNBGallerySessionModeRefusals(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(*fakeDoorkeeper)
		cookie  string
		client  func(Client) Client
		want    string
		expired bool
	}{
		{name: "a stale session", cookie: "stale-session-value", want: "redirected to /users/sign_in", expired: true},
		{name: "a CSRF token Rails refuses", setup: func(f *fakeDoorkeeper) { f.wantCSRF = "another" }, want: "refused the CSRF token (HTTP 422)", expired: true},
		{name: "the provider is off", setup: func(f *fakeDoorkeeper) { f.off = true }, want: "its OAuth provider is off; set oauth_provider_enabled"},
		{name: "an http redirect URI", client: func(c Client) Client {
			c.RedirectURIs = []string{"http://hub.example.org/hub/oauth_callback"}
			return c
		},
			want: "NBGallery refused the application: Redirect URI must be an HTTPS/SSL URI. (NBGallery in production accepts only https"},
		{name: "a cookie file with no cookie", cookie: "two words", want: "holds no cookie value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeDoorkeeper()
			if tt.setup != nil {
				tt.setup(f)
			}
			srv := httptest.NewServer(f)
			defer srv.Close()
			cookie := tt.cookie
			if cookie == "" {
				cookie = f.session
			}
			c := httpsLoginClient()
			if tt.client != nil {
				c = tt.client(c)
			}
			_, err := NewNBGallery(NBGalleryOptions{BaseURL: srv.URL, SessionCookie: cookie}).Create(context.Background(), c)
			if err == nil || !strings.Contains(err.Error(), tt.want) || errors.Is(err, ErrSessionExpired) != tt.expired {
				t.Fatalf("Create: %v; want %q (session expired: %v)", err, tt.want, tt.expired)
			}
			if strings.Contains(err.Error(), cookie) {
				t.Errorf("the error shows the session cookie: %v", err)
			}
			if tt.expired && !strings.Contains(err.Error(), "--session-cookie-file") {
				t.Errorf("the error does not say to refresh the cookie file: %v", err)
			}
		})
	}
}

func TestNBGallerySessionModeDryRun(t *testing.T) {
	f := newFakeDoorkeeper()
	srv := httptest.NewServer(f)
	defer srv.Close()
	var printed strings.Builder
	client := &http.Client{Transport: &DryRunTransport{Out: &printed}}
	_, err := NewNBGallery(NBGalleryOptions{HTTPClient: client, BaseURL: srv.URL, SessionCookie: f.session}).Create(context.Background(), httpsLoginClient())
	if !errors.Is(err, ErrDryRun) {
		t.Fatalf("Create in a dry run: %v, want ErrDryRun", err)
	}
	if got := printed.String(); !strings.Contains(got, "POST "+srv.URL+"/oauth/applications.json") || strings.Contains(got, f.session) ||
		!strings.Contains(got, "doorkeeper_application%5Bconfidential%5D=1") {
		t.Errorf("the dry run printed %q", got)
	}
	if len(f.apps) != 0 {
		t.Error("the dry run created an application")
	}
}

func TestParseSessionCookie(t *testing.T) {
	tests := []struct {
		name, in string
		want     string // name=value pairs
		wantErr  string
	}{
		{name: "a bare value", in: "abc%3D%3D--def\n", want: NBGallerySessionCookie + "=abc%3D%3D--def"},
		{name: "a Cookie header", in: "Cookie: a=1; " + NBGallerySessionCookie + "=v", want: "a=1 " + NBGallerySessionCookie + "=v"},
		{name: "name=value", in: "_custom_session=v", want: "_custom_session=v"},
		{name: "cookies.txt", in: "# Netscape HTTP Cookie File\n#HttpOnly_gallery.example.org\tFALSE\t/\tTRUE\t0\t" + NBGallerySessionCookie + "\tv1\n",
			want: NBGallerySessionCookie + "=v1"},
		{name: "empty", in: " \n", wantErr: "is empty"},
		{name: "several lines", in: "a=1\nb=2", wantErr: "several lines"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cookies, err := ParseSessionCookie(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, %v; want %q", cookies, err, tt.wantErr)
				}
				return
			}
			var pairs []string
			for _, c := range cookies {
				pairs = append(pairs, c.Name+"="+c.Value)
			}
			if err != nil || strings.Join(pairs, " ") != tt.want {
				t.Errorf("got %v, %v; want %s", pairs, err, tt.want)
			}
		})
	}
}

// tokenEndpoint answers a token request like Doorkeeper: invalid_client
// unless the credentials are uid/secret, then invalid_grant for the code.
func tokenEndpoint(uid, secret string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path != "/oauth/token" || r.PostFormValue("client_id") != uid || r.PostFormValue("client_secret") != secret {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":"invalid_client"}`)
			return
		}
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"error":"invalid_grant"}`)
	})
}

func TestNBGalleryGuidedMode(t *testing.T) {
	srv := httptest.NewServer(tokenEndpoint("the-uid", "the-secret"))
	defer srv.Close()
	tests := []struct {
		name, input string
		client      func(Client) Client
		noPrompt    bool
		wantOut     []string
		wantErr     string
	}{
		{name: "the form's answers", input: "the-uid\nthe-secret\n",
			wantOut: []string{srv.URL + "/oauth/applications/new", "Name:          JupyterHub hub.example.org",
				"                      https://hub.example.org/hub/oauth_callback\n", "Confidential:  checked", "Scopes:        read\n", "requires https"}},
		{name: "an http redirect URI and an unknown scope", input: "the-uid\nthe-secret\n",
			client: func(c Client) Client {
				c.RedirectURIs, c.Scopes = []string{"http://127.0.0.1:8000/hub/oauth_callback"}, []string{"read", "openid"}
				return c
			},
			wantOut: []string{"warning: NBGallery in production accepts only https redirect URIs and refuses http://127.0.0.1:8000/hub/oauth_callback",
				`warning: NBGallery knows only the scopes read and write and refuses "openid"`, "Scopes:        read openid\n"}},
		{name: "a secret copied wrong", input: "the-uid\nthe-secret-\n", wantErr: "does not accept UID the-uid with the secret entered (invalid_client)"},
		{name: "no UID", input: "\nthe-secret\n", wantErr: "is not one: copy the UID"},
		{name: "no way to ask", noPrompt: true, wantErr: "pass --client-id and --client-secret-file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			o := NBGalleryOptions{BaseURL: srv.URL, Out: &out, Prompt: NewReaderPrompter(strings.NewReader(tt.input), &out)}
			if tt.noPrompt {
				o.Prompt = nil
			}
			c := httpsLoginClient()
			if tt.client != nil {
				c = tt.client(c)
			}
			reg, err := NewNBGallery(o).Create(context.Background(), c)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Create: %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "the-secret") {
					t.Errorf("the error shows the secret: %v", err)
				}
				return
			}
			if err != nil || reg.ClientID != "the-uid" || reg.ClientSecret != "the-secret" {
				t.Fatalf("Create = %+v, %v", reg, err)
			}
			for _, want := range tt.wantOut {
				if !strings.Contains(out.String(), want) {
					t.Errorf("the steps lack %q:\n%s", want, out.String())
				}
			}
			if strings.Contains(out.String(), "the-secret") {
				t.Error("the steps show the secret")
			}
		})
	}
}

func TestNBGalleryGuidedModeByHand(t *testing.T) {
	srv := httptest.NewServer(tokenEndpoint("new-uid", "new-secret"))
	defer srv.Close()
	ctx := context.Background()
	c := httpsLoginClient()
	c.ClientID = "old-uid"
	prev := Stored{ClientID: "old-uid"}
	tests := []struct {
		name    string
		op      func(Backend) error
		wantOut string
	}{
		{name: "get", op: func(b Backend) error { _, _, err := b.Get(ctx, c, prev); return err }},
		{name: "update", op: func(b Backend) error { _, err := b.Update(ctx, c, prev); return err },
			wantOut: `press Edit beside "JupyterHub hub.example.org" (UID old-uid)`},
		{name: "delete", op: func(b Backend) error { return b.Delete(ctx, c, prev) },
			wantOut: `press Destroy beside "JupyterHub hub.example.org" (UID old-uid)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			err := tt.op(NewNBGallery(NBGalleryOptions{BaseURL: srv.URL, Out: &out}))
			if !errors.Is(err, ErrNotSupported) || !strings.Contains(err.Error(), "--session-cookie-file") {
				t.Errorf("got %v, want ErrNotSupported naming session mode", err)
			}
			if !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("the steps %q lack %q", out.String(), tt.wantOut)
			}
		})
	}
	t.Run("rotate", func(t *testing.T) {
		var out strings.Builder
		b := NewNBGallery(NBGalleryOptions{BaseURL: srv.URL, Out: &out, Prompt: NewReaderPrompter(strings.NewReader("new-uid\nnew-secret\n"), nil)})
		reg, err := b.Rotate(ctx, c, prev)
		if err != nil || reg.ClientID != "new-uid" || reg.ClientSecret != "new-secret" {
			t.Fatalf("Rotate = %+v, %v", reg, err)
		}
		if !strings.Contains(out.String(), "cannot regenerate a secret") || !strings.Contains(out.String(), "delete the old application (UID old-uid)") {
			t.Errorf("Rotate's steps: %q", out.String())
		}
	})
}
