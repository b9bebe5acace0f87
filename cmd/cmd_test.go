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
		// Text findings are messages: standard error, as render's are.
		{name: "invalid spec", args: []string{"validate", "-f", bad}, code: 2, noStdout: true,
			stderr: `hubctl.yaml:3:8: hub.url: http://hub.example.org uses http`},
		{name: "invalid spec summary", args: []string{"validate", "-f", bad}, code: 2, noStdout: true, stderr: "is invalid: 2 errors"},
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
		{name: "bad namespace", args: []string{"render", "secret", "-n", "Bad Namespace!", "-f", repo(t, "examples/nbgallery.yaml")}, code: 2, noStdout: true,
			stderr: `--namespace "Bad Namespace!": 'B' at character 1; a namespace is a DNS label (RFC 1123): at most 63 lowercase letters`},
		{name: "uppercase namespace", args: []string{"render", "secret", "-n", "JHub", "-f", repo(t, "examples/nbgallery.yaml")}, code: 2, noStdout: true,
			stderr: `did you mean "jhub"?`},
		{name: "long namespace", args: []string{"render", "secret", "-n", strings.Repeat("a", 64), "-f", repo(t, "examples/nbgallery.yaml")}, code: 2, noStdout: true,
			stderr: "64 characters; a namespace is a DNS label"},
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
	// JSON is the machine output: on standard output on failure too.
	if r := execute(t, setup{}, "validate", "-f", writeFile(t, "bad.yaml", badSpec), "--format", "json"); r.code != 2 || !json.Valid([]byte(r.out)) || !strings.Contains(r.out, `"hub.url"`) || !strings.Contains(r.errOut, "is invalid") {
		t.Errorf("invalid spec as JSON: exit %d\nstdout %s\nstderr %s", r.code, r.out, r.errOut)
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
		t.Errorf("init wrote a spec that fails validate --strict:\n%s\n%s", r.errOut, first)
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
		// Without --client-id the spec says CHANGE-ME, which validate
		// rightly fails (TestInitPlaceholderClientID).
		r := execute(t, setup{}, "init", "-f", "-", "--provider", provider, "--provider-url", "https://id.example.org", "--client-id", "hub",
			"--hub-url", "https://hub.example.org/jupyter", "--service", "nbviewer=http://nbviewer:8080", "--service", "grader=http://grader:9000")
		if r.code != 0 {
			t.Fatalf("%s: exit %d %s", provider, r.code, r.errOut)
		}
		spec := writeFile(t, "hubctl.yaml", r.out)
		if v := execute(t, setup{}, "validate", "-f", spec, "--strict"); v.code != 0 {
			t.Errorf("%s: init output fails validate --strict:\n%s\n%s", provider, v.errOut, r.out)
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

// expect checks a run's exit status and streams; an empty want* is not
// checked, noStdout wants nothing on standard output.
func expect(t *testing.T, r run, code int, wantOut, wantErr string, noStdout bool) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, code, r.out, r.errOut)
	}
	if !strings.Contains(r.out, wantOut) {
		t.Errorf("stdout %q lacks %q", r.out, wantOut)
	}
	if !strings.Contains(r.errOut, wantErr) {
		t.Errorf("stderr %q lacks %q", r.errOut, wantErr)
	}
	if noStdout && r.out != "" {
		t.Errorf("stdout should be empty, got %q", r.out)
	}
}

