package spec

import (
	"fmt"
	"regexp"
	"strings"
)

var plainKey = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// Join appends a mapping key to a key path. Keys that are not plain words
// (a service called "a.b") are bracketed so the path stays unambiguous.
func Join(path, key string) string {
	if !plainKey.MatchString(key) {
		return fmt.Sprintf("%s[%q]", path, key)
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// Index appends a list index to a key path.
func Index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// parentPath drops the last key or index of a path.
func parentPath(p string) string {
	if strings.HasSuffix(p, "]") {
		if i := strings.LastIndex(p, "["); i >= 0 {
			return p[:i]
		}
	}
	if i := strings.LastIndex(p, "."); i >= 0 {
		return p[:i]
	}
	return ""
}
