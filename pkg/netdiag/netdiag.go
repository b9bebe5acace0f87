// Package netdiag explains network errors in words. Go's errors from
// net/http name the failure in the terms of its layers ("x509: certificate
// signed by unknown authority", "Client.Timeout exceeded while awaiting
// headers"); a user needs to know what was tried, how far it got (DNS, TCP,
// TLS, HTTP) and why it stopped there. Do runs a request and, when it fails,
// returns an *Error that says so; the Cause lets a caller suggest its own
// fix (a CA file for a private authority, say).
package netdiag

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Step is how far a request got before it failed.
type Step int

const (
	StepStart   Step = iota // nothing was sent: a bad URL, a proxy setting
	StepDNS                 // resolving the host name
	StepConnect             // opening the TCP connection
	StepTLS                 // the TLS handshake
	StepHTTP                // sending the request and reading the reply
)

func (s Step) String() string {
	switch s {
	case StepDNS:
		return "DNS"
	case StepConnect:
		return "TCP"
	case StepTLS:
		return "TLS"
	case StepHTTP:
		return "HTTP"
	default:
		return "request"
	}
}

// Cause classifies a failure.
type Cause int

const (
	CauseOther Cause = iota
	HostNotFound
	DNSFailure // the resolver failed or did not answer: may pass
	ConnectionRefused
	HostUnreachable
	NetworkUnreachable
	ConnectionClosed // the server reset or closed the connection
	Timeout
	Canceled
	UnknownAuthority
	SelfSigned
	WrongHost
	Expired
	NotYetValid
	BadCertificate // any other reason the certificate was refused
	HandshakeFailure
	NotTLS // the server answered TLS in plain text
)

// Certificate reports whether the server's certificate was refused, which a
// private CA, a corrected host name or a renewed certificate may fix.
func (c Cause) Certificate() bool { return c >= UnknownAuthority && c <= BadCertificate }

// Error is a failed request explained: Reason says why, in words.
type Error struct {
	Method string
	// URL is the URL that failed; after a redirect, the one redirected to.
	URL   string
	Step  Step
	Cause Cause
	// Reason is a sentence without the URL, such as "cannot resolve host
	// id.example.org (no such host)".
	Reason string
	// Timeout is the limit that ran out, when Cause is Timeout and the limit
	// is known.
	Timeout time.Duration
	Err     error
}

func (e *Error) Error() string { return e.Method + " " + e.URL + ": " + e.Reason }
func (e *Error) Unwrap() error { return e.Err }

// Do sends req with client and, when no response comes, returns an *Error
// that says how far the request got and why it stopped.
func Do(client *http.Client, req *http.Request) (*http.Response, error) {
	p := &progress{}
	resp, err := client.Do(req.WithContext(httptrace.WithClientTrace(req.Context(), p.trace())))
	if err != nil {
		return nil, explain(req.Method, req.URL.String(), err, p, limits(client))
	}
	return resp, nil
}

// Explain says why a request to rawURL failed, for errors that come from
// outside Do (such as reading a reply's body): without a trace, the step is
// inferred from the error.
func Explain(method, rawURL string, err error) *Error {
	var ne *Error
	if errors.As(err, &ne) {
		return ne
	}
	return explain(method, rawURL, err, nil, timeouts{})
}

// ReadBody reads at most limit bytes of resp's body, explaining a failure
// (the client's timeout also covers the body).
func ReadBody(client *http.Client, resp *http.Response, limit int64) ([]byte, error) {
	// One byte past the limit tells a body that is too large from one that
	// is exactly the limit.
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err == nil && int64(len(body)) > limit {
		e := &TooLargeError{Limit: limit}
		if resp.Request != nil {
			e.Method, e.URL = resp.Request.Method, resp.Request.URL.Redacted()
		}
		return nil, e
	}
	if err != nil {
		p := &progress{step: StepHTTP, sent: true, answered: true}
		if resp.Request != nil {
			return nil, explain(resp.Request.Method, resp.Request.URL.String(), err, p, limits(client))
		}
		return nil, explain("GET", "", err, p, limits(client))
	}
	return body, nil
}

