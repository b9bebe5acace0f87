package importer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/golden"
	"github.com/hubctl/hubctl/pkg/load"
	"github.com/hubctl/hubctl/pkg/render"
	"github.com/hubctl/hubctl/pkg/secret"
	"github.com/hubctl/hubctl/pkg/state"
)

// testEnv is every secret the example specs reference, with fake values.
var testEnv = map[string]string{
	"OAUTH_CLIENT_SECRET":     "client-secret-value-0123",
	"NBVIEWER_API_TOKEN":      "nbviewer-token-0123456789",
	"ANNOUNCEMENTS_API_TOKEN": "announcements-token-0123456789",
	"REPORTER_API_TOKEN":      "reporter-token-0123456789",
}

func lookupEnv(name string) (string, bool) {
	v, ok := testEnv[name]
	return v, ok
}

// discoveryStub answers the discovery request of testdata/specs/oidc-discovery.yaml.
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
	return &http.Response{StatusCode: 200, Status: "200 OK", Body: io.NopCloser(bytes.NewReader(body)),
		Header: http.Header{"Content-Type": {"application/json"}}, Request: r}, nil
}

// rendered is what hubctl renders for a spec: its helm values as plain
// maps, and the Secrets render secret writes, by name and key.
type rendered struct {
	values  map[string]any
	secrets map[string]map[string]string
}

// renderSpec loads and renders the spec at path; stored are the values
// hubctl keeps in its state (Result.Secrets for an imported spec).
func renderSpec(t *testing.T, path string, stored map[string]string) ([]byte, rendered) {
	t.Helper()
	res, err := load.Config(context.Background(), path, load.Options{
		LookupEnv: lookupEnv, HTTPClient: &http.Client{Transport: discoveryStub{}}})
	if err != nil {
		t.Fatalf("loading %s: %v", path, err)
	}
	res.Resolver.Stored = func(r secret.Ref) (string, bool) {
		v, ok := stored[state.RefKey(r)]
		return v, ok
	}
	opts := render.Options{Source: filepath.Base(path), Resolver: res.Resolver}
	helm, err := render.HelmValues(res.Config, opts)
	if err != nil {
		t.Fatalf("rendering %s: %v", path, err)
	}
	out := rendered{secrets: map[string]map[string]string{}}
	if err := yaml.Unmarshal(helm, &out.values); err != nil {
		t.Fatal(err)
	}
	docs, err := render.KubernetesSecret(res.Config, render.SecretOptions{Options: opts})
	if err != nil {
		t.Fatalf("rendering the secret of %s: %v", path, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(docs))
	for {
		var doc struct {
			Metadata   struct{ Name string }
			StringData map[string]string `yaml:"stringData"`
		}
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		out.secrets[doc.Metadata.Name] = doc.StringData
	}
	return helm, out
}

// writeImported writes the imported spec and its files to a directory of
// their own, and checks that hubctl's own loader and rules accept it.
func writeImported(t *testing.T, res *Result) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "hubctl.yaml")
	if err := os.WriteFile(path, res.Spec, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, data := range res.Files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	r, err := load.Spec(path, load.Options{})
	if err != nil {
		t.Fatalf("the imported spec does not validate: %v\n%s", err, res.Spec)
	}
	for _, f := range r.Findings {
		if f.Severity == finding.Error {
			t.Errorf("the imported spec has an error: %s", f)
		}
	}
	return path
}

func sub(m map[string]any, path ...string) map[string]any {
	for _, k := range path {
		next, _ := m[k].(map[string]any)
		if next == nil {
			return nil
		}
		m = next
	}
	return m
}

