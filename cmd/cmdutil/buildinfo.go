package cmdutil

import "runtime/debug"

// unknown is what the version line says of a detail nobody recorded.
const unknown = "unknown"

// BuildInfoFrom completes what the release build's -ldflags set (empty
// when not set) from what the Go toolchain records in every binary: the
// module version (go install ...@v1.2.3) and, for a build in a git
// checkout, the VCS stamp. info is debug.ReadBuildInfo's, nil when absent.
func BuildInfoFrom(version, commit, date string, info *debug.BuildInfo) BuildInfo {
	b := BuildInfo{Version: version, Commit: commit, Date: date}
	if info != nil {
		if b.Version == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			b.Version = info.Main.Version
		}
		var revision, modified string
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.time":
				if b.Date == "" {
					b.Date = s.Value
				}
			case "vcs.modified":
				modified = s.Value
			}
		}
		if b.Commit == "" && revision != "" {
			b.Commit = revision
			if modified == "true" {
				b.Commit += "-dirty"
			}
		}
	}
	if b.Version == "" {
		b.Version = "dev"
	}
	if b.Commit == "" {
		b.Commit = unknown
	}
	if b.Date == "" {
		b.Date = unknown
	}
	return b
}
