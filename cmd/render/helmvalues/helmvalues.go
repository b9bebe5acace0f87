// Package helmvalues is `hubctl render helm-values`.
package helmvalues

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/hubctl/hubctl/cmd/cmdutil"
	"github.com/hubctl/hubctl/pkg/atomicfile"
	"github.com/hubctl/hubctl/pkg/exitcode"
	"github.com/hubctl/hubctl/pkg/lint"
	"github.com/hubctl/hubctl/pkg/migrate"
	"github.com/hubctl/hubctl/pkg/render"
)

// Options are helm-values' flags.
type Options struct {
	Factory       *cmdutil.Factory
	Shared        *cmdutil.RenderFlags
	InlineSecrets bool
	// Merge is a values file to put the rendered blocks into.
	Merge    string
	Values   cmdutil.ValuesFlags
	Write    bool
	NoBackup bool
}

// NewCmd builds the command; runF replaces the run function in tests.
func NewCmd(f *cmdutil.Factory, shared *cmdutil.RenderFlags, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f, Shared: shared}
	cmd := &cobra.Command{
		Use:   "helm-values",
		Short: "Print Zero-to-JupyterHub config.yaml blocks",
		Long: `Print the Zero-to-JupyterHub chart values for the spec: hub.config for
GenericOAuthenticator, hub.services, hub.loadRoles, and hub.existingSecret and
hub.extraEnv for the secrets, which stay in a Kubernetes Secret (see
'hubctl render secret') unless --inline-secrets.

--merge FILE prints FILE with the rendered blocks put in: the keys hubctl
renders are replaced (a service, role, extraEnv variable or extraFiles entry
as a whole), and every other byte of FILE stays. --write rewrites FILE in
place, after saving it as FILE.bak unless --no-backup.`,
		Example: `  hubctl render helm-values -f examples/nbgallery.yaml
  hubctl render helm-values -o values-hubctl.yaml
  helm upgrade jhub jupyterhub/jupyterhub -f config.yaml -f values-hubctl.yaml
  hubctl render helm-values --merge config.yaml --write`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Merge == "" && (opts.Write || opts.NoBackup) {
				return exitcode.InvalidInput(errors.New("--write and --no-backup go with --merge FILE"))
			}
			if opts.Write && f.Globals.Output != "" {
				return exitcode.InvalidInput(errors.New("--write rewrites the --merge file; -o writes elsewhere: give one of them"))
			}
			if runF != nil {
				return runF(opts)
			}
			return Run(cmd, opts)
		},
	}
	cmdutil.AddFileFlag(cmd, f, cmdutil.SpecFileUsage)
	cmdutil.AddOutputFlag(cmd, f)
	cmd.Flags().BoolVar(&opts.InlineSecrets, "inline-secrets", false, cmdutil.InlineSecretsUsage)
	cmd.Flags().StringVar(&opts.Merge, "merge", "", "a values file to put the rendered blocks into")
	cmd.Flags().BoolVar(&opts.Write, "write", false, "with --merge, rewrite that file in place")
	cmd.Flags().BoolVar(&opts.NoBackup, "no-backup", false, "with --write, keep no FILE.bak")
	cmd.Flags().StringVar(&opts.Values.Prefix, "prefix", "", `with --merge, where the chart's values sit in FILE, such as daskhub.jupyterhub (default: detected)`)
	_ = cmd.MarkFlagFilename("merge", "yaml", "yml")
	return cmd
}

// Run renders the values.
func Run(cmd *cobra.Command, opts *Options) error {
	f := opts.Factory
	if err := f.CheckOutput(); err != nil {
		return err
	}
	res, err := f.LoadConfig(cmd.Context(), opts.Shared, cmdutil.WithEndpoints)
	if err != nil {
		return err
	}
	data, err := render.HelmValues(res.Config, f.RenderOptions(res, opts.InlineSecrets))
	if err != nil {
		return err
	}
	if opts.Merge != "" {
		return merge(cmd, opts, data)
	}
	return f.WriteOutput(data, opts.InlineSecrets)
}

func merge(cmd *cobra.Command, opts *Options, rendered []byte) error {
	f := opts.Factory
	files, err := cmdutil.ReadValuesFiles([]string{opts.Merge})
	if err != nil {
		return err
	}
	values, err := lint.ReadValues(files, opts.Values.PrefixPath(cmd))
	if err != nil {
		return cmdutil.ValuesError(err)
	}
	merged, err := render.MergeInto(values.Docs[0], values.Prefix, rendered)
	if err != nil {
		return cmdutil.ValuesError(err)
	}
	// The "# hubctl:" comments of problems the merge settled go.
	if merged, err = migrate.Tidy(opts.Merge, merged, values.Prefix, ""); err != nil {
		return cmdutil.ValuesError(err)
	}
	if !opts.Write {
		return f.WriteOutput(merged, opts.InlineSecrets)
	}
	if string(merged) == string(files[0].Data) {
		fmt.Fprintf(f.IO.ErrOut, "%s: already up to date\n", opts.Merge)
		return nil
	}
	perm := os.FileMode(0o644)
	if opts.InlineSecrets {
		perm = 0o600
	}
	backup, err := atomicfile.Rewrite(opts.Merge, files[0].Data, merged, !opts.NoBackup, perm)
	if err != nil {
		return err
	}
	if backup != "" {
		fmt.Fprintf(f.IO.ErrOut, "%s: rendered blocks merged; the file as it was is in %s\n", opts.Merge, backup)
	} else {
		fmt.Fprintf(f.IO.ErrOut, "%s: rendered blocks merged\n", opts.Merge)
	}
	return nil
}
