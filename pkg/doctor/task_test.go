package doctor

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubctl/hubctl/pkg/finding"
)

var testCheck = &Check{ID: "test.check", Title: "Test check"}

func task(target string, run func(ctx context.Context) Outcome, needs ...*Task) *Task {
	return &Task{Check: testCheck, Target: target, Needs: needs, Run: run}
}

func TestRunTasksOutcomes(t *testing.T) {
	pass := task("a", func(context.Context) Outcome { return Passed("fine") })
	fail := task("b", func(context.Context) Outcome { return Failed("fix it", "broken") })
	warn := task("c", func(context.Context) Outcome { return Warned("", "meh") })
	afterFail := task("d", func(context.Context) Outcome { return Passed("ran") }, fail)
	afterWarn := task("e", func(context.Context) Outcome { return Passed("ran") }, warn)
	afterSkip := task("f", func(context.Context) Outcome { return Passed("ran") }, afterFail)
	panics := task("g", func(context.Context) Outcome { panic("boom") })
	empty := task("h", func(context.Context) Outcome { return Outcome{} })
	rs := RunTasks(context.Background(), []*Task{pass, fail, warn, afterFail, afterWarn, afterSkip, panics, empty}, RunOptions{Workers: 2})
	want := []struct {
		status  finding.Status
		message string
	}{
		{finding.Pass, "fine"},
		{finding.Fail, "broken"},
		{finding.Warn, "meh"},
		{finding.Skip, "skipped: test.check did not pass for b"},
		{finding.Pass, "ran"},
		{finding.Skip, "skipped: test.check did not pass for d"},
		{finding.Errored, "the check panicked: boom"},
		{finding.Errored, "the check returned no status"},
	}
	for i, w := range want {
		if rs[i].Status != w.status || rs[i].Message != w.message {
			t.Errorf("task %s: got %s %q, want %s %q", rs[i].Target, rs[i].Status, rs[i].Message, w.status, w.message)
		}
	}
	if rs[1].Hint != "fix it" || rs[1].Severity != finding.Error {
		t.Errorf("failure: hint %q severity %v", rs[1].Hint, rs[1].Severity)
	}
	if !strings.Contains(rs[6].Hint, "bug in hubctl") {
		t.Errorf("panic hint %q", rs[6].Hint)
	}
}

// The run takes about as long as its slowest task, not the sum, and never
// has more than Workers tasks running.
// A judge reports its hidden prefetch's failure as its own; a prefetch
// skipped for its needs passes that skip on.
func TestRunTasksHiddenPrefetchFailureIsTheJudges(t *testing.T) {
	fetch := task("a", func(context.Context) Outcome { panic("boom") })
	fetch.Hidden = true
	judge := task("a", func(context.Context) Outcome { return Passed("judged") }, fetch)
	fail := task("b", func(context.Context) Outcome { return Failed("", "broken") })
	blocked := task("c", func(context.Context) Outcome { return Passed("fetched") }, fail)
	blocked.Hidden = true
	judgeBlocked := task("c", func(context.Context) Outcome { return Passed("judged") }, blocked)
	rs := RunTasks(context.Background(), []*Task{fetch, judge, fail, blocked, judgeBlocked}, RunOptions{Workers: 1})
	if r := rs[1]; r.Status != finding.Errored || !strings.Contains(r.Message, "the check panicked: boom") {
		t.Errorf("judge of a panicking prefetch: %s %q", r.Status, r.Message)
	}
	if r := rs[4]; r.Status != finding.Skip || r.Message != "skipped: test.check did not pass for b" {
		t.Errorf("judge of a blocked prefetch: %s %q", r.Status, r.Message)
	}
}

func TestRunTasksConcurrencyBounded(t *testing.T) {
	var running, peak atomic.Int32
	var tasks []*Task
	for range 20 {
		tasks = append(tasks, task("x", func(ctx context.Context) Outcome {
			n := running.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			time.Sleep(20 * time.Millisecond)
			running.Add(-1)
			return Passed("ok")
		}))
	}
	RunTasks(context.Background(), tasks, RunOptions{Workers: 5})
	if got := peak.Load(); got != 5 {
		t.Errorf("peak concurrency %d, want 5", got)
	}
}

// A task that ignores its context cannot hold the run past the deadline
// and its grace; the others' results stand.
func TestRunTasksDeadline(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	hang := task("hang", func(context.Context) Outcome { <-release; return Passed("late") })
	quick := task("quick", func(context.Context) Outcome { return Passed("ok") })
	waiting := task("waiting", func(context.Context) Outcome { return Passed("ran") }, hang)
	start := time.Now()
	rs := RunTasks(context.Background(), []*Task{hang, quick, waiting}, RunOptions{Workers: 4, Deadline: 100 * time.Millisecond})
	if took := time.Since(start); took > 100*time.Millisecond+deadlineGrace+2*time.Second {
		t.Errorf("the run took %s past a 100ms deadline", took)
	}
	if rs[0].Status != finding.Errored || !strings.Contains(rs[0].Message, "deadline") {
		t.Errorf("hanging task: %s %q", rs[0].Status, rs[0].Message)
	}
	if rs[1].Status != finding.Pass {
		t.Errorf("quick task: %s", rs[1].Status)
	}
	if rs[2].Status != finding.Errored {
		t.Errorf("task waiting on the hung one: %s %q", rs[2].Status, rs[2].Message)
	}
}
