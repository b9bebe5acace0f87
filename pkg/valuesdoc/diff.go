package valuesdoc

import (
	udiff "github.com/aymanbagabas/go-udiff"
)

// UnifiedDiff is the change from old to new as `diff -u` prints it, with
// a/ and b/ in front of the name as git does; empty when they are equal.
func UnifiedDiff(name string, old, new []byte) string {
	if string(old) == string(new) {
		return ""
	}
	return udiff.Unified("a/"+name, "b/"+name, string(old), string(new))
}
