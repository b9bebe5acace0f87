package importer

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hubctl/hubctl/pkg/hub"
	"github.com/hubctl/hubctl/pkg/jupyterhub"
	"github.com/hubctl/hubctl/pkg/lazyre"
	"github.com/hubctl/hubctl/pkg/render"
	"github.com/hubctl/hubctl/pkg/secret"
	"github.com/hubctl/hubctl/pkg/spec"
	"github.com/hubctl/hubctl/pkg/validate"
)

// chartServiceNames are names a spec refuses for a service: the keys the
// chart's values schema declares under hub.services, and its culler.
var chartServiceNames = []string{"admin", "apiToken", "api_token", "command", "name", "url", "jupyterhub-idle-culler"}

// serviceKeysLeft are service keys a spec has no place for, with why.
var serviceKeysLeft = map[string]string{
	"admin":                       "admin: true grants the whole admin role; a hubctl spec grants scopes instead (services.NAME.scopes)",
	"info":                        "info is not part of a hubctl spec",
	"command":                     "a hub-managed service's command is not part of a hubctl spec, which describes external services",
	"cwd":                         "a hub-managed service's cwd is not part of a hubctl spec",
	"environment":                 "a hub-managed service's environment is not part of a hubctl spec",
	"user":                        "a hub-managed service's user is not part of a hubctl spec",
	"oauth_roles":                 "oauth_roles (deprecated in JupyterHub 3.0) is not part of a hubctl spec",
	"oauth_client_allowed_scopes": "oauth_client_allowed_scopes is not part of a hubctl spec",
}

// services imports hub.services.
func (im *importer) services() {
	for _, s := range pairs(lookupOr(im.hubValues, "services")) {
		name := s.Key.Value
		at := []string{"hub", "services", name}
		if validate.ServiceNameProblem(name) != "" || slices.Contains(chartServiceNames, name) {
			im.left(s.Key, at, fmt.Sprintf("service %q has a name a hubctl spec refuses", name), "")
			continue
		}
		if n, ok := get(s.Value, "name"); ok {
			if v, _ := str(n.Value); v != name {
				im.left(s.Key, at, fmt.Sprintf("service %s is named %q inside: a hubctl spec names a service by its key only", name, v), "")
				continue
			}
		}
		im.service(s, at)
	}
}

