// Package load runs the steps every rendering shares: read the spec,
// validate it, find the login's endpoints and build the hub configuration.
package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/hubctl/hubctl/pkg/exitcode"
	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/hub"
	"github.com/hubctl/hubctl/pkg/provider"
	"github.com/hubctl/hubctl/pkg/secret"
	"github.com/hubctl/hubctl/pkg/spec"
	"github.com/hubctl/hubctl/pkg/state"
	"github.com/hubctl/hubctl/pkg/validate"
)

// Result is a loaded spec and what was made of it.
type Result struct {
	Spec     *spec.Spec
	Doc      *spec.Document
	Findings finding.List
	// Config is nil when the spec is invalid.
	Config   *hub.Config
	Resolver secret.Resolver
}

// Options tune loading.
type Options struct {
	// Strict makes warnings fail like errors.
	Strict bool
	// HTTPClient overrides the client used for OIDC discovery (tests).
	HTTPClient *http.Client
	// Stdin is read when the path is "-".
	Stdin io.Reader
	// LookupEnv overrides the environment secrets are read from (tests).
	LookupEnv func(string) (string, bool)
	// SkipEndpoints: the output contains no provider endpoint, so never
	// run OIDC discovery; the endpoints the spec gives are still set.
	SkipEndpoints bool
	// Offline: never touch the network. A spec that needs discovery is
	// then invalid input, naming the keys that would avoid it.
	Offline bool
}

// Spec reads and validates a spec without building anything: the static
// check. A returned error means the file could not be read; an invalid spec
// comes back as a *finding.InvalidInput error together with the result.
func Spec(path string, opts Options) (*Result, error) {
	var s *spec.Spec
	var doc *spec.Document
	var findings finding.List
	if path == "-" {
		if opts.Stdin == nil {
			return nil, errors.New("no standard input to read the spec from")
		}
		data, err := spec.Read(opts.Stdin)
		if err != nil {
			return nil, fmt.Errorf("reading the spec from standard input: %w", err)
		}
		s, doc, findings = spec.Parse("<stdin>", ".", data)
	} else {
		var err error
		if s, doc, findings, err = spec.Load(path); err != nil {
			return nil, err
		}
	}
	r := &Result{Spec: s, Doc: doc, Findings: findings,
		Resolver: secret.Resolver{BaseDir: doc.Dir, LookupEnv: opts.LookupEnv}}
	// What hubctl app stored beside the spec resolves its env references
	// too; a spec read from standard input has no place beside it.
	if path != "-" {
		st, err := state.Open(path).Load()
		if err != nil {
			return nil, err
		}
		r.Resolver.Stored = st.Lookup
	}
	if s != nil {
		// A duplicate key does not stop the first one's value from being
		// checked, so it hides no rule finding.
		failed := slices.DeleteFunc(slices.Clone(findings), func(f finding.Finding) bool { return f.ID == "duplicate-key" })
		r.Findings = append(r.Findings, withoutEchoes(validate.Spec(s, doc), failed)...)
		r.Findings.Sort()
	}
	if r.Findings.HasErrors() || (opts.Strict && r.Findings.Count(finding.Warning) > 0) {
		return r, &finding.InvalidInput{Findings: r.Findings}
	}
	return r, nil
}

// Config loads a spec and builds its hub configuration, asking the
// provider for its endpoints when the spec leaves them to discovery and the
// output needs them.
func Config(ctx context.Context, path string, opts Options) (*Result, error) {
	r, err := Spec(path, opts)
	if err != nil {
		return r, err
	}
	var ep provider.Endpoints
	if l := r.Spec.Login; l != nil {
		// An output with the provider's endpoints holds the client id too.
		if l.ClientID == "" && !opts.SkipEndpoints {
			f := finding.Finding{ID: "client-not-registered", Severity: finding.Error, Pos: r.Doc.Pos("login"), Path: "login.clientId",
				Message: "login.clientId is not set: this output needs the hub's client id", Hint: validate.ClientNotRegisteredHint}
			return r, &finding.InvalidInput{Findings: finding.List{f}}
		}
		if ep, err = endpoints(ctx, r, l, opts); err != nil {
			return r, err
		}
	}
	r.Config = hub.Build(r.Spec, ep)
	return r, nil
}

// endpoints resolves the login's endpoints, by discovery only when the
// output needs them and the network is allowed. A failed discovery is
// reported at login.url, the key it came from.
func endpoints(ctx context.Context, r *Result, l *spec.Login, opts Options) (provider.Endpoints, error) {
	if opts.SkipEndpoints || !provider.NeedsDiscovery(l) {
		return provider.Static(l), nil
	}
	at := r.Doc.Pos("login.url")
	if opts.Offline {
		return provider.Endpoints{}, exitcode.InvalidInput(fmt.Errorf(
			"%s: --offline: login.url %s is an OIDC issuer whose endpoints come from discovery; set %s to render without the network",
			at, l.URL, provider.InWords(provider.DiscoveredKeys(l))))
	}
	client := opts.HTTPClient
	if client == nil {
		caFile := ""
		if l.CAFile != "" {
			caFile = r.Resolver.Path(secret.Ref{Kind: secret.File, File: l.CAFile})
		}
		var err error
		if client, err = provider.HTTPClient(caFile, l.VerifyTLS == nil || *l.VerifyTLS); err != nil {
			return provider.Endpoints{}, fmt.Errorf("%s: %w", r.Doc.Pos("login.caFile"), err)
		}
	}
	ep, err := provider.Resolve(ctx, l, client)
	var de *provider.DiscoveryError
	if errors.As(err, &de) {
		return ep, fmt.Errorf("%s: login.url: %w", at, err)
	}
	return ep, err
}

// absence are the rules that report a mapping as absent or empty. The
// decoder drops what inside it failed, so when something under the mapping
// failed ({allow: {all: "yes"}}, {clientSecret: {vault: x}}) the mapping is
// not absent, and the structural finding says what is wrong with it.
var absence = map[string]bool{"missing-key": true, "no-allow": true, "role-without-scopes": true}

// withoutEchoes drops rule findings about a key whose value already failed
// to decode: a wrongly typed clientSecret is not also "missing".
func withoutEchoes(rules, structural finding.List) finding.List {
	var out finding.List
	for _, f := range rules {
		echo := false
		for _, sf := range structural {
			if f.Path == sf.Path || strings.HasPrefix(f.Path, sf.Path+".") || strings.HasPrefix(f.Path, sf.Path+"[") ||
				absence[f.ID] && strings.HasPrefix(sf.Path, f.Path+".") {
				echo = true
				break
			}
		}
		if !echo {
			out = append(out, f)
		}
	}
	return out
}
