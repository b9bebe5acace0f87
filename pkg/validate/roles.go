package validate

import (
	"fmt"
	"slices"

	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/hub"
	"github.com/hubctl/hubctl/pkg/jupyterhub"
	"github.com/hubctl/hubctl/pkg/spec"
)

func (c *checker) roles() {
	derived := map[string]string{}
	for _, svc := range c.s.Services {
		if len(svc.Scopes) > 0 {
			derived[hub.ServiceRoleName(svc.Name)] = svc.Name
		}
		if svc.OAuthEnabled() && svc.Access != nil && !svc.Access.All {
			derived[hub.AccessRoleName(svc.Name)] = svc.Name
		}
	}
	services := c.s.Services.Names()
	// A set, not the list: every role's every member is looked up, and a
	// spec with thousands of services has hundreds of roles.
	defined := make(map[string]bool, len(services))
	for _, name := range services {
		defined[name] = true
	}
	for _, r := range c.s.Roles {
		path := spec.Join("roles", r.Name)
		switch {
		case slices.Contains(jupyterhub.BuiltinRoles, r.Name):
			c.reportKey(finding.Error, "role-name-taken", path,
				fmt.Sprintf("%q is a JupyterHub built-in role; hubctl manages the user role through services' access", r.Name), "pick another name")
		case !jupyterhub.ValidRoleName(r.Name):
			c.reportKey(finding.Error, "bad-role-name", path, fmt.Sprintf("invalid role name %q: %s", r.Name, jupyterhub.RoleNameRule), "")
		case r.Name == chartCullerName:
			c.reportKey(finding.Error, "role-name-taken", path, "the chart defines the jupyterhub-idle-culler role itself when cull.enabled", "pick another name")
		case derived[r.Name] != "":
			c.reportKey(finding.Error, "role-name-taken", path,
				fmt.Sprintf("hubctl already creates role %q for service %s", r.Name, derived[r.Name]), "pick another name")
		}
		if len(r.Scopes) == 0 {
			c.reportKey(finding.Warning, "role-without-scopes", path, fmt.Sprintf("role %s has no scopes", r.Name), "")
		}
		c.checkScopes(path+".scopes", r.Scopes, false)
		for i, name := range r.Services {
			if defined[name] {
				continue
			}
			msg := fmt.Sprintf("service %q is not defined in services; JupyterHub stops with \"Found undefined service\"", name)
			if s := jupyterhub.Closest(name, services); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			c.report(finding.Error, "undefined-service", spec.Index(path+".services", i), msg, "")
		}
	}
}
