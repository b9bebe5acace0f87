package lint

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/valuesdoc"
)

// legacyAuthTypes is chart 0.11's auth.type to authenticator_class
// (templates/_helpers-auth-rework.tpl, jupyterhub.authDep.classKeyToLong).
var legacyAuthTypes = map[string]string{
	"google": "google", "github": "github", "cilogon": "cilogon", "gitlab": "gitlab",
	"azuread": "azuread", "mediawiki": "mediawiki", "globus": "globus",
	"hmac": "hmacauthenticator.HMACAuthenticator", "dummy": "dummy",
	"tmp": "tmpauthenticator.TmpAuthenticator", "lti": "ltiauthenticator.LTIAuthenticator",
	"ldap": "ldapauthenticator.LDAPAuthenticator",
}

// legacyAuthKeys is chart 0.11's mapping of auth.* (flattened with dots)
// to Class.trait under hub.config (jupyterhub.authDep.remapOldToNew.map).
// One entry differs: mediawiki.indexUrl went to MWOAuthenticator.index_url,
// a trait OAuthenticator has since renamed mw_index_url.
var legacyAuthKeys = map[string]string{
	"scopes": "OAuthenticator.scope", "state.enabled": "Authenticator.enable_auth_state",
	"state.cryptoKey": "CryptKeeper.keys", "admin.access": "JupyterHub.admin_access",
	"admin.users": "Authenticator.admin_users", "whitelist.users": "Authenticator.allowed_users",
	"allowedUsers":    "Authenticator.allowed_users",
	"google.clientId": "GoogleOAuthenticator.client_id", "google.clientSecret": "GoogleOAuthenticator.client_secret",
	"google.callbackUrl": "GoogleOAuthenticator.oauth_callback_url", "google.hostedDomain": "GoogleOAuthenticator.hosted_domain",
	"google.loginService": "GoogleOAuthenticator.login_service",
	"github.clientId":     "GitHubOAuthenticator.client_id", "github.clientSecret": "GitHubOAuthenticator.client_secret",
	"github.callbackUrl": "GitHubOAuthenticator.oauth_callback_url", "github.orgWhitelist": "GitHubOAuthenticator.allowed_organizations",
	"github.allowedOrganizations": "GitHubOAuthenticator.allowed_organizations",
	"cilogon.clientId":            "CILogonOAuthenticator.client_id", "cilogon.clientSecret": "CILogonOAuthenticator.client_secret",
	"cilogon.callbackUrl": "CILogonOAuthenticator.oauth_callback_url",
	"gitlab.clientId":     "GitLabOAuthenticator.client_id", "gitlab.clientSecret": "GitLabOAuthenticator.client_secret",
	"gitlab.callbackUrl": "GitLabOAuthenticator.oauth_callback_url", "gitlab.gitlabGroupWhitelist": "GitLabOAuthenticator.allowed_gitlab_groups",
	"gitlab.allowedGitlabGroups": "GitLabOAuthenticator.allowed_gitlab_groups", "gitlab.gitlabProjectIdWhitelist": "GitLabOAuthenticator.allowed_project_ids",
	"gitlab.allowedProjectIds": "GitLabOAuthenticator.allowed_project_ids", "gitlab.gitlabUrl": "GitLabOAuthenticator.gitlab_url",
	"azuread.clientId": "AzureAdOAuthenticator.client_id", "azuread.clientSecret": "AzureAdOAuthenticator.client_secret",
	"azuread.callbackUrl": "AzureAdOAuthenticator.oauth_callback_url", "azuread.tenantId": "AzureAdOAuthenticator.tenant_id",
	"azuread.usernameClaim": "AzureAdOAuthenticator.username_claim",
	"mediawiki.clientId":    "MWOAuthenticator.client_id", "mediawiki.clientSecret": "MWOAuthenticator.client_secret",
	"mediawiki.callbackUrl": "MWOAuthenticator.oauth_callback_url", "mediawiki.indexUrl": "MWOAuthenticator.mw_index_url",
	"globus.clientId": "GlobusOAuthenticator.client_id", "globus.clientSecret": "GlobusOAuthenticator.client_secret",
	"globus.callbackUrl": "GlobusOAuthenticator.oauth_callback_url",
	"hmac.secretKey":     "HMACAuthenticator.secret_key", "dummy.password": "DummyAuthenticator.password",
	"lti.consumers":       "LTIAuthenticator.consumers",
	"ldap.server.address": "LDAPAuthenticator.server_address", "ldap.server.port": "LDAPAuthenticator.server_port",
	"ldap.server.ssl": "LDAPAuthenticator.use_ssl", "ldap.allowedGroups": "LDAPAuthenticator.allowed_groups",
	"ldap.dn.templates": "LDAPAuthenticator.bind_dn_template", "ldap.dn.lookup": "LDAPAuthenticator.lookup_dn",
	"ldap.dn.search.filter": "LDAPAuthenticator.lookup_dn_search_filter", "ldap.dn.search.user": "LDAPAuthenticator.lookup_dn_search_user",
	"ldap.dn.search.password": "LDAPAuthenticator.lookup_dn_search_password", "ldap.dn.user.dnAttribute": "LDAPAuthenticator.lookup_dn_user_dn_attribute",
	"ldap.dn.user.escape": "LDAPAuthenticator.escape_userdn", "ldap.dn.user.validRegex": "LDAPAuthenticator.valid_username_regex",
	"ldap.dn.user.searchBase": "LDAPAuthenticator.user_search_base", "ldap.dn.user.attribute": "LDAPAuthenticator.user_attribute",
	"ldap.dn.user.useLookupName": "LDAPAuthenticator.use_lookup_dn_username",
}

