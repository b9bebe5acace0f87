// This file runs the NBGallery stand-in, scripts/testbed/doorkeeper/config.ru
// (Doorkeeper from Debian in a one-file Rails app), and logs in through its
// login form and Doorkeeper's consent page.

package testbed

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// DoorkeeperUser is an NBGallery user account.
type DoorkeeperUser struct {
	UserName  string `json:"user_name"`
	Email     string `json:"email"`
	Password  string `json:"password"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	Org       string `json:"org,omitempty"`
	Admin     bool   `json:"admin"`
}

// DoorkeeperUsers are the accounts seeded unless DoorkeeperOptions.Users
// says otherwise: two users and an admin.
var DoorkeeperUsers = []DoorkeeperUser{
	{UserName: "alice", Email: "alice@example.org", Password: "alice-password", FirstName: "Alice", LastName: "Liddell", Org: "Wonderland"},
	{UserName: "bob", Email: "bob@example.org", Password: "bob-password", FirstName: "Bob", LastName: "Builder", Org: "Site"},
	{UserName: "admin", Email: "admin@example.org", Password: "admin-password", FirstName: "Ada", LastName: "Admin", Org: "Gallery", Admin: true},
}

// DoorkeeperApp is an OAuth application (Doorkeeper's oauth_applications
// row), as requested and as seeded.
type DoorkeeperApp struct {
	Name string `json:"name"`
	// RedirectURI may hold several URIs separated by whitespace.
	RedirectURI string `json:"redirect_uri"`
	// Scopes is space-separated; "read" when empty, as an NBGallery admin
	// would enter it. With enforce_configured_scopes only read and write
	// are accepted.
	Scopes string `json:"scopes,omitempty"`
	// UID and Secret are the client ID and secret. Doorkeeper generates
	// them when empty.
	UID    string `json:"uid,omitempty"`
	Secret string `json:"secret,omitempty"`
	// Public makes a non-confidential application (NBGallery's form
	// defaults to confidential).
	Public bool `json:"-"`

	// ID is the database ID after seeding.
	ID int `json:"id,omitempty"`
	// Errors holds Doorkeeper's validation errors when the application
	// was refused, e.g. "Redirect URI must be an HTTPS/SSL URI." in
	// production mode.
	Errors []string `json:"errors,omitempty"`
}

// DoorkeeperOptions configures StartDoorkeeper.
type DoorkeeperOptions struct {
	Applications []DoorkeeperApp
	// Users replaces DoorkeeperUsers.
	Users []DoorkeeperUser
	// Production runs RAILS_ENV=production, as a real NBGallery runs.
	// Doorkeeper then refuses http:// redirect URIs (its
	// force_ssl_in_redirect_uri defaults to !Rails.env.development?, with
	// no loopback exception), so applications for a plain-http hub end up
	// with Errors. The default, development mode, accepts them.
	Production bool
	// ProviderDisabled leaves NBGallery's OAuth provider off, as a gallery
	// without GALLERY__OAUTH_PROVIDER_ENABLED=true runs: Doorkeeper's
	// routes (/oauth/authorize, /oauth/token) are not drawn.
	ProviderDisabled bool
}

// Doorkeeper is the running NBGallery stand-in.
type Doorkeeper struct {
	URL          string // http://127.0.0.1:PORT
	AuthorizeURL string // URL + /oauth/authorize
	TokenURL     string // URL + /oauth/token
	UserinfoURL  string // URL + /oauth/userinfo (NBGallery's route)
	RailsEnv     string // "development" or "production"
	Users        []DoorkeeperUser
	// Applications are the requested applications after seeding, with
	// UID and Secret (or Errors) filled in.
	Applications []DoorkeeperApp
	*Process
}

// App returns the seeded application with the given name.
func (d *Doorkeeper) App(name string) (DoorkeeperApp, bool) {
	for _, a := range d.Applications {
		if a.Name == name {
			return a, true
		}
	}
	return DoorkeeperApp{}, false
}

// StartDoorkeeper starts the stand-in with a fresh SQLite database, seeds
// the users and applications and waits until it serves.
func StartDoorkeeper(t testing.TB, o DoorkeeperOptions) *Doorkeeper {
	t.Helper()
	root := RepoRoot(t)
	configRU := filepath.Join(root, "scripts", "testbed", "doorkeeper", "config.ru")
	rackup, err := exec.LookPath("rackup")
	if err != nil {
		t.Fatalf("testbed: rackup (Debian's ruby-rack, for Doorkeeper) is not installed: %v; run %s from the repository root first", err, SetupCommand)
	}
	if gems, _ := filepath.Glob("/usr/share/rubygems-integration/all/gems/doorkeeper-*"); len(gems) == 0 {
		t.Fatalf("testbed: Debian's ruby-doorkeeper is not installed; run %s from the repository root first", SetupCommand)
	}

	users := o.Users
	if users == nil {
		users = DoorkeeperUsers
	}
	apps := make([]map[string]any, len(o.Applications))
	for i, a := range o.Applications {
		scopes := a.Scopes
		if scopes == "" {
			scopes = "read"
		}
		apps[i] = map[string]any{
			"name": a.Name, "redirect_uri": a.RedirectURI, "scopes": scopes,
			"uid": a.UID, "secret": a.Secret, "confidential": !a.Public,
		}
	}
	dir := t.TempDir()
	resultFile := filepath.Join(dir, "seeded.json")
	cfgFile := filepath.Join(dir, "doorkeeper.json")
	data, _ := json.MarshalIndent(map[string]any{
		"db_path":      filepath.Join(dir, "doorkeeper.sqlite3"),
		"result_file":  resultFile,
		"users":        users,
		"applications": apps,
	}, "", "  ")
	if err := os.WriteFile(cfgFile, data, 0o600); err != nil {
		t.Fatalf("testbed: %v", err)
	}

	port := FreePort(t)
	d := &Doorkeeper{URL: fmt.Sprintf("http://127.0.0.1:%d", port), RailsEnv: "development", Users: users}
	if o.Production {
		d.RailsEnv = "production"
	}
	d.AuthorizeURL = d.URL + "/oauth/authorize"
	d.TokenURL = d.URL + "/oauth/token"
	d.UserinfoURL = d.URL + "/oauth/userinfo"
	d.Process = startProcess(t, startOptions{
		name: "doorkeeper",
		// -E none: rackup's development middleware (Rack::Lint and more)
		// stays out; Rails reads RAILS_ENV.
		argv: []string{rackup, "-s", "webrick", "-E", "none", "-o", "127.0.0.1", "-p", fmt.Sprint(port), configRU},
		dir:  dir,
		env: map[string]string{"RAILS_ENV": d.RailsEnv, "DOORKEEPER_CONFIG": cfgFile,
			"GALLERY__OAUTH_PROVIDER_ENABLED": strconv.FormatBool(!o.ProviderDisabled)},
	})
	waitReady(t, d.Process, http.DefaultClient, d.URL+"/up", 60*time.Second, statusOK)

	data, err = os.ReadFile(resultFile)
	if err != nil {
		t.Fatalf("testbed: doorkeeper wrote no seeding result: %v", err)
	}
	var res struct {
		Applications []DoorkeeperApp `json:"applications"`
	}
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatalf("testbed: doorkeeper seeding result: %v", err)
	}
	for i, a := range res.Applications {
		a.Public = o.Applications[i].Public
		if len(a.Errors) > 0 {
			t.Logf("testbed: doorkeeper (%s) refused application %q: %s", d.RailsEnv, a.Name, strings.Join(a.Errors, "; "))
		}
		d.Applications = append(d.Applications, a)
	}
	return d
}

// password returns the seeded password of a user name or email.
func (d *Doorkeeper) password(login string) string {
	for _, u := range d.Users {
		if u.UserName == login || u.Email == login {
			return u.Password
		}
	}
	return ""
}

// SignIn logs browser (from NewBrowser) in to the stand-in directly, as an
// NBGallery admin does before managing OAuth applications at
// /oauth/applications. The password defaults to the seeded one.
func (d *Doorkeeper) SignIn(ctx context.Context, browser *http.Client, login, password string) error {
	if password == "" {
		password = d.password(login)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, d.URL+"/users/sign_in", nil)
	resp, err := browser.Do(req)
	if err != nil {
		return err
	}
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	forms, err := ParseForms(d.URL+"/users/sign_in", page)
	if err != nil {
		return err
	}
	form, ok := findForm(forms, "user[email]", "")
	if !ok {
		return fmt.Errorf("testbed: no login form at %s/users/sign_in", d.URL)
	}
	if req, err = form.Request(ctx, url.Values{"user[email]": {login}, "user[password]": {password}}); err != nil {
		return err
	}
	if resp, err = browser.Do(req); err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return fmt.Errorf("testbed: signing in to doorkeeper as %q: HTTP %d, want 302", login, resp.StatusCode)
	}
	return nil
}

var doorkeeperErrorRE = regexp.MustCompile(`(?s)<pre>(.*?)</pre>`)

// LogIn runs f through the stand-in: the login form (f.Username as user
// name or email, f.Password or else the seeded password) and Doorkeeper's
// consent page, which NBGallery keeps. Doorkeeper shows errors such as a bad
// scope or redirect URI on its own page with status 200 instead of
// redirecting to the client; LogIn returns those as an error with the text.
func (d *Doorkeeper) LogIn(ctx context.Context, f Flow) (*FlowResult, error) {
	password := f.Password
	if password == "" {
		password = d.password(f.Username)
	}
	return f.run(ctx, func(ctx context.Context, resp *http.Response, body []byte) (*http.Request, error) {
		page := resp.Request.URL
		if !isHTML(resp) || !strings.HasPrefix(page.String(), d.URL+"/") {
			return nil, nil
		}
		forms, err := ParseForms(page.String(), body)
		if err != nil {
			return nil, err
		}
		if form, ok := findForm(forms, "user[email]", ""); ok {
			return form.Request(ctx, url.Values{"user[email]": {f.Username}, "user[password]": {password}})
		}
		for _, form := range forms {
			action, _ := url.Parse(form.Action)
			if form.Method == http.MethodPost && action.Path == "/oauth/authorize" && form.Fields.Get("_method") == "" {
				return form.Request(ctx, nil) // "Authorize"; the other form is "Deny"
			}
		}
		if m := doorkeeperErrorRE.FindSubmatch(body); m != nil {
			return nil, fmt.Errorf("testbed: doorkeeper error page at %s: %s", page, html.UnescapeString(strings.TrimSpace(string(m[1]))))
		}
		return nil, fmt.Errorf("testbed: doorkeeper page %s has no login or consent form: %.400s", page, body)
	})
}
