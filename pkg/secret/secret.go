// Package secret holds hubctl's secret references ({env: NAME},
// {file: PATH}, {k8sSecret: {name, key}} or, discouraged, a literal) and is
// the one place that turns a reference into its value. Errors name the
// reference, never the value.
package secret

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Kind says where a secret's value lives.
type Kind int

const (
	None Kind = iota
	Env
	File
	K8s
	Literal
)

// K8sRef names a key of a Kubernetes Secret in the hub's namespace.
type K8sRef struct {
	Name string
	Key  string
}

// Ref is a reference to a secret value. The zero Ref means "not set".
type Ref struct {
	Kind Kind
	// Env is the environment variable, File the path (relative paths are
	// relative to the spec file), K8s the Secret key, Literal the value.
	Env     string
	File    string
	K8s     K8sRef
	Literal string
}

// IsSet reports whether the reference points anywhere.
func (r Ref) IsSet() bool { return r.Kind != None }

// String describes the reference without its value, for messages.
func (r Ref) String() string {
	switch r.Kind {
	case Env:
		return "$" + r.Env
	case File:
		return "file " + r.File
	case K8s:
		return fmt.Sprintf("Kubernetes Secret %s key %s", r.K8s.Name, r.K8s.Key)
	case Literal:
		return "a literal value"
	default:
		return "no value"
	}
}

// ErrInCluster is returned for a k8sSecret reference: its value lives in the
// cluster, out of hubctl's reach, and is wired by reference instead.
var ErrInCluster = errors.New("the value lives in a Kubernetes Secret in the cluster")

// Resolver reads secret values on the operator's machine.
type Resolver struct {
	// BaseDir anchors relative file references: the spec file's directory.
	BaseDir string
	// LookupEnv defaults to os.LookupEnv; tests inject their own.
	LookupEnv func(string) (string, bool)
	// ReadFile defaults to os.ReadFile.
	ReadFile func(string) ([]byte, error)
}

// Resolve returns the value a reference points to. A file's trailing
// newline is dropped, as the hub-side reader in rendered configs does too,
// because `echo token > file` is how most token files are made.
func (res Resolver) Resolve(r Ref) (string, error) {
	switch r.Kind {
	case Env:
		lookup := res.LookupEnv
		if lookup == nil {
			lookup = os.LookupEnv
		}
		v, ok := lookup(r.Env)
		if !ok {
			return "", fmt.Errorf("environment variable %s is not set", r.Env)
		}
		if v == "" {
			return "", fmt.Errorf("environment variable %s is empty", r.Env)
		}
		return v, nil
	case File:
		path := res.Path(r)
		data, err := res.ReadFileAt(r.File)
		if err != nil {
			return "", fmt.Errorf("reading secret file %s: %w", path, err)
		}
		v := strings.TrimRight(string(data), "\r\n")
		if v == "" {
			return "", fmt.Errorf("secret file %s is empty", path)
		}
		return v, nil
	case K8s:
		return "", ErrInCluster
	case Literal:
		return r.Literal, nil
	default:
		return "", errors.New("no secret is set")
	}
}

// ReadFileAt reads a file named relative to the spec, reporting errors
// without repeating the path (callers name it).
func (res Resolver) ReadFileAt(file string) ([]byte, error) {
	read := res.ReadFile
	if read == nil {
		read = os.ReadFile
	}
	data, err := read(res.Path(Ref{Kind: File, File: file}))
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return data, err
}

// Path is where a file reference is read from on the operator's machine.
func (res Resolver) Path(r Ref) string {
	if filepath.IsAbs(r.File) || res.BaseDir == "" {
		return r.File
	}
	return filepath.Join(res.BaseDir, r.File)
}
