package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hubctl/hubctl/pkg/secret"
	"github.com/hubctl/hubctl/pkg/state"
)

// memoryRegistry is a Backend that keeps its clients in a map, with a
// switch for each way a registry fails, so that the flows' storing and
// error paths can be driven one by one.
type memoryRegistry struct {
	mu      sync.Mutex
	clients map[string]Registration
	next    int
	calls   []string

	failCreate error
	// rotateKeepsSecret makes Rotate behave as a registry that takes the
	// update, keeps the old secret and hands out a new registration token.
	rotateKeepsSecret bool
}

func newMemoryRegistry() *memoryRegistry {
	return &memoryRegistry{clients: map[string]Registration{}}
}

func (m *memoryRegistry) Name() string { return "memory" }

func (m *memoryRegistry) record(op string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls = append(m.calls, op)
}

func (m *memoryRegistry) Get(_ context.Context, c Client, _ Stored) (Registration, bool, error) {
	m.record("get")
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.clients[c.ClientID]
	r.ClientSecret = ""
	return r, ok, nil
}

func (m *memoryRegistry) Create(_ context.Context, c Client) (Registration, error) {
	m.record("create")
	if m.failCreate != nil {
		return Registration{}, m.failCreate
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.next++
	r := Registration{ClientID: fmt.Sprintf("client-%d", m.next), ClientSecret: fmt.Sprintf("secret-%d-aaaa", m.next),
		RedirectURIs: c.RedirectURIs, Scopes: c.Scopes, AuthMethod: c.AuthMethod,
		RegistrationURI: "https://registry.test/clients/" + fmt.Sprint(m.next), RegistrationToken: fmt.Sprintf("rat-%d-1", m.next)}
	m.clients[r.ClientID] = r
	return r, nil
}

func (m *memoryRegistry) Update(_ context.Context, c Client, prev Stored) (Registration, error) {
	m.record("update")
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.clients[prev.ClientID]
	r.RedirectURIs, r.Scopes, r.AuthMethod = c.RedirectURIs, c.Scopes, c.AuthMethod
	m.clients[prev.ClientID] = r
	r.ClientSecret = ""
	return r, nil
}

func (m *memoryRegistry) Rotate(_ context.Context, c Client, prev Stored) (Registration, error) {
	m.record("rotate")
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.clients[prev.ClientID]
	r.RegistrationToken += "-rotated"
	m.clients[prev.ClientID] = r
	if m.rotateKeepsSecret {
		r.ClientSecret = ""
		return r, fmt.Errorf("%w: the registry kept the old secret", ErrNotSupported)
	}
	r.ClientSecret += "-rotated"
	m.clients[prev.ClientID] = r
	return r, nil
}

func (m *memoryRegistry) Delete(_ context.Context, c Client, prev Stored) error {
	m.record("delete")
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.clients, prev.ClientID)
	return nil
}

const flowSpec = `# the hub's login
login:
  provider: oidc   # Hydra
  url: https://id.example.org
  clientId: ""
  clientSecret: {file: secrets/login}
`

// flowSetup writes a spec and returns an Env and a login Target on reg.
func flowSetup(t *testing.T, reg Backend, ref secret.Ref) (Env, Target, *bytes.Buffer) {
	t.Helper()
	dir := t.TempDir()
	specPath := filepath.Join(dir, "hubctl.yaml")
	if err := os.WriteFile(specPath, []byte(flowSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "secrets"), 0o700); err != nil {
		t.Fatal(err)
	}
	store := state.Open(specPath)
	var out bytes.Buffer
	env := Env{SpecPath: specPath, Store: store, Out: &out,
		Resolver: secret.Resolver{BaseDir: dir, LookupEnv: func(string) (string, bool) { return "", false }}}
	target := Target{
		Client: Client{Name: LoginClient, DisplayName: "JupyterHub (hub.example.org)",
			RedirectURIs: []string{"https://hub.example.org/hub/oauth_callback"}, Scopes: []string{"openid", "profile"},
			AuthMethod: "client_secret_post", GrantTypes: []string{"authorization_code"}},
		Backend: reg, Secret: ref, SecretPath: "login.clientSecret", IDKeys: []string{"login", "clientId"},
	}
	return env, target, &out
}