// progress records, from httptrace's callbacks, how far a request got.
// Callbacks run on the transport's goroutines, hence the lock.
type progress struct {
	mu       sync.Mutex
	step     Step
	addr     string // the address being connected to, or connected
	sent     bool   // the request was written
	answered bool   // the reply's headers came
}

func (p *progress) set(f func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f()
}

func (p *progress) trace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		DNSStart:          func(httptrace.DNSStartInfo) { p.set(func() { p.step = StepDNS }) },
		ConnectStart:      func(_, addr string) { p.set(func() { p.step, p.addr = StepConnect, addr }) },
		TLSHandshakeStart: func() { p.set(func() { p.step = StepTLS }) },
		GotConn: func(info httptrace.GotConnInfo) {
			p.set(func() {
				p.step, p.addr = StepHTTP, info.Conn.RemoteAddr().String()
			})
		},
		WroteRequest:         func(httptrace.WroteRequestInfo) { p.set(func() { p.sent = true }) },
		GotFirstResponseByte: func() { p.set(func() { p.answered = true }) },
	}
}

// timeouts are the limits a client has, to name the one that ran out.
type timeouts struct {
	client, tlsHandshake time.Duration
}

func limits(client *http.Client) timeouts {
	t := timeouts{client: client.Timeout}
	if tr, ok := client.Transport.(*http.Transport); ok {
		t.tlsHandshake = tr.TLSHandshakeTimeout
	} else if client.Transport == nil {
		t.tlsHandshake = http.DefaultTransport.(*http.Transport).TLSHandshakeTimeout
	}
	return t
}