func TestMissingOrUnknownSubcommandIsAUsageError(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"mistyped render subcommand", []string{"render", "helm"}, "unknown command \"helm\" for \"hubctl render\"\n\nDid you mean this?\n\thelm-values"},
		{"bare render", []string{"render"}, "hubctl render needs a command: doctor-job, helm-values, hub-config, secret, service-env"},
		{"bare render shows its usage", []string{"render"}, "Usage:\n  hubctl render [command]"},
		{"bare completion", []string{"completion"}, "hubctl completion needs a command: bash, fish, powershell, zsh"},
		{"unknown shell", []string{"completion", "foo"}, `unknown command "foo" for "hubctl completion"`},
		{"unknown help topic", []string{"help", "nosuchtopic"}, `unknown help topic "nosuchtopic"`},
		{"mistyped help topic", []string{"help", "exit-code"}, "Did you mean this?\n\texit-codes"},
		{"unknown help subtopic", []string{"help", "render", "helm"}, "unknown help topic \"render helm\"\n\nDid you mean this?\n\thelm-values"},
		{"bare hubctl", nil, "Usage:\n  hubctl [command]"},
		{"unknown command", []string{"valdate"}, "Did you mean this?\n\tvalidate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expect(t, execute(t, setup{}, tt.args...), 2, "", tt.stderr, true)
		})
	}
	// Asking for help is no error, and the help is the output.
	for _, args := range [][]string{{"--help"}, {"help"}, {"render", "--help"}, {"help", "render"}, {"completion", "--help"}} {
		r := execute(t, setup{}, args...)
		expect(t, r, 0, "Usage:", "", false)
		if r.errOut != "" {
			t.Errorf("%v: stderr %q", args, r.errOut)
		}
	}
}

func TestFileAndOutputFlagsOnlyWhereTheyMeanSomething(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"version", "-o", filepath.Join(dir, "v.txt")},
		{"version", "-f", "hubctl.yaml"},
		{"schema", "-f", "hubctl.yaml"},
		{"completion", "bash", "-f", "hubctl.yaml"},
		{"init", "-o", filepath.Join(dir, "x.yaml"), "--hub-url", "https://hub.example.org"},
		{"validate", "-o", filepath.Join(dir, "findings.txt")},
	} {
		expect(t, execute(t, setup{}, args...), 2, "", "unknown shorthand flag", true)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused flag wrote %v", entries)
	}
	out := filepath.Join(dir, "hubctl.schema.json")
	expect(t, execute(t, setup{}, "schema", "-o", out), 0, "", "", true)
	if data, err := os.ReadFile(out); err != nil || !json.Valid(data) {
		t.Errorf("schema -o: %v", err)
	}
	// Every render subcommand takes both.
	spec := repo(t, "examples/nbgallery.yaml")
	env := map[string]string{"OAUTH_CLIENT_SECRET": "client-secret-value", "NBVIEWER_API_TOKEN": "nbviewer-token-value"}
	for _, args := range [][]string{{"helm-values"}, {"hub-config"}, {"secret"}, {"service-env", "nbviewer"}} {
		out := filepath.Join(dir, args[0]+".out")
		r := execute(t, setup{env: env}, append(append([]string{"render"}, args...), "-f", spec, "-o", out)...)
		if _, err := os.Stat(out); r.code != 0 || err != nil {
			t.Errorf("render %v -f -o: exit %d %s %v", args, r.code, r.errOut, err)
		}
	}
}

