//go:build e2e

package e2e_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hubctl/hubctl/pkg/testbed"
)

// composeSpec has a service whose access is "all", so hubctl redefines the
// user role as well as adding a role and a service of its own.
func composeSpec(port int, version string) string {
	return fmt.Sprintf(`version: 1
hub:
  url: http://127.0.0.1:%d
  jupyterhub: "%s"
services:
  reports:
    url: http://127.0.0.1:9
    access: all
    scopes: [read:users]
    apiToken: {env: REPORTS_API_TOKEN}
`, port, version)
}

// ownConfig is an operator's jupyterhub_config.py that already has a
// service and a role before hubctl's snippet joins it.
const ownToken = "own-service-token-0123456789abcdef"

const ownConfig = `
c.JupyterHub.services = [{"name": "own", "api_token": "` + ownToken + `"}]
c.JupyterHub.load_roles = [{"name": "own-role", "services": ["own"],
    "scopes": ["list:services", "read:services", "read:roles"]}]
`

// TestHubConfigComposes checks that hub-config's snippet adds to the
// services and roles of the configuration it joins, loaded with
// load_subconfig (twice, which changes nothing) or appended, and that a
// service or role defined both there and by hubctl stops the hub.
func TestHubConfigComposes(t *testing.T) {
	t.Parallel()
	for _, version := range testbed.HubVersions {
		t.Run("jupyterhub-"+version, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			port := testbed.FreePort(t)
			secrets := map[string]string{"REPORTS_API_TOKEN": "reports-token-" + randomHex()}
			specPath := writeSpec(t, dir, composeSpec(port, version))
			snippet := filepath.Join(dir, "hubctl_config.py")
			runHubctl(t, secrets, "render", "hub-config", "-f", specPath, "-o", snippet)
			text, err := os.ReadFile(snippet)
			if err != nil {
				t.Fatal(err)
			}
			load := fmt.Sprintf("load_subconfig(%q)\n", snippet)

			for name, config := range map[string]string{
				"load_subconfig twice": ownConfig + load + load,
				"appended":             ownConfig + string(text),
			} {
				t.Run(name, func(t *testing.T) {
					h := testbed.StartHub(t, testbed.HubOptions{Version: version, Port: port, Config: config, Env: secrets})
					defer h.Stop()
					var services map[string]struct {
						Roles []string `json:"roles"`
					}
					if code := apiGet(t, h, "/services", ownToken, &services); code != 200 {
						t.Fatalf("GET /hub/api/services: HTTP %d\n%s", code, h.LogTail(30))
					}
					if len(services) != 2 {
						t.Errorf("the hub has services %v, want own and reports", services)
					}
					if !slices.Contains(services["own"].Roles, "own-role") {
						t.Errorf("service own has roles %v, want own-role", services["own"].Roles)
					}
					if !slices.Contains(services["reports"].Roles, "reports") {
						t.Errorf("service reports has roles %v, want hubctl's role reports", services["reports"].Roles)
					}
				})
			}

			for name, clash := range map[string]struct{ config, want string }{
				"service": {
					`c.JupyterHub.services = [{"name": "reports", "url": "http://127.0.0.1:10"}]` + "\n" + load,
					"ValueError: hubctl: service 'reports' is defined both in this configuration and by hubctl (" + specPath + " services.reports): remove one",
				},
				"user role": {
					`c.JupyterHub.load_roles = [{"name": "user", "scopes": ["self", "read:users"]}]` + "\n" + load,
					"ValueError: hubctl: role 'user' is defined both in this configuration and by hubctl (" + specPath + "): remove one",
				},
				"service, appended": {
					`c.JupyterHub.services.append({"name": "reports"})` + "\n" + string(text),
					"ValueError: hubctl: service 'reports' is defined both in this configuration",
				},
			} {
				t.Run("clash/"+name, func(t *testing.T) {
					log, err := runFailingHub(t, version, clash.config, secrets)
					if err == nil {
						t.Fatalf("the hub started with a %s defined twice:\n%s", name, log)
					}
					if !strings.Contains(log, clash.want) {
						t.Errorf("the hub log lacks %q:\n%s", clash.want, log)
					}
				})
			}
		})
	}
}

// runFailingHub runs JupyterHub on config, which should make it exit while
// it loads its configuration, and returns its log and exit error. It is not
// testbed.StartHub, which fails the test when the hub does not start.
func runFailingHub(t *testing.T, version, config string, env map[string]string) (string, error) {
	t.Helper()
	dir := t.TempDir()
	prelude := fmt.Sprintf(`c = get_config()  # noqa
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = %d
c.JupyterHub.hub_port = %d
c.JupyterHub.db_url = "sqlite:///%s"
c.JupyterHub.cookie_secret_file = "%s"
`, testbed.FreePort(t), testbed.FreePort(t), filepath.Join(dir, "jupyterhub.sqlite"), filepath.Join(dir, "cookie_secret"))
	file := filepath.Join(dir, "jupyterhub_config.py")
	if err := os.WriteFile(file, []byte(prelude+config), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(testbed.BuildDir(t), "venv-jh"+version, "bin", "jupyterhub"), "-f", file)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return string(out), nil // still running: it started
	}
	return string(out), err
}
