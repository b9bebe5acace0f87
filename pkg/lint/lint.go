// Package lint finds, in Zero-to-JupyterHub chart values, what the chart's
// schema lets through but JupyterHub, OAuthenticator or the chart itself
// fail on or silently ignore, and says how to fix each, with the edits
// when there is one right answer.
package lint

import (
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/jupyterhub"
	"github.com/hubctl/hubctl/pkg/spec"
	"github.com/hubctl/hubctl/pkg/validate"
	"github.com/hubctl/hubctl/pkg/valuesdoc"
)

// DefaultJupyterHub is the JupyterHub that chart 4.4.0 ships.
const DefaultJupyterHub = "5.5.0"

// Input is the chart values to check.
type Input struct {
	// Root is the values mapping, below any wrapping prefix, after the
	// files are merged.
	Root *yaml.Node
	// FileOf names the file a node came from, for positions; nil when
	// there is one unnamed input.
	FileOf func(*yaml.Node) string
	// Prefix is the key path that wraps the chart's values
	// (jupyterhub, daskhub.jupyterhub), shown in front of every path.
	Prefix []string
	// JupyterHub is the target version for scope and key checks;
	// DefaultJupyterHub when empty.
	JupyterHub string
	// Layers are each file's own values root (below the prefix), in the
	// order the files merge, when there are several: the merged Root no
	// longer shows a key that two files set.
	Layers []*yaml.Node
}

// Problem is a finding with what migrate does about it.
type Problem struct {
	finding.Finding
	// At is the key the problem is at, below the prefix; nil for the
	// whole file. Migrate places Comment there.
	At valuesdoc.Path
	// Fixes are the edits that fix the problem when there is one right
	// answer, in the order to apply them; nil when a person must decide.
	Fixes []valuesdoc.Edit
	// Comment, for a problem without a right answer, is one line that
	// migrate places above the key, starting "hubctl:".
	Comment string
	// Secrets are the values of a literal secret, for whatever shows the
	// file to mask them (migrate's diff); never in the finding.
	Secrets []string
}

// Rules is every finding ID lint reports. IDs shared with the spec checks
// (pkg/validate) mean the same problem.
var Rules = []validate.Rule{
	{ID: "jupyterhub-version", Summary: "the target JupyterHub version is unreadable"},
	{ID: "legacy-auth", Summary: "the top-level auth: block, which chart 0.11 replaced with hub.config and today's chart rejects"},
	{ID: "config-section-name", Summary: "a hub.config section that is not a class name; the hub stops at start-up"},
	{ID: "unknown-config-section", Summary: "a hub.config section for a class hubctl does not know (with a did-you-mean)"},
	{ID: "no-authenticator-class", Summary: "OAuthenticator settings without JupyterHub.authenticator_class, so the chart's dummy authenticator admits anyone"},
	{ID: "wrong-class", Summary: "a trait set on a class that does not have it, so it has no effect"},
	{ID: "unknown-trait", Summary: "a trait the class does not have (with a did-you-mean)"},
	{ID: "unused-key", Summary: "a hub.config section for an authenticator the hub does not use"},
	{ID: "renamed-key", Summary: "a deprecated trait name: it still works, with a warning, or stops the hub where the type changed"},
	{ID: "removed-key", Summary: "a setting OAuthenticator no longer reads (userdata_method, OAUTH2_TLS_VERIFY)"},
	{ID: "tls-verify-off", Summary: "certificate checks on the provider switched off"},
	{ID: "env-not-string", Summary: "an extraEnv value that is a YAML bool or number, which the chart refuses"},
	{ID: "no-allow", Summary: "an OAuthenticator with no allow setting admits nobody"},
	{ID: "manage-groups-required", Summary: "allowed_groups, admin_groups or auth_state_groups_key without manage_groups; OAuthenticator 17 stops the hub"},
	{ID: "bad-service-key", Summary: "a service key JupyterHub does not know; the hub stops with \"No such service field\""},
	{ID: "key-needs-version", Summary: "a service key the target JupyterHub version lacks"},
	{ID: "reserved-service-name", Summary: "a service name the chart's values schema takes"},
	{ID: "client-id-prefix", Summary: "a service client id not starting with service-"},
	{ID: "missing-redirect-uri", Summary: "an OAuth service with neither url nor oauth_redirect_uri; the hub stops"},
	{ID: "token-too-short", Summary: "a token under JupyterHub's 8 characters"},
	{ID: "literal-secret", Summary: "a secret written literally in the values file"},
	{ID: "unknown-scope", Summary: "a role scope that does not exist (with a did-you-mean)"},
	{ID: "scope-needs-version", Summary: "a role scope the target JupyterHub version lacks"},
	{ID: "bad-scope-filter", Summary: "a scope filter JupyterHub refuses"},
	{ID: "undefined-service", Summary: "a role naming a service these values do not define"},
	{ID: "role-defined-twice", Summary: "the user role defined in two places, so one definition is lost"},
	{ID: "config-services", Summary: "hub.config.JupyterHub.services, which the chart drops"},
	{ID: "duplicate-key", Summary: "a key written twice in one mapping; helm takes the last and ignores the first"},
	{ID: "config-load-roles", Summary: "hub.config.JupyterHub.load_roles, which replaces the chart's roles and hub.loadRoles"},
}

