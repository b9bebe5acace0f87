package cmd_test

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Known secret values: none may appear in any output of any command unless
// a flag asks for it (--inline-secrets, --show-secrets, --reveal-secret)
// or the command's job is to print them (render secret).
const (
	leakClientSecret = "leak-client-secret-7f3a9c1e5b"
	leakViewerToken  = "leak-viewer-token-2d8e6a4f0c91"
	leakFileSecret   = "leak-file-secret-b5c7e9a1d3f2"
	leakValuesSecret = "leak-values-secret-c4e6a8b0d2f4"
)

var leakValues = []string{leakClientSecret, leakViewerToken, leakFileSecret, leakValuesSecret}

// leakSpec has an env secret, a file secret and a service token; %s is the
// login URL.
const leakSpec = `version: 1
hub:
  url: https://hub.example.org
login:
  provider: oauth2
  url: %[1]s
  authorizeUrl: %[1]s/authorize
  tokenUrl: %[1]s/token
  userdataUrl: %[1]s/userinfo
  clientId: hub
  clientSecret: {env: OAUTH_CLIENT_SECRET}
  allow: {all: true}
services:
  nbviewer:
    url: http://nbviewer:8080
    access: all
    apiToken: {env: NBVIEWER_API_TOKEN}
  reports:
    url: http://reports:8080
    access: all
    apiToken: {file: reports-token}
`

// TestNoSecretInAnyOutput runs every command in every output format, on
// success and on the error paths (a missing variable, a short token, an
// unreachable provider, an invalid spec), with known secrets in the
// environment and in files, and fails if a value shows anywhere: standard
// output, standard error, or a file written with -o.
func TestNoSecretInAnyOutput(t *testing.T) {
	dir := t.TempDir()
	// A closed port: the provider is unreachable.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	spec := filepath.Join(dir, "hubctl.yaml")
	os.WriteFile(spec, []byte(fmt.Sprintf(leakSpec, closed)), 0o644)
	os.WriteFile(filepath.Join(dir, "reports-token"), []byte(leakFileSecret+"\n"), 0o600)
	short := filepath.Join(dir, "short.yaml")
	os.WriteFile(short, []byte(strings.Replace(fmt.Sprintf(leakSpec, closed), "{file: reports-token}", "{file: short-token}", 1)), 0o644)
	os.WriteFile(filepath.Join(dir, "short-token"), []byte("abc"), 0o600)
	invalid := filepath.Join(dir, "invalid.yaml")
	os.WriteFile(invalid, []byte(strings.Replace(fmt.Sprintf(leakSpec, closed), "clientId: hub", "clientId: hub\n  clientSecret2: "+leakClientSecret, 1)), 0o644)
	values := filepath.Join(dir, "config.yaml")
	os.WriteFile(values, []byte("hub:\n  config:\n    JupyterHub:\n      authenticator_class: generic-oauth\n    GenericOAuthenticator:\n      client_secret: \""+leakValuesSecret+"\"\n      allow_all: true\n  services:\n    x:\n      apiToken: \""+leakValuesSecret+"\"\n"), 0o644)

	full := map[string]string{"OAUTH_CLIENT_SECRET": leakClientSecret, "NBVIEWER_API_TOKEN": leakViewerToken}
	missing := map[string]string{"OAUTH_CLIENT_SECRET": leakClientSecret}
	out := func(name string) string { return filepath.Join(dir, "out", name) }
	os.MkdirAll(filepath.Join(dir, "out"), 0o755)

	type run struct {
		env  map[string]string
		args []string
	}
	var runs []run
	add := func(env map[string]string, args ...string) { runs = append(runs, run{env, args}) }
	for _, f := range []string{spec, short, invalid} {
		for _, env := range []map[string]string{full, missing} {
			add(env, "validate", "-f", f)
			add(env, "validate", "-f", f, "--format", "json")
			add(env, "render", "helm-values", "-f", f)
			add(env, "render", "helm-values", "-f", f, "-o", out("values.yaml"))
			add(env, "render", "hub-config", "-f", f)
			add(env, "render", "hub-config", "-f", f, "-o", out("config.py"))
			add(env, "render", "service-env", "nbviewer", "-f", f)
			add(env, "render", "service-env", "reports", "-f", f, "--format", "json")
			add(env, "render", "doctor-job", "-f", f, "--image", "registry.example.org/hubctl:1")
			for _, format := range []string{"text", "json", "junit", "github", "sarif"} {
				add(env, "doctor", "-f", f, "--format", format, "--timeout", "1s")
				add(env, "doctor", "-f", f, "--format", format, "-o", out("doctor."+format), "--timeout", "1s")
				add(env, "lint", values, "--format", format)
				add(env, "lint", values, "--format", format, "-o", out("lint."+format))
			}
			add(env, "app", "list", "-f", f)
			add(env, "app", "list", "-f", f, "--format", "json")
			add(env, "app", "create", "login", "-f", f, "--dry-run")
		}
	}
	add(nil, "migrate", values)
	// render helm-values --merge is left out: its output is the user's own
	// values file, which holds the literal secret it had.

	for _, r := range runs {
		res := execute(t, setup{env: r.env}, r.args...)
		where := strings.Join(r.args, " ")
		check := func(stream, text string) {
			for _, v := range leakValues {
				if strings.Contains(text, v) {
					t.Errorf("hubctl %s (exit %d): %s shows a secret value:\n%s", where, res.code, stream, text)
				}
			}
		}
		check("stdout", res.out)
		check("stderr", res.errOut)
		for i, a := range r.args {
			if a == "-o" && i+1 < len(r.args) {
				if data, err := os.ReadFile(r.args[i+1]); err == nil {
					check(r.args[i+1], string(data))
				}
				os.Remove(r.args[i+1])
			}
		}
	}
	if len(runs) < 100 {
		t.Fatalf("only %d runs", len(runs))
	}
}

