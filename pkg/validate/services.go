package validate

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/hub"
	"github.com/hubctl/hubctl/pkg/jupyterhub"
	"github.com/hubctl/hubctl/pkg/secret"
	"github.com/hubctl/hubctl/pkg/spec"
)

// validServiceName allows what a URL path segment, a Kubernetes Secret key
// (hub.services.NAME.apiToken) and a chart values key all take unquoted.
// JupyterHub itself checks nothing, but hubctl names roles after services
// and role names are lowercase, so uppercase is refused here, at the name,
// rather than later at a derived role. The JSON Schema's services
// propertyNames carries the same pattern, ^[a-z0-9][-._a-z0-9]*$, which
// is written out here because every service's name is checked twice.
func validServiceName(name string) bool {
	if name == "" || !lowerOrDigit(name[0]) {
		return false
	}
	for i := 1; i < len(name); i++ {
		if c := name[i]; !lowerOrDigit(c) && c != '-' && c != '.' && c != '_' {
			return false
		}
	}
	return true
}

func lowerOrDigit(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// chartSchemaKeys are the properties the chart's values schema declares at
// the level of the hub.services map itself (a leftover of chart PR #2327),
// so a service with one of these names fails helm's schema check.
var chartSchemaKeys = []string{"admin", "apiToken", "api_token", "command", "name", "url"}

// chartCullerName is the service and role the chart adds when cull.enabled.
const chartCullerName = "jupyterhub-idle-culler"

func (c *checker) services() {
	tokens := map[string]string{} // token identity -> first service path
	if c.s.Login != nil {
		if id := tokenIdentity(c.s.Login.ClientSecret); id != "" {
			tokens[id] = "login.clientSecret"
		}
	}
	names := derivedNames{}
	for _, svc := range c.s.Services {
		path := spec.Join("services", svc.Name)
		nameOK := c.serviceName(svc, path)
		c.service(svc, path, nameOK)
		if nameOK {
			c.derivedNameCollisions(svc, path, names)
		}
		id := tokenIdentity(svc.APIToken)
		first, dup := tokens[id]
		switch {
		case id == "":
		case dup && first == "login.clientSecret":
			c.report(finding.Error, "shared-token", path+".apiToken",
				"this token is the same reference as login.clientSecret: the hub's OAuth client secret at the provider would also be an API token for this service",
				"give the service its own token")
		case dup:
			c.report(finding.Error, "shared-token", path+".apiToken",
				fmt.Sprintf("this token is also %s's: JupyterHub keeps a shared token with the first service only", first),
				"give every service its own token")
		default:
			tokens[id] = path
		}
	}
}

// derivedNames maps each name hubctl derives from a service (its token's
// variable and Secret key, its roles) to the service it came from.
type derivedNames map[string]string

// derivedNameCollisions reports a service whose derived names another
// service already has: nb-viewer and nb_viewer both read
// HUBCTL_NB_VIEWER_API_TOKEN, so one would get the other's token, and
// service a's access role a-users is service a-users's own role.
func (c *checker) derivedNameCollisions(svc spec.Service, path string, seen derivedNames) {
	type derived struct{ kind, name string }
	own := []derived{
		{"token variable", hub.ServiceTokenEnv(svc.Name)},
		{"Secret key", hub.ServiceTokenKey(svc.Name)},
	}
	if len(svc.Scopes) > 0 {
		own = append(own, derived{"role", hub.ServiceRoleName(svc.Name)})
	}
	if svc.OAuthEnabled() && svc.Access != nil && !svc.Access.All {
		own = append(own, derived{"role", hub.AccessRoleName(svc.Name)})
	}
	for _, d := range own {
		key := d.kind + " " + d.name
		if other, taken := seen[key]; taken {
			c.reportKey(finding.Error, "name-collision", path,
				fmt.Sprintf("services %s and %s both derive the %s %s, so they would share it", other, svc.Name, d.kind, d.name),
				"rename one of the services")
			continue
		}
		seen[key] = svc.Name
	}
}

func tokenIdentity(r secret.Ref) string {
	switch r.Kind {
	case secret.Env:
		return "env:" + r.Env
	case secret.File:
		return "file:" + r.File
	case secret.K8s:
		return "k8s:" + r.K8s.Name + "/" + r.K8s.Key
	case secret.Literal:
		return "literal:" + r.Literal
	}
	return ""
}

// ServiceNameRule says what a service name may be, in words.
const ServiceNameRule = "a service name has lowercase letters, digits, '-', '_' and '.', and starts with a letter or digit"

// ServiceNameProblem says what is wrong with a service name's form, or ""
// when hubctl can use it; init checks its --service flags with it too.
func ServiceNameProblem(name string) string {
	lower := strings.ToLower(name)
	switch {
	case strings.Contains(name, "/"):
		return fmt.Sprintf("service name %q contains '/': JupyterHub routes /services/NAME/ with NAME a single path segment", name)
	case validServiceName(lower) && lower != name:
		return fmt.Sprintf("service name %q has uppercase letters: %s; did you mean %q?", name, ServiceNameRule, lower)
	case !validServiceName(name):
		return fmt.Sprintf("invalid service name %q: %s", name, ServiceNameRule)
	}
	return ""
}

// serviceName reports a name hubctl cannot use, and whether the name is
// usable (checks of names derived from it are pointless otherwise).
func (c *checker) serviceName(svc spec.Service, path string) bool {
	name := svc.Name
	problem := ServiceNameProblem(name)
	switch {
	case strings.Contains(name, "/"):
		c.reportKey(finding.Error, "bad-service-name", path, problem, "")
	case slices.Contains(chartSchemaKeys, name):
		c.reportKey(finding.Error, "reserved-service-name", path,
			fmt.Sprintf("the chart's values schema declares hub.services.%s itself, so a service with that name fails `helm install`", name), "pick another name")
	case name == chartCullerName:
		c.reportKey(finding.Error, "reserved-service-name", path, "the chart defines the jupyterhub-idle-culler service and role itself when cull.enabled", "pick another name")
	case problem != "" && strings.ToLower(name) != name:
		c.reportKey(finding.Error, "bad-service-name", path, problem,
			"hubctl names the service's roles after it, and JupyterHub role names are lowercase")
	case problem != "":
		c.reportKey(finding.Error, "bad-service-name", path, problem,
			"the name becomes a URL path segment, a Kubernetes Secret key and a role name")
	default:
		return true
	}
	return false
}

// service checks one service; nameOK says whether its name passed, since
// roles derived from a bad name need no second finding.
func (c *checker) service(svc spec.Service, path string, nameOK bool) {
	oauth := svc.OAuthEnabled()
	if svc.URL != "" {
		if u := c.checkURL(path+".url", svc.URL, internal); u != nil && strings.Trim(u.Path, "/") != "" {
			c.report(finding.Warning, "service-url-path", path+".url",
				fmt.Sprintf("the hub's proxy sends %s to the service's host and port only; the path %q is ignored", c.s.Hub.ServicePrefix(svc.Name), u.Path),
				"the service must serve under its prefix; set the URL to its origin")
		}
	}
	if oauth {
		c.serviceOAuth(svc, path, nameOK)
	} else {
		for _, key := range []string{"clientId", "redirectUri", "noConfirm", "access"} {
			if c.doc.Has(path + "." + key) {
				c.reportKey(finding.Warning, "unused-key", path+"."+key, fmt.Sprintf("%s has no effect: OAuth is off for this service", key), "set oauth: true, or give the service a url")
			}
		}
	}
	if svc.Timeout != nil {
		if since, _ := jupyterhub.ServiceKeySince("timeout"); !c.version.AtLeast(since) {
			c.reportKey(finding.Error, "key-needs-version", path+".timeout",
				fmt.Sprintf("services take timeout from JupyterHub %s; on %s the hub stops with \"No such service field: timeout\"", since, c.version),
				fmt.Sprintf("drop timeout, or set hub.jupyterhub to %s or newer", since))
		} else if *svc.Timeout <= 0 {
			c.report(finding.Error, "bad-timeout", path+".timeout", "timeout must be a positive number of seconds", "")
		}
	}
	c.checkSecretRef(path+".apiToken", svc.APIToken)
	if svc.APIToken.Kind == secret.Literal && len(svc.APIToken.Literal) < jupyterhub.MinTokenLength {
		c.report(finding.Error, "token-too-short", path+".apiToken",
			fmt.Sprintf("the token has %d characters; JupyterHub refuses tokens under %d and stops at start-up", len(svc.APIToken.Literal), jupyterhub.MinTokenLength),
			"generate one: openssl rand -hex 32")
	}
	c.checkScopes(path+".scopes", svc.Scopes, true)
	if len(svc.Scopes) > 0 && nameOK {
		c.derivedRole(path, hub.ServiceRoleName(svc.Name), "its scopes")
	}
}

func (c *checker) serviceOAuth(svc spec.Service, path string, nameOK bool) {
	if !svc.APIToken.IsSet() {
		c.missing(path+".apiToken", "apiToken is required for a service using OAuth: it is the service's OAuth client secret",
			"for example `apiToken: {env: "+spec.TokenEnvName(svc.Name)+"}`")
	}
	if svc.ClientID != "" && !strings.HasPrefix(svc.ClientID, jupyterhub.ServiceClientIDPrefix) {
		c.report(finding.Error, "client-id-prefix", path+".clientId",
			fmt.Sprintf("client id %q must start with %q: JupyterHub refuses other service client ids", svc.ClientID, jupyterhub.ServiceClientIDPrefix),
			fmt.Sprintf("use %q, or drop clientId for the default %q", jupyterhub.ServiceClientIDPrefix+svc.ClientID, "service-"+svc.Name))
	}
	if svc.RedirectURI != "" {
		c.serviceRedirect(svc, path+".redirectUri")
	}
	switch a := svc.Access; {
	case a == nil:
		// At path.access, where the fix goes, so that an access that failed
		// to decode is not also "not set"; the position is still the
		// service's key.
		c.reportKey(finding.Warning, "no-access", path+".access",
			fmt.Sprintf("no access is set, so only admins may use %s through the hub's OAuth; others get a 403", svc.Name),
			"set `access: all`, or `access: {users: [...]}` / `access: {groups: [...]}`")
	case !a.All && len(a.Users) == 0 && len(a.Groups) == 0:
		c.report(finding.Error, "empty-access", path+".access", "access lists no users and no groups", "use `access: all`, or list users or groups")
	case !a.All && nameOK:
		c.derivedRole(path, hub.AccessRoleName(svc.Name), "who may use it")
	}
}

func (c *checker) serviceRedirect(svc spec.Service, path string) {
	u := c.checkURL(path, svc.RedirectURI, browserFacing)
	hubURL, err := url.Parse(c.s.Hub.URL)
	if u == nil || err != nil || hubURL.Host == "" {
		return
	}
	want := c.s.Hub.ServiceRedirectURI(svc.Name)
	switch {
	case sameOrigin(u, hubURL) && svc.RedirectURI != want:
		c.report(finding.Error, "redirect-uri-mismatch", path,
			fmt.Sprintf("on the hub's host the proxy reaches %s only under %s, so its callback is %s", svc.Name, c.s.Hub.ServicePrefix(svc.Name), want),
			"drop redirectUri to use the derived one; JupyterHub compares redirect URIs byte for byte")
	case !sameOrigin(u, hubURL):
		c.report(finding.Warning, "redirect-uri-off-hub", path,
			fmt.Sprintf("the redirect URI is not on the hub's host, so the service must serve %s itself", u.Path),
			"set JUPYTERHUB_OAUTH_CALLBACK_URL in the service to exactly this value")
	}
}

// derivedRole checks a role hubctl will create for a service.
func (c *checker) derivedRole(path, role, purpose string) {
	switch {
	case slices.Contains(jupyterhub.BuiltinRoles, role):
		c.reportKey(finding.Error, "role-name-taken", path,
			fmt.Sprintf("hubctl names the role for %s %q, which is JupyterHub's built-in role", purpose, role), "rename the service")
	case !jupyterhub.ValidRoleName(role):
		c.reportKey(finding.Error, "bad-role-name", path,
			fmt.Sprintf("hubctl names the role for %s %q, which JupyterHub refuses (%s)", purpose, role, jupyterhub.RoleNameRule), "rename the service")
	}
}
