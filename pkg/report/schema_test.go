//go:build e2e

package report

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/testbed"
)

// The schemas are not in the repository: scripts/e2e-deps puts them under
// .build/schemas/, from the packages that ship them (the SARIF schema as
// OASIS published it, Jenkins' JUnit schema), and Debian's libxml2-utils
// provides xmllint, as Go has no XML Schema validator. The variables name
// other copies.
const (
	sarifSchemaEnv = "HUBCTL_SARIF_SCHEMA"
	junitXSDEnv    = "HUBCTL_JUNIT_XSD"
	xmllintEnv     = "HUBCTL_XMLLINT"
)

// installed returns $env, or .build/schemas/name, failing the test (never
// skipping it) with the command that installs it when the file is missing.
func installed(t *testing.T, env, name, what string) string {
	t.Helper()
	path := os.Getenv(env)
	if path == "" {
		path = filepath.Join(testbed.BuildDir(t), "schemas", name)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("%s is not installed (%v); run %s from the repository root first, or set %s to a copy",
			what, err, testbed.SetupCommand, env)
	}
	return path
}

// runsToValidate are the shapes each format must keep valid: the mixed
// failing run, an empty one, a healthy one, a strict run of warnings, and
// static findings with and without a line.
func runsToValidate() map[string]struct {
	rs finding.Results
	m  Meta
} {
	healthy := finding.Results{{ID: "net.reach", Title: "Host is reachable", Target: "hub:8081",
		Status: finding.Pass, Message: "connected", Duration: 5 * time.Millisecond}}
	warnings := finding.Results{{ID: "tls.expiry", Title: "TLS certificate is not about to expire", Target: "hub.example.org:443",
		Status: finding.Warn, Severity: finding.Warning, Message: "expires in 10 days", Hint: "renew it"}}
	static := finding.Results{
		{ID: "empty", Title: "Spec is valid", Target: "deploy/hub ctl.yaml", Status: finding.Warn,
			Message: "the file is empty", Pos: finding.Position{File: "deploy/hub ctl.yaml"}},
		{ID: "bad-url", Title: "Spec is valid", Target: "/srv/hubctl.yaml", Status: finding.Fail,
			Message: "login.url is not a URL", Pos: finding.Position{File: "/srv/hubctl.yaml", Line: 2}},
	}
	return map[string]struct {
		rs finding.Results
		m  Meta
	}{
		"failing":  {failingRun(), testMeta()},
		"empty":    {nil, Meta{}},
		"healthy":  {healthy, Meta{Command: "doctor"}},
		"strict":   {warnings, Meta{Strict: true, Command: "doctor"}},
		"static":   {static, Meta{Command: "lint", Version: "dev"}},
		"no-spec":  {failingRun(), Meta{Version: "1"}},
		"verbatim": {finding.Results{{ID: "x", Title: "t", Target: "", Status: finding.Errored, Message: "a\x01b\n::c"}}, Meta{}},
	}
}

func TestSARIFMatchesTheSchema(t *testing.T) {
	path := installed(t, sarifSchemaEnv, "sarif-schema-2.1.0.json", "the SARIF 2.1.0 JSON schema")
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	schema, err := c.Compile(path)
	if err != nil {
		t.Fatalf("compiling %s: %v", path, err)
	}
	for name, run := range runsToValidate() {
		t.Run(name, func(t *testing.T) {
			out := render(t, SARIF, run.rs, run.m, TextOptions{})
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
			if err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			if err := schema.Validate(doc); err != nil {
				t.Errorf("SARIF output is not valid SARIF 2.1.0: %v\n%s", err, out)
			}
		})
	}
	// The schema must be able to say no, or the passes above prove nothing.
	t.Run("rejects an unknown level", func(t *testing.T) {
		out := render(t, SARIF, failingRun(), testMeta(), TextOptions{})
		bad := bytes.Replace(out, []byte(`"level": "warning"`), []byte(`"level": "fatal"`), 1)
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(bad))
		if err != nil {
			t.Fatal(err)
		}
		if schema.Validate(doc) == nil {
			t.Error(`the schema accepted "level": "fatal"`)
		}
	})
}

func TestJUnitMatchesTheXSD(t *testing.T) {
	xsd := installed(t, junitXSDEnv, "junit-10.xsd", "the JUnit XML schema (Jenkins' junit-10.xsd)")
	xmllint := os.Getenv(xmllintEnv)
	if xmllint == "" {
		var err error
		if xmllint, err = exec.LookPath("xmllint"); err != nil {
			t.Fatalf("xmllint is not installed (Debian's libxml2-utils); run %s from the repository root first, or set %s", testbed.SetupCommand, xmllintEnv)
		}
	}
	validate := func(t *testing.T, doc []byte) (string, error) {
		t.Helper()
		file := filepath.Join(t.TempDir(), "report.xml")
		if err := os.WriteFile(file, doc, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(xmllint, "--noout", "--nonet", "--schema", xsd, file).CombinedOutput()
		return string(out), err
	}
	for name, run := range runsToValidate() {
		t.Run(name, func(t *testing.T) {
			out := render(t, JUnit, run.rs, run.m, TextOptions{})
			if msg, err := validate(t, out); err != nil {
				t.Errorf("JUnit output is not valid against %s: %v\n%s\n%s", filepath.Base(xsd), err, msg, out)
			}
		})
	}
	t.Run("rejects a suite without its counts", func(t *testing.T) {
		out := render(t, JUnit, failingRun(), testMeta(), TextOptions{})
		bad := strings.Replace(string(out), ` failures="2" errors="1" skipped="2"`, "", 1)
		if bad == string(out) {
			t.Fatal("the test's edit no longer matches the output")
		}
		if msg, err := validate(t, []byte(bad)); err == nil {
			t.Errorf("the XSD accepted a testsuite without failures and errors: %s", msg)
		}
	})
}