// TestSecretFilesArePrivateWhateverTheUmask writes every secret-bearing
// output with a umask that would make files world-readable: each is 0600.
func TestSecretFilesArePrivateWhateverTheUmask(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := t.TempDir()
	env := map[string]string{"OAUTH_CLIENT_SECRET": leakClientSecret, "NBVIEWER_API_TOKEN": leakViewerToken}
	spec := repo(t, "examples/nbgallery.yaml")
	// A looser file already there is made private, not kept world-readable.
	loose := filepath.Join(dir, "secret.yaml")
	os.WriteFile(loose, []byte("old"), 0o666)
	for _, args := range [][]string{
		{"render", "secret", "-f", spec, "-o", loose},
		{"render", "helm-values", "-f", spec, "--inline-secrets", "-o", filepath.Join(dir, "values.yaml")},
		{"render", "hub-config", "-f", spec, "--inline-secrets", "-o", filepath.Join(dir, "config.py")},
	} {
		if r := execute(t, setup{env: env}, args...); r.code != 0 {
			t.Fatalf("hubctl %s: exit %d %s", strings.Join(args, " "), r.code, r.errOut)
		}
		file := args[len(args)-1]
		if info, err := os.Stat(file); err != nil || info.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, %v; want 0600 with umask 0", file, info.Mode().Perm(), err)
		}
	}
	// The state import writes holds secrets too.
	values := filepath.Join(dir, "config.yaml")
	os.WriteFile(values, []byte("hub:\n  config:\n    JupyterHub:\n      authenticator_class: generic-oauth\n    GenericOAuthenticator:\n      client_id: a\n      client_secret: \""+leakValuesSecret+"\"\n      oauth_callback_url: https://hub.example.org/hub/oauth_callback\n      authorize_url: https://id.example.org/authorize\n      token_url: https://id.example.org/token\n      userdata_url: https://id.example.org/userinfo\n      allow_all: true\n"), 0o644)
	if r := execute(t, setup{}, "import", values, "-o", filepath.Join(dir, "hubctl.yaml")); r.code != 0 {
		t.Fatalf("import: exit %d %s", r.code, r.errOut)
	}
	for _, p := range []string{filepath.Join(dir, ".hubctl"), filepath.Join(dir, ".hubctl", "state.json")} {
		info, err := os.Stat(p)
		want := os.FileMode(0o600)
		if info != nil && info.IsDir() {
			want = 0o700
		}
		if err != nil || info.Mode().Perm() != want {
			t.Errorf("%s: mode %v, %v; want %v with umask 0", p, info.Mode().Perm(), err, want)
		}
	}
}