func (im *importer) service(s pair, at []string) {
	name := s.Key.Value
	svc := spec.Service{Name: name}
	specPath := spec.Join("services", name)
	var clientID, redirect string
	var clientIDAt *yaml.Node
	oauthKeys := false
	var token *pair
	for _, kv := range pairs(s.Value) {
		key := kv.Key.Value
		p := append(slices.Clone(at), key)
		switch key {
		case "name":
		case "url":
			svc.URL, _ = str(kv.Value)
		case "oauth_client_id":
			clientID, _ = str(kv.Value)
			clientIDAt = kv.Key
			oauthKeys = true
		case "oauth_redirect_uri":
			redirect, _ = str(kv.Value)
			oauthKeys = true
		case "oauth_no_confirm":
			var ok bool
			if svc.NoConfirm, ok = boolean(kv.Value); !ok {
				im.left(kv.Key, p, "an oauth_no_confirm that is not true or false", "")
			}
			oauthKeys = true
		case "display":
			if v, ok := boolean(kv.Value); ok {
				svc.Display = &v
			} else {
				im.left(kv.Key, p, "a display that is not true or false", "")
			}
		case "timeout":
			if v, err := strconv.Atoi(kv.Value.Value); err == nil && kv.Value.Tag == "!!int" {
				svc.Timeout = &v
				if since, ok := jupyterhub.ServiceKeySince(key); ok {
					im.needVersion(since)
				}
			} else {
				im.left(kv.Key, p, "a timeout that is not a whole number", "")
			}
		case "api_token", "apiToken":
			// The chart prefers api_token when both are set.
			if token == nil || key == "api_token" {
				kv := kv
				token = &kv
			}
		default:
			why, ok := serviceKeysLeft[key]
			if !ok {
				why = fmt.Sprintf("service key %s is not part of a hubctl spec", key)
			}
			im.left(kv.Key, p, why, "")
		}
	}
	if token != nil {
		if v, ok := str(token.Value); ok && v != "" {
			svc.APIToken = im.storeLiteral(hub.ServiceTokenKey(name), v)
			im.comment(spec.Join(specPath, "apiToken"), "hubctl: the values held this token; hubctl stored it, and render secret puts it in this Secret")
		}
	}
	if svc.URL == "" && oauthKeys {
		t := true
		svc.OAuth = &t
	}
	switch {
	case svc.APIToken.IsSet():
	case im.existingSecret != "":
		// The chart reads a service's token from hub.existingSecret under
		// this key when it is there.
		svc.APIToken = secret.Ref{Kind: secret.K8s, K8s: secret.K8sRef{Name: im.existingSecret, Key: hub.ServiceTokenKey(name)}}
		im.comment(spec.Join(specPath, "apiToken"), fmt.Sprintf("hubctl: the chart reads this token from the Secret %s when it has this key, and generates one otherwise", im.existingSecret))
	case svc.OAuthEnabled():
		// The token is the service's OAuth client secret, which a spec
		// names; the chart generated it and keeps it in its own Secret.
		chartSecret, sure := im.chartSecretName()
		svc.APIToken = secret.Ref{Kind: secret.K8s, K8s: secret.K8sRef{Name: chartSecret, Key: hub.ServiceTokenKey(name)}}
		msg := fmt.Sprintf("the values set no token, so the chart generated one and keeps it in its Secret %s", chartSecret)
		if !sure {
			msg += ", named after the release here: check the name"
		}
		im.review(s.Key, at, spec.Join(specPath, "apiToken"), msg)
	}
	if svc.OAuthEnabled() {
		if clientID != "" && clientID != svc.ResolvedClientID() {
			if strings.HasPrefix(clientID, jupyterhub.ServiceClientIDPrefix) {
				svc.ClientID = clientID
			} else {
				svc.ClientID = jupyterhub.ServiceClientIDPrefix + clientID
				im.review(clientIDAt, append(slices.Clone(at), "oauth_client_id"), spec.Join(specPath, "clientId"),
					fmt.Sprintf("the values' client id %q does not start with service-, which JupyterHub refuses; give the service this one", clientID))
			}
		}
		if redirect != "" {
			abs := redirect
			if u, err := url.Parse(redirect); err == nil && !u.IsAbs() {
				abs = im.spec.Hub.Origin() + redirect
			}
			if abs != im.spec.Hub.ServiceRedirectURI(name) {
				svc.RedirectURI = abs
			}
		}
	}
	im.spec.Services = append(im.spec.Services, svc)
}

// chartSecretName is the Secret the chart keeps its generated values in
// (jupyterhub.hub.fullname), and whether the values alone determine it:
// with fullnameOverride null it depends on the release's name.
func (im *importer) chartSecretName() (string, bool) {
	p, ok := get(im.root, "fullnameOverride")
	switch {
	case !ok:
		return "hub", true
	case isNull(p.Value):
		return "RELEASE-jupyterhub-hub", false
	}
	if v, _ := str(p.Value); v != "" {
		return v + "-hub", true
	}
	return "hub", true
}

// hubctl's descriptions of the roles it derives for a service (pkg/hub).
func serviceRoleDescription(name string) string {
	return "API permissions of service " + name + " (hubctl)"
}
func accessRoleDescription(name string) string {
	return "Users who may use service " + name + " (hubctl)"
}

// role is a hub.loadRoles entry read.
type role struct {
	key                              pair
	spec                             spec.Role
	hasUsers, hasGroups, hasServices bool
}

// roles imports hub.loadRoles: the roles hubctl derives from services
// become the services' scopes and access again; the rest are spec roles.
func (im *importer) roles() {
	var rs []role
	for _, r := range pairs(lookupOr(im.hubValues, "loadRoles")) {
		at := []string{"hub", "loadRoles", r.Key.Value}
		rr, why := im.readRole(r)
		if why != "" {
			im.left(r.Key, at, why, "")
			continue
		}
		rs = append(rs, rr)
	}
	// The user role first: access: all takes precedence over a list.
	for i, r := range rs {
		if r.spec.Name != hub.UserRole {
			continue
		}
		rs = slices.Delete(rs, i, i+1)
		im.userRole(r)
		break
	}
	for _, r := range rs {
		if !im.derivedRole(r) {
			im.spec.Roles = append(im.spec.Roles, r.spec)
		}
	}
}

