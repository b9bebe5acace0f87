package doctor

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/hub"
	"github.com/hubctl/hubctl/pkg/jupyterhub"
	"github.com/hubctl/hubctl/pkg/load"
	"github.com/hubctl/hubctl/pkg/provider"
	"github.com/hubctl/hubctl/pkg/secret"
)

// Options tune a doctor run.
type Options struct {
	// Timeout bounds each request, dial and handshake.
	Timeout time.Duration
	// Deadline bounds the whole run.
	Deadline time.Duration
	// Workers is how many checks run at once.
	Workers int
	// CAFile is trusted besides the system roots and login.caFile.
	CAFile string
	// HubToken is an admin token of the hub, for the checks that list its
	// services and roles; empty skips them.
	HubToken string
	// RequireAll fails, instead of skipping, URLs whose cluster-internal
	// names do not resolve from here.
	RequireAll bool
	// ExpiryFail and ExpiryWarn: a certificate expiring within them fails
	// or warns.
	ExpiryFail, ExpiryWarn time.Duration
	// Only runs just these checks (and, unreported, what they need); Skip
	// leaves checks out. Both hold check IDs.
	Only, Skip []string
	// Offline runs only the checks that touch no network.
	Offline bool
	// Now replaces the clock (tests).
	Now func() time.Time
	// Progress is called as checks end.
	Progress func(done, total int)
}

// Defaults are the flags' defaults.
var Defaults = Options{
	Timeout:    10 * time.Second,
	Deadline:   60 * time.Second,
	Workers:    64,
	ExpiryFail: 14 * 24 * time.Hour,
	ExpiryWarn: 30 * 24 * time.Hour,
}

// Plan is the tasks of a run, built family by family.
type Plan struct {
	Env   *Env
	tasks []*Task
	// gates holds the reach and TLS tasks of each scheme://host:port, made
	// once however many URLs share it.
	gates map[string][]*Task
	login *LoginPlan
	hub   *HubPlan
}

// Add appends a task and returns it, for dependents' Needs.
func (p *Plan) Add(c *Check, target string, needs []*Task, run func(ctx context.Context) Outcome) *Task {
	t := &Task{Check: c, Target: target, Needs: slices.DeleteFunc(slices.Clone(needs), func(t *Task) bool { return t == nil }), Run: run}
	p.tasks = append(p.tasks, t)
	return t
}

// Prefetch adds a hidden task that runs fetch once needs have passed and
// keeps what it returns; the returned function gives that value to a judge
// task, which must list the hidden task among its Needs. A check whose
// request does not depend on another check's answer, only its verdict
// does (the service tokens on hub.api's version), sends it alongside that
// check instead of a round trip after it.
func Prefetch[T any](p *Plan, c *Check, target string, needs []*Task, fetch func(ctx context.Context) T) (*Task, func() T) {
	var got T
	t := p.Add(c, target, needs, func(ctx context.Context) Outcome {
		got = fetch(ctx)
		return Passed("fetched")
	})
	t.Hidden = true
	// The judge runs only after t has ended (t is among its Needs), and
	// RunTasks' done channel orders t's write before the judge's read.
	return t, func() T { return got }
}

// Tasks lists the plan in the order it was built.
func (p *Plan) Tasks() []*Task { return p.tasks }

// Gate returns the tasks that must pass before anything is sent to rawURL:
// its host's reachability and, for https, its TLS checks. key names the
// spec key the URL comes from, for messages.
func (p *Plan) Gate(key, rawURL string) []*Task {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return nil
	}
	origin := u.Scheme + "://" + hostPort(u)
	if g, ok := p.gates[origin]; ok {
		return g
	}
	reach := p.reachTask(key, u)
	g := []*Task{reach}
	if u.Scheme == "https" {
		g = append(g, p.tlsTasks(u, reach)...)
	}
	p.gates[origin] = g
	return g
}

