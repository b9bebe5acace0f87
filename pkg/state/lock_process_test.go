package state

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// lockHolderEnv makes the test binary, started by
// TestLockAcrossProcesses, take the lock of the spec it names and hold it
// until it is killed.
const lockHolderEnv = "HUBCTL_TEST_HOLD_LOCK_OF"

func TestMain(m *testing.M) {
	if spec := os.Getenv(lockHolderEnv); spec != "" {
		if _, err := Open(spec).Lock(context.Background()); err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(1)
		}
		os.Stdout.WriteString("locked\n")
		// Held until the test kills this process (or, as a bound, for a minute).
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestLockAcrossProcesses proves what the lock is for: another hubctl
// process is kept out while one holds it, and a holder killed with SIGKILL
// leaves no lock behind.
func TestLockAcrossProcesses(t *testing.T) {
	spec := filepath.Join(t.TempDir(), "hubctl.yaml")
	holder := exec.Command(os.Args[0], "-test.run=^$")
	holder.Env = append(os.Environ(), lockHolderEnv+"="+spec)
	stdout, err := holder.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	holder.Stderr = os.Stderr
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = holder.Process.Kill(); _ = holder.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "locked" {
		t.Fatalf("the holder process did not take the lock: %q, %v", line, err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := Open(spec).Lock(ctx); err == nil || !strings.Contains(err.Error(), "another hubctl holds the lock") {
		t.Fatalf("Lock while another process holds it: %v", err)
	}

	if err := holder.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = holder.Wait()
	ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	unlock, err := Open(spec).Lock(ctx)
	if err != nil {
		t.Fatalf("Lock after the holder was killed: %v", err)
	}
	_ = unlock()
}
