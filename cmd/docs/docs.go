// Package docs is the hidden `hubctl docs` command, which generates man
// pages and Markdown reference pages from the command tree (for releases).
package docs

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/hubctl/hubctl/cmd/cmdutil"
	"github.com/hubctl/hubctl/pkg/exitcode"
)

// NewCmd builds the command.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:       "docs man|markdown",
		Short:     "Generate man pages or Markdown reference pages",
		Hidden:    true,
		Args:      cmdutil.ExactArgs(1, "a format: man or markdown"),
		ValidArgs: []string{"man", "markdown"},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			root := cmd.Root()
			root.DisableAutoGenTag = true
			switch args[0] {
			case "man":
				return doc.GenManTree(root, &doc.GenManHeader{Title: "HUBCTL", Section: "1", Source: "hubctl " + f.Build.Version}, dir)
			case "markdown":
				return doc.GenMarkdownTree(root, dir)
			}
			return exitcode.InvalidInput(fmt.Errorf("unknown format %q: use man or markdown", args[0]))
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "manpages", "directory to write into")
	return cmd
}
