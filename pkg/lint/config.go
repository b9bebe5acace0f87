package lint

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"

	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/jupyterhub"
	"github.com/hubctl/hubctl/pkg/valuesdoc"
)

// chartHubKeys are hub.* keys of the chart that people put under
// hub.config by mistake (chart PR #3721 made that fatal).
var chartHubKeys = []string{
	"services", "loadRoles", "extraEnv", "extraConfig", "extraFiles", "existingSecret", "baseUrl",
	"templatePaths", "templateVars", "allowNamedServers", "namedServerLimitPerUser", "concurrentSpawnLimit",
	"activeServerLimit", "shutdownOnLogout", "redirectToServer", "authenticatePrometheus", "cookieSecret", "db",
}

// literalSecretTraits are Class.trait settings that hold a secret.
var literalSecretTraits = []string{
	"JupyterHub.cookie_secret", "JupyterHub.proxy_auth_token", "ConfigurableHTTPProxy.auth_token", "CryptKeeper.keys",
}

const secretHint = "keep it out of the values file: put it in the Secret named by hub.existingSecret (its values.yaml key merges over hub.config), or run hubctl import, which turns it into a secret reference"

// authenticator is the class the hub logs in with, as far as the values
// say.
type authenticator struct {
	name string // class name; "" when unknown
	// key is where it is chosen (JupyterHub.authenticator_class), or the
	// section that suggests it when authenticator_class is not set.
	key  *yaml.Node
	path valuesdoc.Path
}

func (l *linter) hubConfig() {
	cfg, ok := lookup(l.root, "hub", "config")
	if !ok || !isMap(cfg.Value) {
		return
	}
	base := path("hub", "config")
	auth := l.activeAuthenticator(cfg.Value)
	for _, sec := range pairs(cfg.Value) {
		l.configSection(sec, with(base, sec.Key.Value), auth)
	}
	if auth.name != "" && classes[auth.name].oauth {
		l.effectiveAuth(cfg.Value, auth)
	}
}

// activeAuthenticator finds the authenticator class, and reports
// OAuthenticator settings without authenticator_class: the chart's
// default is dummy, which lets anyone in with any password.
func (l *linter) activeAuthenticator(cfg *yaml.Node) authenticator {
	if ac, ok := lookup(cfg, "JupyterHub", "authenticator_class"); ok && isScalar(ac.Value) {
		return authenticator{authenticatorClassName(ac.Value.Value), ac.Key, path("hub", "config", "JupyterHub", "authenticator_class")}
	}
	if ac, ok := lookup(cfg, "Authenticator", "authenticator_class"); ok && isScalar(ac.Value) {
		// wrong-class reports it; it shows what was meant.
		return authenticator{authenticatorClassName(ac.Value.Value), ac.Key, path("hub", "config", "Authenticator", "authenticator_class")}
	}
	var providers []pair
	anyOAuth := false
	for _, sec := range pairs(cfg) {
		c, ok := classes[sec.Key.Value]
		if !ok || !c.oauth {
			continue
		}
		anyOAuth = true
		if sec.Key.Value != "OAuthenticator" {
			providers = append(providers, sec)
		}
	}
	if !anyOAuth || l.extraConfigMentions("authenticator_class") {
		return authenticator{}
	}
	if t, ok := lookup(l.root, "auth", "type"); ok && truthy(t.Value) {
		return authenticator{} // legacy-auth's fix sets it
	}
	to := path("hub", "config", "JupyterHub", "authenticator_class")
	if len(providers) != 1 {
		at, _ := get(cfg, "OAuthenticator")
		if len(providers) > 1 {
			at = providers[0]
		}
		p := l.add(finding.Error, "no-authenticator-class", at.Key, to,
			"OAuthenticator settings are here but JupyterHub.authenticator_class is not set: the chart's default, dummy, lets anyone in with any password",
			"set hub.config.JupyterHub.authenticator_class, for example generic-oauth")
		p.note("hubctl: set hub.config.JupyterHub.authenticator_class to the authenticator these settings are for")
		return authenticator{}
	}
	sec := providers[0]
	name := sec.Key.Value
	ep := entryPointOf(name)
	p := l.add(finding.Error, "no-authenticator-class", sec.Key, to,
		fmt.Sprintf("%s is configured but JupyterHub.authenticator_class is not set: the chart's default, dummy, lets anyone in with any password", name),
		fmt.Sprintf("set hub.config.JupyterHub.authenticator_class: %s", ep))
	p.fix(ep != "", "hubctl: set hub.config.JupyterHub.authenticator_class for "+name,
		valuesdoc.Edit{Kind: valuesdoc.SetValue, Path: to, Value: scalarText(ep)})
	return authenticator{name, sec.Key, path("hub", "config", name)}
}

