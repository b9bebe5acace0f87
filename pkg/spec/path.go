package spec

import (
	"strconv"
	"strings"
)

// plainKey is ^[A-Za-z0-9_-]+$, written out: every key of a spec is joined
// into a path, thousands in a spec with many services.
func plainKey(key string) bool {
	if key == "" {
		return false
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Join appends a mapping key to a key path. Keys that are not plain words
// (a service called "a.b") are bracketed so the path stays unambiguous.
func Join(path, key string) string {
	if !plainKey(key) {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// Index appends a list index to a key path.
func Index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

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
