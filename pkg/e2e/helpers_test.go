//go:build e2e

package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/hubctl/hubctl/pkg/testbed"
)

// hubctlBinary is built once, in TestMain, from this checkout.
var hubctlBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hubctl-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	hubctlBinary = filepath.Join(dir, "hubctl")
	build := exec.Command("go", "build", "-o", hubctlBinary, "github.com/hubctl/hubctl")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building hubctl:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// target is where a rendering lands.
type target string

const (
	// hubConfig is `hubctl render hub-config`, loaded by the hub's config
	// file with load_subconfig, as an operator would include it.
	hubConfig target = "hub-config"
	// helmValues is `hubctl render helm-values` and `hubctl render secret`,
	// deployed with the real Zero-to-JupyterHub chart: helm template, the
	// hub pod laid out from the manifests, the chart's own
	// jupyterhub_config.py run in its hub image's Python (chartHub).
	helmValues target = "helm-values"
)

var targets = []target{hubConfig, helmValues}

// adminToken belongs to a service the tests add beside hubctl's
// configuration, to look at what the hub made of it: after it in the
// hub-config target, in the operator's config.yaml
// (testdata/chart/config.yaml) in the chart's.
const adminToken = "e2e-admin-token-0123456789abcdef"

const adminConfig = `
c.JupyterHub.services.append({"name": "e2e-admin", "api_token": "` + adminToken + `"})
c.JupyterHub.load_roles.append({"name": "e2e-admin", "services": ["e2e-admin"],
    "scopes": ["admin:users", "admin:groups", "admin:services", "read:roles", "read:hub"]})
`

// hubctlRun is what one run of the binary printed, and its exit status.
type hubctlRun struct {
	exitCode       int
	stdout, stderr string
}

// execHubctl runs the binary with env and returns what it printed and its
// exit status.
func execHubctl(t *testing.T, env map[string]string, args ...string) hubctlRun {
	t.Helper()
	cmd := exec.Command(hubctlBinary, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	run := hubctlRun{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		run.exitCode = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("running hubctl %s: %v", args[0], err)
	}
	return run
}

// runHubctl runs the binary and returns its standard output; a non-zero
// exit fails the test with what hubctl said.
func runHubctl(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	run := execHubctl(t, env, args...)
	if run.exitCode != 0 {
		t.Fatalf("hubctl %s: exit status %d\n%s", strings.Join(args, " "), run.exitCode, run.stderr)
	}
	if run.stderr != "" {
		t.Logf("hubctl %s said:\n%s", strings.Join(args, " "), run.stderr)
	}
	return run.stdout
}

// rendered is a spec rendered for one target, ready to become a hub.
type rendered struct {
	// config is the Python to append to the test bed's prelude.
	config string
	// env is the hub's environment.
	env map[string]string
	// chart, for helm values, is the chart's rendering instead.
	chart *chartRendering
}

// renderFor renders the spec at specPath for a target. env holds the
// operator's environment (the secrets env references read);
// clusterSecrets are Kubernetes Secrets that exist besides hubctl's own.
func renderFor(t *testing.T, tgt target, specPath string, env map[string]string, clusterSecrets map[string]map[string]string) rendered {
	t.Helper()
	dir := filepath.Dir(specPath)
	switch tgt {
	case hubConfig:
		out := filepath.Join(dir, "hubctl_config.py")
		runHubctl(t, env, "render", "hub-config", "-f", specPath, "-o", out)
		return rendered{config: fmt.Sprintf("load_subconfig(%q)\n%s", out, adminConfig), env: env}
	case helmValues:
		values := runHubctl(t, env, "render", "helm-values", "-f", specPath)
		return chartHub(t, dir, clusterSecretsFor(t, env, specPath, clusterSecrets), []byte(values))
	}
	t.Fatalf("unknown target %q", tgt)
	return rendered{}
}

// clusterSecretsFor is the cluster's Secrets once the README's deploy step
// applied hubctl render secret: extra, with hubctl's Secret and those of
// k8sSecret references that hubctl app or import stored values for.
func clusterSecretsFor(t *testing.T, env map[string]string, specPath string, extra map[string]map[string]string) map[string]map[string]string {
	t.Helper()
	secrets := map[string]map[string]string{}
	for name, data := range extra {
		secrets[name] = data
	}
	// render secret prints hubctl's Secret, then those of k8sSecret
	// references that hubctl app stored values for.
	dec := yaml.NewDecoder(strings.NewReader(runHubctl(t, env, "render", "secret", "-f", specPath)))
	for {
		var own struct {
			Metadata   struct{ Name string }
			StringData map[string]string `yaml:"stringData"`
		}
		if err := dec.Decode(&own); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		merged := map[string]string{}
		for k, v := range secrets[own.Metadata.Name] {
			merged[k] = v
		}
		for k, v := range own.StringData {
			merged[k] = v
		}
		secrets[own.Metadata.Name] = merged
	}
	return secrets
}

// chartHub is the hub the Zero-to-JupyterHub chart makes: the real chart
// (testbed.ChartDir) rendered by the real helm with the operator's
// config.yaml (testdata/chart/config.yaml) and then valuesFiles, as -f
// flags in that order, beside the cluster's Secrets. startRenderedHub
// materializes its hub container from those manifests alone.
func chartHub(t *testing.T, dir string, secrets map[string]map[string]string, valuesFiles ...[]byte) rendered {
	t.Helper()
	files := []string{"-f", filepath.Join(testbed.RepoRoot(t), "testdata", "chart", "config.yaml")}
	for i, data := range valuesFiles {
		path := filepath.Join(dir, fmt.Sprintf("values-%d.yaml", i+1))
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, "-f", path)
	}
	args := append([]string{"template", "jhub", testbed.ChartDir(t), "--namespace", "jhub"}, files...)
	manifests := testbed.Helm(t, args...)
	// The chart's values schema, as helm install checks it, with the same
	// files.
	if out, stderr, err := testbed.RunHelm(t, append([]string{"lint", testbed.ChartDir(t)}, files...)...); err != nil || strings.Contains(string(out), "[ERROR]") {
		t.Fatalf("helm lint with these values: %v\n%s%s", err, out, stderr)
	}
	return rendered{chart: &chartRendering{manifests: manifests, secrets: secretManifests(t, secrets), helmArgs: args}}
}