func explain(method, rawURL string, err error, p *progress, lim timeouts) *Error {
	e := &Error{Method: method, URL: rawURL, Err: err}
	var ue *url.Error
	if errors.As(err, &ue) && ue.URL != "" {
		e.URL = ue.URL
	}
	host := hostOf(e.URL)
	var step Step
	var addr string
	var sent, answered bool
	if p != nil {
		p.mu.Lock()
		step, addr, sent, answered = p.step, p.addr, p.sent, p.answered
		p.mu.Unlock()
	}
	if addr == "" {
		addr = host
	}

	var (
		dnsErr   *net.DNSError
		nameErr  x509.HostnameError
		authErr  x509.UnknownAuthorityError
		invalid  x509.CertificateInvalidError
		verify   *tls.CertificateVerificationError
		record   tls.RecordHeaderError
		opErr    *net.OpError
		proxyErr *net.OpError
	)
	if errors.As(err, &opErr) && opErr.Op == "proxyconnect" {
		proxyErr = opErr
	}
	switch {
	case errors.Is(err, context.Canceled):
		e.Step, e.Cause = step, Canceled
		e.Reason = "interrupted before the reply came"
	case errors.As(err, &dnsErr):
		e.Step = StepDNS
		e.Reason = fmt.Sprintf("cannot resolve host %s", dnsErr.Name)
		switch {
		case dnsErr.IsNotFound:
			e.Cause = HostNotFound
			e.Reason += " (no such host)"
		case dnsErr.IsTimeout:
			e.Cause = DNSFailure
			e.Reason += " (the DNS server did not answer in time; try again)"
		default:
			e.Cause = DNSFailure
			e.Reason += fmt.Sprintf(" (%s; the resolver failed, which may pass: try again)", dnsErr.Err)
		}
	case errors.As(err, &nameErr):
		e.Step, e.Cause = StepTLS, WrongHost
		e.Reason = fmt.Sprintf("the certificate of %s is valid only for %s", nameErr.Host, CertNames(nameErr.Certificate))
	case errors.As(err, &authErr):
		e.Step, e.Cause = StepTLS, UnknownAuthority
		if c := authErr.Cert; c != nil && IsSelfSigned(c) {
			e.Cause = SelfSigned
			e.Reason = fmt.Sprintf("the certificate of %s is self-signed (%s) and not trusted here", host, describeName(c.Subject))
		} else if c != nil {
			e.Reason = fmt.Sprintf("the certificate of %s is signed by an unknown authority (%s), not one trusted here", host, describeName(c.Issuer))
		} else {
			e.Reason = fmt.Sprintf("the certificate of %s is signed by an unknown authority", host)
		}
	case errors.As(err, &invalid):
		e.Step = StepTLS
		c := invalid.Cert
		switch {
		case invalid.Reason == x509.Expired && c != nil && time.Now().Before(c.NotBefore):
			e.Cause = NotYetValid
			e.Reason = fmt.Sprintf("the certificate of %s is not valid before %s (check this machine's clock)", host, when(c.NotBefore))
		case invalid.Reason == x509.Expired && c != nil:
			e.Cause = Expired
			e.Reason = fmt.Sprintf("the certificate of %s expired on %s", host, when(c.NotAfter))
		default:
			e.Cause = BadCertificate
			e.Reason = fmt.Sprintf("the certificate of %s was refused: %s", host, strings.TrimPrefix(invalid.Error(), "x509: "))
		}
	case errors.As(err, &verify):
		e.Step, e.Cause = StepTLS, BadCertificate
		e.Reason = fmt.Sprintf("the certificate of %s was refused: %s", host, strings.TrimPrefix(verify.Err.Error(), "x509: "))
	case errors.As(err, &record), errors.Is(err, http.ErrSchemeMismatch):
		e.Step, e.Cause = StepTLS, NotTLS
		e.Reason = fmt.Sprintf("%s does not speak TLS: it answered the handshake in plain text (does the URL want http://?)", addr)
	case isRemoteAlert(err, opErr):
		e.Step, e.Cause = StepTLS, HandshakeFailure
		alert := strings.TrimPrefix(opErr.Err.Error(), "tls: ")
		e.Reason = fmt.Sprintf("%s refused the TLS handshake (%s): %s", addr, alert, alertMeaning(alert))
	case strings.Contains(err.Error(), "tls: server selected unsupported protocol version"):
		e.Step, e.Cause = StepTLS, HandshakeFailure
		e.Reason = fmt.Sprintf("%s offers only a TLS version this client refuses (it needs TLS 1.2 or later)", addr)
	case isTimeout(err):
		e.Cause = Timeout
		e.Step, e.Reason, e.Timeout = timeoutReason(err, step, addr, sent, answered, lim)
	case errors.Is(err, syscall.ECONNREFUSED):
		e.Step, e.Cause = StepConnect, ConnectionRefused
		e.Reason = fmt.Sprintf("connection to %s refused: nothing listens on that port, or a firewall rejects it", dialAddr(opErr, addr))
	case errors.Is(err, syscall.EHOSTUNREACH):
		e.Step, e.Cause = StepConnect, HostUnreachable
		e.Reason = fmt.Sprintf("host %s unreachable: no route to it from here", dialAddr(opErr, addr))
	case errors.Is(err, syscall.ENETUNREACH):
		e.Step, e.Cause = StepConnect, NetworkUnreachable
		e.Reason = fmt.Sprintf("network unreachable: this machine has no route to %s", dialAddr(opErr, addr))
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		e.Step, e.Cause = step, ConnectionClosed
		if e.Step == StepStart {
			e.Step = StepHTTP
		}
		e.Reason = fmt.Sprintf("%s closed the connection%s", addr, closedWhen(p != nil, e.Step, sent))
	default:
		e.Step = step
		e.Reason = innermost(err)
	}
	if proxyErr != nil && e.Cause != Canceled {
		e.Reason = fmt.Sprintf("through the proxy %s (from the HTTPS_PROXY/HTTP_PROXY environment): %s", proxyErr.Addr, e.Reason)
	}
	return e
}

// isTimeout reports a timeout from any layer: a dial, a TLS handshake, the
// client's overall limit (whose error keeps only the text of its cause) or
// the context's deadline.
func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &t) && t.Timeout())
}

