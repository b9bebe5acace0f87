package lint

import (
	"fmt"
	"slices"

	"gopkg.in/yaml.v3"

	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/jupyterhub"
	"github.com/hubctl/hubctl/pkg/spec"
)

// scopeProblemIDs are the finding IDs of jupyterhub.ScopeProblem kinds;
// custom: scopes pass, since the values may define custom_scopes.
var scopeProblemIDs = map[string]string{"unknown": "unknown-scope", "version": "scope-needs-version", "filter": "bad-scope-filter"}

func (l *linter) roles() {
	if roles, ok := lookup(l.root, "hub", "loadRoles"); ok {
		for _, r := range pairs(roles.Value) {
			l.checkRole(r.Value, l.display(path("hub", "loadRoles", r.Key.Value)), r.Key.Value)
		}
	}
	l.userRoleTwice()
}

// checkRole checks one role's scopes against the target version and its
// services against the services defined here.
func (l *linter) checkRole(r *yaml.Node, display, name string) {
	if s, ok := get(r, "scopes"); ok && s.Value.Kind == yaml.SequenceNode {
		for i, item := range s.Value.Content {
			item = resolve(item)
			if !isScalar(item) {
				continue
			}
			prob := jupyterhub.CheckScope(item.Value, l.version)
			if prob == nil || prob.Kind == "custom" {
				continue
			}
			msg, hint := prob.Message, ""
			if prob.Suggestion != "" {
				msg += fmt.Sprintf("; did you mean %q?", prob.Suggestion)
			}
			if prob.Kind == "version" {
				hint = fmt.Sprintf("drop it, or deploy JupyterHub %s or newer", prob.Since)
			}
			if prob.Kind != "filter" {
				msg += "; JupyterHub stops with ScopeNotFound"
			}
			l.addAt(finding.Error, scopeProblemIDs[prob.Kind], item, spec.Index(display+".scopes", i), msg, hint)
		}
	}
	s, ok := get(r, "services")
	if !ok || s.Value.Kind != yaml.SequenceNode {
		return
	}
	defined := l.serviceNames()
	for i, item := range s.Value.Content {
		item = resolve(item)
		if !isScalar(item) || slices.Contains(defined, item.Value) {
			continue
		}
		msg := fmt.Sprintf("role %s names service %q, which these values do not define; unless the parent chart defines it, JupyterHub stops with \"Found undefined service\"", name, item.Value)
		if c := jupyterhub.Closest(item.Value, defined); c != "" {
			msg += fmt.Sprintf("; did you mean %q?", c)
		}
		l.addAt(finding.Warning, "undefined-service", item, spec.Index(display+".services", i), msg, "define it in hub.services, or fix the name")
	}
}

// userRoleTwice reports the user role defined in more than one place:
// in two files (helm merges the role and the later file's lists replace
// the earlier's), or in hub.loadRoles and hub.config.JupyterHub.load_roles
// (the chart's list, hub.loadRoles included, is replaced).
func (l *linter) userRoleTwice() {
	type place struct {
		at      *yaml.Node
		display string
	}
	var places []place
	layers := l.in.Layers
	if len(layers) == 0 {
		layers = []*yaml.Node{l.root}
	}
	userPath := path("hub", "loadRoles", "user")
	for _, layer := range layers {
		if u, ok := lookup(resolve(layer), userPath...); ok {
			places = append(places, place{u.Key, l.display(userPath)})
		}
	}
	loadRoles := path("hub", "config", "JupyterHub", "load_roles")
	if lr, ok := lookup(l.root, loadRoles...); ok && lr.Value.Kind == yaml.SequenceNode {
		for i, item := range lr.Value.Content {
			if n, ok := get(item, "name"); ok && isScalar(n.Value) && n.Value.Value == "user" {
				places = append(places, place{n.Value, spec.Index(l.display(loadRoles), i)})
			}
		}
	}
	for i := 1; i < len(places); i++ {
		first, again := places[0], places[i]
		where := first.display
		if first.at != nil {
			pos := finding.Position{Line: first.at.Line, Column: first.at.Column}
			if l.in.FileOf != nil {
				pos.File = l.in.FileOf(first.at)
			}
			where += " at " + pos.String()
		}
		why := "helm merges the two, and this definition's scopes, users and groups replace the earlier's"
		if again.display != first.display {
			why = "hub.config.JupyterHub.load_roles replaces the chart's role list, so the hub.loadRoles definition is lost"
		}
		pr := l.addAt(finding.Warning, "role-defined-twice", again.at, again.display,
			fmt.Sprintf("the user role is also defined in %s: %s", where, why), "define the user role in one place, in hub.loadRoles")
		pr.note("hubctl: the user role is defined twice; keep one definition")
	}
}
