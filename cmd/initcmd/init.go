// Package initcmd is `hubctl init`, which writes a new hubctl.yaml.
package initcmd

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hubctl/hubctl/cmd/cmdutil"
	"github.com/hubctl/hubctl/pkg/atomicfile"
	"github.com/hubctl/hubctl/pkg/exitcode"
	"github.com/hubctl/hubctl/pkg/scaffold"
	"github.com/hubctl/hubctl/pkg/spec"
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
leave out; otherwise --provider, --provider-url and --hub-url are required.
An existing file is never overwritten without --force.`,
		Example: `  hubctl init --provider nbgallery --provider-url https://gallery.example.org \
      --hub-url https://hub.example.org --service nbviewer=http://nbviewer:8080
  hubctl init --provider oidc --provider-url https://id.example.org/realms/hub \
      --hub-url https://hub.example.org --client-id jupyterhub`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return Run(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Provider, "provider", "", "login provider: "+strings.Join(spec.Providers, ", "))
	fl.StringVar(&opts.ProviderURL, "provider-url", "", "NBGallery's base URL, the OIDC issuer, or the OAuth2 server's base URL")
	fl.StringVar(&opts.HubURL, "hub-url", "", "the hub's public URL")
	fl.StringVar(&opts.ClientID, "client-id", "", "the hub's client id at the provider")
	fl.StringArrayVar(&opts.Services, "service", nil, "an external service as NAME=URL (repeatable)")
	fl.BoolVar(&opts.Force, "force", false, "overwrite an existing file")
	_ = cmd.RegisterFlagCompletionFunc("provider", cobra.FixedCompletions(spec.Providers, cobra.ShellCompDirectiveNoFileComp))
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
	if err := opts.complete(); err != nil {
		return err
	}
	so := scaffold.Options{Provider: opts.Provider, ProviderURL: opts.ProviderURL, HubURL: opts.HubURL, ClientID: opts.ClientID}
	for _, arg := range opts.Services {
		svc, err := scaffold.ParseService(arg)
		if err != nil {
			return exitcode.InvalidInput(err)
		}
		so.Services = append(so.Services, svc)
	}
	data, err := scaffold.Spec(so)
	if err != nil {
		return err
	}
	// What init writes must pass validate: check before writing anything.
	if _, doc, findings := spec.Parse(path, ".", data); findings.HasErrors() || doc == nil {
		return fmt.Errorf("internal error: the scaffold does not parse: %v", findings)
	}
	if toStdout {
		_, err := f.IO.Out.Write(data)
		return err
	}
	if err := atomicfile.Write(path, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "wrote %s; next: hubctl validate -f %s\n", path, path)
	if opts.ClientID == "" {
		fmt.Fprintf(f.IO.ErrOut, "set login.clientId to the client id the provider issued (it says %s)\n", scaffold.PlaceholderClientID)
	}
	return nil
}

// complete asks for missing answers on a terminal, and refuses to guess
// otherwise.
func (opts *Options) complete() error {
	ios := opts.Factory.IO
	questions := []struct {
		value  *string
		flag   string
		prompt string
	}{
		{&opts.Provider, "--provider", "Login provider (" + strings.Join(spec.Providers, ", ") + ")"},
		{&opts.ProviderURL, "--provider-url", "Provider URL (NBGallery base URL or OIDC issuer)"},
		{&opts.HubURL, "--hub-url", "Hub public URL"},
	}
	var missing []string
	var in *bufio.Scanner
	for _, q := range questions {
		if *q.value != "" {
			continue
		}
		if !ios.IsStdinTTY() {
			missing = append(missing, q.flag)
			continue
		}
		if in == nil {
			in = bufio.NewScanner(ios.In)
		}
		fmt.Fprintf(ios.ErrOut, "%s: ", q.prompt)
		if !in.Scan() {
			return exitcode.InvalidInput(fmt.Errorf("no answer for %s", q.flag))
		}
		*q.value = strings.TrimSpace(in.Text())
	}
	if len(missing) > 0 {
		return exitcode.InvalidInput(fmt.Errorf("standard input is not a terminal, so these flags are required: %s", strings.Join(missing, ", ")))
	}
	if !slices.Contains(spec.Providers, opts.Provider) {
		return exitcode.InvalidInput(fmt.Errorf("--provider %q: use one of %s", opts.Provider, strings.Join(spec.Providers, ", ")))
	}
	return nil
}
