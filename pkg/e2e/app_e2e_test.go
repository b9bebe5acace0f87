//go:build e2e

package e2e_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hubctl/hubctl/pkg/testbed"
)

// TestAppCreateLoginAtHydra registers the hub's login client with hubctl
// app create login through Hydra's RFC 7591 registration, from a spec with
// no client id: the id lands in the spec, the secret in its file (0600),
// doctor then finds the credentials good, a second create changes nothing
// (exit 5), list says the registration matches, and delete removes it.
func TestAppCreateLoginAtHydra(t *testing.T) {
	t.Parallel()
	hy := testbed.StartHydra(t, testbed.HydraOptions{DynamicRegistration: true})
	dir := t.TempDir()
	port := testbed.FreePort(t)
	spec := fmt.Sprintf(`version: 1
hub:
  url: http://127.0.0.1:%d
  jupyterhub: "5.5"
# The login: registered by hubctl app create login.
login:
  provider: oidc
  url: %s
  clientSecret: {file: client-secret}   # written by hubctl, mode 0600
  allow: {users: [alice]}
`, port, hy.Issuer)
	specPath := writeSpec(t, dir, spec)

	run := execHubctl(t, nil, "app", "create", "login", "-f", specPath)
	if run.exitCode != 0 {
		t.Fatalf("app create login: exit %d: %s", run.exitCode, run.stderr)
	}
	edited, _ := os.ReadFile(specPath)
	if !strings.Contains(string(edited), "# The login: registered by hubctl app create login.\n") ||
		!strings.Contains(string(edited), "  clientSecret: {file: client-secret}   # written by hubctl, mode 0600\n") ||
		!strings.Contains(string(edited), "  clientId: ") {
		t.Errorf("the spec was not edited in place:\n%s", edited)
	}
	info, err := os.Stat(filepath.Join(dir, "client-secret"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("the secret file: %v, mode %v", err, info.Mode())
	}
	secretValue, _ := os.ReadFile(filepath.Join(dir, "client-secret"))
	if strings.Contains(run.stdout+run.stderr, strings.TrimSpace(string(secretValue))) {
		t.Error("app create printed the secret without --reveal-secret")
	}

	doc := runDoctor(t, dir, string(edited), nil, "login.credentials")
	wantCheck(t, doc, "login.credentials", "pass", "invalid_grant")

	again := execHubctl(t, nil, "app", "create", "login", "-f", specPath)
	if again.exitCode != 5 || !strings.Contains(again.stderr, "registered already") {
		t.Errorf("a second create: exit %d, %s", again.exitCode, again.stderr)
	}
	list := execHubctl(t, nil, "app", "list", "-f", specPath)
	if !strings.Contains(list.stdout, "registered, matches the spec") {
		t.Errorf("app list:\n%s%s", list.stdout, list.stderr)
	}
	del := execHubctl(t, nil, "app", "delete", "login", "-f", specPath, "--yes")
	if del.exitCode != 0 {
		t.Fatalf("app delete: exit %d: %s", del.exitCode, del.stderr)
	}
	doc = runDoctor(t, dir, string(edited), nil, "login.credentials")
	wantCheck(t, doc, "login.credentials", "fail", "invalid_client")
}

// TestAppCreatedClientLogsIn: the client hubctl app create login
// registered at Hydra (over TLS, RFC 7591) is the one a real hub logs in
// with, for both targets: through the secret file with hub-config, and
// through hubctl's state (an env reference nobody exported) into the
// rendered Secret with helm-values.
func TestAppCreatedClientLogsIn(t *testing.T) {
	t.Parallel()
	const version = "5.5"
	for _, tc := range []struct {
		tgt       target
		secretRef string
	}{
		{hubConfig, "{file: client-secret}"},
		{helmValues, "{env: OAUTH_CLIENT_SECRET}"},
	} {
		t.Run(string(tc.tgt), func(t *testing.T) {
			t.Parallel()
			ca := testbed.NewCA(t)
			hy := testbed.StartHydra(t, testbed.HydraOptions{TLS: ca, DynamicRegistration: true})
			dir := t.TempDir()
			pem, _ := os.ReadFile(hy.CAFile)
			os.WriteFile(filepath.Join(dir, "provider-ca.pem"), pem, 0o644)
			port := testbed.FreePort(t)
			specPath := writeSpec(t, dir, fmt.Sprintf(`version: 1
hub:
  url: http://127.0.0.1:%d
  jupyterhub: "%s"
login:
  provider: oidc
  url: %s
  caFile: provider-ca.pem
  clientSecret: %s
  allow: {users: [alice]}
`, port, version, hy.Issuer, tc.secretRef))
			runHubctl(t, nil, "app", "create", "login", "-f", specPath)

			h := startRenderedHub(t, version, port, renderFor(t, tc.tgt, specPath, nil, nil))
			p := provider{logIn: hy.LogIn, browser: func() *http.Client { return testbed.NewBrowser(ca) }, log: hy.Log}
			res, browser := logIn(t, p, h, "alice")
			if res.Response.StatusCode != http.StatusFound {
				t.Fatalf("alice: the callback answered %d, want a 302 into the hub; body %.400s", res.Response.StatusCode, res.Body)
			}
			checkSession(t, h, browser, "alice")
		})
	}
}

// TestAppCreateKilledBeforeStoring kills hubctl app create login with
// SIGKILL after Hydra registered the client and before hubctl stored it: a
// proxy in front of Hydra's registration endpoint passes the request on,
// holds Hydra's answer, and tells the test, which kills the process. The
// spec and the secret file are as they were, no temporary file
// is left, and the next run says that the registry may hold an orphan
// client, by the name Hydra really holds it under.
// The state file holds the in-flight record and nothing else (the kill
// came after hubctl wrote it, before it stored the client).
func TestAppCreateKilledBeforeStoring(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			appCreateStopped(t, sig)
		})
	}
}

