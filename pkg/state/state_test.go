package state

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hubctl/hubctl/pkg/secret"
)

func newStore(t *testing.T) *Store {
	t.Helper()
	return Open(filepath.Join(t.TempDir(), "hubctl.yaml"))
}

func TestOpenTouchesNothing(t *testing.T) {
	dir := t.TempDir()
	s := Open(filepath.Join(dir, "hubctl.yaml"))
	if s.Dir() != filepath.Join(dir, ".hubctl") {
		t.Errorf("Dir() = %s", s.Dir())
	}
	st, err := s.Load()
	if err != nil || st.Version != Version || len(st.Clients) != 0 || len(st.Secrets) != 0 {
		t.Errorf("Load of a missing state = %v, %v; want an empty state", st, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("Open and Load created %v", entries)
	}
}

func TestSaveAndLoad(t *testing.T) {
	s := newStore(t)
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	st := &State{}
	st.SetClient(ClientState{Name: "nbviewer", Backend: "hub", ClientID: "service-nbviewer", UpdatedAt: at})
	st.SetClient(ClientState{Name: "login", Backend: "rfc7591", ClientID: "abc", RegistrationURI: "https://idp/reg/abc", RegistrationToken: "rat-1", UpdatedAt: at})
	st.SetClient(ClientState{Name: "login", Backend: "rfc7591", ClientID: "abc", RegistrationURI: "https://idp/reg/abc", RegistrationToken: "rat-2", UpdatedAt: at})
	st.SetSecret("env:HUB_CLIENT_SECRET", "s3cret-value")
	st.SetSecret("k8sSecret:hub/token", "tok-1")
	st.SetSecret("k8sSecret:hub/token", "tok-2")
	st.SetSecret("", "never stored")
	if err := s.Save(st); err != nil {
		t.Fatal(err)
	}

	dirInfo, err := os.Stat(s.Dir())
	if err != nil || dirInfo.Mode().Perm() != 0o700 {
		t.Errorf("state directory mode %v, %v; want 0700", dirInfo.Mode().Perm(), err)
	}
	if info, err := os.Stat(s.Path()); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, %v; want 0600", info.Mode().Perm(), err)
	}
	if data, err := os.ReadFile(filepath.Join(s.Dir(), ".gitignore")); err != nil || string(data) != "*\n" {
		t.Errorf(".gitignore = %q, %v", data, err)
	}

	got, err := Open(filepath.Join(filepath.Dir(s.Dir()), "hubctl.yaml")).Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Clients) != 2 || got.Clients[0].Name != "login" {
		t.Fatalf("clients %v, want login then nbviewer", got.Clients)
	}
	login, ok := got.Client("login")
	if !ok || login.RegistrationToken != "rat-2" || login.RegistrationURI != "https://idp/reg/abc" || !login.UpdatedAt.Equal(at) {
		t.Errorf("login = %+v, %v", login, ok)
	}
	if v, ok := got.Secret("k8sSecret:hub/token"); !ok || v != "tok-2" {
		t.Errorf("k8s secret = %q, %v", v, ok)
	}
	if v, ok := got.Lookup(secret.Ref{Kind: secret.Env, Env: "HUB_CLIENT_SECRET"}); !ok || v != "s3cret-value" {
		t.Errorf("Lookup(env) = %q, %v", v, ok)
	}
	if _, ok := got.Secret(""); ok || len(got.Secrets) != 2 {
		t.Errorf("secrets %d, want 2 and nothing under the empty key", len(got.Secrets))
	}

	got.DeleteClient("login")
	got.DeleteSecret("env:HUB_CLIENT_SECRET")
	if _, ok := got.Client("login"); ok {
		t.Error("DeleteClient kept login")
	}
	if _, ok := got.Secret("env:HUB_CLIENT_SECRET"); ok {
		t.Error("DeleteSecret kept the secret")
	}
	if _, ok := got.Client("nbviewer"); !ok {
		t.Error("DeleteClient removed another client")
	}
}

func TestRefKey(t *testing.T) {
	for _, tc := range []struct {
		ref  secret.Ref
		want string
	}{
		{secret.Ref{Kind: secret.Env, Env: "HUB_TOKEN"}, "env:HUB_TOKEN"},
		{secret.Ref{Kind: secret.K8s, K8s: secret.K8sRef{Name: "hub-secrets", Key: "client-secret"}}, "k8sSecret:hub-secrets/client-secret"},
		{secret.Ref{Kind: secret.File, File: "secrets/token"}, ""},
		{secret.Ref{Kind: secret.Literal, Literal: "x"}, ""},
		{secret.Ref{}, ""},
	} {
		if got := RefKey(tc.ref); got != tc.want {
			t.Errorf("RefKey(%v) = %q, want %q", tc.ref, got, tc.want)
		}
	}
}

