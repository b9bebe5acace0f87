//go:build e2e

package e2e_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/hubctl/hubctl/pkg/hub"
	"github.com/hubctl/hubctl/pkg/jupyterhub"
	"github.com/hubctl/hubctl/pkg/load"
	"github.com/hubctl/hubctl/pkg/secret"
	"github.com/hubctl/hubctl/pkg/testbed"
)

// exampleSecrets are the operator's environment for the examples.
var exampleSecrets = map[string]string{
	"OAUTH_CLIENT_SECRET":     "example-client-secret-0123",
	"NBVIEWER_API_TOKEN":      "nbviewer-token-0123456789abcdef",
	"ANNOUNCEMENTS_API_TOKEN": "announcements-token-0123456789",
}

// exampleClusterSecrets exist in the cluster for the examples' k8sSecret
// references (keycloak.yaml's client secret).
var exampleClusterSecrets = map[string]map[string]string{
	"keycloak-client": {"client-secret": exampleSecrets["OAUTH_CLIENT_SECRET"]},
}

// serviceStub stands in for the examples' services so the hub can reach
// them: it records the paths the hub's proxy sends it.
type serviceStub struct {
	*httptest.Server
	mu    sync.Mutex
	paths []string
}

func newServiceStub(t *testing.T) *serviceStub {
	s := &serviceStub{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.paths = append(s.paths, r.URL.Path)
		s.mu.Unlock()
		io.WriteString(w, "stub "+r.URL.Path)
	}))
	t.Cleanup(s.Close)
	return s
}

// copyExample copies an example and the files beside it into dir, with
// every service's url pointed at the stub.
func copyExample(t *testing.T, name, dir, stubURL string) string {
	t.Helper()
	src := filepath.Join(testbed.RepoRoot(t), "examples")
	entries, _ := os.ReadDir(src)
	for _, e := range entries {
		data, _ := os.ReadFile(filepath.Join(src, e.Name()))
		os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644)
	}
	path := filepath.Join(dir, name)
	data, _ := os.ReadFile(path)
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != "services" {
			continue
		}
		services := root.Content[i+1]
		for j := 1; j < len(services.Content); j += 2 {
			svc := services.Content[j]
			for k := 0; k+1 < len(svc.Content); k += 2 {
				if svc.Content[k].Value == "url" {
					svc.Content[k+1].Value = stubURL
				}
			}
		}
	}
	out, _ := yaml.Marshal(&doc)
	os.WriteFile(path, out, 0o644)
	return path
}

