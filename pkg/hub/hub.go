// Package hub computes the JupyterHub configuration a validated spec stands
// for: the authenticator and its traits, the services, the roles, and every
// secret with where it must come from. Both renderers write this one model,
// so the helm values and the jupyterhub_config.py of a spec cannot drift
// apart in meaning.
package hub

import (
	"github.com/hubctl/hubctl/pkg/jupyterhub"
	"github.com/hubctl/hubctl/pkg/provider"
	"github.com/hubctl/hubctl/pkg/secret"
	"github.com/hubctl/hubctl/pkg/spec"
)

// Config is the hub configuration, target-neutral.
type Config struct {
	Version jupyterhub.Version
	// BaseURL is JupyterHub's base_url; "/" needs no setting.
	BaseURL       string
	Authenticator *Authenticator
	Services      []Service
	Roles         []Role
	// ExistingSecret names the Kubernetes Secret for the helm target.
	ExistingSecret string
}

// AuthenticatorClass is OAuthenticator's entry point for GenericOAuthenticator.
const AuthenticatorClass = "generic-oauth"

// AuthenticatorSection is the traitlets section of its traits.
const AuthenticatorSection = "GenericOAuthenticator"

// Authenticator is the hub's login.
type Authenticator struct {
	// Traits are GenericOAuthenticator's settings, in the order rendered.
	Traits []Trait
	// ClientSecret is client_secret, kept apart because each target
	// delivers it differently.
	ClientSecret Secret
	// CAFile, when set, is trusted for calls to the provider, through
	// http_request_kwargs ca_certs.
	CAFile string
}

// Trait is one traitlets setting. Value is a string, bool, int or []string.
type Trait struct {
	Name  string
	Value any
}

// Service is one entry of c.JupyterHub.services.
type Service struct {
	Name string
	URL  string
	// OAuthClientID is empty when the service does not use OAuth.
	OAuthClientID    string
	OAuthRedirectURI string
	OAuthNoConfirm   bool
	Display          *bool
	Timeout          *int
	// APIToken is unset (Ref.Kind None) for a service without a token.
	APIToken Secret
}

// Role is one entry of c.JupyterHub.load_roles. JupyterHub treats an
// omitted member list as empty, so the lists are exact.
type Role struct {
	Name        string
	Description string
	Scopes      []string
	Users       []string
	Groups      []string
	Services    []string
}

// Secret is a secret the configuration needs, and every name it goes by.
type Secret struct {
	Ref secret.Ref
	// SpecPath is where the spec sets it, for messages.
	SpecPath string
	// HubEnv is the environment variable the hub reads it from when it is
	// not a file: the env reference itself, or a variable the deployment
	// maps a k8sSecret to.
	HubEnv string
	// SecretKey is its key in hubctl's Kubernetes Secret (helm target).
	SecretKey string
}

// DefaultExistingSecret names hubctl's Secret when the spec names none.
const DefaultExistingSecret = "hubctl"

// LoginClientSecretKey is the key of the login's client secret in hubctl's
// Secret; the chart has no key of its own for it.
const LoginClientSecretKey = "hubctl.login.clientSecret"

// ClientSecretEnv is the variable OAuthenticator reads client_secret from
// by default.
const ClientSecretEnv = "OAUTH_CLIENT_SECRET"

// ServiceTokenKey is the chart's Secret key for a service's API token
// (hub.services.NAME.apiToken), which the chart reads from
// hub.existingSecret before its own Secret.
func ServiceTokenKey(service string) string { return "hub.services." + service + ".apiToken" }

// ServiceTokenEnv is the variable a hub reads a service's token from when
// the spec keeps it in a Kubernetes Secret the hub cannot read as a file.
func ServiceTokenEnv(service string) string {
	return "HUBCTL_" + spec.TokenEnvName(service)
}

// Build turns a validated spec and its login endpoints into a Config.
func Build(s *spec.Spec, ep provider.Endpoints) *Config {
	cfg := &Config{
		Version:        s.Hub.TargetVersion(),
		BaseURL:        s.Hub.BasePath(),
		ExistingSecret: s.Hub.ExistingSecret,
	}
	if cfg.ExistingSecret == "" {
		cfg.ExistingSecret = DefaultExistingSecret
	}
	if s.Login != nil {
		cfg.Authenticator = buildAuthenticator(s, ep)
	}
	userRoleScopes := []string{"self"}
	// Sized once: a spec may have thousands of services. The hub's URL is
	// parsed once too, not twice for every service's redirect URI.
	cfg.Services = make([]Service, 0, len(s.Services))
	redirects := serviceRedirects{prefix: s.Hub.Origin() + s.Hub.BasePath() + "services/"}
	for _, svc := range s.Services {
		cfg.Services = append(cfg.Services, buildService(svc, redirects))
		if len(svc.Scopes) > 0 {
			cfg.Roles = append(cfg.Roles, Role{
				Name:        ServiceRoleName(svc.Name),
				Description: "API permissions of service " + svc.Name + " (hubctl)",
				Scopes:      svc.Scopes,
				Services:    []string{svc.Name},
			})
		}
		if !svc.OAuthEnabled() || svc.Access == nil {
			continue
		}
		access := AccessScope(svc.Name)
		if svc.Access.All {
			userRoleScopes = append(userRoleScopes, access)
			continue
		}
		cfg.Roles = append(cfg.Roles, Role{
			Name:        AccessRoleName(svc.Name),
			Description: "Users who may use service " + svc.Name + " (hubctl)",
			Scopes:      []string{access},
			Users:       svc.Access.Users,
			Groups:      svc.Access.Groups,
		})
	}
	if len(userRoleScopes) > 1 {
		// Redefining the user role replaces its default scopes rather than
		// merging them, so "self" must be restated.
		cfg.Roles = append(cfg.Roles, Role{Name: UserRole, Scopes: userRoleScopes})
	}
	for _, r := range s.Roles {
		cfg.Roles = append(cfg.Roles, Role{Name: r.Name, Description: r.Description, Scopes: r.Scopes,
			Users: r.Users, Groups: r.Groups, Services: r.Services})
	}
	return cfg
}