// Lint checks chart values and returns the problems in file order.
func Lint(in Input) []Problem {
	root := resolve(in.Root)
	if root == nil || root.Kind != yaml.MappingNode {
		return nil
	}
	if in.JupyterHub == "" {
		in.JupyterHub = DefaultJupyterHub
	}
	l := &linter{in: in, root: root, own: map[*yaml.Node]string{}}
	v, err := jupyterhub.ParseVersion(in.JupyterHub)
	if err != nil {
		l.add(finding.Error, "jupyterhub-version", nil, nil, err.Error(), "give a version such as 5.5")
		v = jupyterhub.Default
	}
	l.version = v
	l.index(root, nil)
	l.legacyAuth()
	l.hubConfig()
	l.extraEnv()
	l.services()
	l.roles()
	l.chartSecrets()
	list := make(finding.List, len(l.problems))
	for i, p := range l.problems {
		list[i] = p.Finding
	}
	// Sort the problems as finding.List sorts findings.
	order := make([]int, len(l.problems))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return compareFindings(list[a], list[b]) })
	out := make([]Problem, len(order))
	for i, j := range order {
		out[i] = *l.problems[j]
	}
	return out
}

func compareFindings(a, b finding.Finding) int {
	switch {
	case a.Pos.File != b.Pos.File:
		return strings.Compare(a.Pos.File, b.Pos.File)
	case a.Pos.Line != b.Pos.Line:
		return a.Pos.Line - b.Pos.Line
	case a.Pos.Column != b.Pos.Column:
		return a.Pos.Column - b.Pos.Column
	}
	return strings.Compare(a.Path, b.Path)
}

// chartSecretKeys are chart values that hold a secret the chart copies
// into its own Secret; written in the file they are in every copy of it.
var chartSecretKeys = []valuesdoc.Path{{"proxy", "secretToken"}, {"hub", "cookieSecret"}, {"hub", "db", "password"}}

func (l *linter) chartSecrets() {
	for _, p := range chartSecretKeys {
		if kv, ok := lookup(l.root, p...); ok {
			l.literalSecret(kv, p)
		}
	}
}

// Findings returns the problems' findings, for the report writers.
func Findings(ps []Problem) finding.List {
	out := make(finding.List, len(ps))
	for i, p := range ps {
		out[i] = p.Finding
	}
	return out
}

type linter struct {
	in      Input
	root    *yaml.Node
	version jupyterhub.Version
	// problems are pointers: a caller keeps the one add returned while
	// it adds others.
	problems []*Problem
	// own maps each mapping key node reached without going through an
	// alias or a merge key to its path. An edit is only offered at a key
	// written at that path: a key that comes from an anchor lives
	// elsewhere, and editing it would change every alias.
	own map[*yaml.Node]string
}

func (l *linter) index(n *yaml.Node, path valuesdoc.Path) {
	if n == nil || n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if isMergeKey(k) {
			continue
		}
		p := append(slices.Clone(path), k.Value)
		l.own[k] = pathKey(p)
		l.index(v, p)
	}
}

func pathKey(p valuesdoc.Path) string { return strings.Join(p, "\x00") }

// owns reports whether the key node is written in the file at path, so an
// edit at path changes that key and nothing else.
func (l *linter) owns(key *yaml.Node, path valuesdoc.Path) bool {
	got, ok := l.own[key]
	return ok && got == pathKey(path)
}

