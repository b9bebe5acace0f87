package finding

import (
	"encoding/json"
	"time"
)

// Status is how a check ended. Static findings become results too (an
// error fails, a warning warns), so doctor and lint report both through
// the same output formats.
type Status string

const (
	Pass Status = "pass"
	Warn Status = "warn"
	Fail Status = "fail"
	// Skip: the check did not apply, or a check it depends on did not pass.
	Skip Status = "skip"
	// Errored: the check itself broke (a panic, a bug): neither a pass nor
	// a finding about the setup.
	Errored Status = "error"
)

// Result is one check run against one target: a live probe of doctor, or a
// static finding of validate or lint.
type Result struct {
	// ID is the check's stable ID (tls.expiry, duplicate-key).
	ID    string `json:"id"`
	Title string `json:"title"`
	// Target is what was checked: a URL, host:port, a service, the spec file.
	Target   string   `json:"target"`
	Status   Status   `json:"status"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	Hint     string   `json:"hint,omitempty"`
	// Pos and Path place a static finding in its file; live checks have
	// neither.
	Pos  Position `json:"position,omitzero"`
	Path string   `json:"path,omitempty"`
	// BlockedBy names the check a skipped result needed and that did not
	// pass: the skip is a consequence, not a finding of its own.
	BlockedBy string        `json:"blocked_by,omitempty"`
	Duration  time.Duration `json:"-"`
}

// MarshalJSON adds duration_ms, a number, in place of Go's nanoseconds.
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result
	return json.Marshal(struct {
		plain
		DurationMS int64 `json:"duration_ms"`
	}{plain(r), r.Duration.Milliseconds()})
}

// Failed reports whether the result counts against the setup: a failure or
// an errored check, or with strict a warning too.
func (r Result) Failed(strict bool) bool {
	return r.Status == Fail || r.Status == Errored || (strict && r.Status == Warn)
}

// FromFinding turns a static finding into a result whose target is the
// finding's file.
func FromFinding(f Finding, title string) Result {
	st := Warn
	switch f.Severity {
	case Error:
		st = Fail
	case Info:
		st = Pass
	}
	return Result{ID: f.ID, Title: title, Target: f.Pos.File, Status: st, Severity: f.Severity,
		Message: f.Message, Hint: f.Hint, Pos: f.Pos, Path: f.Path}
}

// Results is an ordered run of checks.
type Results []Result

// CountStatus returns how many results have status s.
func (rs Results) CountStatus(s Status) int {
	n := 0
	for _, r := range rs {
		if r.Status == s {
			n++
		}
	}
	return n
}

// Failed reports whether any result counts against the setup.
func (rs Results) Failed(strict bool) bool {
	for _, r := range rs {
		if r.Failed(strict) {
			return true
		}
	}
	return false
}
