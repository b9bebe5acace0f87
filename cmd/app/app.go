// Package app is `hubctl app`: registering the setup's OAuth clients at the
// provider and at the hub.
package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/hubctl/hubctl/cmd/cmdutil"
	"github.com/hubctl/hubctl/pkg/app"
	"github.com/hubctl/hubctl/pkg/exitcode"
	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/load"
	"github.com/hubctl/hubctl/pkg/provider"
	"github.com/hubctl/hubctl/pkg/secret"
	"github.com/hubctl/hubctl/pkg/state"
)

// HubTokenEnv holds the hub's admin token when --hub-token names none.
const HubTokenEnv = "HUBCTL_HUB_TOKEN"

// Options are the flags every app subcommand shares.
type Options struct {
	Factory         *cmdutil.Factory
	Backend         string
	RegistrationURL string
	InitialToken    string
	AdminURL        string
	Dex             app.DexOptions
	SessionCookie   string
	HubToken        string
	DryRun          bool
	RevealSecret    bool
	Format          string
	Update          bool
	Yes             bool
	// ClientID and ClientSecretFile answer guided mode's questions
	// without a terminal.
	ClientID         string
	ClientSecretFile string
	Timeout          time.Duration
}

// NewCmd builds `hubctl app` and its subcommands.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "app",
		Short: "Register the setup's OAuth clients: the login at the provider, services at the hub",
		Long: `Register, list, rotate and delete the OAuth clients a spec needs: the hub's
login client at its provider (RFC 7591 dynamic registration, Hydra's admin
API, Dex's gRPC API, NBGallery's applications) and each service at the hub
(its services API, or a token and client id that take effect when the
rendered configuration is deployed).

What comes back is stored where the spec says: a secret in its {file: PATH}
(mode 0600), or, for {env: NAME} and {k8sSecret: ...}, in .hubctl/ beside the
spec (mode 0700, ignored by git), from which render and doctor read it; the
login's client id is written into the spec in place. Secrets are never
printed without --reveal-secret.`,
		Args: cobra.ArbitraryArgs,
		RunE: cmdutil.RequireSubcommand,
	}
	fl := cmd.PersistentFlags()
	fl.StringVar(&opts.Backend, "backend", "", "login registry: "+strings.Join(app.BackendNames, ", ")+" (default: by the provider)")
	fl.StringVar(&opts.RegistrationURL, "registration-url", "", "RFC 7591 registration endpoint (default: discovery's registration_endpoint)")
	fl.StringVar(&opts.InitialToken, "initial-token", "", "RFC 7591 initial access token, as env:NAME or file:PATH")
	fl.StringVar(&opts.AdminURL, "admin-url", "", "Hydra's admin API URL (backend hydra-admin)")
	fl.StringVar(&opts.Dex.Address, "dex-address", "", "Dex's gRPC API, HOST:PORT (backend dex)")
	fl.StringVar(&opts.Dex.CAFile, "dex-ca-file", "", "CA that signed Dex's gRPC certificate")
	fl.StringVar(&opts.Dex.CertFile, "dex-cert-file", "", "client certificate for Dex's gRPC API")
	fl.StringVar(&opts.Dex.KeyFile, "dex-key-file", "", "client key for Dex's gRPC API")
	fl.BoolVar(&opts.Dex.Insecure, "dex-insecure", false, "plaintext gRPC to Dex (loopback addresses only)")
	fl.StringVar(&opts.SessionCookie, "session-cookie-file", "", "file holding an NBGallery admin's session cookie (session mode; without it, guided mode)")
	fl.StringVar(&opts.HubToken, "hub-token", "", "the hub's admin token, as env:NAME or file:PATH (default $"+HubTokenEnv+")")
	fl.BoolVar(&opts.RevealSecret, "reveal-secret", false, "print the new secret (it is stored either way)")
	fl.DurationVar(&opts.Timeout, "timeout", 30*time.Second, "bound each request to a registry")
	// On every subcommand: each reads the spec, and create writes into it.
	fl.StringVarP(&f.Globals.File, "file", "f", "hubctl.yaml", cmdutil.SpecFileUsage+" (env HUBCTL_FILE)")
	cmd.AddCommand(newCreateCmd(opts), newListCmd(opts), newRotateCmd(opts), newDeleteCmd(opts))
	return cmd
}

