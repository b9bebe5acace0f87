package app

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/hubctl/hubctl/pkg/hub"
	"github.com/hubctl/hubctl/pkg/provider"
	"github.com/hubctl/hubctl/pkg/spec"
)

// LoginTarget is the hub's login client as the spec wants it: the
// redirect URI render writes as oauth_callback_url, the scopes the hub
// requests, and the auth method GenericOAuthenticator uses.
func LoginTarget(s *spec.Spec, cfg *hub.Config) (Target, error) {
	l := s.Login
	if l == nil {
		return Target{}, fmt.Errorf("the spec has no login: nothing to register at a provider")
	}
	c := Client{
		Name:         LoginClient,
		DisplayName:  "JupyterHub " + hostOf(s.Hub.URL),
		ClientID:     l.ClientID,
		RedirectURIs: []string{s.ResolvedCallbackURL()},
		Scopes:       traitList(cfg, "scope"),
		AuthMethod:   "client_secret_post",
		GrantTypes:   []string{"authorization_code"},
		PKCE:         true,
	}
	return Target{Client: c, Secret: l.ClientSecret, SecretPath: "login.clientSecret",
		IDKeys: []string{"login", "clientId"}, SpecID: l.ClientID}, nil
}

// ServiceTarget is service name as a client of the hub.
func ServiceTarget(s *spec.Spec, name string) (Target, error) {
	svc, ok := s.Services.Get(name)
	if !ok {
		msg := fmt.Sprintf("the spec has no service %q", name)
		if names := s.Services.Names(); len(names) > 0 {
			msg += " (its services: " + strings.Join(names, ", ") + "; the hub's own client is \"login\")"
		}
		return Target{}, fmt.Errorf("%s", msg)
	}
	c := Client{Name: name, DisplayName: name, ClientID: svc.ResolvedClientID()}
	if svc.OAuthEnabled() {
		c.RedirectURIs = []string{s.RedirectURI(svc)}
	}
	return Target{Client: c, Secret: svc.APIToken, SecretPath: spec.Join(spec.Join("services", name), "apiToken"),
		SpecID: c.ClientID}, nil
}

// traitList is a list trait of the authenticator, or nil.
func traitList(cfg *hub.Config, name string) []string {
	if cfg == nil || cfg.Authenticator == nil {
		return nil
	}
	for _, t := range cfg.Authenticator.Traits {
		if t.Name == name {
			if v, ok := t.Value.([]string); ok {
				return v
			}
		}
	}
	return nil
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Host
}

// RegistrationEndpoint finds an OIDC provider's RFC 7591 endpoint in its
// discovery document; "" when it advertises none.
func RegistrationEndpoint(ctx context.Context, client *http.Client, issuer string) (string, error) {
	md, err := provider.Discover(ctx, client, issuer)
	if err != nil {
		return "", err
	}
	return md.RegistrationEndpoint, nil
}
