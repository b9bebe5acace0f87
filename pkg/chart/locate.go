// This file finds the chart whose values schema hubctl lint checks against:
// the one the user names with --chart, or else the newest jupyterhub chart
// that helm left in its cache.

package chart

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// Limits on what Locate reads, so that a hostile or broken archive cannot
// make lint allocate without bound: the chart 4.4.0 schema is about 130 KiB
// and its whole archive well under 1 MiB unpacked.
const (
	maxSchemaBytes = 8 << 20
	maxFileBytes   = 8 << 20
	maxTarBytes    = 64 << 20
)

// cacheChartsToScan bounds how many of Helm 4's content-cache entries are
// opened to find a jupyterhub chart among them.
const cacheChartsToScan = 1000

// Source is a chart's values schema and defaults, with where they came from.
type Source struct {
	// Path is the directory or archive that was read.
	Path string
	// Version and AppVersion are Chart.yaml's.
	Version    string
	AppVersion string
	// Schema is values.schema.json or, in a chart's source tree that has
	// only that, values.schema.yaml.
	Schema []byte
	// Values is the chart's values.yaml.
	Values []byte

	once     sync.Once
	compiled *compiledSource
	err      error
}

// Locate finds the chart to validate values against. chartFlag, when set,
// is a chart directory, the directory holding jupyterhub/, or a .tgz as
// helm pull writes it. Otherwise Locate takes the newest jupyterhub chart in
// helm's cache under helmCacheHome ($HELM_CACHE_HOME; home's default cache
// when empty). It returns nil, nil when chartFlag is empty and the cache
// has no jupyterhub chart; SkippedMessage says what to do then.
func Locate(chartFlag, helmCacheHome, home string) (*Source, error) {
	if chartFlag != "" {
		return readChart(chartFlag)
	}
	cache := helmCacheHome
	if cache == "" {
		if home == "" {
			return nil, nil
		}
		cache = defaultCacheHome(home)
	}
	best := newestCached(cache)
	if best == "" {
		return nil, nil
	}
	return readArchive(best)
}

// SkippedMessage explains, when Locate found no chart, that the values were
// not checked against the chart's schema and how to have them checked.
func SkippedMessage() string {
	return "the chart's values schema was not checked: no --chart, and no jupyterhub chart in helm's cache " +
		"(helm install, upgrade and template leave one there; helm repo update does not).\n" +
		"  to check it: helm pull jupyterhub --repo https://hub.jupyter.org/helm-chart/ --version 4.4.0, " +
		"then --chart jupyterhub-4.4.0.tgz"
}

// defaultCacheHome is helm's cache directory when $HELM_CACHE_HOME is unset
// (and so is $XDG_CACHE_HOME, which the caller does not pass).
func defaultCacheHome(home string) string {
	if runtime.GOOS == "darwin" {
		return filepath.Join(home, "Library", "Caches", "helm")
	}
	return filepath.Join(home, ".cache", "helm")
}

// newestCached returns the cached jupyterhub chart with the highest version,
// or "" when there is none. Helm 3's helm install and friends store a chart
// fetched from a repository as repository/<name>-<version>.tgz; Helm 4
// stores it under content/ named by its digest, so those are opened to read
// the name and version.
func newestCached(cache string) string {
	var best string
	var bestVer semver
	consider := func(file string, v semver) {
		if best == "" || v.compare(bestVer) > 0 {
			best, bestVer = file, v
		}
	}
	tgzs, _ := filepath.Glob(filepath.Join(cache, "repository", "jupyterhub-*.tgz"))
	for _, file := range tgzs {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(file), "jupyterhub-"), ".tgz")
		// jupyterhub-ssh-0.1.0.tgz is another chart: its rest is no version.
		if v, ok := parseSemver(name); ok {
			consider(file, v)
		}
	}
	contents, _ := filepath.Glob(filepath.Join(cache, "content", "*", "*.chart"))
	if len(contents) > cacheChartsToScan {
		contents = contents[:cacheChartsToScan]
	}
	for _, file := range contents {
		name, version, ok := archiveChartName(file)
		if !ok || name != "jupyterhub" {
			continue
		}
		if v, ok := parseSemver(version); ok {
			consider(file, v)
		}
	}
	return best
}

