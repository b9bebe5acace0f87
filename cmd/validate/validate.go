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

The findings are the command's output (standard output, or -o FILE). The exit
status is 0 when there is no error, 2 otherwise (or on any warning with
--strict).`,
		Example: `  hubctl validate
  hubctl validate -f examples/nbgallery.yaml --format json`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(formats, opts.Format) {
				return exitcode.InvalidInput(fmt.Errorf("--format %q: use one of %s", opts.Format, strings.Join(formats, ", ")))
			}
			if runF != nil {
				return runF(opts)
			}
			return Run(opts)
		},
	}
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
	var out strings.Builder
	if opts.Format == "json" {
		_ = finding.WriteJSON(&out, res.Findings)
	} else {
		_ = finding.WriteText(&out, res.Findings, f.IO.ColourStdout() && f.Globals.Output == "")
	}
	if err := f.WriteOutput([]byte(out.String()), false); err != nil {
		return err
	}
	if invalid != nil {
		fmt.Fprintf(f.IO.ErrOut, "%s is invalid: %s\n", f.Globals.File, res.Findings.Summary())
		return &exitcode.Error{Code: exitcode.Invalid, Err: cmdutil.ErrSilent}
	}
	fmt.Fprintf(f.IO.ErrOut, "%s is valid (%s)\n", f.Globals.File, res.Findings.Summary())
	return nil
}
