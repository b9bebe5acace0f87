package cmd_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// validates fails the test unless spec text passes validate --strict.
func validates(t *testing.T, text string) {
	t.Helper()
	path := writeFile(t, "hubctl.yaml", text)
	if v := execute(t, setup{}, "validate", "-f", path, "--strict"); v.code != 0 {
		t.Errorf("init output fails validate --strict:\n%s%s\n%s", v.out, v.errOut, text)
	}
}

func TestInitServicesWithoutLogin(t *testing.T) {
	for _, args := range [][]string{
		{"--hub-url", "https://hub.example.org", "--service", "grader", "--service", "nbviewer=http://nbviewer:8080"},
		{"--provider", "none", "--hub-url", "https://hub.example.org", "--service", "grader"},
	} {
		r := execute(t, setup{}, append([]string{"init", "-f", "-"}, args...)...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d %s", args, r.code, r.errOut)
		}
		if strings.Contains(r.out, "\nlogin:") || strings.Contains(r.errOut, "OAUTH_CLIENT_SECRET") {
			t.Errorf("%v: a login without a provider:\n%s%s", args, r.out, r.errOut)
		}
		if !strings.Contains(r.errOut, "the spec references: GRADER_API_TOKEN") {
			t.Errorf("%v: stderr does not name the token to set: %s", args, r.errOut)
		}
		validates(t, r.out)
	}
	// The hub URL is still needed.
	if r := execute(t, setup{}, "init", "-f", "-", "--service", "grader"); r.code != 2 || !strings.Contains(r.errOut, "these flags are required: --hub-url") {
		t.Errorf("without --hub-url: exit %d %s", r.code, r.errOut)
	}
}

func TestInitRefusesBadFlagsBeforeWriting(t *testing.T) {
	login := []string{"--provider", "oidc", "--provider-url", "https://id.example.org", "--client-id", "hub"}
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"keycloak", []string{"--provider", "keycloak"}, "--provider: Keycloak is OIDC: use --provider oidc"},
		{"azure", []string{"--provider", "azure"}, "Microsoft Entra ID is OIDC: use --provider oidc"},
		{"doorkeeper", []string{"--provider", "doorkeeper"}, "use --provider nbgallery"},
		{"github", []string{"--provider", "github"}, "use --provider oauth2"},
		{"typo", []string{"--provider", "nbgalery"}, `did you mean "nbgallery"?`},
		{"http hub", []string{"--hub-url", "http://hub.example.org"}, "--hub-url: http://hub.example.org uses http on a host other than loopback"},
		{"relative hub", []string{"--hub-url", "hub.example.org"}, `--hub-url: "hub.example.org" is not an absolute http(s) URL; did you mean "https://hub.example.org"?`},
		{"placeholder hub", []string{"--hub-url", "https://CHANGE-ME.example.org"}, "--hub-url: hub.url is still the placeholder"},
		{"http provider", []string{"--provider-url", "http://id.example.org"}, "--provider-url: http://id.example.org uses http"},
		{"ftp provider", []string{"--provider-url", "ftp://id.example.org"}, `--provider-url: "ftp://id.example.org" is not an absolute http(s) URL`},
		{"uppercase service", []string{"--service", "NBViewer=http://nbviewer:8080"}, `--service NBViewer=http://nbviewer:8080: service name "NBViewer" has uppercase letters`},
		{"slash service", []string{"--service", "a/b"}, "contains '/'"},
		{"duplicate service", []string{"--service", "grader", "--service", "grader=http://grader:9000"}, "service grader is given twice"},
		{"colliding services", []string{"--service", "a-b", "--service", "a.b"}, "would share the token variable A_B_API_TOKEN"},
		{"reserved service", []string{"--service", "admin"}, "--service admin: the chart's values schema declares hub.services.admin"},
		{"service url", []string{"--service", "nbviewer=nbviewer:8080"}, `did you mean "http://nbviewer:8080"?`},
		{"placeholder client id", []string{"--client-id", "TODO"}, `--client-id: login.clientId is still the placeholder "TODO"`},
		{"none with a provider url", []string{"--provider", "none"}, "--provider-url: --provider none writes no login"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "hubctl.yaml")
			args := append([]string{"init", "-f", path, "--hub-url", "https://hub.example.org"}, login...)
			r := execute(t, setup{}, append(args, tt.args...)...)
			if r.code != 2 || !strings.Contains(r.errOut, tt.stderr) {
				t.Errorf("exit %d, want 2 with %q in\n%s", r.code, tt.stderr, r.errOut)
			}
			if _, err := os.Stat(path); err == nil {
				t.Error("init wrote the file despite the problem")
			}
		})
	}
	// A provider URL without a provider is a guess init does not make.
	r := execute(t, setup{}, "init", "-f", "-", "--hub-url", "https://hub.example.org", "--provider-url", "https://id.example.org")
	if r.code != 2 || !strings.Contains(r.errOut, "--provider is required with --provider-url") || r.out != "" {
		t.Errorf("--provider-url alone: exit %d %s", r.code, r.errOut)
	}
	// Every bad flag is reported at once.
	r = execute(t, setup{}, "init", "-f", "-", "--hub-url", "http://hub.example.org", "--provider", "okta", "--service", "A")
	for _, want := range []string{"--hub-url: ", "--provider: Okta is OIDC", `did you mean "a"?`} {
		if !strings.Contains(r.errOut, want) {
			t.Errorf("several bad flags: %q lacks %q", r.errOut, want)
		}
	}
}

