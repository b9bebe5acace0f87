// Package initcmd is `hubctl init`, which writes a new hubctl.yaml.
package initcmd

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hubctl/hubctl/cmd/cmdutil"
	"github.com/hubctl/hubctl/pkg/atomicfile"
	"github.com/hubctl/hubctl/pkg/exitcode"
	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/scaffold"
	"github.com/hubctl/hubctl/pkg/spec"
	"github.com/hubctl/hubctl/pkg/validate"
)

// Options are init's flags.
type Options struct {
	Factory     *cmdutil.Factory
	Provider    string
	ProviderURL string
	HubURL      string
	ClientID    string
	Services    []string
	Force       bool
}

// NewCmd builds the command; runF replaces the run function in tests.
func NewCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a new, commented hubctl.yaml",
		Long: `Write a commented hubctl.yaml (or the file named by -f; "-f -" prints it)
from flags. When standard input is a terminal, hubctl asks for what the flags
leave out, and asks again after an answer it cannot use; otherwise --hub-url
is required, and --provider-url with --provider. Without a terminal and
without any provider flag the spec has no login, only services
(--provider none says so explicitly).

--service NAME=URL adds a service behind the hub's proxy, with OAuth;
--service NAME alone adds an API-only service. Without --client-id the spec
says CHANGE-ME, which validate reports until it is replaced.

Every flag and answer is checked before anything is written. An existing file
is never overwritten without --force.`,
		Example: `  hubctl init --provider nbgallery --provider-url https://gallery.example.org \
      --hub-url https://hub.example.org --service nbviewer=http://nbviewer:8080
  hubctl init --provider oidc --provider-url https://id.example.org/realms/hub \
      --hub-url https://hub.example.org --client-id jupyterhub
  hubctl init --provider none --hub-url https://hub.example.org --service grader`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return Run(opts)
		},
	}
	cmdutil.AddFileFlag(cmd, f, `file to write ("-" prints it)`)
	fl := cmd.Flags()
	fl.StringVar(&opts.Provider, "provider", "", "login provider: "+strings.Join(scaffold.Providers, ", ")+" (none: services only)")
	fl.StringVar(&opts.ProviderURL, "provider-url", "", "NBGallery's base URL, the OIDC issuer, or the OAuth2 server's base URL")
	fl.StringVar(&opts.HubURL, "hub-url", "", "the hub's public URL")
	fl.StringVar(&opts.ClientID, "client-id", "", "the hub's client id at the provider")
	fl.StringArrayVar(&opts.Services, "service", nil, "a service as NAME=URL, or NAME alone for an API-only service (repeatable)")
	fl.BoolVar(&opts.Force, "force", false, "overwrite an existing file")
	_ = cmd.RegisterFlagCompletionFunc("provider", cobra.FixedCompletions(scaffold.Providers, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// Run writes the spec.
func Run(opts *Options) error {
	f := opts.Factory
	path := f.Globals.File
	toStdout := path == "-"
	if !toStdout && !opts.Force {
		if _, err := os.Stat(path); err == nil {
			return exitcode.InvalidInput(fmt.Errorf("%s already exists; pass --force to overwrite it", path))
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	so, err := opts.answers()
	if err != nil {
		return err
	}
	data, err := scaffold.Spec(so)
	if err != nil {
		return exitcode.InvalidInput(err)
	}
	// What init writes must pass validate: check before writing anything.
	if err := opts.check(path, data, so); err != nil {
		return err
	}
	if toStdout {
		if _, err := f.IO.Out.Write(data); err != nil {
			return err
		}
	} else {
		if err := atomicfile.Write(path, data, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(f.IO.ErrOut, "wrote %s\n", path)
	}
	opts.nextSteps(path, so)
	return nil
}

// nextSteps says on stderr what is left to do before render works.
func (opts *Options) nextSteps(path string, so scaffold.Options) {
	w := opts.Factory.IO.ErrOut
	if so.Provider != scaffold.ProviderNone && so.ClientID == "" {
		hub := spec.Hub{URL: so.HubURL}
		fmt.Fprintf(w, "fill in: login.clientId says %s; register the redirect URI %s at the provider and put the client id it issues there\n",
			scaffold.PlaceholderClientID, hub.LoginCallbackURL())
	}
	var vars []string
	if so.Provider != scaffold.ProviderNone {
		vars = append(vars, "OAUTH_CLIENT_SECRET")
	}
	for _, s := range so.Services {
		vars = append(vars, spec.TokenEnvName(s.Name))
	}
	if len(vars) > 0 {
		fmt.Fprintf(w, "before render, set the environment variables the spec references: %s\n", strings.Join(vars, ", "))
	}
	if path != "-" {
		fmt.Fprintf(w, "next: hubctl validate -f %s\n", path)
	}
}

// answers checks every flag, then asks on a terminal for what they leave
// out, and refuses to guess otherwise.
func (opts *Options) answers() (scaffold.Options, error) {
	so := scaffold.Options{Provider: opts.Provider, ProviderURL: opts.ProviderURL, HubURL: opts.HubURL,
		ClientID: opts.ClientID, Version: opts.Factory.Build.Version}
	if err := opts.checkFlags(&so); err != nil {
		return so, err
	}
	ios := opts.Factory.IO
	p := &prompter{tty: ios.IsStdinTTY(), in: bufio.NewScanner(ios.In), out: ios.ErrOut}

	if so.Provider == "" && !p.tty && so.ProviderURL == "" && so.ClientID == "" {
		// Nothing about a login was said, and there is nobody to ask: a
		// spec with services only.
		so.Provider = scaffold.ProviderNone
	}
	if err := p.ask(&so.Provider, "--provider", "Login provider ("+strings.Join(scaffold.Providers, ", ")+")", scaffold.CheckProvider); err != nil {
		return so, err
	}
	login := so.Provider != scaffold.ProviderNone
	if login {
		if err := p.ask(&so.ProviderURL, "--provider-url", "Provider URL (NBGallery base URL, OIDC issuer or OAuth2 server)", scaffold.CheckProviderURL); err != nil {
			return so, err
		}
	}
	if err := p.ask(&so.HubURL, "--hub-url", "Hub public URL", scaffold.CheckHubURL); err != nil {
		return so, err
	}
	if len(p.missing) > 0 {
		return so, exitcode.InvalidInput(fmt.Errorf("standard input is not a terminal, so these flags are required: %s", strings.Join(p.missing, ", ")))
	}
	if login && so.ClientID == "" && p.tty {
		hub := spec.Hub{URL: so.HubURL}
		fmt.Fprintf(p.out, "Register the hub at the provider with the redirect URI %s\n", hub.LoginCallbackURL())
		// An empty answer is allowed: the client may not be registered yet,
		// and the spec then says CHANGE-ME, which validate reports.
		if err := p.askOptional(&so.ClientID, "--client-id", "Client id it issued (empty to fill in later)"); err != nil {
			return so, err
		}
	}
	return so, nil
}

// checkFlags checks the flags given, all of them, before any question.
func (opts *Options) checkFlags(so *scaffold.Options) error {
	var problems []error
	flag := func(name, value string, check func(string) error) {
		if value == "" {
			return
		}
		if err := check(value); err != nil {
			problems = append(problems, fmt.Errorf("--%s: %w", name, err))
		}
	}
	flag("provider", so.Provider, scaffold.CheckProvider)
	flag("provider-url", so.ProviderURL, scaffold.CheckProviderURL)
	flag("hub-url", so.HubURL, scaffold.CheckHubURL)
	if so.Provider == scaffold.ProviderNone {
		for _, f := range []struct{ name, value string }{{"provider-url", so.ProviderURL}, {"client-id", so.ClientID}} {
			if f.value != "" {
				problems = append(problems, fmt.Errorf("--%s: --provider none writes no login, so it has no use; drop it or name a provider", f.name))
			}
		}
	}
	if so.Provider == "" && !opts.Factory.IO.IsStdinTTY() && (so.ProviderURL != "" || so.ClientID != "") {
		problems = append(problems, fmt.Errorf("--provider is required with --provider-url or --client-id: one of %s", strings.Join(scaffold.Providers, ", ")))
	}
	for _, arg := range opts.Services {
		svc, err := scaffold.ParseService(arg)
		if err != nil {
			problems = append(problems, fmt.Errorf("--service %s: %w", arg, err))
			continue
		}
		so.Services = append(so.Services, svc)
	}
	if err := scaffold.CheckServices(so.Services); err != nil {
		problems = append(problems, fmt.Errorf("--service: %w", err))
	}
	if len(problems) > 0 {
		return exitcode.InvalidInput(errors.Join(problems...))
	}
	return nil
}

// prompter asks for missing answers on a terminal, and collects the flags
// that would have answered them otherwise.
type prompter struct {
	tty     bool
	in      *bufio.Scanner
	out     io.Writer
	missing []string
}

// ask fills an empty *value: on a terminal it asks until check accepts the
// answer, printing each problem, and gives up when standard input ends;
// otherwise it notes flag as missing.
func (p *prompter) ask(value *string, flag, question string, check func(string) error) error {
	if *value != "" {
		return nil
	}
	if !p.tty {
		p.missing = append(p.missing, flag)
		return nil
	}
	for {
		answer, ok, err := p.read(question)
		switch {
		case err != nil:
			return fmt.Errorf("reading the answer for %s: %w", flag, err)
		case !ok:
			return exitcode.InvalidInput(fmt.Errorf("no answer for %s (standard input ended)", flag))
		case answer == "":
			fmt.Fprintf(p.out, "  an answer is required (or pass %s)\n", flag)
			continue
		}
		if err := check(answer); err != nil {
			fmt.Fprintf(p.out, "  %v\n", err)
			continue
		}
		*value = answer
		return nil
	}
}

// askOptional asks once and takes any answer; an empty one, or the end of
// standard input, leaves *value empty.
func (p *prompter) askOptional(value *string, flag, question string) error {
	answer, _, err := p.read(question)
	if err != nil {
		return fmt.Errorf("reading the answer for %s: %w", flag, err)
	}
	*value = answer
	return nil
}

// read prints question and reads one line; ok is false when standard input
// has ended.
func (p *prompter) read(question string) (answer string, ok bool, err error) {
	fmt.Fprintf(p.out, "%s: ", question)
	if !p.in.Scan() {
		fmt.Fprintln(p.out)
		return "", false, p.in.Err()
	}
	return strings.TrimSpace(p.in.Text()), true, nil
}

// check runs validate over the scaffold and turns what it finds into
// messages about the flags that caused it: the per-flag checks come first,
// this catches the rest (reserved service names, names that collide once
// derived, placeholder hosts). Errors refuse; warnings are printed. The
// CHANGE-ME client id is expected when none was given.
func (opts *Options) check(path string, data []byte, so scaffold.Options) error {
	s, doc, findings := spec.Parse(path, ".", data)
	if findings.HasErrors() || doc == nil {
		return fmt.Errorf("internal error: the scaffold does not parse: %v", findings)
	}
	var problems []error
	for _, fd := range validate.Spec(s, doc) {
		if fd.ID == "placeholder" && fd.Path == "login.clientId" && so.ClientID == "" {
			continue
		}
		msg := flagFor(fd.Path) + ": " + fd.Message
		if fd.Hint != "" {
			msg += " (" + fd.Hint + ")"
		}
		if fd.Severity == finding.Error {
			problems = append(problems, errors.New(msg))
		} else {
			opts.Factory.Warnf("%s", msg)
		}
	}
	if len(problems) > 0 {
		return exitcode.InvalidInput(errors.Join(problems...))
	}
	return nil
}

// flagFor names the flag behind a spec path init wrote.
func flagFor(path string) string {
	switch {
	case strings.HasPrefix(path, "hub."):
		return "--hub-url"
	case path == "login.clientId":
		return "--client-id"
	case path == "login.provider":
		return "--provider"
	case strings.HasPrefix(path, "login."):
		return "--provider-url"
	case strings.HasPrefix(path, "services."):
		name, _, _ := strings.Cut(strings.TrimPrefix(path, "services."), ".")
		return "--service " + name
	}
	return path
}
