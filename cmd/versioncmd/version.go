// Package versioncmd is `hubctl version`.
package versioncmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/hubctl/hubctl/cmd/cmdutil"
)

// NewCmd builds the command.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print hubctl's version",
		Args:  cmdutil.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			b := f.Build
			_, err := fmt.Fprintf(f.IO.Out, "hubctl %s (commit %s, built %s)\n", b.Version, b.Commit, b.Date)
			return err
		},
	}
}
