// Package cmd is hubctl's command line: cobra commands that parse flags
// into options and hand the work to pkg/. Main runs it and turns errors
// into exit statuses.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	appcmd "github.com/hubctl/hubctl/cmd/app"
	"github.com/hubctl/hubctl/cmd/cmdutil"
	"github.com/hubctl/hubctl/cmd/docs"
	doctorcmd "github.com/hubctl/hubctl/cmd/doctor"
	"github.com/hubctl/hubctl/cmd/importcmd"
	"github.com/hubctl/hubctl/cmd/initcmd"
	lintcmd "github.com/hubctl/hubctl/cmd/lint"
	migratecmd "github.com/hubctl/hubctl/cmd/migrate"
	"github.com/hubctl/hubctl/cmd/render"
	"github.com/hubctl/hubctl/cmd/schema"
	"github.com/hubctl/hubctl/cmd/validate"
	"github.com/hubctl/hubctl/cmd/versioncmd"
	"github.com/hubctl/hubctl/pkg/exitcode"
	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/iostreams"
)

// NewRootCmd builds the whole command tree.
func NewRootCmd(f *cmdutil.Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "hubctl",
		Short: "Configure JupyterHub's OAuth login and services from one spec",
		Long: `hubctl configures a JupyterHub's OAuth login (NBGallery, or any OAuth2 or
OpenID Connect provider) and the external services registered with it, such as
nbviewer, from one declarative file, hubctl.yaml. It checks the file and
renders what works on current JupyterHub, OAuthenticator and the
Zero-to-JupyterHub chart.`,
		Example: `  hubctl init --provider nbgallery --provider-url https://gallery.example.org \
      --hub-url https://hub.example.org --service nbviewer=http://nbviewer:8080
  hubctl validate
  hubctl render helm-values -o values-hubctl.yaml
  hubctl render secret | kubectl apply -n jhub -f -`,
		SilenceUsage:  true,
		SilenceErrors: true,
		// Bare hubctl is a usage error, not the help on standard output.
		Args: cobra.ArbitraryArgs,
		RunE: cmdutil.RequireSubcommand,
		// --version says what hubctl version says.
		Version: f.Build.String(),
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := cmdutil.ApplyDefaults(cmd, f.ConfigFile, f.IO.ErrOut); err != nil {
				return exitcode.InvalidInput(err)
			}
			if f.Globals.NoColor {
				f.IO.DisableColour()
			}
			return nil
		},
	}
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return exitcode.InvalidInput(err) })
	root.SetVersionTemplate("hubctl {{.Version}}\n")
	root.SetHelpCommand(cmdutil.NewHelpCmd())
	// Groups (hubctl, render, completion) are runnable only to refuse
	// running bare; their usage line should not offer that.
	root.SetUsageTemplate(strings.Replace(root.UsageTemplate(), "{{if .Runnable}}", "{{if and .Runnable (not .HasAvailableSubCommands)}}", 1))

	// Only --no-color is global: -f and -o belong to the commands they
	// mean something to (cmdutil.AddFileFlag, AddOutputFlag).
	root.PersistentFlags().BoolVar(&f.Globals.NoColor, "no-color", false, "never colour output (also NO_COLOR)")
	// Declared here, without cobra's -v shorthand, which would take a
	// letter a later flag may want.
	root.Flags().Bool("version", false, "print hubctl's version")

	root.AddCommand(
		initcmd.NewCmd(f, nil),
		validate.NewCmd(f, nil),
		doctorcmd.NewCmd(f, nil),
		appcmd.NewCmd(f),
		render.NewCmd(f),
		lintcmd.NewCmd(f, nil),
		migratecmd.NewCmd(f, nil),
		importcmd.NewCmd(f, nil),
		schema.NewCmd(f),
		versioncmd.NewCmd(f),
		docs.NewCmd(f),
		newExitCodesTopic(),
	)
	// cobra adds its completion command when the tree runs; add it now so
	// that run bare, or with an unknown shell, it is a usage error too.
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Args = cobra.ArbitraryArgs
			c.RunE = cmdutil.RequireSubcommand
		}
	}
	return root
}

// Execute runs the command tree on args and returns the exit status,
// printing any error on stderr.
func Execute(f *cmdutil.Factory, args []string) int {
	return ExecuteContext(context.Background(), f, args)
}

// ExecuteContext is Execute with a context whose end (Ctrl-C) stops the
// command: it returns what it was doing, says what it left, and hubctl
// exits 130.
func ExecuteContext(ctx context.Context, f *cmdutil.Factory, args []string) int {
	root := NewRootCmd(f)
	root.SetContext(ctx)
	root.SetArgs(args)
	// cobra rejects unknown commands, flags and arguments before any
	// command starts; those are usage errors.
	started := false
	preRun := root.PersistentPreRunE
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		started = true
		return preRun(cmd, args)
	}
	cmd, err := root.ExecuteC()
	if ctx.Err() != nil {
		if err != nil && !errors.Is(err, cmdutil.ErrSilent) {
			fmt.Fprintf(f.IO.ErrOut, "hubctl: %v\n", err)
		}
		fmt.Fprintln(f.IO.ErrOut, "hubctl: interrupted")
		return exitcode.Interrupted
	}
	if err == nil {
		return exitcode.OK
	}
	code := exitcode.For(err)
	var invalid *finding.InvalidInput
	var usage *cmdutil.UsageError
	switch {
	case errors.Is(err, cmdutil.ErrSilent):
	case errors.As(err, &usage):
		fmt.Fprintf(f.IO.ErrOut, "hubctl: %v\n", usage.Err)
		if usage.ShowUsage {
			fmt.Fprintf(f.IO.ErrOut, "\n%s", usage.Cmd.UsageString())
		} else {
			fmt.Fprintf(f.IO.ErrOut, "Run '%s --help' for usage.\n", usage.Cmd.CommandPath())
		}
		code = exitcode.Invalid
	case errors.As(err, &invalid):
		f.ReportFindings(invalid.Findings)
		fmt.Fprintf(f.IO.ErrOut, "hubctl: %s is invalid: %s; nothing was written\n", f.SpecName(), invalid.Findings.Summary())
	default:
		fmt.Fprintf(f.IO.ErrOut, "hubctl: %v\n", err)
		if !started {
			code = exitcode.Invalid
			fmt.Fprintf(f.IO.ErrOut, "Run '%s --help' for usage.\n", cmd.CommandPath())
		}
	}
	return code
}

// Main is the program: system streams, the user's config file, os.Args.
func Main(build cmdutil.BuildInfo, args []string) int {
	f := &cmdutil.Factory{
		IO:         iostreams.System(),
		Globals:    &cmdutil.Globals{},
		Build:      build,
		ConfigFile: cmdutil.DefaultConfigFile(),
	}
	// The first Ctrl-C (or SIGTERM) asks the command to stop and say what
	// it leaves, such as a registration in flight; a second one kills, as
	// the signal's default does.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop()
	}()
	return ExecuteContext(ctx, f, args)
}