// extraConfigMentions reports whether hub.extraConfig's Python mentions
// word: settings made in code are out of lint's sight, so checks that
// would otherwise say "not set" stay quiet.
func (l *linter) extraConfigMentions(word string) bool {
	ec, ok := lookup(l.root, "hub", "extraConfig")
	if !ok {
		return false
	}
	for _, kv := range pairs(ec.Value) {
		if isScalar(kv.Value) && strings.Contains(kv.Value.Value, word) {
			return true
		}
	}
	return false
}

func (l *linter) configSection(sec pair, at valuesdoc.Path, auth authenticator) {
	name := sec.Key.Value
	if name == "" || !unicode.IsUpper([]rune(name)[0]) {
		l.badSectionName(sec, at)
		return
	}
	if _, known := classes[name]; !known {
		msg := fmt.Sprintf("no class hubctl knows is called %s; traitlets ignores sections of classes the hub does not load", name)
		p := l.add(finding.Warning, "unknown-config-section", sec.Key, at, msg, "")
		if exact := sameFold(name, knownClassNames()); exact != "" {
			p.Message += fmt.Sprintf("; did you mean %s?", exact)
			p.fix(l.owns(sec.Key, at), "", valuesdoc.Edit{Kind: valuesdoc.RenameKey, Path: at, NewKey: exact})
		} else if s := jupyterhub.Closest(name, knownClassNames()); s != "" {
			p.Message += fmt.Sprintf("; did you mean %s?", s)
		}
		return
	}
	c := classes[name]
	if c.oauth && auth.name != "" && !inherits(auth.name, name) {
		l.add(finding.Warning, "unused-key", sec.Key, at,
			fmt.Sprintf("the hub logs in with %s, so the %s section has no effect", auth.name, name),
			"move these settings to the hub's authenticator section, or delete the section")
		return
	}
	for _, kv := range pairs(sec.Value) {
		if slices.Contains(literalSecretTraits, name+"."+kv.Key.Value) {
			l.literalSecret(kv, with(at, kv.Key.Value))
		}
	}
	switch {
	case name == "JupyterHub":
		l.jupyterHubSection(sec, at, auth)
	case inherits(name, "Authenticator"):
		l.authenticatorSection(sec, at, auth)
	}
}

func (l *linter) badSectionName(sec pair, at valuesdoc.Path) {
	name := sec.Key.Value
	msg := fmt.Sprintf("hub.config sections must be class names such as JupyterHub; the chart stops the hub with \"FATAL: Invalid hub.config section name: %s\"", name)
	p := l.add(finding.Error, "config-section-name", sec.Key, at, msg, "")
	if slices.Contains(chartHubKeys, name) {
		to := path("hub", name)
		p.Hint = fmt.Sprintf("%s is a chart key: move it to %s", name, l.display(to))
		_, taken := lookup(l.root, "hub", name)
		p.fix(!taken && l.owns(sec.Key, at), fmt.Sprintf("hubctl: move this into hub.%s", name),
			valuesdoc.Edit{Kind: valuesdoc.MoveKey, Path: at, To: to})
		return
	}
	if exact := sameFold(name, knownClassNames()); exact != "" {
		p.Hint = fmt.Sprintf("rename it %s", exact)
		_, taken := lookup(l.root, "hub", "config", exact)
		p.fix(!taken && l.owns(sec.Key, at), "hubctl: rename this section "+exact,
			valuesdoc.Edit{Kind: valuesdoc.RenameKey, Path: at, NewKey: exact})
		return
	}
	p.Hint = "move the setting to the class it configures, as hub.config.ClassName.trait"
	p.note("hubctl: hub.config sections are class names; move this where it belongs")
}

