// Package state keeps what hubctl learns when it registers clients, in
// .hubctl/ beside the spec: each client's registration (where, its id, the
// RFC 7592 management URI and token) and the secrets whose spec reference
// points somewhere hubctl cannot write (an environment variable, a
// Kubernetes Secret). The directory is private (0700), ignored by git, and
// its file is never printed.
package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gofrs/flock"

	"github.com/hubctl/hubctl/pkg/atomicfile"
	"github.com/hubctl/hubctl/pkg/inputfile"
	"github.com/hubctl/hubctl/pkg/secret"
)

// Version is the state file format this hubctl writes and reads.
const Version = 1

// DirName is the state's directory beside the spec.
const DirName = ".hubctl"

const (
	stateFile = "state.json"
	lockFile  = "lock"
	// gitignore ignores everything in the directory, itself included, so
	// that no secret is ever committed and the directory leaves no trace in
	// git status.
	gitignoreFile    = ".gitignore"
	gitignoreContent = "*\n"
	// maxStateSize caps the read: a state holds a few clients, and a
	// state.json that is something else must not fill memory.
	maxStateSize = 4 << 20
	lockRetry    = 50 * time.Millisecond
)

// Store is the state of one spec.
type Store struct {
	dir string
	// writeFile replaces a file atomically; tests make it fail.
	writeFile func(path string, data []byte, perm os.FileMode) error
}

// Open returns the store of the spec at specPath. It touches no file.
func Open(specPath string) *Store {
	return &Store{dir: filepath.Join(filepath.Dir(specPath), DirName), writeFile: atomicfile.Write}
}

// Dir is the state's directory, .hubctl beside the spec.
func (s *Store) Dir() string { return s.dir }

// Path is the state file.
func (s *Store) Path() string { return filepath.Join(s.dir, stateFile) }

// Lock takes the state's exclusive lock, waiting until ctx is done, so that
// two hubctl processes never interleave a load and a save. The lock is the
// operating system's and dies with the process: a killed hubctl leaves a
// file behind, never a held lock.
func (s *Store) Lock(ctx context.Context) (unlock func() error, err error) {
	if err := s.ensureDir(); err != nil {
		return nil, err
	}
	path := filepath.Join(s.dir, lockFile)
	fl := flock.New(path, flock.SetPermissions(0o600))
	ok, err := fl.TryLockContext(ctx, lockRetry)
	if err == nil && ok {
		return fl.Unlock, nil
	}
	fl.Close()
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return nil, fmt.Errorf("another hubctl holds the lock %s: wait for it to finish, then run the command again", path)
	case errors.Is(err, context.Canceled):
		return nil, fmt.Errorf("waiting for the lock %s: %w", path, err)
	case err != nil:
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	return nil, fmt.Errorf("locking %s: the lock was not taken", path)
}

// Load reads the state. A spec that never had one has an empty state. A
// file that cannot be parsed is an error naming it, and stays as it is.
func (s *Store) Load() (*State, error) {
	st, err := s.read()
	if errors.Is(err, fs.ErrNotExist) {
		return &State{Version: Version}, nil
	}
	return st, err
}

func (s *Store) read() (*State, error) {
	path := s.Path()
	data, err := inputfile.Read(path, maxStateSize, "hubctl's state")
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("reading hubctl's state %s: %w", path, err)
	}
	var st State
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("hubctl's state %s is not valid JSON (%s): repair it or move it away; hubctl does not overwrite it", path, syntaxOnly(err))
	}
	if st.Version > Version {
		return nil, fmt.Errorf("hubctl's state %s has version %d, written by a newer hubctl (this one reads version %d): upgrade hubctl", path, st.Version, Version)
	}
	if st.Version < 1 {
		return nil, fmt.Errorf("hubctl's state %s has no version: repair it or move it away; hubctl does not overwrite it", path)
	}
	return &st, nil
}

// syntaxOnly keeps a JSON error's position and drops any quoted input,
// which could be a piece of a secret.
func syntaxOnly(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %s has the wrong type", te.Field)
	}
	if strings.Contains(err.Error(), "unexpected end of JSON input") {
		return "it ends too early"
	}
	return "it does not decode"
}

// Save writes the state atomically, private to the user: a failed write
// leaves the previous state whole. A state file that cannot be parsed is
// not replaced, so a Save after a failed Load loses nothing.
func (s *Store) Save(st *State) error {
	if err := s.ensureDir(); err != nil {
		return err
	}
	if _, err := s.read(); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	out := State{Version: Version, Clients: slices.Clone(st.Clients), Secrets: slices.Clone(st.Secrets), InFlight: slices.Clone(st.InFlight)}
	slices.SortFunc(out.Clients, func(a, b ClientState) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(out.Secrets, func(a, b SecretState) int { return strings.Compare(a.Ref, b.Ref) })
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding hubctl's state: %w", err)
	}
	if err := s.writeFile(s.Path(), append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("saving hubctl's state (the previous one is unchanged): %w", err)
	}
	st.Version = Version
	return nil
}

// ensureDir makes the private directory and its .gitignore, which must be
// there before anything secret is.
func (s *Store) ensureDir() error {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return fmt.Errorf("creating hubctl's state directory: %w", err)
	}
	ignore := filepath.Join(s.dir, gitignoreFile)
	if _, err := os.Lstat(ignore); errors.Is(err, fs.ErrNotExist) {
		if err := s.writeFile(ignore, []byte(gitignoreContent), 0o644); err != nil {
			return fmt.Errorf("creating %s: %w", ignore, err)
		}
	}
	return nil
}

// State is what the state file holds.
type State struct {
	Version int           `json:"version"`
	Clients []ClientState `json:"clients,omitempty"`
	Secrets []SecretState `json:"secrets,omitempty"`
	// InFlight records a registration or rotation that was sent to a
	// registry and not stored yet; one left behind is a run that was
	// killed in between, and the next run says so.
	InFlight []InFlightState `json:"inFlight,omitempty"`
}

