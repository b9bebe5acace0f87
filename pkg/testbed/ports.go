// This file hands out loopback ports that no other test process on the
// machine is handing out too.

package testbed

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/gofrs/flock"
)

// Ports are drawn below the kernel's ephemeral range (32768 and up by
// default), so an outgoing connection or another program's bind to port 0
// cannot land on one between the draw and the server's bind.
const (
	portLow  = 20000
	portHigh = 32000
)

var (
	portsMu sync.Mutex
	// portLocks keeps every reserved port's lock file open for the rest of
	// the process; the kernel drops the locks when it exits, however it dies.
	portLocks = map[int]*flock.Flock{}
)

// FreePort returns a TCP port on 127.0.0.1 that is free and reserved for the
// caller. go test runs packages as parallel processes (pkg/e2e, pkg/app and
// pkg/testbed each start hubs), and asking the kernel for port 0 and closing
// the socket lets two of them be given the same port: one hub then fails to
// bind and the other test talks to the wrong hub. So each port is drawn at
// random and claimed by an flock on a file named after it in a folder every
// test process shares; a port is taken only if its lock is ours and it binds.
func FreePort(t testing.TB) int {
	t.Helper()
	dir := filepath.Join(os.TempDir(), "hubctl-testbed-ports")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("testbed: port lock folder: %v", err)
	}
	portsMu.Lock()
	defer portsMu.Unlock()
	for range 200 {
		port := portLow + rand.IntN(portHigh-portLow)
		if _, mine := portLocks[port]; mine {
			continue
		}
		lock, ok := lockPort(dir, port)
		if !ok {
			continue
		}
		if !bindable(port) {
			lock.Unlock()
			continue
		}
		portLocks[port] = lock
		return port
	}
	t.Fatalf("testbed: no free port in %d-%d after 200 draws (locks in %s)", portLow, portHigh, dir)
	return 0
}

// lockPort takes the port's lock without waiting; false means another
// process holds it or the file cannot be opened.
func lockPort(dir string, port int) (*flock.Flock, bool) {
	lock := flock.New(filepath.Join(dir, strconv.Itoa(port)))
	ok, err := lock.TryLock()
	if err != nil || !ok {
		return nil, false
	}
	return lock, true
}

// bindable says whether a server could listen on the port right now; a
// program outside the test bed may be using it.
func bindable(port int) bool {
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return false
	}
	l.Close()
	return true
}
