package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/hubctl/hubctl/pkg/atomicfile"
	"github.com/hubctl/hubctl/pkg/secret"
	"github.com/hubctl/hubctl/pkg/specedit"
	"github.com/hubctl/hubctl/pkg/state"
)

// Target is one client of the spec and where it is registered and stored.
type Target struct {
	Client  Client
	Backend Backend
	// Secret is the spec's reference for the client's secret (the login's
	// client secret, a service's token), and SecretPath its spec key.
	Secret     secret.Ref
	SecretPath string
	// IDKeys are the spec keys the client id is written to (login,
	// clientId); nil when the spec derives the id (services).
	IDKeys []string
	// SpecID is the client id the spec holds now.
	SpecID string
}

// Env is where the flows read and store.
type Env struct {
	// SpecPath is the spec file, edited in place for the client id.
	SpecPath string
	Store    *state.Store
	Resolver secret.Resolver
	// Out receives what the user should read (what was done, what to do
	// next); never a secret unless RevealSecret.
	Out          io.Writer
	RevealSecret bool
	// DryRun records nothing in the state: the registry is not changed.
	DryRun bool
	// LockWait bounds the wait for another hubctl's lock on the state.
	LockWait time.Duration
	Now      func() time.Time
}

// ExistsError is a create of a client that is registered already.
type ExistsError struct {
	Name, ClientID, Backend string
	Differs                 []string
	// Unverified says why the registry could not be asked; the client id
	// the spec or state holds is taken as registered.
	Unverified string
}

func (e *ExistsError) Error() string {
	msg := fmt.Sprintf("%s is registered already at %s as client %s", e.Name, e.Backend, e.ClientID)
	if e.Unverified != "" {
		return msg + " (as far as the spec and hubctl's state say; " + e.Unverified + ")"
	}
	if len(e.Differs) > 0 {
		msg += " and differs from the spec (" + strings.Join(e.Differs, "; ") + "): pass --update to bring it in line"
	} else {
		msg += ", as the spec says: nothing to do"
	}
	return msg
}

// StoreError is a registration that succeeded and could not be stored: the
// client exists at the registry, and the message says how to go on.
type StoreError struct {
	Name, ClientID, Backend string
	Err                     error
}

func (e *StoreError) Error() string {
	return fmt.Sprintf("%s was registered at %s as client %s, but storing it failed: %v; "+
		"fix the cause and run hubctl app rotate %s (which issues a new secret and stores it), or remove the client with hubctl app delete %s",
		e.Name, e.Backend, e.ClientID, e.Err, e.Name, e.Name)
}

func (e *StoreError) Unwrap() error { return e.Err }

// Result is what a flow did.
type Result struct {
	Name         string       `json:"name"`
	Backend      string       `json:"backend"`
	Action       string       `json:"action"`
	Registration Registration `json:"registration"`
	// Secret is shown only with RevealSecret.
	Secret string `json:"client_secret,omitempty"`
	Notes  []string
}

