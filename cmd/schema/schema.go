// Package schema is `hubctl schema`, which prints the spec's JSON Schema.
package schema

import (
	"github.com/spf13/cobra"

	"github.com/hubctl/hubctl/cmd/cmdutil"
	"github.com/hubctl/hubctl/pkg/schema"
)

// NewCmd builds the command.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of hubctl.yaml",
		Long: `Print hubctl.yaml's JSON Schema (draft-07), for editors that complete and check
YAML. With yaml-language-server (VS Code's YAML extension and others), save it
and put this line at the top of hubctl.yaml:

  # yaml-language-server: $schema=./hubctl.schema.json`,
		Example: `  hubctl schema -o hubctl.schema.json`,
		Args:    cmdutil.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return f.WriteOutput(schema.JSON, false)
		},
	}
	cmdutil.AddOutputFlag(cmd, f)
	return cmd
}
