package doctor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/hubctl/hubctl/pkg/hub"
	"github.com/hubctl/hubctl/pkg/jupyterhub"
	"github.com/hubctl/hubctl/pkg/netdiag"
	"github.com/hubctl/hubctl/pkg/secret"
)

var (
	checkHubAPI = Register(&Check{ID: "hub.api", Title: "Hub API answers", Live: true,
		Doc: "GET hub.apiUrl/ answers with JupyterHub's version, compared with hub.jupyterhub"})
	checkServiceToken = Register(&Check{ID: "hub.service-token", Title: "Service token is the hub's", Live: true,
		Doc: "each services.NAME.apiToken identifies service NAME at /hub/api/user and holds exactly the scopes of its roles"})
	checkHubServices = Register(&Check{ID: "hub.services", Title: "Hub has the spec's services", Live: true,
		Doc: "with --hub-token: every service of the spec is registered on the hub with its url"})
	checkHubRoles = Register(&Check{ID: "hub.roles", Title: "Hub has the spec's roles", Live: true,
		Doc: "with --hub-token: each role is assigned to its services, users and groups (the REST API lists no role's scopes)"})
	checkServiceURL = Register(&Check{ID: "hub.service-url", Title: "Service answers behind the hub", Live: true,
		Doc: "hub.url/services/NAME/ answers through the hub's proxy: no 5xx, and a route exists"})
)

func init() { addFamily(rankHub, planHub) }

// maxHubBody bounds what doctor reads of any hub answer.
const maxHubBody = 1 << 20

// hubTokenHint is how the checks that need an admin token say so.
const hubTokenHint = "pass --hub-token or set HUBCTL_HUB_TOKEN"

// HubPlan is the hub's shared state: the hub.api task and the version it
// read. Tasks that need the version list API in their Needs and read
// Version only from their Run, after API has ended.
type HubPlan struct {
	// APIURL is hub.apiUrl without a trailing slash.
	APIURL string
	API    *Task

	version string
}

// Version is the full version the hub reported, such as 5.5.1 or
// 6.0.0b2; "" when hub.api did not read one.
func (hp *HubPlan) Version() string { return hp.version }

// line is the release line the hub reported, or fallback when it
// reported none doctor can read.
func (hp *HubPlan) line(fallback jupyterhub.Version) jupyterhub.Version {
	v, err := parsePyVersion(hp.version)
	if err != nil {
		return fallback
	}
	return jupyterhub.Version{Major: v.major(), Minor: v.minor()}
}

// Hub returns the hub's plan, building its hub.api task the first time.
func (p *Plan) Hub() *HubPlan {
	if p.hub != nil {
		return p.hub
	}
	env := p.Env
	hp := &HubPlan{APIURL: env.Spec.Hub.ResolvedAPIURL()}
	hp.API = p.Add(checkHubAPI, hp.APIURL, p.Gate("hub.apiUrl", hp.APIURL), func(ctx context.Context) Outcome {
		return hp.probe(ctx, env)
	})
	p.hub = hp
	return hp
}

func planHub(p *Plan) {
	env := p.Env
	if env.Opts.HubToken != "" {
		env.remember(env.Opts.HubToken)
	}
	hp := p.Hub()
	for _, svc := range env.Config.Services {
		if !svc.APIToken.Ref.IsSet() {
			continue
		}
		// The token's request needs only the gate and the secret; the
		// verdict needs hub.api's version too. Sending the request
		// alongside hub.api saves a round trip per run.
		var needs []*Task
		// A k8sSecret token is read here only through doctor-job's
		// variables; its own skip says how, where secrets.resolve's would
		// only say it skipped.
		if svc.APIToken.Ref.Kind != secret.K8s {
			needs = append(needs, p.secretTask(svc.APIToken.SpecPath))
		}
		fetch, answer := Prefetch(p, checkServiceToken, "service "+svc.Name, append(slices.Clone(hp.API.Needs), needs...),
			func(ctx context.Context) identityAnswer { return fetchIdentity(ctx, env, hp.APIURL, svc) })
		p.Add(checkServiceToken, "service "+svc.Name, append([]*Task{hp.API}, append(needs, fetch)...), func(ctx context.Context) Outcome {
			return hp.judgeServiceToken(env, svc, answer())
		})
	}
	p.Add(checkHubServices, hp.APIURL, []*Task{hp.API}, func(ctx context.Context) Outcome {
		return hp.checkServices(ctx, env)
	})
	p.Add(checkHubRoles, hp.APIURL, []*Task{hp.API}, func(ctx context.Context) Outcome {
		return hp.checkRoles(ctx, env)
	})
	gate := p.Gate("hub.url", env.Spec.Hub.URL)
	for _, svc := range env.Config.Services {
		if svc.URL == "" {
			continue
		}
		target := env.Spec.Hub.Origin() + env.Spec.Hub.ServicePrefix(svc.Name)
		p.Add(checkServiceURL, target, gate, func(ctx context.Context) Outcome {
			return checkServiceURLAnswers(ctx, env, svc, target)
		})
	}
}

