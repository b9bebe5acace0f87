package doctor

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hubctl/hubctl/pkg/jupyterhub"
	"github.com/hubctl/hubctl/pkg/provider"
)

var (
	checkIssuer = Register(&Check{ID: "oidc.issuer", Title: "Issuer is login.url", Live: true,
		Doc: "the discovery document's issuer equals login.url byte for byte"})
	checkEndpoints = Register(&Check{ID: "oidc.endpoints", Title: "Endpoints match discovery", Live: true,
		Doc: "login.authorizeUrl, tokenUrl and userdataUrl equal the advertised endpoints; one neither given nor advertised fails"})
	checkScopes = Register(&Check{ID: "oidc.scopes", Title: "Requested scopes are supported", Live: true,
		Doc: "every scope the hub requests is in scopes_supported, where the provider advertises it"})
	checkClaims = Register(&Check{ID: "oidc.claims", Title: "Username and groups claims are offered", Live: true,
		Doc: "the username claim, and the groups claim when groups are used, are in claims_supported, where advertised"})
	checkPKCE = Register(&Check{ID: "oidc.pkce", Title: "Provider supports PKCE S256", Live: true,
		Doc: "S256 is in code_challenge_methods_supported: OAuthenticator 17.1 and later send an S256 challenge on every login"})
	checkAuthMethod = Register(&Check{ID: "oidc.auth-method", Title: "Token endpoint accepts the hub's auth method", Live: true,
		Doc: "the client authentication OAuthenticator uses (client_secret_post unless basic_auth) is in token_endpoint_auth_methods_supported"})
	checkClock = Register(&Check{ID: "oidc.clock", Title: "Provider clock agrees with the local clock", Live: true,
		Doc: "the provider's Date header is within a minute of the local clock: ID token expiry is checked with no leeway"})
)

func init() { addFamily(rankProvider, planProvider) }

// planProvider adds the checks of the login's provider family.
func planProvider(p *Plan) {
	lp := p.Login()
	switch {
	case lp == nil:
	case lp.Discovery != nil:
		planOIDC(p, lp)
	case lp.Login.Provider == provider.NBGallery.Kind:
		planNBGallery(p, lp)
	}
}

// maxClockSkew is how far the provider's clock may be from ours: Date has
// a resolution of a second, and a minute covers a slow answer many times.
const maxClockSkew = time.Minute

func planOIDC(p *Plan, lp *LoginPlan) {
	env := p.Env
	for _, c := range []struct {
		check *Check
		run   func(*Env, *LoginPlan, *Discovered) Outcome
	}{
		{checkIssuer, issuerOutcome},
		{checkEndpoints, endpointsOutcome},
		{checkScopes, scopesOutcome},
		{checkClaims, claimsOutcome},
		{checkPKCE, pkceOutcome},
		{checkAuthMethod, authMethodOutcome},
		{checkClock, clockOutcome},
	} {
		p.Add(c.check, lp.Discovery.Target, []*Task{lp.Discovery}, func(context.Context) Outcome {
			md := lp.Metadata()
			if md == nil {
				return Skipped("", "no discovery document was read")
			}
			return c.run(env, lp, md)
		})
	}
}

func issuerOutcome(_ *Env, lp *LoginPlan, md *Discovered) Outcome {
	want := lp.Login.URL
	switch {
	case md.Issuer == want:
		return Passed("the discovery document names issuer %q, as login.url does", md.Issuer)
	case md.Issuer == "":
		return Failed("OpenID Connect Discovery requires an issuer: correct the provider's configuration, or check that login.url is the issuer",
			"the discovery document names no issuer (login.url is %q)", want)
	case strings.TrimSuffix(md.Issuer, "/") == strings.TrimSuffix(want, "/"):
		return Failed(fmt.Sprintf("set login.url to %q: the issuer must match byte for byte", md.Issuer),
			"login.url %q and the provider's issuer %q differ in a trailing slash", want, md.Issuer)
	default:
		return Failed(fmt.Sprintf("set login.url to %q if that is the provider's public URL; otherwise correct the public URL configured at the provider (Keycloak: its hostname setting)", md.Issuer),
			"the discovery document names issuer %q, not login.url %q", md.Issuer, want)
	}
}

