package jupyterhub

// ValidRoleName reports whether JupyterHub accepts name as a role name,
// by its rule in roles.py, ^[a-z][a-z0-9\-_~\.]{1,253}[a-z0-9]$: 3-255
// characters, lowercase ASCII letters, digits and -_~. , starting with a
// letter and ending with a letter or digit. It is written out rather than
// compiled: the {1,253} makes a regexp program of 253 copies, which cost
// every start of hubctl most of a millisecond, and a spec's every service
// is checked against it.
func ValidRoleName(name string) bool {
	if len(name) < 3 || len(name) > 255 || name[0] < 'a' || name[0] > 'z' {
		return false
	}
	for i := 1; i < len(name)-1; i++ {
		if c := name[i]; !lowerOrDigit(c) && c != '-' && c != '_' && c != '~' && c != '.' {
			return false
		}
	}
	return lowerOrDigit(name[len(name)-1])
}

func lowerOrDigit(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// RoleNameRule states rolePattern in plain words, for error messages; it
// reads as a sentence after a colon.
const RoleNameRule = "a role name has 3 to 255 characters: lowercase letters, digits, '-', '_', '~' and '.', and starts with a letter and ends with a letter or digit"

// BuiltinRoles are defined by JupyterHub itself; redefining one merges with
// (or, for admin, is refused by) the default.
var BuiltinRoles = []string{"admin", "server", "token", "user"}

// MinTokenLength is orm.APIToken's min_length: shorter configured tokens
// stop the hub at start-up.
const MinTokenLength = 8

// ServiceClientIDPrefix is the prefix JupyterHub requires of a service's
// oauth_client_id.
const ServiceClientIDPrefix = "service-"

// serviceKeys are the Service traits tagged input=True, with the version
// that introduced each (services/service.py).
var serviceKeys = map[string]Version{
	"name": V3_0, "admin": V3_0, "url": V3_0, "api_token": V3_0, "info": V3_0,
	"display": V3_0, "oauth_no_confirm": V3_0, "command": V3_0, "cwd": V3_0,
	"environment": V3_0, "user": V3_0, "oauth_client_id": V3_0,
	"oauth_redirect_uri": V3_0, "oauth_roles": V3_0,
	"oauth_client_allowed_scopes": V3_0,
	"timeout":                     V6_0,
}

// ServiceKeySince returns the version that introduced a service key, and
// false when no version has it.
func ServiceKeySince(key string) (Version, bool) {
	v, ok := serviceKeys[key]
	return v, ok
}