// hubGet sends GET rawURL, with token when set, and reads the answer.
// Redirects are not followed: the hub API never redirects a right URL.
func hubGet(ctx context.Context, env *Env, rawURL, token string) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("%s is not a URL: %w", rawURL, err)
	}
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "token "+token)
	}
	resp, body, err := env.Fetch(req, false, maxHubBody)
	if err != nil {
		return nil, nil, err
	}
	return resp, body, nil
}

// answeredWithLocation is netdiag.Answered plus where a redirect points.
func answeredWithLocation(asked string, resp *http.Response) string {
	s := netdiag.Answered(asked, resp)
	if loc := resp.Header.Get("Location"); loc != "" && resp.StatusCode/100 == 3 {
		s += " to " + loc
	}
	return s
}

func (hp *HubPlan) probe(ctx context.Context, env *Env) Outcome {
	u := hp.APIURL + "/"
	resp, body, err := hubGet(ctx, env, u, "")
	if err != nil {
		return Failed("", "%v", err)
	}
	what := netdiag.DescribeBody(resp.Header.Get("Content-Type"), body)
	var root struct {
		Version string `json:"version"`
	}
	isRoot := resp.StatusCode == http.StatusOK && what == "JSON" && json.Unmarshal(body, &root) == nil && root.Version != ""
	if !isRoot && resp.StatusCode >= 500 {
		return Failed("the hub is up but failing: read its log", "GET %s %s with %s", u, answeredWithLocation(u, resp), what)
	}
	if !isRoot {
		return Failed("hub.apiUrl should end in /hub/api, such as http://hub:8081/hub/api",
			"GET %s %s with %s: not a JupyterHub API", u, answeredWithLocation(u, resp), what)
	}
	hp.version = root.Version
	v, err := parsePyVersion(root.Version)
	if err != nil {
		return Warned("", "the hub reports the version %q, which doctor cannot read", root.Version)
	}
	target := env.Spec.Hub.TargetVersion()
	if v.major() != target.Major || v.minor() != target.Minor {
		return Warned(fmt.Sprintf("set hub.jupyterhub: \"%d.%d\" and render again, or run JupyterHub %s", v.major(), v.minor(), target),
			"the hub runs %s but the spec targets %s: render for the hub you run (hub.jupyterhub)", root.Version, target)
	}
	return Passed("JupyterHub %s answers at %s, the version the spec targets", root.Version, hp.APIURL)
}

// hubIdentity is what /hub/api/user answers: a user or service model.
type hubIdentity struct {
	Kind   string   `json:"kind"`
	Name   string   `json:"name"`
	Scopes []string `json:"scopes"`
}

// identityAnswer is what /hub/api/user answered for a service's token,
// or why it was not asked.
type identityAnswer struct {
	token string
	resp  *http.Response
	body  []byte
	// early, when set, is the verdict already: the token could not be read,
	// or the request failed.
	early *Outcome
}

