package doctor

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubctl/hubctl/pkg/finding"
)

const (
	nbviewerToken = "nbviewer-token-0123456789"
	adminToken    = "admin-token-0123456789"
)

// apiHub answers like JupyterHub's REST API and proxy: /hub/api/ with
// its version, /hub/api/user per token, the services, users and groups
// with the admin token, and /services/NAME/ with a status per service.
type apiHub struct {
	mu       sync.Mutex
	version  string
	tokens   map[string]hubIdentity
	services map[string]map[string]any
	users    map[string][]string // user -> roles
	groups   map[string][]string // group -> roles
	// routes: service -> status its /services/NAME/ answers; an absent
	// service gets the hub's redirect into /hub/.
	routes        map[string]int
	authenticator map[string]string
}

func newAPIHub() *apiHub {
	return &apiHub{
		version: "5.5.1",
		tokens: map[string]hubIdentity{
			nbviewerToken: {Kind: "service", Name: "nbviewer",
				Scopes: []string{"read:users", "read:users:activity", "read:users:groups", "read:users:name"}},
		},
		services: map[string]map[string]any{
			"nbviewer": {"kind": "service", "name": "nbviewer", "admin": false, "url": "http://nbviewer:8080", "roles": []string{"nbviewer"}},
		},
		users:         map[string][]string{"alice": {"user", "nbviewer-users"}},
		groups:        map[string][]string{"staff": {"nbviewer-users"}},
		routes:        map[string]int{"nbviewer": http.StatusFound},
		authenticator: map[string]string{"class": "oauthenticator.generic.GenericOAuthenticator", "version": "17.4.0"},
	}
}

func (h *apiHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	w.Header().Set("X-JupyterHub-Version", h.version)
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "token ")
	admin := token == adminToken
	reply := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(v)
	}
	forbidden := func() { reply(http.StatusForbidden, map[string]any{"status": 403, "message": "Forbidden"}) }
	path := r.URL.Path
	switch {
	case path == "/hub/api/":
		reply(http.StatusOK, map[string]string{"version": h.version})
	case path == "/hub/api/user":
		who, ok := h.tokens[token]
		if !ok {
			forbidden()
			return
		}
		reply(http.StatusOK, who)
	case path == "/hub/api/services" && admin:
		reply(http.StatusOK, h.services)
	case path == "/hub/api/info" && admin:
		reply(http.StatusOK, map[string]any{"version": h.version, "authenticator": h.authenticator})
	case strings.HasPrefix(path, "/hub/api/users/") && admin:
		h.member(reply, h.users, "user", strings.TrimPrefix(path, "/hub/api/users/"))
	case strings.HasPrefix(path, "/hub/api/groups/") && admin:
		h.member(reply, h.groups, "group", strings.TrimPrefix(path, "/hub/api/groups/"))
	case strings.HasPrefix(path, "/hub/api/"):
		forbidden()
	case strings.HasPrefix(path, "/services/"):
		name := strings.Trim(strings.TrimPrefix(path, "/services/"), "/")
		status, ok := h.routes[name]
		if !ok {
			w.Header().Set("Location", "/hub"+path)
			w.WriteHeader(http.StatusFound)
			return
		}
		// What answers is the service, not the hub.
		w.Header().Del("X-JupyterHub-Version")
		if status == http.StatusFound {
			w.Header().Set("Location", "/hub/api/oauth2/authorize?client_id=service-"+name)
		}
		w.WriteHeader(status)
	default:
		http.NotFound(w, r)
	}
}

func (h *apiHub) member(reply func(int, any), of map[string][]string, kind, name string) {
	roles, ok := of[name]
	if !ok {
		reply(http.StatusNotFound, map[string]any{"status": 404, "message": "Not Found"})
		return
	}
	reply(http.StatusOK, map[string]any{"kind": kind, "name": name, "roles": roles})
}

func (h *apiHub) edit(f func(h *apiHub)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f(h)
}

func startAPIHub(t *testing.T, h *apiHub) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// hubSpec is a spec for a hub at base, with nbviewer taking its token from
// $NBVIEWER_API_TOKEN, plus extra lines under hub and at the end.
func hubSpec(base, extraHub, extra string) string {
	return fmt.Sprintf(`version: 1
hub:
  url: %s
  jupyterhub: "5.5"
%sservices:
  nbviewer:
    url: http://nbviewer:8080
    scopes: [read:users]
    access: {users: [alice], groups: [staff]}
    apiToken: {env: NBVIEWER_API_TOKEN}
%s`, base, extraHub, extra)
}

