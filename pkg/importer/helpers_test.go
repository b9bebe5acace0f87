package importer

import (
	"os"
	"path/filepath"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/hubctl/hubctl/pkg/golden"
)

// parseValues reads a values document and returns the input Import sees,
// every node attributed to name.
func parseValues(t *testing.T, name string, data []byte) Input {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	files := map[*yaml.Node]string{}
	var mark func(*yaml.Node)
	mark = func(n *yaml.Node) {
		files[n] = name
		for _, c := range n.Content {
			mark(c)
		}
	}
	mark(&doc)
	return Input{Root: resolve(&doc), FileOf: func(n *yaml.Node) string { return files[n] }}
}

// fixture reads testdata/importer/NAME.
func fixture(t *testing.T, name string) Input {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(golden.Dir(t), "importer", name))
	if err != nil {
		t.Fatal(err)
	}
	return parseValues(t, name, data)
}