func (im *importer) readRole(r pair) (role, string) {
	name := r.Key.Value
	out := role{key: r, spec: spec.Role{Name: name}}
	if !isMap(r.Value) {
		return out, "a role that is not a mapping"
	}
	for _, kv := range pairs(r.Value) {
		var ok bool
		switch kv.Key.Value {
		case "name":
			var v string
			v, ok = str(kv.Value)
			if ok && v != name {
				return out, fmt.Sprintf("role %s is named %q inside: a hubctl spec names a role by its key only", name, v)
			}
		case "description":
			out.spec.Description, ok = str(kv.Value)
		case "scopes":
			out.spec.Scopes, ok = stringList(kv.Value)
		case "users":
			out.spec.Users, ok = stringList(kv.Value)
			out.hasUsers = true
		case "groups":
			out.spec.Groups, ok = stringList(kv.Value)
			out.hasGroups = true
		case "services":
			out.spec.Services, ok = stringList(kv.Value)
			out.hasServices = true
		default:
			return out, fmt.Sprintf("role key %s is not part of a hubctl spec", kv.Key.Value)
		}
		if !ok {
			return out, fmt.Sprintf("role %s has a %s that is not what JupyterHub reads", name, kv.Key.Value)
		}
	}
	switch {
	case name != hub.UserRole && slices.Contains(jupyterhub.BuiltinRoles, name):
		return out, fmt.Sprintf("a hubctl spec does not redefine JupyterHub's built-in role %s", name)
	case name == "jupyterhub-idle-culler":
		return out, "the chart's culler role is not part of a hubctl spec"
	case name != hub.UserRole && !jupyterhub.ValidRoleName(name):
		return out, fmt.Sprintf("role name %q is one JupyterHub refuses", name)
	}
	for _, svc := range out.spec.Services {
		if _, ok := im.spec.Services.Get(svc); !ok {
			return out, fmt.Sprintf("role %s names service %s, which is not imported", name, svc)
		}
	}
	for _, sc := range out.spec.Scopes {
		switch p := jupyterhub.CheckScope(sc, jupyterhub.Newest); {
		case p != nil:
			return out, fmt.Sprintf("role %s has scope %q, which hubctl cannot check: %s", name, sc, p.Message)
		default:
			if p := jupyterhub.CheckScope(sc, jupyterhub.Oldest); p != nil && p.Kind == "version" {
				im.needVersion(p.Since)
			}
		}
	}
	return out, ""
}

var accessScope = lazyre.New(`^access:services!service=(.+)$`)

// oauthService returns the imported service name when it uses OAuth.
func (im *importer) oauthService(name string) (int, bool) {
	i := slices.IndexFunc(im.spec.Services, func(s spec.Service) bool { return s.Name == name })
	return i, i >= 0 && im.spec.Services[i].OAuthEnabled()
}

// userRole turns the user role hubctl writes (self plus access to
// services) into access: all; any other user role stays in the values.
func (im *importer) userRole(r role) {
	at := []string{"hub", "loadRoles", hub.UserRole}
	var services []int
	ok := slices.Contains(r.spec.Scopes, "self") && !r.hasUsers && !r.hasGroups && !r.hasServices
	for _, sc := range r.spec.Scopes {
		if sc == "self" {
			continue
		}
		m := accessScope().FindStringSubmatch(sc)
		if m == nil {
			ok = false
			break
		}
		i, isOAuth := im.oauthService(m[1])
		if !isOAuth {
			ok = false
			break
		}
		services = append(services, i)
	}
	if !ok {
		im.left(r.key.Key, at, "the user role holds more than self and access to imported services; a hubctl spec redefines it only for services' access: all",
			"a spec service's access: all would redefine the role again; keep one definition")
		return
	}
	for _, i := range services {
		im.spec.Services[i].Access = &spec.Access{All: true}
	}
}

