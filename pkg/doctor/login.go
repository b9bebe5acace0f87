package doctor

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/hubctl/hubctl/pkg/netdiag"
	"github.com/hubctl/hubctl/pkg/provider"
	"github.com/hubctl/hubctl/pkg/spec"
)

var checkDiscovery = Register(&Check{ID: "oidc.discovery", Title: "OIDC discovery answers", Live: true,
	Doc: "login.url/.well-known/openid-configuration answers with a discovery document"})

// maxProviderBody bounds what doctor reads of any provider answer.
const maxProviderBody = 1 << 20

// Discovered is an OIDC discovery document as doctor reads it: the fields
// hubctl uses plus those only doctor compares.
type Discovered struct {
	provider.Metadata
	ClaimsSupported []string `json:"claims_supported,omitempty"`
}

// LoginPlan is the login's shared state: the discovery task of an OIDC
// login and what it found. Tasks that need it list Discovery in their
// Needs (nil for other providers, which Add drops); they read Metadata and
// Endpoints only from their Run, after Discovery has ended.
type LoginPlan struct {
	Login *spec.Login
	// Discovery fetches the document; nil unless the provider is OIDC.
	Discovery *Task
	// Gate is the reach and TLS tasks of login.url.
	Gate []*Task

	static   provider.Endpoints
	metadata *Discovered
	// providerDate is the Date header of the discovery answer, and
	// localDate the local clock when it arrived.
	providerDate, localDate time.Time
}

// Metadata is the discovery document, or nil (not OIDC, or it failed).
func (lp *LoginPlan) Metadata() *Discovered { return lp.metadata }

// ProviderClock returns the provider's Date header and the local time it
// was read at; ok is false when there was none.
func (lp *LoginPlan) ProviderClock() (provider, local time.Time, ok bool) {
	return lp.providerDate, lp.localDate, !lp.providerDate.IsZero()
}

// Endpoints are the endpoints the hub will use: the spec's and the fixed
// paths, the rest from discovery.
func (lp *LoginPlan) Endpoints() provider.Endpoints {
	ep := lp.static
	if md := lp.metadata; md != nil {
		fillEmpty(&ep.Authorize, md.AuthorizationEndpoint)
		fillEmpty(&ep.Token, md.TokenEndpoint)
		fillEmpty(&ep.Userdata, md.UserinfoEndpoint)
	}
	return ep
}

func fillEmpty(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

// Login returns the login's plan, building its discovery task the first
// time; nil when the spec has no login.
func (p *Plan) Login() *LoginPlan {
	if p.login != nil || p.Env.Spec.Login == nil {
		return p.login
	}
	l := p.Env.Spec.Login
	lp := &LoginPlan{Login: l, static: p.Env.Endpoints}
	lp.Gate = p.Gate("login.url", l.URL)
	if prof, _ := provider.Lookup(l.Provider); prof.Discovery {
		docURL := strings.TrimSuffix(l.URL, "/") + "/.well-known/openid-configuration"
		lp.Discovery = p.Add(checkDiscovery, docURL, lp.Gate, func(ctx context.Context) Outcome {
			return lp.discover(ctx, p.Env, docURL)
		})
	}
	p.login = lp
	return lp
}

func (lp *LoginPlan) discover(ctx context.Context, env *Env, docURL string) Outcome {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, docURL, nil)
	if err != nil {
		return Failed("set login.url to the issuer's URL", "login.url %q is not a URL: %v", lp.Login.URL, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, body, err := env.Fetch(req, true, maxProviderBody)
	if err != nil {
		return Failed("", "%v", err)
	}
	// A small document: the time it took to read adds nothing to a skew
	// measured in minutes.
	local := env.Now()
	what := netdiag.DescribeBody(resp.Header.Get("Content-Type"), body)
	notIssuer := "login.url must be the issuer: the URL under which /.well-known/openid-configuration is served"
	if resp.StatusCode != http.StatusOK {
		return Failed(notIssuer, "GET %s %s with %s", docURL, netdiag.Answered(docURL, resp), what)
	}
	var md Discovered
	if what != "JSON" || json.Unmarshal(body, &md) != nil {
		return Failed(notIssuer, "GET %s %s with %s, not a discovery document", docURL, netdiag.Answered(docURL, resp), what)
	}
	if md.Issuer == "" && md.AuthorizationEndpoint == "" && md.TokenEndpoint == "" {
		return Failed(notIssuer, "GET %s answered with JSON that has no issuer, authorization_endpoint or token_endpoint", docURL)
	}
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		lp.providerDate, lp.localDate = d, local
	}
	lp.metadata = &md
	return Passed("%s answered with a discovery document for issuer %q", docURL, md.Issuer)
}

// describeList joins values for messages: "a, b, c", or "none".
func describeList(vs []string) string {
	if len(vs) == 0 {
		return "none"
	}
	return strings.Join(vs, ", ")
}