// TestRoundTrip renders every example and test spec, imports the helm
// values, renders the imported spec again, and requires the same hub
// values and the same secrets, byte for byte apart from the header.
func TestRoundTrip(t *testing.T) {
	root := filepath.Dir(golden.Dir(t))
	var specs []string
	for _, pattern := range []string{"examples/*.yaml", "testdata/specs/*.yaml"} {
		m, _ := filepath.Glob(filepath.Join(root, pattern))
		specs = append(specs, m...)
	}
	if len(specs) < 6 {
		t.Fatalf("found only %d specs", len(specs))
	}
	for _, path := range specs {
		name := strings.TrimSuffix(filepath.Base(path), ".yaml")
		t.Run(name, func(t *testing.T) {
			helm, first := renderSpec(t, path, nil)
			res, err := Import(parseValues(t, "values-hubctl.yaml", helm))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Left) > 0 {
				t.Errorf("hubctl's own rendering left %v", res.Left)
			}
			if len(res.Secrets) > 0 {
				t.Errorf("hubctl's own rendering holds no secret values, import found %d", len(res.Secrets))
			}
			_, second := renderSpec(t, writeImported(t, res), res.Secrets)
			if sub(first.values, "hub", "services") == nil {
				// Render sets hub.existingSecret for the secrets it keeps
				// there. Imported, the client secret is a reference to
				// that Secret's key, which extraEnv reads without it, and
				// without services the chart reads nothing else there.
				delete(sub(first.values, "hub"), "existingSecret")
			}
			if !reflect.DeepEqual(first.values, second.values) {
				a, _ := yaml.Marshal(first.values)
				b, _ := yaml.Marshal(second.values)
				t.Errorf("the round trip changed the values\n--- rendered\n%s\n--- imported and rendered again\n%s\n--- imported spec\n%s", a, b, res.Spec)
			}
			golden.Assert(t, filepath.Join("golden", "importer", "roundtrip", name+".yaml"), res.Spec)
		})
	}
}

// cluster holds the Secrets the fixtures reference from the cluster.
var cluster = map[string]map[string]string{
	"dex-client": {"secret": "dex-client-secret-0123"},
}

