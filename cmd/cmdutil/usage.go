package cmdutil

import (
	"fmt"
	"strings"

	"github.com/agnivade/levenshtein"
	"github.com/spf13/cobra"

	"github.com/hubctl/hubctl/pkg/exitcode"
)

// UsageError is a command line hubctl cannot run: a missing or unknown
// command, a bad flag. The command ends with exit status 2 and the message,
// then the usage or a pointer to it, on standard error.
type UsageError struct {
	Err error
	// Cmd is the command whose usage applies.
	Cmd *cobra.Command
	// ShowUsage prints the command's usage rather than a pointer to --help.
	ShowUsage bool
}

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return exitcode.InvalidInput(e.Err) }

// RequireSubcommand is the RunE of a command that only groups others
// (render, completion, hubctl itself): run bare, it says a subcommand is
// missing; with an argument, that the argument is no subcommand, with
// cobra's did-you-mean. Either way nothing reaches standard output and the
// exit status is 2, where cobra would print the help and exit 0.
func RequireSubcommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return &UsageError{Cmd: cmd, ShowUsage: true,
			Err: fmt.Errorf("%s needs a command: %s", cmd.CommandPath(), strings.Join(subcommandNames(cmd), ", "))}
	}
	return &UsageError{Cmd: cmd, Err: unknownCommand(cmd, args[0])}
}

func subcommandNames(cmd *cobra.Command) []string {
	var names []string
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() {
			names = append(names, c.Name())
		}
	}
	return names
}

// unknownCommand words the error as cobra does for the root command.
func unknownCommand(cmd *cobra.Command, name string) error {
	msg := fmt.Sprintf("unknown command %q for %q", name, cmd.CommandPath())
	return fmt.Errorf("%s%s", msg, didYouMean(cmd, name))
}

// didYouMean lists cmd's subcommands and help topics close to name, as
// cobra's SuggestionsFor does for commands (edit distance 2, or a prefix).
func didYouMean(cmd *cobra.Command, name string) string {
	var suggestions []string
	for _, sub := range cmd.Commands() {
		if !sub.IsAvailableCommand() && !sub.IsAdditionalHelpTopicCommand() {
			continue
		}
		typed, candidate := strings.ToLower(name), strings.ToLower(sub.Name())
		if levenshtein.ComputeDistance(typed, candidate) <= 2 || strings.HasPrefix(candidate, typed) {
			suggestions = append(suggestions, sub.Name())
		}
	}
	if len(suggestions) == 0 {
		return ""
	}
	return "\n\nDid you mean this?\n\t" + strings.Join(suggestions, "\n\t")
}

// NewHelpCmd replaces cobra's help command, which answers an unknown topic
// with the usage on standard output and exit status 0.
func NewHelpCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		Long: `Help provides help for any command or topic (such as exit-codes).
Type hubctl help [path to command] for full details.`,
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			parent, err := findTopic(c.Root(), args)
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var completions []cobra.Completion
			for _, sub := range parent.Commands() {
				if (sub.IsAvailableCommand() || sub.IsAdditionalHelpTopicCommand()) && strings.HasPrefix(sub.Name(), toComplete) {
					completions = append(completions, cobra.CompletionWithDesc(sub.Name(), sub.Short))
				}
			}
			return completions, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			target, err := findTopic(c.Root(), args)
			if err != nil {
				return err
			}
			target.InitDefaultHelpFlag()
			target.InitDefaultVersionFlag()
			return target.Help()
		},
	}
}

// findTopic walks args down the command tree by name or alias.
func findTopic(root *cobra.Command, args []string) (*cobra.Command, error) {
	cmd := root
	for _, name := range args {
		var next *cobra.Command
		for _, sub := range cmd.Commands() {
			if sub.Name() == name || sub.HasAlias(name) {
				next = sub
				break
			}
		}
		if next == nil {
			return nil, &UsageError{Cmd: root, Err: fmt.Errorf("unknown help topic %q%s", strings.Join(args, " "), didYouMean(cmd, name))}
		}
		cmd = next
	}
	return cmd, nil
}
