package atomicfile

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Rewrite replaces the file at path, which holds old, with data, as
// Write does with perm (mode kept, symbolic link followed). With backup, old is
// first saved beside it as path.bak, or path.bak.N when a different .bak
// is there already, so no earlier backup is lost; the backup's name is
// returned.
func Rewrite(path string, old, data []byte, backup bool, perm os.FileMode) (string, error) {
	name := ""
	if backup {
		target := path
		if t, err := filepath.EvalSymlinks(path); err == nil {
			target = t
		}
		info, err := os.Stat(target)
		if err != nil {
			return "", err
		}
		if name, err = backupName(target, old); err != nil {
			return "", err
		}
		if err := Write(name, old, info.Mode().Perm()); err != nil {
			return "", err
		}
	}
	return name, Write(path, data, perm)
}

func backupName(path string, old []byte) (string, error) {
	for i := 0; i < 1000; i++ {
		name := path + ".bak"
		if i > 0 {
			name = fmt.Sprintf("%s.bak.%d", path, i)
		}
		have, err := os.ReadFile(name)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return name, nil
		case err != nil:
			return "", err
		case bytes.Equal(have, old):
			return name, nil // the same backup, from an earlier run
		}
	}
	return "", fmt.Errorf("%s: a thousand backups exist already; clean them up", path)
}
