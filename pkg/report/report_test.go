package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/golden"
)

// assertGolden compares got with testdata/golden/name, or rewrites that
// file under -update.
func assertGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.AssertPath(t, filepath.Join("testdata", "golden", name), got)
}

// failingRun is one doctor run with every kind of result: a static error
// with its position, a pass, a warning, a failure with a hint, a skip and
// a check that broke. Its texts hold the characters each format escapes
// (quotes, <, &, commas, colons, a percent sign).
func failingRun() finding.Results {
	return finding.Results{
		{ID: "unknown-scope", Title: "Spec is valid", Target: "hubctl.yaml", Status: finding.Fail,
			Severity: finding.Error, Message: `unknown scope "read:user"`,
			Hint: `use one of JupyterHub's scopes, such as "read:users"`,
			Pos:  finding.Position{File: "hubctl.yaml", Line: 14, Column: 9}, Path: "services.nbviewer.scopes[1]"},
		{ID: "net.reach", Title: "Host is reachable", Target: "https://hub.example.org", Status: finding.Pass,
			Severity: finding.Info, Message: "connected to 203.0.113.7:443", Duration: 12 * time.Millisecond},
		{ID: "tls.expiry", Title: "TLS certificate is not about to expire", Target: "https://hub.example.org",
			Status: finding.Warn, Severity: finding.Warning, Message: "the certificate expires in 10 days, on 2026-11-12",
			Hint: "renew the certificate of hub.example.org before 2026-11-12", Duration: 40 * time.Millisecond},
		{ID: "login.credentials", Title: "Client credentials authenticate", Target: "https://login.example.org/oauth/token",
			Status: finding.Fail, Severity: finding.Error,
			Message:  "the token endpoint answered 401 invalid_client: 100% of attempts <refused> & logged",
			Hint:     "set login.clientSecret to the secret the provider has for login.clientId, hub-prod",
			Duration: 1234 * time.Millisecond},
		{ID: "oidc.claims", Title: "Username and groups claims are offered", Target: "https://login.example.org",
			Status: finding.Skip, Severity: finding.Info,
			Message: "skipped: oidc.discovery did not pass for https://login.example.org",
			Hint:    "fix oidc.discovery first", BlockedBy: "oidc.discovery"},
		{ID: "oidc.clock", Title: "Provider clock agrees with the local clock", Target: "https://login.example.org",
			Status: finding.Errored, Severity: finding.Error, Message: "the check panicked: runtime error: index out of range [1] with length 1",
			Hint: "this is a bug in hubctl; please report it", Duration: 3 * time.Millisecond},
		{ID: "net.reach", Title: "Host is reachable", Target: "hub:8081",
			Status: finding.Skip, Severity: finding.Info,
			Message: "hub (hub.apiUrl) is a cluster-internal name that does not resolve from here",
			Hint:    "run doctor inside the cluster (hubctl render doctor-job)"},
	}
}

func testMeta() Meta {
	return Meta{Command: "doctor", Version: "1.4.0-test", SpecFile: "hubctl.yaml", Elapsed: 1500 * time.Millisecond,
		Rules: []Rule{
			{ID: "login.credentials", Title: "Client credentials authenticate", Doc: "the token endpoint accepts login.clientId and login.clientSecret"},
			{ID: "net.reach", Title: "Host is reachable", Doc: "each URL's host resolves and accepts a TCP connection"},
			{ID: "oidc.claims", Title: "Username and groups claims are offered", Doc: "discovery lists the claims login.usernameClaim and login.groupsClaim name"},
			{ID: "oidc.clock", Title: "Provider clock agrees with the local clock", Doc: "the provider's Date header is within a minute of the local clock"},
			{ID: "spec.valid", Title: "Spec is valid", Doc: "everything hubctl validate checks, without the network"},
			{ID: "tls.expiry", Title: "TLS certificate is not about to expire", Doc: "the certificate is valid for 14 more days at least"},
		}}
}

