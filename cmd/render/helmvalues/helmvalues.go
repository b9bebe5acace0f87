// Package helmvalues is `hubctl render helm-values`.
package helmvalues

import (
	"github.com/spf13/cobra"

	"github.com/hubctl/hubctl/cmd/cmdutil"
	"github.com/hubctl/hubctl/pkg/render"
)

// Options are helm-values' flags.
type Options struct {
	Factory       *cmdutil.Factory
	Shared        *cmdutil.RenderFlags
	InlineSecrets bool
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
'hubctl render secret') unless --inline-secrets.`,
		Example: `  hubctl render helm-values -f examples/nbgallery.yaml
  hubctl render helm-values -o values-hubctl.yaml
  helm upgrade jhub jupyterhub/jupyterhub -f config.yaml -f values-hubctl.yaml`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return Run(cmd, opts)
		},
	}
	cmdutil.AddFileFlag(cmd, f, cmdutil.SpecFileUsage)
	cmdutil.AddOutputFlag(cmd, f)
	cmd.Flags().BoolVar(&opts.InlineSecrets, "inline-secrets", false, cmdutil.InlineSecretsUsage)
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
	return f.WriteOutput(data, opts.InlineSecrets)
}
