package cmd

import (
	"github.com/spf13/cobra"

	"github.com/hubctl/hubctl/cmd/docs"
)

// newExitCodesTopic is `hubctl help exit-codes`: a help topic, not a
// command (it has no Run, so cobra lists it under "Additional help topics").
func newExitCodesTopic() *cobra.Command {
	return &cobra.Command{
		Use:   docs.ExitCodesTopic,
		Short: "Exit statuses hubctl returns",
		Long: `hubctl exits with:

  0  success: the command did what was asked (warnings may have been printed).
  1  runtime error: the input was fine but something failed, such as a file that
     cannot be read or written, a secret's environment variable that is not set,
     or a provider that does not answer OIDC discovery.
  2  invalid input: the spec has errors (each printed as FILE:LINE:COL), or a
     command, flag or argument is wrong. Nothing is written (hubctl doctor
     still writes its report, holding the spec's findings).
  3  a check failed: hubctl doctor found a problem in the setup, or hubctl lint
     one in chart values. The input was read; the report says what to change.
  5  exists: hubctl app create found the client registered already and changed
     nothing; --update brings the registration in line with the spec.
130  interrupted: Ctrl-C or SIGTERM stopped the command. It said what it left
     (hubctl app create names a client the registry may hold); files are
     whole, old or new. A second Ctrl-C kills at once.

With --strict, hubctl validate and the render commands treat warnings as errors
and exit 2, and hubctl doctor and hubctl lint count a warning as a failure and
exit 3.`,
	}
}
