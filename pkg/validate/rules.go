package validate

// Rule describes one kind of finding a spec check can produce.
type Rule struct {
	ID      string
	Summary string
}

// Rules is every finding ID that loading and validating a spec can report,
// so that tooling (and the README) can list them, and tests can prove each
// one fires.
var Rules = []Rule{
	{"yaml-syntax", "the file is not valid YAML"},
	{"empty-file", "the file is empty"},
	{"multiple-documents", "the file holds more than one YAML document"},
	{"unknown-key", "a key hubctl does not know (with a did-you-mean)"},
	{"wrong-type", "a value of the wrong type"},
	{"ambiguous-secret", "a secret reference with more than one of env, file, k8sSecret"},
	{"missing-key", "a required key is absent"},
	{"unsupported-version", "a spec format version other than 1"},
	{"jupyterhub-version", "hub.jupyterhub unreadable, too old, or newer than hubctl knows"},
	{"bad-url", "a URL that is malformed, relative, not http(s), or carries a fragment or credentials"},
	{"insecure-url", "http off loopback: an error for browser-facing URLs, a warning for back-channel ones"},
	{"api-url-path", "hub.apiUrl does not end in /hub/api"},
	{"bad-secret-name", "not a valid Kubernetes Secret name"},
	{"bad-secret-key", "not a valid Kubernetes Secret key"},
	{"bad-env-name", "not an environment variable name"},
	{"literal-secret", "a secret written literally in the spec"},
	{"unknown-provider", "login.provider is not nbgallery, oidc or oauth2"},
	{"redirect-uri-mismatch", "a callback the hub (or its proxy) does not serve"},
	{"provider-refuses-http", "NBGallery refuses http redirect URIs, loopback included"},
	{"unknown-provider-scope", "a scope the provider does not accept"},
	{"missing-provider-scope", "a scope the provider needs for userinfo is not requested"},
	{"missing-openid-scope", "an OIDC login that does not request openid"},
	{"unknown-username-claim", "a username claim the provider's userinfo does not have"},
	{"no-allow", "a login with no allow setting admits nobody"},
	{"redundant-allow", "allow.all with users or groups"},
	{"unused-key", "a key that has no effect where it is"},
	{"tls-verify-off", "certificate checks on the provider switched off"},
	{"bad-service-name", "a service name JupyterHub or Kubernetes cannot take"},
	{"reserved-service-name", "a service name the chart's schema or the chart itself takes"},
	{"service-url-path", "a service URL with a path the proxy ignores"},
	{"client-id-prefix", "a service client id not starting with service-"},
	{"redirect-uri-off-hub", "a service redirect URI on another host than the hub"},
	{"no-access", "an OAuth service nobody but admins may use"},
	{"empty-access", "access lists neither users nor groups"},
	{"key-needs-version", "a key the target JupyterHub version lacks"},
	{"bad-timeout", "a timeout that is not positive"},
	{"token-too-short", "a token under JupyterHub's 8 characters"},
	{"shared-token", "two services with the same token"},
	{"unknown-scope", "a scope that does not exist (with a did-you-mean)"},
	{"scope-needs-version", "a scope the target JupyterHub version lacks"},
	{"bad-scope-filter", "a scope filter JupyterHub refuses"},
	{"custom-scope", "a custom: scope, which needs custom_scopes"},
	{"service-self-scope", "self, which gives a service nothing"},
	{"bad-role-name", "a role name outside JupyterHub's pattern"},
	{"role-name-taken", "a role name JupyterHub, the chart or hubctl already uses"},
	{"role-without-scopes", "a role with no scopes"},
	{"undefined-service", "a role naming a service the spec does not define"},
}
