// Package hubconfig is `hubctl render hub-config`.
package hubconfig

import (
	"github.com/spf13/cobra"

	"github.com/hubctl/hubctl/cmd/cmdutil"
	"github.com/hubctl/hubctl/pkg/render"
)

// Options are hub-config's flags.
type Options struct {
	Factory       *cmdutil.Factory
	Shared        *cmdutil.RenderFlags
	InlineSecrets bool
}

// NewCmd builds the command; runF replaces the run function in tests.
func NewCmd(f *cmdutil.Factory, shared *cmdutil.RenderFlags, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f, Shared: shared}
	cmd := &cobra.Command{
		Use:   "hub-config",
		Short: "Print a jupyterhub_config.py snippet",
		Long: `Print a jupyterhub_config.py snippet for the spec: the authenticator class and
GenericOAuthenticator traits, c.JupyterHub.services and c.JupyterHub.load_roles.

Secrets are read when the hub starts: an {env: NAME} reference from $NAME, a
{file: PATH} reference from that file (a relative path is relative to the
config file), and a {k8sSecret: ...} reference from the environment variable
the deployment maps it to: OAUTH_CLIENT_SECRET for the login's client secret,
HUBCTL_<SERVICE>_API_TOKEN for a service's token.`,
		Example: `  hubctl render hub-config -f examples/nbviewer.yaml
  hubctl render hub-config -o /etc/jupyterhub/hubctl_config.py`,
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

// Run renders the snippet.
func Run(cmd *cobra.Command, opts *Options) error {
	f := opts.Factory
	if err := f.CheckOutput(); err != nil {
		return err
	}
	res, err := f.LoadConfig(cmd.Context(), opts.Shared, cmdutil.WithEndpoints)
	if err != nil {
		return err
	}
	data, err := render.HubConfig(res.Config, f.RenderOptions(res, opts.InlineSecrets))
	if err != nil {
		return err
	}
	return f.WriteOutput(data, opts.InlineSecrets)
}