// Create registers t's client, or with update brings an existing
// registration in line with the spec; a registered client without update
// is an *ExistsError.
func Create(ctx context.Context, env Env, t Target, update bool) (Result, error) {
	if t.Secret.Kind == secret.Literal {
		return Result{}, fmt.Errorf("%s is a literal in the spec, where hubctl cannot store a new secret: use {file: PATH} or {env: NAME}", t.SecretPath)
	}
	if !t.Secret.IsSet() {
		return Result{}, fmt.Errorf("%s is not set: say where the secret goes, for example {file: secrets/%s} or {env: NAME}", t.SecretPath, t.Client.Name)
	}
	var res Result
	err := withState(ctx, env, func(st *state.State) error {
		prev := stored(st, t)
		if prev.ClientID != "" || t.SpecID != "" {
			c := t.Client
			if c.ClientID == "" {
				c.ClientID = prev.ClientID
			}
			reg, ok, err := t.Backend.Get(ctx, c, prev)
			if errors.Is(err, ErrNotSupported) && !update {
				// A registry hubctl cannot read (NBGallery's console): a
				// known client id is taken as registered, not made twice.
				return &ExistsError{Name: c.Name, ClientID: c.ClientID, Backend: t.Backend.Name(), Unverified: err.Error()}
			}
			if err != nil && !errors.Is(err, ErrNotSupported) {
				return err
			}
			if ok {
				if !update {
					return &ExistsError{Name: c.Name, ClientID: reg.ClientID, Backend: t.Backend.Name(), Differs: Differences(c, reg)}
				}
				reg, err = t.Backend.Update(ctx, c, prev)
				if err != nil {
					return err
				}
				res = Result{Name: c.Name, Backend: t.Backend.Name(), Action: "updated", Registration: reg}
				return env.store(st, t, reg, prev)
			}
		}
		if err := env.beginInFlight(st, t, "create"); err != nil {
			return err
		}
		reg, err := t.Backend.Create(ctx, t.Client)
		if err != nil {
			return env.endInFlight(st, t, err)
		}
		res = Result{Name: t.Client.Name, Backend: t.Backend.Name(), Action: "created", Registration: reg}
		if reg.Pending {
			res.Action = "generated"
		}
		if err := env.store(st, t, reg, Stored{}); err != nil {
			return &StoreError{Name: t.Client.Name, ClientID: reg.ClientID, Backend: t.Backend.Name(), Err: err}
		}
		if env.RevealSecret {
			res.Secret = reg.ClientSecret
		}
		return nil
	})
	return res, err
}

// Rotate issues a new secret for t's client and stores it.
func Rotate(ctx context.Context, env Env, t Target) (Result, error) {
	var res Result
	err := withState(ctx, env, func(st *state.State) error {
		c, prev, err := registered(st, t, "run hubctl app create "+t.Client.Name+" first")
		if err != nil {
			return err
		}
		if err := env.beginInFlight(st, t, "rotate"); err != nil {
			return err
		}
		reg, err := t.Backend.Rotate(ctx, c, prev)
		if errors.Is(err, ErrNotSupported) && reg.RegistrationToken != "" {
			// The registry took the update and kept the old secret, but
			// issued a new registration access token (Hydra does on every
			// PUT): without it the next rotate or delete gets a 401.
			reg.ClientSecret = ""
			if serr := env.store(st, t, reg, prev); serr != nil {
				return &StoreError{Name: c.Name, ClientID: reg.ClientID, Backend: t.Backend.Name(), Err: serr}
			}
			return err
		}
		if err != nil {
			return env.endInFlight(st, t, err)
		}
		res = Result{Name: c.Name, Backend: t.Backend.Name(), Action: "rotated", Registration: reg}
		if err := env.store(st, t, reg, prev); err != nil {
			return &StoreError{Name: c.Name, ClientID: reg.ClientID, Backend: t.Backend.Name(), Err: err}
		}
		if env.RevealSecret {
			res.Secret = reg.ClientSecret
		}
		return nil
	})
	return res, err
}

// Delete removes t's registration and what the state keeps of it. The
// spec's client id stays, for the record; validate and doctor then tell
// that the client is gone.
func Delete(ctx context.Context, env Env, t Target) (Result, error) {
	var res Result
	err := withState(ctx, env, func(st *state.State) error {
		c, prev, err := registered(st, t, "nothing to delete")
		if err != nil {
			return err
		}
		if err := t.Backend.Delete(ctx, c, prev); err != nil {
			return err
		}
		st.DeleteClient(c.Name)
		if t.Secret.Kind == secret.Env || t.Secret.Kind == secret.K8s {
			st.DeleteSecret(state.RefKey(t.Secret))
		}
		res = Result{Name: c.Name, Backend: t.Backend.Name(), Action: "deleted", Registration: Registration{ClientID: c.ClientID}}
		return env.Store.Save(st)
	})
	return res, err
}