func TestOutputSafety(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "hubctl.yaml")
	original, _ := os.ReadFile(repo(t, "examples/nbgallery.yaml"))
	os.WriteFile(spec, original, 0o644)
	ca, _ := os.ReadFile(repo(t, "examples/gallery-ca.pem"))
	os.WriteFile(filepath.Join(dir, "gallery-ca.pem"), ca, 0o644)
	specLink := filepath.Join(dir, "spec-link.yaml")
	os.Symlink("hubctl.yaml", specLink)
	hard := filepath.Join(dir, "hard.yaml")
	os.WriteFile(hard, []byte("old"), 0o644)
	os.Link(hard, filepath.Join(dir, "hard-too.yaml"))

	for _, tt := range []struct{ out, stderr string }{
		{spec, "is the spec file (-f " + spec + ") itself"},
		{specLink, "is the spec file"},
		{"/dev/null", "is a character device, not a regular file"},
		{"/dev/stdout", "not a regular file; use -o - for standard output"},
		{dir, "is a directory, not a regular file"},
		{hard, "has 2 hard links"},
	} {
		expect(t, execute(t, setup{}, "render", "helm-values", "-f", spec, "-o", tt.out), 2, "", tt.stderr, true)
	}
	if now, _ := os.ReadFile(spec); !bytes.Equal(now, original) {
		t.Error("the spec was overwritten")
	}
	if now, _ := os.ReadFile(hard); string(now) != "old" {
		t.Error("a hard-linked file was replaced")
	}

	// -o onto a symbolic link writes its target and keeps the link.
	target := filepath.Join(dir, "values.yaml")
	os.WriteFile(target, nil, 0o644)
	link := filepath.Join(dir, "current-values.yaml")
	os.Symlink("values.yaml", link)
	expect(t, execute(t, setup{}, "render", "helm-values", "-f", spec, "-o", link), 0, "", "", true)
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Error("the link was replaced by a file")
	}
	if data, _ := os.ReadFile(target); !bytes.Contains(data, []byte("hub:")) {
		t.Errorf("the link's target has %q", data)
	}
	// -o - is standard output.
	expect(t, execute(t, setup{}, "render", "helm-values", "-f", spec, "-o", "-"), 0, "hub:", "", false)
}

func TestStdinIsNamedInSummaries(t *testing.T) {
	expect(t, execute(t, setup{stdin: badSpec}, "validate", "-f", "-"), 2, "", "<stdin> is invalid: 2 errors", true)
	expect(t, execute(t, setup{stdin: badSpec}, "render", "helm-values", "-f", "-"), 2, "", "hubctl: <stdin> is invalid: 2 errors", true)
	if r := execute(t, setup{stdin: badSpec}, "validate", "-f", "-"); strings.Contains(r.errOut, " - is invalid") {
		t.Errorf("summary names the spec -: %s", r.errOut)
	}
}

func TestVersion(t *testing.T) {
	const want = "hubctl 1.2.3 (commit abc1234, built 2026-11-23)\n"
	for _, args := range [][]string{{"version"}, {"--version"}} {
		if r := execute(t, setup{}, args...); r.code != 0 || r.out != want {
			t.Errorf("%v: exit %d, stdout %q, want %q", args, r.code, r.out, want)
		}
	}
	expect(t, execute(t, setup{}, "-v"), 2, "", "unknown shorthand flag: 'v'", true)
}

func TestDocsMan(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("SOURCE_DATE_EPOCH", "1795000000")
	expect(t, execute(t, setup{}, "docs", "man", "--dir", dir), 0, "", "", true)
	for name, wants := range map[string][]string{
		"hubctl.1":                    {".SH NAME", "hubctl - Configure JupyterHub"},
		"hubctl-render-helm-values.1": {"helm-values"},
		"hubctl-exit-codes.7":         {`.TH "HUBCTL-EXIT-CODES" "7" "Nov 2026" "hubctl 1.2.3"`, ".SH DESCRIPTION", "2  invalid input", "--strict"},
		"hubctl.yaml.5": {`.TH "HUBCTL.YAML" "5"`, ".SH KEYS", `\fBhub.url\fP (string, URI; required)`,
			`\fBservices.NAME.apiToken.env\fP`, `\fBlogin.admins.groups\fP`, `\fBservices.NAME.access\fP (exactly "all" or object)`},
	} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		for _, want := range wants {
			if !strings.Contains(string(data), want) {
				t.Errorf("%s lacks %q:\n%s", name, want, data)
			}
		}
	}
	if r := execute(t, setup{}, "--help"); strings.Contains(r.out, "docs") {
		t.Error("docs is listed in the help")
	}
}