// chartRendering is what helm rendered, and the Secrets that exist in the
// cluster besides the chart's.
type chartRendering struct {
	manifests, secrets []byte
	helmArgs           []string
}

// secretManifests writes Secrets as kubectl would apply them.
func secretManifests(t *testing.T, secrets map[string]map[string]string) []byte {
	t.Helper()
	var b strings.Builder
	names := make([]string, 0, len(secrets))
	for name := range secrets {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		doc, err := yaml.Marshal(map[string]any{"apiVersion": "v1", "kind": "Secret",
			"metadata": map[string]any{"name": name}, "stringData": secrets[name]})
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString("---\n")
		b.Write(doc)
	}
	return []byte(b.String())
}

func writeJSON(t *testing.T, path string, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func writeSpec(t *testing.T, dir, text string) string {
	t.Helper()
	path := filepath.Join(dir, "hubctl.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func startRenderedHub(t *testing.T, version string, port int, r rendered) *testbed.Hub {
	t.Helper()
	if r.chart == nil {
		return testbed.StartHub(t, testbed.HubOptions{Version: version, Port: port, Config: r.config, Env: r.env})
	}
	if version != testbed.ChartHubVersion {
		t.Fatalf("the chart %s hub runs JupyterHub %s, not %s", testbed.ChartVersion, testbed.ChartHubVersion, version)
	}
	ms, err := testbed.ParseManifests(r.chart.manifests, r.chart.secrets)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ms.Materialize(t.TempDir(), "Deployment", "hub", "hub", testbed.PodPlace{Namespace: "jhub", PodName: "hub-0"})
	if err != nil {
		t.Fatalf("the hub pod: %v", err)
	}
	return testbed.StartChartHub(t, testbed.ChartHubOptions{Container: c, Port: port})
}

// runsOn reports whether a target runs on a hub version: helm values run
// on the hub the chart's image ships, hub-config on every version.
func runsOn(tgt target, version string) bool {
	return tgt != helmValues || version == testbed.ChartHubVersion
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// apiGet calls the hub's REST API with a token and decodes the JSON reply.
func apiGet(t *testing.T, hub *testbed.Hub, path, token string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, hub.APIURL+path, nil)
	req.Header.Set("Authorization", "token "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK && out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			t.Fatalf("GET %s: %v in %s", path, err, body)
		}
	}
	return resp.StatusCode
}

// follow makes requests with the browser until a response is not a
// redirect, and returns it with its body.
func follow(t *testing.T, browser *http.Client, start string) (*http.Response, string, []string) {
	t.Helper()
	next := start
	var hops []string
	for i := 0; i < 20; i++ {
		resp, err := browser.Get(next)
		if err != nil {
			t.Fatalf("GET %s: %v (hops %v)", next, err, hops)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		hops = append(hops, fmt.Sprintf("GET %s -> %d", next, resp.StatusCode))
		loc := resp.Header.Get("Location")
		if resp.StatusCode < 300 || resp.StatusCode >= 400 || loc == "" {
			return resp, string(body), hops
		}
		u, err := resp.Request.URL.Parse(loc)
		if err != nil {
			t.Fatal(err)
		}
		next = u.String()
	}
	t.Fatalf("too many redirects from %s: %v", start, hops)
	return nil, "", nil
}
