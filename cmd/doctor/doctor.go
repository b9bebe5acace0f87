// Package doctor is `hubctl doctor`: the static and live checks of a
// setup, reported in the formats CI systems read.
package doctor

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/hubctl/hubctl/cmd/cmdutil"
	"github.com/hubctl/hubctl/pkg/doctor"
	"github.com/hubctl/hubctl/pkg/exitcode"
	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/load"
	"github.com/hubctl/hubctl/pkg/report"
	"github.com/hubctl/hubctl/pkg/secret"
)

// HubTokenEnv is where doctor finds the hub's admin token when --hub-token
// names none.
const HubTokenEnv = "HUBCTL_HUB_TOKEN"

// Options are doctor's flags.
type Options struct {
	Factory    *cmdutil.Factory
	Format     string
	Strict     bool
	Offline    bool
	ListChecks bool
	Verbose    bool
	HubToken   string
	Only       []string
	Doctor     doctor.Options
}

// NewCmd builds the command; runF replaces the run function in tests.
func NewCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f, Doctor: doctor.Defaults}
	cmd := &cobra.Command{
		Use:   "doctor [CHECK-ID...]",
		Short: "Check a setup, statically and live: URLs, TLS, the provider, credentials, the hub",
		Long: `Check everything hubctl validate checks, then, concurrently, what can be seen
from outside before any user logs in: every URL of the spec resolves and
accepts connections; TLS is trusted, valid for the host and not about to
expire; the provider's discovery document agrees with the spec (issuer,
endpoints, scopes, claims, PKCE, token auth method, clock); the client id and
secret authenticate the way OAuthenticator sends them; the provider accepts
the redirect URI; the hub answers, its login sends what the spec renders,
each service's token is the service's with its role's scopes, and each
service answers under /services/NAME/.

Checks that need another are skipped, with the reason, when it did not pass.
A cluster-internal name (hub.apiUrl http://hub:8081/hub/api) that does not
resolve here is skipped, not failed, unless --require-all; hubctl render
doctor-job runs doctor inside the cluster instead.

Give check IDs as arguments to run only those; --list-checks lists them.
Exit status: 0 every check passed (warnings allowed), 3 a check failed (with
--strict, a warning too), 2 invalid input or usage, 1 hubctl itself failed.`,
		Example: `  hubctl doctor
  hubctl doctor --offline
  hubctl doctor --format sarif -o doctor.sarif
  hubctl doctor tls.expiry --expiry-warn 60d
  HUBCTL_HUB_TOKEN=... hubctl doctor --format junit -o doctor.xml`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.ListChecks {
				if len(args) > 0 {
					return exitcode.InvalidInput(errors.New("--list-checks takes no check IDs"))
				}
				return listChecks(f.IO.Out)
			}
			opts.Only = args
			if err := opts.check(cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return Run(cmd, opts)
		},
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return checkIDs(), cobra.ShellCompDirectiveNoFileComp
		},
	}
	cmdutil.AddFileFlag(cmd, f, cmdutil.SpecFileUsage)
	cmdutil.AddOutputFlag(cmd, f)
	fl := cmd.Flags()
	fl.StringVar(&opts.Format, "format", "", `text, json, junit, github or sarif (default text; github when GITHUB_ACTIONS=true)`)
	fl.BoolVar(&opts.Strict, "strict", false, "fail (exit 3) on warnings too")
	fl.BoolVar(&opts.Offline, "offline", false, "run only the static checks: never touch the network")
	fl.BoolVar(&opts.ListChecks, "list-checks", false, "list every check with its ID, and exit")
	fl.BoolVarP(&opts.Verbose, "verbose", "v", false, "text: show what each passing check saw")
	fl.StringSliceVar(&opts.Doctor.Skip, "skip", nil, "leave out these check IDs (repeat or comma-separate)")
	fl.DurationVar(&opts.Doctor.Timeout, "timeout", opts.Doctor.Timeout, "bound each request, dial and handshake")
	fl.DurationVar(&opts.Doctor.Deadline, "deadline", opts.Doctor.Deadline, "bound the whole run")
	fl.IntVar(&opts.Doctor.Workers, "workers", opts.Doctor.Workers, "checks run at once")
	fl.StringVar(&opts.Doctor.CAFile, "ca-file", "", "also trust the certificates of this PEM file (besides the system's and login.caFile)")
	fl.StringVar(&opts.HubToken, "hub-token", "", "the hub's admin token, as env:NAME or file:PATH (default env:"+HubTokenEnv+" when set)")
	fl.BoolVar(&opts.Doctor.RequireAll, "require-all", false, "fail, instead of skipping, cluster-internal URLs that do not resolve from here")
	fl.Var(daysValue{&opts.Doctor.ExpiryFail}, "expiry-fail", "fail on certificates expiring within this (14d, 336h)")
	fl.Var(daysValue{&opts.Doctor.ExpiryWarn}, "expiry-warn", "warn on certificates expiring within this (30d)")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(formatNames(), cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("skip", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return checkIDs(), cobra.ShellCompDirectiveNoFileComp
	})
	_ = cmd.MarkFlagFilename("ca-file", "pem", "crt")
	return cmd
}

