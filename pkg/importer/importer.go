// Package importer turns Zero-to-JupyterHub chart values into a hubctl
// spec (hubctl.yaml): the hub's GenericOAuthenticator login, its services
// and its roles, with every secret written in the values moved out of the
// spec into references, and everything the spec cannot express listed as
// left in the values file. It is the inverse of render's helm values.
package importer

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/hub"
	"github.com/hubctl/hubctl/pkg/jupyterhub"
	"github.com/hubctl/hubctl/pkg/secret"
	"github.com/hubctl/hubctl/pkg/spec"
	"github.com/hubctl/hubctl/pkg/state"
)

// Input is the chart values to import.
type Input struct {
	// Root is the values mapping, below any wrapping prefix (jupyterhub:,
	// daskhub.jupyterhub:), after the files are merged.
	Root *yaml.Node
	// FileOf names the file a node came from, for positions and the
	// spec's header; nil when there is one unnamed input.
	FileOf func(*yaml.Node) string
	// SecretName is the Kubernetes Secret that the secrets written in the
	// values are referenced in. Empty: the values' hub.existingSecret, or
	// hubctl's own Secret, "hubctl".
	SecretName string
	// Prefix is the key path that wraps the chart's values, shown in front
	// of every path in findings.
	Prefix []string
	// JupyterHub is the target version written to hub.jupyterhub. Empty:
	// the chart's default, or the oldest version that has every key and
	// scope the values use.
	JupyterHub string
	// HubURL is the hub's public URL, for values that do not say it (no
	// oauth_callback_url, ingress host or absolute service redirect URI).
	HubURL string
}

// Result is the imported spec and what goes with it.
type Result struct {
	// Spec is hubctl.yaml: a header naming the files it was imported from,
	// and "hubctl:" comments where a person must look.
	Spec []byte
	// Secrets maps state.RefKey of each reference the spec gives a secret
	// that the values held literally to its value, for the caller to store
	// in .hubctl/state.json. The spec never holds them.
	Secrets map[string]string
	// Files are files the spec names, by their path relative to the spec,
	// for the caller to write beside it: the login's CA bundle, which the
	// values carried in hub.extraFiles.
	Files map[string][]byte
	// Left is what the spec cannot express (ID import-left, warnings): it
	// stays in the values file where it is.
	Left []finding.Finding
	// Review is what import decided that a person should check (ID
	// import-review, warnings), each also a comment in Spec.
	Review []finding.Finding
}

// LegacyAuthError is returned for values with chart 0.10's top-level
// auth: block, which hubctl migrate rewrites first.
type LegacyAuthError struct{ File string }

func (e *LegacyAuthError) Error() string {
	file := e.File
	if file == "" {
		file = "FILE"
	}
	return fmt.Sprintf("the values have the top-level auth: block of chart 0.10, which today's chart refuses: run `hubctl migrate %s --write` first, then import the result", file)
}

// Import reads chart values and returns the spec they stand for.
func Import(in Input) (*Result, error) {
	root := resolve(in.Root)
	if root == nil || root.Kind != yaml.MappingNode {
		return nil, errors.New("the values are not a mapping")
	}
	if auth, ok := get(root, "auth"); ok {
		return nil, &LegacyAuthError{File: in.fileOf(auth.Key)}
	}
	im := &importer{in: in, root: root, comments: map[string]string{},
		res: &Result{Secrets: map[string]string{}, Files: map[string][]byte{}}}
	im.hubValues, _ = lookupValue(root, "hub")
	im.env = readEnv(im.hubValues)
	if p, ok := get(im.hubValues, "existingSecret"); ok {
		im.existingSecret, _ = str(p.Value)
	}
	im.secretName = in.SecretName
	switch {
	case im.secretName != "":
	case im.existingSecret != "":
		im.secretName = im.existingSecret
	default:
		im.secretName = hub.DefaultExistingSecret
	}
	im.spec = &spec.Spec{Version: 1}
	if err := im.hubURL(); err != nil {
		return nil, err
	}
	im.spec.Hub.ExistingSecret = im.existingSecret
	if im.existingSecret == "" && in.SecretName != "" {
		// The chart then reads service tokens straight from that Secret.
		im.spec.Hub.ExistingSecret = in.SecretName
	}
	if im.spec.Hub.ExistingSecret == hub.DefaultExistingSecret {
		im.spec.Hub.ExistingSecret = ""
	}
	im.hubConfig()
	im.services()
	im.roles()
	im.extraConfig()
	im.extraEnvLeft()
	im.version()

	data, err := im.emit()
	if err != nil {
		return nil, err
	}
	im.res.Spec = data
	finding.List(im.res.Left).Sort()
	finding.List(im.res.Review).Sort()
	return im.res, nil
}