func render(t *testing.T, f Format, rs finding.Results, m Meta, o TextOptions) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, f, rs, m, o); err != nil {
		t.Fatalf("Write %s: %v", f, err)
	}
	return b.Bytes()
}

func TestGolden(t *testing.T) {
	tests := []struct {
		file   string
		format Format
		opts   TextOptions
	}{
		{"run.txt", Text, TextOptions{}},
		{"run-verbose.txt", Text, TextOptions{Verbose: true}},
		{"run.json", JSON, TextOptions{}},
		{"run.junit.xml", JUnit, TextOptions{}},
		{"run.github.txt", GitHub, TextOptions{}},
		{"run.sarif.json", SARIF, TextOptions{}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			assertGolden(t, tt.file, render(t, tt.format, failingRun(), testMeta(), tt.opts))
		})
	}
}

func TestEveryFormatHasAGoldenFile(t *testing.T) {
	covered := map[Format]bool{Text: true, JSON: true, JUnit: true, GitHub: true, SARIF: true}
	for _, f := range Formats {
		if !covered[f] {
			t.Errorf("format %s has no golden file in TestGolden", f)
		}
	}
}

func TestText(t *testing.T) {
	plain := string(render(t, Text, failingRun(), testMeta(), TextOptions{}))
	verbose := string(render(t, Text, failingRun(), testMeta(), TextOptions{Verbose: true}))
	colour := string(render(t, Text, failingRun(), testMeta(), TextOptions{Colour: true}))
	tests := []struct {
		name        string
		out         string
		want, avoid []string
	}{
		{"targets in first-seen order, each once", plain,
			[]string{"hubctl.yaml\n  ✗", "\nhttps://hub.example.org\n  ✓", "\nhttps://login.example.org/oauth/token\n  ✗", "\nhttps://login.example.org\n  ?"}, nil},
		{"skips that follow from a failure are folded into the summary", plain,
			[]string{"  - Host is reachable: hub (hub.apiUrl) is a cluster-internal name", "(1 skipped because a check they need did not pass; -v lists them)"},
			[]string{"Username and groups claims are offered"}},
		{"static result at its position", plain,
			[]string{`  ✗ hubctl.yaml:14:9: Spec is valid: services.nbviewer.scopes[1]: unknown scope "read:user" [unknown-scope]` + "\n    hint: use one of"}, nil},
		{"a pass is one short line", plain,
			[]string{"  ✓ Host is reachable [net.reach]\n"}, []string{"203.0.113.7"}},
		{"hints under warn, fail and error", plain,
			[]string{"  ! TLS certificate is not about to expire: the certificate expires in 10 days, on 2026-11-12 [tls.expiry]\n    hint: renew",
				"    hint: set login.clientSecret", "  ? Provider clock agrees with the local clock: the check panicked", "    hint: this is a bug"},
			[]string{"hint: fix oidc.discovery first"}},
		{"summary", plain,
			[]string{"\n7 checks: 1 passed, 1 warning, 2 failed, 2 skipped, 1 errored in 1.5s"}, nil},
		{"no colour codes unless asked", plain, nil, []string{"\x1b["}},
		{"verbose shows passes' messages and skips' hints", verbose,
			[]string{"  ✓ Host is reachable: connected to 203.0.113.7:443 [net.reach]", "    hint: fix oidc.discovery first"}, nil},
		{"colour", colour,
			[]string{"\x1b[32m✓\x1b[0m", "\x1b[33m!\x1b[0m", "\x1b[31m✗\x1b[0m", "\x1b[31m?\x1b[0m", "\x1b[2m- Host is reachable: hub", "\x1b[1mhubctl.yaml\x1b["}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, w := range tt.want {
				if !strings.Contains(tt.out, w) {
					t.Errorf("output lacks %q:\n%s", w, tt.out)
				}
			}
			for _, a := range tt.avoid {
				if strings.Contains(tt.out, a) {
					t.Errorf("output has %q:\n%s", a, tt.out)
				}
			}
		})
	}
}