// check refuses bad flags before any work, as usage errors.
func (opts *Options) check(cmd *cobra.Command) error {
	f := opts.Factory
	if opts.Format == "" {
		opts.Format = string(report.Text)
		if v, _ := lookupEnv(f, "GITHUB_ACTIONS"); v == "true" {
			opts.Format = string(report.GitHub)
		}
	}
	if _, err := report.Parse(opts.Format); err != nil {
		return cmdutil.BadFlagValue(cmd, "format", opts.Format, err.Error())
	}
	if problem := doctor.CheckIDsProblem(opts.Only); problem != "" {
		return exitcode.InvalidInput(errors.New(problem))
	}
	if problem := doctor.CheckIDsProblem(opts.Doctor.Skip); problem != "" {
		return exitcode.InvalidInput(fmt.Errorf("--skip: %s", problem))
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"timeout", opts.Doctor.Timeout}, {"deadline", opts.Doctor.Deadline}} {
		if d.v <= 0 {
			return cmdutil.BadFlagValue(cmd, d.name, d.v.String(), "a positive duration such as 10s")
		}
	}
	if opts.Doctor.Workers < 1 {
		return cmdutil.BadFlagValue(cmd, "workers", fmt.Sprint(opts.Doctor.Workers), "at least 1")
	}
	if opts.Doctor.ExpiryWarn < opts.Doctor.ExpiryFail {
		return exitcode.InvalidInput(fmt.Errorf("--expiry-warn (%s) is shorter than --expiry-fail (%s): a certificate would fail before it warns", days(opts.Doctor.ExpiryWarn), days(opts.Doctor.ExpiryFail)))
	}
	if opts.HubToken != "" {
		if _, err := secret.ParseFlag(opts.HubToken); err != nil {
			return exitcode.InvalidInput(fmt.Errorf("--hub-token: %w", err))
		}
	}
	return f.CheckOutput()
}

