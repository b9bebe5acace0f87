// Package render writes a hub configuration where it lands: the
// Zero-to-JupyterHub chart's values, a jupyterhub_config.py snippet, a
// service's environment and the Kubernetes Secret that carries hubctl's
// secrets. Renderers never print a secret unless asked to inline them.
package render

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hubctl/hubctl/pkg/cabundle"
	"github.com/hubctl/hubctl/pkg/exitcode"
	"github.com/hubctl/hubctl/pkg/hub"
	"github.com/hubctl/hubctl/pkg/jupyterhub"
	"github.com/hubctl/hubctl/pkg/secret"
)

// Options are shared by the renderers.
type Options struct {
	// Source names the spec file in the rendered header.
	Source string
	// InlineSecrets writes secret values into the output instead of
	// references; the user asks for this by flag.
	InlineSecrets bool
	// Resolver reads secrets and files on the operator's machine.
	Resolver secret.Resolver
	// Warn receives what the user should hear about although rendering
	// went on ("hubctl: warning: " and a newline are the caller's); nil
	// drops it.
	Warn func(msg string)
}

func (o Options) warn(format string, args ...any) {
	if o.Warn != nil {
		o.Warn(fmt.Sprintf(format, args...))
	}
}

// SecretError lists every secret that could not be read, naming the
// references but never a value.
type SecretError struct{ Problems []string }

func (e *SecretError) Error() string {
	if len(e.Problems) == 1 {
		return e.Problems[0]
	}
	return "secrets could not be read:\n  " + strings.Join(e.Problems, "\n  ")
}

// ShortTokenError is a token that JupyterHub would refuse.
type ShortTokenError struct {
	SpecPath string
	Ref      secret.Ref
	Length   int
}

func (e *ShortTokenError) Error() string {
	return fmt.Sprintf("%s (%s) has %d characters; JupyterHub refuses tokens under %d", e.SpecPath, e.Ref, e.Length, jupyterhub.MinTokenLength)
}

// resolveAll reads the value of each secret; k8sSecret references are
// skipped unless skipCluster is false, where they are an error because
// their value cannot be inlined.
func resolveAll(res secret.Resolver, secrets []hub.Secret, skipCluster bool) (map[string]string, error) {
	values := map[string]string{}
	var problems []string
	var short error
	for _, s := range secrets {
		if s.Ref.Kind == secret.K8s && skipCluster {
			continue
		}
		v, err := res.Resolve(s.Ref)
		if errors.Is(err, secret.ErrInCluster) {
			problems = append(problems, fmt.Sprintf("%s: %s cannot be inlined: %v", s.SpecPath, s.Ref, err))
			continue
		}
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", s.SpecPath, err))
			continue
		}
		if strings.HasSuffix(s.SpecPath, ".apiToken") && len(v) < jupyterhub.MinTokenLength && short == nil {
			short = &ShortTokenError{SpecPath: s.SpecPath, Ref: s.Ref, Length: len(v)}
		}
		values[s.SpecPath] = v
	}
	if len(problems) > 0 {
		return nil, &SecretError{Problems: problems}
	}
	if short != nil {
		return nil, exitcode.InvalidInput(short)
	}
	return values, nil
}

// readCAFile reads the login's CA bundle on the operator's machine and
// returns only its certificates, warning about any other block (a private
// key kept in the same file), which is left out.
func readCAFile(opts Options, path string) (string, error) {
	full := opts.Resolver.Path(secret.Ref{Kind: secret.File, File: path})
	b, err := cabundle.Read(full)
	if errors.Is(err, cabundle.ErrNoCertificate) {
		return "", fmt.Errorf("login.caFile: %s %w", full, err)
	}
	if err != nil {
		return "", fmt.Errorf("login.caFile: reading %s: %w", full, err)
	}
	if len(b.Dropped) > 0 {
		verb := "was"
		if len(b.Dropped) > 1 {
			verb = "were"
		}
		opts.warn("login.caFile: %s holds %s, which %s left out", full, b.DroppedInWords(), verb)
	}
	return string(b.PEM), nil
}
