//go:build e2e

package render_test

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/hubctl/hubctl/pkg/golden"
	"github.com/hubctl/hubctl/pkg/render"
	"github.com/hubctl/hubctl/pkg/testbed"
)

// TestRenderingsMeanTheSame loads both renderings of each spec and compares
// what they configure: the authenticator's traits with secrets and CA
// resolved, the services with their tokens, and the roles. hub-config is
// read by a small stand-in for traitlets; helm values go through the real
// chart: helm template with the rendering and the cluster's Secrets, the
// hub pod laid out from the manifests, and the chart's own
// jupyterhub_config.py loaded by traitlets in the hub image's Python, with
// the pod's environment and files at their paths.
func TestRenderingsMeanTheSame(t *testing.T) {
	py := python(t)
	scripts := filepath.Join(golden.Dir(t), "python")
	env := os.Environ()
	for k, v := range testEnv {
		env = append(env, k+"="+v)
	}
	for _, ts := range testSpecs(t) {
		t.Run(ts.name, func(t *testing.T) {
			t.Parallel()
			res := loadSpec(t, ts.path)
			opts := renderOptions(res)
			dir := t.TempDir()

			// hub-config beside copies of the files the spec names.
			copyTree(t, filepath.Dir(ts.path), dir)
			hubConfig, err := render.HubConfig(res.Config, opts)
			if err != nil {
				t.Fatal(err)
			}
			configFile := filepath.Join(dir, "jupyterhub_config.py")
			os.WriteFile(configFile, hubConfig, 0o644)
			fromHubConfig := runPython(t, py, env, filepath.Join(scripts, "effective_config.py"), "hub-config", configFile)

			values, err := render.HelmValues(res.Config, opts)
			if err != nil {
				t.Fatal(err)
			}
			valuesFile := filepath.Join(dir, "values-hubctl.yaml")
			os.WriteFile(valuesFile, values, 0o600)
			manifests := testbed.Helm(t, "template", "jhub", testbed.ChartDir(t), "--namespace", "jhub", "-f", valuesFile)
			own, err := render.KubernetesSecret(res.Config, render.SecretOptions{Options: opts})
			if err != nil {
				t.Fatal(err)
			}
			ms, err := testbed.ParseManifests(manifests, own, clusterSecretManifests(t))
			if err != nil {
				t.Fatal(err)
			}
			pod, err := ms.Materialize(t.TempDir(), "Deployment", "hub", "hub", testbed.PodPlace{Namespace: "jhub", PodName: "hub-0"})
			if err != nil {
				t.Fatal(err)
			}
			script := filepath.Join(dir, "effective_config.py")
			data, _ := os.ReadFile(filepath.Join(scripts, "effective_config.py"))
			os.WriteFile(script, data, 0o644)
			fromChart := testbed.RunInPod(t, pod, "python", script, "chart", "/usr/local/etc/jupyterhub/jupyterhub_config.py")

			if fromHubConfig != fromChart {
				t.Errorf("the renderings differ in meaning\n--- hub-config\n%s\n--- helm-values, through chart %s\n%s", fromHubConfig, testbed.ChartVersion, fromChart)
			}
			if !strings.Contains(fromChart, `"services"`) {
				t.Fatalf("effective config lacks services: %s", fromChart)
			}
		})
	}
}

// clusterSecretManifests are clusterSecrets as the Secrets in the cluster.
func clusterSecretManifests(t *testing.T) []byte {
	t.Helper()
	names := make([]string, 0, len(clusterSecrets))
	for n := range clusterSecrets {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		doc, err := yaml.Marshal(map[string]any{"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": n}, "stringData": clusterSecrets[n]})
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString("---\n")
		b.Write(doc)
	}
	return []byte(b.String())
}