func TestSummaryLine(t *testing.T) {
	pass := finding.Result{ID: "net.reach", Status: finding.Pass}
	warn := finding.Result{ID: "tls.expiry", Status: finding.Warn}
	tests := []struct {
		name    string
		rs      finding.Results
		elapsed time.Duration
		want    string
	}{
		{"none", nil, 0, "0 checks: 0 passed, 0 warnings, 0 failed, 0 skipped"},
		{"one, no errored count when none errored", finding.Results{pass}, 0, "1 check: 1 passed, 0 warnings, 0 failed, 0 skipped"},
		{"wall time when known", finding.Results{pass, warn}, 61400 * time.Millisecond, "2 checks: 1 passed, 1 warning, 0 failed, 0 skipped in 1m1s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := summary(tt.rs, Meta{Elapsed: tt.elapsed}); got != tt.want {
				t.Errorf("summary = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestJSON(t *testing.T) {
	tests := []struct {
		name   string
		rs     finding.Results
		strict bool
		want   jsonSummary
		checks int
	}{
		{"failing run", failingRun(), false, jsonSummary{Passed: 1, Warnings: 1, Failed: 2, Skipped: 2, Errored: 1}, 7},
		{"warnings pass", finding.Results{{ID: "tls.expiry", Status: finding.Warn}}, false, jsonSummary{Warnings: 1, OK: true}, 1},
		{"strict fails on warnings", finding.Results{{ID: "tls.expiry", Status: finding.Warn}}, true, jsonSummary{Warnings: 1}, 1},
		{"empty run", nil, false, jsonSummary{OK: true}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := render(t, JSON, tt.rs, Meta{Strict: tt.strict}, TextOptions{})
			var doc struct {
				Version int               `json:"version"`
				Checks  []json.RawMessage `json:"checks"`
				Summary jsonSummary       `json:"summary"`
			}
			if err := json.Unmarshal(out, &doc); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, out)
			}
			if doc.Version != 1 || len(doc.Checks) != tt.checks || doc.Summary != tt.want {
				t.Errorf("got version %d, %d checks, summary %+v; want 1, %d, %+v", doc.Version, len(doc.Checks), doc.Summary, tt.checks, tt.want)
			}
			if tt.checks == 0 && !bytes.Contains(out, []byte(`"checks": []`)) {
				t.Errorf("an empty run must list no checks as [], not null:\n%s", out)
			}
		})
	}
}

type junitDoc struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Errors   int `xml:"errors,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Errors   int    `xml:"errors,attr"`
		Skipped  int    `xml:"skipped,attr"`
		Time     string `xml:"time,attr"`
		Cases    []struct {
			Classname string `xml:"classname,attr"`
			Name      string `xml:"name,attr"`
			Time      string `xml:"time,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Body    string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
			} `xml:"error"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
			SystemOut string `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func parseJUnit(t *testing.T, out []byte) junitDoc {
	t.Helper()
	var doc junitDoc
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, out)
	}
	if len(doc.Suites) != 1 {
		t.Fatalf("want one testsuite, got %d:\n%s", len(doc.Suites), out)
	}
	return doc
}

