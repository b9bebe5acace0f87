// Package lint is `hubctl lint`: the check of existing chart values files,
// without a spec.
package lint

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hubctl/hubctl/cmd/cmdutil"
	"github.com/hubctl/hubctl/pkg/chart"
	"github.com/hubctl/hubctl/pkg/exitcode"
	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/lint"
	"github.com/hubctl/hubctl/pkg/report"
)

// Options are lint's flags.
type Options struct {
	Factory *cmdutil.Factory
	Values  cmdutil.ValuesFlags
	Files   []string
	Chart   string
	Format  string
	Strict  bool
	// Getenv reads HELM_CACHE_HOME and HOME; nil is os.Getenv.
	Getenv func(string) string
}

// NewCmd builds the command; runF replaces the run function in tests.
func NewCmd(f *cmdutil.Factory, runF func(*cobra.Command, *Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "lint FILE...",
		Short: "Check Zero-to-JupyterHub values files",
		Long: `Check chart values files (config.yaml) as they are, without a spec: against
the chart's own values schema, and for what the schema lets through but
JupyterHub, OAuthenticator or the chart fail on or silently ignore (the
legacy auth: block, traits on the wrong class, renamed and removed settings,
no allow setting, service keys and scopes that do not exist, literal secrets).

Several files merge in order, as helm -f a -f b merges them. Values of a chart
that wraps Zero-to-JupyterHub (jupyterhub:, daskhub.jupyterhub:,
basehub.jupyterhub:) are found by themselves; --prefix says where outright.

The schema is the one of the chart you deploy: --chart DIR or TGZ, else the
newest jupyterhub chart in helm's cache ($HELM_CACHE_HOME, default
~/.cache/helm). Without one, lint says the schema was skipped.

Findings are FILE:LINE:COL, with the IDs and formats of hubctl doctor. The exit
status is 3 when there is an error (or a warning, with --strict), 0 otherwise.
'hubctl migrate FILE' fixes what has one right answer.`,
		Example: `  hubctl lint config.yaml
  hubctl lint base.yaml prod.yaml --chart jupyterhub-4.4.0.tgz
  hubctl lint config.yaml --format sarif -o lint.sarif`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Files = args
			if opts.Format == "" {
				opts.Format = string(report.Text)
				if os.Getenv("GITHUB_ACTIONS") == "true" {
					opts.Format = string(report.GitHub)
				}
			}
			if _, err := report.Parse(opts.Format); err != nil {
				return cmdutil.BadFlagValue(cmd, "format", opts.Format, err.Error())
			}
			if err := f.CheckOutput(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd, opts)
			}
			return Run(cmd, opts)
		},
	}
	cmdutil.AddOutputFlag(cmd, f)
	cmdutil.AddValuesFlags(cmd, &opts.Values)
	fl := cmd.Flags()
	fl.StringVar(&opts.Chart, "chart", "", "the chart whose values schema to check against: a directory or a .tgz from helm pull")
	fl.StringVar(&opts.Format, "format", "", `text, json, junit, github or sarif (default text; github when GITHUB_ACTIONS=true)`)
	fl.BoolVar(&opts.Strict, "strict", false, "fail on warnings too")
	_ = cmd.MarkFlagFilename("chart", "tgz")
	return cmd
}

// Run lints the files and writes the report.
func Run(cmd *cobra.Command, opts *Options) error {
	f := opts.Factory
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	files, err := cmdutil.ReadValuesFiles(opts.Files)
	if err != nil {
		return err
	}
	src, err := chart.Locate(opts.Chart, getenv("HELM_CACHE_HOME"), getenv("HOME"))
	if err != nil {
		if opts.Chart != "" {
			return exitcode.InvalidInput(fmt.Errorf("--chart: %w", err))
		}
		return err
	}
	rep, err := lint.Check(files, lint.Options{Prefix: opts.Values.PrefixPath(cmd), JupyterHub: opts.Values.JupyterHub, Chart: src})
	if err != nil {
		return cmdutil.ValuesError(err)
	}
	findings := rep.Findings()
	results := make(finding.Results, 0, len(findings))
	for _, fd := range findings {
		// The title is the short thing a finding is about; the message
		// says the rest.
		results = append(results, finding.FromFinding(fd, fd.Path))
	}
	format, _ := report.Parse(opts.Format)
	meta := report.Meta{Tool: "hubctl", Command: "lint", Version: f.Build.Version, SpecFile: opts.Files[0], Rules: rules(), Strict: opts.Strict}
	var out strings.Builder
	if err := report.Write(&out, format, results, meta, report.TextOptions{Colour: f.ToStdout() && f.IO.ColourStdout()}); err != nil {
		return err
	}
	if err := f.WriteOutput([]byte(out.String()), false); err != nil {
		return err
	}
	if rep.SchemaSkipped {
		fmt.Fprintln(f.IO.ErrOut, chart.SkippedMessage())
	} else {
		fmt.Fprintf(f.IO.ErrOut, "checked against the values schema of chart %s (%s)\n", src.Version, cmdutil.DisplayPath(src.Path))
	}
	if results.Failed(opts.Strict) {
		return &exitcode.Error{Code: exitcode.Failed, Err: cmdutil.ErrSilent}
	}
	return nil
}

// rules is lint's catalogue, for SARIF.
func rules() []report.Rule {
	rs := []report.Rule{{ID: chart.SchemaFindingID, Title: "the chart's values schema", Doc: "a value the chart's values.schema.yaml refuses; helm install fails"}}
	for _, r := range lint.Rules {
		rs = append(rs, report.Rule{ID: r.ID, Title: r.ID, Doc: r.Summary})
	}
	return rs
}
