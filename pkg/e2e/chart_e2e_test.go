//go:build e2e

package e2e_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubctl/hubctl/pkg/testbed"
)

const chartSpec = `version: 1
hub:
  url: http://127.0.0.1:%d
login:
  provider: oauth2
  url: https://id.example.org
  authorizeUrl: https://id.example.org/authorize
  tokenUrl: https://id.example.org/token
  userdataUrl: https://id.example.org/userinfo
  clientId: hub
  clientSecret: {env: OAUTH_CLIENT_SECRET}
  allow: {all: true}
services:
  nbviewer:
    url: http://127.0.0.1:9
    apiToken: {env: NBVIEWER_API_TOKEN}
    access: all
  status:
    url: http://127.0.0.1:9
    oauth: false
`

// TestChartBehaviours asserts, on the real chart 4.4.0's rendering and on
// the hub it makes, what the README says the chart does with hubctl's
// values: helm lint passes them; a service token in hub.existingSecret
// under hub.services.NAME.apiToken wins over the one the chart generates;
// the chart generates a token for a service that has none; and the chart's
// generated tokens change with every helm template (chart issue #2887),
// while hubctl's Secret does not.
func TestChartBehaviours(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	port := testbed.FreePort(t)
	env := map[string]string{"OAUTH_CLIENT_SECRET": "client-secret-0123456789", "NBVIEWER_API_TOKEN": "nbviewer-token-0123456789abcdef"}
	specPath := writeSpec(t, dir, fmt.Sprintf(chartSpec, port))
	values := runHubctl(t, env, "render", "helm-values", "-f", specPath)
	valuesFile := filepath.Join(dir, "values-hubctl.yaml")
	if err := os.WriteFile(valuesFile, []byte(values), 0o600); err != nil {
		t.Fatal(err)
	}
	operator := filepath.Join(testbed.RepoRoot(t), "testdata", "chart", "config.yaml")

	lint := string(testbed.Helm(t, "lint", testbed.ChartDir(t), "-f", operator, "-f", valuesFile))
	if !strings.Contains(lint, "1 chart(s) linted, 0 chart(s) failed") || strings.Contains(lint, "[ERROR]") {
		t.Errorf("helm lint with hubctl's values:\n%s", lint)
	}

	secrets := clusterSecretsFor(t, env, specPath, nil)
	first := chartHub(t, dir, secrets, []byte(values))
	second := chartHub(t, t.TempDir(), clusterSecretsFor(t, env, specPath, nil), []byte(values))
	generated := func(r rendered) map[string]string {
		ms, err := testbed.ParseManifests(r.chart.manifests, r.chart.secrets)
		if err != nil {
			t.Fatal(err)
		}
		pod, err := ms.Materialize(t.TempDir(), "Deployment", "hub", "hub", testbed.PodPlace{Namespace: "jhub"})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, name := range []string{"nbviewer", "status"} {
			data, err := os.ReadFile(filepath.Join(pod.Root, "usr/local/etc/jupyterhub/secret", "hub.services."+name+".apiToken"))
			if err != nil || len(data) < 32 {
				t.Fatalf("the chart's Secret has no generated token for %s (%v, %d bytes)", name, err, len(data))
			}
			out[name] = string(data)
		}
		return out
	}
	g1, g2 := generated(first), generated(second)
	for name := range g1 {
		if g1[name] == g2[name] {
			t.Errorf("the chart generated the same %s token twice; chart issue #2887 says helm template makes a new one each time", name)
		}
	}
	if a, b := runHubctl(t, env, "render", "secret", "-f", specPath), runHubctl(t, env, "render", "secret", "-f", specPath); a != b {
		t.Error("hubctl's Secret changed between two renderings")
	}

	h := startRenderedHub(t, testbed.ChartHubVersion, port, first)
	whoami := func(token string) (int, string) {
		var me struct{ Name string }
		status := apiGet(t, h, "/user", token, &me)
		return status, me.Name
	}
	if status, name := whoami(env["NBVIEWER_API_TOKEN"]); status != http.StatusOK || name != "nbviewer" {
		t.Errorf("hubctl's nbviewer token (in hub.existingSecret): HTTP %d as %q, want 200 as nbviewer", status, name)
	}
	if status, _ := whoami(g1["nbviewer"]); status != http.StatusForbidden {
		t.Errorf("the chart's own nbviewer token: HTTP %d, want 403: the existing Secret's wins", status)
	}
	if status, name := whoami(g1["status"]); status != http.StatusOK || name != "status" {
		t.Errorf("the chart's generated token for status, which hubctl gave none: HTTP %d as %q, want 200 as status", status, name)
	}
}