// reload is the target as the next run builds it: with the id the spec
// now holds.
func reload(t *testing.T, env Env, target Target) Target {
	t.Helper()
	b, err := os.ReadFile(env.SpecPath)
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "clientId:"); ok {
			target.SpecID = strings.Trim(strings.TrimSpace(v), `"`)
		}
	}
	return target
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCreateStoresWhereTheSpecSaysAndIsIdempotent(t *testing.T) {
	reg := newMemoryRegistry()
	env, target, _ := flowSetup(t, reg, secret.Ref{Kind: secret.File, File: "secrets/login"})
	ctx := context.Background()

	res, err := Create(ctx, env, target, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Action != "created" || res.Registration.ClientID != "client-1" || res.Secret != "" {
		t.Fatalf("result %+v: want created client-1 and no secret without RevealSecret", res)
	}
	secretPath := filepath.Join(filepath.Dir(env.SpecPath), "secrets", "login")
	if got := readFile(t, secretPath); got != "secret-1-aaaa\n" {
		t.Errorf("secret file holds %q", got)
	}
	if fi, _ := os.Stat(secretPath); fi.Mode().Perm() != 0o600 {
		t.Errorf("secret file mode %v, want 0600", fi.Mode().Perm())
	}
	want := strings.Replace(flowSpec, `clientId: ""`, `clientId: "client-1"`, 1)
	if got := readFile(t, env.SpecPath); got != want {
		t.Errorf("spec after create:\n%s\nwant only the clientId line changed:\n%s", got, want)
	}
	st, err := env.Store.Load()
	if err != nil {
		t.Fatal(err)
	}
	c, ok := st.Client(LoginClient)
	if !ok || c.ClientID != "client-1" || c.RegistrationToken != "rat-1-1" || c.RegistrationURI == "" {
		t.Errorf("state client %+v, %v", c, ok)
	}
	if len(st.InFlight) != 0 {
		t.Errorf("in-flight records left after a stored create: %+v", st.InFlight)
	}

	// The second run sees the client and makes no second one.
	target = reload(t, env, target)
	_, err = Create(ctx, env, target, false)
	var exists *ExistsError
	if !errors.As(err, &exists) || exists.ClientID != "client-1" || len(exists.Differs) != 0 {
		t.Fatalf("second create: %v, want an ExistsError for client-1 that matches the spec", err)
	}
	if len(reg.clients) != 1 {
		t.Errorf("the registry holds %d clients, want 1", len(reg.clients))
	}

	// A spec that changed: the error says how, --update brings it in line.
	target.Client.RedirectURIs = []string{"https://hub.example.org/base/hub/oauth_callback"}
	_, err = Create(ctx, env, target, false)
	if !errors.As(err, &exists) || len(exists.Differs) != 1 || !strings.Contains(exists.Error(), "--update") {
		t.Fatalf("create after a spec change: %v, want an ExistsError naming the redirect URIs and --update", err)
	}
	res, err = Create(ctx, env, target, true)
	if err != nil || res.Action != "updated" {
		t.Fatalf("create --update: %+v, %v", res, err)
	}
	if got := reg.clients["client-1"].RedirectURIs; len(got) != 1 || got[0] != target.Client.RedirectURIs[0] {
		t.Errorf("registry's redirect URIs after update: %v", got)
	}
	if got := readFile(t, secretPath); got != "secret-1-aaaa\n" {
		t.Errorf("an update without a new secret changed the secret file to %q", got)
	}
}

func TestCreateRevealsTheSecretOnlyWhenAsked(t *testing.T) {
	env, target, out := flowSetup(t, newMemoryRegistry(), secret.Ref{Kind: secret.Env, Env: "HUB_CLIENT_SECRET"})
	env.RevealSecret = true
	res, err := Create(context.Background(), env, target, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Secret != "secret-1-aaaa" {
		t.Errorf("revealed secret %q", res.Secret)
	}
	if strings.Contains(out.String(), "secret-1-aaaa") {
		t.Errorf("the secret reached the messages: %s", out.String())
	}
	st, _ := env.Store.Load()
	if v, ok := st.Secret("env:HUB_CLIENT_SECRET"); !ok || v != "secret-1-aaaa" {
		t.Errorf("an env reference's secret goes to the state: got %q, %v", v, ok)
	}
}

func TestCreateRefusesSecretsItCannotStore(t *testing.T) {
	tests := []struct {
		name string
		ref  secret.Ref
		want string
	}{
		{"literal", secret.Ref{Kind: secret.Literal, Literal: "x"}, "literal"},
		{"unset", secret.Ref{}, "not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := newMemoryRegistry()
			env, target, _ := flowSetup(t, reg, tt.ref)
			_, err := Create(context.Background(), env, target, false)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want one saying %q", err, tt.want)
			}
			if len(reg.calls) != 0 {
				t.Errorf("the registry was called: %v", reg.calls)
			}
		})
	}
}

