// This file runs JupyterHub from the virtualenvs of scripts/e2e-deps, with
// configurable-http-proxy from the test bed's npm packages.

package testbed

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// HubVersions are the JupyterHub versions the test bed installs: 5.5 is
// what the Zero-to-JupyterHub chart ships, 6.1 the newest release.
var HubVersions = []string{"5.5", "6.1"}

// HubOptions configures StartHub.
type HubOptions struct {
	// Version is "5.5" or "6.1" (see HubVersions).
	Version string
	// Port is the public (proxy) port; a free one when 0.
	Port int
	// Config is Python appended to the prelude of jupyterhub_config.py,
	// which already defines c = get_config() and sets the ports and state
	// files. Service tokens, roles and the authenticator go here.
	Config string
	// Env is added to the hub's environment, e.g. JUPYTERHUB_CRYPT_KEY or
	// OAuthenticator's OAUTH_* variables.
	Env map[string]string
}

// Hub is a running JupyterHub and its proxy.
type Hub struct {
	URL        string // public URL through the proxy, http://127.0.0.1:PORT
	APIURL     string // URL + /hub/api
	Dir        string // working directory with the config, database and cookie secret
	ConfigFile string // the jupyterhub_config.py that was run
	version    string
	*Process
}

// Version returns the version GET /hub/api/ reported at start-up.
func (h *Hub) Version() string { return h.version }

// StartHub writes jupyterhub_config.py (prelude plus o.Config), starts
// JupyterHub, which starts the proxy as its child, and waits until
// GET /hub/api/ answers through the proxy.
func StartHub(t testing.TB, o HubOptions) *Hub {
	t.Helper()
	build := BuildDir(t)
	venv := filepath.Join(build, "venv-jh"+o.Version)
	jupyterhub := filepath.Join(venv, "bin", "jupyterhub")
	chpDir := filepath.Join(build, "node", "node_modules", ".bin")
	chp := filepath.Join(chpDir, "configurable-http-proxy")
	if !slices.Contains(HubVersions, o.Version) {
		t.Fatalf("testbed: HubOptions.Version %q is not one of %v", o.Version, HubVersions)
	}
	requireInstalled(t, jupyterhub, "JupyterHub "+o.Version)
	requireInstalled(t, chp, "configurable-http-proxy (npm)")

	port := o.Port
	if port == 0 {
		port = FreePort(t)
	}
	dir := t.TempDir()
	h := &Hub{
		URL:        fmt.Sprintf("http://127.0.0.1:%d", port),
		Dir:        dir,
		ConfigFile: filepath.Join(dir, "jupyterhub_config.py"),
	}
	h.APIURL = h.URL + "/hub/api"

	proxyPIDFile := filepath.Join(dir, "jupyterhub-proxy.pid")
	// json.Marshal of a string is a valid Python string literal.
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	prelude := strings.Join([]string{
		"# Prelude written by hubctl's pkg/testbed: loopback ports and state in a temp dir.",
		"c = get_config()  # noqa",
		`c.JupyterHub.ip = "127.0.0.1"`,
		fmt.Sprintf("c.JupyterHub.port = %d", port),
		`c.JupyterHub.hub_ip = "127.0.0.1"`,
		fmt.Sprintf("c.JupyterHub.hub_port = %d", FreePort(t)),
		fmt.Sprintf(`c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:%d"`, FreePort(t)),
		fmt.Sprintf("c.ConfigurableHTTPProxy.command = [%s]", q(chp)),
		fmt.Sprintf("c.ConfigurableHTTPProxy.pid_file = %s", q(proxyPIDFile)),
		fmt.Sprintf("c.JupyterHub.db_url = %s", q("sqlite:///"+filepath.Join(dir, "jupyterhub.sqlite"))),
		fmt.Sprintf("c.JupyterHub.cookie_secret_file = %s", q(filepath.Join(dir, "jupyterhub_cookie_secret"))),
		fmt.Sprintf("c.JupyterHub.pid_file = %s", q(filepath.Join(dir, "jupyterhub.pid"))),
		`c.JupyterHub.log_level = "DEBUG"`,
		"",
		"# Test config",
		"",
	}, "\n")
	if err := os.WriteFile(h.ConfigFile, []byte(prelude+o.Config+"\n"), 0o600); err != nil {
		t.Fatalf("testbed: %v", err)
	}

	env := map[string]string{
		// As an activated venv would have it, plus the proxy's directory for
		// configs that name configurable-http-proxy without a path. node
		// itself comes from the caller's PATH.
		"PATH": filepath.Join(venv, "bin") + string(os.PathListSeparator) + chpDir +
			string(os.PathListSeparator) + os.Getenv("PATH"),
		"VIRTUAL_ENV": venv,
	}
	maps.Copy(env, o.Env)
	h.Process = startProcess(t, startOptions{
		name: "jupyterhub-" + o.Version,
		argv: []string{jupyterhub, "-f", h.ConfigFile},
		dir:  dir,
		env:  env,
	})
	h.afterStop = append(h.afterStop, func() { killLeftoverProxy(proxyPIDFile) })
	waitReady(t, h.Process, http.DefaultClient, h.APIURL+"/", 60*time.Second, statusOK)

	v, err := h.fetchVersion()
	if err != nil {
		t.Fatalf("testbed: %v", err)
	}
	h.version = v
	if !strings.HasPrefix(v, o.Version+".") {
		t.Fatalf("testbed: asked for JupyterHub %s, the hub reports %s", o.Version, v)
	}
	return h
}

func (h *Hub) fetchVersion() (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, h.APIURL+"/", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("GET %s/: %w", h.APIURL, err)
	}
	defer resp.Body.Close()
	var body struct {
		Version string `json:"version"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return "", fmt.Errorf("GET %s/: %w", h.APIURL, err)
	}
	return body.Version, nil
}

// killLeftoverProxy ends a configurable-http-proxy whose hub died without
// stopping it. JupyterHub starts the proxy in a session of its own
// (start_new_session), so the hub's process group does not hold it; the pid
// file the hub writes does, and a clean shutdown removes that file.
func killLeftoverProxy(pidFile string) {
	data, err := os.ReadFile(pidFile)
	if err != nil {
		return
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 1 {
		return
	}
	// Make sure the PID still belongs to a proxy before killing it.
	cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if !strings.Contains(string(cmdline), "configurable-http-proxy") {
		return
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
}
