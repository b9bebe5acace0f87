package secret

import (
	"fmt"
	"strings"
)

// ParseFlag reads a reference given on the command line: env:NAME or
// file:PATH. A flag never takes a value itself, which would put the secret
// in argv, the shell's history and the process list.
func ParseFlag(s string) (Ref, error) {
	kind, rest, ok := strings.Cut(s, ":")
	if ok && rest != "" {
		switch kind {
		case "env":
			return Ref{Kind: Env, Env: rest}, nil
		case "file":
			return Ref{Kind: File, File: rest}, nil
		}
	}
	return Ref{}, fmt.Errorf("want env:NAME or file:PATH (a reference, never the secret itself), got %s", describeFlag(s))
}

// describeFlag shows a bad flag value without echoing what may be a pasted
// secret.
func describeFlag(s string) string {
	if kind, _, ok := strings.Cut(s, ":"); ok && len(kind) <= 8 {
		return fmt.Sprintf("a value starting %q", kind+":")
	}
	return fmt.Sprintf("a value of %d characters", len(s))
}