// Status is one client as app list shows it.
type Status struct {
	Name       string   `json:"name"`
	Backend    string   `json:"backend"`
	ClientID   string   `json:"client_id,omitempty"`
	Registered bool     `json:"registered"`
	Pending    bool     `json:"pending,omitempty"`
	Matches    bool     `json:"matches"`
	Differs    []string `json:"differs,omitempty"`
	Error      string   `json:"error,omitempty"`
	// Interrupted says what an unfinished earlier change may have left
	// at the registry.
	Interrupted string `json:"interrupted,omitempty"`
}

// List reads each target's registration and compares it with the spec.
func List(ctx context.Context, env Env, targets []Target) ([]Status, error) {
	st, err := env.Store.Load()
	if err != nil {
		return nil, err
	}
	out := make([]Status, 0, len(targets))
	for _, t := range targets {
		prev := stored(st, t)
		s := Status{Name: t.Client.Name, Backend: t.Backend.Name(), ClientID: firstNonEmpty(prev.ClientID, t.SpecID)}
		if f, ok := st.InFlightFor(t.Client.Name); ok {
			s.Interrupted = InterruptedMessage(f)
		}
		if s.ClientID == "" {
			out = append(out, s)
			continue
		}
		c := t.Client
		c.ClientID = s.ClientID
		reg, ok, err := t.Backend.Get(ctx, c, prev)
		switch {
		case err != nil:
			s.Error = err.Error()
		case ok:
			s.Registered, s.Pending = true, reg.Pending
			s.Differs = Differences(t.Client, reg)
			s.Matches = len(s.Differs) == 0
		}
		out = append(out, s)
	}
	return out, nil
}

