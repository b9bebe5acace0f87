package doctor

import (
	"context"
	"crypto/tls"
	"net/url"

	"github.com/hubctl/hubctl/pkg/netdiag"
)

var checkTLSHandshake = Register(&Check{ID: "tls.handshake", Title: "TLS handshake succeeds", Live: true,
	Doc: "the server completes a TLS handshake trusted by the system roots plus login.caFile and --ca-file"})

// tlsTasks checks the TLS of u's server once reach has passed. (Placeholder
// for the full TLS family.)
func (p *Plan) tlsTasks(u *url.URL, reach *Task) []*Task {
	env := p.Env
	addr := hostPort(u)
	return []*Task{p.Add(checkTLSHandshake, addr, []*Task{reach}, func(ctx context.Context) Outcome {
		d := &tls.Dialer{NetDialer: env.Dialer(), Config: env.TLSConfig()}
		d.Config.ServerName = u.Hostname()
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			ne := netdiag.Explain("GET", u.String(), err)
			return Failed("", "%s", ne.Reason)
		}
		conn.Close()
		return Passed("handshake with %s succeeded", addr)
	})}
}
