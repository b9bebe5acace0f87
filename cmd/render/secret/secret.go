// Package secret is `hubctl render secret`.
package secret

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/hubctl/hubctl/cmd/cmdutil"
	"github.com/hubctl/hubctl/pkg/exitcode"
	"github.com/hubctl/hubctl/pkg/render"
)

// Options are secret's flags.
type Options struct {
	Factory     *cmdutil.Factory
	Shared      *cmdutil.RenderFlags
	Namespace   string
	ShowSecrets bool
}

// NewCmd builds the command; runF replaces the run function in tests.
func NewCmd(f *cmdutil.Factory, shared *cmdutil.RenderFlags, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f, Shared: shared}
	cmd := &cobra.Command{
		Use:   "secret",
		Short: "Print the Kubernetes Secret holding the spec's secrets",
		Long: `Print a Kubernetes Secret manifest (named by hub.existingSecret, default
"hubctl") holding the values of the spec's env, file and literal secrets,
under the keys the helm values point at: hub.services.NAME.apiToken (the
chart's own key) and hubctl.login.clientSecret. k8sSecret references are
already in the cluster and are left out.

The output holds secret values, so it is not printed to a terminal without
--show-secrets; pipe it to kubectl, or write it with -o FILE (mode 0600).`,
		Example: `  hubctl render secret | kubectl apply -n jhub -f -
  hubctl render secret -o hubctl-secret.yaml`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if problem := cmdutil.NamespaceProblem(opts.Namespace); problem != "" {
				return cmdutil.BadFlagValue(cmd, "namespace", opts.Namespace, problem)
			}
			if runF != nil {
				return runF(opts)
			}
			return Run(cmd, opts)
		},
	}
	cmdutil.AddFileFlag(cmd, f, cmdutil.SpecFileUsage)
	cmdutil.AddOutputFlag(cmd, f)
	cmd.Flags().StringVarP(&opts.Namespace, "namespace", "n", "", "set metadata.namespace (a DNS label)")
	cmd.Flags().BoolVar(&opts.ShowSecrets, "show-secrets", false, "allow printing the Secret to a terminal")
	return cmd
}

// Run renders the Secret.
func Run(cmd *cobra.Command, opts *Options) error {
	f := opts.Factory
	if f.ToStdout() && f.IO.IsStdoutTTY() && !opts.ShowSecrets {
		return exitcode.InvalidInput(errors.New("refusing to print secret values to a terminal: pipe the output (| kubectl apply -f -), write it with -o FILE, or pass --show-secrets"))
	}
	if err := f.CheckOutput(); err != nil {
		return err
	}
	res, err := f.LoadConfig(cmd.Context(), opts.Shared, cmdutil.WithoutEndpoints)
	if err != nil {
		return err
	}
	data, err := render.KubernetesSecret(res.Config, render.SecretOptions{Options: f.RenderOptions(res, false), Namespace: opts.Namespace})
	if err != nil {
		return err
	}
	if data == nil {
		f.Warnf("the spec keeps no secret in hubctl's Secret and hubctl stored none for its k8sSecret references: nothing to print")
		return nil
	}
	return f.WriteOutput(data, true)
}