func TestImportFixtures(t *testing.T) {
	tests := []struct {
		name string
		// left are the paths import must report as left in the values.
		left []string
		// differ are the rendered settings that may differ from the
		// values', each on purpose: what the spec always makes explicit
		// (the callback, services' client ids and redirect URIs, role
		// descriptions), a provider's defaults, and fixes.
		differ []string
	}{
		{name: "nbgallery-migrated",
			left: []string{"hub.config.GenericOAuthenticator.userdata_params"},
			differ: []string{
				"hub.config.GenericOAuthenticator.scope",     // NBGallery's default, read, which Doorkeeper granted anyway
				"hub.config.GenericOAuthenticator.allow_all", // the values admitted nobody (OAuthenticator 16 and later)
			}},
		{name: "github",
			left: []string{"hub.config.JupyterHub.authenticator_class", "hub.config.GitHubOAuthenticator", "hub.config.Authenticator"},
			differ: []string{
				"hub.services.announcement.oauth_client_id", "hub.services.announcement.oauth_redirect_uri",
				"hub.loadRoles.announcement-users.description",
			}},
		{name: "extraconfig",
			left: []string{"hub.extraEnv.OAUTH2_BASIC_AUTH", "hub.extraConfig.groups-hook", "hub.config.JupyterHub.admin_access",
				"hub.config.KubeSpawner", "hub.config.GenericOAuthenticator.enable_auth_state",
				"hub.config.GenericOAuthenticator.refresh_pre_spawn", "hub.services.cull-report.command",
				"hub.services.cull-report.environment"},
			differ: []string{
				"hub.services.grader.oauth_client_id", "hub.services.grader.oauth_redirect_uri",
				"hub.loadRoles.grader.description", "hub.loadRoles.cull-report.description",
			}},
		{name: "base-path-ca",
			left: []string{"hub.config.GenericOAuthenticator.blocked_users", "hub.services.jupyterhub-idle-culler", "hub.loadRoles.admin"},
			differ: []string{
				"hub.config.GenericOAuthenticator.login_service",       // NBGallery's default
				"hub.config.GenericOAuthenticator.oauth_callback_url",  // always explicit
				"hub.config.GenericOAuthenticator.http_request_kwargs", // the CA, mounted where hubctl mounts it
				"hub.services.reports.oauth_client_id",                 // JupyterHub refuses one without service-
				"hub.services.reports.oauth_redirect_uri",              // absolute
				"hub.loadRoles.reports-users.description",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := fixture(t, tt.name+".yaml")
			res, err := Import(in)
			if err != nil {
				t.Fatal(err)
			}
			var left []string
			for _, f := range res.Left {
				if f.ID != "import-left" || f.Severity != finding.Warning || f.Pos.Line == 0 || !strings.Contains(f.Message, leftMsg) {
					t.Errorf("a left finding without its ID, position or message: %+v", f)
				}
				left = append(left, f.Path)
			}
			if !slices.Equal(left, tt.left) {
				t.Errorf("left\n got %q\nwant %q", left, tt.left)
			}
			golden.Assert(t, filepath.Join("golden", "importer", tt.name+".yaml"), res.Spec)
			if again, err := Import(fixture(t, tt.name+".yaml")); err != nil || !bytes.Equal(again.Spec, res.Spec) {
				t.Errorf("a second import differs (%v)", err)
			}
			golden.Assert(t, filepath.Join("golden", "importer", tt.name+".findings"), findingsText(res))
			assertNoSecret(t, res)

			path := writeImported(t, res)
			_, out := renderSpec(t, path, res.Secrets)
			var values map[string]any
			data, _ := os.ReadFile(filepath.Join(golden.Dir(t), "importer", tt.name+".yaml"))
			if err := yaml.Unmarshal(data, &values); err != nil {
				t.Fatal(err)
			}
			ignore := append(slices.Clone(tt.left), tt.differ...)
			hit := map[string]bool{}
			compare(t, "hub.config."+hubAuthSection, effectiveLogin(values), sub(out.values, "hub", "config", hubAuthSection), ignore, hit)
			if _, ok := sub(out.values, "hub", "config")["JupyterHub"]; ok != (effectiveLogin(values) != nil) {
				t.Errorf("the login is rendered: %v, imported: %v", ok, effectiveLogin(values) != nil)
			}
			for _, key := range []string{"services", "loadRoles"} {
				compare(t, "hub."+key, sub(values, "hub", key), sub(out.values, "hub", key), ignore, hit)
			}
			for _, d := range tt.differ {
				if !hit[d] {
					t.Errorf("%s is listed as differing but does not differ", d)
				}
			}
			compareSecrets(t, values, out)
		})
	}
}

