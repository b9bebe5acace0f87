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
		Long: `Print hubctl's version, the commit it was built from and when (as
hubctl --version does). A build without release flags takes them from what the
Go toolchain recorded: the module version, and a checkout's commit, with
-dirty for uncommitted changes.`,
		Args: cmdutil.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintf(f.IO.Out, "hubctl %s\n", f.Build)
			return err
		},
	}
}
