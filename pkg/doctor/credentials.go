package doctor

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/hubctl/hubctl/pkg/hub"
	"github.com/hubctl/hubctl/pkg/lazyre"
	"github.com/hubctl/hubctl/pkg/netdiag"
)

var checkCredentials = Register(&Check{ID: "login.credentials", Title: "Client credentials authenticate", Live: true,
	Doc: "a token request with login.clientId, login.clientSecret and a bogus code, sent as OAuthenticator sends it, is refused with invalid_grant, not invalid_client"})

func init() { addFamily(rankLogin, planLoginFlow) }

// planLoginFlow checks the login as the hub runs it, without a user: the
// client's credentials at the token endpoint, the authorize request at the
// provider, and the authorize request the deployed hub actually sends.
func planLoginFlow(p *Plan) {
	lp := p.Login()
	if lp == nil || p.Env.Config == nil || p.Env.Config.Authenticator == nil {
		return
	}
	planCredentials(p, lp)
	planRedirectURI(p, lp)
	planHubOAuthLogin(p, lp)
}

// endpointNeeds is what a request to one of the login's endpoints waits
// for. An endpoint the spec sets is gated by its own host; one that only
// discovery tells is known after planning, so it waits on login.url's gate
// and on discovery.
func endpointNeeds(p *Plan, lp *LoginPlan, key, static string) (target string, needs []*Task) {
	needs = []*Task{lp.Discovery}
	if static != "" {
		return static, append(needs, p.Gate(key, static)...)
	}
	return lp.Login.URL, append(needs, lp.Gate...)
}

// Client authentication methods, as RFC 7591 and discovery name them.
const (
	clientSecretPost  = "client_secret_post"
	clientSecretBasic = "client_secret_basic"
)

// clientAuthMethod is how OAuthenticator sends the client's credentials:
// in the POST body unless basic_auth is rendered true (GenericOAuthenticator's
// default has been False since 16.0.2).
func clientAuthMethod(a *hub.Authenticator) string {
	if v, ok := traitValue(a, "basic_auth").(bool); ok && v {
		return clientSecretBasic
	}
	return clientSecretPost
}

func otherAuthMethod(m string) string {
	if m == clientSecretBasic {
		return clientSecretPost
	}
	return clientSecretBasic
}

// traitValue is the rendered value of a GenericOAuthenticator trait, or nil.
func traitValue(a *hub.Authenticator, name string) any {
	for _, t := range a.Traits {
		if t.Name == name {
			return t.Value
		}
	}
	return nil
}

func traitString(a *hub.Authenticator, name string) string {
	s, _ := traitValue(a, name).(string)
	return s
}

func traitStrings(a *hub.Authenticator, name string) []string {
	s, _ := traitValue(a, name).([]string)
	return s
}

// registerHint points at the command that registers the hub's login client.
const registerHint = "register the client at the provider (hubctl app create login does it from the spec)"

// clientSecretFor resolves the login's client secret, or says why the
// check cannot go on.
func clientSecretFor(env *Env) (string, *Outcome) {
	a := env.Config.Authenticator
	if traitString(a, "client_id") == "" {
		o := Skipped(registerHint+", then set login.clientId", "login.clientId is not set: the client is not registered yet")
		return "", &o
	}
	secret, err := env.Secret(a.ClientSecret)
	if errors.Is(err, ErrNoValue) {
		o := Skipped(err.Error(), "%s is not readable here, so the client's credentials cannot be tried", a.ClientSecret.SpecPath)
		return "", &o
	}
	if err != nil {
		o := Failed(fmt.Sprintf("make %s readable where doctor runs", a.ClientSecret.SpecPath), "%s cannot be read: %v", a.ClientSecret.SpecPath, err)
		return "", &o
	}
	return secret, nil
}

func planCredentials(p *Plan, lp *LoginPlan) {
	env := p.Env
	target, needs := endpointNeeds(p, lp, "login.tokenUrl", lp.static.Token)
	p.Add(checkCredentials, target, needs, func(ctx context.Context) Outcome {
		tokenURL := lp.Endpoints().Token
		if tokenURL == "" {
			return Failed("set login.tokenUrl", "the token endpoint is unknown: neither the spec nor discovery gives one")
		}
		secret, stop := clientSecretFor(env)
		if stop != nil {
			return *stop
		}
		return checkClientCredentials(ctx, env, tokenURL, secret)
	})
}