// appCreateStopped stops app create with sig after the registry acted and
// before hubctl stored its answer. SIGKILL leaves the in-flight record for
// the next run; Ctrl-C (SIGINT) also makes this run say at once what the
// registry may hold, and exit 130.
func appCreateStopped(t *testing.T, sig syscall.Signal) {
	hy := testbed.StartHydra(t, testbed.HydraOptions{DynamicRegistration: true})
	registered := make(chan struct{})
	var once sync.Once
	target, _ := url.Parse(hy.PublicURL)
	forward := httputil.NewSingleHostReverseProxy(target)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		forward.ServeHTTP(rec, r)
		if r.Method == http.MethodPost && rec.Code == http.StatusCreated {
			once.Do(func() { close(registered) })
			<-r.Context().Done() // hubctl never gets the answer
			return
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	}))
	t.Cleanup(proxy.Close)

	dir := t.TempDir()
	spec := fmt.Sprintf(`version: 1
hub:
  url: http://127.0.0.1:%d
  jupyterhub: "5.5"
login:
  provider: oidc
  url: %s
  clientSecret: {file: client-secret}
  allow: {users: [alice]}
`, testbed.FreePort(t), hy.Issuer)
	specPath := writeSpec(t, dir, spec)
	cmd := exec.Command(hubctlBinary, "app", "create", "login", "-f", specPath, "--registration-url", proxy.URL+"/oauth2/register")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-registered:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("Hydra did not register the client; hubctl said %s", stderr.String())
	}
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	waitErr := cmd.Wait()
	if sig == syscall.SIGINT {
		var exit *exec.ExitError
		if !errors.As(waitErr, &exit) || exit.ExitCode() != 130 {
			t.Errorf("after Ctrl-C: %v, want exit status 130", waitErr)
		}
		for _, want := range []string{"this hubctl app create login", "may hold a client named", "hubctl: interrupted"} {
			if !strings.Contains(stderr.String(), want) {
				t.Errorf("after Ctrl-C hubctl said %q, want it to say %q", stderr.String(), want)
			}
		}
	}

	if got, _ := os.ReadFile(specPath); string(got) != spec {
		t.Errorf("the spec changed:\n%s", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "client-secret")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a secret file exists after the kill: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	stateEntries, _ := os.ReadDir(filepath.Join(dir, ".hubctl"))
	for _, e := range append(entries, stateEntries...) {
		if strings.Contains(e.Name(), ".hubctl-") {
			t.Errorf("a temporary file is left: %s", e.Name())
		}
	}
	var st struct {
		Clients  []json.RawMessage
		InFlight []struct{ Name, Action, DisplayName string }
	}
	stateAfter, err := os.ReadFile(filepath.Join(dir, ".hubctl", "state.json"))
	if err != nil || json.Unmarshal(stateAfter, &st) != nil {
		t.Fatalf("the state after the kill does not parse: %v\n%s", err, stateAfter)
	}
	if len(st.Clients) != 0 || len(st.InFlight) != 1 || st.InFlight[0].Action != "create" {
		t.Fatalf("state after the kill: %s, want only the create in flight", stateAfter)
	}

	// Hydra holds the orphan, under the name the warning gives.
	var clients []struct {
		ClientID   string `json:"client_id"`
		ClientName string `json:"client_name"`
	}
	resp, err := hy.Client.Get(hy.AdminURL + "/admin/clients")
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&clients)
	resp.Body.Close()
	if len(clients) != 1 || clients[0].ClientName != st.InFlight[0].DisplayName {
		t.Fatalf("Hydra's clients %+v, want the one orphan named %q", clients, st.InFlight[0].DisplayName)
	}

	list := execHubctl(t, nil, "app", "list", "-f", specPath)
	if !strings.Contains(list.stdout, "did not finish storing") {
		t.Errorf("app list does not report the interrupted create:\n%s", list.stdout)
	}
	again := execHubctl(t, nil, "app", "create", "login", "-f", specPath)
	if again.exitCode != 0 || !strings.Contains(again.stderr, fmt.Sprintf("may hold a client named %q", clients[0].ClientName)) {
		t.Fatalf("the next create: exit %d, %s", again.exitCode, again.stderr)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, ".hubctl", "state.json")); strings.Contains(string(got), "inFlight") {
		t.Errorf("the in-flight record outlived a finished create:\n%s", got)
	}
}

