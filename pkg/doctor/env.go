package doctor

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/hubctl/hubctl/pkg/cabundle"
	"github.com/hubctl/hubctl/pkg/hub"
	"github.com/hubctl/hubctl/pkg/netdiag"
	"github.com/hubctl/hubctl/pkg/provider"
	"github.com/hubctl/hubctl/pkg/secret"
	"github.com/hubctl/hubctl/pkg/spec"
)

// Env is what every check reads: the spec and the configuration it stands
// for, the trust roots, and the options. Checks treat it as read-only.
type Env struct {
	Spec   *spec.Spec
	Doc    *spec.Document
	Config *hub.Config
	// Endpoints are the login's endpoints known without the network; an
	// OIDC login's discovered ones come from the oidc.discovery task.
	Endpoints provider.Endpoints
	Resolver  secret.Resolver
	Opts      Options
	// Roots are the system roots plus login.caFile and --ca-file; nil means
	// the system roots alone.
	Roots *x509.CertPool

	secretsMu sync.Mutex
	secrets   []string
}

// Now is the clock checks compare certificates and Date headers with.
func (e *Env) Now() time.Time {
	if e.Opts.Now != nil {
		return e.Opts.Now()
	}
	return time.Now()
}

// Dialer opens TCP connections with the per-request timeout.
func (e *Env) Dialer() *net.Dialer { return &net.Dialer{Timeout: e.Opts.Timeout} }

// TLSConfig is the client configuration checks verify servers with.
func (e *Env) TLSConfig() *tls.Config {
	return &tls.Config{RootCAs: e.Roots, MinVersion: tls.VersionTLS12}
}

// HTTPClient is a client with the per-request timeout and the trust roots.
// Without follow, redirects come back as responses, as the checks of
// authorize requests need them.
func (e *Env) HTTPClient(follow bool) *http.Client {
	t := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         e.Dialer().DialContext,
		TLSClientConfig:     e.TLSConfig(),
		TLSHandshakeTimeout: e.Opts.Timeout,
		ForceAttemptHTTP2:   true,
		// Each check makes a request or two: idle connections would only
		// outlive the run.
		DisableKeepAlives: true,
	}
	c := &http.Client{Transport: t, Timeout: e.Opts.Timeout}
	if !follow {
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		return c
	}
	// net/http already drops Authorization and cookies on a redirect to
	// another host; doctor also stops a chain sooner than its 10.
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return fmt.Errorf("stopped after %d redirects (the last to %s): a redirect loop, or not the endpoint", len(via), req.URL.Redacted())
		}
		return nil
	}
	return c
}

// maxRedirects bounds the redirects doctor follows (discovery documents
// behind a load balancer's one or two).
const maxRedirects = 5

// ErrNoValue is a secret doctor cannot read from where it runs.
var ErrNoValue = errors.New("the value is not readable here")

// Secret resolves a secret of the configuration. A k8sSecret reference is
// read from the variable the deployment maps it to (as render doctor-job
// does) when that is set. Every value read is remembered so that no output
// can show it.
func (e *Env) Secret(s hub.Secret) (string, error) {
	v, err := e.Resolver.Resolve(s.Ref)
	// In render doctor-job's pod a file reference's path does not exist and
	// the value comes in the variable the deployment maps it to.
	if s.Ref.Kind == secret.File && errors.Is(err, fs.ErrNotExist) && s.HubEnv != "" {
		if ev, ok := e.lookupEnv(s.HubEnv); ok && ev != "" {
			v, err = ev, nil
		}
	}
	if errors.Is(err, secret.ErrInCluster) && s.HubEnv != "" {
		if ev, ok := e.lookupEnv(s.HubEnv); ok && ev != "" {
			v, err = ev, nil
		}
	}
	if errors.Is(err, secret.ErrInCluster) {
		return "", fmt.Errorf("%s %w: it lives in the cluster (run doctor there with hubctl render doctor-job, or set %s)", s.SpecPath, ErrNoValue, s.HubEnv)
	}
	if err != nil {
		return "", err
	}
	e.remember(v)
	return v, nil
}

func (e *Env) lookupEnv(name string) (string, bool) {
	if e.Resolver.LookupEnv != nil {
		return e.Resolver.LookupEnv(name)
	}
	return os.LookupEnv(name)
}

func (e *Env) remember(v string) {
	e.secretsMu.Lock()
	defer e.secretsMu.Unlock()
	e.secrets = append(e.secrets, v)
}

// Scrub masks every secret value read during the run in s.
func (e *Env) Scrub(s string) string {
	e.secretsMu.Lock()
	defer e.secretsMu.Unlock()
	for _, v := range e.secrets {
		if len(v) >= 4 {
			s = strings.ReplaceAll(s, v, "********")
		}
	}
	return s
}

// roots builds the trust roots from the system's and the CA files.
func roots(files ...string) (*x509.CertPool, error) {
	var pool *x509.CertPool
	for _, f := range files {
		if f == "" {
			continue
		}
		b, err := cabundle.Read(f)
		if err != nil {
			return nil, fmt.Errorf("reading CA file %s: %w", f, err)
		}
		if pool == nil {
			if pool, err = x509.SystemCertPool(); err != nil {
				pool = x509.NewCertPool()
			}
		}
		pool.AppendCertsFromPEM(b.PEM)
	}
	return pool, nil
}

// Fetch sends req, following redirects only when follow is set, and reads
// at most limit bytes of the answer, which it closes. Errors are
// *netdiag.Error values that say which step failed and why.
func (e *Env) Fetch(req *http.Request, follow bool, limit int64) (*http.Response, []byte, error) {
	client := e.HTTPClient(follow)
	resp, err := netdiag.Do(client, req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := netdiag.ReadBody(client, resp, limit)
	if err != nil {
		return nil, nil, err
	}
	return resp, body, nil
}