func endpointsOutcome(_ *Env, lp *LoginPlan, md *Discovered) Outcome {
	l := lp.Login
	var problems, hints, matched, discovered, unadvertised []string
	for _, e := range []struct{ key, field, given, advertised string }{
		{"login.authorizeUrl", "authorization_endpoint", l.AuthorizeURL, md.AuthorizationEndpoint},
		{"login.tokenUrl", "token_endpoint", l.TokenURL, md.TokenEndpoint},
		{"login.userdataUrl", "userinfo_endpoint", l.UserdataURL, md.UserinfoEndpoint},
	} {
		switch {
		case e.given == "" && e.advertised == "":
			problem := fmt.Sprintf("the discovery document has no %s and %s is not set", e.field, e.key)
			if e.field == "userinfo_endpoint" {
				problem += " (GenericOAuthenticator needs userdata_url)"
			}
			problems = append(problems, problem)
			hints = append(hints, fmt.Sprintf("set %s to the provider's %s URL", e.key, strings.TrimSuffix(e.field, "_endpoint")))
		case e.given == "":
			discovered = append(discovered, e.field)
		case e.advertised == "":
			unadvertised = append(unadvertised, e.key)
		case e.given == e.advertised:
			matched = append(matched, e.key)
		default:
			problems = append(problems, fmt.Sprintf("%s is %q but the provider advertises %s %q", e.key, e.given, e.field, e.advertised))
			hints = append(hints, fmt.Sprintf("set %s to %q, or drop it to use the advertised one", e.key, e.advertised))
		}
	}
	if len(problems) > 0 {
		return Failed(strings.Join(hints, "; "), "%s", strings.Join(problems, "; "))
	}
	var parts []string
	if len(matched) > 0 {
		parts = append(parts, provider.InWords(matched)+agree(len(matched), " equals the advertised endpoint", " equal the advertised endpoints"))
	}
	if len(discovered) > 0 {
		parts = append(parts, provider.InWords(discovered)+agree(len(discovered), " comes", " come")+" from discovery (hubctl render writes them out)")
	}
	if len(unadvertised) > 0 {
		parts = append(parts, provider.InWords(unadvertised)+agree(len(unadvertised), " is", " are")+" not advertised; the spec's value is used")
	}
	return Passed("%s", strings.Join(parts, "; "))
}

func scopesOutcome(env *Env, lp *LoginPlan, md *Discovered) Outcome {
	requested := renderedStrings(env, "scope")
	if len(requested) == 0 {
		return Skipped("", "the hub requests no scopes: nothing to compare")
	}
	supported := md.ScopesSupported
	if len(supported) == 0 {
		return Passed("scopes_supported is not advertised; cannot check %s", describeList(requested))
	}
	var unsupported, named []string
	for _, s := range requested {
		if slices.Contains(supported, s) {
			continue
		}
		unsupported = append(unsupported, s)
		n := strconv.Quote(s)
		if near := jupyterhub.Closest(s, supported); near != "" {
			n += fmt.Sprintf(" (did you mean %q?)", near)
		}
		named = append(named, n)
	}
	if len(unsupported) == 0 {
		return Passed("scopes_supported includes every requested scope: %s", describeList(requested))
	}
	hint := fmt.Sprintf("remove %s from login.scopes, or correct it", provider.InWords(unsupported))
	if lp.Login.Scopes == nil {
		hint = fmt.Sprintf("set login.scopes to scopes the provider supports: the default %s includes %s", describeList(requested), provider.InWords(unsupported))
	}
	return Failed(hint, "scopes_supported (%s) lacks %s", describeSome(supported), strings.Join(named, ", "))
}

