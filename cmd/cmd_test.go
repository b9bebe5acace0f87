package cmd_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubctl/hubctl/cmd"
	"github.com/hubctl/hubctl/cmd/cmdutil"
	"github.com/hubctl/hubctl/pkg/golden"
	"github.com/hubctl/hubctl/pkg/iostreams"
)

type run struct {
	code        int
	out, errOut string
}

type setup struct {
	stdin            string
	stdinTTY, outTTY bool
	errTTY           bool
	env              map[string]string
	configFile       string
}

func execute(t *testing.T, s setup, args ...string) run {
	t.Helper()
	ios, in, out, errOut := iostreams.Test()
	in.WriteString(s.stdin)
	ios.SetStdinTTY(s.stdinTTY)
	ios.SetStdoutTTY(s.outTTY)
	ios.SetStderrTTY(s.errTTY)
	configFile := s.configFile
	if configFile == "" {
		configFile = filepath.Join(t.TempDir(), "absent.yaml")
	}
	f := &cmdutil.Factory{
		IO:         ios,
		Globals:    &cmdutil.Globals{},
		Build:      cmdutil.BuildInfo{Version: "1.2.3", Commit: "abc1234", Date: "2026-11-23"},
		ConfigFile: configFile,
		LookupEnv: func(name string) (string, bool) {
			v, ok := s.env[name]
			return v, ok
		},
	}
	code := cmd.Execute(f, args)
	return run{code, out.String(), errOut.String()}
}

func repo(t *testing.T, rel string) string {
	return filepath.Join(filepath.Dir(golden.Dir(t)), rel)
}

const badSpec = `version: 1
hub:
  url: http://hub.example.org
services:
  nbviewer:
    url: http://nbviewer:8080
    clientId: nbviewer
    apiToken: {env: T}
`

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestExitCodes(t *testing.T) {
	bad := writeFile(t, "hubctl.yaml", badSpec)
	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   string
		stderr   string
		noStdout bool
	}{
		{name: "valid example", args: []string{"validate", "-f", repo(t, "examples/nbgallery.yaml")}, code: 0, stderr: "is valid (0 errors, 0 warnings)"},
		{name: "invalid spec", args: []string{"validate", "-f", bad}, code: 2,
			stdout: `hubctl.yaml:3:8: hub.url: http://hub.example.org uses http`, stderr: "is invalid: 2 errors"},
		{name: "render invalid spec", args: []string{"render", "helm-values", "-f", bad}, code: 2, noStdout: true,
			stderr: "hubctl.yaml:7:15: services.nbviewer.clientId"},
		{name: "missing file", args: []string{"validate", "-f", "/nonexistent/hubctl.yaml"}, code: 1, stderr: "no such file"},
		{name: "unknown command", args: []string{"frobnicate"}, code: 2, stderr: `unknown command "frobnicate"`},
		{name: "unknown flag", args: []string{"validate", "--frobnicate"}, code: 2, stderr: "unknown flag: --frobnicate"},
		{name: "extra argument", args: []string{"validate", "extra"}, code: 2, stderr: "takes no arguments"},
		{name: "bad format", args: []string{"validate", "--format", "xml", "-f", bad}, code: 2, stderr: `--format "xml"`},
		{name: "unknown service", args: []string{"render", "service-env", "nope", "-f", repo(t, "examples/nbgallery.yaml")}, code: 2, stderr: `no service "nope"`},
		{name: "service-env needs a name", args: []string{"render", "service-env", "-f", repo(t, "examples/nbgallery.yaml")}, code: 2, stderr: "needs a service name"},
		{name: "missing secret", args: []string{"render", "secret", "-f", repo(t, "examples/nbgallery.yaml")}, code: 1, noStdout: true, stderr: "OAUTH_CLIENT_SECRET is not set"},
		{name: "help topic", args: []string{"help", "exit-codes"}, code: 0, stdout: "2  invalid input"},
		{name: "version", args: []string{"version"}, code: 0, stdout: "hubctl 1.2.3 (commit abc1234, built 2026-11-23)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := execute(t, setup{}, tt.args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tt.code, r.out, r.errOut)
			}
			if !strings.Contains(r.out, tt.stdout) {
				t.Errorf("stdout %q lacks %q", r.out, tt.stdout)
			}
			if !strings.Contains(r.errOut, tt.stderr) {
				t.Errorf("stderr %q lacks %q", r.errOut, tt.stderr)
			}
			if tt.noStdout && r.out != "" {
				t.Errorf("stdout should be empty, got %q", r.out)
			}
		})
	}
}

