package app

import (
	"bufio"
	"io"
	"strings"

	"github.com/hubctl/hubctl/cmd/cmdutil"
	"github.com/hubctl/hubctl/pkg/app"
)

// readLine reads one line of an answer.
func readLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && line == "" {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// newPrompter asks on the command's streams: without echo for secrets on
// a terminal, a line each from a pipe.
func newPrompter(f *cmdutil.Factory) app.Prompter { return app.NewPrompter(f.IO.In, f.IO.ErrOut) }
