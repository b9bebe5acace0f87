// Package validate checks a spec statically, without the network, against
// what JupyterHub, OAuthenticator, the Zero-to-JupyterHub chart and the
// login provider accept, and reports every problem as a finding.
package validate

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/jupyterhub"
	"github.com/hubctl/hubctl/pkg/lazyre"
	"github.com/hubctl/hubctl/pkg/secret"
	"github.com/hubctl/hubctl/pkg/spec"
)

// Spec runs every rule over s and returns the findings sorted by position.
func Spec(s *spec.Spec, doc *spec.Document) finding.List {
	c := &checker{s: s, doc: doc}
	c.version = c.targetVersion()
	c.top()
	c.hub()
	if s.Login != nil {
		c.login(s.Login)
	}
	c.services()
	c.roles()
	for _, id := range slices.Sorted(maps.Keys(c.dropped)) {
		n := c.dropped[id]
		c.out = append(c.out, finding.Finding{ID: id, Severity: c.droppedSeverity[id], Pos: finding.Position{File: doc.File},
			Message: fmt.Sprintf("and %d more %s findings like the ones above, not listed", n, id), Hint: "fix those first, then validate again"})
	}
	c.out.Sort()
	return c.out
}

// maxPerID bounds the findings of one ID: a spec with thousands of the same
// mistake gets the first ones and a count, not a report (and memory) as
// large as the mistakes.
const maxPerID = 100

type checker struct {
	s       *spec.Spec
	doc     *spec.Document
	version jupyterhub.Version
	out     finding.List
	// perID counts findings by ID; dropped those past maxPerID.
	perID, dropped  map[string]int
	droppedSeverity map[string]finding.Severity
}

// keep counts a finding of id and reports whether it is listed.
func (c *checker) keep(id string, sev finding.Severity) bool {
	if c.perID == nil {
		c.perID, c.dropped, c.droppedSeverity = map[string]int{}, map[string]int{}, map[string]finding.Severity{}
	}
	c.perID[id]++
	if c.perID[id] <= maxPerID {
		return true
	}
	c.dropped[id]++
	if sev > c.droppedSeverity[id] {
		c.droppedSeverity[id] = sev
	}
	return false
}

// report records a finding about the value at path.
func (c *checker) report(sev finding.Severity, id, path, msg, hint string) {
	if c.keep(id, sev) {
		c.out = append(c.out, finding.Finding{ID: id, Severity: sev, Pos: c.doc.Pos(path), Path: path, Message: msg, Hint: hint})
	}
}

// reportKey records a finding about the key at path rather than its value.
func (c *checker) reportKey(sev finding.Severity, id, path, msg, hint string) {
	if c.keep(id, sev) {
		c.out = append(c.out, finding.Finding{ID: id, Severity: sev, Pos: c.doc.KeyPos(path), Path: path, Message: msg, Hint: hint})
	}
}

func (c *checker) missing(path, msg, hint string) {
	c.report(finding.Error, "missing-key", path, msg, hint)
}

func (c *checker) targetVersion() jupyterhub.Version {
	raw := c.s.Hub.JupyterHub
	if raw == "" {
		return jupyterhub.Default
	}
	v, err := jupyterhub.ParseVersion(raw)
	switch {
	case err != nil:
		c.report(finding.Error, "jupyterhub-version", "hub.jupyterhub", err.Error(), fmt.Sprintf("name a JupyterHub release line such as %q", jupyterhub.Default.String()))
		return jupyterhub.Default
	case !v.AtLeast(jupyterhub.Oldest):
		c.report(finding.Error, "jupyterhub-version", "hub.jupyterhub",
			fmt.Sprintf("JupyterHub %s is older than hubctl supports (%s or newer)", v, jupyterhub.Oldest), "upgrade the hub; the chart ships "+jupyterhub.Default.String())
	case !jupyterhub.Newest.AtLeast(v):
		c.report(finding.Warning, "jupyterhub-version", "hub.jupyterhub",
			fmt.Sprintf("JupyterHub %s is newer than hubctl knows (%s); checks assume %s", v, jupyterhub.Newest, jupyterhub.Newest), "")
	}
	return v
}

