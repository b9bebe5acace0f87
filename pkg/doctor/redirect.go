package doctor

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/hubctl/hubctl/pkg/hub"
	"github.com/hubctl/hubctl/pkg/lazyre"
	"github.com/hubctl/hubctl/pkg/netdiag"
	"github.com/hubctl/hubctl/pkg/provider"
)

var checkRedirectURI = Register(&Check{ID: "login.redirect-uri", Title: "Provider accepts the hub's authorize request", Live: true,
	Doc: "the authorize request the hub builds (client id, redirect_uri = oauth_callback_url, scopes, PKCE) is not refused by the provider"})

var checkHubOAuthLogin = Register(&Check{ID: "hub.oauth-login", Title: "Deployed hub sends the spec's login", Live: true,
	Doc: "<hub>/hub/oauth_login redirects to the provider with the client id, redirect_uri and scopes the spec renders"})

func planRedirectURI(p *Plan, lp *LoginPlan) {
	env := p.Env
	target, needs := endpointNeeds(p, lp, "login.authorizeUrl", lp.static.Authorize)
	p.Add(checkRedirectURI, target, needs, func(ctx context.Context) Outcome {
		authorizeURL := lp.Endpoints().Authorize
		if authorizeURL == "" {
			return Failed("set login.authorizeUrl", "the authorize endpoint is unknown: neither the spec nor discovery gives one")
		}
		a := env.Config.Authenticator
		if traitString(a, "client_id") == "" {
			return Skipped(registerHint+", then set login.clientId", "login.clientId is not set: the client is not registered yet")
		}
		return checkAuthorize(ctx, env, lp.Login.Provider, authorizeURL)
	})
}