// Run checks the setup and writes the report.
func Run(cmd *cobra.Command, opts *Options) error {
	f := opts.Factory
	start := time.Now()
	res, err := load.Spec(f.Globals.File, f.LoadOptions())
	var invalid *finding.InvalidInput
	if err != nil && !errors.As(err, &invalid) {
		return err
	}
	d := opts.Doctor
	d.Only, d.Offline = opts.Only, opts.Offline
	if d.HubToken, err = hubToken(f, opts.HubToken); err != nil {
		return err
	}
	progress := newProgress(f)
	d.Progress = progress.update
	results, err := doctor.Run(cmd.Context(), res, d)
	progress.clear()
	if err != nil {
		return err
	}
	format, _ := report.Parse(opts.Format)
	meta := report.Meta{Tool: "hubctl", Command: "doctor", Version: f.Build.Version, SpecFile: f.SpecName(),
		Rules: rules(), Strict: opts.Strict, Elapsed: time.Since(start)}
	colour := f.ToStdout() && f.IO.ColourStdout()
	var out strings.Builder
	if err := report.Write(&out, format, results, meta, report.TextOptions{Colour: colour, Verbose: opts.Verbose}); err != nil {
		return err
	}
	if err := f.WriteOutput([]byte(out.String()), false); err != nil {
		return err
	}
	if !f.ToStdout() {
		fmt.Fprintf(f.IO.ErrOut, "%s: %s\n", f.Globals.Output, summary(results))
	}
	if invalid != nil {
		// The report is written all the same, so CI shows each finding
		// where it is; live checks did not run.
		fmt.Fprintf(f.IO.ErrOut, "%s is invalid: %s; the live checks did not run\n", f.SpecName(), res.Findings.Summary())
		return &exitcode.Error{Code: exitcode.Invalid, Err: cmdutil.ErrSilent}
	}
	if results.Failed(opts.Strict) {
		return &exitcode.Error{Code: exitcode.Failed, Err: cmdutil.ErrSilent}
	}
	return nil
}

// hubToken reads the admin token: --hub-token's reference, else
// HUBCTL_HUB_TOKEN when set; "" when neither is given.
func hubToken(f *cmdutil.Factory, flag string) (string, error) {
	if flag == "" {
		v, _ := lookupEnv(f, HubTokenEnv)
		return v, nil
	}
	// A relative file is relative to where doctor runs, as any path on the
	// command line is: the resolver has no base directory.
	ref, _ := secret.ParseFlag(flag)
	v, err := secret.Resolver{LookupEnv: f.LookupEnv}.Resolve(ref)
	if err != nil {
		return "", exitcode.InvalidInput(fmt.Errorf("--hub-token: %w", err))
	}
	return v, nil
}

func lookupEnv(f *cmdutil.Factory, name string) (string, bool) {
	if f.LookupEnv != nil {
		return f.LookupEnv(name)
	}
	return os.LookupEnv(name)
}

func summary(rs finding.Results) string {
	return fmt.Sprintf("%d passed, %d warnings, %d failed, %d skipped, %d errored",
		rs.CountStatus(finding.Pass), rs.CountStatus(finding.Warn), rs.CountStatus(finding.Fail),
		rs.CountStatus(finding.Skip), rs.CountStatus(finding.Errored))
}

// listChecks prints the catalogue, a line each.
func listChecks(w io.Writer) error {
	checks := doctor.Checks()
	width := 0
	for _, c := range checks {
		width = max(width, len(c.ID))
	}
	for _, c := range checks {
		kind := "live  "
		if !c.Live {
			kind = "static"
		}
		if _, err := fmt.Fprintf(w, "%-*s  %s  %s\n", width, c.ID, kind, c.Doc); err != nil {
			return err
		}
	}
	return nil
}

func checkIDs() []string {
	var ids []string
	for _, c := range doctor.Checks() {
		ids = append(ids, c.ID)
	}
	return ids
}

func rules() []report.Rule {
	var rs []report.Rule
	for _, c := range doctor.Checks() {
		rs = append(rs, report.Rule{ID: c.ID, Title: c.Title, Doc: c.Doc})
	}
	return rs
}

func formatNames() []string {
	var names []string
	for _, f := range report.Formats {
		names = append(names, string(f))
	}
	return names
}

// progress is the line a terminal shows while checks run; nothing when
// standard error is not a terminal.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	shown bool
}

func newProgress(f *cmdutil.Factory) *progress {
	if !f.IO.IsStderrTTY() {
		return &progress{}
	}
	return &progress{w: f.IO.ErrOut}
}

func (p *progress) update(done, total int) {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "\r\x1b[Kchecking: %d/%d done", done, total)
	p.shown = true
}

func (p *progress) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.shown = false
	}
}