type importer struct {
	in         Input
	root       *yaml.Node
	hubValues  *yaml.Node
	env        []envVar
	spec       *spec.Spec
	res        *Result
	secretName string
	// existingSecret is the values' hub.existingSecret.
	existingSecret string
	// comments are the "hubctl:" notes above spec keys, by spec path.
	comments map[string]string
	// usedEnv and usedExtraConfig are entries import read, so they are
	// not reported as left.
	usedEnv         []string
	usedExtraConfig []string
	// needs is the oldest JupyterHub with every key and scope imported.
	needs jupyterhub.Version
	files []string
}

func (in Input) fileOf(n *yaml.Node) string {
	if in.FileOf == nil || n == nil {
		return ""
	}
	return in.FileOf(n)
}

// display renders a values path as findings show it, with the prefix.
func (im *importer) display(path ...string) string {
	out := ""
	for _, k := range append(slices.Clone(im.in.Prefix), path...) {
		out = spec.Join(out, k)
	}
	return out
}

func (im *importer) finding(id string, at *yaml.Node, path []string, msg, hint string) finding.Finding {
	f := finding.Finding{ID: id, Severity: finding.Warning, Path: im.display(path...), Message: msg, Hint: hint}
	if at != nil {
		f.Pos = finding.Position{File: im.in.fileOf(at), Line: at.Line, Column: at.Column}
	} else {
		f.Pos.File = im.in.fileOf(im.in.Root)
	}
	return f
}

// leftMsg ends every import-left message, so that each says where the
// setting stays.
const leftMsg = "it stays in the values file, where it is"

// left records a setting the spec cannot express.
func (im *importer) left(at *yaml.Node, path []string, what, hint string) {
	im.res.Left = append(im.res.Left, im.finding("import-left", at, path, what+": "+leftMsg, hint))
}

// review records a decision a person should check, as a finding and as a
// comment above the spec key it concerns.
func (im *importer) review(at *yaml.Node, path []string, specPath, msg string) {
	im.res.Review = append(im.res.Review, im.finding("import-review", at, path, msg, "see the hubctl: comment at "+specPath+" in the spec"))
	im.comment(specPath, "hubctl: "+msg)
}

func (im *importer) comment(specPath, msg string) {
	if prev := im.comments[specPath]; prev != "" {
		msg = prev + "\n" + msg
	}
	im.comments[specPath] = msg
}

// needVersion raises the target version the spec must name.
func (im *importer) needVersion(v jupyterhub.Version) {
	if v.AtLeast(im.needs) {
		im.needs = v
	}
}

// storeLiteral moves a secret written in the values into the spec's
// Secret: the spec gets the reference, Result.Secrets the value.
func (im *importer) storeLiteral(key, value string) secret.Ref {
	ref := secret.Ref{Kind: secret.K8s, K8s: secret.K8sRef{Name: im.secretName, Key: key}}
	im.res.Secrets[state.RefKey(ref)] = value
	return ref
}

func lookupValue(m *yaml.Node, path ...string) (*yaml.Node, bool) {
	p, ok := lookup(m, path...)
	return p.Value, ok
}

// version sets hub.jupyterhub: the caller's, or the oldest version with
// what the values use when that is newer than the chart's default.
func (im *importer) version() {
	if im.in.JupyterHub != "" {
		im.spec.Hub.JupyterHub = im.in.JupyterHub
		return
	}
	if im.needs.AtLeast(jupyterhub.Default) && im.needs != jupyterhub.Default {
		im.spec.Hub.JupyterHub = im.needs.String()
		im.comment("hub.jupyterhub", fmt.Sprintf("hubctl: the values use keys or scopes JupyterHub has only from %s; set the version the hub runs", im.needs))
	}
}

// sourceFiles lists the files the values came from, in the order their
// nodes are met.
func (im *importer) sourceFiles() []string {
	if im.in.FileOf == nil {
		return nil
	}
	var out []string
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		if n == nil || depth > 64 {
			return
		}
		if f := im.in.FileOf(n); f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
		for _, c := range n.Content {
			walk(c, depth+1)
		}
	}
	walk(im.in.Root, 0)
	return out
}

func (im *importer) header() string {
	from := "chart values"
	if files := im.sourceFiles(); len(files) > 0 {
		from = strings.Join(files, ", ")
	}
	lines := []string{
		"hubctl.yaml imported by hubctl from " + from + ":",
		"the hub's login (hub.config), hub.services and hub.loadRoles.",
		"What a hubctl spec cannot express stays in the values file; hubctl import",
		"listed it. Look at each \"hubctl:\" comment below.",
	}
	if len(im.res.Secrets) > 0 {
		lines = append(lines,
			fmt.Sprintf("The secrets the values held are now references to the Kubernetes Secret %q;", im.secretName),
			"hubctl keeps their values in .hubctl/ (hubctl render secret writes that Secret).")
	}
	return strings.Join(lines, "\n")
}
