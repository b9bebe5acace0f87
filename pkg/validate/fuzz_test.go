package validate_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubctl/hubctl/pkg/golden"
	"github.com/hubctl/hubctl/pkg/spec"
	"github.com/hubctl/hubctl/pkg/validate"
)

// FuzzParseAndValidate feeds arbitrary text to the spec parser and the
// validator: no panic, and every finding has an ID, a severity and a
// message. Seeds: the examples, the test specs and the invalid ones.
func FuzzParseAndValidate(f *testing.F) {
	root := filepath.Dir(golden.Dir(f))
	for _, pattern := range []string{"examples/*.yaml", "testdata/specs/*.yaml", "testdata/invalid/*.yaml", "testdata/hostile/*.yaml"} {
		files, _ := filepath.Glob(filepath.Join(root, pattern))
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil && len(data) < 1<<16 {
				f.Add(data)
			}
		}
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		s, doc, findings := spec.Parse("fuzz.yaml", dir, data)
		if s != nil {
			findings = append(findings, validate.Spec(s, doc)...)
		}
		for _, fd := range findings {
			if fd.ID == "" || fd.Message == "" || strings.TrimSpace(fd.Severity.String()) == "" {
				t.Fatalf("a finding without ID, severity or message: %+v", fd)
			}
		}
	})
}
