// Package cmd is hubctl's command line: cobra commands that parse flags
// into options and hand the work to pkg/. Main runs it and turns errors
// into exit statuses.
package cmd

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/hubctl/hubctl/cmd/cmdutil"
	"github.com/hubctl/hubctl/cmd/docs"
	"github.com/hubctl/hubctl/cmd/initcmd"
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
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := cmdutil.ApplyDefaults(cmd, f.ConfigFile); err != nil {
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

	pf := root.PersistentFlags()
	pf.StringVarP(&f.Globals.File, "file", "f", "hubctl.yaml", "spec file (\"-\" reads standard input; env HUBCTL_FILE)")
	pf.StringVarP(&f.Globals.Output, "output", "o", "", "write data to this file, atomically, instead of standard output")
	pf.BoolVar(&f.Globals.NoColor, "no-color", false, "never colour output (also NO_COLOR)")
	_ = root.MarkPersistentFlagFilename("file", "yaml", "yml")

	root.AddCommand(
		initcmd.NewCmd(f, nil),
		validate.NewCmd(f, nil),
		render.NewCmd(f),
		schema.NewCmd(f),
		versioncmd.NewCmd(f),
		docs.NewCmd(f),
		newExitCodesTopic(),
	)
	return root
}

// Execute runs the command tree on args and returns the exit status,
// printing any error on stderr.
func Execute(f *cmdutil.Factory, args []string) int {
	root := NewRootCmd(f)
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
	if err == nil {
		return exitcode.OK
	}
	code := exitcode.For(err)
	var invalid *finding.InvalidInput
	switch {
	case errors.Is(err, cmdutil.ErrSilent):
	case errors.As(err, &invalid):
		f.ReportFindings(invalid.Findings)
		fmt.Fprintf(f.IO.ErrOut, "hubctl: %s is invalid: %s; nothing was written\n", f.Globals.File, invalid.Findings.Summary())
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
	return Execute(f, args)
}
