package lint

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/valuesdoc"
)

// yaml11Bools are the plain words helm's YAML 1.1 parser reads as bools
// while yaml.v3 (YAML 1.2) reads them as strings.
var yaml11Bools = []string{
	"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
	"on", "On", "ON", "off", "Off", "OFF",
}

// secretEnvSuffixes end the names of environment variables that carry a
// secret (OAUTH_CLIENT_SECRET, JUPYTERHUB_API_TOKEN, JUPYTERHUB_CRYPT_KEY),
// and not of ones that merely name one (OAUTH2_TOKEN_URL).
var secretEnvSuffixes = []string{"SECRET", "TOKEN", "PASSWORD", "CRYPT_KEY"}

func (l *linter) extraEnv() {
	for _, base := range []valuesdoc.Path{path("hub", "extraEnv"), path("singleuser", "extraEnv")} {
		env, ok := lookup(l.root, base...)
		if !ok {
			continue
		}
		hub := base[0] == "hub"
		switch env.Value.Kind {
		case yaml.MappingNode:
			for _, kv := range pairs(env.Value) {
				p := with(base, kv.Key.Value)
				l.envVar(env, kv.Key.Value, kv.Key, kv.Value, p, l.display(p), hub, l.owns(kv.Key, p))
			}
		case yaml.SequenceNode:
			// The list form is Kubernetes EnvVar objects: {name, value}.
			// Edits address keys, not list items, so these get no fixes.
			for i, item := range env.Value.Content {
				item = resolve(item)
				n, ok := get(item, "name")
				if !ok || !isScalar(n.Value) {
					continue
				}
				v, _ := get(item, "value")
				l.envVar(env, n.Value.Value, n.Value, v.Value, nil, fmt.Sprintf("%s[%d]", l.display(base), i), hub, false)
			}
		}
	}
}

func (l *linter) envVar(env pair, name string, at, value *yaml.Node, p valuesdoc.Path, display string, hub, editable bool) {
	notString := isNonString(value)
	if hub && name == "OAUTH2_TLS_VERIFY" {
		l.oauth2TLSVerify(env, at, value, p, display, notString, editable)
		return
	}
	if notString {
		pr := l.addAt(finding.Error, "env-not-string", at, display,
			fmt.Sprintf("%s is the unquoted YAML %s %s, and environment values must be strings: helm stops with \"extraEnv.%s had an unexpected type\"", name, yamlKind(value), value.Value, name),
			fmt.Sprintf("quote it: %s: %s", name, quote(value.Value)))
		pr.fix(editable, fmt.Sprintf("hubctl: quote this value: %s", quote(value.Value)),
			valuesdoc.Edit{Kind: valuesdoc.SetValue, Path: p, Value: quote(value.Value)})
		return
	}
	if hub && name == "OAUTH_TLS_VERIFY" && isScalar(value) && value.Value == "0" {
		pr := l.addAt(finding.Warning, "tls-verify-off", at, display,
			"OAUTH_TLS_VERIFY \"0\" turns certificate checks on the provider off, so anyone on the path can pose as it",
			"give the provider's CA instead: hub.config.<Authenticator>.http_request_kwargs: {ca_certs: /path/ca.pem}")
		pr.note("hubctl: certificate checks are off; prefer http_request_kwargs.ca_certs")
		return
	}
	if slices.ContainsFunc(secretEnvSuffixes, func(w string) bool { return strings.HasSuffix(strings.ToUpper(name), w) }) {
		if _, ok := literalString(value); ok {
			pr := l.addAt(finding.Warning, "literal-secret", at, display,
				fmt.Sprintf("%s is written literally in the values file", display),
				"read it from a Secret: "+name+": {valueFrom: {secretKeyRef: {name: SECRET, key: KEY}}}")
			pr.note("hubctl: this secret is written in the file; use valueFrom.secretKeyRef")
		}
	}
}

// oauth2TLSVerify reports OAUTH2_TLS_VERIFY, which GenericOAuthenticator
// stopped reading in 16.0.2 (before, verification stayed on only for
// "true" and "1"). The fix keeps the operator's choice where it was
// made: the environment variable OAuthenticator reads now,
// OAUTH_TLS_VERIFY, which every OAuthenticator class honours and which
// needs no knowledge of the authenticator's section; a verifying value
// is the default and is simply dropped.
func (l *linter) oauth2TLSVerify(env pair, at, value *yaml.Node, p valuesdoc.Path, display string, notString, editable bool) {
	raw := ""
	if isScalar(value) {
		raw = value.Value
	}
	off := !slices.Contains([]string{"true", "1"}, strings.ToLower(raw))
	sev, msg := finding.Warning, "OAUTH2_TLS_VERIFY is ignored since OAuthenticator 16.0.2"
	if notString {
		sev, msg = finding.Error, msg+", and as an unquoted YAML bool the chart refuses it"
	}
	if !off {
		pr := l.addAt(sev, "removed-key", at, display, msg+"; certificate checks are on by default", "delete it")
		pr.fix(editable, "hubctl: delete OAUTH2_TLS_VERIFY", valuesdoc.Edit{Kind: valuesdoc.DeleteKey, Path: p})
		return
	}
	pr := l.addAt(sev, "removed-key", at, display,
		msg+", so certificate checks are still on",
		`use OAUTH_TLS_VERIFY: "0" (or the authenticator's validate_server_cert: false), or better give the provider's CA`)
	if existing, ok := get(env.Value, "OAUTH_TLS_VERIFY"); ok {
		pr.fix(editable && isScalar(existing.Value) && existing.Value.Value == "0", "hubctl: OAUTH_TLS_VERIFY is set too; delete OAUTH2_TLS_VERIFY",
			valuesdoc.Edit{Kind: valuesdoc.DeleteKey, Path: p})
		return
	}
	pr.fix(editable, `hubctl: replace this with OAUTH_TLS_VERIFY: "0"`,
		valuesdoc.Edit{Kind: valuesdoc.RenameKey, Path: p, NewKey: "OAUTH_TLS_VERIFY"},
		valuesdoc.Edit{Kind: valuesdoc.SetValue, Path: with(p[:len(p)-1], "OAUTH_TLS_VERIFY"), Value: `"0"`})
}

// isNonString reports a scalar helm reads as a bool or a number.
func isNonString(n *yaml.Node) bool {
	if !isScalar(n) {
		return false
	}
	switch n.Tag {
	case "!!bool", "!!int", "!!float":
		return true
	case "!!str":
		return n.Style == 0 && slices.Contains(yaml11Bools, n.Value)
	}
	return false
}

func yamlKind(n *yaml.Node) string {
	if n.Tag == "!!int" || n.Tag == "!!float" {
		return "number"
	}
	return "bool"
}
