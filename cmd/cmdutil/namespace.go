package cmdutil

import (
	"fmt"
	"strings"

	"github.com/hubctl/hubctl/pkg/lazyre"
)

// dnsLabel is RFC 1123's label, which Kubernetes requires of a namespace.
var dnsLabel = lazyre.New(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// NamespaceProblem says why name is no namespace, "" when it is one (or
// empty: no namespace set).
func NamespaceProblem(name string) string {
	const rule = "a namespace is a DNS label (RFC 1123): at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit"
	switch {
	case name == "" || (len(name) <= 63 && dnsLabel().MatchString(name)):
		return ""
	case len(name) > 63:
		return fmt.Sprintf("%d characters; %s", len(name), rule)
	}
	if lower := strings.ToLower(name); dnsLabel().MatchString(lower) {
		return fmt.Sprintf("uppercase letters; %s; did you mean %q?", rule, lower)
	}
	for i, r := range []rune(name) {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return fmt.Sprintf("%q at character %d; %s", r, i+1, rule)
		}
	}
	return fmt.Sprintf("starts or ends with '-'; %s", rule)
}
