// Package lazyre compiles package-level regular expressions on first use
// instead of at start-up: hubctl runs many times a minute in edit loops and
// CI, and most runs never match most of its patterns.
package lazyre

import (
	"regexp"
	"sync"
)

// New returns a function that compiles pattern the first time it is called
// and returns the same *regexp.Regexp from then on. Like regexp.MustCompile
// it panics on a bad pattern, so patterns must be constants covered by a
// test that calls the function.
func New(pattern string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
}
