// Package doctorjob is `hubctl render doctor-job`.
package doctorjob

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hubctl/hubctl/cmd/cmdutil"
	"github.com/hubctl/hubctl/pkg/exitcode"
	"github.com/hubctl/hubctl/pkg/inputfile"
	"github.com/hubctl/hubctl/pkg/render"
	"github.com/hubctl/hubctl/pkg/secret"
	"github.com/hubctl/hubctl/pkg/spec"
)

// Options are doctor-job's flags.
type Options struct {
	Factory   *cmdutil.Factory
	Shared    *cmdutil.RenderFlags
	Namespace string
	Image     string
	HubToken  string
	// DoctorArgs follow "--" and go to doctor in the Job.
	DoctorArgs []string
}

// NewCmd builds the command; runF replaces the run function in tests.
func NewCmd(f *cmdutil.Factory, shared *cmdutil.RenderFlags, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f, Shared: shared}
	cmd := &cobra.Command{
		Use:   "doctor-job [-- DOCTOR-ARGS...]",
		Short: "Print a Kubernetes Job that runs hubctl doctor inside the hub's namespace",
		Long: `Print a ConfigMap holding the spec and a Job that runs hubctl doctor in the
cluster, where cluster-internal URLs such as http://hub:8081/hub/api resolve
(doctor runs there with --require-all). The Job's pod carries the label
hub.jupyter.org/network-access-hub: "true", which the chart's network policy
admits to the hub. Secrets come from where the hub gets them: hubctl's Secret
(hub.existingSecret, from hubctl render secret) and the spec's k8sSecret
references; the manifests hold no secret value, and a spec with a literal
secret is refused.

--image names an image with hubctl on its PATH. Arguments after -- go to
doctor (check IDs, --format).`,
		Example: `  hubctl render doctor-job --image registry.example.org/hubctl:1.0 -n jhub | kubectl apply -f -
  kubectl -n jhub wait --for=condition=complete job/hubctl-doctor; kubectl -n jhub logs job/hubctl-doctor
  hubctl render doctor-job --image IMAGE --hub-token-secret hub-admin/token -- --format json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if dash := cmd.ArgsLenAtDash(); dash != 0 && len(args) > 0 {
				return exitcode.InvalidInput(fmt.Errorf("doctor's arguments go after --: hubctl render doctor-job [flags] -- %s", strings.Join(args, " ")))
			}
			opts.DoctorArgs = args
			if problem := cmdutil.NamespaceProblem(opts.Namespace); problem != "" {
				return cmdutil.BadFlagValue(cmd, "namespace", opts.Namespace, problem)
			}
			if opts.Image == "" {
				return exitcode.InvalidInput(errors.New("--image is required: an image with hubctl on its PATH"))
			}
			if runF != nil {
				return runF(opts)
			}
			return Run(cmd, opts)
		},
	}
	cmdutil.AddFileFlag(cmd, f, cmdutil.SpecFileUsage)
	cmdutil.AddOutputFlag(cmd, f)
	cmd.Flags().StringVarP(&opts.Namespace, "namespace", "n", "", "set metadata.namespace: the hub's")
	cmd.Flags().StringVar(&opts.Image, "image", "", "an image with hubctl on its PATH (required)")
	cmd.Flags().StringVar(&opts.HubToken, "hub-token-secret", "", "NAME/KEY of a Secret holding the hub's admin token, for doctor's hub.services and hub.roles")
	return cmd
}

// Run renders the Job.
func Run(cmd *cobra.Command, opts *Options) error {
	f := opts.Factory
	if f.Globals.File == "-" {
		return exitcode.InvalidInput(errors.New("doctor-job carries the spec file into the cluster: give it with -f FILE, not standard input"))
	}
	if err := f.CheckOutput(); err != nil {
		return err
	}
	var hubToken *secret.K8sRef
	if opts.HubToken != "" {
		name, key, ok := strings.Cut(opts.HubToken, "/")
		if !ok || name == "" || key == "" {
			return exitcode.InvalidInput(fmt.Errorf("--hub-token-secret wants NAME/KEY, got %q", opts.HubToken))
		}
		hubToken = &secret.K8sRef{Name: name, Key: key}
	}
	res, err := f.LoadConfig(cmd.Context(), opts.Shared, cmdutil.WithoutEndpoints)
	if err != nil {
		return err
	}
	text, err := inputfile.Read(f.Globals.File, spec.MaxFileSize, "a spec")
	if err != nil {
		return fmt.Errorf("reading %s: %w", f.Globals.File, err)
	}
	data, err := render.DoctorJob(res.Spec, res.Config, render.DoctorJobOptions{
		Options: f.RenderOptions(res, false), Namespace: opts.Namespace, Image: opts.Image,
		SpecText: text, HubToken: hubToken, Args: opts.DoctorArgs,
	})
	if err != nil {
		return exitcode.InvalidInput(err)
	}
	return f.WriteOutput(data, false)
}