func (c *checker) top() {
	switch {
	case !c.doc.Has("version"):
		c.missing("version", "version is required", "add `version: 1` at the top of the file")
	case c.s.Version != 1:
		c.report(finding.Error, "unsupported-version", "version", fmt.Sprintf("spec version %d is not supported; this hubctl reads version 1", c.s.Version), "")
	}
}

func (c *checker) hub() {
	if !c.doc.Has("hub.url") {
		c.missing("hub.url", "hub.url is required: the hub's public URL", "for example `url: https://hub.example.org`")
		return
	}
	if u := c.checkURL("hub.url", c.s.Hub.URL, browserFacing); u != nil {
		if u.RawQuery != "" {
			c.report(finding.Error, "bad-url", "hub.url", "the hub URL cannot have a query", "give the origin and, if the hub is not at /, its base path")
		}
	}
	if c.s.Hub.APIURL != "" {
		if u := c.checkURL("hub.apiUrl", c.s.Hub.APIURL, internal); u != nil {
			c.apiURLPath(u)
		}
	}
	if name := c.s.Hub.ExistingSecret; name != "" && !dnsSubdomain().MatchString(name) {
		c.report(finding.Error, "bad-secret-name", "hub.existingSecret",
			fmt.Sprintf("%q is not a valid Kubernetes Secret name", name), "lowercase letters, digits, '-' and '.', at most 253 characters")
	}
}

// apiURLPath checks that hub.apiUrl points at the API under the hub's base
// path: JupyterHub's base_url prefixes the hub's own routes too, so a hub
// at https://example.org/jupyter answers on http://hub:8081/jupyter/hub/api.
func (c *checker) apiURLPath(u *url.URL) {
	want := c.s.Hub.BasePath() + "hub/api"
	if strings.HasSuffix(strings.TrimSuffix(u.Path, "/"), want) {
		return
	}
	msg := fmt.Sprintf("JupyterHub serves its API under .../hub/api, but this URL's path is %q", u.Path)
	if base := c.s.Hub.BasePath(); base != "/" {
		msg = fmt.Sprintf("with the base path %s JupyterHub serves its API under %s, but this URL's path is %q", base, want, u.Path)
	}
	c.report(finding.Warning, "api-url-path", "hub.apiUrl", msg, "use "+u.Scheme+"://"+u.Host+want)
}

// placeholderValue matches what templates and guides leave for a user to
// fill in, as a whole value: CHANGE-ME, TODO, xxx, <client-id>, ...
var placeholderValue = lazyre.New(`(?i)^(change[-_]?me|todo|fixme|x{3,}|<[^<>]*>|\.\.\.|…)$`)

// placeholderLabel matches a host name label that is a placeholder. TODO
// is left out: "todo" is a plausible service host.
var placeholderLabel = lazyre.New(`(?i)^(change[-_]?me|fixme|x{3,})$`)

func isPlaceholder(value string) bool {
	return placeholderValue().MatchString(strings.TrimSpace(value))
}

// placeholderHost reports a host such as <hub>, CHANGE-ME.example.org or
// "...": example.org and its kin are real, reserved names and stay valid.
func placeholderHost(host string) bool {
	if strings.ContainsAny(host, "<>…") || strings.Contains(host, "...") {
		return true
	}
	for _, label := range strings.Split(host, ".") {
		if placeholderLabel().MatchString(label) {
			return true
		}
	}
	return false
}

// checkPlaceholder reports a value the user has not filled in yet; what
// says what belongs there ("the client id the provider issued").
func (c *checker) checkPlaceholder(path, value, what string) {
	if isPlaceholder(value) {
		c.report(finding.Error, "placeholder", path, fmt.Sprintf("%s is still the placeholder %q: set it to %s", path, value, what), "")
	}
}