// archiveChartName reads the name and version from a chart archive's
// Chart.yaml, which helm package writes as the first entry; an archive
// that does not start so is passed over.
func archiveChartName(file string) (name, version string, ok bool) {
	f, err := os.Open(file)
	if err != nil {
		return "", "", false
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return "", "", false
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err != nil {
			return "", "", false
		}
		if h.Typeflag == tar.TypeXGlobalHeader || h.Typeflag == tar.TypeDir {
			continue
		}
		dir, base := path.Split(h.Name)
		if base != "Chart.yaml" || strings.Count(strings.Trim(dir, "/"), "/") != 0 || dir == "" {
			return "", "", false
		}
		data, err := io.ReadAll(io.LimitReader(tr, maxFileBytes))
		if err != nil {
			return "", "", false
		}
		meta, err := parseChartYAML(data)
		if err != nil {
			return "", "", false
		}
		return meta.Name, meta.Version, true
	}
}

type chartMeta struct {
	Name       string `yaml:"name"`
	Version    string `yaml:"version"`
	AppVersion string `yaml:"appVersion"`
}

func parseChartYAML(data []byte) (chartMeta, error) {
	var m chartMeta
	err := yaml.Unmarshal(data, &m)
	return m, err
}

// readChart reads a chart directory, the directory above one, or an
// archive.
func readChart(p string) (*Source, error) {
	fi, err := os.Stat(p)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("chart %s: %w", p, err)
	}
	if !fi.IsDir() {
		return readArchive(p)
	}
	dir := p
	if _, err := os.Stat(filepath.Join(dir, "Chart.yaml")); err != nil {
		sub := filepath.Join(p, "jupyterhub")
		if _, err := os.Stat(filepath.Join(sub, "Chart.yaml")); err != nil {
			return nil, fmt.Errorf("chart %s: not a chart directory: neither it nor %s has a Chart.yaml", p, sub)
		}
		dir = sub
	}
	src := &Source{Path: dir}
	files := map[string][]byte{}
	for _, name := range []string{"Chart.yaml", "values.yaml", "values.schema.json", "values.schema.yaml"} {
		data, err := readCapped(filepath.Join(dir, name), name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("chart %s: %w", dir, err)
		}
		files[name] = data
	}
	return src, src.fill(files)
}

// readCapped reads a file unless it is larger than its cap.
func readCapped(file, name string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	limit := int64(maxFileBytes)
	if isSchemaName(name) {
		limit = maxSchemaBytes
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is larger than %d MiB", name, limit>>20)
	}
	return data, nil
}

func isSchemaName(name string) bool {
	return name == "values.schema.json" || name == "values.schema.yaml"
}