func newCreateCmd(opts *Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "create login|SERVICE",
		Short: "Register a client, or say that it exists (exit 5); --update brings it in line with the spec",
		Example: `  hubctl app create login                         # OIDC: RFC 7591 registration found by discovery
  hubctl app create login --admin-url http://127.0.0.1:4445   # Hydra's admin API
  hubctl app create login                         # NBGallery: says what to enter, then asks for the UID and secret
  hubctl app create nbviewer --hub-token env:HUB_ADMIN_TOKEN`,
		Args: cmdutil.ExactArgs(1, "one client: login or a service name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return opts.run(cmd, args[0], func(env app.Env, t app.Target) (app.Result, error) {
				return app.Create(cmd.Context(), env, t, opts.Update)
			})
		},
	}
	cmd.Flags().BoolVar(&opts.Update, "update", false, "update an existing registration to match the spec")
	addMutationFlags(cmd, opts)
	addGuidedFlags(cmd, opts)
	return cmd
}

func newRotateCmd(opts *Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rotate login|SERVICE",
		Short: "Issue a new secret or token and store it",
		Args:  cmdutil.ExactArgs(1, "one client: login or a service name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return opts.run(cmd, args[0], func(env app.Env, t app.Target) (app.Result, error) {
				return app.Rotate(cmd.Context(), env, t)
			})
		},
	}
	addMutationFlags(cmd, opts)
	addGuidedFlags(cmd, opts)
	return cmd
}

func newDeleteCmd(opts *Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "delete login|SERVICE",
		Short: "Remove a registration (asks on a terminal; --yes otherwise)",
		Args:  cmdutil.ExactArgs(1, "one client: login or a service name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			f := opts.Factory
			if !opts.Yes && !opts.DryRun {
				if !f.IO.IsStdinTTY() || !f.IO.IsStderrTTY() {
					return exitcode.InvalidInput(fmt.Errorf("deleting %s needs --yes when not on a terminal", args[0]))
				}
				fmt.Fprintf(f.IO.ErrOut, "Delete the registration of %s? Type its name to confirm: ", args[0])
				answer, _ := readLine(f.IO.In)
				if strings.TrimSpace(answer) != args[0] {
					return exitcode.InvalidInput(errors.New("not confirmed: nothing was deleted"))
				}
			}
			return opts.run(cmd, args[0], func(env app.Env, t app.Target) (app.Result, error) {
				return app.Delete(cmd.Context(), env, t)
			})
		},
	}
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "delete without asking")
	addMutationFlags(cmd, opts)
	return cmd
}

func addMutationFlags(cmd *cobra.Command, opts *Options) {
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "print the request that would change the registry (secrets masked), and send nothing that changes it")
	cmd.Flags().StringVar(&opts.Format, "format", "text", "text or json")
}

// addGuidedFlags are the answers of guided mode (NBGallery, consoles), for
// runs without a terminal.
func addGuidedFlags(cmd *cobra.Command, opts *Options) {
	cmd.Flags().StringVar(&opts.ClientID, "client-id", "", "guided mode: the client id (NBGallery's UID) the console showed")
	cmd.Flags().StringVar(&opts.ClientSecretFile, "client-secret-file", "", "guided mode: a file holding the client secret the console showed")
}

func newListCmd(opts *Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list",
		Short: "Show each client of the spec: where it is registered and whether it matches the spec",
		Args:  cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := opts.Factory
			res, sel, err := opts.prepare(cmd)
			if err != nil {
				return err
			}
			env := opts.env(res)
			var targets []app.Target
			if res.Spec.Login != nil {
				t, err := app.LoginTarget(res.Spec, res.Config)
				if err != nil {
					return err
				}
				if t.Backend, err = app.SelectLogin(cmd.Context(), res.Spec, sel); err != nil {
					return err
				}
				targets = append(targets, t)
			}
			for _, name := range res.Spec.Services.Names() {
				t, err := app.ServiceTarget(res.Spec, name)
				if err != nil {
					return err
				}
				t.Backend = app.SelectService(res.Spec, sel)
				targets = append(targets, t)
			}
			statuses, err := app.List(cmd.Context(), env, targets)
			if err != nil {
				return err
			}
			if opts.Format == "json" {
				enc := json.NewEncoder(f.IO.Out)
				enc.SetIndent("", "  ")
				return enc.Encode(map[string]any{"clients": statuses})
			}
			return writeTable(f.IO.Out, statuses)
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "table", "table or json")
	return cmd
}

