package doctor

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/hubctl/hubctl/pkg/finding"
)

func nbgallerySpec(base string) string {
	return fmt.Sprintf(`version: 1
hub:
  url: https://hub.example.org
login:
  provider: nbgallery
  url: %s
  clientId: 3c1e0e4b9a7d4f0c
  clientSecret: {env: OAUTH_CLIENT_SECRET}
  allow: {all: true}
`, base)
}

// nbgalleryServer answers /oauth/authorize and /oauth/userinfo with the
// handlers given (nil: 404, as when the route is not drawn), serves a
// sign-in page at /users/sign_in, and records the authorize queries.
type nbgalleryServer struct {
	*httptest.Server
	mu      sync.Mutex
	queries []url.Values
}

func newNBGalleryServer(t *testing.T, authorize, userinfo http.HandlerFunc) *nbgalleryServer {
	t.Helper()
	s := &nbgalleryServer{}
	mux := http.NewServeMux()
	mux.HandleFunc("/users/sign_in", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><head><title>Sign in</title></head></html>")
	})
	if authorize != nil {
		mux.HandleFunc("/oauth/authorize", func(w http.ResponseWriter, r *http.Request) {
			s.mu.Lock()
			s.queries = append(s.queries, r.URL.Query())
			s.mu.Unlock()
			authorize(w, r)
		})
	}
	if userinfo != nil {
		mux.HandleFunc("/oauth/userinfo", userinfo)
	}
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func answerStatus(code int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if code == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="Doorkeeper", error="invalid_token"`)
		}
		w.WriteHeader(code)
	}
}

func answerRedirect(path string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, path, http.StatusFound) }
}

func TestNBGalleryOAuthProvider(t *testing.T) {
	for _, tc := range []struct {
		name      string
		authorize http.HandlerFunc
		want      finding.Status
		message   string
		hint      string
	}{
		{"switched off", nil, finding.Fail, "/oauth/authorize answered 404: NBGallery's OAuth provider is switched off",
			"set GALLERY__OAUTH_PROVIDER_ENABLED=true in NBGallery's environment"},
		// Followed, the redirect would end at a 200 sign-in page.
		{"redirect to sign-in", answerRedirect("/users/sign_in"), finding.Pass, "answered 302 Found, to /users/sign_in: NBGallery's OAuth provider is on", ""},
		{"login page", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html><head><title>Authorize</title></head></html>")
		}, finding.Pass, `answered 200 OK with an HTML page titled "Authorize": NBGallery's OAuth provider is on`, ""},
		{"unauthorized", answerStatus(http.StatusUnauthorized), finding.Pass, "answered 401 Unauthorized", ""},
		{"server error", answerStatus(http.StatusInternalServerError), finding.Warn, "answered 500 Internal Server Error", "NBGallery's log"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newNBGalleryServer(t, tc.authorize, answerStatus(http.StatusUnauthorized))
			res := loadSpec(t, nbgallerySpec(srv.URL), nil, nil)
			r := onlyResult(t, runChecks(t, res, Options{}, "nbgallery.oauth-provider"), "nbgallery.oauth-provider")
			assertProviderResult(t, r, tc.want, []string{tc.message}, tc.hint)
			if want := srv.URL + "/oauth/authorize"; r.Target != want {
				t.Errorf("target = %q; want %q", r.Target, want)
			}
			if tc.authorize == nil {
				return
			}
			srv.mu.Lock()
			defer srv.mu.Unlock()
			if len(srv.queries) != 1 {
				t.Fatalf("want one authorize request, got %d", len(srv.queries))
			}
			q := srv.queries[0]
			for k, v := range map[string]string{"client_id": "3c1e0e4b9a7d4f0c", "response_type": "code",
				"redirect_uri": "https://hub.example.org/hub/oauth_callback"} {
				if q.Get(k) != v {
					t.Errorf("authorize %s = %q; want %q", k, q.Get(k), v)
				}
			}
		})
	}
}

func TestNBGalleryUserinfo(t *testing.T) {
	for _, tc := range []struct {
		name     string
		userinfo http.HandlerFunc
		want     finding.Status
		message  string
		hint     string
	}{
		{"protected", answerStatus(http.StatusUnauthorized), finding.Pass, "/oauth/userinfo without a token answered 401, as Doorkeeper does", ""},
		{"missing", nil, finding.Fail, "/oauth/userinfo answered 404: no userinfo route there", "check login.url: NBGallery serves its userinfo at /oauth/userinfo"},
		{"open", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"user_name":"alice"}`)
		}, finding.Fail, "without a token answered 200 OK with JSON: it is not a token-protected userinfo", "answers 401 without a token"},
		{"redirect to sign-in", answerRedirect("/users/sign_in"), finding.Warn, "answered 302 Found, to /users/sign_in, not the 401 Doorkeeper answers",
			"check login.url points at NBGallery itself"},
		{"forbidden", answerStatus(http.StatusForbidden), finding.Warn, "answered 403 Forbidden with an empty body, not the 401", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newNBGalleryServer(t, answerRedirect("/users/sign_in"), tc.userinfo)
			res := loadSpec(t, nbgallerySpec(srv.URL), nil, nil)
			r := onlyResult(t, runChecks(t, res, Options{}, "nbgallery.userinfo"), "nbgallery.userinfo")
			assertProviderResult(t, r, tc.want, []string{tc.message}, tc.hint)
		})
	}
}

// The probes wait for the host's reachability: an NBGallery that is down
// fails net.reach once, and both probes are skipped with its reason.
func TestNBGalleryChecksNeedReach(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close()
	res := loadSpec(t, nbgallerySpec(base), nil, nil)
	rs := runChecks(t, res, Options{}, "nbgallery.oauth-provider", "nbgallery.userinfo")
	for _, id := range []string{"nbgallery.oauth-provider", "nbgallery.userinfo"} {
		r := onlyResult(t, rs, id)
		if r.Status != finding.Skip || !strings.HasPrefix(r.Message, "skipped: net.reach did not pass for 127.0.0.1:") {
			t.Errorf("%s = %s %q; want skipped for net.reach", id, r.Status, r.Message)
		}
	}
}

// An NBGallery login gets the NBGallery checks and no OIDC ones.
func TestNBGalleryPlan(t *testing.T) {
	res := loadSpec(t, nbgallerySpec("https://gallery.example.org"), nil, nil)
	var ids []string
	for _, task := range providerPlanOf(t, res).Tasks() {
		if strings.HasPrefix(task.Check.ID, "oidc.") || strings.HasPrefix(task.Check.ID, "nbgallery.") {
			ids = append(ids, task.Check.ID+" "+task.Target)
		}
	}
	want := "nbgallery.oauth-provider https://gallery.example.org/oauth/authorize, nbgallery.userinfo https://gallery.example.org/oauth/userinfo"
	if got := strings.Join(ids, ", "); got != want {
		t.Errorf("planned %s; want %s", got, want)
	}
}