func TestStoreFailureSaysHowToRecover(t *testing.T) {
	reg := newMemoryRegistry()
	// The secret file's folder does not exist: the write fails after the
	// registry made the client.
	env, target, out := flowSetup(t, reg, secret.Ref{Kind: secret.File, File: "missing/login"})
	_, err := Create(context.Background(), env, target, false)
	var se *StoreError
	if !errors.As(err, &se) || se.ClientID != "client-1" {
		t.Fatalf("err %v, want a StoreError for client-1", err)
	}
	for _, want := range []string{"client-1", "hubctl app rotate login", "hubctl app delete login"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if got := readFile(t, env.SpecPath); got != flowSpec {
		t.Errorf("the spec changed although the secret was not stored:\n%s", got)
	}
	// The next run says what the failed one may have left behind.
	_, _ = Create(context.Background(), env, target, false)
	if !strings.Contains(out.String(), "did not finish storing") || !strings.Contains(out.String(), target.Client.DisplayName) {
		t.Errorf("the next run did not report the unfinished create: %q", out.String())
	}
}

func TestInFlightRecordOutlivesOnlyUncertainFailures(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		wantKept bool
	}{
		{"the registry refused", &RegistryError{Method: "POST", URL: "https://registry.test", Status: 400, Code: "invalid_redirect_uri"}, false},
		{"dry run", ErrDryRun, false},
		{"connection reset after sending", errors.New("read tcp: connection reset by peer"), true},
		{"server error", &RegistryError{Method: "POST", URL: "https://registry.test", Status: 502}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := newMemoryRegistry()
			reg.failCreate = tt.err
			env, target, _ := flowSetup(t, reg, secret.Ref{Kind: secret.File, File: "secrets/login"})
			if _, err := Create(context.Background(), env, target, false); !errors.Is(err, tt.err) {
				t.Fatalf("err %v, want %v", err, tt.err)
			}
			st, err := env.Store.Load()
			if err != nil {
				t.Fatal(err)
			}
			f, kept := st.InFlightFor(LoginClient)
			if kept != tt.wantKept {
				t.Fatalf("in-flight record kept %v, want %v", kept, tt.wantKept)
			}
			if kept && (f.Action != "create" || f.DisplayName != target.Client.DisplayName || f.Backend != "memory") {
				t.Errorf("in-flight record %+v", f)
			}
			statuses, err := List(context.Background(), env, []Target{target})
			if err != nil {
				t.Fatal(err)
			}
			if (statuses[0].Interrupted != "") != tt.wantKept {
				t.Errorf("list's interrupted %q, want it set %v", statuses[0].Interrupted, tt.wantKept)
			}
		})
	}
}

func TestRotateStoresTheNewSecret(t *testing.T) {
	reg := newMemoryRegistry()
	env, target, _ := flowSetup(t, reg, secret.Ref{Kind: secret.File, File: "secrets/login"})
	ctx := context.Background()
	if _, err := Create(ctx, env, target, false); err != nil {
		t.Fatal(err)
	}
	target = reload(t, env, target)
	res, err := Rotate(ctx, env, target)
	if err != nil || res.Action != "rotated" {
		t.Fatalf("rotate: %+v, %v", res, err)
	}
	if got := readFile(t, filepath.Join(filepath.Dir(env.SpecPath), "secrets", "login")); got != "secret-1-aaaa-rotated\n" {
		t.Errorf("secret file after rotate: %q", got)
	}
	st, _ := env.Store.Load()
	if c, _ := st.Client(LoginClient); c.RegistrationToken != "rat-1-1-rotated" {
		t.Errorf("registration token after rotate %q", c.RegistrationToken)
	}
}

