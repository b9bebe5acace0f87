package lint

import (
	"slices"
	"strings"
)

// class is a configurable class as hub.config names it: a section
// ClassName: {trait: value}. Traitlets hands a section to every instance
// whose class has that name anywhere in its MRO, so a section for a base
// class (Authenticator) configures the subclass in use.
type class struct {
	bases []string
	// traits are the config=True traits the class itself declares; nil
	// for classes whose traits hubctl does not check (KubeSpawner...).
	traits []string
	// oauth marks OAuthenticator and its subclasses.
	oauth bool
}

// Trait lists: JupyterHub 5.5.0 (jupyterhub/app.py, auth.py, crypto.py,
// authenticators/shared.py) and OAuthenticator 17.4.0 (oauthenticator/*.py),
// the versions chart 4.4.0's hub image pins. Each list is every trait the
// class declares with config=True, read from the source at those tags.
var classes = map[string]class{
	"JupyterHub": {traits: []string{
		"active_server_limit", "active_user_window", "activity_resolution", "admin_access", "admin_users",
		"allow_named_servers", "answer_yes", "api_page_default_limit", "api_page_max_limit", "api_tokens",
		"authenticate_prometheus", "authenticator_class", "base_url", "bind_url", "cleanup_proxy",
		"cleanup_servers", "concurrent_spawn_limit", "config_file", "confirm_no_ssl",
		"cookie_host_prefix_enabled", "cookie_max_age_days", "cookie_secret", "cookie_secret_file",
		"custom_scopes", "data_files_path", "db_kwargs", "db_url", "debug_db", "debug_proxy",
		"default_server_name", "default_url", "external_ssl_authorities", "extra_handlers",
		"extra_log_file", "extra_log_handlers", "forwarded_host_header", "generate_certs",
		"generate_config", "hub_bind_url", "hub_connect_ip", "hub_connect_port", "hub_connect_url",
		"hub_ip", "hub_port", "hub_routespec", "implicit_spawn_seconds", "init_spawners_timeout",
		"internal_certs_location", "internal_ssl", "ip", "jinja_environment_options",
		"last_activity_interval", "load_groups", "load_roles", "logo_file", "named_server_limit_per_user",
		"oauth_token_expires_in", "pid_file", "port", "proxy_api_ip", "proxy_api_port", "proxy_auth_token",
		"proxy_check_interval", "proxy_class", "proxy_cmd", "public_url", "recreate_internal_certs",
		"redirect_to_server", "reset_db", "service_check_interval", "service_tokens", "services",
		"shutdown_on_logout", "spawner_class", "ssl_cert", "ssl_key", "statsd_host", "statsd_port",
		"statsd_prefix", "subdomain_hook", "subdomain_host", "template_paths", "template_vars",
		"token_expires_in_max_seconds", "tornado_settings", "trust_user_provided_tokens",
		"trusted_alt_names", "trusted_downstream_ips", "upgrade_db",
		"use_legacy_stopped_server_status_code", "user_redirect_hook",
		// traitlets' Application, which JupyterHub extends
		"log_level", "log_datefmt", "log_format", "logging_config", "show_config", "show_config_json",
		// JupyterHub 6.0
		"extra_user_scopes", "oauth_require_pkce",
	}},
	"Authenticator": {traits: []string{
		"admin_users", "allow_all", "allow_existing_users", "allowed_users", "any_allow_config",
		"auth_refresh_age", "auto_login", "auto_login_oauth2_authorize", "blocked_users",
		"delete_invalid_users", "enable_auth_state", "manage_groups", "manage_roles", "otp_prompt",
		"post_auth_hook", "refresh_pre_spawn", "refresh_pre_stop", "request_otp",
		"reset_managed_roles_on_startup", "username_map", "username_pattern", "whitelist", "blacklist",
	}},
	"LocalAuthenticator": {bases: []string{"Authenticator"}, traits: []string{
		"add_user_cmd", "allowed_groups", "create_system_users", "group_whitelist", "uids",
	}},
	"PAMAuthenticator": {bases: []string{"LocalAuthenticator"}, traits: []string{
		"admin_groups", "check_account", "encoding", "executor_threads", "open_sessions",
		"pam_normalize_username", "service",
	}},
	"DummyAuthenticator":          {bases: []string{"Authenticator"}, traits: []string{"password"}},
	"NullAuthenticator":           {bases: []string{"Authenticator"}, traits: []string{}},
	"SharedPasswordAuthenticator": {bases: []string{"Authenticator"}, traits: []string{"admin_password", "password_groups", "user_password"}},
	"OAuthenticator": {bases: []string{"Authenticator"}, oauth: true, traits: []string{
		"admin_groups", "allow_all", "allow_existing_users", "allowed_groups", "allowed_scopes",
		"auth_state_groups_key", "authorize_url", "basic_auth", "client_id", "client_secret",
		"custom_403_message", "enable_pkce", "extra_authorize_params", "http_request_kwargs",
		"login_service", "logout_redirect_url", "modify_auth_state_hook", "oauth_callback_url",
		"refresh_user_hook", "scope", "token_params", "token_url", "userdata_from_id_token",
		"userdata_params", "userdata_token_method", "userdata_url", "username_claim",
		"validate_server_cert",
	}},
	"GenericOAuthenticator": {bases: []string{"OAuthenticator"}, oauth: true, traits: []string{
		"claim_groups_key", "extra_params", "tls_verify", "username_key",
	}},
	"GitHubOAuthenticator": {bases: []string{"OAuthenticator"}, oauth: true, traits: []string{
		"allowed_organizations", "github_api", "github_client_id", "github_client_secret",
		"github_organization_whitelist", "github_url", "populate_teams_in_auth_state",
	}},
	"GitLabOAuthenticator": {bases: []string{"OAuthenticator"}, oauth: true, traits: []string{
		"allowed_gitlab_groups", "allowed_project_ids", "gitlab_api", "gitlab_api_version",
		"gitlab_group_whitelist", "gitlab_project_id_whitelist", "gitlab_url",
	}},
	"GoogleOAuthenticator": {bases: []string{"OAuthenticator"}, oauth: true, traits: []string{
		"admin_google_groups", "allowed_google_groups", "google_api_url", "google_group_whitelist",
		"google_service_account_keys", "gsuite_administrator", "hosted_domain", "include_nested_groups",
		"strip_domain",
	}},
	"BitbucketOAuthenticator": {bases: []string{"OAuthenticator"}, oauth: true, traits: []string{"allowed_teams", "team_whitelist"}},
	"CILogonOAuthenticator": {bases: []string{"OAuthenticator"}, oauth: true, traits: []string{
		"additional_username_claims", "allowed_idps", "cilogon_host", "idp", "idp_whitelist", "idps",
		"shown_idps", "skin", "strip_idp_domain",
	}},
	"GlobusOAuthenticator": {bases: []string{"OAuthenticator"}, oauth: true, traits: []string{
		"admin_globus_groups", "allowed_globus_groups", "exclude_tokens", "globus_groups_url",
		"globus_local_endpoint", "identity_provider", "revocation_url", "revoke_tokens_on_logout",
		"username_from_email",
	}},
	"AzureAdOAuthenticator":   {bases: []string{"OAuthenticator"}, oauth: true, traits: []string{"graph_url", "tenant_id", "user_groups_claim"}},
	"OpenShiftOAuthenticator": {bases: []string{"OAuthenticator"}, oauth: true, traits: []string{"ca_certs", "openshift_auth_api_url", "openshift_rest_api_url", "openshift_url", "validate_cert"}},
	"Auth0OAuthenticator":     {bases: []string{"OAuthenticator"}, oauth: true, traits: []string{"allow_unverified_email", "auth0_domain", "auth0_subdomain", "username_key"}},
	"MWOAuthenticator":        {bases: []string{"OAuthenticator"}, oauth: true, traits: []string{"executor_threads", "mw_index_url"}},

	// Classes whose sections hub.config commonly carries; their traits
	// are not checked.
	"CryptKeeper":               {},
	"Spawner":                   {},
	"LocalProcessSpawner":       {bases: []string{"Spawner"}},
	"SimpleLocalProcessSpawner": {bases: []string{"LocalProcessSpawner"}},
	"KubeSpawner":               {bases: []string{"Spawner"}},
	"Proxy":                     {},
	"ConfigurableHTTPProxy":     {bases: []string{"Proxy"}},
	"PeriodicMetricsCollector":  {},
	"Application":               {},
	"LDAPAuthenticator":         {bases: []string{"Authenticator"}},
	"LTIAuthenticator":          {bases: []string{"Authenticator"}},
	"LTI11Authenticator":        {bases: []string{"Authenticator"}},
	"LTI13Authenticator":        {bases: []string{"Authenticator"}},
	"NativeAuthenticator":       {bases: []string{"Authenticator"}},
	"FirstUseAuthenticator":     {bases: []string{"Authenticator"}},
	"TmpAuthenticator":          {bases: []string{"Authenticator"}},
	"HMACAuthenticator":         {bases: []string{"Authenticator"}},
	"DockerSpawner":             {bases: []string{"Spawner"}},
	"ProfilesSpawner":           {bases: []string{"Spawner"}},
	"WrapSpawner":               {bases: []string{"Spawner"}},
	"KubeIngressProxy":          {bases: []string{"Proxy"}},
	"TraefikProxy":              {bases: []string{"Proxy"}},
}