// fetchIdentity asks the hub whom the service's token belongs to.
func fetchIdentity(ctx context.Context, env *Env, apiURL string, svc hub.Service) identityAnswer {
	var a identityAnswer
	token, err := env.Secret(svc.APIToken)
	if errors.Is(err, ErrNoValue) {
		o := Skipped(fmt.Sprintf("run doctor in the cluster (hubctl render doctor-job), or set %s", svc.APIToken.HubEnv), "%v", err)
		a.early = &o
		return a
	}
	if err != nil {
		o := Failed("", "%v", err)
		a.early = &o
		return a
	}
	a.token = token
	a.resp, a.body, err = hubGet(ctx, env, apiURL+"/user", token)
	if err != nil {
		o := Failed("", "%v", err)
		a.early = &o
	}
	return a
}

// judgeServiceToken reads the answer against the spec and the version
// hub.api reported.
func (hp *HubPlan) judgeServiceToken(env *Env, svc hub.Service, a identityAnswer) Outcome {
	if a.early != nil {
		return *a.early
	}
	key, u, resp, body, token := svc.APIToken.SpecPath, hp.APIURL+"/user", a.resp, a.body, a.token
	if resp.StatusCode == http.StatusForbidden {
		msg := fmt.Sprintf("the hub does not know %s: GET %s answered 403", key, u)
		if len(token) < jupyterhub.MinTokenLength {
			msg += fmt.Sprintf(" (the token is shorter than %d characters, which the hub refuses)", jupyterhub.MinTokenLength)
		}
		return Failed("the hub registers a service's token at start: deploy the rendered config and hubctl's Secret (hubctl render secret), then restart the hub", "%s", msg)
	}
	var who hubIdentity
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &who) != nil || who.Kind == "" {
		return Failed("hub.apiUrl should end in /hub/api", "GET %s %s with %s, not a user or service model",
			u, answeredWithLocation(u, resp), netdiag.DescribeBody(resp.Header.Get("Content-Type"), body))
	}
	if who.Kind != "service" {
		return Failed(fmt.Sprintf("give service %s a token of its own in %s, not a user's", svc.Name, key),
			"the token belongs to user %s, not to service %s", who.Name, svc.Name)
	}
	if who.Name != svc.Name {
		return Failed(fmt.Sprintf("give %s a new value: a token two services share stays with the first the hub registered", key),
			"the token belongs to service %s, not to %s", who.Name, svc.Name)
	}
	expected, roles := expectedServiceScopes(env.Config, svc.Name, hp.line(env.Config.Version))
	if missing := missingFrom(expected, who.Scopes); len(missing) > 0 {
		return Failed(fmt.Sprintf("the hub's role %s lacks them: deploy the rendered roles (load_roles) and restart the hub", describeList(roles)),
			"service %s lacks scopes its roles grant: %s", svc.Name, strings.Join(missing, ", "))
	}
	if extra := missingFrom(who.Scopes, expected); len(extra) > 0 {
		return Warned(fmt.Sprintf("a role on the hub that the spec does not have grants them: remove it, or add them to services.%s.scopes", svc.Name),
			"service %s holds scopes the spec does not grant: %s", svc.Name, strings.Join(extra, ", "))
	}
	if len(expected) == 0 {
		return Passed("the token identifies service %s, which holds no scopes, as the spec says", svc.Name)
	}
	return Passed("the token identifies service %s with the %d scopes of role %s", svc.Name, len(expected), describeList(roles))
}