var hubEnv = map[string]string{"NBVIEWER_API_TOKEN": nbviewerToken}

func assertResult(t *testing.T, r finding.Result, status finding.Status, message []string, hint string) {
	t.Helper()
	assertOutcome(t, r, status, message, hint, nbviewerToken, adminToken)
}

func TestHubAPI(t *testing.T) {
	cases := []struct {
		name     string
		version  string
		extraHub func(base string) string
		status   finding.Status
		message  []string
		hint     string
	}{
		{"same line", "5.5.1", nil, finding.Pass, []string{"JupyterHub 5.5.1 answers"}, ""},
		{"newer hub", "6.1.1", nil, finding.Warn,
			[]string{"the hub runs 6.1.1 but the spec targets 5.5: render for the hub you run (hub.jupyterhub)"}, `set hub.jupyterhub: "6.1"`},
		{"prerelease", "6.0.0b2", nil, finding.Warn, []string{"runs 6.0.0b2 but the spec targets 5.5"}, `"6.0"`},
		{"not the API", "5.5.1", func(base string) string { return "  apiUrl: " + base + "/hub\n" }, finding.Fail,
			[]string{"answered 404", "not a JupyterHub API"}, "hub.apiUrl should end in /hub/api"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newAPIHub()
			h.version = c.version
			srv := startAPIHub(t, h)
			extra := ""
			if c.extraHub != nil {
				extra = c.extraHub(srv.URL)
			}
			res := loadSpec(t, hubSpec(srv.URL, extra, ""), nil, hubEnv)
			assertResult(t, onlyResult(t, runChecks(t, res, Options{}, "hub.api"), "hub.api"), c.status, c.message, c.hint)
		})
	}
}

func TestHubServiceToken(t *testing.T) {
	nbviewer := newAPIHub().tokens[nbviewerToken]
	cases := []struct {
		name    string
		who     *hubIdentity // what the hub answers for nbviewer's token; nil: unknown
		status  finding.Status
		message []string
		hint    string
	}{
		{"healthy", &nbviewer, finding.Pass, []string{"identifies service nbviewer with the 4 scopes of role nbviewer"}, ""},
		{"unknown token", nil, finding.Fail, []string{"the hub does not know services.nbviewer.apiToken", "403"}, "restart the hub"},
		{"another service's", &hubIdentity{Kind: "service", Name: "announcements", Scopes: nbviewer.Scopes}, finding.Fail,
			[]string{"the token belongs to service announcements, not to nbviewer"}, "give services.nbviewer.apiToken a new value"},
		{"a user's", &hubIdentity{Kind: "user", Name: "alice"}, finding.Fail,
			[]string{"the token belongs to user alice, not to service nbviewer"}, "a token of its own"},
		{"role lacks a scope", &hubIdentity{Kind: "service", Name: "nbviewer", Scopes: []string{"read:users:name"}}, finding.Fail,
			[]string{"lacks scopes its roles grant: read:users, read:users:activity, read:users:groups"}, "role nbviewer lacks them"},
		{"extra scope", &hubIdentity{Kind: "service", Name: "nbviewer", Scopes: append(slices.Clone(nbviewer.Scopes), "list:users")}, finding.Warn,
			[]string{"holds scopes the spec does not grant: list:users"}, "services.nbviewer.scopes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newAPIHub()
			delete(h.tokens, nbviewerToken)
			if c.who != nil {
				h.tokens[nbviewerToken] = *c.who
			}
			srv := startAPIHub(t, h)
			res := loadSpec(t, hubSpec(srv.URL, "", ""), nil, hubEnv)
			rs := runChecks(t, res, Options{}, "hub.service-token")
			r := onlyResult(t, rs, "hub.service-token")
			if r.Target != "service nbviewer" {
				t.Errorf("target %q", r.Target)
			}
			assertResult(t, r, c.status, c.message, c.hint)
		})
	}
}

// The token's request does not wait for hub.api's answer: /hub/api/ here
// answers only once /hub/api/user has been asked, which would never happen
// if the token check waited for hub.api.
func TestHubServiceTokenAsksAlongsideHubAPI(t *testing.T) {
	h := newAPIHub()
	asked := make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/hub/api/user":
			once.Do(func() { close(asked) })
		case "/hub/api/":
			select {
			case <-asked:
			case <-time.After(5 * time.Second):
				http.Error(w, "the token check did not ask alongside hub.api", http.StatusTeapot)
				return
			}
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	res := loadSpec(t, hubSpec(srv.URL, "", ""), nil, hubEnv)
	rs := runChecks(t, res, Options{}, "hub.api", "hub.service-token")
	assertResult(t, onlyResult(t, rs, "hub.api"), finding.Pass, []string{"JupyterHub 5.5.1 answers"}, "")
	assertResult(t, onlyResult(t, rs, "hub.service-token"), finding.Pass, []string{"identifies service nbviewer"}, "")
}