// hostPort is u's host with the scheme's port made explicit.
func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	port := "80"
	if u.Scheme == "https" {
		port = "443"
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// NewPlan builds the plan of live checks for a loaded, valid spec.
func NewPlan(res *load.Result, opts Options) (*Plan, error) {
	s := res.Spec
	caFile := ""
	if s.Login != nil && s.Login.CAFile != "" {
		caFile = res.Resolver.Path(secret.Ref{Kind: secret.File, File: s.Login.CAFile})
	}
	pool, err := roots(caFile, opts.CAFile)
	if err != nil {
		return nil, err
	}
	env := &Env{Spec: s, Doc: res.Doc, Resolver: res.Resolver, Opts: opts, Roots: pool}
	if s.Login != nil {
		env.Endpoints = provider.Static(s.Login)
	}
	env.Config = res.Config
	if env.Config == nil {
		env.Config = hub.Build(s, env.Endpoints)
	}
	p := &Plan{Env: env, gates: map[string][]*Task{}}
	fams := slices.Clone(families)
	slices.SortStableFunc(fams, func(a, b family) int { return a.rank - b.rank })
	for _, f := range fams {
		f.plan(p)
	}
	return p, nil
}

// A family is the planner of a group of checks. Families plan in rank
// order, which is the order of the report: the network first, then the
// provider, the login, the hub.
type family struct {
	rank int
	plan func(*Plan)
}

// Ranks of the families.
const (
	rankReach      = 10
	rankSecrets    = 20
	rankProvider   = 30
	rankLogin      = 40
	rankHub        = 50
	rankAdvisories = 60
)

var families []family

// addFamily registers a family's planner at init.
func addFamily(rank int, plan func(*Plan)) { families = append(families, family{rank, plan}) }

// Run checks a loaded spec: the static findings always, then, unless the
// spec is invalid, the planned checks: all of them, or with opts.Offline
// those that touch no network.
func Run(ctx context.Context, res *load.Result, opts Options) (finding.Results, error) {
	var out finding.Results
	for _, f := range res.Findings {
		out = append(out, finding.FromFinding(f, StaticCheck.Title))
	}
	if !res.Findings.HasErrors() {
		out = append(out, finding.Result{ID: StaticCheck.ID, Title: StaticCheck.Title, Target: res.Doc.File,
			Status: finding.Pass, Message: "valid: " + res.Findings.Summary()})
	}
	out = selectResults(out, opts)
	if res.Findings.HasErrors() {
		return out, nil
	}
	p, err := NewPlan(res, opts)
	if err != nil {
		return out, err
	}
	all := p.tasks
	if opts.Offline {
		all = slices.DeleteFunc(slices.Clone(all), touchesNetwork)
	}
	tasks, reported := selectTasks(all, opts)
	results := RunTasks(ctx, tasks, RunOptions{Workers: opts.Workers, Deadline: opts.Deadline, Progress: opts.Progress})
	for i, r := range results {
		if !reported[tasks[i]] {
			continue
		}
		r.Message, r.Hint = p.Env.Scrub(r.Message), p.Env.Scrub(r.Hint)
		out = append(out, r)
	}
	return out, nil
}

// touchesNetwork reports whether t, or a task it needs, is a live check.
func touchesNetwork(t *Task) bool {
	return t.Check.Live || slices.ContainsFunc(t.Needs, touchesNetwork)
}

// selected says whether opts selects the check id.
func selected(id string, opts Options) bool {
	if slices.Contains(opts.Skip, id) {
		return false
	}
	return len(opts.Only) == 0 || slices.Contains(opts.Only, id)
}

// selectResults keeps the static results --only and --skip select; the
// static check's ID stands for all of them.
func selectResults(rs finding.Results, opts Options) finding.Results {
	if !selected(StaticCheck.ID, opts) {
		return nil
	}
	return rs
}

// selectTasks keeps the selected tasks and, unreported, every task they
// need.
func selectTasks(all []*Task, opts Options) ([]*Task, map[*Task]bool) {
	reported := map[*Task]bool{}
	keep := map[*Task]bool{}
	var mark func(t *Task)
	mark = func(t *Task) {
		if keep[t] {
			return
		}
		keep[t] = true
		for _, n := range t.Needs {
			mark(n)
		}
	}
	for _, t := range all {
		if selected(t.Check.ID, opts) && !t.Hidden {
			reported[t] = true
			mark(t)
		}
	}
	var out []*Task
	for _, t := range all {
		if keep[t] {
			out = append(out, t)
		}
	}
	return out, reported
}

// CheckIDsProblem says what is wrong with IDs given to --skip or as
// arguments, with a did-you-mean; "" when every one is known.
func CheckIDsProblem(ids []string) string {
	var known []string
	for _, c := range Checks() {
		known = append(known, c.ID)
	}
	for _, id := range ids {
		if !slices.Contains(known, id) {
			msg := fmt.Sprintf("unknown check %q", id)
			if near := jupyterhub.Closest(id, known); near != "" {
				msg += fmt.Sprintf("; did you mean %q?", near)
			}
			return msg + " (hubctl doctor --list-checks lists them)"
		}
	}
	return ""
}

// clusterInternal reports whether host is a name only a cluster's DNS
// resolves: a single label (hub, proxy-public) or a service name.
func clusterInternal(host string) bool {
	if net.ParseIP(host) != nil {
		return false
	}
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	return !strings.Contains(h, ".") || strings.HasSuffix(h, ".svc") || strings.HasSuffix(h, ".cluster.local")
}