// Differences says how a registration differs from what the client wants,
// a phrase each; the registry's empty fields are not compared (not every
// registry shows every field).
func Differences(want Client, got Registration) []string {
	var out []string
	if got.RedirectURIs != nil && !sameSet(want.RedirectURIs, got.RedirectURIs) {
		out = append(out, fmt.Sprintf("redirect URIs %s, the spec's %s", strings.Join(got.RedirectURIs, " "), strings.Join(want.RedirectURIs, " ")))
	}
	if got.Scopes != nil && len(want.Scopes) > 0 && !sameSet(want.Scopes, got.Scopes) {
		out = append(out, fmt.Sprintf("scopes %s, the spec's %s", strings.Join(got.Scopes, " "), strings.Join(want.Scopes, " ")))
	}
	if got.AuthMethod != "" && want.AuthMethod != "" && got.AuthMethod != want.AuthMethod {
		out = append(out, fmt.Sprintf("auth method %s, the hub's %s", got.AuthMethod, want.AuthMethod))
	}
	return out
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// stored is what the state remembers of t's client.
func stored(st *state.State, t Target) Stored {
	c, ok := st.Client(t.Client.Name)
	if !ok {
		return Stored{}
	}
	return Stored{Backend: c.Backend, ClientID: c.ClientID, RegistrationURI: c.RegistrationURI, RegistrationToken: c.RegistrationToken}
}

// registered is t's client with the id the state or the spec knows, and
// what the state keeps of it; a client known to neither is an error that
// ends with next.
func registered(st *state.State, t Target, next string) (Client, Stored, error) {
	prev := stored(st, t)
	if prev.ClientID == "" {
		prev.ClientID = t.SpecID
	}
	if prev.ClientID == "" {
		return Client{}, prev, fmt.Errorf("%s is not registered: %s", t.Client.Name, next)
	}
	c := t.Client
	c.ClientID = prev.ClientID
	return c, prev, nil
}

// withState runs f holding the state's lock, with the state loaded.
func withState(ctx context.Context, env Env, f func(*state.State) error) error {
	wait := env.LockWait
	if wait == 0 {
		wait = 10 * time.Second
	}
	lockCtx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	unlock, err := env.Store.Lock(lockCtx)
	if err != nil {
		return err
	}
	defer unlock()
	st, err := env.Store.Load()
	if err != nil {
		return err
	}
	return f(st)
}

// store puts what came back where the spec says: the secret in its file or
// the state, the client id in the spec, the registration in the state. The
// secret is written first: a client id in the spec without its secret
// would look registered and fail at login.
func (env Env) store(st *state.State, t Target, reg Registration, prev Stored) error {
	if reg.ClientSecret != "" {
		switch t.Secret.Kind {
		case secret.File:
			if err := atomicfile.Write(env.Resolver.Path(t.Secret), []byte(reg.ClientSecret+"\n"), 0o600); err != nil {
				return fmt.Errorf("writing %s (%s): %w", t.SecretPath, env.Resolver.Path(t.Secret), err)
			}
		case secret.Env, secret.K8s:
			st.SetSecret(state.RefKey(t.Secret), reg.ClientSecret)
		}
	}
	cs := state.ClientState{Name: t.Client.Name, Backend: t.Backend.Name(), ClientID: reg.ClientID,
		RegistrationURI:   firstNonEmpty(reg.RegistrationURI, prev.RegistrationURI),
		RegistrationToken: firstNonEmpty(reg.RegistrationToken, prev.RegistrationToken), UpdatedAt: env.now()}
	st.SetClient(cs)
	st.ClearInFlight(t.Client.Name)
	if err := env.Store.Save(st); err != nil {
		return err
	}
	if t.IDKeys != nil && reg.ClientID != "" && reg.ClientID != t.SpecID {
		if err := specedit.SetString(env.SpecPath, t.IDKeys, reg.ClientID); err != nil {
			return fmt.Errorf("writing %s into %s: %w", strings.Join(t.IDKeys, "."), env.SpecPath, err)
		}
	}
	return nil
}

func (env Env) now() time.Time {
	if env.Now != nil {
		return env.Now().UTC()
	}
	return time.Now().UTC()
}

// beginInFlight records, before a change goes to the registry, that it is
// under way, so that a run killed before it stores the result leaves a
// trace the next run reports (the registry may then hold a client, or a
// new secret, hubctl does not know). An earlier run's trace is reported
// here.
func (env Env) beginInFlight(st *state.State, t Target, action string) error {
	if env.DryRun {
		return nil
	}
	if prev, ok := st.InFlightFor(t.Client.Name); ok && env.Out != nil {
		fmt.Fprintf(env.Out, "warning: %s\n", InterruptedMessage(prev))
	}
	st.SetInFlight(state.InFlightState{Name: t.Client.Name, Action: action, Backend: t.Backend.Name(),
		DisplayName: t.Client.DisplayName, StartedAt: env.now()})
	return env.Store.Save(st)
}

// endInFlight forgets the in-flight record of a change the registry
// refused, and returns err. Any other failure (a timeout, a reset
// connection) may have happened after the registry acted, so the record
// stays for the next run to report.
func (env Env) endInFlight(st *state.State, t Target, err error) error {
	var re *RegistryError
	if env.DryRun {
		return err
	}
	if errors.Is(err, ErrDryRun) || errors.Is(err, ErrNotSupported) || (errors.As(err, &re) && re.Status >= 400 && re.Status < 500) {
		st.ClearInFlight(t.Client.Name)
		if serr := env.Store.Save(st); serr != nil {
			return errors.Join(err, serr)
		}
		return err
	}
	if errors.Is(err, context.Canceled) {
		// Ctrl-C while the request was out: say at once what may be left.
		if f, ok := st.InFlightFor(t.Client.Name); ok {
			return fmt.Errorf("%w; %s (the next hubctl app run says so again)", err, strings.Replace(InterruptedMessage(f), "an earlier ", "this ", 1))
		}
	}
	return err
}

// InterruptedMessage says what an unfinished change left behind may be.
func InterruptedMessage(f state.InFlightState) string {
	when := f.StartedAt.Format(time.RFC3339)
	if f.Action == "rotate" {
		return fmt.Sprintf("an earlier hubctl app rotate %s (%s) did not finish storing the new secret: the secret hubctl holds may no longer work at %s; "+
			"hubctl app rotate %s issues and stores a new one", f.Name, when, f.Backend, f.Name)
	}
	return fmt.Sprintf("an earlier hubctl app create %s (%s) did not finish storing what %s registered: the registry may hold a client named %q that hubctl does not know; "+
		"delete it there if it does", f.Name, when, f.Backend, f.DisplayName)
}
