package render_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/hubctl/hubctl/pkg/chart"
	"github.com/hubctl/hubctl/pkg/golden"
	"github.com/hubctl/hubctl/pkg/load"
	"github.com/hubctl/hubctl/pkg/render"
	"github.com/hubctl/hubctl/pkg/secret"
	"github.com/hubctl/hubctl/pkg/testbed"
)

// testEnv holds every secret the test specs reference. k8sSecret references
// are read by hub-config from the variables hubctl names, so the same
// values appear in clusterSecrets for the helm side.
var testEnv = map[string]string{
	"OAUTH_CLIENT_SECRET":            "client-secret-value-0123",
	"NBVIEWER_API_TOKEN":             "nbviewer-token-0123456789",
	"ANNOUNCEMENTS_API_TOKEN":        "announcements-token-0123456789",
	"REPORTER_API_TOKEN":             "reporter-token-0123456789",
	"HUBCTL_NBVIEWER_API_TOKEN":      "nbviewer-token-in-k8s-0123",
	"HUBCTL_ANNOUNCEMENTS_API_TOKEN": "announcements-token-in-k8s-0123",
}

var clusterSecrets = map[string]map[string]string{
	"gallery-oauth":   {"client-secret": testEnv["OAUTH_CLIENT_SECRET"]},
	"keycloak-client": {"client-secret": testEnv["OAUTH_CLIENT_SECRET"]},
	"nbviewer-token":  {"token": testEnv["HUBCTL_NBVIEWER_API_TOKEN"]},
	"jhub-tokens":     {"hub.services.announcements.apiToken": testEnv["HUBCTL_ANNOUNCEMENTS_API_TOKEN"]},
}

func lookupEnv(name string) (string, bool) {
	v, ok := testEnv[name]
	return v, ok
}

// discoveryStub answers the one discovery request the test specs make.
type discoveryStub struct{}

func (discoveryStub) RoundTrip(r *http.Request) (*http.Response, error) {
	const issuer = "https://id.example.org/realms/jupyter"
	if r.URL.String() != issuer+"/.well-known/openid-configuration" {
		return &http.Response{StatusCode: 404, Status: "404 Not Found", Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
	}
	body, _ := json.Marshal(map[string]any{
		"issuer":                 issuer,
		"authorization_endpoint": issuer + "/protocol/openid-connect/auth",
		"token_endpoint":         issuer + "/protocol/openid-connect/token",
		"userinfo_endpoint":      issuer + "/protocol/openid-connect/userinfo",
	})
	return &http.Response{StatusCode: 200, Status: "200 OK", Body: io.NopCloser(bytes.NewReader(body)), Header: http.Header{"Content-Type": {"application/json"}}, Request: r}, nil
}

type testSpec struct {
	name string // golden directory
	path string
}

func testSpecs(t *testing.T) []testSpec {
	t.Helper()
	root := filepath.Dir(golden.Dir(t))
	var out []testSpec
	for _, pattern := range []string{"examples/*.yaml", "testdata/specs/*.yaml"} {
		matches, err := filepath.Glob(filepath.Join(root, pattern))
		if err != nil || len(matches) == 0 {
			t.Fatalf("no specs match %s", pattern)
		}
		for _, m := range matches {
			out = append(out, testSpec{name: strings.TrimSuffix(filepath.Base(m), ".yaml"), path: m})
		}
	}
	return out
}

func loadSpec(t *testing.T, path string) *load.Result {
	t.Helper()
	res, err := load.Config(context.Background(), path, load.Options{
		LookupEnv:  lookupEnv,
		HTTPClient: &http.Client{Transport: discoveryStub{}},
	})
	if err != nil {
		t.Fatalf("loading %s: %v", path, err)
	}
	return res
}

func renderOptions(res *load.Result) render.Options {
	return render.Options{Source: filepath.Base(res.Doc.File), Resolver: res.Resolver}
}

// TestGolden renders every example and test spec with every renderer.
func TestGolden(t *testing.T) {
	for _, ts := range testSpecs(t) {
		t.Run(ts.name, func(t *testing.T) {
			res := loadSpec(t, ts.path)
			opts := renderOptions(res)

			helm, err := render.HelmValues(res.Config, opts)
			if err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, filepath.Join("golden", ts.name, "helm-values.yaml"), helm)

			py, err := render.HubConfig(res.Config, opts)
			if err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, filepath.Join("golden", ts.name, "hub-config.py"), py)

			secret, err := render.KubernetesSecret(res.Config, render.SecretOptions{Options: opts})
			if err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, filepath.Join("golden", ts.name, "secret.yaml"), secret)

			text, err := os.ReadFile(ts.path)
			if err != nil {
				t.Fatal(err)
			}
			job, err := render.DoctorJob(res.Spec, res.Config, render.DoctorJobOptions{Options: opts,
				Namespace: "jhub", Image: "registry.example.org/hubctl:1.0", SpecText: text})
			if err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, filepath.Join("golden", ts.name, "doctor-job.yaml"), job)

			for _, svc := range res.Spec.Services {
				vars, err := render.ServiceEnv(res.Spec, res.Config, svc.Name)
				if err != nil {
					t.Fatal(err)
				}
				for _, format := range render.EnvFormats {
					out, err := render.WriteServiceEnv(vars, format, res.Config, opts)
					if err != nil {
						t.Fatal(err)
					}
					golden.Assert(t, filepath.Join("golden", ts.name, "service-env", svc.Name+"."+format), out)
				}
			}
		})
	}
}

