package doctor

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/hubctl/hubctl/pkg/netdiag"
)

var checkReach = Register(&Check{ID: "net.reach", Title: "Host is reachable", Live: true,
	Doc: "DNS and TCP for every URL of the spec: refused, unresolvable, unreachable and timed out told apart"})

func init() { addFamily(rankReach, planReach) }

// planReach gates every URL of the spec, so each host is checked whether
// or not another check sends it a request.
func planReach(p *Plan) {
	for _, u := range specURLs(p.Env) {
		p.Gate(u.key, u.url)
	}
}

type keyedURL struct{ key, url string }

// specURLs lists the URLs of the spec with the keys they come from.
func specURLs(e *Env) []keyedURL {
	s := e.Spec
	out := []keyedURL{{"hub.url", s.Hub.URL}, {"hub.apiUrl", s.Hub.ResolvedAPIURL()}}
	if l := s.Login; l != nil {
		out = append(out, keyedURL{"login.url", l.URL},
			keyedURL{"login.authorizeUrl", e.Endpoints.Authorize},
			keyedURL{"login.tokenUrl", e.Endpoints.Token},
			keyedURL{"login.userdataUrl", e.Endpoints.Userdata})
	}
	for _, svc := range s.Services {
		if svc.URL != "" {
			out = append(out, keyedURL{"services." + svc.Name + ".url", svc.URL})
		}
	}
	var kept []keyedURL
	for _, k := range out {
		if k.url != "" {
			kept = append(kept, k)
		}
	}
	return kept
}

// reachTask resolves u's host and opens a TCP connection to its port.
func (p *Plan) reachTask(key string, u *url.URL) *Task {
	env := p.Env
	addr := hostPort(u)
	host := u.Hostname()
	return p.Add(checkReach, addr, nil, func(ctx context.Context) Outcome {
		ctx, cancel := context.WithTimeout(ctx, env.Opts.Timeout)
		defer cancel()
		start := time.Now()
		ips, err := net.DefaultResolver.LookupHost(ctx, host)
		if err != nil {
			ne := netdiag.Explain("CONNECT", u.Scheme+"://"+addr, err)
			if ne.Cause == netdiag.HostNotFound && clusterInternal(host) && !env.Opts.RequireAll {
				return Skipped("run doctor inside the cluster (hubctl render doctor-job), or pass --require-all to count it as a failure",
					"%s (%s) is a cluster-internal name that does not resolve from here", host, key)
			}
			return Failed(reachHint(ne.Cause, key), "%s (%s): %s", addr, key, ne.Reason)
		}
		resolved := time.Since(start)
		conn, err := env.Dialer().DialContext(ctx, "tcp", addr)
		if err != nil {
			ne := netdiag.Explain("CONNECT", u.Scheme+"://"+addr, err)
			return Failed(reachHint(ne.Cause, key), "%s (%s): %s", addr, key, ne.Reason)
		}
		defer conn.Close()
		return Passed("%s resolves to %s (%s) and accepts TCP connections (%s)", host, strings.Join(ips, ", "),
			resolved.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	})
}

func reachHint(c netdiag.Cause, key string) string {
	switch c {
	case netdiag.HostNotFound:
		return fmt.Sprintf("check the host name in %s, and that DNS serves it where doctor runs", key)
	case netdiag.ConnectionRefused:
		return fmt.Sprintf("start the server, or correct the port in %s", key)
	case netdiag.Timeout:
		return "a firewall may drop the packets, or the host is down; raise --timeout if it is only slow"
	case netdiag.HostUnreachable, netdiag.NetworkUnreachable:
		return "this machine has no route there: run doctor from a network that reaches it"
	}
	return ""
}
