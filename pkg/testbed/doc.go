// Package testbed starts the real servers that hubctl's end-to-end tests run
// against — JupyterHub with OAuthenticator, Ory Hydra, panva's oidc-provider,
// Dex and a Doorkeeper app configured as NBGallery runs it — on loopback ports,
// and stops them by PID.
//
// The servers are installed under <repo>/.build/ by scripts/e2e-deps; a test
// that needs a piece that is missing fails (it never skips) and names that
// command. Tests that start servers carry the build tag e2e:
//
//	scripts/e2e-deps && go test -tags e2e ./...
//
// # Servers
//
//   - [StartHub] runs JupyterHub 5.5 or 6.1 (with configurable-http-proxy) from
//     a prelude that pins every port and state file, followed by the caller's
//     Python config.
//   - [StartHydra] runs Ory Hydra v2.3.0 with an in-memory database, over http
//     or over TLS with a certificate from [NewCA]; [Hydra.CreateClient] adds
//     OAuth clients through the admin API.
//   - [StartOIDCProvider] runs panva's oidc-provider with static clients,
//     dynamic registration (optionally behind an initial access token) and
//     its development login and consent pages.
//   - [StartDex] runs Dex v2.45.1 with an in-memory store, a password user
//     and its gRPC API over mutual TLS, for hubctl app's Dex backend;
//     [Dex.LogIn] logs in through its password form.
//   - [StartDoorkeeper] runs Doorkeeper in a one-file Rails app set up like
//     NBGallery's provider: scopes read/write, a login form, the consent page
//     and NBGallery's /oauth/userinfo JSON.
//
// Every server binds 127.0.0.1 on ports from [FreePort], logs to a file in
// t.TempDir(), is stopped in t.Cleanup (SIGTERM to its PID, then SIGKILL to
// its process group) and has the tail of its log printed when the test failed.
// Each handle embeds [Process], whose PID, Log, LogTail and Stop let a test
// look at the server's log or stop it early.
//
// # Logging in without a browser
//
// [NewBrowser] returns an http.Client with a cookie jar that does not follow
// redirects by itself. [Hydra.LogIn], [OIDCProvider.LogIn] and
// [Doorkeeper.LogIn] take such a client and a [Flow] (a start URL such as a
// hub's /hub/oauth_login, a user name and password), step through the
// redirects and the provider's login and consent pages, and return the
// response of the first request back on the start URL's host, usually the
// OAuth callback, together with every hop on the way. [Doorkeeper.SignIn]
// logs a browser in without a flow (for NBGallery's admin pages), and
// [ParseForms] reads the forms of a page for tests that drive one by hand.
package testbed
