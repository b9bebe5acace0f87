// Package exitcode defines hubctl's exit statuses and maps errors to them,
// so every command ends the same way for the same kind of failure.
package exitcode

import (
	"errors"

	"github.com/hubctl/hubctl/pkg/finding"
)

const (
	// OK: the command did what was asked.
	OK = 0
	// Runtime: the input was fine but something failed (a file could not be
	// read or written, an environment variable is missing, a provider did
	// not answer).
	Runtime = 1
	// Invalid: the input is wrong (a spec with errors, a bad flag or
	// argument). Nothing was written.
	Invalid = 2
	// Failed: a check found a problem in the setup (doctor; with --strict,
	// a warning too). The input itself was fine.
	Failed = 3
	// Exists: hubctl app create found the client registered already and
	// changed nothing (--update brings it in line with the spec).
	Exists = 5
	// Interrupted: Ctrl-C or SIGTERM stopped the command (128 + SIGINT, as
	// shells report it).
	Interrupted = 130
)

// Error carries an explicit exit status.
type Error struct {
	Code int
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// InvalidInput marks err as invalid input.
func InvalidInput(err error) error { return &Error{Code: Invalid, Err: err} }

// For returns the exit status for err.
func For(err error) int {
	if err == nil {
		return OK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	var inv *finding.InvalidInput
	if errors.As(err, &inv) {
		return Invalid
	}
	return Runtime
}