// derivedRole turns a role shaped like one hubctl derives back into the
// service's scopes or access; false when it is not one.
func (im *importer) derivedRole(r role) bool {
	name := r.spec.Name
	if i, ok := im.oauthOrAny(name); ok && r.hasServices && slices.Equal(r.spec.Services, []string{name}) &&
		!r.hasUsers && !r.hasGroups && len(r.spec.Scopes) > 0 && descriptionIs(r, serviceRoleDescription(name)) {
		im.spec.Services[i].Scopes = r.spec.Scopes
		return true
	}
	svcName, isAccess := strings.CutSuffix(name, "-users")
	if !isAccess {
		return false
	}
	i, isOAuth := im.oauthService(svcName)
	if !isOAuth || im.spec.Services[i].Access != nil || r.hasServices || len(r.spec.Users)+len(r.spec.Groups) == 0 ||
		!slices.Equal(r.spec.Scopes, []string{hub.AccessScope(svcName)}) || !descriptionIs(r, accessRoleDescription(svcName)) {
		return false
	}
	im.spec.Services[i].Access = &spec.Access{Users: r.spec.Users, Groups: r.spec.Groups}
	return true
}

func (im *importer) oauthOrAny(name string) (int, bool) {
	i := slices.IndexFunc(im.spec.Services, func(s spec.Service) bool { return s.Name == name })
	return i, i >= 0
}

// descriptionIs accepts hubctl's own description, or none (render then
// adds hubctl's).
func descriptionIs(r role, want string) bool {
	return r.spec.Description == "" || r.spec.Description == want
}

// serviceTokensKey is the hub.extraConfig entry hubctl's helm values use
// to hand services their tokens from environment variables.
const serviceTokensKey = "hubctl-service-tokens"

// extraConfig reports hub.extraConfig, whose code a spec cannot hold;
// hubctl's own entry for service tokens becomes the tokens' references.
func (im *importer) extraConfig() {
	for _, e := range pairs(lookupOr(im.hubValues, "extraConfig")) {
		at := []string{"hub", "extraConfig", e.Key.Value}
		if e.Key.Value == serviceTokensKey && im.serviceTokens(e) {
			continue
		}
		im.left(e.Key, at, "extraConfig is Python code, which a hubctl spec does not hold", "")
	}
}

var tokenEnvLine = lazyre.New(`(?m)^    ("(?:[^"\\]|\\.)*"): ("(?:[^"\\]|\\.)*"),$`)

// serviceTokens reads hubctl's service-token entry: each service's token
// from the Secret its variable maps. It must be exactly what render writes
// for those services, or it is somebody's code.
func (im *importer) serviceTokens(e pair) bool {
	code, ok := str(e.Value)
	if !ok {
		return false
	}
	cfg := &hub.Config{ExistingSecret: "\x00"}
	type mapped struct {
		service int
		env     envVar
	}
	var found []mapped
	for _, m := range tokenEnvLine().FindAllStringSubmatch(code, -1) {
		name, err1 := strconv.Unquote(m[1])
		envName, err2 := strconv.Unquote(m[2])
		i, isSvc := im.oauthOrAny(name)
		if err1 != nil || err2 != nil || !isSvc {
			return false
		}
		env, ok := im.envAt(envName)
		if !ok || env.ref == nil {
			return false
		}
		found = append(found, mapped{i, env})
		cfg.Services = append(cfg.Services, hub.Service{Name: name,
			APIToken: hub.Secret{Ref: secret.Ref{Kind: secret.K8s, K8s: *env.ref}, HubEnv: envName}})
	}
	if len(found) == 0 || renderedTokensConfig(cfg) != code {
		return false
	}
	for _, f := range found {
		im.envOf(f.env.name)
		svc := &im.spec.Services[f.service]
		svc.APIToken = secret.Ref{Kind: secret.K8s, K8s: *f.env.ref}
		delete(im.comments, spec.Join(spec.Join("services", svc.Name), "apiToken"))
	}
	return true
}

// envAt finds a variable without marking it read.
func (im *importer) envAt(name string) (envVar, bool) {
	for _, e := range im.env {
		if e.name == name {
			return e, true
		}
	}
	return envVar{}, false
}

// renderedTokensConfig is the entry render writes for cfg's services.
func renderedTokensConfig(cfg *hub.Config) string {
	out, err := render.HelmValues(cfg, render.Options{})
	if err != nil {
		return ""
	}
	var doc yaml.Node
	if yaml.Unmarshal(out, &doc) != nil {
		return ""
	}
	v, _ := str(lookupOr(resolve(&doc), "hub", "extraConfig", serviceTokensKey))
	return v
}
