// Package inputfile reads the files a spec names (secret files, CA
// bundles): regular files, or pipes such as <(pass show token), and no more
// than a cap, so that a reference to /dev/zero or a directory is an error
// rather than a hang or an out-of-memory crash.
package inputfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Read returns the contents of the file at path, at most limit bytes;
// what names the file in the size error ("a secret file"). Errors do not
// repeat the path: callers name the file as the spec does.
func Read(path string, limit int64, what string) ([]byte, error) {
	// Stat before opening, so that a device is never opened.
	info, err := os.Stat(path)
	if err != nil {
		return nil, unwrapPath(err)
	}
	if err := readable(info, limit, what); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, unwrapPath(err)
	}
	defer f.Close()
	// The file may have been replaced since the Stat.
	if info, err = f.Stat(); err != nil {
		return nil, unwrapPath(err)
	}
	if err := readable(info, limit, what); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, unwrapPath(err)
	}
	if int64(len(data)) > limit {
		return nil, tooLarge(limit, what)
	}
	return data, nil
}

// readable refuses what is neither a regular file nor a pipe, and a regular
// file known to be too large.
func readable(info fs.FileInfo, limit int64, what string) error {
	mode := info.Mode()
	switch {
	case mode.IsRegular():
		if info.Size() > limit {
			return tooLarge(limit, what)
		}
		return nil
	case mode&fs.ModeNamedPipe != 0:
		return nil
	case mode.IsDir():
		return errors.New("is a directory, not a file")
	case mode&fs.ModeCharDevice != 0:
		return errors.New("is a character device, not a regular file or a pipe")
	case mode&fs.ModeDevice != 0:
		return errors.New("is a block device, not a regular file or a pipe")
	case mode&fs.ModeSocket != 0:
		return errors.New("is a socket, not a regular file or a pipe")
	}
	return fmt.Errorf("is not a regular file or a pipe (mode %s)", mode)
}

func tooLarge(limit int64, what string) error {
	return fmt.Errorf("is larger than %s, hubctl's limit for %s", Size(limit), what)
}

// Size writes a byte count the way the limits are stated: 1 MiB, 4 MiB.
func Size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// unwrapPath drops the *fs.PathError wrapper, whose message repeats the path.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
