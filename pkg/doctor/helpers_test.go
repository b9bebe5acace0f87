package doctor

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/load"
)

// loadSpec writes text as hubctl.yaml in a temporary directory, with the
// named extra files beside it, and loads it; env replaces the process's
// environment for secret references.
func loadSpec(t *testing.T, text string, files map[string]string, env map[string]string) *load.Result {
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
func runChecks(t *testing.T, res *load.Result, opts Options, ids ...string) finding.Results {
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
