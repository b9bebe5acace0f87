// Package atomicfile writes files so that readers see the old content or
// the new, never a half-written file: a temporary file in the same
// directory, synced, then renamed over the target.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/hubctl/hubctl/pkg/exitcode"
)

// Write replaces path with data.
//
// A new file is created with perm, less the umask. An existing file keeps
// its mode, except that a private perm (no group or other bits, as for
// secrets) also makes an existing file private: mode & perm. A symbolic
// link is followed and its target replaced, the link left alone.
//
// Targets a rename cannot replace faithfully are refused as invalid input
// (exit status 2), before anything is written: anything but a regular file
// (a directory, device or pipe: /dev/null, /dev/stdout), and a file with
// more than one hard link (the rename would split the link).
func Write(path string, data []byte, perm os.FileMode) (err error) {
	target, existing, err := resolve(path)
	if err != nil {
		return err
	}
	removeStaleTemps(target)
	mode := perm
	if existing != nil {
		mode = existing.Mode().Perm()
		if perm&0o077 == 0 {
			mode &= perm
		}
	}
	tmp, err := createTemp(target, mode)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if existing != nil {
		// The umask may have cut the mode the file already had; give it
		// back exactly, which is never looser than before.
		if err = tmp.Chmod(mode); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
	}
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), target); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	syncDir(filepath.Dir(target))
	return nil
}

// Check refuses path as Write would, without writing: callers check an
// output before doing the work that produces it.
func Check(path string) error {
	_, _, err := resolve(path)
	return err
}

// maxLinks bounds symbolic link chains, as the kernel does (ELOOP).
const maxLinks = 40

// resolve follows symbolic links to the file Write replaces, and returns
// its information, nil when it does not exist yet. It walks the links one
// at a time rather than calling filepath.EvalSymlinks, so that a link to a
// file not yet written creates that file, as a shell's > does.
func resolve(path string) (string, fs.FileInfo, error) {
	current := path
	for range maxLinks {
		if isProcPath(current) {
			return "", nil, refuse(path, "leads into /proc, to a file descriptor and not a regular file; use -o - for standard output")
		}
		info, err := os.Lstat(current)
		if errors.Is(err, fs.ErrNotExist) {
			return current, nil, nil
		}
		if err != nil {
			return "", nil, fmt.Errorf("writing %s: %w", path, err)
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			if !info.Mode().IsRegular() {
				return "", nil, refuse(path, "is "+kind(info.Mode())+", not a regular file: hubctl replaces its output file; use -o - for standard output")
			}
			if n := linkCount(info); n > 1 {
				return "", nil, refuse(path, fmt.Sprintf("has %d hard links: replacing it would leave the other names with the old content; write to a new file or remove the other links", n))
			}
			return current, info, nil
		}
		link, err := os.Readlink(current)
		if err != nil {
			return "", nil, fmt.Errorf("writing %s: %w", path, err)
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(current), link)
		}
		current = link
	}
	return "", nil, refuse(path, fmt.Sprintf("is a chain of more than %d symbolic links", maxLinks))
}

func refuse(path, why string) error {
	return exitcode.InvalidInput(fmt.Errorf("refusing to write %s: it %s", path, why))
}

// isProcPath is true under /proc: /dev/stdout resolves through
// /proc/self/fd/1 to a pipe or terminal ("pipe:[1234]") that Lstat cannot
// name, or to whatever file the shell opened, which a rename would detach
// from the shell's descriptor.
func isProcPath(path string) bool {
	abs, err := filepath.Abs(path)
	return err == nil && strings.HasPrefix(filepath.ToSlash(abs), "/proc/")
}

func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "a special file"
}

// Temporary files are named .NAME.hubctl-PID-RANDOM.tmp: recognisably
// hubctl's, and carrying the writer's process id so that a later write can
// tell the leftovers of a killed write from a write in progress.
const tempMarker = ".hubctl-"

func tempPrefix(target string) string { return "." + filepath.Base(target) + tempMarker }

// createTemp creates the temporary file with the final mode from the start
// (O_EXCL, so the umask applies and no other file is reused): a secret is
// never readable by others, even for a moment.
func createTemp(target string, mode os.FileMode) (*os.File, error) {
	prefix := filepath.Join(filepath.Dir(target), tempPrefix(target)+strconv.Itoa(os.Getpid())+"-")
	for range 100 {
		name := prefix + strconv.FormatUint(uint64(rand.Uint32()), 36) + ".tmp"
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, errors.New("cannot create a temporary file: too many exist")
}

// removeStaleTemps removes target's temporary files whose writer is gone.
// It is best effort: a file it cannot remove is left for the next write.
func removeStaleTemps(target string) {
	entries, err := os.ReadDir(filepath.Dir(target))
	if err != nil {
		return
	}
	prefix := tempPrefix(target)
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasPrefix(name, prefix) || !strings.HasSuffix(name, ".tmp") {
			continue
		}
		pidText, _, ok := strings.Cut(strings.TrimPrefix(name, prefix), "-")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid <= 0 || pid == os.Getpid() || !processGone(pid) {
			continue
		}
		os.Remove(filepath.Join(filepath.Dir(target), name))
	}
}

// syncDir makes the rename durable; some systems cannot sync a directory,
// and the data itself is already synced, so failures are ignored.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
