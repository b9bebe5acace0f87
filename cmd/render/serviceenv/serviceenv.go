// Package serviceenv is `hubctl render service-env`.
package serviceenv

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hubctl/hubctl/cmd/cmdutil"
	"github.com/hubctl/hubctl/pkg/exitcode"
	"github.com/hubctl/hubctl/pkg/render"
	"github.com/hubctl/hubctl/pkg/spec"
)

// Options are service-env's flags and argument.
type Options struct {
	Factory       *cmdutil.Factory
	Shared        *cmdutil.RenderFlags
	Service       string
	Format        string
	InlineSecrets bool
}

// NewCmd builds the command; runF replaces the run function in tests.
func NewCmd(f *cmdutil.Factory, shared *cmdutil.RenderFlags, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f, Shared: shared}
	cmd := &cobra.Command{
		Use:   "service-env NAME",
		Short: "Print the environment an external service needs",
		Long: `Print the environment variables service NAME needs to reach the hub's API and
to use the hub as its OAuth provider: JUPYTERHUB_SERVICE_NAME, _SERVICE_URL,
_API_URL, _BASE_URL, _SERVICE_PREFIX, _HOST, _CLIENT_ID, _OAUTH_CALLBACK_URL,
_OAUTH_ACCESS_SCOPES, JUPYTERHUB_URL (read by nbviewer's OAuth pull request) and
JUPYTERHUB_API_TOKEN.

Formats: dotenv (KEY=value lines), k8s (a container's env list) or helm (an
extraEnv map). The token is a reference (a secretKeyRef, or a comment in
dotenv) unless --inline-secrets.`,
		Example: `  hubctl render service-env nbviewer
  hubctl render service-env nbviewer --format k8s`,
		Args: cmdutil.ExactArgs(1, "a service name"),
		ValidArgsFunction: func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			s, _, _, err := spec.Load(f.Globals.File)
			if err != nil || s == nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return s.Services.Names(), cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Service = args[0]
			if !slices.Contains(render.EnvFormats, opts.Format) {
				return cmdutil.BadFlagValue(cmd, "format", opts.Format, "use one of "+strings.Join(render.EnvFormats, ", "))
			}
			if runF != nil {
				return runF(opts)
			}
			return Run(cmd, opts)
		},
	}
	cmdutil.AddFileFlag(cmd, f, cmdutil.SpecFileUsage)
	cmdutil.AddOutputFlag(cmd, f)
	cmd.Flags().StringVar(&opts.Format, "format", "dotenv", "dotenv, k8s or helm")
	cmd.Flags().BoolVar(&opts.InlineSecrets, "inline-secrets", false, cmdutil.InlineSecretsUsage)
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(render.EnvFormats, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// Run renders the environment.
func Run(cmd *cobra.Command, opts *Options) error {
	f := opts.Factory
	if err := f.CheckOutput(); err != nil {
		return err
	}
	res, err := f.LoadConfig(cmd.Context(), opts.Shared, cmdutil.WithoutEndpoints)
	if err != nil {
		return err
	}
	vars, err := render.ServiceEnv(res.Spec, res.Config, opts.Service)
	if err != nil {
		return exitcode.InvalidInput(err)
	}
	if res.Spec.Hub.BasePath() != "/" {
		f.Warnf("the hub is under %s: nbviewer's OAuth pull request builds its API URL from JUPYTERHUB_URL without it", res.Spec.Hub.BasePath())
	}
	data, err := render.WriteServiceEnv(vars, opts.Format, res.Config, f.RenderOptions(res, opts.InlineSecrets))
	if err != nil {
		return err
	}
	return f.WriteOutput(data, opts.InlineSecrets)
}
