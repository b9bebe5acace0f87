package chart

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/hubctl/hubctl/pkg/testbed"
)

// entry is one file of an archive built for a test.
type entry struct {
	name string
	data []byte
}

func writeTgz(t *testing.T, file string, entries ...entry) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		if err := tw.WriteHeader(&tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// fakeChart is the smallest archive Locate accepts, as helm package lays
// it out: Chart.yaml first.
func fakeChart(name, version string) []entry {
	return []entry{
		{name + "/Chart.yaml", []byte("apiVersion: v2\nname: " + name + "\nversion: " + version + "\nappVersion: \"5.5.0\"\n")},
		{name + "/values.yaml", []byte("hub: {}\n")},
		{name + "/values.schema.json", []byte(`{"type": "object"}`)},
	}
}

// chartTgz packs the real chart directory as helm pull would.
func chartTgz(t *testing.T, dir, file string) {
	t.Helper()
	var entries []entry
	for _, name := range []string{"Chart.yaml", "values.yaml", "values.schema.yaml", "README.md"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, entry{"jupyterhub/" + name, data})
	}
	// A subchart's files must not be taken for the chart's.
	entries = append(entries, entry{"jupyterhub/charts/other/values.yaml", []byte("other: true\n")})
	writeTgz(t, file, entries...)
}

func TestLocateRealChart(t *testing.T) {
	dir := testbed.ChartDir(t)
	tgz := filepath.Join(t.TempDir(), "jupyterhub-4.4.0.tgz")
	chartTgz(t, dir, tgz)
	schema, err := os.ReadFile(filepath.Join(dir, "values.schema.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	values, err := os.ReadFile(filepath.Join(dir, "values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, flag, wantPath string
	}{
		{"chart directory", dir, dir},
		{"directory holding jupyterhub/", filepath.Dir(dir), dir},
		{"archive from helm pull", tgz, tgz},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := Locate(tt.flag, "", "")
			if err != nil {
				t.Fatal(err)
			}
			if src.Path != tt.wantPath || src.Version != "4.4.0" || src.AppVersion != "5.5.0" {
				t.Errorf("got path %s, version %q, appVersion %q", src.Path, src.Version, src.AppVersion)
			}
			if !bytes.Equal(src.Schema, schema) || !bytes.Equal(src.Values, values) {
				t.Error("the schema or values differ from the chart's files")
			}
		})
	}
}