// legacyAuth reports the top-level auth: block and, as fixes, the moves
// chart 0.11 printed when it refused the block.
func (l *linter) legacyAuth() {
	auth, ok := get(l.root, "auth")
	if !ok {
		return
	}
	at := path("auth")
	if !truthy(auth.Value) {
		p := l.add(finding.Error, "legacy-auth", auth.Key, at,
			"the empty auth: block is not a chart key since 0.11; helm refuses it (additional property auth)", "delete it")
		p.fix(l.owns(auth.Key, at), "hubctl: delete this empty auth: block", valuesdoc.Edit{Kind: valuesdoc.DeleteKey, Path: at})
		return
	}
	p := l.add(finding.Error, "legacy-auth", auth.Key, at,
		"the auth: block was replaced by hub.config in chart 0.11; helm refuses it (additional property auth)",
		"move each setting into hub.config as chart 0.11 mapped it; hubctl migrate does it")
	edits, problem := l.legacyAuthEdits(auth)
	if problem != "" {
		p.Hint = problem
	}
	p.fix(problem == "", "hubctl: move this auth: block into hub.config by hand: "+problem, edits...)
}

// legacyAuthEdits works out the moves into hub.config, or says why there
// is no single right answer.
func (l *linter) legacyAuthEdits(auth pair) ([]valuesdoc.Edit, string) {
	var edits []valuesdoc.Edit
	targets := map[string]bool{} // Class.trait already written by an edit
	config := path("hub", "config")
	// move checks a key can go to Class.trait and records the edit.
	move := func(src pair, from valuesdoc.Path, classTrait string) string {
		class, trait, _ := strings.Cut(classTrait, ".")
		to := with(config, class, trait)
		if !l.owns(src.Key, from) {
			return fmt.Sprintf("%s comes from a YAML anchor", l.display(from))
		}
		if existing, ok := lookup(l.root, to...); ok && !sameValue(existing.Value, src.Value) {
			return fmt.Sprintf("%s is already set to something else", l.display(to))
		}
		if targets[classTrait] {
			return fmt.Sprintf("two auth keys go to %s", l.display(to))
		}
		targets[classTrait] = true
		if from[len(from)-1] == "cryptoKey" {
			// CryptKeeper.keys is a list; the chart wrapped the one key.
			edits = append(edits,
				valuesdoc.Edit{Kind: valuesdoc.SetValue, Path: to, Value: "[" + scalarText(src.Value.Value) + "]"},
				valuesdoc.Edit{Kind: valuesdoc.DeleteKey, Path: from})
			return ""
		}
		edits = append(edits, valuesdoc.Edit{Kind: valuesdoc.MoveKey, Path: from, To: to})
		return ""
	}

	typ := ""
	if t, ok := get(auth.Value, "type"); ok && isScalar(t.Value) {
		typ = t.Value.Value
	}
	className := ""
	switch {
	case typ == "custom":
		cn, ok := lookup(auth.Value, "custom", "className")
		if !ok || !isScalar(cn.Value) || cn.Value.Value == "" {
			return nil, "auth.type is custom but auth.custom.className is not set"
		}
		if msg := move(cn, path("auth", "custom", "className"), "JupyterHub.authenticator_class"); msg != "" {
			return nil, msg
		}
		className = cn.Value.Value[strings.LastIndex(cn.Value.Value, ".")+1:]
	case typ != "":
		ep, ok := legacyAuthTypes[typ]
		if !ok {
			return nil, fmt.Sprintf("auth.type %q was never a chart authenticator", typ)
		}
		if existing, ok := lookup(l.root, "hub", "config", "JupyterHub", "authenticator_class"); ok && existing.Value.Value != ep {
			return nil, "hub.config.JupyterHub.authenticator_class is already set to something else"
		}
		targets["JupyterHub.authenticator_class"] = true
		edits = append(edits, valuesdoc.Edit{Kind: valuesdoc.SetValue, Path: with(config, "JupyterHub", "authenticator_class"), Value: scalarText(ep)})
	}

	if cfg, ok := lookup(auth.Value, "custom", "config"); ok && truthy(cfg.Value) {
		if className == "" {
			return nil, "auth.custom.config is set but auth.type is not custom"
		}
		from := path("auth", "custom", "config")
		if _, exists := lookup(l.root, "hub", "config", className); !exists && l.owns(cfg.Key, from) {
			edits = append(edits, valuesdoc.Edit{Kind: valuesdoc.MoveKey, Path: from, To: with(config, className)})
		} else {
			for _, kv := range pairs(cfg.Value) {
				if msg := move(kv, with(from, kv.Key.Value), className+"."+kv.Key.Value); msg != "" {
					return nil, msg
				}
			}
		}
	}

	var unmapped, conflicts []string
	var walk func(m *yaml.Node, from valuesdoc.Path)
	walk = func(m *yaml.Node, from valuesdoc.Path) {
		for _, kv := range pairs(m) {
			p := with(from, kv.Key.Value)
			flat := strings.Join(p[1:], ".")
			if len(p) == 2 && (kv.Key.Value == "type" || kv.Key.Value == "custom") {
				continue
			}
			if isMap(kv.Value) {
				walk(kv.Value, p)
				continue
			}
			classTrait, ok := legacyAuthKeys[flat]
			if !ok {
				unmapped = append(unmapped, "auth."+flat)
				continue
			}
			if msg := move(kv, p, classTrait); msg != "" {
				conflicts = append(conflicts, msg)
			}
		}
	}
	walk(auth.Value, path("auth"))
	if len(conflicts) > 0 {
		return nil, strings.Join(conflicts, "; ")
	}
	if len(unmapped) > 0 {
		slices.Sort(unmapped)
		return nil, "chart 0.11 had no hub.config place for " + strings.Join(unmapped, ", ")
	}
	edits = append(edits, valuesdoc.Edit{Kind: valuesdoc.DeleteKey, Path: path("auth")})
	return edits, ""
}

// sameValue compares two scalars; other nodes never count as the same.
func sameValue(a, b *yaml.Node) bool {
	return isScalar(a) && isScalar(b) && a.Value == b.Value
}
