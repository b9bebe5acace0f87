package app

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// Prompter asks the user for what a registry shows only on its console:
// guided mode's client id (Line) and secret (Secret, not echoed on a
// terminal).
type Prompter interface {
	Line(label string) (string, error)
	Secret(label string) (string, error)
}

// NewPrompter asks on in when it is a terminal, without echo for secrets;
// otherwise it reads one line of in per question (piped input, such as
// `printf '%s\n%s\n' "$UID" "$SECRET" | hubctl app create login`). Labels
// go to out, typically standard error, so that standard output stays
// clean for --format json.
func NewPrompter(in io.Reader, out io.Writer) Prompter {
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return NewTerminalPrompter(f, out)
	}
	return NewReaderPrompter(in, out)
}

// WithAnswers answers guided mode's questions from flags (--client-id,
// --client-secret-file) where they are given, and asks next otherwise.
func WithAnswers(clientID, clientSecret string, next Prompter) Prompter {
	return &answers{id: clientID, secret: clientSecret, next: next}
}

type answers struct {
	id, secret string
	next       Prompter
}

func (a *answers) Line(label string) (string, error) {
	if a.id != "" || a.next == nil {
		return a.id, nil
	}
	return a.next.Line(label)
}

func (a *answers) Secret(label string) (string, error) {
	if a.secret != "" || a.next == nil {
		return a.secret, nil
	}
	return a.next.Secret(label)
}

// NewReaderPrompter reads one line of in for each question.
func NewReaderPrompter(in io.Reader, out io.Writer) Prompter {
	if out == nil {
		out = io.Discard
	}
	// One bufio.Reader for all questions: a fresh one per question would
	// swallow the lines buffered after the first.
	return &readerPrompter{in: bufio.NewReader(in), out: out}
}

type readerPrompter struct {
	in  *bufio.Reader
	out io.Writer
}

func (p *readerPrompter) Line(label string) (string, error) {
	fmt.Fprintf(p.out, "%s: ", label)
	return p.read(label)
}

func (p *readerPrompter) Secret(label string) (string, error) {
	fmt.Fprintf(p.out, "%s: ", label)
	return p.read(label)
}

func (p *readerPrompter) read(label string) (string, error) {
	line, err := p.in.ReadString('\n')
	// Piped input is not echoed, newline included; keep the next output
	// on a line of its own.
	fmt.Fprintln(p.out)
	if err != nil && line == "" {
		if errors.Is(err, io.EOF) {
			return "", fmt.Errorf("no answer for %q: standard input ended; give one line per question", label)
		}
		return "", fmt.Errorf("reading %q: %w", label, err)
	}
	return strings.TrimSpace(line), nil
}

// NewTerminalPrompter asks on the terminal f.
func NewTerminalPrompter(f *os.File, out io.Writer) Prompter {
	if out == nil {
		out = io.Discard
	}
	return &terminalPrompter{f: f, lines: bufio.NewReader(f), out: out}
}

type terminalPrompter struct {
	f     *os.File
	lines *bufio.Reader
	out   io.Writer
}

func (p *terminalPrompter) Line(label string) (string, error) {
	fmt.Fprintf(p.out, "%s: ", label)
	line, err := p.lines.ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("reading %q: %w", label, err)
	}
	return strings.TrimSpace(line), nil
}

func (p *terminalPrompter) Secret(label string) (string, error) {
	fmt.Fprintf(p.out, "%s (not shown): ", label)
	b, err := term.ReadPassword(int(p.f.Fd()))
	// The user's Enter is not echoed either.
	fmt.Fprintln(p.out)
	if err != nil {
		return "", fmt.Errorf("reading %q: %w", label, err)
	}
	return strings.TrimSpace(string(b)), nil
}