// secretValueProblem says what makes a literal secret unusable in an
// environment variable, a header or a Kubernetes Secret, without quoting it.
func secretValueProblem(v string) string {
	if !utf8.ValidString(v) {
		return "is not valid UTF-8"
	}
	for _, r := range v {
		switch {
		case r == '\n' || r == '\r':
			return "holds a line break"
		case unicode.IsControl(r):
			return fmt.Sprintf("holds the control character %U", r)
		}
	}
	return ""
}

// checkSecretRef reports literal secrets and malformed references.
func (c *checker) checkSecretRef(path string, r secret.Ref) {
	switch r.Kind {
	case secret.Literal:
		c.report(finding.Warning, "literal-secret", path,
			"a literal secret is written in the spec file", "reference it instead: {env: NAME}, {file: PATH} or {k8sSecret: {name: N, key: K}}")
		// Neither finding quotes the value: it may be a real secret.
		if isPlaceholder(r.Literal) {
			c.report(finding.Error, "placeholder", path, path+" is still a placeholder: set it to the real secret", "")
		}
		if prob := secretValueProblem(r.Literal); prob != "" {
			hint := "write the value without it, or keep it in a file and reference that"
			if strings.Contains(prob, "line break") {
				hint = "a YAML block scalar (|) keeps a trailing newline: write the value on one line, or reference a file"
			}
			c.report(finding.Error, "bad-secret-value", path, fmt.Sprintf("the literal secret at %s %s", path, prob), hint)
		}
	case secret.Env:
		if !validEnvName(r.Env) {
			c.report(finding.Error, "bad-env-name", path+".env", fmt.Sprintf("%q is not an environment variable name", r.Env), "letters, digits and _, not starting with a digit")
		}
	case secret.File:
		if r.File == "" {
			c.missing(path+".file", "the file reference has no path", "")
		}
	case secret.K8s:
		if r.K8s.Name == "" || r.K8s.Key == "" {
			c.missing(path+".k8sSecret", "a k8sSecret reference needs both name and key", "")
		}
		if r.K8s.Name != "" && !dnsSubdomain().MatchString(r.K8s.Name) {
			c.report(finding.Error, "bad-secret-name", path+".k8sSecret.name", fmt.Sprintf("%q is not a valid Kubernetes Secret name", r.K8s.Name), "")
		}
		if r.K8s.Key != "" && !secretKey().MatchString(r.K8s.Key) {
			c.report(finding.Error, "bad-secret-key", path+".k8sSecret.key", fmt.Sprintf("%q is not a valid Kubernetes Secret key", r.K8s.Key), "letters, digits, '-', '_' and '.'")
		}
	}
}

// checkScopes checks each scope against the target version's table.
func (c *checker) checkScopes(path string, scopes []string, forService bool) {
	for i, scope := range scopes {
		p := spec.Index(path, i)
		if forService && (scope == "self" || strings.HasPrefix(scope, "self!")) {
			c.report(finding.Warning, "service-self-scope", p, `"self" resolves to nothing for a service`, "name the scopes the service needs")
			continue
		}
		prob := jupyterhub.CheckScope(scope, c.version)
		if prob == nil {
			continue
		}
		id := map[string]string{"unknown": "unknown-scope", "version": "scope-needs-version", "filter": "bad-scope-filter", "custom": "custom-scope"}[prob.Kind]
		msg, hint := prob.Message, ""
		if prob.Suggestion != "" {
			msg += fmt.Sprintf("; did you mean %q?", prob.Suggestion)
		}
		if prob.Kind == "version" {
			hint = fmt.Sprintf("set hub.jupyterhub to %s or newer, or drop the scope", prob.Since)
		}
		c.report(finding.Error, id, p, msg, hint)
	}
}
