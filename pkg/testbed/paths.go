// This file finds the repository, the installed test bed under .build/, the
// pinned Zero-to-JupyterHub chart.

package testbed

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// modulePath identifies hubctl's own go.mod; the Hydra tools module nested in
// scripts/testbed has a go.mod too and must not be taken for the root.
const modulePath = "github.com/hubctl/hubctl"

// SetupCommand installs the test bed; failures about a missing piece name it.
const SetupCommand = "scripts/e2e-deps"

// RepoRoot returns the root of the hubctl checkout, found by walking up from
// the working directory (a package directory under go test) to the go.mod
// of module github.com/hubctl/hubctl.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("testbed: %v", err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if isRootModule(filepath.Join(d, "go.mod")) {
			return d
		}
		if filepath.Dir(d) == d {
			t.Fatalf("testbed: no go.mod of module %s above %s", modulePath, dir)
		}
	}
}

func isRootModule(goMod string) bool {
	f, err := os.Open(goMod)
	if err != nil {
		return false
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(s.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`) == modulePath
		}
	}
	return false
}

// BuildDir returns <repo>/.build, where scripts/e2e-deps installs everything.
func BuildDir(t testing.TB) string {
	t.Helper()
	return filepath.Join(RepoRoot(t), ".build")
}

// ChartVersion is the Zero-to-JupyterHub chart release that renderings are
// checked against: the one the README tells users to deploy.
const ChartVersion = "4.4.0"

// ChartDir returns the directory of the jupyterhub chart ChartVersion, with
// its Chart.yaml, values.yaml and values schema (see ChartSchemaFile). It is
// the first of
// $HUBCTL_CHART_DIR; the workplace's shared folder, $HUBCTL_SHARED_DIR or
// ../shared beside the checkout, at z2jh/chart-4.4.0/jupyterhub; and
// .build/chart/jupyterhub, which the chart step of scripts/e2e-deps pulls
// where there is no shared folder. scripts/e2e-deps picks in the same order.
func ChartDir(t testing.TB) string {
	t.Helper()
	dir, err := findChart(RepoRoot(t), os.Getenv)
	if err != nil {
		t.Fatalf("testbed: %v", err)
	}
	return dir
}

func findChart(root string, getenv func(string) string) (string, error) {
	if dir := getenv("HUBCTL_CHART_DIR"); dir != "" {
		return dir, checkChart(dir, "HUBCTL_CHART_DIR")
	}
	shared := getenv("HUBCTL_SHARED_DIR")
	if shared == "" {
		shared = filepath.Join(root, "..", "shared")
	}
	sharedChart := filepath.Join(shared, "z2jh", "chart-"+ChartVersion, "jupyterhub")
	if _, err := os.Stat(sharedChart); err == nil {
		return sharedChart, checkChart(sharedChart, "the shared folder")
	}
	pulled := filepath.Join(root, ".build", "chart", "jupyterhub")
	if _, err := os.Stat(pulled); err == nil {
		return pulled, checkChart(pulled, "the chart step of "+SetupCommand)
	}
	return "", fmt.Errorf("the jupyterhub chart %s is not installed: neither %s nor %s exists; "+
		"run %s from the repository root first (its chart step pulls the chart), or set HUBCTL_CHART_DIR",
		ChartVersion, sharedChart, pulled, SetupCommand)
}

// checkChart makes sure dir holds the files the tests read, of the pinned
// version, so that a stale or half-extracted chart is not taken for it.
func checkChart(dir, from string) error {
	chartYAML, err := os.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return fmt.Errorf("the jupyterhub chart from %s: %v", from, err)
	}
	version := ""
	for line := range strings.Lines(string(chartYAML)) {
		if rest, ok := strings.CutPrefix(line, "version:"); ok {
			version = strings.Trim(strings.TrimSpace(rest), `"'`)
		}
	}
	if version != ChartVersion {
		return fmt.Errorf("the jupyterhub chart from %s, %s, is version %q, not %s; run %s",
			from, dir, version, ChartVersion, SetupCommand)
	}
	if _, err := os.Stat(filepath.Join(dir, "values.yaml")); err != nil {
		return fmt.Errorf("the jupyterhub chart from %s: %v", from, err)
	}
	if _, err := schemaFile(dir); err != nil {
		return fmt.Errorf("the jupyterhub chart from %s: %v", from, err)
	}
	return nil
}

// ChartSchemaFile returns the values schema of the chart in ChartDir. The
// packaged chart, as helm pull unpacks it, ships values.schema.json, which is
// what helm validates values against; the chart's source, as in the shared
// folder, has only values.schema.yaml, which values.schema.json is generated
// from by dropping the descriptions. Both are JSON Schema in YAML syntax.
func ChartSchemaFile(t testing.TB) string {
	t.Helper()
	file, err := schemaFile(ChartDir(t))
	if err != nil {
		t.Fatalf("testbed: %v", err)
	}
	return file
}

func schemaFile(chartDir string) (string, error) {
	for _, name := range []string{"values.schema.json", "values.schema.yaml"} {
		file := filepath.Join(chartDir, name)
		if _, err := os.Stat(file); err == nil {
			return file, nil
		}
	}
	return "", fmt.Errorf("%s has neither values.schema.json nor values.schema.yaml", chartDir)
}

// requireInstalled fails the test, naming the set-up command, unless path
// exists. what says which piece of the test bed it is.
func requireInstalled(t testing.TB, path, what string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("testbed: %s is not installed (%s: %v); run %s from the repository root first",
			what, path, err, SetupCommand)
	}
}