func TestValidateJSONAndStrict(t *testing.T) {
	warn := writeFile(t, "hubctl.yaml", "version: 1\nhub:\n  url: https://hub.example.org\nservices:\n  svc:\n    url: http://svc:80\n    apiToken: {env: T}\n")
	r := execute(t, setup{}, "validate", "-f", warn, "--format", "json")
	if r.code != 0 {
		t.Fatalf("a warning alone fails: %d %s", r.code, r.errOut)
	}
	var doc struct {
		Findings []struct {
			ID       string
			Severity string
			Position struct{ Line, Column int }
		}
		Warnings int
	}
	if err := json.Unmarshal([]byte(r.out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.out)
	}
	if doc.Warnings != 1 || doc.Findings[0].ID != "no-access" || doc.Findings[0].Severity != "warning" || doc.Findings[0].Position.Line != 5 {
		t.Errorf("unexpected findings: %+v", doc)
	}
	if r := execute(t, setup{}, "validate", "-f", warn, "--strict"); r.code != 2 {
		t.Errorf("--strict with a warning exits %d, want 2", r.code)
	}
	if r := execute(t, setup{}, "render", "hub-config", "-f", warn, "--strict"); r.code != 2 || r.out != "" {
		t.Errorf("render --strict with a warning exits %d and prints %q", r.code, r.out)
	}
}

func TestOutputFileIsWrittenWholeOrNotAtAll(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "values.yaml")
	r := execute(t, setup{}, "render", "helm-values", "-f", repo(t, "examples/nbgallery.yaml"), "-o", out)
	if r.code != 0 || r.out != "" {
		t.Fatalf("exit %d, stdout %q, stderr %s", r.code, r.out, r.errOut)
	}
	written, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	direct := execute(t, setup{}, "render", "helm-values", "-f", repo(t, "examples/nbgallery.yaml"))
	if string(written) != direct.out {
		t.Error("-o wrote something other than what stdout gets")
	}
	if info, _ := os.Stat(out); info.Mode().Perm() != 0o644 {
		t.Errorf("values file mode %v", info.Mode().Perm())
	}

	// An invalid spec leaves the previous file as it was, and no temp file.
	bad := writeFile(t, "bad.yaml", badSpec)
	if r := execute(t, setup{}, "render", "helm-values", "-f", bad, "-o", out); r.code != 2 {
		t.Fatalf("exit %d", r.code)
	}
	after, _ := os.ReadFile(out)
	if !bytes.Equal(after, written) {
		t.Error("a failed render changed the output file")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("leftover files: %v", entries)
	}
}

