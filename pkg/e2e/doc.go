// Package e2e proves that what hubctl renders works: its tests (build tag
// e2e) run the hubctl binary on specs, start a real JupyterHub with
// OAuthenticator on the result, and log in through real OAuth servers
// (Ory Hydra, panva's oidc-provider, Doorkeeper as NBGallery runs it),
// using pkg/testbed. Set up with scripts/e2e-deps; run with scripts/test.
package e2e