func TestConfigFileProblems(t *testing.T) {
	good := repo(t, "examples/nbgallery.yaml")
	// A config path that cannot exist (its directory is a file), as with
	// an unreadable HOME: no config file, no error.
	notADir := filepath.Join(writeFile(t, "home", ""), ".config", "hubctl", "config.yaml")
	expect(t, execute(t, setup{configFile: notADir}, "validate", "-f", good), 0, "", "is valid", true)
	// One that exists but cannot be read: a warning, and the command runs.
	unreadable := t.TempDir()
	r := execute(t, setup{configFile: unreadable}, "validate", "-f", good)
	expect(t, r, 0, "", "hubctl: warning: ignoring "+unreadable, true)

	list := writeFile(t, "config.yaml", "file: [a, b]\n")
	expect(t, execute(t, setup{configFile: list}, "validate"), 2, "", list+": file: expected a string, got a list", true)
	mapping := writeFile(t, "config.yaml", "strict: {a: 1}\n")
	expect(t, execute(t, setup{configFile: mapping}, "validate", "-f", good), 2, "", mapping+": strict: expected true or false, got a mapping", true)

	// A bad value says where it came from.
	xml := writeFile(t, "config.yaml", "format: xml\n")
	expect(t, execute(t, setup{configFile: xml}, "validate", "-f", good), 2, "", `format: "xml" (from `+xml+`): use one of text, json`, true)
	expect(t, execute(t, setup{configFile: xml}, "validate", "-f", good, "--format", "yaml"), 2, "", `--format "yaml": use one of`, true)
	t.Setenv("HUBCTL_FORMAT", "xml")
	expect(t, execute(t, setup{}, "validate", "-f", good), 2, "", `format: "xml" (from $HUBCTL_FORMAT): use one of text, json`, true)
	os.Unsetenv("HUBCTL_FORMAT")
	t.Setenv("HUBCTL_STRICT", "maybe")
	expect(t, execute(t, setup{}, "validate", "-f", good), 2, "", `strict: "maybe" (from $HUBCTL_STRICT): expected true or false`, true)
	os.Unsetenv("HUBCTL_STRICT")
	t.Setenv("HUBCTL_NAMESPACE", "Bad Namespace!")
	expect(t, execute(t, setup{}, "render", "secret", "-f", good), 2, "", `namespace: "Bad Namespace!" (from $HUBCTL_NAMESPACE): 'B' at character 1`, true)
}

// An oidc login that leaves its endpoints to discovery, at an issuer that
// does not exist.
const discoverySpec = `version: 1
hub:
  url: https://hub.example.org
login:
  provider: oidc
  url: https://id.invalid/realms/hub
  clientId: hub
  clientSecret: {env: OAUTH_CLIENT_SECRET}
  allow: {all: true}
services:
  nbviewer:
    url: http://nbviewer:8080
    apiToken: {env: NBVIEWER_API_TOKEN}
`

func TestRendersWithoutEndpointsNeverDiscover(t *testing.T) {
	spec := writeFile(t, "hubctl.yaml", discoverySpec)
	env := map[string]string{"OAUTH_CLIENT_SECRET": "client-secret-value", "NBVIEWER_API_TOKEN": "nbviewer-token-value"}
	// --offline proves no request is even tried.
	expect(t, execute(t, setup{env: env}, "render", "secret", "--offline", "-f", spec), 0, "kind: Secret", "", false)
	expect(t, execute(t, setup{env: env}, "render", "service-env", "nbviewer", "--offline", "-f", spec), 0, "JUPYTERHUB_SERVICE_NAME=nbviewer", "", false)
	for _, sub := range []string{"helm-values", "hub-config"} {
		expect(t, execute(t, setup{env: env}, "render", sub, "--offline", "-f", spec), 2, "", "login.authorizeUrl", true)
	}
	if r := execute(t, setup{}, "render", "--help"); !strings.Contains(r.out, "secret,\nservice-env and doctor-job never touch the network") {
		t.Errorf("render --help does not say which outputs use the network:\n%s", r.out)
	}
}
