package validate

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/net/idna"

	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/lazyre"
)

// The patterns are compiled on first use, not when hubctl starts: most
// commands never check a URL or a Secret name.
var (
	dnsSubdomain = lazyre.New(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	secretKey    = lazyre.New(`^[-._a-zA-Z0-9]+$`)
	// portAfterScheme is the opaque part of a scheme-less host:port[/path].
	portAfterScheme = lazyre.New(`^[0-9]+(/|$)`)
)

// validEnvName is ^[A-Za-z_][A-Za-z0-9_]*$, written out because every
// service's token reference is checked with it.
func validEnvName(name string) bool {
	if name == "" || name[0] >= '0' && name[0] <= '9' {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// urlRole says who reads a URL, which decides whether plain http is
// acceptable.
type urlRole int

const (
	// browserFacing URLs carry codes or cookies through users' browsers:
	// http is refused except on loopback (RFC 9700 §2.6).
	browserFacing urlRole = iota
	// backChannel URLs carry client secrets and tokens between servers:
	// http is allowed but warned about.
	backChannel
	// internal URLs are reached inside the deployment, often over plain
	// http by design (the hub API, a service's own address).
	internal
)

// checkURL reports what is wrong with an absolute http(s) URL and returns
// it parsed, or nil when it is unusable.
func (c *checker) checkURL(path, raw string, role urlRole) *url.URL {
	u, err := url.Parse(raw)
	if err != nil {
		// The error would quote the URL, password included.
		msg := strings.ReplaceAll(unwrapURLError(err).Error(), raw, redactUserinfo(raw))
		c.report(finding.Error, "bad-url", path, fmt.Sprintf("%q is not a URL: %s", redactUserinfo(raw), msg), "")
		return nil
	}
	// "localhost:8080" parses as scheme "localhost"; only a scheme that is
	// not followed by a port is worth naming (javascript:, ftp://).
	if u.IsAbs() && u.Scheme != "http" && u.Scheme != "https" && !portAfterScheme().MatchString(u.Opaque) {
		c.report(finding.Error, "bad-url", path, fmt.Sprintf("scheme %q is not http or https", u.Scheme), "")
		return nil
	}
	if !u.IsAbs() || u.Host == "" {
		c.report(finding.Error, "bad-url", path, fmt.Sprintf("%q is not an absolute URL", redactUserinfo(raw)), "write it in full, such as https://hub.example.org")
		return nil
	}
	if port := u.Port(); port != "" {
		// url.Parse takes any run of digits as a port.
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			c.report(finding.Error, "bad-url", path, fmt.Sprintf("port %s is out of range 1-65535", port), "")
			return nil
		}
	}
	if placeholderHost(u.Hostname()) {
		c.report(finding.Error, "placeholder", path,
			fmt.Sprintf("%s is still the placeholder %q: set it to the real host name", path, u.Hostname()), "")
		return nil
	}
	if problem := hostProblem(u.Hostname()); problem != "" {
		c.report(finding.Error, "bad-url", path, fmt.Sprintf("the host %q is not a valid host name: %s", u.Hostname(), problem), "")
		return nil
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		c.report(finding.Error, "bad-url", path, "the URL has a fragment, which OAuth redirect and endpoint URLs must not have (RFC 6749 §3.1)", "")
	}
	if u.User != nil {
		c.report(finding.Error, "bad-url", path, "the URL carries credentials; use the spec's secret references instead", "")
	}
	if u.Scheme == "http" && !IsLoopback(u.Hostname()) {
		switch role {
		case browserFacing:
			c.report(finding.Error, "insecure-url", path,
				fmt.Sprintf("%s uses http on a host other than loopback; OAuth codes and cookies would cross the network in clear", u.Redacted()), "use https")
		case backChannel:
			c.report(finding.Warning, "insecure-url", path,
				fmt.Sprintf("%s uses http; client secrets and tokens would cross the network in clear", u.Redacted()), "use https unless this only ever travels inside the cluster")
		}
	}
	return u
}

// hostNames checks host names as browsers and resolvers take them:
// IDNA 2008 labels (a Unicode name is fine, in its punycode form too),
// letters, digits and inner hyphens, 63 bytes a label, 253 a name.
var hostNames = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.StrictDomainName(true), idna.VerifyDNSLength(true), idna.ValidateLabels(true))

// hostProblem says what is wrong with a URL's host name, "" when nothing:
// IP literals pass (url.Parse checked the brackets), and so does a name
// ending in the root's dot.
func hostProblem(host string) string {
	if net.ParseIP(host) != nil {
		return ""
	}
	if _, err := hostNames.ToASCII(strings.TrimSuffix(host, ".")); err != nil {
		msg := err.Error()
		if i := strings.Index(msg, ": "); i >= 0 && strings.HasPrefix(msg, "idna:") {
			msg = msg[i+2:]
		}
		return msg
	}
	return ""
}

// redactUserinfo hides the password of a URL written as text, for
// messages about a URL that does not parse.
func redactUserinfo(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	authority, tail := rest, ""
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority, tail = rest[:i], rest[i:]
	}
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		return raw
	}
	user, _, hasPassword := strings.Cut(authority[:at], ":")
	if !hasPassword {
		return raw
	}
	return scheme + "://" + user + ":xxxxx" + authority[at:] + tail
}

func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// IsLoopback reports whether host is a loopback address or localhost: the
// one place http redirect URIs are tolerated (RFC 8252 §7.3).
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// sameOrigin compares scheme and host (with port) case-insensitively.
func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Host, b.Host)
}