// display renders a path with the prefix, as messages show it.
func (l *linter) display(path valuesdoc.Path) string {
	out := ""
	for _, k := range append(slices.Clone(l.in.Prefix), path...) {
		out = spec.Join(out, k)
	}
	return out
}

// add records a problem at the key node (nil: the whole file) and returns
// it so the caller can attach fixes or a comment.
func (l *linter) add(sev finding.Severity, id string, at *yaml.Node, path valuesdoc.Path, msg, hint string) *Problem {
	p := l.addAt(sev, id, at, l.display(path), msg, hint)
	p.At = slices.Clone(path)
	return p
}

func (l *linter) addAt(sev finding.Severity, id string, at *yaml.Node, display, msg, hint string) *Problem {
	f := finding.Finding{ID: id, Severity: sev, Path: display, Message: msg, Hint: hint}
	if at != nil {
		f.Pos.Line, f.Pos.Column = at.Line, at.Column
		if l.in.FileOf != nil {
			f.Pos.File = l.in.FileOf(at)
		}
	} else if l.in.FileOf != nil {
		f.Pos.File = l.in.FileOf(l.in.Root)
	}
	p := &Problem{Finding: f}
	l.problems = append(l.problems, p)
	return p
}

// fix attaches edits when every key they start from is written where the
// problem says; otherwise it leaves a comment for a person.
func (p *Problem) fix(ok bool, comment string, edits ...valuesdoc.Edit) {
	if ok {
		p.Fixes = edits
		return
	}
	p.Comment = comment
}

// note sets the comment migrate places above the key.
func (p *Problem) note(comment string) { p.Comment = comment }

func resolve(n *yaml.Node) *yaml.Node { return valuesdoc.Resolve(n) }

func isMergeKey(k *yaml.Node) bool { return k.Tag == "!!merge" || (k.Value == "<<" && k.Style == 0) }

// pair is one mapping entry as helm reads it.
type pair = valuesdoc.Pair

func pairs(m *yaml.Node) []pair { return valuesdoc.Pairs(m) }

func get(m *yaml.Node, key string) (pair, bool) { return valuesdoc.Get(m, key) }

func lookup(m *yaml.Node, path ...string) (pair, bool) { return valuesdoc.LookupPair(m, path...) }

func isMap(n *yaml.Node) bool { return n != nil && n.Kind == yaml.MappingNode }

func isScalar(n *yaml.Node) bool { return n != nil && n.Kind == yaml.ScalarNode }

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// truthy reports whether a config value turns a setting on, as Python
// reads it: true, a non-empty string, a non-empty list or mapping.
func truthy(n *yaml.Node) bool {
	n = resolve(n)
	switch {
	case n == nil || isNull(n):
		return false
	case n.Kind == yaml.ScalarNode && n.Tag == "!!bool":
		return strings.EqualFold(n.Value, "true")
	case n.Kind == yaml.ScalarNode:
		return n.Value != "" && n.Value != "0"
	default:
		return len(n.Content) > 0
	}
}

func isFalse(n *yaml.Node) bool {
	return isScalar(n) && n.Tag == "!!bool" && strings.EqualFold(n.Value, "false")
}

// literalString reports a plain string value, the kind a literal secret
// is (a mapping could be a valueFrom reference).
func literalString(n *yaml.Node) (string, bool) {
	if !isScalar(n) || isNull(n) || n.Value == "" {
		return "", false
	}
	return n.Value, true
}

// encode renders a node as a YAML block for an edit's Value.
func encode(n *yaml.Node) string {
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return ""
	}
	enc.Close()
	return b.String()
}

// quote renders s as a double-quoted YAML scalar.
func quote(s string) string {
	return strings.TrimSuffix(encode(&yaml.Node{Kind: yaml.ScalarNode, Style: yaml.DoubleQuotedStyle, Value: s}), "\n")
}

// scalarText renders s as YAML, quoted only when YAML would read it as
// something other than the string.
func scalarText(s string) string {
	return strings.TrimSuffix(encode(&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}), "\n")
}

func path(p ...string) valuesdoc.Path { return valuesdoc.Path(p) }

func with(p valuesdoc.Path, more ...string) valuesdoc.Path {
	return append(slices.Clone(p), more...)
}
