package cmdutil

import (
	"runtime/debug"
	"testing"
)

func TestBuildInfoFrom(t *testing.T) {
	stamped := &debug.BuildInfo{
		Main: debug.Module{Version: "(devel)"},
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef"},
			{Key: "vcs.time", Value: "2026-11-23T10:00:00Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	tests := []struct {
		name                  string
		version, commit, date string
		info                  *debug.BuildInfo
		want                  string
	}{
		{"nothing known", "", "", "", nil, "dev (commit unknown, built unknown)"},
		{"go install of a version", "", "", "", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}, "v1.4.0 (commit unknown, built unknown)"},
		{"a dirty checkout", "", "", "", stamped, "dev (commit 0123456789abcdef-dirty, built 2026-11-23T10:00:00Z)"},
		{"ldflags win", "1.2.3", "abc1234", "2026-11-01", stamped, "1.2.3 (commit abc1234, built 2026-11-01)"},
	}
	for _, tt := range tests {
		if got := BuildInfoFrom(tt.version, tt.commit, tt.date, tt.info).String(); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
