package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/hubctl/hubctl/pkg/lazyre"
)

// NBGallerySessionCookie is the name of NBGallery's Rails session cookie
// (its config/initializers/session_store.rb), assumed when the cookie file
// holds a bare value.
const NBGallerySessionCookie = "_jupyter-gallery_session"

// ErrSessionExpired is an NBGallery session cookie that no longer signs in
// an admin.
var ErrSessionExpired = errors.New("the NBGallery session is not an admin's live session")

// NBGalleryOptions configure the NBGallery backend.
type NBGalleryOptions struct {
	HTTPClient *http.Client
	// BaseURL is NBGallery's address (login.url), without a trailing slash.
	BaseURL string
	// SessionCookie is an admin's session cookie as ParseSessionCookie
	// reads it; empty is guided mode.
	SessionCookie string
	// Prompt asks for the UID and secret in guided mode.
	Prompt Prompter
	// Out receives the console steps of guided mode and notes.
	Out io.Writer
}

// NewNBGallery is NBGallery's OAuth applications (Doorkeeper's admin
// pages). NBGallery has no API token for them: in guided mode the user
// fills in the form and types what it shows; in session mode hubctl uses
// the form's JSON twin with an admin's browser session.
func NewNBGallery(o NBGalleryOptions) Backend {
	o.BaseURL = strings.TrimSuffix(o.BaseURL, "/")
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.HTTPClient == nil {
		o.HTTPClient = http.DefaultClient
	}
	if strings.TrimSpace(o.SessionCookie) == "" {
		return &nbgGuided{o: o}
	}
	client := *o.HTTPClient
	// A redirect is how NBGallery answers a stale session; it must be
	// seen, not followed to the sign-in page.
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	// The cookies are the admin's, sent by hand; a jar would add others.
	client.Jar = nil
	s := &nbgSession{o: o, client: &client}
	s.cookies, s.cookieErr = ParseSessionCookie(o.SessionCookie)
	return s
}

// nbgApp is Doorkeeper's JSON for an application, as its owner sees it.
type nbgApp struct {
	ID           int             `json:"id"`
	Name         string          `json:"name"`
	UID          string          `json:"uid"`
	Secret       string          `json:"secret"`
	RedirectURI  string          `json:"redirect_uri"`
	Scopes       json.RawMessage `json:"scopes"`
	Confidential bool            `json:"confidential"`
}

// scopeList reads scopes as Doorkeeper serializes them: a space-separated
// string, or a list.
func (a nbgApp) scopeList() []string {
	var s string
	if json.Unmarshal(a.Scopes, &s) == nil {
		return strings.Fields(s)
	}
	var l []string
	if json.Unmarshal(a.Scopes, &l) == nil {
		return l
	}
	return nil
}

func nbgName(c Client) string {
	if c.DisplayName != "" {
		return c.DisplayName
	}
	return c.Name
}

// nbgScopes is what goes in the form's Scopes field: NBGallery's default
// scope when the hub asks for none.
func nbgScopes(c Client) string {
	if len(c.Scopes) == 0 {
		return "read"
	}
	return strings.Join(c.Scopes, " ")
}

// nbgWarnings are what NBGallery in production will refuse: Doorkeeper's
// force_ssl_in_redirect_uri (no loopback exception) and
// enforce_configured_scopes with read and write.
func nbgWarnings(c Client) []string {
	var out []string
	for _, u := range c.RedirectURIs {
		if strings.HasPrefix(strings.ToLower(u), "http://") {
			out = append(out, fmt.Sprintf("NBGallery in production accepts only https redirect URIs and refuses %s (\"must be an HTTPS/SSL URI\"): serve the hub over https and set hub.url to its https address", u))
		}
	}
	for _, s := range strings.Fields(nbgScopes(c)) {
		if s != "read" && s != "write" {
			out = append(out, fmt.Sprintf("NBGallery knows only the scopes read and write and refuses %q: set the login's scopes to read", s))
		}
	}
	return out
}

// --- guided mode -------------------------------------------------------

type nbgGuided struct{ o NBGalleryOptions }

func (g *nbgGuided) Name() string { return "nbgallery" }