func findingsText(res *Result) []byte {
	var b strings.Builder
	for _, f := range append(slices.Clone(res.Left), res.Review...) {
		fmt.Fprintln(&b, f.String())
		if f.Hint != "" {
			fmt.Fprintf(&b, "    hint: %s\n", f.Hint)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(res.Secrets)) {
		fmt.Fprintf(&b, "secret %s\n", k)
	}
	for _, k := range slices.Sorted(maps.Keys(res.Files)) {
		fmt.Fprintf(&b, "file %s\n", k)
	}
	return []byte(b.String())
}

const hubAuthSection = "GenericOAuthenticator"

// envTraits are the variables GenericOAuthenticator takes a trait's
// default from.
var envTraits = map[string]string{
	"OAUTH2_AUTHORIZE_URL": "authorize_url", "OAUTH2_TOKEN_URL": "token_url", "OAUTH2_USERDATA_URL": "userdata_url",
	"OAUTH_CALLBACK_URL": "oauth_callback_url", "OAUTH_CLIENT_ID": "client_id", "OAUTH2_USERNAME_KEY": "username_claim",
}

// effectiveLogin is what GenericOAuthenticator reads from the values: the
// sections of its classes, the most specific winning, over the
// environment's defaults; nil when the hub does not use it. The client
// secret is compared on its own.
func effectiveLogin(values map[string]any) map[string]any {
	config := sub(values, "hub", "config")
	cls, _ := sub(config, "JupyterHub")["authenticator_class"].(string)
	if !slices.Contains(genericClasses, cls) {
		return nil
	}
	out := map[string]any{}
	for name, v := range sub(values, "hub", "extraEnv") {
		if trait, ok := envTraits[name]; ok {
			out[trait] = v
		}
		if name == "OAUTH_TLS_VERIFY" && v == "0" {
			out["validate_server_cert"] = false
		}
	}
	for _, sec := range []string{"Authenticator", "OAuthenticator", hubAuthSection} {
		for k, v := range sub(config, sec) {
			out[k] = v
		}
	}
	delete(out, "client_secret")
	return out
}

// compare requires got to have what want has, key by key, and nothing
// else, apart from the paths in ignore (below base).
func compare(t *testing.T, base string, want, got map[string]any, ignore []string, hit map[string]bool) {
	t.Helper()
	skip := func(p string) bool {
		for _, i := range ignore {
			if p == i || strings.HasPrefix(p, i+".") {
				hit[i] = true
				return true
			}
		}
		return false
	}
	for _, p := range slices.Sorted(maps.Keys(want)) {
		path := base + "." + p
		if skip(path) {
			continue
		}
		w, g := want[p], got[p]
		wm, wIsMap := w.(map[string]any)
		gm, gIsMap := g.(map[string]any)
		switch {
		case wIsMap && gIsMap:
			compare(t, path, wm, gm, ignore, hit)
		case p == "apiToken" || p == "api_token":
			// A token moves to a Secret; compareSecrets follows it.
		case p == "oauth_no_confirm" && w == false && g == nil:
		case !reflect.DeepEqual(w, g):
			t.Errorf("%s: the values have %v, the imported spec renders %v", path, w, g)
		}
	}
	for _, p := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[p]; !ok && !skip(base+"."+p) {
			t.Errorf("%s.%s: rendered (%v) but not in the values", base, p, got[p])
		}
	}
}

// compareSecrets follows the client secret and each service's token from
// the values and from the imported spec's rendering (its Secrets, as
// render secret writes them from Result.Secrets) to the same value.
func compareSecrets(t *testing.T, values map[string]any, out rendered) {
	t.Helper()
	lookup := func(name, key string) string {
		if v, ok := out.secrets[name][key]; ok {
			return v
		}
		return cluster[name][key]
	}
	fromEnv := func(env map[string]any, name string) string {
		switch v := env[name].(type) {
		case string:
			return v
		case map[string]any:
			ref := sub(v, "valueFrom", "secretKeyRef")
			n, _ := ref["name"].(string)
			k, _ := ref["key"].(string)
			return lookup(n, k)
		}
		return ""
	}
	if effectiveLogin(values) != nil {
		want := ""
		for _, sec := range []string{"Authenticator", "OAuthenticator", hubAuthSection} {
			if v, ok := sub(values, "hub", "config", sec)["client_secret"].(string); ok {
				want = v
			}
		}
		if want == "" {
			want = fromEnv(sub(values, "hub", "extraEnv"), "OAUTH_CLIENT_SECRET")
		}
		if got := fromEnv(sub(out.values, "hub", "extraEnv"), "OAUTH_CLIENT_SECRET"); got != want || got == "" {
			t.Errorf("the client secret does not reach the hub: got %d characters, want %d", len(got), len(want))
		}
	}
	existing, _ := sub(out.values, "hub")["existingSecret"].(string)
	for name, svc := range sub(values, "hub", "services") {
		m, _ := svc.(map[string]any)
		want, _ := m["api_token"].(string)
		if want == "" {
			want, _ = m["apiToken"].(string)
		}
		if want == "" || name == "jupyterhub-idle-culler" {
			continue
		}
		if got := lookup(existing, "hub.services."+name+".apiToken"); got != want {
			t.Errorf("service %s: its token does not reach the chart through hub.existingSecret %q", name, existing)
		}
	}
}

func TestLegacyAuth(t *testing.T) {
	_, err := Import(fixture(t, "legacy-auth.yaml"))
	var le *LegacyAuthError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "hubctl migrate legacy-auth.yaml --write") {
		t.Fatalf("got %v, want the error that names hubctl migrate", err)
	}
}
