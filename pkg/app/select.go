package app

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/hubctl/hubctl/pkg/provider"
	"github.com/hubctl/hubctl/pkg/spec"
)

// Backend names accepted by --backend.
var BackendNames = []string{"rfc7591", "hydra-admin", "dex", "nbgallery", "console"}

// SelectOptions say how to reach the registries; the command fills them
// from flags and secret references.
type SelectOptions struct {
	// Backend forces a login backend; empty chooses by the provider.
	Backend    string
	HTTPClient *http.Client
	// RegistrationURL overrides discovery's registration_endpoint;
	// InitialToken is an RFC 7591 initial access token.
	RegistrationURL, InitialToken string
	// AdminURL is Hydra's admin API.
	AdminURL string
	Dex      DexOptions
	// SessionCookie is an NBGallery admin's session cookie (session mode);
	// empty is guided mode, which asks through Prompt.
	SessionCookie string
	Prompt        Prompter
	Out           io.Writer
	// HubToken is the hub's admin token for its services API.
	HubToken string
}

// SelectLogin chooses the backend for the hub's login client: the one
// --backend names, else by the provider: NBGallery's applications, the
// guided console steps for GitHub, Google and Entra ID (which have no
// registration API), Dex's gRPC API or Hydra's admin API when their
// address is given, else RFC 7591 registration where discovery advertises
// it.
func SelectLogin(ctx context.Context, s *spec.Spec, o SelectOptions) (Backend, error) {
	l := s.Login
	name := o.Backend
	if name == "" {
		switch {
		case l.Provider == spec.ProviderNBGallery:
			name = "nbgallery"
		case ConsoleFor(l.URL) != "" || ConsoleFor(l.AuthorizeURL) != "":
			name = "console"
		case o.Dex.Address != "":
			name = "dex"
		case o.AdminURL != "":
			name = "hydra-admin"
		default:
			name = "rfc7591"
		}
	}
	switch name {
	case "nbgallery":
		return NewNBGallery(NBGalleryOptions{HTTPClient: o.HTTPClient, BaseURL: strings.TrimSuffix(l.URL, "/"),
			SessionCookie: o.SessionCookie, Prompt: o.Prompt, Out: o.Out}), nil
	case "console":
		tokenURL := func(ctx context.Context) (string, error) {
			ep, err := provider.Resolve(ctx, l, o.HTTPClient)
			return ep.Token, err
		}
		return NewConsole(ConsoleOptions{LoginURL: firstNonEmpty(l.AuthorizeURL, l.URL), TokenURL: tokenURL,
			HTTPClient: o.HTTPClient, Prompt: o.Prompt, Out: o.Out}), nil
	case "dex":
		if o.Dex.Address == "" {
			return nil, fmt.Errorf("--backend dex needs --dex-address HOST:PORT (Dex's gRPC API)")
		}
		return NewDex(o.Dex)
	case "hydra-admin":
		if o.AdminURL == "" {
			return nil, fmt.Errorf("--backend hydra-admin needs --admin-url (Hydra's admin API, such as http://hydra-admin:4445)")
		}
		return NewHydraAdmin(HydraAdminOptions{HTTPClient: o.HTTPClient, AdminURL: strings.TrimSuffix(o.AdminURL, "/")}), nil
	case "rfc7591":
		reg := o.RegistrationURL
		if reg == "" {
			if l.Provider != spec.ProviderOIDC {
				return nil, fmt.Errorf("a %s provider has no discovery: give --registration-url, or --backend (console registers by hand with hubctl's guidance)", l.Provider)
			}
			var err error
			if reg, err = RegistrationEndpoint(ctx, o.HTTPClient, l.URL); err != nil {
				return nil, err
			}
			if reg == "" {
				return nil, fmt.Errorf("%s advertises no registration_endpoint (dynamic client registration is off): "+
					"give --registration-url, use the provider's admin API (--admin-url for Hydra, --dex-address for Dex), "+
					"or register the client in the provider's console with --backend console, which says what to enter and stores what you paste", l.URL)
			}
		}
		return NewRFC7591(RFC7591Options{HTTPClient: o.HTTPClient, RegistrationURL: reg, InitialToken: o.InitialToken}), nil
	}
	return nil, fmt.Errorf("unknown backend %q: one of %s", name, strings.Join(BackendNames, ", "))
}

// SelectService is the backend for service clients: the hub's services
// API, or, without an admin token, registrations that take effect with the
// rendered configuration.
func SelectService(s *spec.Spec, o SelectOptions) Backend {
	details := func(name string) HubServiceDetails {
		svc, _ := s.Services.Get(name)
		return HubServiceDetails{URL: svc.URL, NoConfirm: svc.NoConfirm, Display: svc.Display}
	}
	return NewHubServices(HubServicesOptions{HTTPClient: o.HTTPClient, APIURL: s.Hub.ResolvedAPIURL(), Token: o.HubToken,
		Version: s.Hub.JupyterHub, Details: details, Out: o.Out})
}
