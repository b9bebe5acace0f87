//go:build unix

package atomicfile

import (
	"errors"
	"io/fs"
	"syscall"
)

// linkCount is the number of hard links to the file.
func linkCount(info fs.FileInfo) uint64 {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Nlink)
	}
	return 1
}

// processGone reports whether no process has this id. EPERM means one
// exists that belongs to someone else.
func processGone(pid int) bool {
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