// readArchive reads a chart archive as helm pull writes it: a gzipped tar
// whose entries are under the chart's name, such as jupyterhub/Chart.yaml.
func readArchive(file string) (*Source, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("chart %s: %w", file, err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("chart %s: not a gzipped chart archive: %v", file, err)
	}
	defer zr.Close()
	// The cap counts unpacked bytes, which a small archive can multiply.
	counted := &countingReader{r: zr, left: maxTarBytes}
	tr := tar.NewReader(counted)
	top := ""
	files := map[string][]byte{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if errors.Is(err, errTooLarge) {
			return nil, fmt.Errorf("chart %s: unpacks to more than %d MiB", file, maxTarBytes>>20)
		}
		if err != nil {
			return nil, fmt.Errorf("chart %s: broken archive: %v", file, err)
		}
		if h.Typeflag == tar.TypeXGlobalHeader {
			continue
		}
		name, err := entryName(h.Name)
		if err != nil {
			return nil, fmt.Errorf("chart %s: %v", file, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		dir, base := path.Split(name)
		dir = strings.TrimSuffix(dir, "/")
		// Only the chart's own files count, not a subchart's under charts/.
		if dir == "" || strings.Contains(dir, "/") {
			continue
		}
		if top == "" && base == "Chart.yaml" {
			top = dir
		}
		switch base {
		case "Chart.yaml", "values.yaml", "values.schema.json", "values.schema.yaml":
		default:
			continue
		}
		limit := int64(maxFileBytes)
		if isSchemaName(base) {
			limit = maxSchemaBytes
		}
		if h.Size > limit {
			return nil, fmt.Errorf("chart %s: %s is larger than %d MiB", file, name, limit>>20)
		}
		data, err := io.ReadAll(io.LimitReader(tr, limit+1))
		if errors.Is(err, errTooLarge) {
			return nil, fmt.Errorf("chart %s: unpacks to more than %d MiB", file, maxTarBytes>>20)
		}
		if err != nil {
			return nil, fmt.Errorf("chart %s: broken archive at %s: %v", file, name, err)
		}
		if int64(len(data)) > limit {
			return nil, fmt.Errorf("chart %s: %s is larger than %d MiB", file, name, limit>>20)
		}
		files[dir+"/"+base] = data
	}
	if top == "" {
		return nil, fmt.Errorf("chart %s: not a chart archive: no <chart>/Chart.yaml in it", file)
	}
	own := map[string][]byte{}
	for k, v := range files {
		if d, base, _ := strings.Cut(k, "/"); d == top {
			own[base] = v
		}
	}
	src := &Source{Path: file}
	return src, src.fill(own)
}

// entryName cleans an archive entry's name and refuses one that would
// land outside the chart's directory if unpacked.
func entryName(name string) (string, error) {
	n := strings.ReplaceAll(name, `\`, "/")
	if path.IsAbs(n) || (len(n) > 1 && n[1] == ':') {
		return "", fmt.Errorf("entry %q has an absolute path", name)
	}
	clean := path.Clean(n)
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return "", fmt.Errorf("entry %q points outside the archive", name)
	}
	for _, part := range strings.Split(n, "/") {
		if part == ".." {
			return "", fmt.Errorf("entry %q points outside the archive", name)
		}
	}
	return clean, nil
}

var errTooLarge = errors.New("archive too large")

// countingReader fails once more than left bytes have been read.
type countingReader struct {
	r    io.Reader
	left int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// fill sets the source from the chart's files, by base name.
func (s *Source) fill(files map[string][]byte) error {
	chartYAML, ok := files["Chart.yaml"]
	if !ok {
		return fmt.Errorf("chart %s: not a chart: no Chart.yaml", s.Path)
	}
	meta, err := parseChartYAML(chartYAML)
	if err != nil {
		return fmt.Errorf("chart %s: Chart.yaml: %v", s.Path, err)
	}
	s.Version, s.AppVersion = meta.Version, meta.AppVersion
	// helm validates against values.schema.json; the chart's source tree
	// has only the YAML it is generated from.
	if s.Schema = files["values.schema.json"]; s.Schema == nil {
		s.Schema = files["values.schema.yaml"]
	}
	if s.Schema == nil {
		return fmt.Errorf("chart %s: no values.schema.json or values.schema.yaml, so the chart has no values schema to check against", s.Path)
	}
	if s.Values = files["values.yaml"]; s.Values == nil {
		return fmt.Errorf("chart %s: no values.yaml", s.Path)
	}
	return nil
}

// semver is a parsed semantic version; build metadata is dropped, as it
// does not order versions.
type semver struct {
	nums [3]uint64
	pre  []string
}

func parseSemver(s string) (semver, bool) {
	var v semver
	s = strings.TrimPrefix(s, "v")
	s, _, _ = strings.Cut(s, "+")
	core, pre, hasPre := strings.Cut(s, "-")
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return v, false
	}
	for i, p := range parts {
		n, err := strconv.ParseUint(p, 10, 64)
		if err != nil || p == "" {
			return v, false
		}
		v.nums[i] = n
	}
	if hasPre {
		if pre == "" {
			return v, false
		}
		v.pre = strings.Split(pre, ".")
		for _, id := range v.pre {
			if id == "" {
				return v, false
			}
		}
	}
	return v, true
}

// compare orders versions as semver.org section 11 does: a pre-release
// ranks below its release, numeric identifiers below alphanumeric ones.
func (v semver) compare(w semver) int {
	for i := range v.nums {
		if v.nums[i] != w.nums[i] {
			if v.nums[i] < w.nums[i] {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(v.pre) == 0 && len(w.pre) == 0:
		return 0
	case len(v.pre) == 0:
		return 1
	case len(w.pre) == 0:
		return -1
	}
	for i := 0; i < len(v.pre) && i < len(w.pre); i++ {
		if c := compareIdent(v.pre[i], w.pre[i]); c != 0 {
			return c
		}
	}
	switch {
	case len(v.pre) < len(w.pre):
		return -1
	case len(v.pre) > len(w.pre):
		return 1
	}
	return 0
}

func compareIdent(a, b string) int {
	an, aErr := strconv.ParseUint(a, 10, 64)
	bn, bErr := strconv.ParseUint(b, 10, 64)
	switch {
	case aErr == nil && bErr == nil:
		switch {
		case an < bn:
			return -1
		case an > bn:
			return 1
		}
		return 0
	case aErr == nil:
		return -1
	case bErr == nil:
		return 1
	}
	return strings.Compare(a, b)
}
