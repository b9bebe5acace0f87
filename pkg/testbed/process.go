// This file starts a server process directly (no shell in between), sends
// its output to a log file, waits for it to be ready and stops it by PID.

package testbed

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// stopGrace is how long a server gets between SIGTERM and SIGKILL. Hydra
// takes 1-3 s to shut down gracefully.
const stopGrace = 5 * time.Second

// logTailLines is how many log lines are printed for a failed test.
const logTailLines = 60

// Process is one started server.
type Process struct {
	Name    string // short name used in messages, e.g. "hydra"
	LogFile string // stdout and stderr of the process

	cmd     *exec.Cmd
	done    chan struct{} // closed when the process has exited
	waitErr error
	// afterStop runs once the process and its group are gone, for helpers
	// that left the group (see Hub).
	afterStop []func()
}

// PID returns the process ID.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// Exited reports whether the process has exited.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Log returns the whole log so far.
func (p *Process) Log() string {
	b, err := os.ReadFile(p.LogFile)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", p.LogFile, err)
	}
	return string(b)
}

// LogTail returns the last n lines of the log.
func (p *Process) LogTail(n int) string {
	lines := strings.Split(strings.TrimRight(p.Log(), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// Stop ends the process: SIGTERM to its PID, then, if it is still running
// after a grace period, SIGKILL. Whatever is left of its process group is
// killed as well, and so is a JupyterHub's proxy that outlived its hub.
// Stop is idempotent and is called from t.Cleanup; tests may call it earlier.
func (p *Process) Stop() {
	pid := p.PID()
	if !p.Exited() {
		_ = syscall.Kill(pid, syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(stopGrace):
			_ = syscall.Kill(pid, syscall.SIGKILL)
			<-p.done
		}
	}
	// The process was started as the leader of its own group, so the group
	// ID is its PID; children that outlived it are still in that group.
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	for _, f := range p.afterStop {
		f()
	}
}

// startOptions describes a process to start.
type startOptions struct {
	name string
	argv []string
	dir  string            // working directory; a temp dir if empty
	env  map[string]string // added to (and overriding) os.Environ()
}

// startProcess execs argv[0] directly, as the leader of a new process group,
// with its output going to <name>.log in a temp dir. It registers cleanups
// that stop the process and, if the test failed, print the log tail.
func startProcess(t testing.TB, o startOptions) *Process {
	t.Helper()
	logDir := t.TempDir()
	logFile := filepath.Join(logDir, o.name+".log")
	f, err := os.Create(logFile)
	if err != nil {
		t.Fatalf("testbed: %s: %v", o.name, err)
	}
	defer f.Close() // the child keeps its own descriptor

	cmd := exec.Command(o.argv[0], o.argv[1:]...)
	cmd.Dir = o.dir
	if cmd.Dir == "" {
		cmd.Dir = logDir
	}
	cmd.Env = mergeEnv(os.Environ(), o.env)
	cmd.Stdout = f
	cmd.Stderr = f
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Setpgid: true,
		// If the test binary dies without running its cleanups (a go test
		// -timeout panic, say), the kernel sends the server SIGTERM, which
		// lets a hub stop its proxy too. Linux ties this to the thread that
		// started the process; Go keeps threads alive unless a goroutine
		// locked to one exits, which tests don't do.
		Pdeathsig: syscall.SIGTERM,
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("testbed: starting %s (%s): %v", o.name, o.argv[0], err)
	}
	p := &Process{Name: o.name, LogFile: logFile, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	t.Logf("testbed: started %s, pid %d, log %s", o.name, p.PID(), logFile)

	// Cleanups run last-in first-out: stop first, so that the tail includes
	// what the server logged while shutting down.
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("testbed: last %d lines of the %s log (%s):\n%s", logTailLines, o.name, logFile, p.LogTail(logTailLines))
		}
	})
	t.Cleanup(p.Stop)
	return p
}

// mergeEnv returns base with the variables in extra set, replacing any
// earlier value of the same name.
func mergeEnv(base []string, extra map[string]string) []string {
	out := make([]string, 0, len(base)+len(extra))
	for _, kv := range base {
		name, _, _ := strings.Cut(kv, "=")
		if _, ok := extra[name]; !ok {
			out = append(out, kv)
		}
	}
	for k, v := range extra {
		out = append(out, k+"="+v)
	}
	return out
}

// waitReady polls url with client until ready accepts the response, the
// process exits or the timeout passes. A failure stops the test, and the
// cleanup then prints the log tail, where the reason almost always is.
func waitReady(t testing.TB, p *Process, client *http.Client, url string, timeout time.Duration, ready func(*http.Response) bool) {
	t.Helper()
	start := time.Now()
	deadline := start.Add(timeout)
	var lastErr error
	for {
		if p.Exited() {
			// The log tail follows from the cleanup startProcess registered.
			t.Fatalf("testbed: %s exited before it was ready (%v)", p.Name, p.waitErr)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := client.Do(req)
		if err == nil {
			ok := ready(resp)
			resp.Body.Close()
			cancel()
			if ok {
				t.Logf("testbed: %s ready after %.1fs", p.Name, time.Since(start).Seconds())
				return
			}
			lastErr = fmt.Errorf("HTTP %d", resp.StatusCode)
		} else {
			cancel()
			lastErr = err
		}
		if time.Now().After(deadline) {
			t.Fatalf("testbed: %s not ready at %s after %s (last: %v)", p.Name, url, timeout, lastErr)
		}
		select {
		case <-p.done:
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func statusOK(resp *http.Response) bool { return resp.StatusCode == http.StatusOK }
