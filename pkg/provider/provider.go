// Package provider knows the login providers a hub can use through
// GenericOAuthenticator: each kind's defaults (scopes, username claim,
// endpoint paths) and, for OpenID Connect, how to find the endpoints by
// discovery.
package provider

// Profile is what hubctl knows about one kind of provider.
type Profile struct {
	Kind string
	// LoginService is the "Login with ..." text when the spec gives none;
	// empty leaves OAuthenticator's own default.
	LoginService  string
	DefaultScopes []string
	UsernameClaim string
	// Paths of the endpoints under the provider's base URL, for providers
	// without discovery.
	AuthorizePath, TokenPath, UserdataPath string
	// AllowedScopes, when set, is every scope the provider accepts;
	// RequiredScopes must be requested for userinfo to answer.
	AllowedScopes  []string
	RequiredScopes []string
	// UserinfoFields, when set, is every field the userinfo reply has.
	UserinfoFields []string
	// HTTPSRedirectOnly providers refuse http redirect URIs, loopback too.
	HTTPSRedirectOnly bool
	// Discovery providers publish their endpoints at
	// /.well-known/openid-configuration.
	Discovery bool
}

// NBGallery runs Doorkeeper 5.8 configured with default scope read,
// optional scope write and enforced scopes; its userinfo route renders the
// User record (no sub, no preferred_username), and Doorkeeper outside
// development mode refuses http redirect URIs.
var NBGallery = Profile{
	Kind:              "nbgallery",
	LoginService:      "NBGallery",
	DefaultScopes:     []string{"read"},
	UsernameClaim:     "user_name",
	AuthorizePath:     "/oauth/authorize",
	TokenPath:         "/oauth/token",
	UserdataPath:      "/oauth/userinfo",
	AllowedScopes:     []string{"read", "write"},
	RequiredScopes:    []string{"read"},
	UserinfoFields:    []string{"id", "email", "first_name", "last_name", "org", "admin", "user_name", "approved", "created_at", "updated_at"},
	HTTPSRedirectOnly: true,
}

// OIDC is any OpenID Connect provider (Keycloak, Hydra, Dex, Okta...).
var OIDC = Profile{
	Kind:          "oidc",
	DefaultScopes: []string{"openid", "profile", "email"},
	UsernameClaim: "preferred_username",
	Discovery:     true,
}

// OAuth2 is a plain OAuth2 provider: every endpoint is given in the spec.
// Its username claim default is OAuthenticator's own.
var OAuth2 = Profile{
	Kind:          "oauth2",
	UsernameClaim: "username",
}

// Lookup returns the profile for a login.provider value.
func Lookup(kind string) (Profile, bool) {
	switch kind {
	case NBGallery.Kind:
		return NBGallery, true
	case OIDC.Kind:
		return OIDC, true
	case OAuth2.Kind:
		return OAuth2, true
	}
	return Profile{}, false
}
