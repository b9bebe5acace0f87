package doctor

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/hubctl/hubctl/pkg/netdiag"
)

// NBGallery publishes no metadata, so these checks probe its Doorkeeper
// routes directly. Its scopes need no network: validate already checks
// them against provider.NBGallery (unknown-provider-scope,
// missing-provider-scope).
var (
	checkNBGalleryProvider = Register(&Check{ID: "nbgallery.oauth-provider", Title: "NBGallery's OAuth provider is on", Live: true,
		Doc: "GET /oauth/authorize does not answer 404, which means GALLERY__OAUTH_PROVIDER_ENABLED is off"})
	checkNBGalleryUserinfo = Register(&Check{ID: "nbgallery.userinfo", Title: "NBGallery's userinfo requires a token", Live: true,
		Doc: "GET /oauth/userinfo without a token answers 401, as Doorkeeper does"})
)

func planNBGallery(p *Plan, lp *LoginPlan) {
	env := p.Env
	l := lp.Login
	ep := lp.Endpoints()
	authorizeKey, userdataKey := "login.url", "login.url"
	if l.AuthorizeURL != "" {
		authorizeKey = "login.authorizeUrl"
	}
	if l.UserdataURL != "" {
		userdataKey = "login.userdataUrl"
	}
	p.Add(checkNBGalleryProvider, ep.Authorize, p.Gate(authorizeKey, ep.Authorize), func(ctx context.Context) Outcome {
		return nbgalleryAuthorize(ctx, env, ep.Authorize, authorizeKey)
	})
	p.Add(checkNBGalleryUserinfo, ep.Userdata, p.Gate(userdataKey, ep.Userdata), func(ctx context.Context) Outcome {
		return nbgalleryUserinfo(ctx, env, ep.Userdata, userdataKey)
	})
}

// nbgalleryReply is what nbgalleryGet learnt: the status, where a
// redirect pointed, and what the body looked like.
type nbgalleryReply struct {
	status   int
	answered string
	location string
	body     string
}

// nbgalleryGet GETs rawURL without following redirects.
func nbgalleryGet(ctx context.Context, env *Env, rawURL string) (nbgalleryReply, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nbgalleryReply{}, err
	}
	resp, body, err := env.Fetch(req, false, maxProviderBody)
	if err != nil {
		return nbgalleryReply{}, err
	}
	return nbgalleryReply{status: resp.StatusCode, answered: netdiag.Answered(rawURL, resp),
		location: resp.Header.Get("Location"), body: netdiag.DescribeBody(resp.Header.Get("Content-Type"), body)}, nil
}

// String says what answered: a redirect by where it points, anything else
// by its body.
func (r nbgalleryReply) String() string {
	if r.location != "" {
		return r.answered + ", to " + r.location
	}
	return r.answered + " with " + r.body
}

func nbgalleryAuthorize(ctx context.Context, env *Env, endpoint, key string) Outcome {
	q := url.Values{
		"client_id":     {env.Spec.Login.ClientID},
		"response_type": {"code"},
		"redirect_uri":  {env.Spec.ResolvedCallbackURL()},
	}
	r, err := nbgalleryGet(ctx, env, endpoint+"?"+q.Encode())
	if err != nil {
		return Failed("", "%v", err)
	}
	switch {
	case r.status == http.StatusNotFound:
		return Failed(fmt.Sprintf("set GALLERY__OAUTH_PROVIDER_ENABLED=true in NBGallery's environment (or oauth_provider_enabled: true in its config/settings.yml) and restart it, as it draws the routes at start; if it is on, check %s", key),
			"GET %s answered 404: NBGallery's OAuth provider is switched off", endpoint)
	case r.status >= 500:
		return Warned("NBGallery's log says why it failed", "GET %s %s", endpoint, r)
	}
	return Passed("GET %s %s: NBGallery's OAuth provider is on", endpoint, r)
}

func nbgalleryUserinfo(ctx context.Context, env *Env, endpoint, key string) Outcome {
	r, err := nbgalleryGet(ctx, env, endpoint)
	if err != nil {
		return Failed("", "%v", err)
	}
	switch r.status {
	case http.StatusUnauthorized:
		return Passed("GET %s without a token answered 401, as Doorkeeper does", endpoint)
	case http.StatusNotFound:
		return Failed(fmt.Sprintf("check %s: NBGallery serves its userinfo at /oauth/userinfo (users#userinfo in config/routes.rb)", key),
			"GET %s answered 404: no userinfo route there", endpoint)
	case http.StatusOK:
		return Failed(fmt.Sprintf("check %s: NBGallery's /oauth/userinfo is protected by Doorkeeper and answers 401 without a token", key),
			"GET %s without a token %s: it is not a token-protected userinfo", endpoint, r)
	}
	return Warned(fmt.Sprintf("check %s points at NBGallery itself, not at a proxy or login page in front of it", key),
		"GET %s without a token %s, not the 401 Doorkeeper answers", endpoint, r)
}
