package render

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubctl/hubctl/pkg/hub"
	"github.com/hubctl/hubctl/pkg/secret"
)

// A private key in login.caFile stays out of the helm values, whose
// hub.extraFiles anyone in the hub pod may read, and the user hears of it.
func TestCAFileKeepsOnlyCertificates(t *testing.T) {
	dir := t.TempDir()
	ca, err := os.ReadFile(filepath.Join("..", "..", "examples", "gallery-ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	key := "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1ieXRlcw==\n-----END PRIVATE KEY-----\n"
	os.WriteFile(filepath.Join(dir, "with-key.pem"), append(ca, key...), 0o600)
	os.WriteFile(filepath.Join(dir, "key-only.pem"), []byte(key), 0o600)

	cfg := &hub.Config{BaseURL: "/", ExistingSecret: hub.DefaultExistingSecret, Authenticator: &hub.Authenticator{
		CAFile:       "with-key.pem",
		ClientSecret: hub.Secret{Ref: secret.Ref{Kind: secret.Env, Env: "OAUTH_CLIENT_SECRET"}, SpecPath: "login.clientSecret", HubEnv: hub.ClientSecretEnv, SecretKey: hub.LoginClientSecretKey},
	}}
	var warnings []string
	opts := Options{Source: "hubctl.yaml", Resolver: secret.Resolver{BaseDir: dir}, Warn: func(msg string) { warnings = append(warnings, msg) }}
	out, err := HelmValues(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "PRIVATE KEY") || strings.Contains(string(out), "c2VjcmV0") {
		t.Errorf("the helm values carry the private key:\n%s", out)
	}
	if !strings.Contains(string(out), "BEGIN CERTIFICATE") {
		t.Errorf("the helm values lack the certificate:\n%s", out)
	}
	want := "login.caFile: " + filepath.Join(dir, "with-key.pem") + " holds a PRIVATE KEY block, which was left out"
	if len(warnings) != 1 || warnings[0] != want {
		t.Errorf("warnings = %q, want [%q]", warnings, want)
	}

	cfg.Authenticator.CAFile = "key-only.pem"
	_, err = HelmValues(cfg, opts)
	if want := "login.caFile: " + filepath.Join(dir, "key-only.pem") + " holds no PEM certificate"; err == nil || err.Error() != want {
		t.Errorf("a file without a certificate: %v, want %q", err, want)
	}
	cfg.Authenticator.CAFile = "/dev/zero"
	_, err = HelmValues(cfg, opts)
	if want := "login.caFile: reading /dev/zero: is a character device, not a regular file or a pipe"; err == nil || err.Error() != want {
		t.Errorf("a device: %v, want %q", err, want)
	}
}
