// Package cmdutil is the plumbing every hubctl command shares: the global
// flags, the injected streams, writing output, and reporting findings.
package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hubctl/hubctl/pkg/atomicfile"
	"github.com/hubctl/hubctl/pkg/exitcode"
	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/iostreams"
	"github.com/hubctl/hubctl/pkg/load"
	"github.com/hubctl/hubctl/pkg/render"
)

// BuildInfo describes the binary.
type BuildInfo struct {
	Version string
	Commit  string
	Date    string
}

// String is the version line's text after "hubctl ".
func (b BuildInfo) String() string {
	return fmt.Sprintf("%s (commit %s, built %s)", b.Version, b.Commit, b.Date)
}

// Globals are the values of the shared flags. Only --no-color is global;
// -f and -o are registered by the commands they mean something to
// (AddFileFlag, AddOutputFlag) and land here.
type Globals struct {
	// File is the spec (-f/--file).
	File string
	// Output is where data goes instead of stdout (-o/--output).
	Output  string
	NoColor bool
}

// SpecName is the spec as messages name it: <stdin> for "-f -", as the
// findings' positions do.
func (f *Factory) SpecName() string {
	if f.Globals.File == "-" {
		return "<stdin>"
	}
	return f.Globals.File
}

// Factory is what commands are built from: tests make their own.
type Factory struct {
	IO      *iostreams.IOStreams
	Globals *Globals
	Build   BuildInfo
	// ConfigFile holds defaults for flags (viper); empty disables it.
	ConfigFile string
	// LookupEnv reads secrets' environment variables; nil means the
	// process environment.
	LookupEnv func(string) (string, bool)
}

// DefaultConfigFile is ~/.config/hubctl/config.yaml, or under
// $XDG_CONFIG_HOME when set, on every platform (as gh does).
func DefaultConfigFile() string {
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "hubctl", "config.yaml")
}

// LoadOptions are the options for loading the spec named by -f.
func (f *Factory) LoadOptions() load.Options {
	return load.Options{Stdin: f.IO.In, LookupEnv: f.LookupEnv}
}

// ToStdout reports whether data goes to standard output (no -o, or -o -).
func (f *Factory) ToStdout() bool { return f.Globals.Output == "" || f.Globals.Output == "-" }

// CheckOutput refuses an -o that cannot be written as asked, before any
// work: the spec itself, or a target atomicfile refuses (not a regular
// file, or hard-linked). Both are usage errors (exit status 2).
func (f *Factory) CheckOutput() error {
	if f.ToStdout() {
		return nil
	}
	out := f.Globals.Output
	if spec := f.Globals.File; spec != "" && spec != "-" {
		// os.Stat follows symbolic links, so a link to the spec is the spec.
		outInfo, outErr := os.Stat(out)
		specInfo, specErr := os.Stat(spec)
		if outErr == nil && specErr == nil && os.SameFile(outInfo, specInfo) {
			return exitcode.InvalidInput(fmt.Errorf("-o %s is the spec file (-f %s) itself: writing it would replace the spec with the output; choose another file", out, spec))
		}
	}
	return atomicfile.Check(out)
}

// WriteOutput sends data to -o FILE, atomically, or to stdout. Secret data
// gets a private file (0600).
func (f *Factory) WriteOutput(data []byte, secret bool) error {
	if f.ToStdout() {
		_, err := f.IO.Out.Write(data)
		return err
	}
	if err := f.CheckOutput(); err != nil {
		return err
	}
	perm := os.FileMode(0o644)
	if secret {
		perm = 0o600
	}
	return atomicfile.Write(f.Globals.Output, data, perm)
}

// ReportFindings prints findings as messages on stderr.
func (f *Factory) ReportFindings(l finding.List) {
	if len(l) == 0 {
		return
	}
	_ = finding.WriteText(f.IO.ErrOut, l, f.IO.ColourStderr())
}

// ErrSilent ends a command with its exit status after the command has
// already said everything there is to say.
var ErrSilent = errors.New("silent")

// Warnf prints a warning message on stderr.
func (f *Factory) Warnf(format string, args ...any) {
	fmt.Fprintf(f.IO.ErrOut, "hubctl: warning: "+format+"\n", args...)
}

// Endpoints says whether a render's output contains the provider's
// endpoints, which may take OIDC discovery (the network) to find.
type Endpoints bool

const (
	WithEndpoints    Endpoints = true
	WithoutEndpoints Endpoints = false
)

// LoadConfig loads the spec named by -f into a hub configuration for a
// render subcommand and prints its warnings; errors come back as
// *finding.InvalidInput.
func (f *Factory) LoadConfig(ctx context.Context, rf *RenderFlags, endpoints Endpoints) (*load.Result, error) {
	opts := f.LoadOptions()
	opts.Strict = rf.Strict
	opts.Offline = rf.Offline
	opts.SkipEndpoints = endpoints == WithoutEndpoints
	res, err := load.Config(ctx, f.Globals.File, opts)
	if err != nil {
		return nil, err
	}
	f.ReportFindings(res.Findings)
	return res, nil
}

// RenderOptions are the renderers' shared options for a loaded spec.
func (f *Factory) RenderOptions(res *load.Result, inlineSecrets bool) render.Options {
	return render.Options{Source: f.Globals.File, InlineSecrets: inlineSecrets, Resolver: res.Resolver,
		Warn: func(msg string) { f.Warnf("%s", msg) }}
}
