// Package render is `hubctl render`, the parent of the commands that write
// configuration out of a spec.
package render

import (
	"github.com/spf13/cobra"

	"github.com/hubctl/hubctl/cmd/cmdutil"
	"github.com/hubctl/hubctl/cmd/render/doctorjob"
	"github.com/hubctl/hubctl/cmd/render/helmvalues"
	"github.com/hubctl/hubctl/cmd/render/hubconfig"
	"github.com/hubctl/hubctl/cmd/render/secret"
	"github.com/hubctl/hubctl/cmd/render/serviceenv"
)

// NewCmd builds `hubctl render` and its subcommands.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	shared := &cmdutil.RenderFlags{}
	cmd := &cobra.Command{
		Use:   "render",
		Short: "Write configuration from the spec",
		Long: `Render what a spec means where it lands: Zero-to-JupyterHub helm values, a
jupyterhub_config.py snippet, a service's environment, or the Kubernetes
Secret that carries the spec's secrets. The spec is validated first; with
errors, nothing is written and the exit status is 2.

The network: helm-values and hub-config run OIDC discovery (a request to the
issuer's /.well-known/openid-configuration) for an oidc login, unless the spec
gives login.authorizeUrl, login.tokenUrl and login.userdataUrl. secret,
service-env and doctor-job never touch the network. With --offline, a render
that would need discovery fails instead, naming the keys to set.`,
		Args: cobra.ArbitraryArgs,
		RunE: cmdutil.RequireSubcommand,
	}
	cmd.PersistentFlags().BoolVar(&shared.Strict, "strict", false, "fail on warnings too")
	cmd.PersistentFlags().BoolVar(&shared.Offline, "offline", false, "never use the network: fail where OIDC discovery would be needed")
	cmd.AddCommand(
		helmvalues.NewCmd(f, shared, nil),
		hubconfig.NewCmd(f, shared, nil),
		serviceenv.NewCmd(f, shared, nil),
		secret.NewCmd(f, shared, nil),
		doctorjob.NewCmd(f, shared, nil),
	)
	return cmd
}
