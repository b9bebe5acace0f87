// Package validate is `hubctl validate`: the static check of a spec.
package validate

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hubctl/hubctl/cmd/cmdutil"
	"github.com/hubctl/hubctl/pkg/exitcode"
	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/load"
)

// Options are validate's flags.
type Options struct {
	Factory *cmdutil.Factory
	Strict  bool
	Format  string
}

var formats = []string{"text", "json"}

// NewCmd builds the command; runF replaces the run function in tests.
func NewCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check a spec without touching the network",
		Long: `Check hubctl.yaml against what JupyterHub, OAuthenticator, the
Zero-to-JupyterHub chart and the login provider accept, and report every
problem as FILE:LINE:COL: path: message [severity id], with a hint.

Text findings are messages, on standard error like every command's;
--format json is the machine output, on standard output whether the spec is
valid or not. The exit status is 0 when there is no error, 2 otherwise (or on
any warning with --strict).`,
		Example: `  hubctl validate
  hubctl validate -f examples/nbgallery.yaml --format json > findings.json`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(formats, opts.Format) {
				return cmdutil.BadFlagValue(cmd, "format", opts.Format, "use one of "+strings.Join(formats, ", "))
			}
			if runF != nil {
				return runF(opts)
			}
			return Run(opts)
		},
	}
	cmdutil.AddFileFlag(cmd, f, cmdutil.SpecFileUsage)
	cmd.Flags().BoolVar(&opts.Strict, "strict", false, "fail on warnings too")
	cmd.Flags().StringVar(&opts.Format, "format", "text", "findings as text or json")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(formats, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// Run validates the spec and writes the findings.
func Run(opts *Options) error {
	f := opts.Factory
	loadOpts := f.LoadOptions()
	loadOpts.Strict = opts.Strict
	res, err := load.Spec(f.Globals.File, loadOpts)
	var invalid *finding.InvalidInput
	if err != nil && !errors.As(err, &invalid) {
		return err
	}
	if opts.Format == "json" {
		if err := finding.WriteJSON(f.IO.Out, res.Findings); err != nil {
			return err
		}
	} else {
		f.ReportFindings(res.Findings)
	}
	if invalid != nil {
		fmt.Fprintf(f.IO.ErrOut, "%s is invalid: %s\n", f.SpecName(), res.Findings.Summary())
		return &exitcode.Error{Code: exitcode.Invalid, Err: cmdutil.ErrSilent}
	}
	fmt.Fprintf(f.IO.ErrOut, "%s is valid (%s)\n", f.SpecName(), res.Findings.Summary())
	return nil
}