// TestAppGuidedModeWithFlags registers by hand, as an operator does in a
// console, and hands hubctl the answers with --client-id and
// --client-secret-file: at Hydra through the generic console steps
// (--backend console) and at the NBGallery-shaped Doorkeeper through
// NBGallery's guided mode. A wrong secret is refused by the provider's
// token endpoint before anything is stored; the right one is stored and
// doctor finds it good.
func TestAppGuidedModeWithFlags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		start func(t *testing.T, port int) (loginSpec, clientID, clientSecret string, args []string)
	}{
		{"console at hydra", func(t *testing.T, port int) (string, string, string, []string) {
			hy := testbed.StartHydra(t, testbed.HydraOptions{})
			id, sec, err := hy.CreateClient(testContext(t), testbed.ClientSpec{Name: "jupyterhub", TokenEndpointAuthMethod: "client_secret_post",
				RedirectURIs: []string{fmt.Sprintf("http://127.0.0.1:%d/hub/oauth_callback", port)}})
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf("provider: oidc\n  url: %s", hy.Issuer), id, sec, []string{"--backend", "console"}
		}},
		{"nbgallery guided at doorkeeper", func(t *testing.T, port int) (string, string, string, []string) {
			d := testbed.StartDoorkeeper(t, testbed.DoorkeeperOptions{Applications: []testbed.DoorkeeperApp{{
				Name: "jupyterhub", Scopes: "read", RedirectURI: fmt.Sprintf("http://127.0.0.1:%d/hub/oauth_callback", port)}}})
			app, ok := d.App("jupyterhub")
			if !ok || len(app.Errors) > 0 {
				t.Fatalf("registering at Doorkeeper: %+v", app)
			}
			return fmt.Sprintf("provider: nbgallery\n  url: %s", d.URL), app.UID, app.Secret, nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			port := testbed.FreePort(t)
			loginSpec, id, sec, args := tc.start(t, port)
			spec := fmt.Sprintf(`version: 1
hub:
  url: http://127.0.0.1:%d
  jupyterhub: "5.5"
login:
  %s
  clientSecret: {file: client-secret}
  allow: {users: [alice]}
`, port, loginSpec)
			specPath := writeSpec(t, dir, spec)
			answer := filepath.Join(t.TempDir(), "pasted-secret")

			os.WriteFile(answer, []byte("not-the-secret-0123456789\n"), 0o600)
			wrong := execHubctl(t, nil, append([]string{"app", "create", "login", "-f", specPath, "--client-id", id, "--client-secret-file", answer}, args...)...)
			if wrong.exitCode == 0 || !strings.Contains(wrong.stderr, "invalid_client") {
				t.Fatalf("a wrong secret: exit %d, %s", wrong.exitCode, wrong.stderr)
			}
			if got, _ := os.ReadFile(specPath); string(got) != spec {
				t.Errorf("a refused answer changed the spec:\n%s", got)
			}

			os.WriteFile(answer, []byte(sec+"\n"), 0o600)
			right := execHubctl(t, nil, append([]string{"app", "create", "login", "-f", specPath, "--client-id", id, "--client-secret-file", answer}, args...)...)
			if right.exitCode != 0 {
				t.Fatalf("the right answers: exit %d, %s", right.exitCode, right.stderr)
			}
			if strings.Contains(right.stdout+right.stderr, sec) {
				t.Error("hubctl printed the secret")
			}
			edited, _ := os.ReadFile(specPath)
			if !strings.Contains(string(edited), "clientId: "+id) && !strings.Contains(string(edited), fmt.Sprintf("clientId: %q", id)) {
				t.Errorf("the client id is not in the spec:\n%s", edited)
			}
			doc := runDoctor(t, dir, string(edited), nil, "login.credentials")
			wantCheck(t, doc, "login.credentials", "pass")
		})
	}
}