func TestJUnit(t *testing.T) {
	doc := parseJUnit(t, render(t, JUnit, failingRun(), testMeta(), TextOptions{}))
	s := doc.Suites[0]
	if s.Name != "hubctl doctor" || s.Tests != 7 || s.Failures != 2 || s.Errors != 1 || s.Skipped != 2 || s.Time != "1.500" {
		t.Errorf("suite = %q tests=%d failures=%d errors=%d skipped=%d time=%s; want hubctl doctor 7 2 1 2 1.500",
			s.Name, s.Tests, s.Failures, s.Errors, s.Skipped, s.Time)
	}
	if doc.Tests != 7 || doc.Failures != 2 || doc.Errors != 1 {
		t.Errorf("testsuites counts %d/%d/%d, want 7/2/1", doc.Tests, doc.Failures, doc.Errors)
	}
	c := s.Cases
	if c[0].Name != "unknown-scope: Spec is valid (hubctl.yaml:14:9)" || c[0].Classname != "hubctl.yaml" {
		t.Errorf("static case = %q in %q", c[0].Name, c[0].Classname)
	}
	if c[1].Failure != nil || c[1].Error != nil || c[1].Skipped != nil || c[1].Time != "0.012" {
		t.Errorf("pass case has %+v, time %s", c[1], c[1].Time)
	}
	if c[2].Failure != nil || !strings.HasPrefix(c[2].SystemOut, "warning: the certificate expires") || !strings.Contains(c[2].SystemOut, "\nhint: renew") {
		t.Errorf("a warning passes with its text in system-out; got failure %v, system-out %q", c[2].Failure, c[2].SystemOut)
	}
	f := c[3].Failure
	if f == nil || f.Type != "login.credentials" || f.Message != failingRun()[3].Message ||
		f.Body != failingRun()[3].Message+"\nhint: "+failingRun()[3].Hint || c[3].Name != "login.credentials: Client credentials authenticate" {
		t.Errorf("failure case = %q %+v", c[3].Name, f)
	}
	if c[4].Skipped == nil || !strings.HasPrefix(c[4].Skipped.Message, "skipped: oidc.discovery") {
		t.Errorf("skip case = %+v", c[4].Skipped)
	}
	if c[5].Error == nil || c[5].Error.Type != "oidc.clock" || c[5].Failure != nil {
		t.Errorf("errored case: error %+v, failure %+v", c[5].Error, c[5].Failure)
	}
}

func TestJUnitStrictFailsWarnings(t *testing.T) {
	rs := finding.Results{{ID: "tls.expiry", Title: "TLS certificate is not about to expire", Target: "h:443",
		Status: finding.Warn, Message: "expires in 10 days", Duration: 2 * time.Second}}
	tests := []struct {
		strict   bool
		failures int
	}{{false, 0}, {true, 1}}
	for _, tt := range tests {
		doc := parseJUnit(t, render(t, JUnit, rs, Meta{Strict: tt.strict}, TextOptions{}))
		s := doc.Suites[0]
		if s.Failures != tt.failures || (s.Cases[0].Failure != nil) != (tt.failures == 1) {
			t.Errorf("strict=%v: %d failures, failure element %v", tt.strict, s.Failures, s.Cases[0].Failure)
		}
		if s.Name != "hubctl" || s.Time != "2.000" {
			t.Errorf("strict=%v: suite %q time %s, want hubctl (no command) and the checks' sum 2.000", tt.strict, s.Name, s.Time)
		}
	}
}

func TestGitHubEscaping(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		data     string
		property string
	}{
		{"plain", "tls.expiry", "tls.expiry", "tls.expiry"},
		{"percent first, so escapes are not escaped twice", "100%0A", "100%250A", "100%250A"},
		{"newlines cannot start a new command", "a\r\n::set-env name=X::1", "a%0D%0A::set-env name=X::1", "a%0D%0A%3A%3Aset-env name=X%3A%3A1"},
		{"colon and comma only in properties", "id: a, b", "id: a, b", "id%3A a%2C b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := escapeData(tt.in); got != tt.data {
				t.Errorf("escapeData(%q) = %q, want %q", tt.in, got, tt.data)
			}
			if got := escapeProperty(tt.in); got != tt.property {
				t.Errorf("escapeProperty(%q) = %q, want %q", tt.in, got, tt.property)
			}
		})
	}
}