// tokenAnswer is what a token endpoint answered to a bogus code.
type tokenAnswer struct {
	status int
	oauthError
	// token is set when the provider issued an access token;
	// noTokenType when it did without the token_type OAuthenticator
	// needs.
	token, noTokenType bool
	// what describes the body when it is not an OAuth error.
	what string
}

// authenticated reports whether the provider got past client
// authentication: it then judges the code (invalid_grant; some providers
// say invalid_request about the code) or the grant type.
func (t tokenAnswer) authenticated() bool {
	return t.Code == "invalid_grant" || t.Code == "unauthorized_client" || t.codeRefused()
}

// codeRefused reports an invalid_request about the code itself, which some
// providers answer instead of invalid_grant.
func (t tokenAnswer) codeRefused() bool {
	return t.Code == "invalid_request" && mentionsCode().MatchString(t.Description) && !mentionsClient().MatchString(t.Description)
}

// clientRefused reports that client authentication failed.
func (t tokenAnswer) clientRefused() bool {
	return t.Code == "invalid_client" || (t.Code == "" && t.status == http.StatusUnauthorized)
}

var (
	mentionsCode   = lazyre.New(`(?i)\b(authorization[ _])?code\b`)
	mentionsClient = lazyre.New(`(?i)\bclient|secret|authenticat`)
)

// String is the answer for messages: "401 invalid_client: ...", or the
// status and what the body was.
func (t tokenAnswer) String() string {
	switch {
	case t.Code != "":
		return fmt.Sprintf("%d %s", t.status, t.oauthError)
	case t.token:
		return fmt.Sprintf("%d with an access token", t.status)
	}
	return fmt.Sprintf("%d with %s", t.status, t.what)
}

func checkClientCredentials(ctx context.Context, env *Env, tokenURL, secret string) Outcome {
	a := env.Config.Authenticator
	clientID := traitString(a, "client_id")
	redirectURI := traitString(a, "oauth_callback_url")
	method := clientAuthMethod(a)
	first, err := postBogusCode(ctx, env, tokenURL, clientID, secret, redirectURI, method)
	if err != nil {
		return Failed("", "%v", err)
	}
	switch {
	case first.token:
		msg := "the provider issued an access token for a made-up authorization code"
		if first.noTokenType {
			msg += ", and without the token_type OAuthenticator needs (it fails with KeyError 'token_type')"
		}
		return Failed("do not use this provider until it checks authorization codes: anyone could log in", "%s", msg)
	case first.status == http.StatusOK && first.Code == "":
		return Failed("the token endpoint must answer a code exchange with an access_token and a token_type (RFC 6749 §5.1)",
			"POST %s answered 200 with %s and no access_token: OAuthenticator fails such an answer with 500 Bad response", tokenURL, first.what)
	case first.codeRefused():
		return Passed("the client authenticated (the bogus code was refused with %s)", first.oauthError)
	case first.Code == "invalid_grant":
		return Passed("the client authenticated (the bogus code was refused with invalid_grant)")
	case first.Code == "unauthorized_client":
		return Failed("allow the authorization_code grant (and response type code) for the client at the provider",
			"the provider does not let client %s use the authorization_code grant (%s)", clientID, first.oauthError)
	case !first.clientRefused():
		return Failed("", "POST %s answered %s, neither invalid_grant (client authenticated) nor invalid_client", tokenURL, first)
	}
	other := otherAuthMethod(method)
	second, err := postBogusCode(ctx, env, tokenURL, clientID, secret, redirectURI, other)
	if err == nil && second.authenticated() {
		return Failed(authMethodHint(method, other),
			"the provider accepts %s, not %s, for this client (%s answered %d %s)", other, method, method, first.status, first.Code)
	}
	return Failed(fmt.Sprintf("check login.clientId and login.clientSecret against the provider's registration, or %s", registerHint),
		"the provider does not accept client id %s with login.clientSecret (unknown client, or wrong secret): %s", clientID, first)
}