func TestLocateNewestInCache(t *testing.T) {
	tests := []struct {
		name     string
		versions []string
		want     string
	}{
		{"4.10.0 is newer than 4.4.0", []string{"4.4.0", "4.10.0", "4.9.1"}, "4.10.0"},
		{"a pre-release ranks below its release", []string{"4.0.0-beta.2", "4.0.0", "3.3.8"}, "4.0.0"},
		{"a dev build ranks below its release", []string{"4.1.1-0.dev.git.6957.h0c9e5ad", "4.1.1"}, "4.1.1"},
		{"but above the release before", []string{"4.1.0", "4.1.1-0.dev.git.6957.h0c9e5ad"}, "4.1.1-0.dev.git.6957.h0c9e5ad"},
		{"pre-releases in semver order", []string{"4.0.0-beta.10", "4.0.0-beta.2", "4.0.0-alpha.1"}, "4.0.0-beta.10"},
		{"only pre-releases", []string{"4.0.0-beta.2"}, "4.0.0-beta.2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cache := t.TempDir()
			for _, v := range tt.versions {
				writeTgz(t, filepath.Join(cache, "repository", "jupyterhub-"+v+".tgz"), fakeChart("jupyterhub", v)...)
			}
			// Another chart whose name starts the same way, and helm's own
			// index files, are not candidates.
			writeTgz(t, filepath.Join(cache, "repository", "jupyterhub-ssh-9.9.9.tgz"), fakeChart("jupyterhub-ssh", "9.9.9")...)
			if err := os.WriteFile(filepath.Join(cache, "repository", "jupyterhub-index.yaml"), []byte("apiVersion: v1\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			src, err := Locate("", cache, "/nonexistent-home")
			if err != nil {
				t.Fatal(err)
			}
			if src == nil {
				t.Fatal("no chart found")
			}
			want := filepath.Join(cache, "repository", "jupyterhub-"+tt.want+".tgz")
			if src.Path != want || src.Version != tt.want {
				t.Errorf("got %s (version %s), want %s", src.Path, src.Version, want)
			}
		})
	}
}

// Helm 4 keeps charts it fetched in a content cache named by digest.
func TestLocateHelm4ContentCache(t *testing.T) {
	cache := t.TempDir()
	put := func(name, version string) string {
		sum := sha256.Sum256([]byte(name + version))
		id := hex.EncodeToString(sum[:])
		file := filepath.Join(cache, "content", id[:2], id+".chart")
		writeTgz(t, file, fakeChart(name, version)...)
		return file
	}
	put("jupyterhub", "4.3.0")
	want := put("jupyterhub", "4.4.0")
	put("binderhub", "9.0.0")
	writeTgz(t, filepath.Join(cache, "repository", "jupyterhub-4.2.0.tgz"), fakeChart("jupyterhub", "4.2.0")...)
	if err := os.WriteFile(filepath.Join(cache, "content", "zz.chart"), []byte("not gzip"), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := Locate("", cache, "")
	if err != nil || src == nil {
		t.Fatalf("got %v, %v", src, err)
	}
	if src.Path != want || src.Version != "4.4.0" {
		t.Errorf("got %s (version %s), want %s", src.Path, src.Version, want)
	}
}

func TestLocateDefaultCacheUnderHome(t *testing.T) {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		t.Skip("helm's default cache is elsewhere on this system")
	}
	home := t.TempDir()
	want := filepath.Join(home, ".cache", "helm", "repository", "jupyterhub-4.4.0.tgz")
	writeTgz(t, want, fakeChart("jupyterhub", "4.4.0")...)
	src, err := Locate("", "", home)
	if err != nil || src == nil || src.Path != want {
		t.Fatalf("got %+v, %v; want %s", src, err, want)
	}
}

func TestLocateNothingFound(t *testing.T) {
	empty := t.TempDir()
	if err := os.MkdirAll(filepath.Join(empty, "repository"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, cache, home string }{
		{"empty cache", empty, ""},
		{"no cache directory", filepath.Join(empty, "missing"), ""},
		{"no cache and no home", "", ""},
		{"home without a cache", "", empty},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src, err := Locate("", tt.cache, tt.home)
			if src != nil || err != nil {
				t.Errorf("got %+v, %v; want nil, nil", src, err)
			}
		})
	}
	msg := SkippedMessage()
	for _, want := range []string{
		"was not checked",
		"helm pull jupyterhub --repo https://hub.jupyter.org/helm-chart/ --version 4.4.0",
		"--chart jupyterhub-4.4.0.tgz",
		"helm's cache",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("SkippedMessage lacks %q: %s", want, msg)
		}
	}
}

func TestLocateErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	notGzip := write("broken.tgz", []byte("<html>404</html>"))
	truncated := filepath.Join(dir, "truncated.tgz")
	writeTgz(t, truncated, fakeChart("jupyterhub", "4.4.0")...)
	data, _ := os.ReadFile(truncated)
	write("truncated.tgz", data[:len(data)/2])
	noSchema := filepath.Join(dir, "noschema.tgz")
	writeTgz(t, noSchema, fakeChart("jupyterhub", "4.4.0")[:2]...)
	traversal := filepath.Join(dir, "traversal.tgz")
	writeTgz(t, traversal, append(fakeChart("jupyterhub", "4.4.0"), entry{"jupyterhub/../../etc/cron.d/x", []byte("x")})...)
	absolute := filepath.Join(dir, "absolute.tgz")
	writeTgz(t, absolute, append(fakeChart("jupyterhub", "4.4.0"), entry{"/etc/passwd", []byte("x")})...)
	huge := filepath.Join(dir, "huge.tgz")
	writeTgz(t, huge, fakeChart("jupyterhub", "4.4.0")[0], fakeChart("jupyterhub", "4.4.0")[1],
		entry{"jupyterhub/values.schema.json", bytes.Repeat([]byte(" "), 8<<20+1)})
	bomb := filepath.Join(dir, "bomb.tgz")
	writeTgz(t, bomb, append(fakeChart("jupyterhub", "4.4.0"), entry{"jupyterhub/templates/zeros", make([]byte, 64<<20)})...)
	notChart := filepath.Join(dir, "notchart.tgz")
	writeTgz(t, notChart, entry{"README.md", []byte("hi")})
	emptyDir := filepath.Join(dir, "empty")
	if err := os.Mkdir(emptyDir, 0o755); err != nil {
		t.Fatal(err)
	}
	noSchemaDir := filepath.Dir(write("plain/Chart.yaml", []byte("name: jupyterhub\nversion: 4.4.0\n")))
	write("plain/values.yaml", []byte("{}\n"))
	hugeDir := filepath.Dir(write("big/Chart.yaml", []byte("name: jupyterhub\nversion: 4.4.0\n")))
	write("big/values.yaml", []byte("{}\n"))
	write("big/values.schema.yaml", bytes.Repeat([]byte("#"), 8<<20+1))

	tests := []struct {
		name, flag string
		want       []string
	}{
		{"not gzip", notGzip, []string{notGzip, "not a gzipped chart archive"}},
		{"truncated", truncated, []string{truncated, "broken archive"}},
		{"no schema", noSchema, []string{noSchema, "no values.schema.json or values.schema.yaml"}},
		{"path traversal", traversal, []string{traversal, "points outside the archive"}},
		{"absolute entry", absolute, []string{absolute, "absolute path"}},
		{"schema over 8 MiB", huge, []string{huge, "values.schema.json is larger than 8 MiB"}},
		{"unpacks too large", bomb, []string{bomb, "unpacks to more than 64 MiB"}},
		{"archive of no chart", notChart, []string{notChart, "not a chart archive"}},
		{"directory of no chart", emptyDir, []string{emptyDir, "not a chart directory"}},
		{"directory without schema", noSchemaDir, []string{noSchemaDir, "no values.schema.json or values.schema.yaml"}},
		{"directory with a huge schema", hugeDir, []string{hugeDir, "values.schema.yaml is larger than 8 MiB"}},
		{"missing", filepath.Join(dir, "nope.tgz"), []string{filepath.Join(dir, "nope.tgz"), "no such file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := Locate(tt.flag, "", "")
			if err == nil {
				t.Fatalf("accepted: %+v", src)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// A corrupt cached chart is reported, naming it, rather than skipped
// silently: the user asked for the newest one.
func TestLocateBadCachedArchive(t *testing.T) {
	cache := t.TempDir()
	bad := filepath.Join(cache, "repository", "jupyterhub-4.4.0.tgz")
	if err := os.MkdirAll(filepath.Dir(bad), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("partial download"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Locate("", cache, ""); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("got %v, want an error naming %s", err, bad)
	}
}

func TestSemverOrder(t *testing.T) {
	// Each version ranks below the next.
	ordered := []string{
		"3.3.8", "4.0.0-0.dev.git.1.habc", "4.0.0-alpha", "4.0.0-alpha.1", "4.0.0-alpha.beta",
		"4.0.0-beta", "4.0.0-beta.2", "4.0.0-beta.11", "4.0.0-rc.1", "4.0.0", "4.1.0",
		"4.1.1-0.dev.git.6957.h0c9e5ad", "4.1.1", "4.4.0", "4.10.0", "10.0.0",
	}
	for i := 0; i+1 < len(ordered); i++ {
		a, okA := parseSemver(ordered[i])
		b, okB := parseSemver(ordered[i+1])
		if !okA || !okB {
			t.Fatalf("%s or %s did not parse", ordered[i], ordered[i+1])
		}
		if a.compare(b) >= 0 || b.compare(a) <= 0 {
			t.Errorf("%s should rank below %s", ordered[i], ordered[i+1])
		}
	}
	if a, _ := parseSemver("4.4.0+build.5"); a.compare(semver{nums: [3]uint64{4, 4, 0}}) != 0 {
		t.Error("build metadata changed the order")
	}
	for _, bad := range []string{"", "4", "4.4", "4.4.x", "ssh-0.1.0", "4.4.0-", "4.4.0-a..b", "4..0"} {
		if _, ok := parseSemver(bad); ok {
			t.Errorf("%q parsed as a version", bad)
		}
	}
}