func sameFold(name string, candidates []string) string {
	for _, c := range candidates {
		if strings.EqualFold(c, name) {
			return c
		}
	}
	return ""
}

func (l *linter) jupyterHubSection(sec pair, at valuesdoc.Path, auth authenticator) {
	jh := allTraits("JupyterHub")
	for _, kv := range pairs(sec.Value) {
		trait := kv.Key.Value
		p := with(at, trait)
		switch {
		case trait == "services":
			l.configServices(kv, p)
		case trait == "load_roles":
			l.configLoadRoles(kv, p)
		case slices.Contains(jh, trait):
		default:
			target := authenticatorTarget(trait, auth)
			switch {
			case target != "":
				to := path("hub", "config", target, trait)
				pr := l.add(finding.Error, "wrong-class", kv.Key, p,
					fmt.Sprintf("%s is not a JupyterHub trait but an authenticator's, so it has no effect here", trait),
					fmt.Sprintf("move it to %s", l.display(to)))
				_, taken := lookup(l.root, to...)
				pr.fix(!taken && l.owns(kv.Key, p), "hubctl: move this to "+l.display(to),
					valuesdoc.Edit{Kind: valuesdoc.MoveKey, Path: p, To: to})
			case len(classesWithTrait(trait)) > 0:
				pr := l.add(finding.Error, "wrong-class", kv.Key, p,
					fmt.Sprintf("%s is not a JupyterHub trait but %s's, so it has no effect here", trait, strings.Join(classesWithTrait(trait), " or ")),
					"move it to the section of the authenticator the hub uses")
				pr.note("hubctl: move this to the authenticator's section")
			default:
				l.unknownTrait(kv, p, "JupyterHub", jh)
			}
		}
	}
}

// authenticatorTarget is the section an authenticator trait set under
// JupyterHub belongs in, when that is certain: Authenticator for the
// traits every authenticator has, else the authenticator in use.
func authenticatorTarget(trait string, auth authenticator) string {
	switch {
	case slices.Contains(classes["Authenticator"].traits, trait):
		return "Authenticator"
	case auth.name != "" && hasTrait(auth.name, trait):
		return auth.name
	}
	return ""
}

// classesWithTrait lists the authenticator classes that declare trait.
func classesWithTrait(trait string) []string {
	var out []string
	for _, name := range knownClassNames() {
		if slices.Contains(classes[name].traits, trait) && inherits(name, "Authenticator") {
			out = append(out, name)
		}
	}
	return out
}