func TestGitHubCommands(t *testing.T) {
	tests := []struct {
		name string
		r    finding.Result
		want string
	}{
		{"static error with its position",
			finding.Result{ID: "duplicate-key", Title: "Spec is valid", Target: "dir, x/hub:ctl.yaml", Status: finding.Fail,
				Message: "key login.url appears twice", Pos: finding.Position{File: "dir, x/hub:ctl.yaml", Line: 3, Column: 1}},
			"::error file=dir%2C x/hub%3Actl.yaml,line=3,col=1,title=duplicate-key%3A Spec is valid::key login.url appears twice"},
		{"file without a line",
			finding.Result{ID: "empty", Title: "Spec is valid", Status: finding.Warn, Message: "the file is empty",
				Pos: finding.Position{File: "hubctl.yaml"}},
			"::warning file=hubctl.yaml,title=empty%3A Spec is valid::the file is empty"},
		{"live result names its target, hint last",
			finding.Result{ID: "net.reach", Title: "Host is reachable", Target: "hub:8081", Status: finding.Errored,
				Message: "the check panicked:\nboom", Hint: "report it"},
			"::error title=net.reach%3A Host is reachable::hub:8081: the check panicked:%0Aboom (hint: report it)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := githubCommand(tt.r); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestGitHubPrintsOnlyProblems(t *testing.T) {
	out := string(render(t, GitHub, failingRun(), testMeta(), TextOptions{}))
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	var kinds []string
	for _, l := range lines {
		kind, _, _ := strings.Cut(l, " ")
		kinds = append(kinds, kind)
	}
	want := []string{"::error", "::warning", "::error", "::error", "7"}
	if strings.Join(kinds, ",") != strings.Join(want, ",") {
		t.Errorf("line kinds %v, want %v:\n%s", kinds, want, out)
	}
}

type sarifDoc struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name    string `json:"name"`
				Version string `json:"version"`
				Rules   []struct {
					ID   string `json:"id"`
					Name string `json:"name"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			RuleIndex int    `json:"ruleIndex"`
			Level     string `json:"level"`
			Message   struct {
				Text string `json:"text"`
			} `json:"message"`
			Locations []struct {
				PhysicalLocation *struct {
					ArtifactLocation struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
					Region *struct {
						StartLine   int `json:"startLine"`
						StartColumn int `json:"startColumn"`
					} `json:"region"`
				} `json:"physicalLocation"`
				LogicalLocations []struct {
					Name string `json:"name"`
				} `json:"logicalLocations"`
			} `json:"locations"`
		} `json:"results"`
	} `json:"runs"`
}

func TestSARIF(t *testing.T) {
	out := render(t, SARIF, failingRun(), testMeta(), TextOptions{})
	var doc sarifDoc
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if doc.Version != "2.1.0" || doc.Schema != "https://json.schemastore.org/sarif-2.1.0.json" || len(doc.Runs) != 1 {
		t.Fatalf("header: version %q schema %q, %d runs", doc.Version, doc.Schema, len(doc.Runs))
	}
	run := doc.Runs[0]
	d := run.Tool.Driver
	if d.Name != "hubctl" || d.Version != "1.4.0-test" {
		t.Errorf("driver %q %q", d.Name, d.Version)
	}
	if len(d.Rules) != 7 || d.Rules[6].ID != "unknown-scope" || d.Rules[0].Name != "LoginCredentials" {
		t.Errorf("want the 6 catalogue rules then unknown-scope, got %+v", d.Rules)
	}
	var got []string
	for _, r := range run.Results {
		got = append(got, r.RuleID+"/"+r.Level)
		if d.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("result %s has ruleIndex %d, which is %s", r.RuleID, r.RuleIndex, d.Rules[r.RuleIndex].ID)
		}
	}
	want := "unknown-scope/error tls.expiry/warning login.credentials/error oidc.clock/error"
	if strings.Join(got, " ") != want {
		t.Errorf("results %v, want %s (passes and skips left out, in order)", got, want)
	}
	static := run.Results[0]
	loc := static.Locations[0].PhysicalLocation
	if loc == nil || loc.ArtifactLocation.URI != "hubctl.yaml" || loc.Region == nil || loc.Region.StartLine != 14 || loc.Region.StartColumn != 9 {
		t.Errorf("static location %+v", static.Locations)
	}
	if static.Message.Text != `services.nbviewer.scopes[1]: unknown scope "read:user"`+"\nhint: "+failingRun()[0].Hint {
		t.Errorf("message %q", static.Message.Text)
	}
	live := run.Results[1].Locations[0]
	if len(live.LogicalLocations) != 1 || live.LogicalLocations[0].Name != "https://hub.example.org" ||
		live.PhysicalLocation == nil || live.PhysicalLocation.Region != nil {
		t.Errorf("live location %+v: want the target as logical location and the spec file without a region", live)
	}
}

func TestSARIFEmptyRun(t *testing.T) {
	out := string(render(t, SARIF, nil, Meta{}, TextOptions{}))
	for _, w := range []string{`"results": []`, `"rules": []`} {
		if !strings.Contains(out, w) {
			t.Errorf("empty run lacks %s:\n%s", w, out)
		}
	}
}

func TestFileURI(t *testing.T) {
	tests := []struct{ path, want string }{
		{"hubctl.yaml", "hubctl.yaml"},
		{"deploy/hub ctl.yaml", "deploy/hub%20ctl.yaml"},
		{"a:b.yaml", "./a:b.yaml"},
		{"/srv/hub/hubctl.yaml", "file:///srv/hub/hubctl.yaml"},
	}
	for _, tt := range tests {
		if got := fileURI(tt.path); got != tt.want {
			t.Errorf("fileURI(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

func TestRuleName(t *testing.T) {
	tests := []struct{ id, want string }{
		{"tls.expiry", "TlsExpiry"},
		{"login.redirect-uri", "LoginRedirectUri"},
		{"unknown-scope", "UnknownScope"},
	}
	for _, tt := range tests {
		if got := ruleName(tt.id); got != tt.want {
			t.Errorf("ruleName(%q) = %q, want %q", tt.id, got, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    Format
		wantErr []string
	}{
		{in: "text", want: Text},
		{in: "JSON", want: JSON},
		{in: " sarif ", want: SARIF},
		{in: "junit", want: JUnit},
		{in: "github", want: GitHub},
		{in: "jsno", wantErr: []string{`unknown output format "jsno"`, `did you mean "json"?`, "text, json, junit, github, sarif"}},
		{in: "gihtub", wantErr: []string{`did you mean "github"?`}},
		{in: "yaml-please", wantErr: []string{`unknown output format "yaml-please"; use one of text, json, junit, github, sarif`}},
		{in: "", wantErr: []string{"no output format given"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if tt.wantErr == nil {
				if err != nil || got != tt.want {
					t.Errorf("Parse(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("Parse(%q) = %q, want an error", tt.in, got)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

type brokenWriter struct{}

var errBroken = errors.New("disk full")

func (brokenWriter) Write([]byte) (int, error) { return 0, errBroken }

func TestWriteErrors(t *testing.T) {
	for _, f := range Formats {
		if err := Write(brokenWriter{}, f, failingRun(), testMeta(), TextOptions{}); !errors.Is(err, errBroken) {
			t.Errorf("%s: error %v, want the writer's", f, err)
		}
	}
	if err := Write(&bytes.Buffer{}, "yaml", nil, Meta{}, TextOptions{}); err == nil || !strings.Contains(err.Error(), "unknown output format") {
		t.Errorf("unknown format: error %v", err)
	}
	bad := finding.Results{{ID: "x", Status: "maybe"}}
	if err := Write(&bytes.Buffer{}, JSON, bad, Meta{}, TextOptions{}); !errors.Is(err, errUnknownStatus) {
		t.Errorf("unknown status: error %v", err)
	}
}
