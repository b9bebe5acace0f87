package bench_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hubctl/hubctl/pkg/bench"
	"github.com/hubctl/hubctl/pkg/load"
	"github.com/hubctl/hubctl/pkg/render"
)

// writeSpec puts a generated spec where load reads it, as the command does.
func writeSpec(tb testing.TB, n int) (string, load.Options) {
	tb.Helper()
	data, env := bench.Spec(n)
	path := filepath.Join(tb.TempDir(), "hubctl.yaml")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	return path, load.Options{LookupEnv: bench.LookupEnv(env)}
}

// TestSpecIsValid keeps the generated specs honest: a spec that failed
// validation would benchmark the error path instead of a render.
func TestSpecIsValid(t *testing.T) {
	for _, n := range []int{1, 10, 101} {
		path, opts := writeSpec(t, n)
		res, err := load.Config(context.Background(), path, opts)
		if err != nil {
			t.Fatalf("%d services: %v", n, err)
		}
		if len(res.Findings) > 0 {
			t.Fatalf("%d services: findings %v", n, res.Findings)
		}
		if got := len(res.Config.Services); got != n {
			t.Fatalf("%d services: config has %d", n, got)
		}
	}
}

// BenchmarkScale is the whole work of `hubctl validate`, `hubctl render
// helm-values` and `hubctl render hub-config` on specs of each size, from
// reading the file to the rendered bytes, without process start-up. The
// ratio of one size's ns/op to the 10-service case's is the growth that
// scripts/bench reports; linear is about 10, 100 and 1000.
func BenchmarkScale(b *testing.B) {
	steps := []struct {
		name string
		run  func(path string, opts load.Options) error
	}{
		{"validate", func(path string, opts load.Options) error {
			_, err := load.Spec(path, opts)
			return err
		}},
		{"helm-values", func(path string, opts load.Options) error {
			res, err := load.Config(context.Background(), path, opts)
			if err != nil {
				return err
			}
			_, err = render.HelmValues(res.Config, render.Options{Source: path, Resolver: res.Resolver})
			return err
		}},
		{"hub-config", func(path string, opts load.Options) error {
			res, err := load.Config(context.Background(), path, opts)
			if err != nil {
				return err
			}
			_, err = render.HubConfig(res.Config, render.Options{Source: path, Resolver: res.Resolver})
			return err
		}},
	}
	for _, step := range steps {
		for _, n := range bench.Sizes {
			b.Run(fmt.Sprintf("%s/services=%d", step.name, n), func(b *testing.B) {
				path, opts := writeSpec(b, n)
				var err error
				peak := bench.PeakHeap(func() { err = step.run(path, opts) })
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					if err := step.run(path, opts); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(peak), "peak-heap-B")
			})
		}
	}
}

// TestWriteSpecs writes bench.Spec of each size, and the environment its
// secrets need, into $HUBCTL_BENCH_SPECS, for scripts/bench to run the
// built binary on: hubctl-N.yaml and hubctl-N.env (NAME=value lines). It
// does nothing when that variable is unset.
func TestWriteSpecs(t *testing.T) {
	dir := os.Getenv("HUBCTL_BENCH_SPECS")
	if dir == "" {
		t.Skip("HUBCTL_BENCH_SPECS is not set")
	}
	for _, n := range bench.Sizes {
		data, env := bench.Spec(n)
		var lines []string
		for name, value := range env {
			lines = append(lines, name+"="+value+"\n")
		}
		slices.Sort(lines)
		for file, content := range map[string][]byte{
			fmt.Sprintf("hubctl-%d.yaml", n): data,
			fmt.Sprintf("hubctl-%d.env", n):  []byte(strings.Join(lines, "")),
		} {
			if err := os.WriteFile(filepath.Join(dir, file), content, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
}
