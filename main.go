// hubctl configures a JupyterHub's OAuth login and services from one spec.
package main

import (
	"os"
	"runtime/debug"

	"github.com/hubctl/hubctl/cmd"
	"github.com/hubctl/hubctl/cmd/cmdutil"
)

// Set by the release build (-ldflags -X); empty otherwise, and then taken
// from the build information the Go toolchain records.
var (
	version = ""
	commit  = ""
	date    = ""
)

func main() {
	info, _ := debug.ReadBuildInfo()
	os.Exit(cmd.Main(cmdutil.BuildInfoFrom(version, commit, date, info), os.Args[1:]))
}
