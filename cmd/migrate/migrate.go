// Package migrate is `hubctl migrate`: rewriting a chart values file where
// lint's findings have one right answer.
package migrate

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hubctl/hubctl/cmd/cmdutil"
	"github.com/hubctl/hubctl/pkg/atomicfile"
	"github.com/hubctl/hubctl/pkg/lint"
	"github.com/hubctl/hubctl/pkg/migrate"
	"github.com/hubctl/hubctl/pkg/valuesdoc"
)

// Options are migrate's flags.
type Options struct {
	Factory  *cmdutil.Factory
	Values   cmdutil.ValuesFlags
	File     string
	Write    bool
	NoBackup bool
}

// NewCmd builds the command; runF replaces the run function in tests.
func NewCmd(f *cmdutil.Factory, runF func(*cobra.Command, *Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "migrate FILE",
		Short: "Fix what has one right answer in a values file",
		Long: `Rewrite a Zero-to-JupyterHub values file where hubctl lint's findings have
one right answer: the legacy auth: block to hub.config by the chart's own 0.11
mapping, username_key to username_claim, tls_verify to validate_server_cert,
OAUTH2_TLS_VERIFY to OAUTH_TLS_VERIFY, userdata_method dropped, extraEnv values
quoted. What needs a decision (which users to allow) is left to you, with a
"# hubctl:" comment at the spot, and listed on standard error.

Only the changed entries change: comments, order, blank lines, quoting and
anchors elsewhere stay byte for byte. Without --write, migrate prints a unified
diff and changes nothing; --write rewrites FILE in place (atomically, mode
kept), after saving it as FILE.bak unless --no-backup. Migrating a migrated
file changes nothing.`,
		Example: `  hubctl migrate config.yaml
  hubctl migrate config.yaml --write
  hubctl migrate daskhub-values.yaml --prefix daskhub.jupyterhub --write --no-backup`,
		Args: cmdutil.ExactArgs(1, "the values file to migrate"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			if runF != nil {
				return runF(cmd, opts)
			}
			return Run(cmd, opts)
		},
	}
	cmdutil.AddValuesFlags(cmd, &opts.Values)
	cmd.Flags().BoolVar(&opts.Write, "write", false, "rewrite FILE in place instead of printing a diff")
	cmd.Flags().BoolVar(&opts.NoBackup, "no-backup", false, "with --write, keep no FILE.bak")
	return cmd
}

// Run migrates the file.
func Run(cmd *cobra.Command, opts *Options) error {
	f := opts.Factory
	files, err := cmdutil.ReadValuesFiles([]string{opts.File})
	if err != nil {
		return err
	}
	res, err := migrate.File(opts.File, files[0].Data, opts.Values.PrefixPath(cmd), opts.Values.JupyterHub)
	if err != nil {
		return cmdutil.ValuesError(err)
	}
	for _, p := range res.Fixed {
		fmt.Fprintf(f.IO.ErrOut, "fixed %s: %s [%s]\n", p.Path, p.Message, p.ID)
	}
	for _, r := range res.Refused {
		fmt.Fprintf(f.IO.ErrOut, "not fixed %s [%s]: %v\n", r.Problem.Path, r.Problem.ID, r.Err)
	}
	f.ReportFindings(lint.Findings(res.Left))
	switch {
	case !res.Changed():
		fmt.Fprintf(f.IO.ErrOut, "%s: nothing to migrate\n", opts.File)
	case !opts.Write:
		fmt.Fprint(f.IO.Out, maskSecrets(valuesdoc.UnifiedDiff(opts.File, res.Old, res.New), res))
		fmt.Fprintf(f.IO.ErrOut, "%s: %d fixes; run with --write to make them\n", opts.File, len(res.Fixed))
	default:
		backup, err := atomicfile.Rewrite(opts.File, res.Old, res.New, !opts.NoBackup, 0o644)
		if err != nil {
			return err
		}
		if backup != "" {
			fmt.Fprintf(f.IO.ErrOut, "%s: %d fixes written; the file as it was is in %s\n", opts.File, len(res.Fixed), backup)
		} else {
			fmt.Fprintf(f.IO.ErrOut, "%s: %d fixes written\n", opts.File, len(res.Fixed))
		}
	}
	if len(res.Left) > 0 {
		fmt.Fprintf(f.IO.ErrOut, "%d findings need you; 'hubctl lint %s' lists them\n", len(res.Left), opts.File)
	}
	return nil
}

// maskSecrets hides, in the diff migrate prints, the literal secrets lint
// found in the file: the diff is a display, and the terminal or CI log it
// goes to is no place for them. The file itself keeps them.
func maskSecrets(diff string, res *migrate.Result) string {
	for _, group := range [][]lint.Problem{res.Fixed, res.Left} {
		for _, p := range group {
			for _, s := range p.Secrets {
				if len(s) >= 4 {
					diff = strings.ReplaceAll(diff, s, "********")
				}
			}
		}
	}
	return diff
}
