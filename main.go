// hubctl configures a JupyterHub's OAuth login and services from one spec.
package main

import (
	"os"
	"runtime/debug"

	"github.com/hubctl/hubctl/cmd"
	"github.com/hubctl/hubctl/cmd/cmdutil"
)

// Set by the release build (-ldflags -X).
var (
	version = ""
	commit  = "unknown"
	date    = "unknown"
)

func main() {
	os.Exit(cmd.Main(buildInfo(), os.Args[1:]))
}

// buildInfo falls back to the module version go install records, so a
// binary built without ldflags still says what it is.
func buildInfo() cmdutil.BuildInfo {
	b := cmdutil.BuildInfo{Version: version, Commit: commit, Date: date}
	if b.Version == "" {
		b.Version = "dev"
		if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
			b.Version = info.Main.Version
		}
	}
	return b
}