func TestNoSecretInFormatting(t *testing.T) {
	st := &State{Version: Version}
	st.SetClient(ClientState{Name: "login", ClientID: "abc", RegistrationToken: "rat-secret-1"})
	st.SetSecret("env:S", "client-secret-1")
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, v := range []any{st, st.Clients[0], st.Secrets[0], *st} {
			out := fmt.Sprintf(verb, v)
			if strings.Contains(out, "rat-secret-1") || strings.Contains(out, "client-secret-1") {
				t.Errorf("%s of %T shows a secret: %s", verb, v, out)
			}
		}
	}
}

func TestCorruptStateIsAnErrorAndKept(t *testing.T) {
	for _, tc := range []struct{ name, content, want string }{
		{"truncated", `{"version": 1, "secrets": [{"ref": "env:S", "value": "hunter2`, "not valid JSON"},
		{"wrong type", `{"version": 1, "clients": {"name": "hunter2"}}`, "not valid JSON"},
		{"no version", `{"clients": []}`, "has no version"},
		{"newer", `{"version": 99}`, "written by a newer hubctl"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			if err := os.MkdirAll(s.Dir(), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(s.Path(), []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := s.Load()
			if err == nil || !strings.Contains(err.Error(), s.Path()) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load: %v; want an error naming %s and saying %q", err, s.Path(), tc.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("the error shows the file's content: %v", err)
			}
			if err := s.Save(&State{}); err == nil || !strings.Contains(err.Error(), s.Path()) {
				t.Errorf("Save over a corrupt state: %v; want a refusal naming the file", err)
			}
			if data, _ := os.ReadFile(s.Path()); string(data) != tc.content {
				t.Errorf("the corrupt state was changed to %q", data)
			}
		})
	}
}

// A write that fails, wherever it fails, leaves the previous state as it
// was.
func TestFailedSaveKeepsThePreviousState(t *testing.T) {
	for _, tc := range []struct {
		name     string
		sabotage func(t *testing.T, s *Store)
		want     string
	}{
		{"the write fails", func(t *testing.T, s *Store) {
			s.writeFile = func(string, []byte, os.FileMode) error { return errors.New("no space left on device") }
		}, "no space left on device"},
		{"atomicfile refuses the target", func(t *testing.T, s *Store) {
			// A second hard link makes the rename unfaithful: refused before
			// anything is written.
			if err := os.Link(s.Path(), filepath.Join(t.TempDir(), "other-name")); err != nil {
				t.Fatal(err)
			}
		}, "hard links"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			prev := &State{}
			prev.SetClient(ClientState{Name: "login", Backend: "rfc7591", ClientID: "old-id"})
			prev.SetSecret("env:S", "old-secret")
			if err := s.Save(prev); err != nil {
				t.Fatal(err)
			}
			before, _ := os.ReadFile(s.Path())
			tc.sabotage(t, s)
			next := &State{}
			next.SetClient(ClientState{Name: "login", Backend: "rfc7591", ClientID: "new-id"})
			err := s.Save(next)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "previous one is unchanged") {
				t.Fatalf("Save: %v; want %q", err, tc.want)
			}
			after, _ := os.ReadFile(s.Path())
			if string(after) != string(before) {
				t.Errorf("the state changed from %q to %q", before, after)
			}
			st, err := Open(filepath.Join(filepath.Dir(s.Dir()), "x.yaml")).Load()
			if c, _ := st.Client("login"); err != nil || c.ClientID != "old-id" {
				t.Errorf("Load after the failure: %v, %v", c, err)
			}
			if entries, _ := os.ReadDir(s.Dir()); len(entries) != 2 {
				t.Errorf("files left in the state directory: %v", entries)
			}
		})
	}
}

func TestLock(t *testing.T) {
	s := newStore(t)
	unlock, err := s.Lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(filepath.Join(s.Dir(), ".gitignore")); err != nil || string(data) != "*\n" {
		t.Errorf("the lock's directory has no .gitignore: %q, %v", data, err)
	}

	// A second store on the same spec is what another hubctl process sees:
	// flock locks belong to open files, not to the process.
	other := Open(filepath.Join(filepath.Dir(s.Dir()), "hubctl.yaml"))
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := other.Lock(ctx); err == nil || !strings.Contains(err.Error(), "another hubctl holds the lock") ||
		!strings.Contains(err.Error(), filepath.Join(s.Dir(), "lock")) {
		t.Fatalf("second Lock: %v; want one naming the lock file", err)
	}
	if waited := time.Since(start); waited < 100*time.Millisecond {
		t.Errorf("the second Lock gave up after %v, before its context was done", waited)
	}

	// The waiter takes the lock as soon as the holder lets go.
	got := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		u, err := other.Lock(ctx)
		if err == nil {
			err = u()
		}
		got <- err
	}()
	time.Sleep(100 * time.Millisecond)
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Errorf("Lock after the holder unlocked: %v", err)
	}

	canceled, cancelNow := context.WithCancel(context.Background())
	cancelNow()
	u, err := s.Lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer u()
	if _, err := other.Lock(canceled); err == nil || !errors.Is(err, context.Canceled) {
		t.Errorf("Lock with a canceled context: %v", err)
	}
}
