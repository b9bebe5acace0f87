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