func TestRotateKeepsTheNewRegistrationTokenWhenTheSecretStays(t *testing.T) {
	reg := newMemoryRegistry()
	env, target, _ := flowSetup(t, reg, secret.Ref{Kind: secret.File, File: "secrets/login"})
	ctx := context.Background()
	if _, err := Create(ctx, env, target, false); err != nil {
		t.Fatal(err)
	}
	reg.rotateKeepsSecret = true
	target = reload(t, env, target)
	if _, err := Rotate(ctx, env, target); !errors.Is(err, ErrNotSupported) {
		t.Fatalf("rotate: %v, want ErrNotSupported", err)
	}
	st, _ := env.Store.Load()
	if c, _ := st.Client(LoginClient); c.RegistrationToken != "rat-1-1-rotated" {
		t.Errorf("the registry's new registration token was dropped: state holds %q", c.RegistrationToken)
	}
	if got := readFile(t, filepath.Join(filepath.Dir(env.SpecPath), "secrets", "login")); got != "secret-1-aaaa\n" {
		t.Errorf("the secret file changed to %q although the registry kept the old secret", got)
	}
	if len(st.InFlight) != 0 {
		t.Errorf("in-flight record left: %+v", st.InFlight)
	}
}

func TestDeleteForgetsTheClientAndItsStoredSecret(t *testing.T) {
	reg := newMemoryRegistry()
	env, target, _ := flowSetup(t, reg, secret.Ref{Kind: secret.Env, Env: "HUB_CLIENT_SECRET"})
	ctx := context.Background()
	if _, err := Create(ctx, env, target, false); err != nil {
		t.Fatal(err)
	}
	target = reload(t, env, target)
	if _, err := Delete(ctx, env, target); err != nil {
		t.Fatal(err)
	}
	if len(reg.clients) != 0 {
		t.Errorf("the registry still holds %v", reg.clients)
	}
	st, _ := env.Store.Load()
	if _, ok := st.Client(LoginClient); ok {
		t.Error("the state still has the client")
	}
	if _, ok := st.Secret("env:HUB_CLIENT_SECRET"); ok {
		t.Error("the state still has the secret")
	}
	// The spec keeps the id, so the next delete still knows what to ask;
	// the state no longer has it.
	if _, err := Delete(ctx, env, Target{Client: target.Client, Backend: reg, Secret: target.Secret}); err == nil ||
		!strings.Contains(err.Error(), "not registered") {
		t.Errorf("delete of an unknown client: %v", err)
	}
}

func TestListComparesEachRegistrationWithTheSpec(t *testing.T) {
	reg := newMemoryRegistry()
	env, target, _ := flowSetup(t, reg, secret.Ref{Kind: secret.File, File: "secrets/login"})
	ctx := context.Background()
	statuses, err := List(ctx, env, []Target{target})
	if err != nil || len(statuses) != 1 || statuses[0].Registered || statuses[0].ClientID != "" {
		t.Fatalf("before create: %+v, %v", statuses, err)
	}
	if _, err := Create(ctx, env, target, false); err != nil {
		t.Fatal(err)
	}
	target = reload(t, env, target)
	statuses, _ = List(ctx, env, []Target{target})
	if s := statuses[0]; !s.Registered || !s.Matches || s.ClientID != "client-1" {
		t.Errorf("after create: %+v", s)
	}
	target.Client.Scopes = []string{"openid", "email"}
	statuses, _ = List(ctx, env, []Target{target})
	if s := statuses[0]; s.Matches || len(s.Differs) != 1 || !strings.Contains(s.Differs[0], "scopes") {
		t.Errorf("after a scope change in the spec: %+v", s)
	}
}
