package secret

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestResolve(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "token.txt"), []byte("file-token\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "empty.txt"), []byte("\n"), 0o600)
	res := Resolver{BaseDir: dir, LookupEnv: func(name string) (string, bool) {
		switch name {
		case "SET":
			return "env-token", true
		case "EMPTY":
			return "", true
		}
		return "", false
	}}
	tests := []struct {
		ref     Ref
		want    string
		wantErr string
	}{
		{Ref{Kind: Env, Env: "SET"}, "env-token", ""},
		{Ref{Kind: Env, Env: "UNSET"}, "", "environment variable UNSET is not set"},
		{Ref{Kind: Env, Env: "EMPTY"}, "", "environment variable EMPTY is empty"},
		{Ref{Kind: File, File: "token.txt"}, "file-token", ""},
		{Ref{Kind: File, File: filepath.Join(dir, "token.txt")}, "file-token", ""},
		{Ref{Kind: File, File: "empty.txt"}, "", "is empty"},
		{Ref{Kind: File, File: "missing.txt"}, "", "no such file"},
		{Ref{Kind: Literal, Literal: "lit"}, "lit", ""},
		{Ref{}, "", "no secret is set"},
	}
	for _, tt := range tests {
		got, err := res.Resolve(tt.ref)
		if got != tt.want || (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("Resolve(%v) = %q, %v; want %q, %q", tt.ref, got, err, tt.want, tt.wantErr)
		}
	}
	if _, err := res.Resolve(Ref{Kind: K8s, K8s: K8sRef{"n", "k"}}); !errors.Is(err, ErrInCluster) {
		t.Errorf("k8s ref: %v", err)
	}
}

func TestStringNeverShowsTheValue(t *testing.T) {
	if s := (Ref{Kind: Literal, Literal: "hunter2"}).String(); strings.Contains(s, "hunter2") {
		t.Errorf("String() = %q", s)
	}
}

// A secret must be one line of printable characters; the refusal names the
// reference and what is wrong, never the value.
func TestResolveRefusesWhatIsNotOneLine(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"trailing.txt":  "tok-secret-value\r\n",
		"two-lines.txt": "tok-secret-value\nsecond\n",
		"latin1.txt":    "tok-secret-value\xe9",
	}
	for name, content := range files {
		os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600)
	}
	env := map[string]string{
		"NEWLINE": "tok-secret-value\n",
		"TAB":     "tok-secret\tvalue",
		"ESCAPE":  "tok-secret\x1bvalue",
		"ZWSP":    "tok-secret\u200bvalue",
		"SPACED":  "tok secret value",
	}
	res := Resolver{BaseDir: dir, LookupEnv: func(name string) (string, bool) { v, ok := env[name]; return v, ok }}
	tests := []struct {
		ref     Ref
		wantErr string
	}{
		{Ref{Kind: File, File: "trailing.txt"}, ""},
		{Ref{Kind: Env, Env: "SPACED"}, ""},
		{Ref{Kind: Env, Env: "NEWLINE"}, "$NEWLINE holds a newline: a secret is one line of printable characters"},
		{Ref{Kind: Env, Env: "TAB"}, "$TAB holds a tab: "},
		{Ref{Kind: Env, Env: "ESCAPE"}, "$ESCAPE holds a control character (U+001B): "},
		{Ref{Kind: Env, Env: "ZWSP"}, "$ZWSP holds a non-printing character (U+200B): "},
		{Ref{Kind: File, File: "two-lines.txt"}, "secret file " + filepath.Join(dir, "two-lines.txt") + " holds a newline: "},
		{Ref{Kind: File, File: "latin1.txt"}, "latin1.txt holds bytes that are not UTF-8: "},
		{Ref{Kind: Literal, Literal: "tok-secret-value\r"}, "the literal value holds a carriage return: "},
	}
	for _, tt := range tests {
		_, err := res.Resolve(tt.ref)
		if (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("Resolve(%v) = %v; want %q", tt.ref, err, tt.wantErr)
		}
		if err != nil && strings.Contains(err.Error(), "tok") {
			t.Errorf("Resolve(%v): the error shows the value: %v", tt.ref, err)
		}
	}
}

// A secret file is a regular file or a pipe, and small.
func TestResolveCapsSecretFiles(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "big.txt"), make([]byte, MaxFileSize+1), 0o600)
	res := Resolver{BaseDir: dir}
	for file, want := range map[string]string{
		"/dev/zero": "reading secret file /dev/zero: is a character device, not a regular file or a pipe",
		".":         "reading secret file " + dir + ": is a directory, not a file",
		"big.txt":   "reading secret file " + filepath.Join(dir, "big.txt") + ": is larger than 1 MiB, hubctl's limit for a secret file",
	} {
		if _, err := res.Resolve(Ref{Kind: File, File: file}); err == nil || err.Error() != want {
			t.Errorf("Resolve(file %s) = %v; want %q", file, err, want)
		}
	}
}

// A value hubctl stored when it registered a client stands in for an env
// reference whose variable is unset or empty; a set variable wins, and a
// k8sSecret reference still belongs in the cluster.
func TestResolveStored(t *testing.T) {
	k8s := Ref{Kind: K8s, K8s: K8sRef{"hub", "client-secret"}}
	stored := map[Ref]string{
		{Kind: Env, Env: "UNSET"}: "stored-unset",
		{Kind: Env, Env: "EMPTY"}: "stored-empty",
		{Kind: Env, Env: "SET"}:   "stored-set",
		{Kind: Env, Env: "BLANK"}: "",
		k8s:                       "stored-k8s",
	}
	res := Resolver{
		LookupEnv: func(name string) (string, bool) {
			switch name {
			case "SET":
				return "from-env", true
			case "EMPTY":
				return "", true
			}
			return "", false
		},
		Stored: func(r Ref) (string, bool) { v, ok := stored[r]; return v, ok },
	}
	for _, tc := range []struct {
		ref     Ref
		want    string
		wantErr string
	}{
		{Ref{Kind: Env, Env: "UNSET"}, "stored-unset", ""},
		{Ref{Kind: Env, Env: "EMPTY"}, "stored-empty", ""},
		{Ref{Kind: Env, Env: "SET"}, "from-env", ""},
		{Ref{Kind: Env, Env: "BLANK"}, "", "environment variable BLANK is not set"},
		{Ref{Kind: Env, Env: "NONE"}, "", "environment variable NONE is not set"},
	} {
		got, err := res.Resolve(tc.ref)
		if got != tc.want || (err == nil) != (tc.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("Resolve(%v) = %q, %v; want %q, %q", tc.ref, got, err, tc.want, tc.wantErr)
		}
	}
	if _, err := res.Resolve(k8s); !errors.Is(err, ErrInCluster) {
		t.Errorf("Resolve(k8s) = %v, want ErrInCluster even with a stored value", err)
	}
	if v, ok := res.StoredValue(k8s); !ok || v != "stored-k8s" {
		t.Errorf("StoredValue(k8s) = %q, %v", v, ok)
	}
	if _, ok := res.StoredValue(Ref{Kind: Env, Env: "BLANK"}); ok {
		t.Error("StoredValue of an empty stored value is ok")
	}
	if _, ok := (Resolver{}).StoredValue(k8s); ok {
		t.Error("StoredValue without a store is ok")
	}
}
