package testbed

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// ChartHubVersion is the JupyterHub the hub image of chart ChartVersion
// ships, which StartChartHub runs.
const ChartHubVersion = "5.5"

// Helm runs the test bed's helm (scripts/e2e-deps builds it) with its
// cache, config and data in a temporary directory, and returns its
// standard output; a failure fails the test with helm's message.
func Helm(t testing.TB, args ...string) []byte {
	t.Helper()
	out, stderr, err := RunHelm(t, args...)
	if err != nil {
		t.Fatalf("testbed: helm %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return out
}

// RunHelm is Helm that returns helm's failure instead.
func RunHelm(t testing.TB, args ...string) (stdout []byte, stderr string, err error) {
	t.Helper()
	helm := filepath.Join(BuildDir(t), "bin", "helm")
	requireInstalled(t, helm, "Helm")
	home := t.TempDir()
	cmd := exec.Command(helm, args...)
	cmd.Env = append(os.Environ(),
		"HELM_CACHE_HOME="+filepath.Join(home, "cache"),
		"HELM_CONFIG_HOME="+filepath.Join(home, "config"),
		"HELM_DATA_HOME="+filepath.Join(home, "data"))
	var errBuf strings.Builder
	cmd.Stderr = &errBuf
	out, err := cmd.Output()
	return out, errBuf.String(), err
}

// ChartHubOptions says which hub container to run.
type ChartHubOptions struct {
	// Container is the chart's hub container, materialized from its
	// rendered manifests.
	Container *Container
	// Port is the public (proxy) port; a free one when 0.
	Port int
}

// ChartHubOverrides are the settings StartChartHub puts after the chart's
// own jupyterhub_config.py, each because what the chart configures cannot
// exist on loopback without Kubernetes:
//   - JupyterHub.spawner_class: the chart's KubeSpawner needs a Kubernetes
//     API; the tests spawn no servers, and the simple local spawner stands in.
//   - ConfigurableHTTPProxy.should_start, api_url, command: the chart runs
//     the proxy in a pod of its own, reached through the proxy-api Service;
//     here the hub starts configurable-http-proxy on a free loopback port.
//   - JupyterHub.ip, port: the public side, the proxy Service's job.
//   - JupyterHub.hub_bind_url, hub_connect_url: the chart binds every
//     interface on 8081 and connects through the hub Service's DNS name;
//     here a free loopback port, so hubs can run side by side.
//
// Everything else (the database, the cookie secret, the authenticator,
// services, roles, the curl HTTP client) is the chart's, from the mounted
// values and Secrets.
const ChartHubOverrides = `c.JupyterHub.spawner_class = "simple"
c.ConfigurableHTTPProxy.should_start = True
c.ConfigurableHTTPProxy.api_url = %[1]q
c.ConfigurableHTTPProxy.command = [%[2]q]
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = %[3]d
c.JupyterHub.hub_bind_url = %[4]q
c.JupyterHub.hub_connect_url = %[4]q
`

// StartChartHub runs the chart's hub container as its Deployment says (its
// command line, its environment, its files at their container paths, its
// working directory the hub image's /srv/jupyterhub) in the chart hub
// image's Python (.build/venv-chart-4.4.0), with ChartHubOverrides loaded
// after the chart's configuration. The container's paths are real: the
// hub runs in a mount namespace of its own (unshare) where the directories
// holding them are bind-mounted from the materialized root, so the chart's
// code, and the CA files its values name, read what the pod would.
func StartChartHub(t testing.TB, o ChartHubOptions) *Hub {
	t.Helper()
	build := BuildDir(t)
	venv := filepath.Join(build, "venv-chart-"+ChartVersion)
	jupyterhub := filepath.Join(venv, "bin", "jupyterhub")
	chpDir := filepath.Join(build, "node", "node_modules", ".bin")
	chp := filepath.Join(chpDir, "configurable-http-proxy")
	requireInstalled(t, jupyterhub, "the chart "+ChartVersion+" hub's Python")
	requireInstalled(t, chp, "configurable-http-proxy (npm)")
	c := o.Container
	args := slices.Clone(c.Args)
	if len(args) == 0 || args[0] != "jupyterhub" {
		t.Fatalf("testbed: the hub container runs %q, not jupyterhub", args)
	}
	configAt := slices.Index(args, "--config")
	if configAt < 0 || configAt+1 >= len(args) {
		t.Fatalf("testbed: the hub container's args %q name no --config", args)
	}

	port := o.Port
	if port == 0 {
		port = FreePort(t)
	}
	hubURL := fmt.Sprintf("http://127.0.0.1:%d", FreePort(t))
	dir := t.TempDir()
	wrapper := filepath.Join(dir, "jupyterhub_config.py")
	config := fmt.Sprintf("# Written by hubctl's pkg/testbed: the chart's configuration, then\n"+
		"# only what cannot exist on loopback (testbed.ChartHubOverrides).\n"+
		"load_subconfig(%q)\n", args[configAt+1]) +
		fmt.Sprintf(ChartHubOverrides, fmt.Sprintf("http://127.0.0.1:%d", FreePort(t)), chp, port, hubURL)
	if err := os.WriteFile(wrapper, []byte(config), 0o600); err != nil {
		t.Fatalf("testbed: %v", err)
	}
	args[0] = jupyterhub
	args[configAt+1] = wrapper

	argv, env := podCommand(t, c, venv, args, []string{chpDir})
	h := &Hub{URL: fmt.Sprintf("http://127.0.0.1:%d", port), Dir: filepath.Join(c.Root, "srv", "jupyterhub"), ConfigFile: wrapper}
	h.APIURL = h.URL + "/hub/api"
	h.Process = startProcess(t, startOptions{name: "jupyterhub-chart-" + ChartVersion, argv: argv, dir: dir, env: env})
	h.afterStop = append(h.afterStop, func() { killLeftoverProxy(filepath.Join(c.Root, "srv", "jupyterhub", "jupyterhub-proxy.pid")) })
	waitReady(t, h.Process, http.DefaultClient, h.APIURL+"/", 90*time.Second, statusOK)
	v, err := h.fetchVersion()
	if err != nil {
		t.Fatalf("testbed: %v", err)
	}
	h.version = v
	if !strings.HasPrefix(v, ChartHubVersion+".") {
		t.Fatalf("testbed: the chart hub reports JupyterHub %s, want %s", v, ChartHubVersion)
	}
	return h
}

// RunInPod runs argv (its first word a program of the chart hub's
// virtualenv, such as python) as the hub container would: with its
// environment and its files at their container paths, in
// /srv/jupyterhub. It returns standard output; a failure fails the test
// with standard error.
func RunInPod(t testing.TB, c *Container, argv ...string) string {
	t.Helper()
	venv := filepath.Join(BuildDir(t), "venv-chart-"+ChartVersion)
	requireInstalled(t, filepath.Join(venv, "bin", "python"), "the chart "+ChartVersion+" hub's Python")
	args := slices.Clone(argv)
	args[0] = filepath.Join(venv, "bin", args[0])
	full, env := podCommand(t, c, venv, args, nil)
	cmd := exec.Command(full[0], full[1:]...)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("testbed: %s in the hub pod: %v\n%s", strings.Join(argv, " "), err, stderr.String())
	}
	return string(out)
}

// podCommand wraps args so that they run in a mount namespace of their
// own (unshare) where the directories holding the container's mount paths
// are bind-mounted from its materialized root, in the hub image's working
// directory; env is the container's, with the virtualenv (and extraPath)
// on PATH as the image has its Python there.
func podCommand(t testing.TB, c *Container, venv string, args, extraPath []string) (argv []string, env map[string]string) {
	t.Helper()
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Fatalf("testbed: the chart hub needs unshare (util-linux) for its mount namespace: %v", err)
	}
	binds, err := bindTargets(c.Mounts, []string{venv, BuildDir(t), c.Root, os.TempDir()})
	if err != nil {
		t.Fatalf("testbed: %v", err)
	}
	for _, b := range append(binds, "/srv/jupyterhub") {
		if err := os.MkdirAll(filepath.Join(c.Root, b), 0o755); err != nil {
			t.Fatalf("testbed: %v", err)
		}
	}
	// sh binds each directory, moves to the image's working directory and
	// becomes the command (exec keeps the PID the test bed stops).
	script := `set -e; root=$1; shift; n=$1; shift
i=0; while [ "$i" -lt "$n" ]; do mount --bind "$root$1" "$1"; shift; i=$((i+1)); done
cd /srv/jupyterhub; exec "$@"`
	argv = []string{unshare, "--mount", "--propagation", "private"}
	if os.Geteuid() != 0 {
		argv = append(argv, "--map-root-user")
	}
	argv = append(argv, "--", "/bin/sh", "-c", script, "sh", c.Root, fmt.Sprint(len(binds)))
	argv = append(append(argv, binds...), args...)
	env = map[string]string{}
	for k, v := range c.Env {
		env[k] = v
	}
	path := append([]string{filepath.Join(venv, "bin")}, extraPath...)
	env["PATH"] = strings.Join(append(path, os.Getenv("PATH")), string(os.PathListSeparator))
	env["VIRTUAL_ENV"] = venv
	return argv, env
}

// bindTargets picks the directories to bind-mount so that every mount path
// exists in the namespace: for each, its deepest ancestor that exists on
// this machine. One that would hide a directory the hub needs (keep: the
// virtualenv, the build directory, the temporary files) is refused.
func bindTargets(mounts, keep []string) ([]string, error) {
	var out []string
	for _, m := range mounts {
		a := filepath.Dir(filepath.Clean(m))
		for a != "/" {
			if info, err := os.Stat(a); err == nil && info.IsDir() {
				break
			}
			a = filepath.Dir(a)
		}
		if a == "/" {
			return nil, fmt.Errorf("the mount path %s has no ancestor to bind but /", m)
		}
		for _, k := range keep {
			if rel, err := filepath.Rel(a, k); err == nil && !strings.HasPrefix(rel, "..") {
				return nil, fmt.Errorf("binding %s for the mount path %s would hide %s", a, m, k)
			}
		}
		out = append(out, a)
	}
	// Outermost only, each once.
	slices.Sort(out)
	out = slices.Compact(out)
	var outer []string
	for _, a := range out {
		if len(outer) > 0 && strings.HasPrefix(a, outer[len(outer)-1]+"/") {
			continue
		}
		outer = append(outer, a)
	}
	return outer, nil
}
