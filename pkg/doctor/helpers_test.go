package doctor

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/load"
)

// loadSpec writes text as hubctl.yaml in a temporary directory, with the
// named extra files beside it, and loads it; env replaces the process's
// environment for secret references.
func loadSpec(t testing.TB, text string, files map[string]string, env map[string]string) *load.Result {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "hubctl.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := load.Spec(path, load.Options{LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }})
	if err != nil {
		t.Fatalf("loading the spec: %v\n%s", err, text)
	}
	return res
}

// runChecks runs the checks ids (all when none) against the loaded spec
// with opts over Defaults' zero fields.
func runChecks(t testing.TB, res *load.Result, opts Options, ids ...string) finding.Results {
	t.Helper()
	if opts.Timeout == 0 {
		opts.Timeout = Defaults.Timeout
	}
	if opts.Deadline == 0 {
		opts.Deadline = Defaults.Deadline
	}
	if opts.Workers == 0 {
		opts.Workers = Defaults.Workers
	}
	if opts.ExpiryFail == 0 {
		opts.ExpiryFail, opts.ExpiryWarn = Defaults.ExpiryFail, Defaults.ExpiryWarn
	}
	opts.Only = append(opts.Only, ids...)
	rs, err := Run(context.Background(), res, opts)
	if err != nil {
		t.Fatalf("doctor.Run: %v", err)
	}
	return rs
}

// resultsOf keeps the results of check id.
func resultsOf(rs finding.Results, id string) finding.Results {
	var out finding.Results
	for _, r := range rs {
		if r.ID == id {
			out = append(out, r)
		}
	}
	return out
}

// onlyResult is the one result of check id, failing the test otherwise.
func onlyResult(t *testing.T, rs finding.Results, id string) finding.Result {
	t.Helper()
	got := resultsOf(rs, id)
	if len(got) != 1 {
		t.Fatalf("want one %s result, got %d in %+v", id, len(got), rs)
	}
	return got[0]
}

// assertOutcome checks a result's status, that its one-line message holds
// every part of message and its hint holds hint, and that none of secrets
// shows in either.
func assertOutcome(t *testing.T, r finding.Result, status finding.Status, message []string, hint string, secrets ...string) {
	t.Helper()
	if r.Status != status {
		t.Errorf("status %s, want %s: %s (hint %q)", r.Status, status, r.Message, r.Hint)
	}
	for _, m := range message {
		if !strings.Contains(r.Message, m) {
			t.Errorf("message %q lacks %q", r.Message, m)
		}
	}
	if !strings.Contains(r.Hint, hint) {
		t.Errorf("hint %q lacks %q", r.Hint, hint)
	}
	if strings.Contains(r.Message, "\n") || strings.Contains(r.Hint, "\n") {
		t.Errorf("message or hint spans lines: %q / %q", r.Message, r.Hint)
	}
	for _, secret := range secrets {
		if strings.Contains(r.Message+r.Hint, secret) {
			t.Errorf("a secret shows in %q / %q", r.Message, r.Hint)
		}
	}
}