func TestInlineSecrets(t *testing.T) {
	res := loadSpec(t, filepath.Join(golden.Dir(t), "specs", "base-path.yaml"))
	opts := renderOptions(res)
	opts.InlineSecrets = true
	helm, err := render.HelmValues(res.Config, opts)
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join("golden", "base-path", "helm-values-inline.yaml"), helm)
	py, err := render.HubConfig(res.Config, opts)
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join("golden", "base-path", "hub-config-inline.py"), py)
	for _, want := range []string{"client-secret-from-a-file", "grader-token-0123456789abcdef", testEnv["REPORTER_API_TOKEN"]} {
		if !bytes.Contains(helm, []byte(want)) || !bytes.Contains(py, []byte(want)) {
			t.Errorf("inlined output lacks %q", want)
		}
	}
}

// TestNoSecretWithoutAsking checks that no rendering prints a secret value
// unless inlining was asked for.
func TestNoSecretWithoutAsking(t *testing.T) {
	values := []string{"client-secret-from-a-file", "grader-token-0123456789abcdef"}
	for _, v := range testEnv {
		values = append(values, v)
	}
	for _, ts := range testSpecs(t) {
		res := loadSpec(t, ts.path)
		opts := renderOptions(res)
		outputs := map[string][]byte{}
		outputs["helm-values"], _ = render.HelmValues(res.Config, opts)
		outputs["hub-config"], _ = render.HubConfig(res.Config, opts)
		for _, svc := range res.Spec.Services {
			vars, _ := render.ServiceEnv(res.Spec, res.Config, svc.Name)
			for _, format := range render.EnvFormats {
				outputs["service-env "+format], _ = render.WriteServiceEnv(vars, format, res.Config, opts)
			}
		}
		for name, out := range outputs {
			if len(out) == 0 {
				t.Errorf("%s: %s rendered nothing", ts.name, name)
			}
			for _, v := range values {
				if bytes.Contains(out, []byte(v)) {
					t.Errorf("%s: %s prints the secret %q", ts.name, name, v)
				}
			}
		}
	}
}

func TestLiteralSecretNeedsInlineForHubConfig(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "hubctl.yaml")
	os.WriteFile(path, []byte(`version: 1
hub: {url: https://hub.example.org}
services:
  svc:
    apiToken: literal-token-0123
`), 0o644)
	res := loadSpec(t, path)
	if _, err := render.HubConfig(res.Config, renderOptions(res)); err == nil || !strings.Contains(err.Error(), "services.svc.apiToken is a literal secret") {
		t.Fatalf("want a refusal naming the literal, got %v", err)
	}
	opts := renderOptions(res)
	opts.InlineSecrets = true
	py, err := render.HubConfig(res.Config, opts)
	if err != nil || !bytes.Contains(py, []byte(`"literal-token-0123"`)) {
		t.Fatalf("inline: %v\n%s", err, py)
	}
}

func TestSecretErrorsNameReferencesNotValues(t *testing.T) {
	res := loadSpec(t, filepath.Join(filepath.Dir(golden.Dir(t)), "examples", "nbgallery.yaml"))
	opts := renderOptions(res)
	opts.Resolver.LookupEnv = func(name string) (string, bool) {
		if name == "NBVIEWER_API_TOKEN" {
			return "short", true
		}
		return "", false
	}
	_, err := render.KubernetesSecret(res.Config, render.SecretOptions{Options: opts})
	if err == nil || !strings.Contains(err.Error(), "OAUTH_CLIENT_SECRET is not set") {
		t.Fatalf("want the missing variable named, got %v", err)
	}
	opts.Resolver.LookupEnv = func(name string) (string, bool) {
		if name == "NBVIEWER_API_TOKEN" {
			return "short", true
		}
		return "fine-secret-value", true
	}
	_, err = render.KubernetesSecret(res.Config, render.SecretOptions{Options: opts})
	if err == nil || !strings.Contains(err.Error(), "has 5 characters") || strings.Contains(err.Error(), "short") {
		t.Fatalf("want the short token reported without its value, got %v", err)
	}
}