func TestRenderSecret(t *testing.T) {
	env := map[string]string{"OAUTH_CLIENT_SECRET": "client-secret-value", "NBVIEWER_API_TOKEN": "nbviewer-token-value"}
	spec := repo(t, "examples/nbgallery.yaml")

	r := execute(t, setup{env: env, outTTY: true}, "render", "secret", "-f", spec)
	if r.code != 2 || r.out != "" || !strings.Contains(r.errOut, "refusing to print secret values to a terminal") {
		t.Errorf("to a terminal: exit %d, stdout %q, stderr %q", r.code, r.out, r.errOut)
	}
	r = execute(t, setup{env: env, outTTY: true}, "render", "secret", "-f", spec, "--show-secrets", "-n", "jhub")
	if r.code != 0 || !strings.Contains(r.out, `hub.services.nbviewer.apiToken: "nbviewer-token-value"`) || !strings.Contains(r.out, "namespace: jhub") {
		t.Errorf("--show-secrets: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	out := filepath.Join(t.TempDir(), "secret.yaml")
	r = execute(t, setup{env: env, outTTY: true}, "render", "secret", "-f", spec, "-o", out)
	if r.code != 0 {
		t.Fatalf("-o: exit %d %s", r.code, r.errOut)
	}
	if info, err := os.Stat(out); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("secret file mode: %v %v", info.Mode().Perm(), err)
	}
	if strings.Contains(r.errOut, "client-secret-value") {
		t.Error("a secret reached stderr")
	}
}

func TestInlineSecretsFileIsPrivate(t *testing.T) {
	env := map[string]string{"OAUTH_CLIENT_SECRET": "client-secret-value", "NBVIEWER_API_TOKEN": "nbviewer-token-value"}
	out := filepath.Join(t.TempDir(), "config.py")
	r := execute(t, setup{env: env}, "render", "hub-config", "-f", repo(t, "examples/nbgallery.yaml"), "--inline-secrets", "-o", out)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.errOut)
	}
	data, _ := os.ReadFile(out)
	info, _ := os.Stat(out)
	if !bytes.Contains(data, []byte(`"client-secret-value"`)) || info.Mode().Perm() != 0o600 {
		t.Errorf("inline output: mode %v\n%s", info.Mode().Perm(), data)
	}
}

func TestDefaultsFromEnvironmentAndConfigFile(t *testing.T) {
	bad := writeFile(t, "bad.yaml", badSpec)
	good := repo(t, "examples/nbgallery.yaml")

	t.Setenv("HUBCTL_FILE", bad)
	if r := execute(t, setup{}, "validate"); r.code != 2 {
		t.Errorf("HUBCTL_FILE ignored: exit %d", r.code)
	}
	if r := execute(t, setup{}, "validate", "-f", good); r.code != 0 {
		t.Errorf("the flag does not win over HUBCTL_FILE: exit %d", r.code)
	}
	t.Setenv("HUBCTL_FILE", "")
	os.Unsetenv("HUBCTL_FILE")

	config := writeFile(t, "config.yaml", "file: "+bad+"\n")
	if r := execute(t, setup{configFile: config}, "validate"); r.code != 2 || !strings.Contains(r.errOut, "bad.yaml") {
		t.Errorf("config file default ignored: exit %d %s", r.code, r.errOut)
	}
	broken := writeFile(t, "config.yaml", "file: [\n")
	if r := execute(t, setup{configFile: broken}, "validate", "-f", good); r.code != 2 || !strings.Contains(r.errOut, "config.yaml") {
		t.Errorf("a broken config file: exit %d %s", r.code, r.errOut)
	}
	// Writing secrets out is never a default.
	inline := writeFile(t, "config.yaml", "inline-secrets: true\n")
	env := map[string]string{"OAUTH_CLIENT_SECRET": "client-secret-value", "NBVIEWER_API_TOKEN": "nbviewer-token-value"}
	if r := execute(t, setup{configFile: inline, env: env}, "render", "hub-config", "-f", good); strings.Contains(r.out, "client-secret-value") {
		t.Error("inline-secrets was taken from the config file")
	}
}

func TestColour(t *testing.T) {
	bad := writeFile(t, "bad.yaml", badSpec)
	const red = "\x1b[31m"
	if r := execute(t, setup{errTTY: true}, "render", "hub-config", "-f", bad); !strings.Contains(r.errOut, red) {
		t.Errorf("no colour on a terminal: %q", r.errOut)
	}
	if r := execute(t, setup{errTTY: true}, "render", "hub-config", "-f", bad, "--no-color"); strings.Contains(r.errOut, "\x1b[") {
		t.Errorf("colour despite --no-color: %q", r.errOut)
	}
	if r := execute(t, setup{}, "render", "hub-config", "-f", bad); strings.Contains(r.errOut, "\x1b[") {
		t.Errorf("colour into a pipe: %q", r.errOut)
	}
}

