// Package importcmd is `hubctl import`: a spec written from existing chart
// values. (import is a Go keyword, hence the name.)
package importcmd

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"github.com/hubctl/hubctl/cmd/cmdutil"
	"github.com/hubctl/hubctl/pkg/atomicfile"
	"github.com/hubctl/hubctl/pkg/exitcode"
	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/importer"
	"github.com/hubctl/hubctl/pkg/lint"
	"github.com/hubctl/hubctl/pkg/state"
)

// Options are import's flags.
type Options struct {
	Factory    *cmdutil.Factory
	Values     cmdutil.ValuesFlags
	Files      []string
	Output     string
	Force      bool
	HubURL     string
	SecretName string
}

// NewCmd builds the command; runF replaces the run function in tests.
func NewCmd(f *cmdutil.Factory, runF func(*cobra.Command, *Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "import FILE...",
		Short: "Write a spec from existing Zero-to-JupyterHub values",
		Long: `Write hubctl.yaml from chart values files (merged in order, as helm -f a -f b
merges them): the hub's GenericOAuthenticator login, hub.services and
hub.loadRoles, so a deployment can move to a spec.

Secrets written in the values become references to the Kubernetes Secret
hubctl renders (hubctl render secret), and their values go to hubctl's local
state (.hubctl/state.json beside the spec, 0600), never into the spec. What a
spec cannot express (extraConfig code, other authenticators, traits outside
the spec's model) is listed, and stays in the values file where it is; so
deploy with both: -f config.yaml -f <(hubctl render helm-values).

Values with the legacy auth: block need 'hubctl migrate FILE --write' first.
import refuses to replace an existing spec unless --force.`,
		Example: `  hubctl import config.yaml
  hubctl import base.yaml prod.yaml -o hubctl.yaml --hub-url https://hub.example.org
  hubctl import daskhub-values.yaml --prefix daskhub.jupyterhub`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Files = args
			if opts.Output == "" || opts.Output == "-" {
				return exitcode.InvalidInput(errors.New("-o names the spec file to write (its secrets' values go to .hubctl beside it); standard output is not one"))
			}
			if runF != nil {
				return runF(cmd, opts)
			}
			return Run(cmd, opts)
		},
	}
	cmdutil.AddValuesFlags(cmd, &opts.Values)
	fl := cmd.Flags()
	fl.StringVarP(&opts.Output, "output", "o", "hubctl.yaml", "the spec file to write, atomically")
	fl.BoolVar(&opts.Force, "force", false, "replace an existing spec (and the files it names)")
	fl.StringVar(&opts.HubURL, "hub-url", "", "the hub's public URL, when the values do not say it")
	fl.StringVar(&opts.SecretName, "secret-name", "", `the Kubernetes Secret the imported secrets are referenced in (default: hub.existingSecret, else "hubctl")`)
	_ = cmd.MarkFlagFilename("output", "yaml", "yml")
	return cmd
}

// Run imports the files.
func Run(cmd *cobra.Command, opts *Options) error {
	f := opts.Factory
	if !opts.Force {
		if _, err := os.Lstat(opts.Output); err == nil {
			return exitcode.InvalidInput(fmt.Errorf("%s exists; import writes a new spec (--force replaces it)", opts.Output))
		}
	}
	if err := atomicfile.Check(opts.Output); err != nil {
		return err
	}
	files, err := cmdutil.ReadValuesFiles(opts.Files)
	if err != nil {
		return err
	}
	values, err := lint.ReadValues(files, opts.Values.PrefixPath(cmd))
	if err != nil {
		return cmdutil.ValuesError(err)
	}
	jh := opts.Values.JupyterHub
	if !cmd.Flags().Changed("jupyterhub") {
		jh = "" // let import find the oldest version the values need
	}
	res, err := importer.Import(importer.Input{Root: values.Merged.Root, FileOf: values.Merged.FileOf, Prefix: values.Prefix,
		SecretName: opts.SecretName, JupyterHub: jh, HubURL: opts.HubURL})
	var legacy *importer.LegacyAuthError
	if errors.As(err, &legacy) {
		return exitcode.InvalidInput(err)
	}
	if err != nil {
		return err
	}
	dir := filepath.Dir(opts.Output)
	for _, name := range sortedKeys(res.Files) {
		p := filepath.Join(dir, name)
		if have, err := os.ReadFile(p); err == nil && string(have) != string(res.Files[name]) && !opts.Force {
			return exitcode.InvalidInput(fmt.Errorf("%s exists with other content; the spec names it (--force replaces it)", p))
		} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	// The secrets' values first: a spec whose references resolve to
	// nothing would be worse than no spec.
	if len(res.Secrets) > 0 {
		if err := storeSecrets(cmd, opts.Output, res.Secrets); err != nil {
			return err
		}
	}
	for _, name := range sortedKeys(res.Files) {
		if err := atomicfile.Write(filepath.Join(dir, name), res.Files[name], 0o644); err != nil {
			return err
		}
	}
	if err := atomicfile.Write(opts.Output, res.Spec, 0o644); err != nil {
		return err
	}
	f.ReportFindings(append(slices.Clone(finding.List(res.Left)), res.Review...))
	fmt.Fprintf(f.IO.ErrOut, "wrote %s", opts.Output)
	switch n := len(res.Secrets); n {
	case 0:
	case 1:
		fmt.Fprintf(f.IO.ErrOut, "; the secret's value is in %s", cmdutil.DisplayPath(state.Open(opts.Output).Path()))
	default:
		fmt.Fprintf(f.IO.ErrOut, "; the %d secrets' values are in %s", n, cmdutil.DisplayPath(state.Open(opts.Output).Path()))
	}
	fmt.Fprintln(f.IO.ErrOut)
	if len(res.Left) > 0 {
		fmt.Fprintf(f.IO.ErrOut, "%d settings stay in the values file; deploy it with hubctl's rendering merged in (render helm-values --merge) or as a later -f\n", len(res.Left))
	}
	fmt.Fprintf(f.IO.ErrOut, "next: hubctl validate -f %s\n", opts.Output)
	return nil
}

func storeSecrets(cmd *cobra.Command, specPath string, secrets map[string]string) error {
	store := state.Open(specPath)
	unlock, err := store.Lock(cmd.Context())
	if err != nil {
		return err
	}
	defer func() { _ = unlock() }()
	st, err := store.Load()
	if err != nil {
		return err
	}
	for _, k := range sortedKeys(secrets) {
		st.SetSecret(k, secrets[k])
	}
	return store.Save(st)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
