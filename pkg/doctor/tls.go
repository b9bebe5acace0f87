package doctor

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/hubctl/hubctl/pkg/netdiag"
)

var (
	checkTLSHandshake = Register(&Check{ID: "tls.handshake", Title: "TLS handshake succeeds", Live: true,
		Doc: "the server completes a TLS handshake with a certificate for its host name, in date and trusted by the system roots plus login.caFile and --ca-file"})
	checkTLSExpiry = Register(&Check{ID: "tls.expiry", Title: "TLS certificate is not about to expire", Live: true,
		Doc: "no certificate of the server's chain expires within --expiry-fail (a failure) or --expiry-warn (a warning)"})
	checkTLSVersion = Register(&Check{ID: "tls.version", Title: "TLS version is 1.2 or later", Live: true,
		Doc: "the server negotiates TLS 1.2 or later; older versions are a warning"})
)

// tlsState is what the handshake task leaves for the expiry and version
// tasks, which read it only after the handshake has passed.
type tlsState struct {
	version uint16
	// chain is the verified chain, leaf first.
	chain []*x509.Certificate
}

// tlsTasks checks the TLS of u's server once reach has passed: one
// handshake, whose result the expiry and version checks read.
func (p *Plan) tlsTasks(u *url.URL, reach *Task) []*Task {
	env := p.Env
	addr := hostPort(u)
	host := u.Hostname()
	state := &tlsState{}
	handshake := p.Add(checkTLSHandshake, addr, []*Task{reach}, func(ctx context.Context) Outcome {
		return state.handshake(ctx, env, host, addr)
	})
	expiry := p.Add(checkTLSExpiry, addr, []*Task{handshake}, func(context.Context) Outcome {
		return state.expiry(env, host)
	})
	version := p.Add(checkTLSVersion, addr, []*Task{handshake}, func(context.Context) Outcome {
		return state.checkVersion(addr)
	})
	return []*Task{handshake, expiry, version}
}

// handshake connects without verifying, so that a certificate the client
// would refuse is still seen and each reason it is refused can be named,
// then verifies the chain against env's roots and clock.
func (s *tlsState) handshake(ctx context.Context, env *Env, host, addr string) Outcome {
	if env.Opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, env.Opts.Timeout)
		defer cancel()
	}
	raw, err := env.Dialer().DialContext(ctx, "tcp", addr)
	if err != nil {
		ne := netdiag.Explain("CONNECT", "https://"+addr, err)
		return Failed(reachHint(ne.Cause, "the URL"), "%s: %s", addr, ne.Reason)
	}
	defer raw.Close()
	if dl, ok := ctx.Deadline(); ok {
		// The context already bounds the handshake; the deadline also
		// bounds a server that stalls in the middle of a record.
		raw.SetDeadline(dl)
	}
	conn := tls.Client(raw, &tls.Config{
		ServerName:         host,
		InsecureSkipVerify: true,
		// TLS 1.0 and 1.1 are accepted here only to be reported by
		// tls.version rather than as a handshake failure.
		MinVersion: tls.VersionTLS10,
	})
	if err := conn.HandshakeContext(ctx); err != nil {
		reason, hint := tlsHandshakeFailure(ctx, env, addr, err)
		return Failed(hint, "%s", reason)
	}
	cs := conn.ConnectionState()
	s.version = cs.Version
	if len(cs.PeerCertificates) == 0 {
		return Failed("configure a certificate for "+host+" on the server", "%s completed the handshake without a certificate", addr)
	}
	chain, problems := verifyServedChain(cs.PeerCertificates, env.Roots, host, env.Now())
	if len(problems) > 0 {
		var reasons, hints []string
		for _, pr := range problems {
			reasons = append(reasons, pr.reason)
			if pr.hint != "" {
				hints = append(hints, pr.hint)
			}
		}
		return Failed(strings.Join(hints, "; "), "%s: %s", addr, strings.Join(reasons, "; "))
	}
	s.chain = chain
	return Passed("%s: %s handshake; certificate for %s issued by %s, trusted", addr, tls.VersionName(cs.Version), host, certIssuer(chain[0]))
}