func (l *linter) authenticatorSection(sec pair, at valuesdoc.Path, auth authenticator) {
	name := sec.Key.Value
	// The classes whose traits this section can set: its own, and the
	// hub's authenticator's when the section is one of its bases.
	mroNames := mro(name)
	effective := name
	if auth.name != "" && inherits(auth.name, name) {
		mroNames = mro(auth.name)
		effective = auth.name
	}
	valid := allTraits(effective)
	if auth.name == "" && (name == "Authenticator" || name == "OAuthenticator") {
		// Any authenticator may end up reading it.
		for n, c := range classes {
			if inherits(n, name) {
				valid = append(valid, c.traits...)
				mroNames = append(mroNames, n)
			}
		}
	}
	checked := traitsChecked(effective)
	for _, kv := range pairs(sec.Value) {
		trait := kv.Key.Value
		p := with(at, trait)
		if a, ok := aliasFor(mroNames, trait); ok {
			l.renamedTrait(sec, kv, p, a)
			continue
		}
		if why, ok := removedTraits[trait]; ok && inherits(effective, "OAuthenticator") {
			pr := l.add(finding.Warning, "removed-key", kv.Key, p, why+"; the setting does nothing", "delete it")
			pr.fix(l.owns(kv.Key, p), "hubctl: delete "+trait, valuesdoc.Edit{Kind: valuesdoc.DeleteKey, Path: p})
			continue
		}
		if trait == "client_secret" {
			l.literalSecret(kv, p)
		}
		if trait == "validate_server_cert" && isFalse(kv.Value) {
			l.tlsVerifyOff(kv, p)
		}
		if !checked || slices.Contains(valid, trait) {
			continue
		}
		if slices.Contains(allTraits("JupyterHub"), trait) {
			to := path("hub", "config", "JupyterHub", trait)
			pr := l.add(finding.Error, "wrong-class", kv.Key, p,
				fmt.Sprintf("%s is a JupyterHub trait, not %s's, so it has no effect here", trait, name),
				fmt.Sprintf("move it to %s", l.display(to)))
			_, taken := lookup(l.root, to...)
			pr.fix(!taken && l.owns(kv.Key, p), "hubctl: move this to "+l.display(to),
				valuesdoc.Edit{Kind: valuesdoc.MoveKey, Path: p, To: to})
			continue
		}
		if others := classesWithTrait(trait); len(others) > 0 {
			pr := l.add(finding.Error, "wrong-class", kv.Key, p,
				fmt.Sprintf("%s is a trait of %s, not of %s, so it has no effect here", trait, strings.Join(others, " or "), effective), "")
			pr.note("hubctl: " + trait + " does nothing for " + effective)
			continue
		}
		l.unknownTrait(kv, p, effective, valid)
	}
}

func (l *linter) unknownTrait(kv pair, p valuesdoc.Path, class string, valid []string) {
	msg := fmt.Sprintf("%s has no trait %s; traitlets only logs \"Config option not recognized\" and the setting does nothing", class, kv.Key.Value)
	if s := jupyterhub.Closest(kv.Key.Value, valid); s != "" {
		msg += fmt.Sprintf("; did you mean %s?", s)
	}
	l.add(finding.Warning, "unknown-trait", kv.Key, p, msg, "")
}

func (l *linter) renamedTrait(sec, kv pair, p valuesdoc.Path, a alias) {
	to := with(p[:len(p)-1], a.new)
	if a.fatal {
		pr := l.add(finding.Error, "renamed-key", kv.Key, p,
			fmt.Sprintf("%s was replaced by %s in %s with a different shape; OAuthenticator stops the hub with a ValueError", a.old, a.new, a.since),
			fmt.Sprintf("express it in %s and delete %s", a.new, a.old))
		pr.note(fmt.Sprintf("hubctl: %s was replaced by %s; rewrite it by hand", a.old, a.new))
		return
	}
	msg := fmt.Sprintf("%s is deprecated since %s; use %s", a.old, a.since, a.new)
	if a.new == "auth_state_groups_key" {
		msg += fmt.Sprintf(" (a path into auth_state: %s<claim>)", a.prefix)
	}
	if a.old == "tls_verify" && isFalse(kv.Value) {
		l.tlsVerifyOff(kv, p)
	}
	pr := l.add(finding.Warning, "renamed-key", kv.Key, p, msg, fmt.Sprintf("rename it %s", a.new))
	if _, both := get(sec.Value, a.new); both {
		pr.Hint = fmt.Sprintf("%s is set too: keep one and delete the other", a.new)
		pr.note(fmt.Sprintf("hubctl: %s and %s are both set; keep one", a.old, a.new))
		return
	}
	if a.prefix != "" {
		v, ok := literalString(kv.Value)
		pr.fix(ok && l.owns(kv.Key, p), fmt.Sprintf("hubctl: replace %s with %s", a.old, a.new),
			valuesdoc.Edit{Kind: valuesdoc.SetValue, Path: to, Value: scalarText(a.prefix + v)},
			valuesdoc.Edit{Kind: valuesdoc.DeleteKey, Path: p})
		return
	}
	pr.fix(l.owns(kv.Key, p), "", valuesdoc.Edit{Kind: valuesdoc.RenameKey, Path: p, NewKey: a.new})
}