func TestInitAsksAgainOnATerminal(t *testing.T) {
	answers := strings.Join([]string{
		"keycloak", "oidc",
		"", "http://id.example.org", "https://id.example.org/realms/hub",
		"hub.example.org", "https://hub.example.org",
		"jupyterhub",
	}, "\n") + "\n"
	r := execute(t, setup{stdinTTY: true, stdin: answers}, "init", "-f", "-", "--service", "grader")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.errOut)
	}
	for _, want := range []string{
		"Keycloak is OIDC: use --provider oidc",
		"an answer is required (or pass --provider-url)",
		"http://id.example.org uses http",
		`did you mean "https://hub.example.org"?`,
		"redirect URI https://hub.example.org/hub/oauth_callback",
		"Client id it issued",
	} {
		if !strings.Contains(r.errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.errOut)
		}
	}
	if !strings.Contains(r.out, "clientId: jupyterhub\n") || strings.Contains(r.out, "CHANGE-ME") {
		t.Errorf("the client id answer is not in the spec:\n%s", r.out)
	}
	validates(t, r.out)
}

func TestInitGivesUpWhenInputEnds(t *testing.T) {
	r := execute(t, setup{stdinTTY: true, stdin: "keycloak\nsaml\n"}, "init", "-f", "-")
	if r.code != 2 || !strings.Contains(r.errOut, "no answer for --provider") || r.out != "" {
		t.Errorf("exit %d, stdout %q, stderr %s", r.code, r.out, r.errOut)
	}
	// A bad flag is refused, not asked again.
	r = execute(t, setup{stdinTTY: true, stdin: "oidc\n"}, "init", "-f", "-", "--provider", "keycloak")
	if r.code != 2 || strings.Contains(r.errOut, "Login provider") {
		t.Errorf("a bad flag on a terminal: exit %d %s", r.code, r.errOut)
	}
}

func TestInitPlaceholderClientID(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hubctl.yaml")
	r := execute(t, setup{}, "init", "-f", path, "--provider", "nbgallery", "--provider-url", "https://gallery.example.org",
		"--hub-url", "https://hub.example.org")
	if r.code != 0 {
		t.Fatalf("exit %d %s", r.code, r.errOut)
	}
	if !strings.Contains(r.errOut, "fill in: login.clientId says CHANGE-ME; register the redirect URI https://hub.example.org/hub/oauth_callback") {
		t.Errorf("stderr does not say what to fill in: %s", r.errOut)
	}
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), "clientId: CHANGE-ME\n") {
		t.Errorf("no placeholder:\n%s", data)
	}
	v := execute(t, setup{}, "validate", "-f", path)
	if v.code != 2 || !strings.Contains(v.errOut, "login.clientId") || !strings.Contains(v.errOut, "placeholder") {
		t.Errorf("validate accepts the placeholder: exit %d\n%s%s", v.code, v.out, v.errOut)
	}
}

func TestInitSchemaLine(t *testing.T) {
	r := execute(t, setup{}, "init", "-f", "-", "--hub-url", "https://hub.example.org")
	first, _, _ := strings.Cut(r.out, "\n")
	// execute's build is version 1.2.3.
	if r.code != 0 || first != "# yaml-language-server: $schema=https://raw.githubusercontent.com/hubctl/hubctl/v1.2.3/pkg/schema/hubctl.schema.json" {
		t.Errorf("exit %d, first line %q", r.code, first)
	}
	if !strings.Contains(r.out, "hubctl schema -o hubctl.schema.json") {
		t.Errorf("no word on a local schema copy:\n%s", r.out)
	}
}

func TestInitOIDCEndpointsToFillIn(t *testing.T) {
	r := execute(t, setup{}, "init", "-f", "-", "--provider", "oidc", "--provider-url", "https://id.example.org/realms/hub",
		"--hub-url", "https://hub.example.org", "--client-id", "hub")
	if r.code != 0 {
		t.Fatalf("exit %d %s", r.code, r.errOut)
	}
	for _, want := range []string{"skips discovery", "  # authorizeUrl: ", "  # tokenUrl: ", "  # userdataUrl: "} {
		if !strings.Contains(r.out, want) {
			t.Errorf("no %q:\n%s", want, r.out)
		}
	}
	validates(t, r.out)
}
