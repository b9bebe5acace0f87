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
	"unicode"
	"unicode/utf8"

	"github.com/hubctl/hubctl/pkg/inputfile"
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

// MaxFileSize caps a secret file: a token or client secret is a line, and
// a reference to /dev/zero must not fill memory.
const MaxFileSize = 1 << 20

// Resolver reads secret values on the operator's machine.
type Resolver struct {
	// BaseDir anchors relative file references: the spec file's directory.
	BaseDir string
	// LookupEnv defaults to os.LookupEnv; tests inject their own.
	LookupEnv func(string) (string, bool)
	// Stored returns the value hubctl stored for a reference when it
	// registered the client (hubctl's local state beside the spec), so that
	// an env reference works after hubctl app create without exporting
	// anything. Nil means nothing is stored.
	Stored func(Ref) (string, bool)
}

// Resolve returns the value a reference points to. A file's trailing
// newline is dropped, as the hub-side reader in rendered configs does too,
// because `echo token > file` is how most token files are made. A value
// that is not one line of printable characters is refused here, for every
// rendering at once: written raw, it would split a dotenv line or fail to
// encode as YAML.
func (res Resolver) Resolve(r Ref) (string, error) {
	v, err := res.value(r)
	if err != nil {
		return "", err
	}
	if problem := unprintable(v); problem != "" {
		return "", fmt.Errorf("%s holds %s: a secret is one line of printable characters", res.describe(r), problem)
	}
	return v, nil
}

func (res Resolver) value(r Ref) (string, error) {
	switch r.Kind {
	case Env:
		lookup := res.LookupEnv
		if lookup == nil {
			lookup = os.LookupEnv
		}
		v, ok := lookup(r.Env)
		if v != "" {
			return v, nil
		}
		// The variable wins when set: it is how an operator overrides what
		// was stored.
		if stored, found := res.StoredValue(r); found {
			return stored, nil
		}
		if !ok {
			return "", fmt.Errorf("environment variable %s is not set", r.Env)
		}
		return "", fmt.Errorf("environment variable %s is empty", r.Env)
	case File:
		path := res.Path(r)
		data, err := inputfile.Read(path, MaxFileSize, "a secret file")
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

// StoredValue returns the value hubctl stored for r, if any, for callers
// that want it explicitly: Resolve keeps refusing a k8sSecret reference,
// whose value belongs in the cluster, but a command that creates that
// Secret reads it here. The value is not checked as Resolve checks one.
func (res Resolver) StoredValue(r Ref) (string, bool) {
	if res.Stored == nil {
		return "", false
	}
	v, ok := res.Stored(r)
	return v, ok && v != ""
}

// describe names a reference in a message about its value.
func (res Resolver) describe(r Ref) string {
	switch r.Kind {
	case File:
		return "secret file " + res.Path(r)
	case Literal:
		return "the literal value"
	}
	return r.String()
}

// unprintable says what in v makes it more or less than one line of
// printable characters, without showing any of it; "" when nothing does.
func unprintable(v string) string {
	if !utf8.ValidString(v) {
		return "bytes that are not UTF-8"
	}
	for _, c := range v {
		switch {
		case c == '\n':
			return "a newline"
		case c == '\r':
			return "a carriage return"
		case c == '\t':
			return "a tab"
		case unicode.IsControl(c):
			return fmt.Sprintf("a control character (U+%04X)", c)
		case !unicode.IsPrint(c):
			return fmt.Sprintf("a non-printing character (U+%04X)", c)
		}
	}
	return ""
}

// Path is where a file reference is read from on the operator's machine.
func (res Resolver) Path(r Ref) string {
	if filepath.IsAbs(r.File) || res.BaseDir == "" {
		return r.File
	}
	return filepath.Join(res.BaseDir, r.File)
}
