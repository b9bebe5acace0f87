package lint

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/jupyterhub"
	"github.com/hubctl/hubctl/pkg/valuesdoc"
)

// chartSchemaServiceKeys are the properties the chart's values schema
// declares at the level of the hub.services map itself (chart PR #2327's
// leftover), so a service with one of these names fails helm's schema
// check; pkg/validate refuses the same names in a spec.
var chartSchemaServiceKeys = []string{"admin", "apiToken", "api_token", "command", "name", "url"}

// chartServiceKeys are service keys the chart reads itself before it
// hands the service to JupyterHub: apiToken becomes api_token.
var chartServiceKeys = []string{"apiToken"}

// serviceKeyNames lists every key JupyterHub's newest line knows, for
// did-you-mean hints.
var serviceKeyNames = []string{
	"name", "admin", "url", "api_token", "info", "display", "oauth_no_confirm", "command", "cwd",
	"environment", "user", "oauth_client_id", "oauth_redirect_uri", "oauth_roles",
	"oauth_client_allowed_scopes", "timeout",
}

func (l *linter) services() {
	svcs, ok := lookup(l.root, "hub", "services")
	if !ok || !isMap(svcs.Value) {
		return
	}
	for _, s := range pairs(svcs.Value) {
		l.service(s, path("hub", "services", s.Key.Value))
	}
}

func (l *linter) service(s pair, at valuesdoc.Path) {
	name := s.Key.Value
	if slices.Contains(chartSchemaServiceKeys, name) {
		l.add(finding.Error, "reserved-service-name", s.Key, at,
			fmt.Sprintf("the chart's values schema declares hub.services.%s itself, so a service with that name fails `helm install`", name),
			"pick another name")
	}
	if !isMap(s.Value) {
		return
	}
	if n, ok := get(s.Value, "name"); ok && isScalar(n.Value) && n.Value.Value != "" {
		name = n.Value.Value
	}
	for _, kv := range pairs(s.Value) {
		l.serviceKey(s, kv, with(at, kv.Key.Value))
	}
	keys := map[string]pair{}
	for _, kv := range pairs(s.Value) {
		keys[kv.Key.Value] = kv
	}
	if id, ok := keys["oauth_client_id"]; ok && isScalar(id.Value) && !strings.HasPrefix(id.Value.Value, jupyterhub.ServiceClientIDPrefix) {
		pr := l.add(finding.Error, "client-id-prefix", id.Key, with(at, "oauth_client_id"),
			fmt.Sprintf("client id %q must start with %q: JupyterHub stops with \"Service oauth client ids must start with 'service-'\"", id.Value.Value, jupyterhub.ServiceClientIDPrefix),
			fmt.Sprintf("use %q, or drop oauth_client_id for the default %q, and give the service the same id", jupyterhub.ServiceClientIDPrefix+id.Value.Value, "service-"+name))
		pr.note("hubctl: client ids must start with service-; change it here and in the service")
	}
	_, hasURL := keys["url"]
	_, hasRedirect := keys["oauth_redirect_uri"]
	if !hasURL && !hasRedirect && l.version.AtLeast(jupyterhub.V5_0) {
		for _, k := range []string{"oauth_client_id", "oauth_no_confirm"} {
			if kv, ok := keys[k]; ok {
				pr := l.add(finding.Error, "missing-redirect-uri", s.Key, at,
					fmt.Sprintf("%s turns OAuth on for %s, which has neither url nor oauth_redirect_uri: JupyterHub stops with \"has oauth configured, but is missing required oauth_redirect_uri\"", kv.Key.Value, name),
					fmt.Sprintf("set oauth_redirect_uri to the service's callback (https://HUB/services/%s/oauth_callback when the hub proxies it), or drop %s", name, kv.Key.Value))
				pr.note("hubctl: set oauth_redirect_uri for this OAuth service")
				break
			}
		}
	}
	for _, k := range []string{"api_token", "apiToken"} {
		kv, ok := keys[k]
		if !ok {
			continue
		}
		tok, ok := literalString(kv.Value)
		if !ok {
			continue
		}
		p := with(at, k)
		if len(tok) < jupyterhub.MinTokenLength {
			l.add(finding.Error, "token-too-short", kv.Key, p,
				fmt.Sprintf("the token has %d characters; JupyterHub refuses tokens under %d and stops at start-up", len(tok), jupyterhub.MinTokenLength),
				"generate one: openssl rand -hex 32")
		}
		pr := l.add(finding.Warning, "literal-secret", kv.Key, p,
			fmt.Sprintf("%s is written literally in the values file", l.display(p)),
			fmt.Sprintf("drop it to let the chart generate one, or keep it in the Secret named by hub.existingSecret under key hub.services.%s.apiToken", s.Key.Value))
		pr.note("hubctl: this token is written in the file; move it to hub.existingSecret")
	}
}

func (l *linter) serviceKey(s, kv pair, p valuesdoc.Path) {
	key := kv.Key.Value
	if slices.Contains(chartServiceKeys, key) {
		return
	}
	since, known := jupyterhub.ServiceKeySince(key)
	if known && l.version.AtLeast(since) {
		return
	}
	if known {
		l.add(finding.Error, "key-needs-version", kv.Key, p,
			fmt.Sprintf("services take %s from JupyterHub %s; on %s the hub stops with \"No such service field: %s\"", key, since, l.version, key),
			fmt.Sprintf("drop %s, or deploy JupyterHub %s or newer", key, since))
		return
	}
	msg := fmt.Sprintf("JupyterHub has no service field %s and stops with \"No such service field: %s\"", key, key)
	snake := snakeCase(key)
	if _, ok := jupyterhub.ServiceKeySince(snake); ok && snake != key {
		pr := l.add(finding.Error, "bad-service-key", kv.Key, p, msg+fmt.Sprintf("; did you mean %s?", snake), "rename it "+snake)
		_, taken := get(s.Value, snake)
		pr.fix(!taken && l.owns(kv.Key, p), "hubctl: rename this "+snake, valuesdoc.Edit{Kind: valuesdoc.RenameKey, Path: p, NewKey: snake})
		return
	}
	if c := jupyterhub.Closest(key, serviceKeyNames); c != "" {
		msg += fmt.Sprintf("; did you mean %s?", c)
	}
	pr := l.add(finding.Error, "bad-service-key", kv.Key, p, msg, "delete it, or use one of "+strings.Join(serviceKeyNames, ", "))
	pr.note("hubctl: JupyterHub has no service field " + key)
}

// snakeCase turns oauthClientId into oauth_client_id.
func snakeCase(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// serviceNames are the services these values define: hub.services keys
// (or their name), plus the culler the chart adds unless cull.enabled is
// false.
func (l *linter) serviceNames() []string {
	var out []string
	if svcs, ok := lookup(l.root, "hub", "services"); ok {
		for _, s := range pairs(svcs.Value) {
			name := s.Key.Value
			if n, ok := get(s.Value, "name"); ok && isScalar(n.Value) && n.Value.Value != "" {
				name = n.Value.Value
			}
			out = append(out, name)
		}
	}
	if c, ok := lookup(l.root, "cull", "enabled"); !ok || !isFalse(c.Value) {
		out = append(out, "jupyterhub-idle-culler")
	}
	return out
}