// chartValues merges rendered values over the chart's defaults, as helm does.
func chartValues(t *testing.T, rendered []byte) map[string]any {
	t.Helper()
	defaults, err := os.ReadFile(filepath.Join(testbed.ChartDir(t), "values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	values, err := chart.MergeFiles(defaults, rendered)
	if err != nil {
		t.Fatal(err)
	}
	return values
}

// TestHelmValuesPassTheChartSchema validates every rendering against the
// released chart's own values schema (testbed.ChartVersion, the one users
// deploy), after merging the chart's defaults.
func TestHelmValuesPassTheChartSchema(t *testing.T) {
	schemaYAML, err := os.ReadFile(testbed.ChartSchemaFile(t))
	if err != nil {
		t.Fatal(err)
	}
	schema, err := chart.CompileSchema(schemaYAML)
	if err != nil {
		t.Fatal(err)
	}
	for _, ts := range testSpecs(t) {
		res := loadSpec(t, ts.path)
		for _, inline := range []bool{false, true} {
			opts := renderOptions(res)
			opts.InlineSecrets = inline
			values, err := render.HelmValues(res.Config, opts)
			if inline && err != nil {
				continue // k8sSecret references cannot be inlined
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := schema.Validate(chartValues(t, values)); err != nil {
				t.Errorf("%s (inline %v): rendered values fail the chart schema: %v", ts.name, inline, err)
			}
		}
	}
	// The seed's legacy values must fail, or the check proves nothing.
	legacy := []byte("hub:\n  extraEnv:\n    OAUTH2_TLS_VERIFY: \"False\"\nauth:\n  type: custom\n")
	if err := schema.Validate(chartValues(t, legacy)); err == nil {
		t.Error("the chart schema accepted a top-level auth block")
	}
}

func python(t *testing.T) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("python3 is not installed; run scripts/test, which checks for it")
	}
	return py
}

// TestHubConfigCompiles compiles every rendering with python3.
func TestHubConfigCompiles(t *testing.T) {
	py := python(t)
	for _, ts := range testSpecs(t) {
		res := loadSpec(t, ts.path)
		out, err := render.HubConfig(res.Config, renderOptions(res))
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(t.TempDir(), "jupyterhub_config.py")
		os.WriteFile(file, out, 0o644)
		cmd := exec.Command(py, "-c", "import sys; compile(open(sys.argv[1]).read(), sys.argv[1], 'exec')", file)
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s: python3 cannot compile the rendered config: %v\n%s", ts.name, err, msg)
		}
	}
}

func runPython(t *testing.T, py string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(py, args...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3 %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
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

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The Job gets its secrets by reference and its pod the label the chart's
// network policy admits; a literal secret is refused, not published.
func TestDoctorJob(t *testing.T) {
	res := loadSpec(t, filepath.Join(golden.Dir(t), "specs", "k8s-secrets.yaml"))
	job, err := render.DoctorJob(res.Spec, res.Config, render.DoctorJobOptions{Options: renderOptions(res),
		Image: "img", SpecText: []byte("version: 1\n"), HubToken: &secret.K8sRef{Name: "hub-admin", Key: "token"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`hub.jupyter.org/network-access-hub: "true"`,
		"name: gallery-oauth\n", "key: client-secret\n",
		"name: HUBCTL_HUB_TOKEN\n", "name: hub-admin\n",
		"--require-all",
	} {
		if !strings.Contains(string(job), want) {
			t.Errorf("doctor job lacks %q:\n%s", want, job)
		}
	}
	res.Config.Services[0].APIToken.Ref = secret.Ref{Kind: secret.Literal, Literal: "0123456789abcdef"}
	_, err = render.DoctorJob(res.Spec, res.Config, render.DoctorJobOptions{Options: renderOptions(res), Image: "img"})
	if err == nil || !strings.Contains(err.Error(), "literal secret") || strings.Contains(err.Error(), "0123456789abcdef") {
		t.Errorf("literal secret: got %v", err)
	}
}

// TestSecretCarriesWhatAppStoredForK8sSecretReferences: a client
// registered by hubctl app whose secret the spec keeps in a cluster Secret
// gets that Secret rendered from the state; references with nothing stored
// stay the user's.
func TestSecretCarriesWhatAppStoredForK8sSecretReferences(t *testing.T) {
	res := loadSpec(t, filepath.Join(golden.Dir(t), "specs", "k8s-secrets.yaml"))
	opts := renderOptions(res)
	opts.Resolver.Stored = func(r secret.Ref) (string, bool) {
		if r.Kind == secret.K8s && r.K8s == (secret.K8sRef{Name: "gallery-oauth", Key: "client-secret"}) {
			return "stored-client-secret", true
		}
		return "", false
	}
	out, err := render.KubernetesSecret(res.Config, render.SecretOptions{Options: opts, Namespace: "jhub"})
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join("golden", "k8s-secrets", "secret-with-stored.yaml"), out)
	dec := yaml.NewDecoder(bytes.NewReader(out))
	byName := map[string]map[string]string{}
	for {
		var m struct {
			Metadata   struct{ Name, Namespace string }
			StringData map[string]string `yaml:"stringData"`
		}
		if err := dec.Decode(&m); err != nil {
			break
		}
		byName[m.Metadata.Name] = m.StringData
	}
	if got := byName["gallery-oauth"]; len(got) != 1 || got["client-secret"] != "stored-client-secret" {
		t.Errorf("gallery-oauth Secret: %v", got)
	}
	if _, ok := byName["nbviewer-token"]; ok {
		t.Error("a k8sSecret reference with nothing stored was rendered")
	}
}
