package validate

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/jupyterhub"
	"github.com/hubctl/hubctl/pkg/provider"
	"github.com/hubctl/hubctl/pkg/spec"
)

func (c *checker) login(l *spec.Login) {
	prof, known := provider.Lookup(l.Provider)
	switch {
	case l.Provider == "":
		c.missing("login.provider", "login.provider is required", "one of "+strings.Join(spec.Providers, ", "))
	case !known:
		msg := fmt.Sprintf("unknown provider %q", l.Provider)
		if s := jupyterhub.Closest(l.Provider, spec.Providers); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		c.report(finding.Error, "unknown-provider", "login.provider", msg, "one of "+strings.Join(spec.Providers, ", "))
	}

	c.loginEndpoints(l, prof, known)

	if l.ClientID == "" {
		// Valid until something needs the client: hubctl app create login
		// registers it and writes the id here; render refuses without it.
		c.report(finding.Warning, "client-not-registered", "login.clientId",
			"login.clientId is not set: the hub's client is not registered at the provider yet", ClientNotRegisteredHint)
	}
	c.checkPlaceholder("login.clientId", l.ClientID, "the client id the provider issued")
	if !l.ClientSecret.IsSet() {
		c.missing("login.clientSecret", "login.clientSecret is required", "for example `clientSecret: {env: OAUTH_CLIENT_SECRET}`")
	}
	c.checkSecretRef("login.clientSecret", l.ClientSecret)

	c.loginCallback(l, prof)
	c.loginScopes(l, prof, known)
	c.loginClaim(l, prof)
	c.loginAllow(l)

	if l.VerifyTLS != nil && !*l.VerifyTLS {
		if l.CAFile != "" {
			c.report(finding.Warning, "tls-verify-off", "login.verifyTLS", "verifyTLS is false, so caFile is ignored", "drop verifyTLS: false and keep caFile")
		} else {
			c.report(finding.Warning, "tls-verify-off", "login.verifyTLS",
				"certificate checks on the provider are off: anyone on the path can read the client secret and users' tokens",
				"trust the provider's CA with caFile instead")
		}
	}
}

func (c *checker) loginEndpoints(l *spec.Login, prof provider.Profile, known bool) {
	if l.URL != "" {
		c.checkURL("login.url", l.URL, backChannel)
	}
	if l.AuthorizeURL != "" {
		c.checkURL("login.authorizeUrl", l.AuthorizeURL, browserFacing)
	}
	for _, e := range []struct{ path, value string }{{"login.tokenUrl", l.TokenURL}, {"login.userdataUrl", l.UserdataURL}} {
		if e.value != "" {
			c.checkURL(e.path, e.value, backChannel)
		}
	}
	if !known {
		return
	}
	allGiven := l.AuthorizeURL != "" && l.TokenURL != "" && l.UserdataURL != ""
	switch {
	case prof.Kind == provider.OAuth2.Kind:
		for _, e := range []struct{ path, value string }{{"login.authorizeUrl", l.AuthorizeURL}, {"login.tokenUrl", l.TokenURL}, {"login.userdataUrl", l.UserdataURL}} {
			if e.value == "" {
				c.missing(e.path, e.path+" is required for provider oauth2", "an oauth2 provider has no discovery; give all three endpoints")
			}
		}
	case l.URL == "" && !allGiven:
		what := "the NBGallery base URL"
		if prof.Discovery {
			what = "the issuer, whose discovery document gives the endpoints"
		}
		c.missing("login.url", "login.url is required: "+what, "")
	}
}

