// Package spec is hubctl.yaml: the declarative description of a hub, its
// OAuth login and its services, loaded with every key's position so that
// each problem can be reported where it is.
package spec

import "github.com/hubctl/hubctl/pkg/secret"

// Spec is a whole hubctl.yaml. Fields are only what the user wrote; defaults
// are applied where the configuration is built, so that validation can tell
// "absent" from "given".
type Spec struct {
	Version  int      `yaml:"version"`
	Hub      Hub      `yaml:"hub"`
	Login    *Login   `yaml:"login"`
	Services Services `yaml:"services"`
	Roles    Roles    `yaml:"roles"`
}

// Hub is the JupyterHub being configured.
type Hub struct {
	// URL is the public URL: an origin plus an optional base path.
	URL string `yaml:"url"`
	// APIURL is where services reach the hub's REST API.
	APIURL string `yaml:"apiUrl"`
	// JupyterHub is the target version, which gates keys and scopes.
	JupyterHub string `yaml:"jupyterhub"`
	// ExistingSecret names the Kubernetes Secret that carries hubctl's
	// secrets to the chart (hub.existingSecret).
	ExistingSecret string `yaml:"existingSecret"`
}

// Provider names the kinds of login provider hubctl knows.
const (
	ProviderNBGallery = "nbgallery"
	ProviderOIDC      = "oidc"
	ProviderOAuth2    = "oauth2"
)

// Providers lists the accepted values of login.provider.
var Providers = []string{ProviderNBGallery, ProviderOIDC, ProviderOAuth2}

// Login is the hub's own login through GenericOAuthenticator.
type Login struct {
	Provider      string     `yaml:"provider"`
	URL           string     `yaml:"url"`
	AuthorizeURL  string     `yaml:"authorizeUrl"`
	TokenURL      string     `yaml:"tokenUrl"`
	UserdataURL   string     `yaml:"userdataUrl"`
	CallbackURL   string     `yaml:"callbackUrl"`
	LoginService  string     `yaml:"loginService"`
	UsernameClaim string     `yaml:"usernameClaim"`
	Scopes        []string   `yaml:"scopes"`
	ClientID      string     `yaml:"clientId"`
	ClientSecret  secret.Ref `yaml:"clientSecret"`
	CAFile        string     `yaml:"caFile"`
	VerifyTLS     *bool      `yaml:"verifyTLS"`
	Allow         *Allow     `yaml:"allow"`
	Admins        *Admins    `yaml:"admins"`
}

// Admins are the users the hub makes admins: by name, or by membership of
// a group the provider reports. The spec writes a plain list for users
// alone.
type Admins struct {
	Users  []string `yaml:"users"`
	Groups []string `yaml:"groups"`
}

// UsesGroups reports whether the login reads the provider's groups, for
// allow.groups or admins.groups; groupsClaim matters only then.
func (l *Login) UsesGroups() bool {
	return (l.Allow != nil && len(l.Allow.Groups) > 0) || (l.Admins != nil && len(l.Admins.Groups) > 0)
}

// ResolvedGroupsClaim is allow.groupsClaim, or "groups" when unset.
func (l *Login) ResolvedGroupsClaim() string {
	if l.Allow != nil && l.Allow.GroupsClaim != "" {
		return l.Allow.GroupsClaim
	}
	return "groups"
}

// Allow says who may log in. OAuthenticator 16 and later lets nobody in
// without one of these.
type Allow struct {
	All           bool     `yaml:"all"`
	Users         []string `yaml:"users"`
	Groups        []string `yaml:"groups"`
	GroupsClaim   string   `yaml:"groupsClaim"`
	ExistingUsers bool     `yaml:"existingUsers"`
}

// Service is an external service registered with the hub.
type Service struct {
	// Name is the key under services.
	Name        string     `yaml:"-"`
	URL         string     `yaml:"url"`
	OAuth       *bool      `yaml:"oauth"`
	ClientID    string     `yaml:"clientId"`
	RedirectURI string     `yaml:"redirectUri"`
	NoConfirm   bool       `yaml:"noConfirm"`
	Display     *bool      `yaml:"display"`
	Timeout     *int       `yaml:"timeout"`
	Scopes      []string   `yaml:"scopes"`
	Access      *Access    `yaml:"access"`
	APIToken    secret.Ref `yaml:"apiToken"`
}

// OAuthEnabled applies the default: a service with a URL uses OAuth.
func (s Service) OAuthEnabled() bool {
	if s.OAuth != nil {
		return *s.OAuth
	}
	return s.URL != ""
}

// Access says which users may use a service through the hub's OAuth: the
// word "all", or lists of users and groups.
type Access struct {
	All    bool     `yaml:"-"`
	Users  []string `yaml:"users"`
	Groups []string `yaml:"groups"`
}

// Role is an extra JupyterHub role, beyond those hubctl derives from
// services.
type Role struct {
	Name        string   `yaml:"-"`
	Description string   `yaml:"description"`
	Scopes      []string `yaml:"scopes"`
	Users       []string `yaml:"users"`
	Groups      []string `yaml:"groups"`
	Services    []string `yaml:"services"`
}

// Services keeps the order the file gives, so renderings follow it.
type Services []Service

// Get returns the service called name.
func (ss Services) Get(name string) (Service, bool) {
	for _, s := range ss {
		if s.Name == name {
			return s, true
		}
	}
	return Service{}, false
}

// Names lists the service names in file order.
func (ss Services) Names() []string {
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = s.Name
	}
	return names
}

// Roles keeps the order the file gives.
type Roles []Role