// authMethodHint says how to make OAuthenticator and the provider agree.
// hubctl has no spec key for basic_auth, so the setting is named as the
// hub reads it.
func authMethodHint(sent, accepted string) string {
	if accepted == clientSecretBasic {
		return "set GenericOAuthenticator.basic_auth = True in the hub's config, or register the client with token_endpoint_auth_method " + clientSecretPost + " at the provider"
	}
	return "set GenericOAuthenticator.basic_auth = False in the hub's config, or register the client with token_endpoint_auth_method " + sent + " at the provider"
}

// postBogusCode sends the token request OAuthenticator sends after a login,
// with a code no provider issued: the answer tells whether the client
// authenticated without anyone logging in.
func postBogusCode(ctx context.Context, env *Env, tokenURL, clientID, secret, redirectURI, method string) (tokenAnswer, error) {
	form := url.Values{
		"grant_type":   {"authorization_code"},
		"code":         {randomToken()},
		"redirect_uri": {redirectURI},
	}
	if method == clientSecretPost {
		form.Set("client_id", clientID)
		form.Set("client_secret", secret)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return tokenAnswer{}, fmt.Errorf("the token endpoint %q is not a URL: %v", tokenURL, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if method == clientSecretBasic {
		// As OAuthenticator builds the header: id:secret, not form-encoded.
		req.SetBasicAuth(clientID, secret)
	}
	resp, body, err := env.Fetch(req, false, maxProviderBody)
	if err != nil {
		return tokenAnswer{}, err
	}
	ans := tokenAnswer{status: resp.StatusCode, oauthError: parseOAuthError(body)}
	if ans.Code == "" {
		ans.Code, ans.Description = wwwAuthenticateError(resp.Header.Get("WWW-Authenticate"))
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   any    `json:"token_type"`
	}
	if resp.StatusCode == http.StatusOK && json.Unmarshal(body, &tok) == nil && tok.AccessToken != "" {
		ans.token = true
		ans.noTokenType = tok.TokenType == nil
	}
	ans.what = hideSecret(netdiag.DescribeBody(resp.Header.Get("Content-Type"), body), secret)
	ans.Description = hideSecret(ans.Description, secret)
	return ans, nil
}

// hideSecret masks secret in s, in case a provider echoes what it got.
func hideSecret(s, secret string) string {
	if secret == "" {
		return s
	}
	return strings.ReplaceAll(s, secret, "********")
}

// oauthError is an RFC 6749 §5.2 error: the JSON body of a refused token
// request, or the error parameters of a redirect.
type oauthError struct {
	Code        string `json:"error"`
	Description string `json:"error_description"`
}

func (e oauthError) String() string {
	if e.Description == "" {
		return e.Code
	}
	return e.Code + ": " + shorten(e.Description)
}

// parseOAuthError reads an RFC 6749 error from a JSON body; zero when it is
// not one.
func parseOAuthError(body []byte) oauthError {
	var e struct {
		Code        any    `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(body, &e) != nil {
		return oauthError{}
	}
	code, _ := e.Code.(string)
	return oauthError{Code: code, Description: e.Description}
}

var authParam = lazyre.New(`(error|error_description)="([^"]*)"`)

// wwwAuthenticateError reads error="..." from a WWW-Authenticate header,
// where Doorkeeper repeats the token error.
func wwwAuthenticateError(h string) (code, description string) {
	for _, m := range authParam().FindAllStringSubmatch(h, -1) {
		if m[1] == "error" {
			code = m[2]
		} else {
			description = m[2]
		}
	}
	return code, description
}

// shorten keeps a provider's description to a length that fits a one-line
// message.
func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	const longest = 320
	if r := []rune(s); len(r) > longest {
		return string(r[:longest]) + "..."
	}
	return s
}

// randomToken is 32 random bytes, base64url: a state, a bogus code, a PKCE
// verifier (43 characters, within RFC 7636's 43 to 128).
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}
