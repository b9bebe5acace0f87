package spec

import (
	"net/url"
	"strings"

	"github.com/hubctl/hubctl/pkg/jupyterhub"
)

// Origin is the scheme and host of the hub's public URL.
func (h Hub) Origin() string {
	u, err := url.Parse(h.URL)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// BasePath is JupyterHub's base_url: the path of the public URL, with a
// slash at each end ("/" for a hub at the root).
func (h Hub) BasePath() string {
	u, err := url.Parse(h.URL)
	if err != nil {
		return "/"
	}
	p := strings.Trim(u.Path, "/")
	if p == "" {
		return "/"
	}
	return "/" + p + "/"
}

// LoginCallbackURL is where the hub receives its own login's OAuth callback.
func (h Hub) LoginCallbackURL() string {
	return h.Origin() + h.BasePath() + "hub/oauth_callback"
}

// ServicePrefix is the path the hub's proxy routes to a service.
func (h Hub) ServicePrefix(name string) string {
	return h.BasePath() + "services/" + name + "/"
}

// ServiceRedirectURI is a service's OAuth callback behind the hub's proxy.
func (h Hub) ServiceRedirectURI(name string) string {
	return h.Origin() + h.ServicePrefix(name) + "oauth_callback"
}

// ResolvedAPIURL is apiUrl, or the public URL's /hub/api when none is set.
func (h Hub) ResolvedAPIURL() string {
	if h.APIURL != "" {
		return strings.TrimSuffix(h.APIURL, "/")
	}
	return h.Origin() + h.BasePath() + "hub/api"
}

// ResolvedCallbackURL is login.callbackUrl or the derived default.
func (s *Spec) ResolvedCallbackURL() string {
	if s.Login != nil && s.Login.CallbackURL != "" {
		return s.Login.CallbackURL
	}
	return s.Hub.LoginCallbackURL()
}

// RedirectURI is the service's redirectUri or the derived default.
func (s *Spec) RedirectURI(svc Service) string {
	if svc.RedirectURI != "" {
		return svc.RedirectURI
	}
	return s.Hub.ServiceRedirectURI(svc.Name)
}

// ClientID is the service's OAuth client id, JupyterHub's default when unset.
func (svc Service) ResolvedClientID() string {
	if svc.ClientID != "" {
		return svc.ClientID
	}
	return "service-" + svc.Name
}

// TargetVersion is the JupyterHub version the spec targets: hub.jupyterhub,
// or the chart's version when it is absent or unreadable (validation
// reports the latter).
func (h Hub) TargetVersion() jupyterhub.Version {
	if h.JupyterHub == "" {
		return jupyterhub.Default
	}
	v, err := jupyterhub.ParseVersion(h.JupyterHub)
	if err != nil {
		return jupyterhub.Default
	}
	return v
}

// TokenEnvName is the environment variable hubctl suggests for a service's
// token: the name in capitals with other characters as underscores, then
// _API_TOKEN (nbviewer gives NBVIEWER_API_TOKEN).
//
// Each run of other characters becomes one underscore, as the regexp
// [^A-Za-z0-9]+ would replace it; the loop is that replacement without a
// regexp, since validation derives this name for every service.
func TokenEnvName(service string) string {
	var b strings.Builder
	b.Grow(len(service) + len("_API_TOKEN"))
	inRun := false
	for _, r := range service {
		if r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			b.WriteRune(r)
			inRun = false
			continue
		}
		if !inRun {
			b.WriteByte('_')
			inRun = true
		}
	}
	return strings.ToUpper(b.String()) + "_API_TOKEN"
}