// TestExamplesStartARealHub renders each example, for each target, starts
// JupyterHub on it (every version at or above the example's target), and
// checks that the hub has the services and roles hubctl declared and that
// every service token is that service, holding exactly its roles' scopes.
func TestExamplesStartARealHub(t *testing.T) {
	t.Parallel()
	examples, _ := filepath.Glob(filepath.Join(testbed.RepoRoot(t), "examples", "*.yaml"))
	if len(examples) < 3 {
		t.Fatalf("expected the shipped examples, found %v", examples)
	}
	for _, example := range examples {
		name := filepath.Base(example)
		spec, err := load.Spec(example, load.Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, version := range testbed.HubVersions {
			v, _ := jupyterhub.ParseVersion(version)
			if !v.AtLeast(spec.Spec.Hub.TargetVersion()) {
				continue
			}
			for _, tgt := range targets {
				if !runsOn(tgt, version) {
					continue
				}
				t.Run(fmt.Sprintf("%s/jupyterhub-%s/%s", name, version, tgt), func(t *testing.T) {
					t.Parallel()
					checkExample(t, name, version, tgt)
				})
			}
		}
	}
}

func checkExample(t *testing.T, name, version string, tgt target) {
	stub := newServiceStub(t)
	dir := t.TempDir()
	specPath := copyExample(t, name, dir, stub.URL)
	res, err := load.Config(testContext(t), specPath, load.Options{LookupEnv: func(k string) (string, bool) { v, ok := exampleSecrets[k]; return v, ok }})
	if err != nil {
		t.Fatal(err)
	}
	cfg := res.Config

	r := renderFor(t, tgt, specPath, exampleSecrets, exampleClusterSecrets)
	if tgt == hubConfig {
		// A k8sSecret reference reaches a hub-config hub through the
		// variable hubctl names; the deployment maps it.
		for _, s := range cfg.Secrets() {
			if s.Ref.Kind == secret.K8s {
				r.env[s.HubEnv] = exampleClusterSecrets[s.Ref.K8s.Name][s.Ref.K8s.Key]
			}
		}
	}
	h := startRenderedHub(t, version, 0, r)

	if !strings.HasPrefix(h.Version(), version+".") {
		t.Errorf("GET /hub/api/ says %s, want %s.x", h.Version(), version)
	}

	var services map[string]struct {
		Name    string
		URL     string
		Roles   []string
		Display bool
	}
	if status := apiGet(t, h, "/services", adminToken, &services); status != http.StatusOK {
		t.Fatalf("GET /hub/api/services: HTTP %d", status)
	}
	for _, svc := range cfg.Services {
		got, ok := services[svc.Name]
		if !ok {
			t.Errorf("service %s is not in the hub: %v", svc.Name, services)
			continue
		}
		wantRoles := rolesOf(cfg, func(r hub.Role) bool { return slices.Contains(r.Services, svc.Name) })
		sort.Strings(got.Roles)
		if !slices.Equal(got.Roles, wantRoles) {
			t.Errorf("service %s has roles %v, want %v", svc.Name, got.Roles, wantRoles)
		}
		if got.URL != svc.URL {
			t.Errorf("service %s url %q, want %q", svc.Name, got.URL, svc.URL)
		}
		if want := svc.Display == nil || *svc.Display; got.Display != want {
			t.Errorf("service %s display %v, want %v", svc.Name, got.Display, want)
		}
		checkServiceToken(t, h, cfg, svc, version)
		checkProxyRoute(t, h, stub, svc.Name)
	}
	checkAccessRoles(t, h, cfg)
}

func rolesOf(cfg *hub.Config, match func(hub.Role) bool) []string {
	var out []string
	for _, r := range cfg.Roles {
		if match(r) {
			out = append(out, r.Name)
		}
	}
	sort.Strings(out)
	return out
}

// checkServiceToken asks the hub who the service's token is.
func checkServiceToken(t *testing.T, h *testbed.Hub, cfg *hub.Config, svc hub.Service, version string) {
	t.Helper()
	token := exampleSecrets[svc.APIToken.Ref.Env]
	if svc.APIToken.Ref.Env == "" {
		t.Fatalf("service %s: the examples use env tokens", svc.Name)
	}
	var me struct {
		Kind   string
		Name   string
		Scopes []string
	}
	if status := apiGet(t, h, "/user", token, &me); status != http.StatusOK {
		t.Fatalf("GET /hub/api/user with %s's token: HTTP %d", svc.Name, status)
	}
	var granted []string
	for _, r := range cfg.Roles {
		if slices.Contains(r.Services, svc.Name) {
			granted = append(granted, r.Scopes...)
		}
	}
	v, _ := jupyterhub.ParseVersion(version)
	want := jupyterhub.Expand(granted, v)
	sort.Strings(me.Scopes)
	if me.Kind != "service" || me.Name != svc.Name || !slices.Equal(me.Scopes, want) {
		t.Errorf("%s's token is %s %s with scopes %v; want service %s with %v", svc.Name, me.Kind, me.Name, me.Scopes, svc.Name, want)
	}
}

// checkProxyRoute requests the service through the hub's proxy.
func checkProxyRoute(t *testing.T, h *testbed.Hub, stub *serviceStub, name string) {
	t.Helper()
	resp, err := http.Get(h.URL + "/services/" + name + "/ping")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := "stub /services/" + name + "/ping"; resp.StatusCode != http.StatusOK || string(body) != want {
		t.Errorf("GET /services/%s/ping through the proxy: HTTP %d %q, want %q", name, resp.StatusCode, body, want)
	}
}

// checkAccessRoles checks that the users and groups of each access role
// hold it.
func checkAccessRoles(t *testing.T, h *testbed.Hub, cfg *hub.Config) {
	t.Helper()
	for _, r := range cfg.Roles {
		for _, user := range r.Users {
			var u struct{ Roles []string }
			if status := apiGet(t, h, "/users/"+user, adminToken, &u); status != http.StatusOK || !slices.Contains(u.Roles, r.Name) {
				t.Errorf("user %s: HTTP %d roles %v, want %s", user, status, u.Roles, r.Name)
			}
		}
		for _, group := range r.Groups {
			var g struct{ Roles []string }
			if status := apiGet(t, h, "/groups/"+group, adminToken, &g); status != http.StatusOK || !slices.Contains(g.Roles, r.Name) {
				t.Errorf("group %s: HTTP %d roles %v, want %s", group, status, g.Roles, r.Name)
			}
		}
	}
}
