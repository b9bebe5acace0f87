package cmd_test

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// closedPort is a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

func unreachableHubSpec(t *testing.T) string {
	return writeFile(t, "hubctl.yaml", fmt.Sprintf("version: 1\nhub:\n  url: http://127.0.0.1:%d\n  jupyterhub: \"5.5\"\n", closedPort(t)))
}

func TestDoctorListChecks(t *testing.T) {
	r := execute(t, setup{}, "doctor", "--list-checks")
	expect(t, r, 0, "tls.expiry", "", false)
	for _, id := range []string{"net.reach", "oidc.pkce", "login.credentials", "hub.service-token", "spec.valid"} {
		if !strings.Contains(r.out, id+" ") {
			t.Errorf("--list-checks lacks %s:\n%s", id, r.out)
		}
	}
}

func TestDoctorUsageErrors(t *testing.T) {
	spec := unreachableHubSpec(t)
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"misspelt check", []string{"tls.expiri"}, `did you mean "tls.expiry"?`},
		{"misspelt skip", []string{"--skip", "net.rech"}, `did you mean "net.reach"?`},
		{"misspelt format", []string{"--format", "sariff"}, `did you mean "sarif"?`},
		{"warn before fail", []string{"--expiry-warn", "7d"}, "--expiry-warn (7d) is shorter than --expiry-fail (14d)"},
		{"no timeout", []string{"--timeout", "0s"}, "a positive duration"},
		{"token on the command line", []string{"--hub-token", "0123456789abcdef0123"}, "want env:NAME or file:PATH"},
		{"bad days", []string{"--expiry-fail", "soon"}, "number of days"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := execute(t, setup{}, append([]string{"doctor", "-f", spec}, tc.args...)...)
			expect(t, r, 2, "", tc.wantErr, true)
			if strings.Contains(r.errOut, "0123456789abcdef0123") {
				t.Errorf("the error echoes the token: %s", r.errOut)
			}
		})
	}
}

func TestDoctorExitStatus(t *testing.T) {
	spec := unreachableHubSpec(t)
	r := execute(t, setup{}, "doctor", "-f", spec, "--format", "json")
	if r.code != 3 {
		t.Fatalf("an unreachable hub: exit %d, want 3; stderr %s", r.code, r.errOut)
	}
	var doc struct {
		Checks []struct{ ID, Status, Message string }
	}
	if err := json.Unmarshal([]byte(r.out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.out)
	}
	reach := false
	for _, c := range doc.Checks {
		if c.ID == "net.reach" && c.Status == "fail" && strings.Contains(c.Message, "refused") {
			reach = true
		}
	}
	if !reach {
		t.Errorf("no failed net.reach saying refused:\n%s", r.out)
	}

	r = execute(t, setup{}, "doctor", "-f", spec, "--offline", "--format", "json")
	expect(t, r, 0, `"id": "spec.valid"`, "", false)
	if strings.Contains(r.out, "net.reach") {
		t.Errorf("--offline ran a live check:\n%s", r.out)
	}

	r = execute(t, setup{}, "doctor", "-f", spec, "spec.valid")
	expect(t, r, 0, "Spec is valid", "", false)

	invalid := writeFile(t, "hubctl.yaml", badSpec)
	r = execute(t, setup{}, "doctor", "-f", invalid, "--format", "github")
	expect(t, r, 2, "::error file=", "is invalid", false)
}

func TestDoctorFormatDefaultsToGitHubInActions(t *testing.T) {
	spec := unreachableHubSpec(t)
	r := execute(t, setup{env: map[string]string{"GITHUB_ACTIONS": "true"}}, "doctor", "-f", spec, "net.reach")
	expect(t, r, 3, "::error title=net.reach", "", false)
	r = execute(t, setup{env: map[string]string{"GITHUB_ACTIONS": "true"}}, "doctor", "-f", spec, "net.reach", "--format", "text")
	expect(t, r, 3, "✗ Host is reachable", "", false)
}

func TestDoctorOutputFile(t *testing.T) {
	spec := unreachableHubSpec(t)
	out := filepath.Join(t.TempDir(), "doctor.sarif")
	r := execute(t, setup{}, "doctor", "-f", spec, "--format", "sarif", "-o", out, "net.reach")
	expect(t, r, 3, "", "1 failed", true)
	data, err := os.ReadFile(out)
	if err != nil || !strings.Contains(string(data), `"version": "2.1.0"`) {
		t.Errorf("-o wrote %q, %v", data, err)
	}
}

// The progress line is for a person watching a terminal: never in a pipe.
func TestDoctorProgressOnlyOnATerminal(t *testing.T) {
	spec := unreachableHubSpec(t)
	if r := execute(t, setup{errTTY: true}, "doctor", "-f", spec, "net.reach"); !strings.Contains(r.errOut, "checking: ") {
		t.Errorf("no progress line on a terminal: %q", r.errOut)
	}
	if r := execute(t, setup{}, "doctor", "-f", spec, "net.reach"); strings.Contains(r.errOut, "checking") || strings.Contains(r.out, "\x1b[") {
		t.Errorf("progress or colour in a pipe: stdout %q stderr %q", r.out, r.errOut)
	}
}

// The Job carries the spec and its CA file, named relative to the spec as
// a user in a checkout names them.
func TestRenderDoctorJobFromARelativeSpec(t *testing.T) {
	t.Chdir(repo(t, "."))
	r := execute(t, setup{}, "render", "doctor-job", "-f", "examples/nbgallery.yaml", "--image", "registry.example.org/hubctl:1.0", "-n", "jhub")
	expect(t, r, 0, "mountPath: /etc/hubctl/gallery-ca.pem", "", false)
	for _, want := range []string{"BEGIN CERTIFICATE", `hub.jupyter.org/network-access-hub: "true"`, "name: OAUTH_CLIENT_SECRET"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("the doctor job lacks %q", want)
		}
	}
	r = execute(t, setup{}, "render", "doctor-job", "-f", "examples/nbgallery.yaml")
	expect(t, r, 2, "", "--image is required", true)
}
