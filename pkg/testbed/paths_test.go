// Unit tests of the helpers that need no installed test bed.

package testbed

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func TestRepoRoot(t *testing.T) {
	root := RepoRoot(t)
	if _, err := os.Stat(filepath.Join(root, "pkg", "testbed", "doc.go")); err != nil {
		t.Errorf("RepoRoot = %s, which has no pkg/testbed: %v", root, err)
	}
}

func TestFreePortDistinct(t *testing.T) {
	seen := map[int]bool{}
	for range 50 {
		p := FreePort(t)
		if p <= 0 || seen[p] {
			t.Fatalf("FreePort returned %d twice or invalid", p)
		}
		seen[p] = true
	}
}

// Another test process opens its own file description, and flock locks are
// per description, so a second lockPort here stands in for that process.
func TestFreePortIsLockedAgainstOtherProcesses(t *testing.T) {
	port := FreePort(t)
	if _, ok := lockPort(filepath.Join(os.TempDir(), "hubctl-testbed-ports"), port); ok {
		t.Fatalf("port %d was reserved, yet a second lock on it succeeded", port)
	}
	if port < portLow || port >= portHigh {
		t.Fatalf("port %d is outside %d-%d", port, portLow, portHigh)
	}
}

// fatalRecorder catches Fatalf so the message can be checked.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestMissingTestBedNamesSetupCommand(t *testing.T) {
	rec := &fatalRecorder{TB: t}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		requireInstalled(rec, filepath.Join(t.TempDir(), "no-such-binary"), "Ory Hydra")
	}()
	wg.Wait()
	if !strings.Contains(rec.msg, "scripts/e2e-deps") || !strings.Contains(rec.msg, "Ory Hydra") {
		t.Errorf("message %q should name the piece and scripts/e2e-deps", rec.msg)
	}
}

func TestMergeEnv(t *testing.T) {
	got := mergeEnv([]string{"A=1", "PATH=/bin", "B=2"}, map[string]string{"PATH": "/x:/bin", "C": "3"})
	want := map[string]bool{"A=1": true, "B=2": true, "PATH=/x:/bin": true, "C=3": true}
	if len(got) != len(want) {
		t.Fatalf("mergeEnv = %v", got)
	}
	for _, kv := range got {
		if !want[kv] {
			t.Errorf("unexpected %q in %v", kv, got)
		}
	}
}

// writeChart lays out a chart directory with the files ChartDir checks and
// the named schema files (none, or values.schema.json for a packaged chart).
func writeChart(t *testing.T, dir, version string, schemas ...string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"Chart.yaml":  "apiVersion: v2\nname: jupyterhub\nversion: " + version + "\nappVersion: 5.5.0\n",
		"values.yaml": "{}\n",
	}
	for _, name := range schemas {
		files[name] = "{}\n"
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestFindChart(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "main")
	sharedChart := filepath.Join(base, "shared", "z2jh", "chart-"+ChartVersion, "jupyterhub")
	pulled := filepath.Join(root, ".build", "chart", "jupyterhub")
	otherShared := filepath.Join(base, "elsewhere")
	otherSharedChart := filepath.Join(otherShared, "z2jh", "chart-"+ChartVersion, "jupyterhub")
	explicit := filepath.Join(base, "explicit")
	tests := []struct {
		name    string
		charts  map[string]string // directory -> version
		schemas []string          // schema files in every chart; values.schema.yaml if nil
		env     map[string]string
		want    string
		wantErr []string // substrings of the error
	}{
		{name: "shared folder beside the checkout", charts: map[string]string{sharedChart: ChartVersion, pulled: ChartVersion},
			want: sharedChart},
		{name: "pulled by e2e-deps when there is no shared folder", charts: map[string]string{pulled: ChartVersion},
			schemas: []string{"values.schema.json"}, want: pulled},
		{name: "a chart without a values schema is refused", charts: map[string]string{pulled: ChartVersion},
			schemas: []string{}, wantErr: []string{"neither values.schema.json nor values.schema.yaml", pulled}},
		{name: "HUBCTL_SHARED_DIR moves the shared folder", charts: map[string]string{sharedChart: ChartVersion, otherSharedChart: ChartVersion},
			env: map[string]string{"HUBCTL_SHARED_DIR": otherShared}, want: otherSharedChart},
		{name: "HUBCTL_CHART_DIR wins", charts: map[string]string{sharedChart: ChartVersion, explicit: ChartVersion},
			env: map[string]string{"HUBCTL_CHART_DIR": explicit}, want: explicit},
		{name: "nothing installed names the set-up step",
			wantErr: []string{"scripts/e2e-deps", "chart step", sharedChart, pulled, "HUBCTL_CHART_DIR"}},
		{name: "a stale pulled chart is refused", charts: map[string]string{pulled: "4.3.0"},
			wantErr: []string{`version "4.3.0", not ` + ChartVersion, "scripts/e2e-deps"}},
		{name: "HUBCTL_CHART_DIR without a chart", env: map[string]string{"HUBCTL_CHART_DIR": explicit},
			wantErr: []string{"HUBCTL_CHART_DIR", "Chart.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.RemoveAll(base)
			schemas := tt.schemas
			if schemas == nil {
				schemas = []string{"values.schema.yaml"}
			}
			for dir, version := range tt.charts {
				writeChart(t, dir, version, schemas...)
			}
			got, err := findChart(root, func(name string) string { return tt.env[name] })
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("findChart = %s, want an error", got)
				}
				for _, s := range tt.wantErr {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not mention %q", err, s)
					}
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("findChart = %s, %v; want %s", got, err, tt.want)
			}
		})
	}
}

func TestChartDirHasThePinnedChart(t *testing.T) {
	dir := ChartDir(t)
	data, err := os.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if err != nil || !strings.Contains(string(data), "version: "+ChartVersion) {
		t.Errorf("ChartDir = %s, whose Chart.yaml is not version %s (%v)", dir, ChartVersion, err)
	}
}

// The packaged chart's values.schema.json is what helm validates against;
// where a chart has both, it wins over the YAML it is generated from.
func TestSchemaFilePrefersThePackagedJSON(t *testing.T) {
	for _, tt := range []struct {
		schemas []string
		want    string
	}{
		{[]string{"values.schema.yaml"}, "values.schema.yaml"},
		{[]string{"values.schema.json"}, "values.schema.json"},
		{[]string{"values.schema.yaml", "values.schema.json"}, "values.schema.json"},
	} {
		dir := writeChart(t, t.TempDir(), ChartVersion, tt.schemas...)
		got, err := schemaFile(dir)
		if err != nil || got != filepath.Join(dir, tt.want) {
			t.Errorf("schemaFile with %v = %s, %v; want %s", tt.schemas, got, err, tt.want)
		}
	}
}