// usernameClaimsOffered are the claims that usually name a user, in the
// order a hint suggests them.
var usernameClaimsOffered = []string{"preferred_username", "email", "sub", "upn", "username", "name"}

func claimsOutcome(env *Env, lp *LoginPlan, md *Discovered) Outcome {
	l := lp.Login
	username := renderedString(env, "username_claim")
	groups, groupsPath := "", ""
	if l.UsesGroups() {
		// auth_state_groups_key is a dotted path into the userinfo reply;
		// only its first step is a claim.
		groupsPath = l.ResolvedGroupsClaim()
		groups, _, _ = strings.Cut(groupsPath, ".")
	}
	checked := fmt.Sprintf("username claim %q", username)
	if groups != "" {
		checked += fmt.Sprintf(" and groups claim %q", groups)
	}
	supported := md.ClaimsSupported
	if len(supported) == 0 {
		return Passed("claims_supported is not advertised; cannot check %s", checked)
	}
	var failures, warnings, hints []string
	if !slices.Contains(supported, username) {
		p := fmt.Sprintf("claims_supported (%s) lacks username claim %q", describeSome(supported), username)
		if near := jupyterhub.Closest(username, supported); near != "" {
			p += fmt.Sprintf(" (did you mean %q?)", near)
		}
		failures = append(failures, p)
		var offered []string
		for _, c := range usernameClaimsOffered {
			if slices.Contains(supported, c) {
				offered = append(offered, c)
			}
		}
		if len(offered) == 0 {
			offered = supported
		}
		hints = append(hints, "set login.usernameClaim to a claim the provider offers: "+describeSome(offered))
	}
	if groups != "" && !slices.Contains(supported, groups) {
		of := ""
		if groups != groupsPath {
			of = fmt.Sprintf(" (of allow.groupsClaim %q)", groupsPath)
		}
		warnings = append(warnings, fmt.Sprintf("groups claim %q%s is not in claims_supported", groups, of))
		hints = append(hints, "providers often send groups without advertising them (a Keycloak group mapper does); if users arrive without groups, add the claim at the provider or set allow.groupsClaim to the claim that carries them")
	}
	msg := strings.Join(append(failures, warnings...), "; ")
	switch {
	case len(failures) > 0:
		return Failed(strings.Join(hints, "; "), "%s", msg)
	case len(warnings) > 0:
		return Warned(strings.Join(hints, "; "), "%s", msg)
	}
	return Passed("claims_supported includes %s", checked)
}

// noSpecKey says that a setting exists only in OAuthenticator: hubctl.yaml
// has no key for it, so the hub's configuration must carry it by hand.
func noSpecKey(setting string) string {
	return fmt.Sprintf("set GenericOAuthenticator.%s by hand in the hub's configuration (hubctl.yaml has no key for it)", setting)
}

func pkceOutcome(env *Env, _ *LoginPlan, md *Discovered) Outcome {
	if on, ok := renderedBool(env, "enable_pkce"); ok && !on {
		return Passed("enable_pkce is False: the hub sends no PKCE challenge")
	}
	methods := md.CodeChallengeMethodsSupported
	switch {
	case slices.Contains(methods, "S256"):
		return Passed("code_challenge_methods_supported (%s) includes S256, the PKCE method OAuthenticator sends", describeList(methods))
	case len(methods) == 0:
		// RFC 7636 §5: a server without PKCE ignores the challenge, so
		// logins work; they just lack PKCE's protection.
		return Warned("a provider without PKCE ignores the challenge, so logins work unprotected by it; enable PKCE with S256 at the provider if it can",
			"code_challenge_methods_supported is not advertised, so the provider does not support PKCE (RFC 8414); OAuthenticator 17.1+ sends an S256 challenge anyway")
	default:
		return Failed("enable PKCE with S256 at the provider; otherwise "+noSpecKey("enable_pkce = False"),
			"code_challenge_methods_supported (%s) lacks S256, the only PKCE method OAuthenticator 17.1+ sends on every login", describeList(methods))
	}
}

