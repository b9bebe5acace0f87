// This file is the browser stand-in: a cookie-keeping HTTP client that does
// not follow redirects on its own, the stepping loop the provider drivers
// share, and a small reader for the HTML forms of login and consent pages.

package testbed

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// NewBrowser returns an HTTP client with a cookie jar that returns every
// redirect to the caller instead of following it, so that a driver can look
// at (and intercept) each hop. With CAs given it trusts exactly those;
// otherwise it trusts the system roots.
func NewBrowser(cas ...*CA) *http.Client {
	jar, _ := cookiejar.New(nil) // never fails with nil options
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if len(cas) > 0 {
		pool := x509.NewCertPool()
		for _, ca := range cas {
			pool.AddCert(ca.Cert)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{
		Jar:       jar,
		Transport: tr,
		Timeout:   30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// Flow is one login through a provider's pages, as a user's browser would
// run it.
type Flow struct {
	// Client must come from NewBrowser (or behave like it: a cookie jar and
	// no automatic redirects).
	Client *http.Client
	// StartURL is the first page, e.g. a hub's /hub/oauth_login or the
	// provider's authorize URL with all its parameters.
	StartURL string
	// Username and Password of the account to log in as. Hydra has no
	// passwords: Username becomes the subject. oidc-provider's development
	// pages accept any password.
	Username string
	Password string
	// ReturnHost is the host:port the flow ends on. It defaults to the host
	// of StartURL; set it when StartURL is the provider's own authorize URL.
	ReturnHost string
	// Claims are added to the id_token and userinfo claims that Hydra's
	// consent is accepted with (see Hydra.LogIn). Other providers ignore it.
	Claims map[string]any
	// OnHop, if set, is called after every request with what it returned.
	OnHop func(Hop)
}

// Hop is one request of a flow and the status it got.
type Hop struct {
	Method   string
	URL      string
	Status   int
	Location string // the Location header of a redirect
}

// String is a one-line summary for logs; long URLs (challenges, codes) are
// cut short.
func (h Hop) String() string {
	s := fmt.Sprintf("%s %s -> %d", h.Method, shorten(h.URL), h.Status)
	if h.Location != "" {
		s += " " + shorten(h.Location)
	}
	return s
}

func shorten(s string) string {
	const max = 160
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}

// FlowResult is where a flow ended.
type FlowResult struct {
	// Response is the response to the first request back on the return host
	// after leaving it, usually the OAuth callback. Its body has been read
	// into Body (and replaced by a reader of it).
	Response *http.Response
	Body     []byte
	// Hops lists every request made, the last one being Response's.
	Hops []Hop
}

// maxHops bounds a flow; a real login takes about ten.
const maxHops = 40

// stepper inspects a provider's response and returns the next request, or
// nil to let the loop follow a redirect.
type stepper func(ctx context.Context, resp *http.Response, body []byte) (*http.Request, error)

// run drives a flow: it sends each request, lets step react to the
// provider's pages and stops on the first request back on the return host
// after the flow has left it.
func (f *Flow) run(ctx context.Context, step stepper) (*FlowResult, error) {
	if f.Client == nil {
		return nil, errors.New("testbed: Flow.Client is nil; use NewBrowser")
	}
	start, err := url.Parse(f.StartURL)
	if err != nil {
		return nil, fmt.Errorf("testbed: start URL: %w", err)
	}
	returnHost := f.ReturnHost
	if returnHost == "" {
		returnHost = start.Host
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.StartURL, nil)
	if err != nil {
		return nil, err
	}
	res := &FlowResult{}
	left := false
	for range maxHops {
		back := left && req.URL.Host == returnHost
		if req.URL.Host != returnHost {
			left = true
		}
		resp, err := f.Client.Do(req)
		if err != nil {
			return res, fmt.Errorf("testbed: %s %s: %w (hops: %s)", req.Method, req.URL, err, hopList(res.Hops))
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return res, fmt.Errorf("testbed: reading %s: %w", req.URL, err)
		}
		resp.Body = io.NopCloser(strings.NewReader(string(body)))
		hop := Hop{Method: req.Method, URL: req.URL.String(), Status: resp.StatusCode, Location: resp.Header.Get("Location")}
		res.Hops = append(res.Hops, hop)
		if f.OnHop != nil {
			f.OnHop(hop)
		}
		if back {
			res.Response, res.Body = resp, body
			return res, nil
		}

		next, err := step(ctx, resp, body)
		if err != nil {
			return res, fmt.Errorf("%w (hops: %s)", err, hopList(res.Hops))
		}
		if next == nil {
			loc, err := resp.Location()
			if err != nil || resp.StatusCode < 300 || resp.StatusCode > 399 {
				return res, fmt.Errorf("testbed: stuck at %s %s: HTTP %d, not a redirect nor a page the driver knows; body: %.400s (hops: %s)",
					req.Method, req.URL, resp.StatusCode, body, hopList(res.Hops))
			}
			if next, err = http.NewRequestWithContext(ctx, http.MethodGet, loc.String(), nil); err != nil {
				return res, err
			}
		}
		req = next
	}
	return res, fmt.Errorf("testbed: no return to %s after %d hops: %s", returnHost, maxHops, hopList(res.Hops))
}

func hopList(hops []Hop) string {
	s := make([]string, len(hops))
	for i, h := range hops {
		s[i] = h.String()
	}
	return strings.Join(s, "; ")
}

// Form is an HTML form as the page has it: its action resolved against the
// page URL, its method and its fields with their default values.
type Form struct {
	Action string
	Method string // upper case; GET if the page says nothing
	Fields url.Values
	// Buttons holds the name=value of named submit buttons (sent only for
	// the button that is pressed), and Text the form's inner HTML.
	Buttons url.Values
	Text    string
}

var (
	formRE  = regexp.MustCompile(`(?is)<form\b([^>]*)>(.*?)</form>`)
	inputRE = regexp.MustCompile(`(?is)<(input|button)\b([^>]*)>`)
	attrRE  = regexp.MustCompile(`(?is)([a-z_:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))`)
)

// ParseForms reads the forms of an HTML page served at pageURL. It is made
// for the simple, known pages of the test servers, not for HTML at large:
// it reads input and button tags only.
func ParseForms(pageURL string, page []byte) ([]Form, error) {
	base, err := url.Parse(pageURL)
	if err != nil {
		return nil, err
	}
	var forms []Form
	for _, m := range formRE.FindAllStringSubmatch(string(page), -1) {
		attrs := parseAttrs(m[1])
		action, err := base.Parse(attrs["action"])
		if err != nil {
			return nil, fmt.Errorf("form action %q: %w", attrs["action"], err)
		}
		f := Form{
			Action:  action.String(),
			Method:  strings.ToUpper(attrs["method"]),
			Fields:  url.Values{},
			Buttons: url.Values{},
			Text:    m[2],
		}
		if f.Method == "" {
			f.Method = http.MethodGet
		}
		for _, in := range inputRE.FindAllStringSubmatch(m[2], -1) {
			a := parseAttrs(in[2])
			name := a["name"]
			if name == "" {
				continue
			}
			typ := strings.ToLower(a["type"])
			switch {
			case strings.EqualFold(in[1], "button") || typ == "submit":
				f.Buttons.Add(name, a["value"])
			case typ == "checkbox" || typ == "radio":
				if _, checked := a["checked"]; checked {
					f.Fields.Add(name, a["value"])
				}
			default:
				f.Fields.Add(name, a["value"])
			}
		}
		forms = append(forms, f)
	}
	return forms, nil
}

func parseAttrs(s string) map[string]string {
	attrs := map[string]string{}
	for _, m := range attrRE.FindAllStringSubmatch(s, -1) {
		v := m[2] + m[3] + m[4] // only one of them matched
		attrs[strings.ToLower(m[1])] = html.UnescapeString(v)
	}
	// Bare attributes such as "checked" or "required".
	for _, w := range strings.Fields(attrRE.ReplaceAllString(s, " ")) {
		w = strings.ToLower(strings.Trim(w, "/"))
		if w != "" {
			if _, ok := attrs[w]; !ok {
				attrs[w] = ""
			}
		}
	}
	return attrs
}

// Request builds the request that submits the form with its fields, the
// values in set replacing theirs.
func (f Form) Request(ctx context.Context, set url.Values) (*http.Request, error) {
	vals := url.Values{}
	for k, v := range f.Fields {
		vals[k] = append([]string(nil), v...)
	}
	for k, v := range set {
		vals[k] = v
	}
	if f.Method == http.MethodGet {
		u, err := url.Parse(f.Action)
		if err != nil {
			return nil, err
		}
		u.RawQuery = vals.Encode()
		return http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.Action, strings.NewReader(vals.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req, nil
}

// findForm returns the first form with a field or button of the given name
// (and value, if value is not empty).
func findForm(forms []Form, name, value string) (Form, bool) {
	for _, f := range forms {
		for _, vals := range []url.Values{f.Fields, f.Buttons} {
			if vs, ok := vals[name]; ok {
				if value == "" {
					return f, true
				}
				for _, v := range vs {
					if v == value {
						return f, true
					}
				}
			}
		}
	}
	return Form{}, false
}

// isHTML reports whether resp is an HTML page with a 200 status.
func isHTML(resp *http.Response) bool {
	return resp.StatusCode == http.StatusOK && strings.Contains(resp.Header.Get("Content-Type"), "text/html")
}
