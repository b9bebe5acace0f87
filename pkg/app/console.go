package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// ConsoleOptions configure the guided mode for providers that have no
// registration API a script can use (GitHub, Google, Entra ID, or any
// provider with --backend console): hubctl prints the console steps and
// reads what the console shows.
type ConsoleOptions struct {
	// LoginURL is the spec's login.url, which says which console it is.
	LoginURL string
	// TokenURL returns the token endpoint, to check the answers with; an
	// error skips the check (hubctl doctor checks them later).
	TokenURL   func(context.Context) (string, error)
	HTTPClient *http.Client
	Prompt     Prompter
	Out        io.Writer
}

// console is one provider's console: where to go and what to enter.
type console struct {
	name string
	// steps prints the registration steps for c.
	steps func(w io.Writer, c Client)
	// rotate prints how to add a secret beside the old one.
	rotate string
	// remove says how to delete the client.
	remove string
}

// ConsoleFor names the console of a login URL's provider, "" when hubctl
// knows no console steps for it (the generic steps apply).
func ConsoleFor(loginURL string) string {
	u, err := url.Parse(loginURL)
	if err != nil {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	switch {
	case host == "github.com" || strings.HasSuffix(host, ".github.com"):
		return "github"
	case host == "accounts.google.com" || host == "oauth2.googleapis.com":
		return "google"
	case host == "login.microsoftonline.com" || strings.HasSuffix(host, ".ciamlogin.com"):
		return "entra"
	}
	return ""
}

var consoles = map[string]console{
	"github": {
		name: "GitHub",
		steps: func(w io.Writer, c Client) {
			fmt.Fprintf(w, "  1. Open https://github.com/settings/applications/new (for an organisation: Settings > Developer settings > OAuth Apps > New OAuth App).\n")
			fmt.Fprintf(w, "  2. Enter:\n")
			fmt.Fprintf(w, "       Application name:            %s\n", c.DisplayName)
			fmt.Fprintf(w, "       Homepage URL:                %s\n", homepageOf(c))
			fmt.Fprintf(w, "       Authorization callback URL:  %s\n", firstOr(c.RedirectURIs, ""))
			if len(c.RedirectURIs) > 1 {
				fmt.Fprintf(w, "     (a GitHub OAuth App takes one callback URL; the others must lie below it)\n")
			}
			fmt.Fprintf(w, "  3. Press Register application, then Generate a new client secret.\n")
			fmt.Fprintf(w, "     GitHub takes the scopes (%s) at login, not here.\n", strings.Join(c.Scopes, " "))
		},
		rotate: "on the OAuth App's page press Generate a new client secret; delete the old secret there once the hub runs with the new one",
		remove: "open https://github.com/settings/developers, choose the OAuth App and press Delete application",
	},
	"google": {
		name: "Google Cloud",
		steps: func(w io.Writer, c Client) {
			fmt.Fprintf(w, "  1. Open https://console.cloud.google.com/apis/credentials and choose the project.\n")
			fmt.Fprintf(w, "  2. Create credentials > OAuth client ID; Application type: Web application.\n")
			fmt.Fprintf(w, "  3. Enter:\n")
			fmt.Fprintf(w, "       Name:                     %s\n", c.DisplayName)
			for i, u := range c.RedirectURIs {
				label := "Authorized redirect URIs:"
				if i > 0 {
					label = ""
				}
				fmt.Fprintf(w, "       %-25s %s\n", label, u)
			}
			fmt.Fprintf(w, "  4. Press Create; the dialog shows the Client ID and the Client secret.\n")
			fmt.Fprintf(w, "     Google takes the scopes (%s) at login; the consent screen must allow them.\n", strings.Join(c.Scopes, " "))
		},
		rotate: "open the OAuth client in https://console.cloud.google.com/apis/credentials and press Add secret; disable and delete the old one once the hub runs with the new one",
		remove: "open https://console.cloud.google.com/apis/credentials and delete the OAuth client",
	},
	"entra": {
		name: "Microsoft Entra ID",
		steps: func(w io.Writer, c Client) {
			fmt.Fprintf(w, "  1. Open https://entra.microsoft.com > Applications > App registrations > New registration.\n")
			fmt.Fprintf(w, "  2. Enter:\n")
			fmt.Fprintf(w, "       Name:                      %s\n", c.DisplayName)
			fmt.Fprintf(w, "       Supported account types:   this organizational directory only (or as your tenant needs)\n")
			fmt.Fprintf(w, "       Redirect URI:              platform Web, %s\n", firstOr(c.RedirectURIs, ""))
			for _, u := range c.RedirectURIs[min(1, len(c.RedirectURIs)):] {
				fmt.Fprintf(w, "                                  (add under Authentication) %s\n", u)
			}
			fmt.Fprintf(w, "  3. Press Register; the Overview shows the Application (client) ID.\n")
			fmt.Fprintf(w, "  4. Certificates & secrets > New client secret > Add; copy its Value (not its Secret ID).\n")
		},
		rotate: "in the app registration's Certificates & secrets press New client secret; delete the old secret once the hub runs with the new one",
		remove: "open the app registration in https://entra.microsoft.com > App registrations and press Delete",
	},
}

var genericConsole = console{
	name: "the provider's console",
	steps: func(w io.Writer, c Client) {
		fmt.Fprintf(w, "  1. In the provider's admin console, create an OAuth 2.0 / OpenID Connect client (a web application).\n")
		fmt.Fprintf(w, "  2. Enter:\n")
		fmt.Fprintf(w, "       Name:                        %s\n", c.DisplayName)
		fmt.Fprintf(w, "       Client type:                 confidential\n")
		for i, u := range c.RedirectURIs {
			label := "Redirect URI:"
			if i > 0 {
				label = ""
			}
			fmt.Fprintf(w, "       %-28s %s\n", label, u)
		}
		fmt.Fprintf(w, "       Grant type:                  %s\n", strings.Join(c.GrantTypes, ", "))
		fmt.Fprintf(w, "       Token endpoint auth method:  %s\n", c.AuthMethod)
		fmt.Fprintf(w, "       Scopes:                      %s\n", strings.Join(c.Scopes, " "))
		if c.PKCE {
			fmt.Fprintf(w, "       PKCE:                        S256 (allowed or required)\n")
		}
		fmt.Fprintf(w, "  3. Save; the console shows the client id and the client secret.\n")
	},
	rotate: "issue a new secret for the client in the provider's console",
	remove: "delete the client in the provider's console",
}

// NewConsole is the guided mode for a provider registered by hand.
func NewConsole(o ConsoleOptions) Backend {
	if o.Out == nil {
		o.Out = io.Discard
	}
	k, ok := consoles[ConsoleFor(o.LoginURL)]
	if !ok {
		k = genericConsole
	}
	return &consoleBackend{o: o, k: k}
}

type consoleBackend struct {
	o ConsoleOptions
	k console
}

func (b *consoleBackend) Name() string { return "console" }

func (b *consoleBackend) Create(ctx context.Context, c Client) (Registration, error) {
	if b.k.name == genericConsole.name {
		fmt.Fprintf(b.o.Out, "Register %s by hand in the provider's console:\n", c.Name)
	} else {
		fmt.Fprintf(b.o.Out, "%s has no registration API hubctl can use; register %s by hand:\n", b.k.name, c.Name)
	}
	b.k.steps(b.o.Out, c)
	id, err := b.askID()
	if err != nil {
		return Registration{}, err
	}
	sec, err := b.askSecret()
	if err != nil {
		return Registration{}, err
	}
	if err := b.check(ctx, c, id, sec); err != nil {
		return Registration{}, err
	}
	return Registration{ClientID: id, ClientSecret: sec}, nil
}

func (b *consoleBackend) Rotate(ctx context.Context, c Client, prev Stored) (Registration, error) {
	id := firstNonEmpty(c.ClientID, prev.ClientID)
	fmt.Fprintf(b.o.Out, "Issue a new secret for client %s by hand: %s.\n", id, b.k.rotate)
	sec, err := b.askSecret()
	if err != nil {
		return Registration{}, err
	}
	if err := b.check(ctx, c, id, sec); err != nil {
		return Registration{}, err
	}
	return Registration{ClientID: id, ClientSecret: sec}, nil
}

func (b *consoleBackend) Get(_ context.Context, c Client, prev Stored) (Registration, bool, error) {
	return Registration{}, false, fmt.Errorf("hubctl cannot read clients in %s: check client %s there: %w",
		b.k.name, firstNonEmpty(c.ClientID, prev.ClientID), ErrNotSupported)
}

func (b *consoleBackend) Update(_ context.Context, c Client, prev Stored) (Registration, error) {
	fmt.Fprintf(b.o.Out, "Change client %s in %s by hand so that it has:\n", firstNonEmpty(c.ClientID, prev.ClientID), b.k.name)
	fmt.Fprintf(b.o.Out, "  redirect URIs: %s\n  scopes: %s\n", strings.Join(c.RedirectURIs, " "), strings.Join(c.Scopes, " "))
	return Registration{}, fmt.Errorf("hubctl cannot change clients in %s: make the changes above: %w", b.k.name, ErrNotSupported)
}

func (b *consoleBackend) Delete(_ context.Context, c Client, prev Stored) error {
	fmt.Fprintf(b.o.Out, "Delete client %s by hand: %s.\n", firstNonEmpty(c.ClientID, prev.ClientID), b.k.remove)
	return fmt.Errorf("hubctl cannot delete clients in %s: delete it as shown above: %w", b.k.name, ErrNotSupported)
}

func (b *consoleBackend) askID() (string, error) {
	if b.o.Prompt == nil {
		return "", errors.New("guided mode reads the client id and secret from a terminal or standard input, and has neither here: pass --client-id and --client-secret-file")
	}
	id, err := b.o.Prompt.Line("Client ID")
	if err != nil {
		return "", err
	}
	if id == "" || strings.ContainsAny(id, " \t") {
		return "", fmt.Errorf("the client id %q is not one: copy it from %s", id, b.k.name)
	}
	return id, nil
}

func (b *consoleBackend) askSecret() (string, error) {
	if b.o.Prompt == nil {
		return "", errors.New("guided mode reads the client secret from a terminal or standard input, and has neither here: pass --client-secret-file")
	}
	sec, err := b.o.Prompt.Secret("Client secret")
	if err != nil {
		return "", err
	}
	if sec == "" || strings.ContainsAny(sec, " \t") {
		return "", fmt.Errorf("the client secret entered is empty or has spaces: copy it from %s", b.k.name)
	}
	return sec, nil
}

// check tries the answers at the token endpoint, when it is known.
func (b *consoleBackend) check(ctx context.Context, c Client, id, sec string) error {
	if b.o.TokenURL == nil {
		return nil
	}
	tokenURL, err := b.o.TokenURL(ctx)
	if err != nil || tokenURL == "" {
		fmt.Fprintf(b.o.Out, "note: the token endpoint is not known (%v), so the client id and secret were not tried; hubctl doctor tries them\n", err)
		return nil
	}
	return checkClientCredentials(ctx, b.o.HTTPClient, b.o.Out, tokenURL, c, id, sec,
		func(code string) error {
			return fmt.Errorf("%s refuses client %s with the secret entered (%s): copy both again from %s, and check that the client may use the authorization_code grant", tokenURL, id, code, b.k.name)
		})
}

// checkClientCredentials sends a token request with a code that cannot
// exist: a provider says invalid_client (GitHub: incorrect_client_credentials)
// for a wrong client id or secret before it looks at the code, and
// unauthorized_client for a client that may not use the grant (Entra ID
// also for an unknown client). Any other answer, or none, passes: hubctl
// doctor looks closer later.
func checkClientCredentials(ctx context.Context, client *http.Client, out io.Writer, tokenURL string, c Client, id, sec string, refused func(code string) error) error {
	form := url.Values{"grant_type": {"authorization_code"}, "code": {"hubctl-credentials-check"}}
	if len(c.RedirectURIs) > 0 {
		form.Set("redirect_uri", c.RedirectURIs[0])
	}
	if c.AuthMethod != "client_secret_basic" {
		form.Set("client_id", id)
		form.Set("client_secret", sec)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil
	}
	if c.AuthMethod == "client_secret_basic" {
		req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(sec))
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		if !errors.Is(err, ErrDryRun) {
			fmt.Fprintf(out, "note: could not try the client id and secret at %s (%v); hubctl doctor tries them later\n", tokenURL, redactURLError(err))
		}
		return nil
	}
	defer resp.Body.Close()
	var body struct {
		Error string `json:"error"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&body)
	switch body.Error {
	case "invalid_client", "incorrect_client_credentials", "unauthorized_client":
		return refused(body.Error)
	}
	return nil
}

func homepageOf(c Client) string {
	if len(c.RedirectURIs) == 0 {
		return ""
	}
	u, err := url.Parse(c.RedirectURIs[0])
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host + "/"
}

func firstOr(vs []string, def string) string {
	if len(vs) == 0 {
		return def
	}
	return vs[0]
}