// InFlightState is one change sent to a registry whose result is not
// stored yet.
type InFlightState struct {
	Name string `json:"name"`
	// Action is "create" or "rotate".
	Action  string `json:"action"`
	Backend string `json:"backend"`
	// DisplayName is the client_name the registration carried, by which
	// an orphan client can be found in the provider's console.
	DisplayName string    `json:"displayName,omitempty"`
	StartedAt   time.Time `json:"startedAt"`
}

// ClientState is one registered client.
type ClientState struct {
	// Name is "login" or a service name.
	Name    string `json:"name"`
	Backend string `json:"backend"`
	// ClientID is the id the registry gave.
	ClientID string `json:"clientId"`
	// RegistrationURI and RegistrationToken are RFC 7592's client
	// configuration endpoint and registration access token (a secret).
	RegistrationURI   string    `json:"registrationUri,omitempty"`
	RegistrationToken string    `json:"registrationToken,omitempty"`
	UpdatedAt         time.Time `json:"updatedAt"`
}

// SecretState is a secret stored for the spec reference it satisfies.
type SecretState struct {
	// Ref is the reference's key, from RefKey.
	Ref   string `json:"ref"`
	Value string `json:"value"`
}

// String describes the state without any secret, so that a %v in a
// message or a log shows nothing it must not.
func (st State) String() string {
	names := make([]string, 0, len(st.Clients))
	for _, c := range st.Clients {
		names = append(names, c.Name)
	}
	refs := make([]string, 0, len(st.Secrets))
	for _, sec := range st.Secrets {
		refs = append(refs, sec.Ref)
	}
	return fmt.Sprintf("state version %d: clients [%s], secrets for [%s]", st.Version, strings.Join(names, " "), strings.Join(refs, " "))
}

// GoString is String, for %#v.
func (st State) GoString() string { return st.String() }

// String names the client without its registration token.
func (c ClientState) String() string {
	return fmt.Sprintf("%s: client %s at %s", c.Name, c.ClientID, c.Backend)
}

// GoString is String, for %#v.
func (c ClientState) GoString() string { return c.String() }

// String names the reference without its value.
func (s SecretState) String() string { return "the stored value for " + s.Ref }

// GoString is String, for %#v.
func (s SecretState) GoString() string { return s.String() }

// Client returns the client called name.
func (st *State) Client(name string) (ClientState, bool) {
	i := slices.IndexFunc(st.Clients, func(c ClientState) bool { return c.Name == name })
	if i < 0 {
		return ClientState{}, false
	}
	return st.Clients[i], true
}

// SetClient adds c or replaces the client of the same name.
func (st *State) SetClient(c ClientState) {
	i := slices.IndexFunc(st.Clients, func(old ClientState) bool { return old.Name == c.Name })
	if i < 0 {
		st.Clients = append(st.Clients, c)
		return
	}
	st.Clients[i] = c
}

// InFlightFor returns the unfinished change recorded for the client name.
func (st *State) InFlightFor(name string) (InFlightState, bool) {
	i := slices.IndexFunc(st.InFlight, func(f InFlightState) bool { return f.Name == name })
	if i < 0 {
		return InFlightState{}, false
	}
	return st.InFlight[i], true
}

// SetInFlight records f, replacing what was recorded for its client.
func (st *State) SetInFlight(f InFlightState) {
	st.ClearInFlight(f.Name)
	st.InFlight = append(st.InFlight, f)
}

// ClearInFlight forgets the unfinished change of the client name.
func (st *State) ClearInFlight(name string) {
	st.InFlight = slices.DeleteFunc(st.InFlight, func(f InFlightState) bool { return f.Name == name })
}

// DeleteClient forgets the client called name.
func (st *State) DeleteClient(name string) {
	st.Clients = slices.DeleteFunc(st.Clients, func(c ClientState) bool { return c.Name == name })
}

// Secret returns the value stored for the reference key refKey.
func (st *State) Secret(refKey string) (string, bool) {
	if refKey == "" {
		return "", false
	}
	i := slices.IndexFunc(st.Secrets, func(s SecretState) bool { return s.Ref == refKey })
	if i < 0 {
		return "", false
	}
	return st.Secrets[i].Value, true
}

// SetSecret stores value for refKey. An empty key, the key of a reference
// that is never stored (a file, a literal), stores nothing.
func (st *State) SetSecret(refKey, value string) {
	if refKey == "" {
		return
	}
	i := slices.IndexFunc(st.Secrets, func(s SecretState) bool { return s.Ref == refKey })
	if i < 0 {
		st.Secrets = append(st.Secrets, SecretState{Ref: refKey, Value: value})
		return
	}
	st.Secrets[i].Value = value
}

// DeleteSecret forgets the value stored for refKey.
func (st *State) DeleteSecret(refKey string) {
	st.Secrets = slices.DeleteFunc(st.Secrets, func(s SecretState) bool { return s.Ref == refKey })
}

// Lookup returns the value stored for a reference: secret.Resolver's
// Stored.
func (st *State) Lookup(r secret.Ref) (string, bool) { return st.Secret(RefKey(r)) }

// RefKey is the key a secret is stored under: the reference it satisfies,
// "env:NAME" or "k8sSecret:NAME/KEY". Other references are never stored (a
// file reference is written to its file, a literal is in the spec) and have
// the empty key.
func RefKey(r secret.Ref) string {
	switch r.Kind {
	case secret.Env:
		return "env:" + r.Env
	case secret.K8s:
		return "k8sSecret:" + r.K8s.Name + "/" + r.K8s.Key
	}
	return ""
}