// tlsHandshakeFailure says why a handshake that verified nothing failed: the
// server does not speak TLS, refused with an alert, hung up or stalled.
func tlsHandshakeFailure(ctx context.Context, env *Env, addr string, err error) (reason, hint string) {
	var netErr net.Error
	if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil || (errors.As(err, &netErr) && netErr.Timeout()) {
		within := "before the deadline"
		if env.Opts.Timeout > 0 {
			within = fmt.Sprintf("within %s (--timeout)", env.Opts.Timeout)
		}
		return fmt.Sprintf("connected to %s, but the TLS handshake did not finish %s", addr, within),
			"something accepts connections on this port but does not answer TLS: check the port, and that a load balancer in front has a healthy backend; raise --timeout if the server is only slow"
	}
	ne := netdiag.Explain("CONNECT", "https://"+addr, err)
	// Without a trace, netdiag names the host alone; the port matters here.
	if host, _, _ := net.SplitHostPort(addr); strings.HasPrefix(ne.Reason, host+" ") {
		ne.Reason = addr + strings.TrimPrefix(ne.Reason, host)
	}
	switch ne.Cause {
	case netdiag.NotTLS:
		return fmt.Sprintf("%s does not speak TLS: it answered the handshake in plain text", addr),
			"use http:// in the URL if the server serves plain HTTP, or correct the port to the one that serves TLS"
	case netdiag.HandshakeFailure:
		return ne.Reason, "change the server's TLS settings so that a client without a certificate can connect with TLS 1.2 or 1.3"
	case netdiag.ConnectionClosed:
		return fmt.Sprintf("%s closed the connection during the TLS handshake", addr),
			"the server may not serve this host name (SNI), or may not speak TLS on this port: check its TLS configuration and logs"
	}
	return fmt.Sprintf("the TLS handshake with %s failed: %s", addr, ne.Reason), ""
}

// certProblem is one reason a certificate is refused.
type certProblem struct{ reason, hint string }

// verifyServedChain verifies the served chain for host at now and returns the
// verified chain, or every reason it is refused: out of date, for another
// host, untrusted. x509.Certificate.Verify stops at the first of these, so
// each is checked on its own.
func verifyServedChain(served []*x509.Certificate, roots *x509.CertPool, host string, now time.Time) ([]*x509.Certificate, []certProblem) {
	leaf := served[0]
	intermediates := x509.NewCertPool()
	for _, c := range served[1:] {
		intermediates.AddCert(c)
	}
	var problems []certProblem
	verifyAt := now
	if pr, ok := certOutOfDate(served, host, now); ok {
		problems = append(problems, pr)
		// Judge the trust at a time the served certificates are all valid,
		// so that an expired certificate from an unknown CA says both.
		verifyAt = certLatestStart(served)
	}
	if err := leaf.VerifyHostname(host); err != nil {
		problems = append(problems, certProblem{
			reason: fmt.Sprintf("the certificate is not valid for %s: it is valid only for %s", host, netdiag.CertNames(leaf)),
			hint:   fmt.Sprintf("use one of those names in the URL, or reissue the certificate with %s among its subject alternative names", host),
		})
	}
	chains, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: intermediates, CurrentTime: verifyAt})
	if err != nil {
		if pr, ok := certUntrusted(served, err); ok {
			problems = append(problems, pr)
		}
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return chains[0], nil
}

// certOutOfDate names the first served certificate that is expired or not yet
// valid at now.
func certOutOfDate(served []*x509.Certificate, host string, now time.Time) (certProblem, bool) {
	for i, c := range served {
		what := "the certificate of " + host
		if i > 0 {
			what = fmt.Sprintf("the chain's CA certificate %s", certSubject(c))
		}
		switch {
		case now.After(c.NotAfter):
			return certProblem{
				reason: fmt.Sprintf("%s expired on %s", what, certDate(c.NotAfter)),
				hint:   "renew the certificate and install it on the server",
			}, true
		case now.Before(c.NotBefore):
			return certProblem{
				reason: fmt.Sprintf("%s is not valid before %s", what, certDate(c.NotBefore)),
				hint:   "check this machine's clock, or wait: the certificate was issued for a later date",
			}, true
		}
	}
	return certProblem{}, false
}