// timeoutReason says what was waited for when the time ran out, and names
// the limit when it is known.
func timeoutReason(err error, step Step, addr string, sent, answered bool, lim timeouts) (Step, string, time.Duration) {
	msg := err.Error()
	var limit time.Duration
	var within string
	switch {
	case strings.Contains(msg, "TLS handshake timeout") && lim.tlsHandshake > 0:
		limit, within = lim.tlsHandshake, fmt.Sprintf("within %s (the TLS handshake timeout)", lim.tlsHandshake)
	case strings.Contains(msg, "Client.Timeout") && lim.client > 0:
		limit, within = lim.client, fmt.Sprintf("within %s (the client's timeout)", lim.client)
	case errors.Is(err, context.DeadlineExceeded):
		within = "before the deadline"
	default:
		within = "in time"
	}
	if step == StepStart {
		step = stepOfTimeout(err)
	}
	switch step {
	case StepDNS:
		return step, fmt.Sprintf("cannot resolve host %s: no answer from the DNS server %s", hostOnly(addr), within), limit
	case StepConnect:
		return step, fmt.Sprintf("no answer from %s %s while connecting (a host that is down, or a firewall that drops packets)", dialAddr(dialOp(err), addr), within), limit
	case StepTLS:
		return step, fmt.Sprintf("connected to %s, but the TLS handshake did not finish %s", addr, within), limit
	default:
		switch {
		case answered:
			return StepHTTP, fmt.Sprintf("%s began to answer but did not finish %s", addr, within), limit
		case sent:
			return StepHTTP, fmt.Sprintf("connected to %s and sent the request, but no reply came %s", addr, within), limit
		default:
			return StepHTTP, fmt.Sprintf("connected to %s, but could not send the request %s", addr, within), limit
		}
	}
}

// stepOfTimeout infers the step from the error alone (no trace).
func stepOfTimeout(err error) Step {
	var op *net.OpError
	switch {
	case strings.Contains(err.Error(), "TLS handshake"):
		return StepTLS
	case errors.As(err, &op) && op.Op == "dial":
		return StepConnect
	default:
		return StepHTTP
	}
}

// dialOp is the dial's error in err's chain, which names the address.
func dialOp(err error) *net.OpError {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return op
	}
	return nil
}

func isRemoteAlert(err error, op *net.OpError) bool {
	return op != nil && op.Op == "remote error" && op.Err != nil && strings.HasPrefix(op.Err.Error(), "tls: ")
}

// closedWhen says when a connection closed, when a trace tells.
func closedWhen(traced bool, step Step, sent bool) string {
	switch {
	case step == StepTLS:
		return " during the TLS handshake"
	case !traced:
		return ""
	case sent:
		return " without answering the request"
	default:
		return " before the request was sent"
	}
}

// alertMeaning says what usually causes a TLS alert a server sent.
func alertMeaning(alert string) string {
	switch {
	case strings.Contains(alert, "protocol version"):
		return "it and this client (TLS 1.2 or later) share no TLS version"
	case strings.Contains(alert, "handshake failure"):
		return "it and this client share no cipher suite, or it wants a client certificate"
	case strings.Contains(alert, "certificate"):
		return "it wants a client certificate"
	default:
		return "the two sides could not agree on how to talk"
	}
}

// dialAddr is the address a dial failed on: a host name may have several.
func dialAddr(op *net.OpError, fallback string) string {
	if op != nil && op.Addr != nil {
		return op.Addr.String()
	}
	return fallback
}

// IsSelfSigned reports whether c is its own issuer, signed by its own key.
func IsSelfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

// CertNames lists the names a certificate is valid for: its DNS and IP
// subject alternative names.
func CertNames(c *x509.Certificate) string {
	if c == nil {
		return "other names"
	}
	var names []string
	names = append(names, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 {
		if c.Subject.CommonName != "" {
			return fmt.Sprintf("no name (only the common name %s, which TLS clients no longer honour)", c.Subject.CommonName)
		}
		return "no name"
	}
	return strings.Join(names, ", ")
}

func describeName(n interface{ String() string }) string {
	if s := n.String(); s != "" {
		return s
	}
	return "no name"
}

func when(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

func hostOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return rawURL
	}
	return u.Hostname()
}

func hostOnly(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}

// innermost drops url.Error's "Get \"URL\": " prefix, which Error repeats.
func innermost(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// TooLargeError is an answer longer than hubctl reads: it stops there,
// rather than hold what may be an endless stream in memory.
type TooLargeError struct {
	Method, URL string
	Limit       int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s %s answered with more than %s; hubctl reads at most that of an answer, so this is not the endpoint it expects", e.Method, e.URL, byteSize(e.Limit))
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
