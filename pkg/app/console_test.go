package app

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubctl/hubctl/pkg/golden"
)

// consoleTokenEndpoint answers a token request as a provider does for a code
// that does not exist: invalid_grant for the right client, invalid_client
// (or GitHub's incorrect_client_credentials) for a wrong one.
func consoleTokenEndpoint(t *testing.T, id, secret, wrongCode string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			t.Error(err)
		}
		gotID, gotSecret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		if u, p, ok := r.BasicAuth(); ok {
			gotID, gotSecret = u, p
		}
		w.Header().Set("Content-Type", "application/json")
		if gotID != id || gotSecret != secret {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"` + wrongCode + `"}`))
			return
		}
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"invalid_grant"}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

var consoleClient = Client{Name: LoginClient, DisplayName: "JupyterHub hub.example.org",
	RedirectURIs: []string{"https://hub.example.org/hub/oauth_callback"}, Scopes: []string{"openid", "profile", "email"},
	AuthMethod: "client_secret_post", GrantTypes: []string{"authorization_code"}, PKCE: true}

func TestConsoleFor(t *testing.T) {
	tests := map[string]string{
		"https://github.com/login/oauth/authorize":                       "github",
		"https://accounts.google.com":                                    "google",
		"https://login.microsoftonline.com/0f3b-tenant/v2.0":             "entra",
		"https://id.example.org/realms/hub":                              "",
		"https://github.com.evil.example/login/oauth/authorize":          "",
		"https://login.microsoftonline.com.example.org/0f3b-tenant/v2.0": "",
		"::not a url": "",
	}
	for in, want := range tests {
		if got := ConsoleFor(in); got != want {
			t.Errorf("ConsoleFor(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestConsoleStepsPerProvider(t *testing.T) {
	for _, tt := range []struct{ name, loginURL string }{
		{"github", "https://github.com"},
		{"google", "https://accounts.google.com"},
		{"entra", "https://login.microsoftonline.com/0f3b-tenant/v2.0"},
		{"generic", "https://id.example.org/realms/hub"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			b := NewConsole(ConsoleOptions{LoginURL: tt.loginURL, Out: &out,
				Prompt: NewReaderPrompter(strings.NewReader("the-client-id\nthe-client-secret\n"), nil)})
			reg, err := b.Create(context.Background(), consoleClient)
			if err != nil {
				t.Fatal(err)
			}
			if reg.ClientID != "the-client-id" || reg.ClientSecret != "the-client-secret" {
				t.Errorf("registration %+v", reg)
			}
			if strings.Contains(out.String(), "the-client-secret") {
				t.Error("the secret was echoed")
			}
			golden.Assert(t, filepath.Join("golden", "app", "console-"+tt.name+".txt"), out.Bytes())
		})
	}
}

func TestConsoleTriesTheAnswersAtTheTokenEndpoint(t *testing.T) {
	tests := []struct {
		name, answers, wrongCode, authMethod string
		wantErr                              string
	}{
		{name: "right answers", answers: "cid\ngood-secret\n", wrongCode: "invalid_client", authMethod: "client_secret_post"},
		{name: "right answers, basic auth", answers: "cid\ngood-secret\n", wrongCode: "invalid_client", authMethod: "client_secret_basic"},
		{name: "wrong secret", answers: "cid\nbad-secret\n", wrongCode: "invalid_client", authMethod: "client_secret_post", wantErr: "refuses client cid"},
		{name: "GitHub's wrong secret", answers: "cid\nbad-secret\n", wrongCode: "incorrect_client_credentials", authMethod: "client_secret_post", wantErr: "incorrect_client_credentials"},
		{name: "a space in the id", answers: "c id\ngood-secret\n", wrongCode: "invalid_client", authMethod: "client_secret_post", wantErr: "is not one"},
		{name: "no secret", answers: "cid\n\n", wrongCode: "invalid_client", authMethod: "client_secret_post", wantErr: "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := consoleTokenEndpoint(t, "cid", "good-secret", tt.wrongCode)
			c := consoleClient
			c.AuthMethod = tt.authMethod
			var out bytes.Buffer
			b := NewConsole(ConsoleOptions{LoginURL: "https://id.example.org", Out: &out, HTTPClient: srv.Client(),
				TokenURL: func(context.Context) (string, error) { return srv.URL + "/token", nil },
				Prompt:   NewReaderPrompter(strings.NewReader(tt.answers), nil)})
			_, err := b.Create(context.Background(), c)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err %v, want one saying %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "bad-secret") || strings.Contains(err.Error(), "good-secret") {
				t.Errorf("a secret is in the error: %v", err)
			}
		})
	}
}

func TestConsoleRotateAsksOnlyForTheSecret(t *testing.T) {
	srv := consoleTokenEndpoint(t, "cid", "new-secret", "invalid_client")
	var out bytes.Buffer
	b := NewConsole(ConsoleOptions{LoginURL: "https://github.com", Out: &out, HTTPClient: srv.Client(),
		TokenURL: func(context.Context) (string, error) { return srv.URL, nil },
		Prompt:   WithAnswers("", "new-secret", nil)})
	c := consoleClient
	c.ClientID = "cid"
	reg, err := b.Rotate(context.Background(), c, Stored{ClientID: "cid"})
	if err != nil || reg.ClientID != "cid" || reg.ClientSecret != "new-secret" {
		t.Fatalf("rotate: %+v, %v", reg, err)
	}
	if !strings.Contains(out.String(), "Generate a new client secret") {
		t.Errorf("rotate did not say how: %q", out.String())
	}
}

func TestConsoleCannotReadChangeOrDelete(t *testing.T) {
	var out bytes.Buffer
	b := NewConsole(ConsoleOptions{LoginURL: "https://accounts.google.com", Out: &out})
	ctx := context.Background()
	if _, _, err := b.Get(ctx, consoleClient, Stored{ClientID: "cid"}); !errors.Is(err, ErrNotSupported) {
		t.Errorf("Get: %v", err)
	}
	if _, err := b.Update(ctx, consoleClient, Stored{ClientID: "cid"}); !errors.Is(err, ErrNotSupported) {
		t.Errorf("Update: %v", err)
	}
	if err := b.Delete(ctx, consoleClient, Stored{ClientID: "cid"}); !errors.Is(err, ErrNotSupported) ||
		!strings.Contains(out.String(), "console.cloud.google.com") {
		t.Errorf("Delete: %v; said %q", err, out.String())
	}
}

func TestWithAnswersFallsBackToThePrompt(t *testing.T) {
	p := WithAnswers("flag-id", "", NewReaderPrompter(strings.NewReader("typed-secret\n"), nil))
	id, _ := p.Line("Client ID")
	sec, err := p.Secret("Client secret")
	if id != "flag-id" || sec != "typed-secret" || err != nil {
		t.Errorf("got %q, %q, %v", id, sec, err)
	}
}
