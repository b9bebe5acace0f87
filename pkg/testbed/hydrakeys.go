package testbed

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"math/big"
	"sync"
)

// idTokenKeySet is Hydra's key set for signing ID tokens.
const idTokenKeySet = "hydra.openid.id-token"

var (
	signingKeyOnce sync.Once
	signingKey     map[string]any
	signingKeyErr  error
)

// testSigningKey is an RSA 2048 private key as a JWK, made once per test
// process. Hydra would otherwise make a 4096-bit key during the first login,
// inside the browser's request: on a loaded two-core machine that took
// longer than the request's timeout, and the login failed with a
// server_error (seen in CI).
func testSigningKey() (map[string]any, error) {
	signingKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			signingKeyErr = err
			return
		}
		k.Precompute()
		b64 := func(n *big.Int) string { return base64.RawURLEncoding.EncodeToString(n.Bytes()) }
		signingKey = map[string]any{
			"kty": "RSA", "use": "sig", "alg": "RS256", "kid": "hubctl-testbed",
			"n": b64(k.N), "e": b64(big.NewInt(int64(k.E))), "d": b64(k.D),
			"p": b64(k.Primes[0]), "q": b64(k.Primes[1]),
			"dp": b64(k.Precomputed.Dp), "dq": b64(k.Precomputed.Dq), "qi": b64(k.Precomputed.Qinv),
		}
	})
	return signingKey, signingKeyErr
}

// installSigningKey gives Hydra its ID token key before any login needs it.
func (h *Hydra) installSigningKey(ctx context.Context) error {
	key, err := testSigningKey()
	if err != nil {
		return fmt.Errorf("generating the ID token key: %w", err)
	}
	body := map[string]any{"keys": []any{key}}
	if err := h.admin(ctx, "PUT", "/admin/keys/"+idTokenKeySet, nil, body, nil); err != nil {
		return fmt.Errorf("installing the ID token key: %w", err)
	}
	return nil
}