func init() {
	// Every OAuthenticator has a Local variant that mixes in
	// LocalAuthenticator (system user creation).
	var providers []string
	for name, c := range classes {
		if c.oauth && name != "OAuthenticator" && name != "MWOAuthenticator" {
			providers = append(providers, name)
		}
	}
	for _, name := range providers {
		classes["Local"+name] = class{bases: []string{"LocalAuthenticator", name}, traits: []string{}, oauth: true}
	}
}

// knownClassNames lists the classes, sorted, for did-you-mean hints.
func knownClassNames() []string {
	var out []string
	for name := range classes {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// mro returns name and every class it inherits from that hubctl knows.
func mro(name string) []string {
	var out []string
	var visit func(string)
	visit = func(n string) {
		if slices.Contains(out, n) {
			return
		}
		out = append(out, n)
		for _, b := range classes[n].bases {
			visit(b)
		}
	}
	if _, ok := classes[name]; ok {
		visit(name)
	}
	return out
}

// inherits reports whether class name is base or derives from it.
func inherits(name, base string) bool { return slices.Contains(mro(name), base) }

// traitsChecked reports whether hubctl knows every trait of the class and
// its bases, so that a name outside them is certainly not a trait.
func traitsChecked(name string) bool {
	for _, n := range mro(name) {
		if classes[n].traits == nil {
			return false
		}
	}
	return len(mro(name)) > 0
}

// hasTrait reports whether the class (with its bases) has the trait.
func hasTrait(name, trait string) bool {
	for _, n := range mro(name) {
		if slices.Contains(classes[n].traits, trait) {
			return true
		}
	}
	return false
}

// allTraits lists the traits of the class and its bases.
func allTraits(name string) []string {
	var out []string
	for _, n := range mro(name) {
		out = append(out, classes[n].traits...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// authenticatorEntryPoints are the names authenticator_class takes besides
// a Python import path: JupyterHub 5.5's and OAuthenticator 17.4's
// jupyterhub.authenticators entry points (pyproject.toml).
var authenticatorEntryPoints = map[string]string{
	"default": "PAMAuthenticator", "pam": "PAMAuthenticator", "dummy": "DummyAuthenticator",
	"shared-password": "SharedPasswordAuthenticator", "null": "NullAuthenticator",
	"auth0": "Auth0OAuthenticator", "azuread": "AzureAdOAuthenticator", "bitbucket": "BitbucketOAuthenticator",
	"cilogon": "CILogonOAuthenticator", "generic-oauth": "GenericOAuthenticator", "github": "GitHubOAuthenticator",
	"gitlab": "GitLabOAuthenticator", "globus": "GlobusOAuthenticator", "google": "GoogleOAuthenticator",
	"mediawiki": "MWOAuthenticator", "openshift": "OpenShiftOAuthenticator",
}

func init() {
	for _, n := range []string{"auth0", "azuread", "bitbucket", "cilogon", "generic-oauth", "github", "gitlab", "globus", "google", "openshift"} {
		authenticatorEntryPoints["local-"+n] = "Local" + authenticatorEntryPoints[n]
	}
}

// entryPointOf is the short name for a class, the form the chart's docs
// use for authenticator_class.
func entryPointOf(className string) string {
	for ep, c := range authenticatorEntryPoints {
		if c == className && ep != "default" {
			return ep
		}
	}
	return ""
}

// authenticatorClassName resolves an authenticator_class value (an entry
// point name, or an import path such as oauthenticator.generic.GenericOAuthenticator)
// to the class name its hub.config section has.
func authenticatorClassName(value string) string {
	if c, ok := authenticatorEntryPoints[value]; ok {
		return c
	}
	if i := strings.LastIndex(value, "."); i >= 0 {
		return value[i+1:]
	}
	return value
}

// alias is a deprecated trait name that OAuthenticator or JupyterHub still
// reads and copies to its replacement (the _deprecated_oauth_aliases and
// _deprecated_aliases tables).
type alias struct {
	class, old, new, since string
	// fatal: the types differ, so setting the old name stops the hub
	// with a ValueError instead of a warning.
	fatal bool
	// prefix: the new trait is a path into auth_state, which the old
	// name's value becomes under this key.
	prefix string
}

var aliases = []alias{
	{class: "Authenticator", old: "whitelist", new: "allowed_users", since: "JupyterHub 1.2"},
	{class: "Authenticator", old: "blacklist", new: "blocked_users", since: "JupyterHub 1.2"},
	{class: "GenericOAuthenticator", old: "username_key", new: "username_claim", since: "OAuthenticator 16.0.0"},
	{class: "GenericOAuthenticator", old: "extra_params", new: "token_params", since: "OAuthenticator 16.0.0"},
	{class: "GenericOAuthenticator", old: "tls_verify", new: "validate_server_cert", since: "OAuthenticator 16.0.2"},
	{class: "GenericOAuthenticator", old: "claim_groups_key", new: "auth_state_groups_key", since: "OAuthenticator 17.0", prefix: "oauth_user."},
	{class: "Auth0OAuthenticator", old: "username_key", new: "username_claim", since: "OAuthenticator 16.0.0"},
	{class: "AzureAdOAuthenticator", old: "user_groups_claim", new: "auth_state_groups_key", since: "OAuthenticator 17.0", prefix: "user."},
	{class: "BitbucketOAuthenticator", old: "team_whitelist", new: "allowed_teams", since: "OAuthenticator 0.12.0"},
	{class: "GitHubOAuthenticator", old: "github_client_id", new: "client_id", since: "OAuthenticator 0.1.0"},
	{class: "GitHubOAuthenticator", old: "github_client_secret", new: "client_secret", since: "OAuthenticator 0.1.0"},
	{class: "GitHubOAuthenticator", old: "github_organization_whitelist", new: "allowed_organizations", since: "OAuthenticator 0.12.0"},
	{class: "GitLabOAuthenticator", old: "gitlab_group_whitelist", new: "allowed_gitlab_groups", since: "OAuthenticator 0.12.0"},
	{class: "GitLabOAuthenticator", old: "gitlab_project_id_whitelist", new: "allowed_project_ids", since: "OAuthenticator 0.12.0"},
	{class: "GoogleOAuthenticator", old: "google_group_whitelist", new: "allowed_google_groups", since: "OAuthenticator 0.12.0"},
	{class: "CILogonOAuthenticator", old: "allowed_idps", new: "idps", since: "OAuthenticator 17.4.0"},
	{class: "CILogonOAuthenticator", old: "idp_whitelist", new: "idps", since: "OAuthenticator 0.12.0", fatal: true},
	{class: "CILogonOAuthenticator", old: "idp", new: "idps", since: "OAuthenticator 15.0.0", fatal: true},
	{class: "CILogonOAuthenticator", old: "strip_idp_domain", new: "idps", since: "OAuthenticator 15.0.0", fatal: true},
	{class: "CILogonOAuthenticator", old: "shown_idps", new: "idps", since: "OAuthenticator 16.0.0", fatal: true},
	{class: "CILogonOAuthenticator", old: "additional_username_claims", new: "idps", since: "OAuthenticator 16.0.0", fatal: true},
	{class: "CILogonOAuthenticator", old: "username_claim", new: "idps", since: "OAuthenticator 16.0.0", fatal: true},
	{class: "OpenShiftOAuthenticator", old: "validate_cert", new: "validate_server_cert", since: "OAuthenticator 16.0.0"},
	{class: "OpenShiftOAuthenticator", old: "ca_certs", new: "http_request_kwargs", since: "OAuthenticator 16.0.0", fatal: true},
}

// aliasFor finds the deprecated name trait among the aliases of the
// classes in mroNames.
func aliasFor(mroNames []string, trait string) (alias, bool) {
	for _, a := range aliases {
		if a.old == trait && slices.Contains(mroNames, a.class) {
			return a, true
		}
	}
	return alias{}, false
}

// removedTraits were traits once and are gone: traitlets only warns
// "Config option not recognized", so the setting silently does nothing.
var removedTraits = map[string]string{
	"userdata_method": "userdata_method was removed in OAuthenticator 14.0; the userdata request is always a GET",
}

// groupTraits need manage_groups: OAuthenticator 17's observer on
// allowed_groups, admin_groups and auth_state_groups_key (oauth2.py
// _requires_manage_groups), and Generic's on claim_groups_key, raise
// "X requires manage_groups to also be set" and the hub does not start.
// Traitlets holds notifications while it loads a section, so where in the
// config manage_groups is set does not matter, only its value.
var groupTraits = []string{"allowed_groups", "admin_groups", "auth_state_groups_key", "claim_groups_key"}

// allowTraits are the settings that let someone log in (OAuthenticator
// 17.4 check_allowed and its provider overrides). admin_users is not
// among them: it admits admins only. Google's hosted_domain and Globus'
// identity_provider restrict and admit nobody by themselves.
var allowTraits = map[string][]string{
	"Authenticator":           {"allow_all", "allowed_users", "allow_existing_users"},
	"OAuthenticator":          {"allow_all", "allowed_users", "allow_existing_users", "allowed_scopes", "allowed_groups", "admin_groups"},
	"GitHubOAuthenticator":    {"allowed_organizations"},
	"GitLabOAuthenticator":    {"allowed_gitlab_groups", "allowed_project_ids"},
	"GoogleOAuthenticator":    {"allowed_google_groups", "admin_google_groups"},
	"BitbucketOAuthenticator": {"allowed_teams"},
	"GlobusOAuthenticator":    {"allowed_globus_groups", "admin_globus_groups"},
	// CILogon allows per identity provider, inside idps (allowed_idps
	// before 17.4): an entry's allow_all or allowed_domains.
	"CILogonOAuthenticator": {},
}