// authorizeRequest is the URL the hub sends a browser to: OAuthenticator's
// parameters, with a random state and, PKCE being on by default since
// OAuthenticator 17.1, an S256 challenge of a random verifier.
func authorizeRequest(a *hub.Authenticator, authorizeURL string) (string, error) {
	u, err := url.Parse(authorizeURL)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("response_type", "code")
	q.Set("client_id", traitString(a, "client_id"))
	q.Set("redirect_uri", traitString(a, "oauth_callback_url"))
	// tornado's authorize_redirect leaves scope out when there is none.
	if scopes := traitStrings(a, "scope"); len(scopes) > 0 {
		q.Set("scope", strings.Join(scopes, " "))
	}
	q.Set("state", randomToken())
	challenge := sha256.Sum256([]byte(randomToken()))
	q.Set("code_challenge", base64.RawURLEncoding.EncodeToString(challenge[:]))
	q.Set("code_challenge_method", "S256")
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func checkAuthorize(ctx context.Context, env *Env, providerKind, authorizeURL string) Outcome {
	a := env.Config.Authenticator
	reqURL, err := authorizeRequest(a, authorizeURL)
	if err != nil {
		return Failed("set login.authorizeUrl to the provider's authorize endpoint", "the authorize endpoint %q is not a URL: %v", authorizeURL, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, reqURL, nil)
	if err != nil {
		return Failed("", "%v", err)
	}
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8")
	resp, body, err := env.Fetch(req, false, maxProviderBody)
	if err != nil {
		return Failed("", "%v", err)
	}
	redirectURI := traitString(a, "oauth_callback_url")
	ans := authorizeAnswer{status: resp.StatusCode}
	if isRedirect(resp.StatusCode) {
		loc, err := resp.Location()
		if err != nil {
			return Failed("", "GET %s answered %d without a usable Location: %v", authorizeURL, resp.StatusCode, err)
		}
		ans.location = loc
		ans.oauthError = oauthError{Code: loc.Query().Get("error"), Description: loc.Query().Get("error_description")}
	} else {
		ans.oauthError = pageError(resp.Header.Get("Content-Type"), body)
		ans.what = netdiag.DescribeBody(resp.Header.Get("Content-Type"), body)
		refusal := resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden
		if ans.Code == "" && ans.Description == "" && refusal {
			// A refusal the page words in its own way: its text is the best
			// account there is.
			ans.Description = pageText(body)
		}
	}
	return ans.outcome(a, providerKind, authorizeURL, redirectURI)
}

// authorizeAnswer is what an authorize endpoint did with the hub's request.
type authorizeAnswer struct {
	status   int
	location *url.URL
	oauthError
	what string
}

func (ans authorizeAnswer) outcome(a *hub.Authenticator, providerKind, authorizeURL, redirectURI string) Outcome {
	clientID := traitString(a, "client_id")
	switch {
	case ans.Code != "" || ans.Description != "":
		return authorizeRefused(ans.oauthError, clientID, redirectURI, traitStrings(a, "scope"))
	case ans.location != nil && sameEndpoint(ans.location, redirectURI):
		return Passed("the provider accepted the request and redirected to the callback %s", redirectURI)
	case ans.location != nil:
		msg := fmt.Sprintf("the provider accepted client %s and redirect_uri %s and sent the browser on to %s", clientID, redirectURI, withoutQuery(ans.location))
		if providerKind == provider.NBGallery.Kind {
			// Doorkeeper authenticates the user before it looks at the
			// request, so without a session every request gets the login page.
			msg = fmt.Sprintf("the provider sent the browser to its login page %s; NBGallery (Doorkeeper) checks the client and redirect_uri only after a user logs in, so a wrong one shows only then", withoutQuery(ans.location))
		}
		return Passed("%s", msg)
	case ans.status == http.StatusOK:
		return Passed("the provider answered the request with %s, which shows no error", ans.what)
	}
	return Failed("check login.authorizeUrl: it must be the provider's authorize endpoint",
		"GET %s answered %d with %s", authorizeURL, ans.status, ans.what)
}

var (
	aboutRedirectURI = lazyre.New(`(?i)redirect[ _-]?ur[il]`)
	aboutScope       = lazyre.New(`(?i)\bscopes?\b`)
	aboutClient      = lazyre.New(`(?i)\bclient\b`)
)

// authorizeRefused turns the provider's error into what to change.
func authorizeRefused(e oauthError, clientID, redirectURI string, scopes []string) Outcome {
	said := e.String()
	if e.Code == "" {
		said = strconv.Quote(shorten(e.Description))
	}
	switch {
	case e.Code == "invalid_redirect_uri" || aboutRedirectURI().MatchString(e.Description):
		return Failed(fmt.Sprintf("register %s exactly at the provider (the callback hubctl renders as oauth_callback_url), or set login.callbackUrl to the URI registered there", redirectURI),
			"the provider does not accept redirect_uri %s for client %s (%s)", redirectURI, clientID, said)
	case e.Code == "invalid_scope" || (e.Code == "" && aboutScope().MatchString(e.Description)):
		return Failed("request only scopes the client may use (login.scopes), or allow them for the client at the provider",
			"the provider refuses the scopes %s for client %s (%s)", describeList(scopes), clientID, said)
	case e.Code == "unauthorized_client":
		return Failed("allow the authorization_code grant and response type code for the client at the provider",
			"the provider does not let client %s use the authorization code flow (%s)", clientID, said)
	case e.Code == "invalid_client" || (e.Code == "" && aboutClient().MatchString(e.Description)):
		return Failed("check login.clientId, or "+registerHint,
			"the provider does not know client id %s (%s)", clientID, said)
	}
	return Failed("", "the provider refused the hub's authorize request for client %s (%s)", clientID, said)
}

func isRedirect(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// sameEndpoint reports whether u points at raw, queries aside.
func sameEndpoint(u *url.URL, raw string) bool {
	want, err := url.Parse(raw)
	if err != nil {
		return false
	}
	return strings.EqualFold(u.Scheme, want.Scheme) && strings.EqualFold(u.Host, want.Host) && u.Path == want.Path
}

// withoutQuery is u without query and fragment, which carry one-off
// challenges nobody needs to read.
func withoutQuery(u *url.URL) string {
	v := *u
	v.RawQuery, v.Fragment, v.RawFragment = "", "", ""
	return v.String()
}

var (
	pageNoise        = lazyre.New(`(?is)<(head|script|style)\b.*?</(head|script|style)>`)
	pageTag          = lazyre.New(`(?s)<[^>]*>`)
	pageErrorCode    = lazyre.New(`\berror\s*:\s*([a-z_]+)`)
	pageErrorDesc    = lazyre.New(`\berror_description\s*:\s*(.*?)\s*(?:\b(?:state|iss|error_uri|error_hint)\s*:|$)`)
	pageLooksAnError = lazyre.New(`(?i)\b(invalid_[a-z_]+|unauthorized_client|unsupported_response_type|access_denied)\b|an error has occurred|something went wrong|invalid parameter|we are sorry|redirect[ _-]?ur[il]`)
)

// pageError reads an OAuth error from an authorize endpoint's page: a JSON
// error body, the error and error_description lines of an error page
// (oidc-provider), or the text of a page that reads as an error
// (Doorkeeper's, Keycloak's).
func pageError(contentType string, body []byte) oauthError {
	if e := parseOAuthError(body); e.Code != "" || netdiag.DescribeBody(contentType, body) == "JSON" {
		return e
	}
	var e oauthError
	text := pageText(body)
	if m := pageErrorCode().FindStringSubmatch(text); m != nil {
		e.Code = m[1]
		if d := pageErrorDesc().FindStringSubmatch(text); d != nil {
			e.Description = d[1]
		}
		return e
	}
	if pageLooksAnError().MatchString(text) {
		e.Description = text
	}
	return e
}

// pageText is what a browser would show of an HTML page, on one line.
func pageText(body []byte) string {
	s := pageNoise().ReplaceAllString(string(body), " ")
	s = pageTag().ReplaceAllString(s, " ")
	return strings.Join(strings.Fields(html.UnescapeString(s)), " ")
}

func planHubOAuthLogin(p *Plan, lp *LoginPlan) {
	env := p.Env
	h := env.Spec.Hub
	if h.URL == "" {
		return
	}
	loginURL := h.Origin() + h.BasePath() + "hub/oauth_login"
	needs := p.Gate("hub.url", h.URL)
	if lp.static.Authorize == "" {
		needs = append(needs, lp.Discovery)
	}
	p.Add(checkHubOAuthLogin, loginURL, needs, func(ctx context.Context) Outcome {
		return checkOAuthLogin(ctx, env, loginURL, lp.Endpoints().Authorize)
	})
}

const driftHint = "the deployed config has drifted from the spec; deploy the rendered values (hubctl render helm-values or hub-config)"

func checkOAuthLogin(ctx context.Context, env *Env, loginURL, authorizeURL string) Outcome {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, loginURL, nil)
	if err != nil {
		return Failed("set hub.url to the hub's public URL", "%v", err)
	}
	resp, body, err := env.Fetch(req, false, maxProviderBody)
	if err != nil {
		return Failed("", "%v", err)
	}
	if resp.StatusCode == http.StatusNotFound {
		return Failed("deploy the rendered config: it sets authenticator_class to "+hub.AuthenticatorClass,
			"the hub does not use OAuth login (is the authenticator GenericOAuthenticator?): GET %s answered 404", loginURL)
	}
	if !isRedirect(resp.StatusCode) {
		return Failed("hub.url must be the URL users open the hub at, base path included",
			"GET %s answered %d with %s, not a redirect to the provider", loginURL, resp.StatusCode, netdiag.DescribeBody(resp.Header.Get("Content-Type"), body))
	}
	loc, err := resp.Location()
	if err != nil {
		return Failed("", "GET %s answered %d without a usable Location: %v", loginURL, resp.StatusCode, err)
	}
	drift := loginDrift(env.Config.Authenticator, loc, authorizeURL)
	if len(drift) > 0 {
		return Failed(driftHint, "%s", strings.Join(drift, "; "))
	}
	return Passed("the deployed hub sends the browser to %s with the spec's client_id, redirect_uri and scope", withoutQuery(loc))
}

// loginDrift names each way the authorize request the deployed hub sends
// differs from the one the spec renders.
func loginDrift(a *hub.Authenticator, loc *url.URL, authorizeURL string) []string {
	var out []string
	if authorizeURL != "" {
		if want, err := url.Parse(authorizeURL); err == nil && withoutQuery(loc) != withoutQuery(want) {
			out = append(out, fmt.Sprintf("the deployed hub sends the browser to %s but the spec renders authorize_url %s", withoutQuery(loc), withoutQuery(want)))
		}
	}
	q := loc.Query()
	for _, p := range []struct{ param, trait string }{{"client_id", "client_id"}, {"redirect_uri", "oauth_callback_url"}} {
		got, want := q.Get(p.param), traitString(a, p.trait)
		switch {
		case !q.Has(p.param):
			out = append(out, fmt.Sprintf("the deployed hub sends no %s but the spec renders %s", p.param, want))
		case got != want:
			out = append(out, fmt.Sprintf("the deployed hub sends %s %s but the spec renders %s", p.param, got, want))
		}
	}
	got, want := strings.Fields(q.Get("scope")), traitStrings(a, "scope")
	var missing, extra []string
	for _, s := range want {
		if !slices.Contains(got, s) {
			missing = append(missing, s)
		}
	}
	for _, s := range got {
		if !slices.Contains(want, s) {
			extra = append(extra, s)
		}
	}
	if len(missing) > 0 {
		out = append(out, fmt.Sprintf("the deployed hub does not request scope %s that the spec renders", describeList(missing)))
	}
	if len(extra) > 0 {
		out = append(out, fmt.Sprintf("the deployed hub requests scope %s that the spec does not render", describeList(extra)))
	}
	return out
}