func writeTable(w io.Writer, statuses []app.Status) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tREGISTRY\tCLIENT ID\tSTATE")
	for _, s := range statuses {
		state := "not registered"
		switch {
		case s.Error != "":
			state = "unknown: " + s.Error
		case s.Pending:
			state = "pending: takes effect when the rendered configuration is deployed"
		case s.Registered && s.Matches:
			state = "registered, matches the spec"
		case s.Registered:
			state = "registered, differs: " + strings.Join(s.Differs, "; ")
		case s.ClientID != "":
			state = "not found at the registry"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Name, s.Backend, orDash(s.ClientID), state)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, s := range statuses {
		if s.Interrupted != "" {
			fmt.Fprintf(w, "warning: %s\n", s.Interrupted)
		}
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// prepare loads the spec and resolves the flags' secret references.
func (opts *Options) prepare(cmd *cobra.Command) (*load.Result, app.SelectOptions, error) {
	f := opts.Factory
	if f.Globals.File == "-" {
		return nil, app.SelectOptions{}, exitcode.InvalidInput(errors.New("hubctl app writes into the spec: give it with -f FILE, not standard input"))
	}
	res, err := load.Config(cmd.Context(), f.Globals.File, load.Options{LookupEnv: f.LookupEnv, SkipEndpoints: true})
	if err != nil {
		return nil, app.SelectOptions{}, err
	}
	f.ReportFindings(withoutUnregistered(res.Findings))
	resolve := func(flag, value, fallbackEnv string) (string, error) {
		if value == "" {
			if fallbackEnv != "" {
				v, _ := lookupEnv(f, fallbackEnv)
				return v, nil
			}
			return "", nil
		}
		ref, err := secret.ParseFlag(value)
		if err != nil {
			return "", exitcode.InvalidInput(fmt.Errorf("--%s: %w", flag, err))
		}
		v, err := secret.Resolver{LookupEnv: f.LookupEnv}.Resolve(ref)
		if err != nil {
			return "", exitcode.InvalidInput(fmt.Errorf("--%s: %w", flag, err))
		}
		return v, nil
	}
	sel := app.SelectOptions{Backend: opts.Backend, RegistrationURL: opts.RegistrationURL, AdminURL: opts.AdminURL,
		Dex: opts.Dex, Out: f.IO.ErrOut}
	if sel.InitialToken, err = resolve("initial-token", opts.InitialToken, ""); err != nil {
		return nil, sel, err
	}
	if sel.HubToken, err = resolve("hub-token", opts.HubToken, HubTokenEnv); err != nil {
		return nil, sel, err
	}
	if opts.SessionCookie != "" {
		b, err := os.ReadFile(opts.SessionCookie)
		if err != nil {
			return nil, sel, exitcode.InvalidInput(fmt.Errorf("--session-cookie-file: %w", err))
		}
		sel.SessionCookie = strings.TrimSpace(string(b))
	}
	caFile := ""
	verify := true
	if l := res.Spec.Login; l != nil {
		if l.CAFile != "" {
			caFile = res.Resolver.Path(secret.Ref{Kind: secret.File, File: l.CAFile})
		}
		if l.VerifyTLS != nil {
			verify = *l.VerifyTLS
		}
	}
	client, err := provider.HTTPClient(caFile, verify)
	if err != nil {
		return nil, sel, err
	}
	client.Timeout = opts.Timeout
	sel.HTTPClient = client
	sel.Prompt = newPrompter(f)
	if opts.ClientID != "" || opts.ClientSecretFile != "" {
		var clientSecret string
		if opts.ClientSecretFile != "" {
			if clientSecret, err = (secret.Resolver{}).Resolve(secret.Ref{Kind: secret.File, File: opts.ClientSecretFile}); err != nil {
				return nil, sel, exitcode.InvalidInput(fmt.Errorf("--client-secret-file: %w", err))
			}
		}
		sel.Prompt = app.WithAnswers(opts.ClientID, clientSecret, sel.Prompt)
	}
	return res, sel, nil
}

// run builds the target for name and runs op on it.
func (opts *Options) run(cmd *cobra.Command, name string, op func(app.Env, app.Target) (app.Result, error)) error {
	f := opts.Factory
	if opts.Format != "text" && opts.Format != "json" {
		return cmdutil.BadFlagValue(cmd, "format", opts.Format, "use text or json")
	}
	res, sel, err := opts.prepare(cmd)
	if err != nil {
		return err
	}
	var masker func(string) string
	if opts.DryRun {
		masker = mask(sel)
		sel.HTTPClient = dryRunClient(sel.HTTPClient, f.IO.Out, masker)
		// gRPC does not go through an HTTP transport: Dex takes the writer.
		sel.Dex.DryRun = f.IO.Out
	}
	var t app.Target
	if name == app.LoginClient {
		if t, err = app.LoginTarget(res.Spec, res.Config); err != nil {
			return exitcode.InvalidInput(err)
		}
		if t.Backend, err = app.SelectLogin(cmd.Context(), res.Spec, sel); err != nil {
			return err
		}
	} else {
		if t, err = app.ServiceTarget(res.Spec, name); err != nil {
			return exitcode.InvalidInput(err)
		}
		t.Backend = app.SelectService(res.Spec, sel)
	}
	result, err := op(opts.env(res), t)
	if errors.Is(err, app.ErrDryRun) {
		fmt.Fprintf(f.IO.ErrOut, "dry run: nothing was changed\n")
		return nil
	}
	var exists *app.ExistsError
	if errors.As(err, &exists) {
		return &exitcode.Error{Code: exitcode.Exists, Err: err}
	}
	if err != nil {
		return err
	}
	return opts.report(result)
}

func (opts *Options) env(res *load.Result) app.Env {
	f := opts.Factory
	return app.Env{SpecPath: f.Globals.File, Store: state.Open(f.Globals.File), Resolver: res.Resolver,
		Out: f.IO.ErrOut, RevealSecret: opts.RevealSecret, DryRun: opts.DryRun}
}

func (opts *Options) report(r app.Result) error {
	f := opts.Factory
	if opts.Format == "json" {
		enc := json.NewEncoder(f.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	id := r.Registration.ClientID
	fmt.Fprintf(f.IO.ErrOut, "%s: %s at %s as client %s\n", r.Name, r.Action, r.Backend, id)
	for _, n := range r.Notes {
		fmt.Fprintf(f.IO.ErrOut, "  %s\n", n)
	}
	if r.Registration.Pending {
		fmt.Fprintf(f.IO.ErrOut, "  it takes effect when the rendered configuration is deployed (hubctl render helm-values or hub-config)\n")
	}
	if r.Secret != "" {
		fmt.Fprintln(f.IO.Out, r.Secret)
	}
	return nil
}

// withoutUnregistered drops the warning app create login answers.
func withoutUnregistered(l finding.List) finding.List {
	var out finding.List
	for _, x := range l {
		if x.ID != "client-not-registered" {
			out = append(out, x)
		}
	}
	return out
}

func lookupEnv(f *cmdutil.Factory, name string) (string, bool) {
	if f.LookupEnv != nil {
		return f.LookupEnv(name)
	}
	return os.LookupEnv(name)
}

// mask hides every secret the flags resolved in dry-run output.
func mask(sel app.SelectOptions) func(string) string {
	secrets := []string{sel.InitialToken, sel.HubToken, sel.SessionCookie}
	return func(s string) string {
		for _, v := range secrets {
			if len(v) >= 4 {
				s = strings.ReplaceAll(s, v, "********")
			}
		}
		return s
	}
}

func dryRunClient(c *http.Client, out io.Writer, masker func(string) string) *http.Client {
	cp := *c
	cp.Transport = &app.DryRunTransport{Next: c.Transport, Out: out, Mask: masker}
	return &cp
}