func authMethodOutcome(env *Env, lp *LoginPlan, md *Discovered) Outcome {
	const post, basic = "client_secret_post", "client_secret_basic"
	method, other, because := post, basic, "basic_auth is False"
	if on, _ := renderedBool(env, "basic_auth"); on {
		method, other, because = basic, post, "basic_auth is True"
	}
	advertised := md.TokenEndpointAuthMethodsSupported
	switch {
	case len(advertised) == 0 && method == basic:
		return Passed("token_endpoint_auth_methods_supported is not advertised, so client_secret_basic (RFC 8414's default), which the hub uses (%s)", because)
	case len(advertised) == 0:
		return Warned(fmt.Sprintf("if token requests fail with invalid_client, allow client_secret_post for client %q at the provider, or %s", lp.Login.ClientID, noSpecKey("basic_auth = True")),
			"token_endpoint_auth_methods_supported is not advertised, which means client_secret_basic only (RFC 8414), but OAuthenticator sends client_secret_post (%s)", because)
	case slices.Contains(advertised, method):
		return Passed("token_endpoint_auth_methods_supported (%s) includes %s, which OAuthenticator uses (%s)", describeList(advertised), method, because)
	}
	hint := fmt.Sprintf("allow %s for client %q at the provider", method, lp.Login.ClientID)
	if slices.Contains(advertised, other) && other == basic {
		hint += "; or, to send client_secret_basic, " + noSpecKey("basic_auth = True")
	}
	return Failed(hint, "token_endpoint_auth_methods_supported (%s) lacks %s, which OAuthenticator uses (%s)", describeList(advertised), method, because)
}

func clockOutcome(_ *Env, lp *LoginPlan, _ *Discovered) Outcome {
	remote, local, ok := lp.ProviderClock()
	if !ok {
		return Skipped("", "the discovery answer carried no Date header: no provider clock to compare")
	}
	skew := local.Sub(remote).Round(time.Second)
	direction, size := "behind", skew
	if skew < 0 {
		direction, size = "ahead of", -skew
	}
	date := remote.UTC().Format(time.RFC1123)
	if size <= maxClockSkew {
		return Passed("the provider's Date header (%s) is within %s of the local clock", date, maxClockSkew)
	}
	return Failed("synchronise the provider's and the hub's clocks (NTP): ID token expiry is checked with no leeway (oauthenticator #793); doctor compares with this machine's clock, so run it where the hub runs to be sure",
		"the provider's Date header (%s) is %s %s the local clock (more than %s)", date, size, direction, maxClockSkew)
}

// renderedTrait is the value the hub is given for the authenticator trait
// name: checks compare what will run, defaults included.
func renderedTrait(env *Env, name string) (any, bool) {
	if env.Config == nil || env.Config.Authenticator == nil {
		return nil, false
	}
	for _, t := range env.Config.Authenticator.Traits {
		if t.Name == name {
			return t.Value, true
		}
	}
	return nil, false
}

func renderedStrings(env *Env, name string) []string {
	v, _ := renderedTrait(env, name)
	vs, _ := v.([]string)
	return vs
}

func renderedString(env *Env, name string) string {
	v, _ := renderedTrait(env, name)
	s, _ := v.(string)
	return s
}

func renderedBool(env *Env, name string) (value, ok bool) {
	v, _ := renderedTrait(env, name)
	value, ok = v.(bool)
	return value, ok
}

// agree picks the singular or the plural wording for n things.
func agree(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// describeSome is describeList cut to a length a message can carry.
func describeSome(vs []string) string {
	const shown = 10
	if len(vs) <= shown {
		return describeList(vs)
	}
	return fmt.Sprintf("%s and %d more", strings.Join(vs[:shown], ", "), len(vs)-shown)
}