// expectedServiceScopes are the scopes the hub reports for a token of
// service name: those of every role listing it, expanded as version v
// does, with the owner filters resolved for a service (a bare !service
// names it; bare !user and !server mean nothing for a service and are
// dropped, as JupyterHub's expand_scopes does).
func expectedServiceScopes(cfg *hub.Config, name string, v jupyterhub.Version) (scopes, roles []string) {
	var raw []string
	for _, r := range cfg.Roles {
		if slices.Contains(r.Services, name) {
			raw = append(raw, r.Scopes...)
			roles = append(roles, r.Name)
		}
	}
	var out []string
	for _, s := range jupyterhub.Expand(raw, v) {
		base, filter, _ := strings.Cut(s, "!")
		switch filter {
		case "service":
			s = base + "!service=" + name
		case "user", "server":
			continue
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out, roles
}

// listedService is a service as /hub/api/services shows it; fields the
// token may not read are pointers, nil when absent.
type listedService struct {
	URL   *string   `json:"url"`
	Roles *[]string `json:"roles"`
}

// listServices reads /hub/api/services with the admin token; a non-nil
// Outcome ends the check.
func (hp *HubPlan) listServices(ctx context.Context, env *Env, scopes string) (map[string]listedService, *Outcome) {
	if env.Opts.HubToken == "" {
		o := Skipped(fmt.Sprintf("%s (a token with %s; an admin's token has them)", hubTokenHint, scopes), "no hub token, so the hub's services and roles are not read")
		return nil, &o
	}
	u := hp.APIURL + "/services"
	resp, body, err := hubGet(ctx, env, u, env.Opts.HubToken)
	if err != nil {
		o := Failed("", "%v", err)
		return nil, &o
	}
	if resp.StatusCode == http.StatusForbidden {
		o := Failed(fmt.Sprintf("--hub-token must be a token of this hub with %s (an admin's token has them)", scopes),
			"the hub refused --hub-token at %s (403)", u)
		return nil, &o
	}
	var listed map[string]listedService
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &listed) != nil {
		o := Failed("", "GET %s %s with %s, not the hub's services", u, answeredWithLocation(u, resp),
			netdiag.DescribeBody(resp.Header.Get("Content-Type"), body))
		return nil, &o
	}
	return listed, nil
}

func (hp *HubPlan) checkServices(ctx context.Context, env *Env) Outcome {
	listed, o := hp.listServices(ctx, env, "list:services and read:services")
	if o != nil {
		return *o
	}
	var missing, wrong []string
	urlsShown := true
	for _, svc := range env.Config.Services {
		got, ok := listed[svc.Name]
		switch {
		case !ok:
			missing = append(missing, svc.Name)
		case got.URL == nil:
			urlsShown = false
		case strings.TrimSuffix(*got.URL, "/") != strings.TrimSuffix(svc.URL, "/"):
			wrong = append(wrong, fmt.Sprintf("%s has url %q, the spec %q", svc.Name, *got.URL, svc.URL))
		}
	}
	deploy := "deploy the rendered config (hubctl render helm-values or hub-config) and restart the hub"
	var problems []string
	if len(missing) > 0 {
		problems = append(problems, "not on the hub: "+strings.Join(missing, ", "))
	}
	problems = append(problems, wrong...)
	if len(problems) > 0 {
		return Failed(deploy, "%s", strings.Join(problems, "; "))
	}
	names := describeList(env.Spec.Services.Names())
	if !urlsShown {
		return Warned("give --hub-token read:services to compare the urls", "the hub has services %s; --hub-token cannot read their urls", names)
	}
	if len(env.Config.Services) == 0 {
		return Passed("the spec has no services")
	}
	return Passed("the hub has services %s with the spec's urls", names)
}

func (hp *HubPlan) checkRoles(ctx context.Context, env *Env) Outcome {
	listed, o := hp.listServices(ctx, env, "list:services and read:roles")
	if o != nil {
		return *o
	}
	var problems, checked []string
	unreadable := false
	for _, r := range env.Config.Roles {
		if r.Name == hub.UserRole {
			// Every user holds it, so membership says nothing.
			continue
		}
		checked = append(checked, r.Name)
		for _, name := range r.Services {
			svc, ok := listed[name]
			switch {
			case !ok:
				problems = append(problems, fmt.Sprintf("role %s: service %s is not on the hub", r.Name, name))
			case svc.Roles == nil:
				unreadable = true
			case !slices.Contains(*svc.Roles, r.Name):
				problems = append(problems, fmt.Sprintf("service %s does not hold role %s", name, r.Name))
			}
		}
		for _, m := range roleMembers(r) {
			roles, found, err := hp.memberRoles(ctx, env, m.kind, m.name)
			switch {
			case err != nil:
				return Failed("", "%v", err)
			case !found:
				problems = append(problems, fmt.Sprintf("role %s: %s %s is not on the hub", r.Name, m.kind, m.name))
			case roles == nil:
				unreadable = true
			case !slices.Contains(*roles, r.Name):
				problems = append(problems, fmt.Sprintf("%s %s does not hold role %s", m.kind, m.name, r.Name))
			}
		}
	}
	if len(problems) > 0 {
		return Failed("the hub assigns roles from its config at start: deploy the rendered roles (load_roles) and restart the hub", "%s", strings.Join(problems, "; "))
	}
	if unreadable {
		return Skipped("give --hub-token read:roles (an admin's token has it)", "--hub-token cannot read role assignments")
	}
	if len(checked) == 0 {
		return Passed("the spec assigns no roles to check")
	}
	return Passed("roles %s are assigned as the spec says (the REST API does not list a role's scopes; hub.service-token compares a service's)", describeList(checked))
}

type roleMember struct{ kind, name string }

func roleMembers(r hub.Role) []roleMember {
	var out []roleMember
	for _, u := range r.Users {
		out = append(out, roleMember{"user", u})
	}
	for _, g := range r.Groups {
		out = append(out, roleMember{"group", g})
	}
	return out
}

// memberRoles reads the roles of a user or group; found is false when the
// hub has none of that name, and roles nil when the token cannot read them.
func (hp *HubPlan) memberRoles(ctx context.Context, env *Env, kind, name string) (roles *[]string, found bool, err error) {
	u := hp.APIURL + "/" + kind + "s/" + url.PathEscape(name)
	resp, body, err := hubGet(ctx, env, u, env.Opts.HubToken)
	if err != nil {
		return nil, false, err
	}
	if resp.StatusCode == http.StatusNotFound {
		return nil, false, nil
	}
	var model struct {
		Roles *[]string `json:"roles"`
	}
	if resp.StatusCode == http.StatusForbidden {
		return nil, true, nil
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &model) != nil {
		return nil, false, fmt.Errorf("GET %s %s with %s, not a %s model", u, answeredWithLocation(u, resp),
			netdiag.DescribeBody(resp.Header.Get("Content-Type"), body), kind)
	}
	return model.Roles, true, nil
}

// checkServiceURLAnswers requests the service through the hub's proxy.
func checkServiceURLAnswers(ctx context.Context, env *Env, svc hub.Service, target string) Outcome {
	resp, _, err := hubGet(ctx, env, target, "")
	if err != nil {
		return Failed("", "%v", err)
	}
	h := env.Spec.Hub
	prefix := h.ServicePrefix(svc.Name)
	// The proxy sends a path it has no route for to the hub, which
	// redirects /services/NAME/ into its own prefix, where it is a 404.
	fromHub := resp.Header.Get("X-JupyterHub-Version") != ""
	noRoute := "deploy the rendered config so the hub registers services." + svc.Name + " and routes it, then restart the hub"
	status := answeredWithLocation(target, resp)
	switch code := resp.StatusCode; {
	case code >= 500:
		return Failed(fmt.Sprintf("start the service, or correct services.%s.url (%s): a 503 from configurable-http-proxy means the service is down or its url is wrong", svc.Name, svc.URL),
			"GET %s %s: the hub's proxy cannot reach the service", target, status)
	case code == http.StatusNotFound && fromHub, code/100 == 3 && redirectsInto(resp, h.BasePath()+"hub"+prefix):
		return Failed(noRoute, "GET %s %s: the hub has no route for %s (is the service registered?)", target, status, prefix)
	case code == http.StatusNotFound:
		return Failed(fmt.Sprintf("the service must serve under %s, the prefix the proxy keeps (JUPYTERHUB_SERVICE_PREFIX)", prefix),
			"GET %s %s from the service itself", target, status)
	case code/100 == 2, code/100 == 3, code == http.StatusUnauthorized, code == http.StatusForbidden:
		return Passed("GET %s %s through the hub's proxy", target, status)
	}
	return Warned("", "GET %s %s through the hub's proxy", target, status)
}

// redirectsInto reports whether resp redirects to the path want.
func redirectsInto(resp *http.Response, want string) bool {
	loc, err := resp.Location()
	return err == nil && loc.Path == want
}