// AccessScope is the scope a user needs to log in to a service.
func AccessScope(service string) string { return "access:services!service=" + service }

func buildAuthenticator(s *spec.Spec, ep provider.Endpoints) *Authenticator {
	l := s.Login
	prof, _ := provider.Lookup(l.Provider)
	a := &Authenticator{
		ClientSecret: Secret{Ref: l.ClientSecret, SpecPath: "login.clientSecret", HubEnv: ClientSecretEnv, SecretKey: LoginClientSecretKey},
		CAFile:       l.CAFile,
	}
	if l.ClientSecret.Kind == secret.Env {
		a.ClientSecret.HubEnv = l.ClientSecret.Env
	}
	add := func(name string, value any) { a.Traits = append(a.Traits, Trait{name, value}) }

	loginService := l.LoginService
	if loginService == "" {
		loginService = prof.LoginService
	}
	if loginService != "" {
		add("login_service", loginService)
	}
	add("client_id", l.ClientID)
	add("oauth_callback_url", s.ResolvedCallbackURL())
	add("authorize_url", ep.Authorize)
	add("token_url", ep.Token)
	add("userdata_url", ep.Userdata)
	scopes := l.Scopes
	if scopes == nil {
		scopes = prof.DefaultScopes
	}
	if len(scopes) > 0 {
		add("scope", scopes)
	}
	claim := l.UsernameClaim
	if claim == "" {
		claim = prof.UsernameClaim
	}
	add("username_claim", claim)

	if allow := l.Allow; allow != nil {
		if allow.All {
			add("allow_all", true)
		}
		if len(allow.Users) > 0 {
			add("allowed_users", allow.Users)
		}
		if allow.ExistingUsers {
			add("allow_existing_users", true)
		}
	}
	// allowed_groups and admin_groups both need manage_groups (OAuthenticator
	// 17 refuses either without it) and read the same claim: set those once.
	if l.UsesGroups() {
		add("manage_groups", true)
		add("auth_state_groups_key", "oauth_user."+l.ResolvedGroupsClaim())
	}
	if l.Allow != nil && len(l.Allow.Groups) > 0 {
		add("allowed_groups", l.Allow.Groups)
	}
	if admins := l.Admins; admins != nil {
		if len(admins.Users) > 0 {
			add("admin_users", admins.Users)
		}
		if len(admins.Groups) > 0 {
			add("admin_groups", admins.Groups)
		}
	}
	if l.VerifyTLS != nil && !*l.VerifyTLS {
		add("validate_server_cert", false)
	}
	return a
}

// serviceRedirects derives services' redirect URIs as spec.Spec.RedirectURI
// does, from the hub's URL parsed once.
type serviceRedirects struct{ prefix string }

func (r serviceRedirects) of(svc spec.Service) string {
	if svc.RedirectURI != "" {
		return svc.RedirectURI
	}
	return r.prefix + svc.Name + "/oauth_callback"
}

func buildService(svc spec.Service, redirects serviceRedirects) Service {
	out := Service{Name: svc.Name, URL: svc.URL, Display: svc.Display, Timeout: svc.Timeout}
	if svc.OAuthEnabled() {
		out.OAuthClientID = svc.ResolvedClientID()
		out.OAuthRedirectURI = redirects.of(svc)
		out.OAuthNoConfirm = svc.NoConfirm
	}
	if svc.APIToken.IsSet() {
		out.APIToken = Secret{
			Ref:       svc.APIToken,
			SpecPath:  spec.Join(spec.Join("services", svc.Name), "apiToken"),
			HubEnv:    ServiceTokenEnv(svc.Name),
			SecretKey: ServiceTokenKey(svc.Name),
		}
		if svc.APIToken.Kind == secret.Env {
			out.APIToken.HubEnv = svc.APIToken.Env
		}
	}
	return out
}

// Secrets lists every secret the configuration needs, login first.
func (c *Config) Secrets() []Secret {
	var out []Secret
	if c.Authenticator != nil {
		out = append(out, c.Authenticator.ClientSecret)
	}
	for _, s := range c.Services {
		if s.APIToken.Ref.IsSet() {
			out = append(out, s.APIToken)
		}
	}
	return out
}
