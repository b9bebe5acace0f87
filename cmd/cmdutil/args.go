package cmdutil

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/hubctl/hubctl/pkg/exitcode"
)

// NoArgs refuses positional arguments as a usage error.
func NoArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return exitcode.InvalidInput(fmt.Errorf("%s takes no arguments, got %q", cmd.CommandPath(), args[0]))
	}
	return nil
}

// ExactArgs wants n positional arguments, described by what.
func ExactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return exitcode.InvalidInput(fmt.Errorf("%s needs %s", cmd.CommandPath(), what))
		}
		return nil
	}
}
