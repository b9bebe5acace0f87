package inputfile

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	os.WriteFile(small, []byte("0123456789"), 0o600)
	tests := []struct {
		name    string
		path    string
		limit   int64
		want    string
		wantErr string
	}{
		{"regular file", small, 10, "0123456789", ""},
		{"regular file over the limit", small, 9, "", "is larger than 9 bytes, hubctl's limit for a test file"},
		{"directory", dir, 10, "", "is a directory, not a file"},
		{"character device", "/dev/zero", 1 << 20, "", "is a character device, not a regular file or a pipe"},
		{"missing", filepath.Join(dir, "missing"), 10, "", "no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Read(tt.path, tt.limit, "a test file")
			if string(got) != tt.want || (err == nil) != (tt.wantErr == "") || (err != nil && err.Error() != tt.wantErr) {
				t.Errorf("Read(%s) = %q, %v; want %q, %q", tt.path, got, err, tt.want, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), tt.path) {
				t.Errorf("the error repeats the path: %v", err)
			}
		})
	}
	if _, err := Read(filepath.Join(dir, "missing"), 10, "a test file"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file's error is not fs.ErrNotExist: %v", err)
	}
}

// A pipe has no size to check up front: the cap applies while reading.
func TestReadPipe(t *testing.T) {
	for _, tt := range []struct {
		name    string
		written int
		wantErr string
	}{
		{"within the limit", 1000, ""},
		{"over the limit", 1 << 20, "is larger than 1 KiB, hubctl's limit for a test file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fifo := filepath.Join(t.TempDir(), "fifo")
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Skipf("mkfifo: %v", err)
			}
			content := bytes.Repeat([]byte("x"), tt.written)
			go func() {
				w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
				if err != nil {
					return
				}
				defer w.Close()
				w.Write(content) // fails with EPIPE once the reader stops at the cap
			}()
			got, err := Read(fifo, 1<<10, "a test file")
			if (err == nil) != (tt.wantErr == "") || (err != nil && err.Error() != tt.wantErr) {
				t.Fatalf("Read = %d bytes, %v; want error %q", len(got), err, tt.wantErr)
			}
			if err == nil && !bytes.Equal(got, content) {
				t.Errorf("Read = %d bytes, want %d", len(got), len(content))
			}
		})
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{1 << 20: "1 MiB", 4 << 20: "4 MiB", 1 << 10: "1 KiB", 1000: "1000 bytes"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}