func TestInit(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "hubctl.yaml")
	flags := []string{"init", "-f", path, "--provider", "nbgallery", "--provider-url", "https://gallery.example.org",
		"--hub-url", "https://hub.example.org", "--service", "nbviewer=http://nbviewer:8080", "--client-id", "abc"}
	if r := execute(t, setup{}, flags...); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.errOut)
	}
	first, _ := os.ReadFile(path)
	if r := execute(t, setup{}, "validate", "-f", path, "--strict"); r.code != 0 {
		t.Errorf("init wrote a spec that fails validate --strict:\n%s\n%s", r.out, first)
	}
	if r := execute(t, setup{}, flags...); r.code != 2 || !strings.Contains(r.errOut, "--force") {
		t.Errorf("overwrote without --force: exit %d %s", r.code, r.errOut)
	}
	if r := execute(t, setup{}, append(flags, "--force", "--provider", "oidc")...); r.code != 0 {
		t.Errorf("--force: exit %d %s", r.code, r.errOut)
	}
	second, _ := os.ReadFile(path)
	if bytes.Equal(first, second) || !bytes.Contains(second, []byte("provider: oidc")) {
		t.Error("--force did not replace the file")
	}
}

func TestInitProvidersAllValidate(t *testing.T) {
	for _, provider := range []string{"nbgallery", "oidc", "oauth2"} {
		r := execute(t, setup{}, "init", "-f", "-", "--provider", provider, "--provider-url", "https://id.example.org",
			"--hub-url", "https://hub.example.org/jupyter", "--service", "nbviewer=http://nbviewer:8080", "--service", "grader=http://grader:9000")
		if r.code != 0 {
			t.Fatalf("%s: exit %d %s", provider, r.code, r.errOut)
		}
		spec := writeFile(t, "hubctl.yaml", r.out)
		if v := execute(t, setup{}, "validate", "-f", spec, "--strict"); v.code != 0 {
			t.Errorf("%s: init output fails validate --strict:\n%s\n%s", provider, v.out, r.out)
		}
	}
}

func TestInitPromptsOnlyOnATerminal(t *testing.T) {
	r := execute(t, setup{}, "init", "-f", "-", "--provider", "oidc")
	if r.code != 2 || !strings.Contains(r.errOut, "--provider-url, --hub-url") {
		t.Errorf("without a terminal: exit %d %s", r.code, r.errOut)
	}
	r = execute(t, setup{stdinTTY: true, stdin: "https://id.example.org\nhttps://hub.example.org\n"}, "init", "-f", "-", "--provider", "oidc")
	if r.code != 0 || !strings.Contains(r.out, "url: https://id.example.org") || !strings.Contains(r.errOut, "Hub public URL: ") {
		t.Errorf("with a terminal: exit %d\n%s\n%s", r.code, r.out, r.errOut)
	}
}

// TestCompletionsAreCurrent checks the shipped completion scripts against
// the command tree; go test ./cmd -update rewrites them.
func TestCompletionsAreCurrent(t *testing.T) {
	for _, shell := range []struct{ name, file string }{
		{"bash", "hubctl.bash"}, {"zsh", "_hubctl"}, {"fish", "hubctl.fish"}, {"powershell", "hubctl.ps1"},
	} {
		r := execute(t, setup{}, "completion", shell.name)
		if r.code != 0 || r.out == "" {
			t.Fatalf("completion %s: exit %d %s", shell.name, r.code, r.errOut)
		}
		path := repo(t, filepath.Join("completions", shell.file))
		if golden.Updating() {
			os.MkdirAll(filepath.Dir(path), 0o755)
			os.WriteFile(path, []byte(r.out), 0o644)
			continue
		}
		shipped, err := os.ReadFile(path)
		if err != nil || string(shipped) != r.out {
			t.Errorf("completions/%s is stale or missing (%v): run go test ./cmd -update", shell.file, err)
		}
	}
}