func (l *linter) tlsVerifyOff(kv pair, p valuesdoc.Path) {
	pr := l.add(finding.Warning, "tls-verify-off", kv.Key, p,
		"certificate checks on the provider are off, so anyone on the path can pose as it",
		"give the provider's CA instead: http_request_kwargs: {ca_certs: /path/ca.pem}")
	pr.note("hubctl: certificate checks are off; prefer http_request_kwargs.ca_certs")
}

func (l *linter) literalSecret(kv pair, p valuesdoc.Path) {
	if !isLiteralSecret(kv.Value) {
		return
	}
	pr := l.add(finding.Warning, "literal-secret", kv.Key, p,
		fmt.Sprintf("%s is written literally in the values file, and so in every copy and helm release of it", l.display(p)), secretHint)
	pr.note("hubctl: this secret is written in the file; move it to hub.existingSecret")
	if v, ok := literalString(kv.Value); ok {
		pr.Secrets = append(pr.Secrets, v)
	}
	for _, item := range kv.Value.Content {
		if v, ok := literalString(resolve(item)); ok {
			pr.Secrets = append(pr.Secrets, v)
		}
	}
}

// isLiteralSecret reports a secret written as a value: a string, or a list
// of them (CryptKeeper.keys). A mapping may be a valueFrom reference.
func isLiteralSecret(n *yaml.Node) bool {
	if _, ok := literalString(n); ok {
		return true
	}
	return n != nil && n.Kind == yaml.SequenceNode && len(n.Content) > 0
}

// effectiveAuth checks the hub's authenticator's settings merged over
// its class and base sections, as traitlets loads them.
func (l *linter) effectiveAuth(cfg *yaml.Node, auth authenticator) {
	type setting struct {
		pair
		path valuesdoc.Path
	}
	eff := map[string]setting{}
	classesInMRO := mro(auth.name)
	for i := len(classesInMRO) - 1; i >= 0; i-- {
		sec, ok := get(cfg, classesInMRO[i])
		if !ok {
			continue
		}
		for _, kv := range pairs(sec.Value) {
			eff[kv.Key.Value] = setting{kv, path("hub", "config", classesInMRO[i], kv.Key.Value)}
		}
	}
	// Deprecated names count as their replacement.
	for old, s := range eff {
		if a, ok := aliasFor(classesInMRO, old); ok && !a.fatal {
			if _, set := eff[a.new]; !set {
				eff[a.new] = s
			}
		}
	}
	managed := truthy(eff["manage_groups"].Value)
	if !managed {
		for _, t := range groupTraits {
			s, ok := eff[t]
			if !ok || !truthy(s.Value) || (t == "claim_groups_key" && !inherits(auth.name, "GenericOAuthenticator")) {
				continue
			}
			if t == "auth_state_groups_key" && s.Key.Value == "claim_groups_key" {
				continue // reported as claim_groups_key
			}
			pr := l.add(finding.Error, "manage-groups-required", s.Key, s.path,
				fmt.Sprintf("%s needs manage_groups: OAuthenticator 17 stops the hub with \"%s.%s requires %s.manage_groups to also be set\"", s.Key.Value, auth.name, s.Key.Value, auth.name),
				"set manage_groups: true (the authenticator then owns JupyterHub group membership), or delete "+s.Key.Value)
			pr.note("hubctl: " + s.Key.Value + " needs manage_groups: true; decide whether the provider should own group membership")
		}
	}
	if l.extraConfigMentions("allow") || truthy(eff["any_allow_config"].Value) {
		return
	}
	for _, c := range classesInMRO {
		for _, t := range allowTraits[c] {
			if truthy(eff[t].Value) {
				return
			}
		}
	}
	if inherits(auth.name, "CILogonOAuthenticator") && (cilogonAllows(eff["idps"].Value) || cilogonAllows(eff["allowed_idps"].Value)) {
		return
	}
	at, atPath := auth.key, auth.path
	if sec, ok := get(cfg, auth.name); ok {
		at, atPath = sec.Key, path("hub", "config", auth.name)
	}
	who := "nobody can log in"
	if truthy(eff["admin_users"].Value) {
		who = "only admin_users can log in"
	}
	pr := l.add(finding.Warning, "no-allow", at, atPath,
		fmt.Sprintf("%s has no allow setting, so %s: OAuthenticator 16 and later admit no one by default", auth.name, who),
		"set allow_all: true, or allowed_users, or allowed_groups with manage_groups, or allow_existing_users")
	pr.note("hubctl: no allow setting, so " + who + "; set allow_all, allowed_users or allowed_groups here")
}

