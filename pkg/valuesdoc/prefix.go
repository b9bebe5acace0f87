package valuesdoc

import (
	"errors"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// chartKeys are top-level keys of the Zero-to-JupyterHub chart's values
// that a wrapping chart's own values rarely have; auth is the legacy block.
var chartKeys = []string{"hub", "proxy", "singleuser", "auth", "scheduling", "cull", "prePuller", "ingress", "custom"}

func hasChartKeys(n *yaml.Node) bool {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return false
	}
	for _, kv := range Pairs(n) {
		for _, k := range chartKeys {
			if kv.Key.Value == k {
				return true
			}
		}
	}
	return false
}

// ErrAmbiguousPrefix is a file holding the chart's values in more than
// one place.
var ErrAmbiguousPrefix = errors.New("the chart's values appear in more than one place")

// DetectPrefix finds where the chart's values sit in a values file: at
// the top, or under the key of a chart that depends on it (jupyterhub: for
// BinderHub, daskhub.jupyterhub:, basehub.jupyterhub:). A file with the
// chart's keys at the top and under a wrapper, or under two wrappers, is
// ambiguous and needs --prefix; one with neither has the empty prefix.
func DetectPrefix(root *yaml.Node) (Path, error) {
	root = resolve(root)
	if root == nil || root.Kind != yaml.MappingNode {
		return nil, nil
	}
	var found []Path
	if hasChartKeys(root) {
		found = append(found, nil)
	}
	for _, kv := range Pairs(root) {
		k, v := kv.Key.Value, kv.Value
		if k == "jupyterhub" && hasChartKeys(v) {
			found = append(found, Path{"jupyterhub"})
			continue
		}
		if v == nil || v.Kind != yaml.MappingNode {
			continue
		}
		if _, jh, ok := Lookup(v, Path{"jupyterhub"}); ok && hasChartKeys(jh) {
			found = append(found, Path{k, "jupyterhub"})
		}
	}
	switch len(found) {
	case 0:
		return nil, nil
	case 1:
		return found[0], nil
	}
	var names []string
	for _, p := range found {
		if len(p) == 0 {
			names = append(names, "the top level")
		} else {
			names = append(names, strings.Join(p, "."))
		}
	}
	return nil, fmt.Errorf("%w: under %s; say which with --prefix", ErrAmbiguousPrefix, strings.Join(names, " and "))
}

// ParsePrefix reads --prefix: dotted keys, "" or "." for the top level.
func ParsePrefix(s string) Path {
	s = strings.Trim(s, ".")
	if s == "" {
		return Path{}
	}
	return Path(strings.Split(s, "."))
}
