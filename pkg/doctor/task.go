package doctor

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/hubctl/hubctl/pkg/finding"
)

// Outcome is what a task's function returns.
type Outcome struct {
	Status  finding.Status
	Message string
	Hint    string
}

// Passed, Warned, Failed and Skipped build outcomes; the message is one
// line, the hint says what to change.
func Passed(format string, a ...any) Outcome {
	return Outcome{Status: finding.Pass, Message: fmt.Sprintf(format, a...)}
}

func Warned(hint, format string, a ...any) Outcome {
	return Outcome{Status: finding.Warn, Message: fmt.Sprintf(format, a...), Hint: hint}
}

func Failed(hint, format string, a ...any) Outcome {
	return Outcome{Status: finding.Fail, Message: fmt.Sprintf(format, a...), Hint: hint}
}

func Skipped(hint, format string, a ...any) Outcome {
	return Outcome{Status: finding.Skip, Message: fmt.Sprintf(format, a...), Hint: hint}
}

// Task is one check against one target. Run is called only when every
// task in Needs passed or warned; it must return when ctx is done.
type Task struct {
	Check  *Check
	Target string
	Needs  []*Task
	Run    func(ctx context.Context) Outcome
	// Hidden tasks are never reported: they do a request whose answer a
	// reported task judges, so that the request overlaps a need of the
	// judge's instead of waiting for it (see Plan.Prefetch).
	Hidden bool

	result finding.Result
	done   chan struct{}
}

// Result is the task's result; valid once the run has ended.
func (t *Task) Result() finding.Result { return t.result }

// Passed reports whether dependents may run: the task passed or warned.
func (t *Task) passed() bool {
	return t.result.Status == finding.Pass || t.result.Status == finding.Warn
}

func severityOf(s finding.Status) finding.Severity {
	switch s {
	case finding.Fail, finding.Errored:
		return finding.Error
	case finding.Warn:
		return finding.Warning
	default:
		return finding.Info
	}
}

// RunOptions bound a run.
type RunOptions struct {
	// Workers is how many tasks run at once.
	Workers int
	// Deadline ends the whole run; tasks unfinished by then are errored.
	Deadline time.Duration
	// Progress, when set, is called after each task ends.
	Progress func(done, total int)
}

// deadlineGrace is how long a task that ignores its context may overrun
// the deadline before the run stops waiting for it.
const deadlineGrace = 500 * time.Millisecond

// RunTasks runs tasks, each once its needs have ended, at most Workers at
// a time, and returns their results in the order given.
func RunTasks(ctx context.Context, tasks []*Task, o RunOptions) finding.Results {
	if o.Workers < 1 {
		o.Workers = 1
	}
	if o.Deadline > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Deadline)
		defer cancel()
	}
	for _, t := range tasks {
		t.done = make(chan struct{})
	}
	slots := make(chan struct{}, o.Workers)
	var mu sync.Mutex
	finished := 0
	var wg sync.WaitGroup
	for _, t := range tasks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.result = runOne(ctx, t, slots)
			close(t.done)
			if o.Progress != nil {
				mu.Lock()
				finished++
				n := finished
				mu.Unlock()
				o.Progress(n, len(tasks))
			}
		}()
	}
	waitAll(ctx, &wg)
	out := make(finding.Results, len(tasks))
	mu.Lock()
	defer mu.Unlock()
	for i, t := range tasks {
		select {
		case <-t.done:
			out[i] = t.result
		default:
			out[i] = base(t, finding.Errored, "did not finish before the overall deadline", "raise --deadline, or find what hangs with --timeout")
		}
	}
	return out
}

// waitAll waits for every task, or for the deadline plus a grace period.
func waitAll(ctx context.Context, wg *sync.WaitGroup) {
	all := make(chan struct{})
	go func() { wg.Wait(); close(all) }()
	select {
	case <-all:
	case <-ctx.Done():
		select {
		case <-all:
		case <-time.After(deadlineGrace):
		}
	}
}

func base(t *Task, st finding.Status, msg, hint string) finding.Result {
	return finding.Result{ID: t.Check.ID, Title: t.Check.Title, Target: t.Target,
		Status: st, Severity: severityOf(st), Message: msg, Hint: hint}
}

func runOne(ctx context.Context, t *Task, slots chan struct{}) finding.Result {
	for _, need := range t.Needs {
		select {
		case <-need.done:
		case <-ctx.Done():
			return base(t, finding.Errored, "did not start before the overall deadline", "")
		}
		if !need.passed() {
			// A hidden prefetch is the judge's own request: its panic or
			// deadline is the judge's result, not a skip naming itself.
			if need.Hidden {
				r := need.result
				r.ID, r.Title, r.Target = t.Check.ID, t.Check.Title, t.Target
				return r
			}
			r := base(t, finding.Skip, fmt.Sprintf("skipped: %s did not pass for %s", need.Check.ID, need.Target), "")
			r.BlockedBy = need.Check.ID
			return r
		}
	}
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return base(t, finding.Errored, "did not start before the overall deadline", "")
	}
	defer func() { <-slots }()
	start := time.Now()
	o := call(ctx, t)
	r := base(t, o.Status, strings.TrimSpace(o.Message), strings.TrimSpace(o.Hint))
	r.Duration = time.Since(start)
	return r
}

// call runs the task's function, turning a panic into an errored outcome so
// the other checks go on.
func call(ctx context.Context, t *Task) (o Outcome) {
	defer func() {
		if p := recover(); p != nil {
			o = Outcome{Status: finding.Errored,
				Message: fmt.Sprintf("the check panicked: %v", p),
				Hint:    "this is a bug in hubctl; please report it with this stack: " + firstFrames(debug.Stack())}
		}
	}()
	o = t.Run(ctx)
	if o.Status == "" {
		o.Status = finding.Errored
		o.Message = "the check returned no status"
	}
	return o
}

// firstFrames keeps a stack short enough for a hint.
func firstFrames(stack []byte) string {
	lines := strings.Split(string(stack), "\n")
	var keep []string
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if strings.Contains(l, "pkg/doctor.") && !strings.Contains(l, "doctor.call") {
			keep = append(keep, l)
		}
		if len(keep) == 3 {
			break
		}
	}
	return strings.Join(keep, " < ")
}