// cilogonAllows reports whether a CILogon idps mapping lets someone in:
// an identity provider entry with allow_all or allowed_domains.
func cilogonAllows(idps *yaml.Node) bool {
	for _, idp := range pairs(idps) {
		if a, ok := get(idp.Value, "allow_all"); ok && truthy(a.Value) {
			return true
		}
		if d, ok := get(idp.Value, "allowed_domains"); ok && truthy(d.Value) {
			return true
		}
	}
	return false
}

// configServices reports hub.config.JupyterHub.services, which the chart
// pops before it applies hub.config, and moves each service to
// hub.services when the list converts.
func (l *linter) configServices(kv pair, p valuesdoc.Path) {
	pr := l.add(finding.Error, "config-services", kv.Key, p,
		"the chart drops hub.config.JupyterHub.services and builds the list from hub.services, so these services are never registered",
		"move each service to hub.services, keyed by its name")
	edits, ok := l.listToMap(kv, p, path("hub", "services"))
	pr.fix(ok, "hubctl: move these services to hub.services, keyed by name", edits...)
}

// configLoadRoles reports hub.config.JupyterHub.load_roles, which
// replaces the roles the chart builds (hub.loadRoles, the culler's).
func (l *linter) configLoadRoles(kv pair, p valuesdoc.Path) {
	pr := l.add(finding.Warning, "config-load-roles", kv.Key, p,
		"hub.config.JupyterHub.load_roles replaces the chart's role list: every hub.loadRoles role and the jupyterhub-idle-culler role are lost",
		"move each role to hub.loadRoles, keyed by its name")
	edits, ok := l.listToMap(kv, p, path("hub", "loadRoles"))
	pr.fix(ok, "hubctl: move these roles to hub.loadRoles, keyed by name", edits...)
	list := resolve(kv.Value)
	if list == nil || list.Kind != yaml.SequenceNode {
		return
	}
	for i, item := range list.Content {
		if r := resolve(item); isMap(r) {
			name := ""
			if n, ok := get(r, "name"); ok {
				name = n.Value.Value
			}
			l.checkRole(r, fmt.Sprintf("%s[%d]", l.display(p), i), name)
		}
	}
}

// listToMap turns a list of {name: ..., ...} into SetValue edits of
// to.NAME, then deletes the list; ok is false when the list does not
// convert (an item without a string name, a repeated name, a name
// already under to).
func (l *linter) listToMap(kv pair, p valuesdoc.Path, to valuesdoc.Path) ([]valuesdoc.Edit, bool) {
	list := resolve(kv.Value)
	if list == nil || list.Kind != yaml.SequenceNode || !l.owns(kv.Key, p) {
		return nil, false
	}
	var edits []valuesdoc.Edit
	seen := map[string]bool{}
	for _, item := range list.Content {
		m := resolve(item)
		if !isMap(m) {
			return nil, false
		}
		n, ok := get(m, "name")
		if !ok || !isScalar(n.Value) || n.Value.Value == "" || seen[n.Value.Value] {
			return nil, false
		}
		name := n.Value.Value
		seen[name] = true
		if _, taken := lookup(l.root, append(slices.Clone(to), name)...); taken {
			return nil, false
		}
		rest := &yaml.Node{Kind: yaml.MappingNode}
		for _, e := range pairs(m) {
			if e.Key.Value != "name" {
				rest.Content = append(rest.Content, e.Key, e.Value)
			}
		}
		value := "{}"
		if len(rest.Content) > 0 {
			value = encode(rest)
		}
		edits = append(edits, valuesdoc.Edit{Kind: valuesdoc.SetValue, Path: with(to, name), Value: value})
	}
	return append(edits, valuesdoc.Edit{Kind: valuesdoc.DeleteKey, Path: p}), true
}