func (c *checker) loginCallback(l *spec.Login, prof provider.Profile) {
	want := c.s.Hub.LoginCallbackURL()
	got := c.s.ResolvedCallbackURL()
	path := "login.callbackUrl"
	if l.CallbackURL != "" {
		if u := c.checkURL(path, l.CallbackURL, browserFacing); u == nil {
			return
		}
		if got != want {
			c.report(finding.Error, "redirect-uri-mismatch", path,
				fmt.Sprintf("the hub receives its login callback at %s, not %s", want, got),
				"drop callbackUrl to use the derived one; a different host also loses the OAuth state cookie")
		}
	}
	if u, err := url.Parse(got); err == nil && u.Scheme == "http" && prof.HTTPSRedirectOnly {
		if !c.doc.Has(path) {
			path = "hub.url"
		}
		c.report(finding.Warning, "provider-refuses-http", path,
			fmt.Sprintf("NBGallery (Doorkeeper outside development mode) refuses the http redirect URI %s, loopback included", got),
			"serve the hub over https")
	}
}

func (c *checker) loginScopes(l *spec.Login, prof provider.Profile, known bool) {
	if !known || l.Scopes == nil {
		return
	}
	if prof.AllowedScopes != nil {
		for i, s := range l.Scopes {
			if !slices.Contains(prof.AllowedScopes, s) {
				msg := fmt.Sprintf("%s does not accept scope %q (it accepts %s)", prof.Kind, s, strings.Join(prof.AllowedScopes, ", "))
				if sug := jupyterhub.Closest(s, prof.AllowedScopes); sug != "" {
					msg += fmt.Sprintf("; did you mean %q?", sug)
				}
				c.report(finding.Error, "unknown-provider-scope", spec.Index("login.scopes", i), msg, "")
			}
		}
	}
	for _, req := range prof.RequiredScopes {
		if !slices.Contains(l.Scopes, req) {
			c.report(finding.Error, "missing-provider-scope", "login.scopes",
				fmt.Sprintf("%s answers userinfo only for tokens with scope %q", prof.Kind, req), fmt.Sprintf("add %q to login.scopes", req))
		}
	}
	if prof.Kind == provider.OIDC.Kind && !slices.Contains(l.Scopes, "openid") {
		c.report(finding.Warning, "missing-openid-scope", "login.scopes",
			`OpenID Connect providers return identity claims only when "openid" is requested`, `add "openid" to login.scopes`)
	}
}

// loginClaim checks the username claim against what the provider's
// userinfo reply is known to hold.
func (c *checker) loginClaim(l *spec.Login, prof provider.Profile) {
	if l.UsernameClaim != "" && prof.UserinfoFields != nil && !slices.Contains(prof.UserinfoFields, l.UsernameClaim) {
		msg := fmt.Sprintf("%s's userinfo has no field %q", prof.Kind, l.UsernameClaim)
		if sug := jupyterhub.Closest(l.UsernameClaim, prof.UserinfoFields); sug != "" {
			msg += fmt.Sprintf("; did you mean %q?", sug)
		}
		c.report(finding.Error, "unknown-username-claim", "login.usernameClaim", msg, "NBGallery users are named by user_name (or email)")
	}
}

func (c *checker) loginAllow(l *spec.Login) {
	a := l.Allow
	if a == nil || (!a.All && len(a.Users) == 0 && len(a.Groups) == 0 && !a.ExistingUsers) {
		c.report(finding.Error, "no-allow", "login.allow",
			"login.allow admits nobody: since OAuthenticator 16 a login with no allow setting refuses every user with a 403",
			"set `allow: {all: true}`, `allow: {users: [...]}` or `allow: {groups: [...]}`")
		return
	}
	if a.All && (len(a.Users) > 0 || len(a.Groups) > 0) {
		c.report(finding.Warning, "redundant-allow", "login.allow.all", "all: true already admits every user; users and groups add nothing", "")
	}
	if a.GroupsClaim != "" && !l.UsesGroups() {
		c.report(finding.Warning, "unused-key", "login.allow.groupsClaim",
			"groupsClaim has no effect without allow.groups or admins.groups", "")
	}
}

// ClientNotRegisteredHint is what to do about a login without a client id,
// for validate's warning and render's refusal alike.
const ClientNotRegisteredHint = "run hubctl app create login: it registers the client at the provider and writes login.clientId into the spec (or set login.clientId to the id the provider issued)"