// Asked early or not, a token is judged only when hub.api passed.
func TestHubServiceTokenSkippedWhenHubAPIFails(t *testing.T) {
	h := newAPIHub()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hub/api/" {
			http.Error(w, "<html>not here</html>", http.StatusNotFound)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	res := loadSpec(t, hubSpec(srv.URL, "", ""), nil, hubEnv)
	r := onlyResult(t, runChecks(t, res, Options{}, "hub.service-token"), "hub.service-token")
	assertResult(t, r, finding.Skip, []string{"hub.api did not pass"}, "")
}

func TestHubServiceTokenWaitsForItsSecret(t *testing.T) {
	srv := startAPIHub(t, newAPIHub())
	res := loadSpec(t, hubSpec(srv.URL, "", ""), nil, nil)
	r := onlyResult(t, runChecks(t, res, Options{}, "hub.service-token"), "hub.service-token")
	assertResult(t, r, finding.Skip, []string{"secrets.resolve did not pass for services.nbviewer.apiToken"}, "")
}

func TestHubServiceTokenInCluster(t *testing.T) {
	srv := startAPIHub(t, newAPIHub())
	text := strings.Replace(hubSpec(srv.URL, "", ""), "{env: NBVIEWER_API_TOKEN}", "{k8sSecret: {name: hub-tokens, key: nbviewer}}", 1)
	res := loadSpec(t, text, nil, nil)
	r := onlyResult(t, runChecks(t, res, Options{}, "hub.service-token"), "hub.service-token")
	assertResult(t, r, finding.Skip, []string{"services.nbviewer.apiToken", "lives in the cluster"}, "hubctl render doctor-job")

	// doctor-job maps the Secret's key to HUBCTL_NBVIEWER_API_TOKEN.
	res = loadSpec(t, text, nil, map[string]string{"HUBCTL_NBVIEWER_API_TOKEN": nbviewerToken})
	r = onlyResult(t, runChecks(t, res, Options{}, "hub.service-token"), "hub.service-token")
	assertResult(t, r, finding.Pass, []string{"identifies service nbviewer"}, "")
}

func TestHubServices(t *testing.T) {
	cases := []struct {
		name    string
		token   string
		edit    func(h *apiHub)
		status  finding.Status
		message []string
		hint    string
	}{
		{"no token", "", nil, finding.Skip, []string{"no hub token"}, "set HUBCTL_HUB_TOKEN"},
		{"refused token", "not-the-admin-token", nil, finding.Fail, []string{"the hub refused --hub-token", "403"}, "list:services"},
		{"healthy", adminToken, nil, finding.Pass, []string{"the hub has services nbviewer with the spec's urls"}, ""},
		{"missing", adminToken, func(h *apiHub) { delete(h.services, "nbviewer") }, finding.Fail,
			[]string{"not on the hub: nbviewer"}, "deploy the rendered config"},
		{"wrong url", adminToken, func(h *apiHub) { h.services["nbviewer"]["url"] = "http://nbviewer:9090" }, finding.Fail,
			[]string{`nbviewer has url "http://nbviewer:9090", the spec "http://nbviewer:8080"`}, "restart the hub"},
		{"urls hidden", adminToken, func(h *apiHub) { delete(h.services["nbviewer"], "url") }, finding.Warn,
			[]string{"cannot read their urls"}, "read:services"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newAPIHub()
			if c.edit != nil {
				h.edit(c.edit)
			}
			srv := startAPIHub(t, h)
			res := loadSpec(t, hubSpec(srv.URL, "", ""), nil, hubEnv)
			r := onlyResult(t, runChecks(t, res, Options{HubToken: c.token}, "hub.services"), "hub.services")
			assertResult(t, r, c.status, c.message, c.hint)
		})
	}
}

