package hub

// ServiceRoleName names the role that carries a service's own API scopes.
// It is the service's name, as in the chart's and JupyterHub's examples.
func ServiceRoleName(service string) string { return service }

// AccessRoleName names the role that lets listed users and groups use a
// service through the hub's OAuth.
func AccessRoleName(service string) string { return service + "-users" }

// UserRole is JupyterHub's default role for every user; hubctl extends it
// for services whose access is "all".
const UserRole = "user"