// writeForm prints what to enter in NBGallery's New Application form.
func (g *nbgGuided) writeForm(c Client) {
	w := g.o.Out
	fmt.Fprintf(w, "  1. Sign in to NBGallery as an admin and open %s/oauth/applications/new\n", g.o.BaseURL)
	fmt.Fprintf(w, "     (Admin > Manage OAuth Applications > New Application).\n")
	fmt.Fprintf(w, "  2. Enter:\n")
	fmt.Fprintf(w, "       Name:          %s\n", nbgName(c))
	fmt.Fprintf(w, "       Redirect URI:  (one per line; NBGallery in production requires https)\n")
	for _, u := range c.RedirectURIs {
		fmt.Fprintf(w, "                      %s\n", u)
	}
	fmt.Fprintf(w, "       Confidential:  checked\n")
	fmt.Fprintf(w, "       Scopes:        %s\n", nbgScopes(c))
	fmt.Fprintf(w, "  3. Press Submit; the next page shows the UID and the Secret.\n")
	for _, warn := range nbgWarnings(c) {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
}

// ask reads the UID and secret the form showed, and checks them at the
// token endpoint.
func (g *nbgGuided) ask(ctx context.Context, c Client) (Registration, error) {
	if g.o.Prompt == nil {
		return Registration{}, fmt.Errorf("guided mode reads NBGallery's UID and secret from a terminal or standard input, and has neither here: pass --client-id and --client-secret-file")
	}
	uid, err := g.o.Prompt.Line("UID")
	if err != nil {
		return Registration{}, err
	}
	if uid == "" || strings.ContainsAny(uid, " \t") {
		return Registration{}, fmt.Errorf("the UID %q is not one: copy the UID from the application's page in NBGallery", uid)
	}
	secret, err := g.o.Prompt.Secret("Secret")
	if err != nil {
		return Registration{}, err
	}
	if secret == "" || strings.ContainsAny(secret, " \t") {
		return Registration{}, fmt.Errorf("the secret entered is empty or has spaces: copy the Secret from the application's page in NBGallery")
	}
	reg := Registration{ClientID: uid, ClientSecret: secret, RedirectURIs: slices.Clone(c.RedirectURIs), Scopes: strings.Fields(nbgScopes(c))}
	if err := g.checkCredentials(ctx, c, uid, secret); err != nil {
		return Registration{}, err
	}
	return reg, nil
}

// checkCredentials tries the UID and secret at NBGallery's token endpoint.
func (g *nbgGuided) checkCredentials(ctx context.Context, c Client, uid, secret string) error {
	c.AuthMethod = "client_secret_post"
	return checkClientCredentials(ctx, g.o.HTTPClient, g.o.Out, g.o.BaseURL+"/oauth/token", c, uid, secret, func(code string) error {
		return fmt.Errorf("NBGallery does not accept UID %s with the secret entered (%s): copy both again from the application's page at %s/oauth/applications", uid, code, g.o.BaseURL)
	})
}

func (g *nbgGuided) Create(ctx context.Context, c Client) (Registration, error) {
	fmt.Fprintf(g.o.Out, "NBGallery has no API for OAuth applications without an admin's browser session; register %s by hand:\n", c.Name)
	g.writeForm(c)
	return g.ask(ctx, c)
}

func (g *nbgGuided) Get(_ context.Context, c Client, prev Stored) (Registration, bool, error) {
	return Registration{}, false, fmt.Errorf("guided mode cannot read NBGallery's applications: check application UID %s at %s/oauth/applications, or pass --session-cookie-file: %w",
		firstNonEmpty(c.ClientID, prev.ClientID), g.o.BaseURL, ErrNotSupported)
}

func (g *nbgGuided) Update(_ context.Context, c Client, prev Stored) (Registration, error) {
	w := g.o.Out
	fmt.Fprintf(w, "Change %s's application in NBGallery by hand:\n", c.Name)
	fmt.Fprintf(w, "  1. Open %s/oauth/applications and press Edit beside %q (UID %s).\n", g.o.BaseURL, nbgName(c), firstNonEmpty(c.ClientID, prev.ClientID))
	fmt.Fprintf(w, "  2. Set Redirect URI to (one per line):\n")
	for _, u := range c.RedirectURIs {
		fmt.Fprintf(w, "       %s\n", u)
	}
	fmt.Fprintf(w, "     Confidential checked, Scopes %s; press Submit. The UID and secret stay the same.\n", nbgScopes(c))
	for _, warn := range nbgWarnings(c) {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
	return Registration{}, fmt.Errorf("guided mode cannot change NBGallery's application: make the changes above, or pass --session-cookie-file: %w", ErrNotSupported)
}

func (g *nbgGuided) Rotate(ctx context.Context, c Client, prev Stored) (Registration, error) {
	old := firstNonEmpty(c.ClientID, prev.ClientID)
	fmt.Fprintf(g.o.Out, "NBGallery (Doorkeeper) cannot regenerate a secret: create a new application for %s, which gets a new UID and secret:\n", c.Name)
	g.writeForm(c)
	reg, err := g.ask(ctx, c)
	if err != nil {
		return Registration{}, err
	}
	fmt.Fprintf(g.o.Out, "Then delete the old application (UID %s) at %s/oauth/applications: its secret works until you do.\n", old, g.o.BaseURL)
	return reg, nil
}

func (g *nbgGuided) Delete(_ context.Context, c Client, prev Stored) error {
	fmt.Fprintf(g.o.Out, "Delete %s's application in NBGallery by hand: open %s/oauth/applications and press Destroy beside %q (UID %s).\n",
		c.Name, g.o.BaseURL, nbgName(c), firstNonEmpty(c.ClientID, prev.ClientID))
	return fmt.Errorf("guided mode cannot delete NBGallery's application: delete it as shown above, or pass --session-cookie-file: %w", ErrNotSupported)
}

// --- session mode ------------------------------------------------------

type nbgSession struct {
	o      NBGalleryOptions
	client *http.Client

	mu        sync.Mutex
	cookies   []*http.Cookie
	cookieErr error
}

func (s *nbgSession) Name() string { return "nbgallery" }

// ParseSessionCookie reads an NBGallery session cookie file: a bare value
// (of NBGallerySessionCookie), a Cookie header's "name=value; ..." (with or
// without "Cookie:"), or a Netscape cookies.txt export.
func ParseSessionCookie(s string) ([]*http.Cookie, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("the session cookie file is empty: put the value of NBGallery's %s cookie in it", NBGallerySessionCookie)
	}
	var netscape []*http.Cookie
	for line := range strings.Lines(s) {
		line = strings.TrimRight(line, "\r\n")
		line = strings.TrimPrefix(line, "#HttpOnly_")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if f := strings.Split(line, "\t"); len(f) == 7 {
			netscape = append(netscape, &http.Cookie{Name: f[5], Value: f[6]})
		}
	}
	if len(netscape) > 0 {
		return netscape, nil
	}
	if name, rest, ok := strings.Cut(s, ":"); ok && strings.EqualFold(strings.TrimSpace(name), "cookie") {
		s = strings.TrimSpace(rest)
	}
	if strings.ContainsAny(s, "\r\n") {
		return nil, fmt.Errorf("the session cookie file has several lines and is not a cookies.txt export: put one line in it, the %s cookie's value or a Cookie header", NBGallerySessionCookie)
	}
	if !strings.Contains(s, "=") {
		if strings.ContainsAny(s, " ;,\"") {
			return nil, fmt.Errorf("the session cookie file holds no cookie value: put the value of NBGallery's %s cookie in it", NBGallerySessionCookie)
		}
		return []*http.Cookie{{Name: NBGallerySessionCookie, Value: s}}, nil
	}
	cookies, err := http.ParseCookie(s)
	if err != nil {
		return nil, fmt.Errorf("the session cookie file is not a Cookie header (name=value; ...): %v", err)
	}
	return cookies, nil
}

// request sends one request with the admin's cookies and takes the
// cookies NBGallery sets back (Rails may rewrite the session).
func (s *nbgSession) request(ctx context.Context, method, path string, form url.Values, csrf string) (*http.Response, []byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cookieErr != nil {
		return nil, nil, s.cookieErr
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, s.o.BaseURL+path, body)
	if err != nil {
		return nil, nil, err
	}
	pairs := make([]string, len(s.cookies))
	for i, c := range s.cookies {
		pairs[i] = c.Name + "=" + c.Value
	}
	req.Header.Set("Cookie", strings.Join(pairs, "; "))
	if strings.HasSuffix(path, ".json") {
		req.Header.Set("Accept", "application/json")
	} else {
		req.Header.Set("Accept", "text/html")
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, nil, redactURLError(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, nil, fmt.Errorf("%s %s%s: %w", method, s.o.BaseURL, path, err)
	}
	for _, set := range resp.Cookies() {
		if set.Value == "" || set.MaxAge < 0 {
			continue
		}
		i := slices.IndexFunc(s.cookies, func(c *http.Cookie) bool { return c.Name == set.Name })
		if i < 0 {
			s.cookies = append(s.cookies, &http.Cookie{Name: set.Name, Value: set.Value})
		} else {
			s.cookies[i].Value = set.Value
		}
	}
	return resp, data, s.sessionProblem(resp, method+" "+path)
}

// sessionProblem tells a refused session: a redirect (to the sign-in
// page), 401, or 403 (the stand-in's and Doorkeeper's default for a
// non-admin). NBGallery itself raises User::Forbidden there, which
// Doorkeeper's controllers do not rescue: a 500.
func (s *nbgSession) sessionProblem(resp *http.Response, what string) error {
	var why string
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		why = "redirected to " + resp.Header.Get("Location")
	case resp.StatusCode == http.StatusUnauthorized, resp.StatusCode == http.StatusForbidden:
		why = "HTTP " + strconv.Itoa(resp.StatusCode)
	case resp.StatusCode == http.StatusInternalServerError && resp.Request.Method == http.MethodGet:
		why = "HTTP 500, NBGallery's answer to a user who is not an admin"
	default:
		return nil
	}
	return fmt.Errorf("%s: %w (%s): sign in to %s as an admin and put the new session cookie in the cookie file (--session-cookie-file)",
		what, ErrSessionExpired, why, s.o.BaseURL)
}

var (
	nbgTagRE  = lazyre.New(`(?is)<(meta|input)\b[^>]*>`)
	nbgAttrRE = lazyre.New(`(?s)([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))`)
	// nbgIDRE finds the applications in the index page's links.
	nbgIDRE = lazyre.New(`href="/oauth/applications/(\d+)"`)
)

// csrfToken reads the token Rails wants with every change, from the
// csrf-token meta tag of the New Application page (the layout's
// csrf_meta_tags), else from the form's authenticity_token.
func (s *nbgSession) csrfToken(ctx context.Context) (string, error) {
	resp, page, err := s.request(ctx, http.MethodGet, "/oauth/applications/new", nil, "")
	if err != nil {
		return "", err
	}
	if resp.StatusCode == http.StatusNotFound {
		return "", fmt.Errorf("%s has no /oauth/applications: its OAuth provider is off; set oauth_provider_enabled (GALLERY__OAUTH_PROVIDER_ENABLED=true) and restart NBGallery", s.o.BaseURL)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s/oauth/applications/new: HTTP %d, want 200 with the New Application form", s.o.BaseURL, resp.StatusCode)
	}
	var formToken string
	for _, tag := range nbgTagRE().FindAllString(string(page), -1) {
		attrs := map[string]string{}
		for _, m := range nbgAttrRE().FindAllStringSubmatch(tag, -1) {
			attrs[strings.ToLower(m[1])] = html.UnescapeString(m[2] + m[3] + m[4])
		}
		switch {
		case attrs["name"] == "csrf-token" && attrs["content"] != "":
			return attrs["content"], nil
		case attrs["name"] == "authenticity_token" && formToken == "":
			formToken = attrs["value"]
		}
	}
	if formToken == "" {
		return "", fmt.Errorf("%s/oauth/applications/new has no CSRF token (no csrf-token meta tag, no authenticity_token field): is %s NBGallery?", s.o.BaseURL, s.o.BaseURL)
	}
	return formToken, nil
}

func nbgForm(c Client) url.Values {
	return url.Values{
		"doorkeeper_application[name]":         {nbgName(c)},
		"doorkeeper_application[redirect_uri]": {strings.Join(c.RedirectURIs, "\n")},
		"doorkeeper_application[scopes]":       {nbgScopes(c)},
		"doorkeeper_application[confidential]": {"1"},
	}
}

// change sends a create or update and reads the application back.
func (s *nbgSession) change(ctx context.Context, method, path string, c Client) (nbgApp, error) {
	token, err := s.csrfToken(ctx)
	if err != nil {
		return nbgApp{}, err
	}
	resp, data, err := s.request(ctx, method, path, nbgForm(c), token)
	if err != nil {
		return nbgApp{}, err
	}
	switch resp.StatusCode {
	case http.StatusOK, http.StatusCreated:
		var a nbgApp
		if err := json.Unmarshal(data, &a); err != nil || a.UID == "" {
			return nbgApp{}, fmt.Errorf("%s %s%s answered no application JSON (with a uid): is %s NBGallery?", method, s.o.BaseURL, path, s.o.BaseURL)
		}
		return a, nil
	case http.StatusUnprocessableEntity:
		var refused struct {
			Errors []string `json:"errors"`
		}
		if json.Unmarshal(data, &refused) == nil && len(refused.Errors) > 0 {
			msg := fmt.Sprintf("NBGallery refused the application: %s", strings.Join(refused.Errors, "; "))
			if warns := nbgWarnings(c); len(warns) > 0 {
				msg += " (" + strings.Join(warns, "; ") + ")"
			}
			return nbgApp{}, errors.New(msg)
		}
		return nbgApp{}, fmt.Errorf("%s %s%s: NBGallery refused the CSRF token (HTTP 422), which happens when the session changed: %w; put a fresh session cookie in the cookie file (--session-cookie-file)",
			method, s.o.BaseURL, path, ErrSessionExpired)
	}
	return nbgApp{}, fmt.Errorf("%s %s%s: HTTP %d", method, s.o.BaseURL, path, resp.StatusCode)
}

func (s *nbgSession) registration(a nbgApp) Registration {
	return Registration{ClientID: a.UID, RedirectURIs: strings.Fields(a.RedirectURI), Scopes: a.scopeList(),
		RegistrationURI: s.appURL(a.ID)}
}

func (s *nbgSession) appURL(id int) string {
	return fmt.Sprintf("%s/oauth/applications/%d", s.o.BaseURL, id)
}

func (s *nbgSession) Create(ctx context.Context, c Client) (Registration, error) {
	a, err := s.change(ctx, http.MethodPost, "/oauth/applications.json", c)
	if err != nil {
		return Registration{}, err
	}
	if a.Secret == "" {
		return Registration{}, fmt.Errorf("NBGallery created application %s (UID %s) and showed no secret; copy it from %s or delete the application there",
			a.Name, a.UID, s.appURL(a.ID))
	}
	reg := s.registration(a)
	reg.ClientSecret = a.Secret
	return reg, nil
}

// fetch reads application id; ok is false when NBGallery has none.
func (s *nbgSession) fetch(ctx context.Context, id int) (nbgApp, bool, error) {
	path := fmt.Sprintf("/oauth/applications/%d.json", id)
	resp, data, err := s.request(ctx, http.MethodGet, path, nil, "")
	if err != nil {
		return nbgApp{}, false, err
	}
	switch resp.StatusCode {
	case http.StatusNotFound:
		return nbgApp{}, false, nil
	case http.StatusOK:
		var a nbgApp
		if err := json.Unmarshal(data, &a); err != nil {
			return nbgApp{}, false, fmt.Errorf("GET %s%s: not application JSON: %v", s.o.BaseURL, path, err)
		}
		return a, true, nil
	}
	return nbgApp{}, false, fmt.Errorf("GET %s%s: HTTP %d", s.o.BaseURL, path, resp.StatusCode)
}

// find looks up the application with c's UID: at the address the state
// remembers, else through the index page (Doorkeeper's JSON index is a
// 204 with no body), which a guided registration needs.
func (s *nbgSession) find(ctx context.Context, c Client, prev Stored) (nbgApp, bool, error) {
	uid := firstNonEmpty(c.ClientID, prev.ClientID)
	if rest, ok := strings.CutPrefix(prev.RegistrationURI, s.o.BaseURL+"/oauth/applications/"); ok {
		if id, err := strconv.Atoi(rest); err == nil {
			a, ok, err := s.fetch(ctx, id)
			if err != nil {
				return nbgApp{}, false, err
			}
			if ok && (uid == "" || a.UID == uid) {
				return a, true, nil
			}
		}
	}
	if uid == "" {
		return nbgApp{}, false, nil
	}
	resp, page, err := s.request(ctx, http.MethodGet, "/oauth/applications", nil, "")
	if err != nil {
		return nbgApp{}, false, err
	}
	if resp.StatusCode != http.StatusOK {
		return nbgApp{}, false, fmt.Errorf("GET %s/oauth/applications: HTTP %d, want 200 with the list of applications", s.o.BaseURL, resp.StatusCode)
	}
	seen := map[int]bool{}
	for _, m := range nbgIDRE().FindAllSubmatch(page, -1) {
		id, _ := strconv.Atoi(string(m[1]))
		if seen[id] {
			continue
		}
		seen[id] = true
		a, ok, err := s.fetch(ctx, id)
		if err != nil {
			return nbgApp{}, false, err
		}
		if ok && a.UID == uid {
			return a, true, nil
		}
	}
	return nbgApp{}, false, nil
}

func (s *nbgSession) Get(ctx context.Context, c Client, prev Stored) (Registration, bool, error) {
	a, ok, err := s.find(ctx, c, prev)
	if err != nil || !ok {
		return Registration{}, false, err
	}
	return s.registration(a), true, nil
}

func (s *nbgSession) Update(ctx context.Context, c Client, prev Stored) (Registration, error) {
	a, ok, err := s.find(ctx, c, prev)
	if err != nil {
		return Registration{}, err
	}
	if !ok {
		return Registration{}, fmt.Errorf("NBGallery at %s has no application with UID %s: run hubctl app create %s", s.o.BaseURL, firstNonEmpty(c.ClientID, prev.ClientID), c.Name)
	}
	a, err = s.change(ctx, http.MethodPatch, fmt.Sprintf("/oauth/applications/%d.json", a.ID), c)
	if err != nil {
		return Registration{}, err
	}
	return s.registration(a), nil
}

// Rotate makes a new application and deletes the old one: Doorkeeper's
// applications API cannot renew a secret. The new one is made first so
// that a failure leaves the working client alone.
func (s *nbgSession) Rotate(ctx context.Context, c Client, prev Stored) (Registration, error) {
	old, found, err := s.find(ctx, c, prev)
	if err != nil {
		return Registration{}, err
	}
	reg, err := s.Create(ctx, c)
	if err != nil {
		return Registration{}, err
	}
	fmt.Fprintf(s.o.Out, "NBGallery (Doorkeeper) cannot renew a secret: hubctl made a new application, UID %s, whose UID replaces login.clientId\n", reg.ClientID)
	if !found {
		return reg, nil
	}
	// The new secret must reach the state even if the old application
	// stays: say how to finish instead of failing.
	if err := s.destroy(ctx, old.ID); err != nil {
		fmt.Fprintf(s.o.Out, "warning: the old application (UID %s) was not deleted (%v): press Destroy beside it at %s/oauth/applications\n", old.UID, err, s.o.BaseURL)
	} else {
		fmt.Fprintf(s.o.Out, "deleted the old application (UID %s)\n", old.UID)
	}
	return reg, nil
}

func (s *nbgSession) destroy(ctx context.Context, id int) error {
	token, err := s.csrfToken(ctx)
	if err != nil {
		return err
	}
	path := fmt.Sprintf("/oauth/applications/%d.json", id)
	resp, _, err := s.request(ctx, http.MethodDelete, path, nil, token)
	if err != nil {
		return err
	}
	switch resp.StatusCode {
	case http.StatusOK, http.StatusNoContent, http.StatusNotFound:
		return nil
	case http.StatusUnprocessableEntity:
		return fmt.Errorf("DELETE %s%s: NBGallery refused the CSRF token (HTTP 422): %w; put a fresh session cookie in the cookie file (--session-cookie-file)", s.o.BaseURL, path, ErrSessionExpired)
	}
	return fmt.Errorf("DELETE %s%s: HTTP %d", s.o.BaseURL, path, resp.StatusCode)
}

func (s *nbgSession) Delete(ctx context.Context, c Client, prev Stored) error {
	a, ok, err := s.find(ctx, c, prev)
	if err != nil {
		return err
	}
	if !ok {
		fmt.Fprintf(s.o.Out, "NBGallery at %s has no application with UID %s: nothing to delete there\n", s.o.BaseURL, firstNonEmpty(c.ClientID, prev.ClientID))
		return nil
	}
	return s.destroy(ctx, a.ID)
}

// redactURLError drops the query of a failed request's URL from its
// error; the requests here carry no secret in the URL, but a base URL
// might.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			u.RawQuery, u.User = "", nil
			return &url.Error{Op: ue.Op, URL: u.String(), Err: ue.Err}
		}
	}
	return err
}