// certLatestStart is the latest NotBefore of certs: a time every one of them
// has begun, when their validities overlap.
func certLatestStart(certs []*x509.Certificate) time.Time {
	var t time.Time
	for _, c := range certs {
		if c.NotBefore.After(t) {
			t = c.NotBefore
		}
	}
	return t.Add(time.Second)
}

// certUntrusted explains an error of Verify without a host name; an error
// about time is already reported by certOutOfDate.
func certUntrusted(served []*x509.Certificate, err error) (certProblem, bool) {
	var authErr x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &authErr):
		top := certTopOfChain(served)
		switch {
		case top == served[0] && netdiag.IsSelfSigned(top):
			return certProblem{
				reason: fmt.Sprintf("the certificate is self-signed (%s) and not trusted here", certSubject(top)),
				hint:   "replace it with one from a CA, or trust it: set login.caFile to its PEM (or pass --ca-file)",
			}, true
		case netdiag.IsSelfSigned(top):
			return certProblem{
				reason: fmt.Sprintf("the certificate's chain ends at the CA %s, which is not trusted here", certSubject(top)),
				hint:   "set login.caFile to the CA's PEM (or pass --ca-file)",
			}, true
		}
		return certProblem{
			reason: fmt.Sprintf("the certificate is signed by an unknown authority (%s), not one trusted here", certIssuer(top)),
			hint:   "set login.caFile to the CA's PEM (or pass --ca-file); if that CA is an intermediate, have the server send the full chain",
		}, true
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return certProblem{}, false
	}
	return certProblem{
		reason: "the certificate was refused: " + strings.TrimPrefix(err.Error(), "x509: "),
		hint:   "reissue the certificate for TLS server use (extended key usage serverAuth) from a CA allowed to sign it",
	}, true
}

// certTopOfChain follows the served chain from the leaf up through each
// certificate signed by the next one, to the last the server vouches for:
// its issuer is the authority that is missing.
func certTopOfChain(served []*x509.Certificate) *x509.Certificate {
	top := served[0]
	for _, c := range served[1:] {
		if netdiag.IsSelfSigned(top) || top.CheckSignatureFrom(c) != nil {
			break
		}
		top = c
	}
	return top
}

// expiry reports the certificate of the verified chain that expires first.
func (s *tlsState) expiry(env *Env, host string) Outcome {
	now := env.Now()
	first := s.chain[0]
	for _, c := range s.chain[1:] {
		if c.NotAfter.Before(first.NotAfter) {
			first = c
		}
	}
	what := "the certificate of " + host
	if first != s.chain[0] {
		what = fmt.Sprintf("the CA certificate %s in the chain of %s", certSubject(first), host)
	}
	left := first.NotAfter.Sub(now)
	days := int(left / (24 * time.Hour))
	hint := fmt.Sprintf("renew %s before %s and install it on the server", what, certDate(first.NotAfter))
	switch {
	case left < env.Opts.ExpiryFail:
		return Failed(hint, "%s expires on %s (in %s)", what, certDate(first.NotAfter), certDays(days))
	case left < env.Opts.ExpiryWarn:
		return Warned(hint, "%s expires on %s (in %s)", what, certDate(first.NotAfter), certDays(days))
	}
	return Passed("%s is valid until %s (%s)", what, certDate(first.NotAfter), certDays(days))
}

// checkVersion warns about versions current clients refuse.
func (s *tlsState) checkVersion(addr string) Outcome {
	name := tls.VersionName(s.version)
	if s.version < tls.VersionTLS12 {
		return Warned("enable TLS 1.2 and 1.3 on the server: hubctl, OAuthenticator and browsers refuse older versions",
			"%s negotiates %s at best, below TLS 1.2", addr, name)
	}
	return Passed("%s negotiates %s", addr, name)
}

func certSubject(c *x509.Certificate) string {
	return certPKIXName(c.Subject.CommonName, c.Subject.String())
}
func certIssuer(c *x509.Certificate) string {
	return certPKIXName(c.Issuer.CommonName, c.Issuer.String())
}

// certPKIXName prefers the common name, which is how people name a CA.
func certPKIXName(cn, full string) string {
	switch {
	case cn != "":
		return "CN=" + cn
	case full != "":
		return full
	}
	return "no name"
}

func certDate(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

func certDays(n int) string {
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}
