// Package cmdutil is the plumbing every hubctl command shares: the global
// flags, the injected streams, writing output, and reporting findings.
package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"github.com/hubctl/hubctl/pkg/render"
	"os"
	"path/filepath"

	"github.com/hubctl/hubctl/pkg/atomicfile"
	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/iostreams"
	"github.com/hubctl/hubctl/pkg/load"
)

// BuildInfo describes the binary.
type BuildInfo struct {
	Version string
	Commit  string
	Date    string
}

// Globals are the flags every command takes.
type Globals struct {
	// File is the spec (-f/--file).
	File string
	// Output is where data goes instead of stdout (-o/--output).
	Output  string
	NoColor bool
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

// WriteOutput sends data to -o FILE, atomically, or to stdout. Secret data
// gets a private file.
func (f *Factory) WriteOutput(data []byte, secret bool) error {
	if f.Globals.Output == "" || f.Globals.Output == "-" {
		_, err := f.IO.Out.Write(data)
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

// LoadConfig loads the spec named by -f into a hub configuration and
// prints its warnings; errors come back as *finding.InvalidInput.
func (f *Factory) LoadConfig(ctx context.Context, strict bool) (*load.Result, error) {
	opts := f.LoadOptions()
	opts.Strict = strict
	res, err := load.Config(ctx, f.Globals.File, opts)
	if err != nil {
		return nil, err
	}
	f.ReportFindings(res.Findings)
	return res, nil
}

// RenderOptions are the renderers' shared options for a loaded spec.
func (f *Factory) RenderOptions(res *load.Result, inlineSecrets bool) render.Options {
	return render.Options{Source: f.Globals.File, InlineSecrets: inlineSecrets, Resolver: res.Resolver}
}
