package provider

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// HTTPClient reads login.caFile through pkg/cabundle: capped, and a
// regular file or a pipe.
func TestHTTPClientCAFileLimits(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.pem")
	ca, err := os.ReadFile(filepath.Join("..", "..", "examples", "gallery-ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(big, append(ca, make([]byte, 4<<20)...), 0o644)
	for path, want := range map[string]string{
		big:         "reading login.caFile " + big + ": is larger than 4 MiB, hubctl's limit for a CA file",
		dir:         "reading login.caFile " + dir + ": is a directory, not a file",
		"/dev/zero": "reading login.caFile /dev/zero: is a character device, not a regular file or a pipe",
	} {
		if _, err := HTTPClient(path, true); err == nil || err.Error() != want {
			t.Errorf("HTTPClient(%s) = %v; want %q", path, err, want)
		}
	}
	if _, err := HTTPClient(filepath.Join("..", "..", "examples", "gallery-ca.pem"), true); err != nil {
		t.Errorf("HTTPClient(the example CA) = %v", err)
	}
	notPEM := filepath.Join(dir, "not.pem")
	os.WriteFile(notPEM, []byte("hello\n"), 0o644)
	if _, err := HTTPClient(notPEM, true); err == nil || !strings.HasSuffix(err.Error(), "holds no PEM certificate") {
		t.Errorf("HTTPClient(a file without a certificate) = %v", err)
	}
}
