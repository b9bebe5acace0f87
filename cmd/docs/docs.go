// Package docs is the hidden `hubctl docs` command, which generates man
// pages and Markdown reference pages from the command tree (for releases).
package docs

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/hubctl/hubctl/cmd/cmdutil"
	"github.com/hubctl/hubctl/pkg/exitcode"
	"github.com/hubctl/hubctl/pkg/manual"
	"github.com/hubctl/hubctl/pkg/schema"
)

// ExitCodesTopic is the help topic whose text hubctl-exit-codes(7) carries.
const ExitCodesTopic = "exit-codes"

// NewCmd builds the command.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "docs man|markdown",
		Short: "Generate man pages or Markdown reference pages",
		Long: `Generate a page per command, into --dir. man also writes
hubctl-exit-codes.7, from the exit-codes help topic, and hubctl.yaml.5, the
spec's reference generated from its JSON Schema. SOURCE_DATE_EPOCH sets the
pages' date, for reproducible builds.`,
		Hidden:    true,
		Args:      cmdutil.ExactArgs(1, "a format: man or markdown"),
		ValidArgs: []string{"man", "markdown"},
		RunE: func(cmd *cobra.Command, args []string) error {
			if args[0] != "man" && args[0] != "markdown" {
				return exitcode.InvalidInput(fmt.Errorf("unknown format %q: use man or markdown", args[0]))
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			root := cmd.Root()
			root.DisableAutoGenTag = true
			if args[0] == "markdown" {
				return doc.GenMarkdownTree(root, dir)
			}
			date, err := pageDate()
			if err != nil {
				return exitcode.InvalidInput(err)
			}
			source := "hubctl " + f.Build.Version
			if err := doc.GenManTree(root, &doc.GenManHeader{Title: "HUBCTL", Section: "1", Source: source, Date: &date}, dir); err != nil {
				return err
			}
			return writeTopicPages(root, dir, manual.Header{Source: source, Date: date.Format("Jan 2006")})
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "manpages", "directory to write into")
	return cmd
}

// writeTopicPages writes the pages that are no command's.
func writeTopicPages(root *cobra.Command, dir string, h manual.Header) error {
	var exitCodes string
	for _, c := range root.Commands() {
		if c.Name() == ExitCodesTopic {
			exitCodes = c.Long
		}
	}
	if exitCodes == "" {
		return fmt.Errorf("no %s help topic to make hubctl-exit-codes.7 from", ExitCodesTopic)
	}
	spec, err := manual.Spec(h, schema.JSON)
	if err != nil {
		return err
	}
	for name, page := range map[string][]byte{
		"hubctl-exit-codes.7": manual.ExitCodes(h, exitCodes),
		"hubctl.yaml.5":       spec,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), page, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// pageDate is now, or SOURCE_DATE_EPOCH as cobra/doc reads it.
func pageDate() (time.Time, error) {
	epoch := os.Getenv("SOURCE_DATE_EPOCH")
	if epoch == "" {
		return time.Now(), nil
	}
	seconds, err := strconv.ParseInt(epoch, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH %q: not a number of seconds", epoch)
	}
	return time.Unix(seconds, 0).UTC(), nil
}