func TestHubRoles(t *testing.T) {
	cases := []struct {
		name    string
		edit    func(h *apiHub)
		status  finding.Status
		message []string
		hint    string
	}{
		{"healthy", nil, finding.Pass, []string{"roles nbviewer, nbviewer-users are assigned as the spec says"}, ""},
		{"service lacks its role", func(h *apiHub) { h.services["nbviewer"]["roles"] = []string{} }, finding.Fail,
			[]string{"service nbviewer does not hold role nbviewer"}, "load_roles"},
		{"user lacks the access role", func(h *apiHub) { h.users["alice"] = []string{"user"} }, finding.Fail,
			[]string{"user alice does not hold role nbviewer-users"}, "restart the hub"},
		{"group missing", func(h *apiHub) { delete(h.groups, "staff") }, finding.Fail,
			[]string{"role nbviewer-users: group staff is not on the hub"}, ""},
		{"roles hidden", func(h *apiHub) { delete(h.services["nbviewer"], "roles") }, finding.Skip,
			[]string{"cannot read role assignments"}, "read:roles"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newAPIHub()
			if c.edit != nil {
				h.edit(c.edit)
			}
			srv := startAPIHub(t, h)
			res := loadSpec(t, hubSpec(srv.URL, "", ""), nil, hubEnv)
			r := onlyResult(t, runChecks(t, res, Options{HubToken: adminToken}, "hub.roles"), "hub.roles")
			assertResult(t, r, c.status, c.message, c.hint)
		})
	}
}

func TestHubServiceURL(t *testing.T) {
	cases := []struct {
		name    string
		route   int // 0: no route on the hub
		status  finding.Status
		message []string
		hint    string
	}{
		{"login redirect", http.StatusFound, finding.Pass, []string{"answered 302", "/hub/api/oauth2/authorize", "through the hub's proxy"}, ""},
		{"ok", http.StatusOK, finding.Pass, []string{"answered 200"}, ""},
		{"unauthorized", http.StatusUnauthorized, finding.Pass, []string{"answered 401"}, ""},
		{"service down", http.StatusServiceUnavailable, finding.Fail,
			[]string{"answered 503", "the hub's proxy cannot reach the service"}, "correct services.nbviewer.url (http://nbviewer:8080)"},
		{"no route", 0, finding.Fail, []string{"the hub has no route for /services/nbviewer/ (is the service registered?)"}, "registers services.nbviewer"},
		{"wrong prefix", http.StatusNotFound, finding.Fail, []string{"answered 404", "from the service itself"}, "serve under /services/nbviewer/"},
		{"odd status", http.StatusTeapot, finding.Warn, []string{"answered 418"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newAPIHub()
			delete(h.routes, "nbviewer")
			if c.route != 0 {
				h.routes["nbviewer"] = c.route
			}
			srv := startAPIHub(t, h)
			res := loadSpec(t, hubSpec(srv.URL, "", ""), nil, hubEnv)
			r := onlyResult(t, runChecks(t, res, Options{}, "hub.service-url"), "hub.service-url")
			if want := srv.URL + "/services/nbviewer/"; r.Target != want {
				t.Errorf("target %q, want %q", r.Target, want)
			}
			assertResult(t, r, c.status, c.message, c.hint)
		})
	}
}

func TestHubChecksSkipWhenTheAPIFails(t *testing.T) {
	h := newAPIHub()
	srv := startAPIHub(t, h)
	res := loadSpec(t, hubSpec(srv.URL, "  apiUrl: "+srv.URL+"/nothub/api\n", ""), nil, hubEnv)
	rs := runChecks(t, res, Options{HubToken: adminToken}, "hub.api", "hub.service-token", "hub.services", "advisories.jupyterhub")
	if r := onlyResult(t, rs, "hub.api"); r.Status != finding.Fail {
		t.Fatalf("hub.api %s: %s", r.Status, r.Message)
	}
	for _, id := range []string{"hub.service-token", "hub.services", "advisories.jupyterhub"} {
		assertResult(t, onlyResult(t, rs, id), finding.Skip, []string{"hub.api did not pass"}, "")
	}
}

func TestExpectedServiceScopesResolveOwnerFilters(t *testing.T) {
	h := newAPIHub()
	srv := startAPIHub(t, h)
	text := hubSpec(srv.URL, "", `roles:
  reader:
    scopes: ["read:services!service", "read:users!user", "read:groups!group=staff"]
    services: [nbviewer]
`)
	res := loadSpec(t, text, nil, hubEnv)
	p, err := NewPlan(res, Defaults)
	if err != nil {
		t.Fatal(err)
	}
	got, roles := expectedServiceScopes(p.Env.Config, "nbviewer", p.Env.Config.Version)
	want := []string{"read:groups!group=staff", "read:groups:name!group=staff", "read:services!service=nbviewer",
		"read:services:name!service=nbviewer", "read:users", "read:users:activity", "read:users:groups", "read:users:name"}
	if !slices.Equal(got, want) {
		t.Errorf("scopes\n got %v\nwant %v", got, want)
	}
	if !slices.Equal(roles, []string{"nbviewer", "reader"}) {
		t.Errorf("roles %v", roles)
	}
}
