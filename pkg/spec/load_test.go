package spec

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hubctl/hubctl/pkg/exitcode"
	"github.com/hubctl/hubctl/pkg/secret"
)

func TestParseKeepsOrderAndValues(t *testing.T) {
	s, doc, findings := Parse("hubctl.yaml", "/specs", []byte(`version: 1
hub:
  url: https://hub.example.org
  jupyterhub: 6.10
login:
  provider: oidc
  clientSecret: {k8sSecret: {name: oauth, key: secret}}
  verifyTLS: false
services:
  zeta: {url: "http://z:1", access: all, apiToken: {file: z.txt}}
  alpha:
    access: {users: [a, b]}
    apiToken: literal-token
    timeout: 30
roles:
  readers: {scopes: [read:users]}
`))
	if len(findings) != 0 {
		t.Fatalf("findings: %v", findings)
	}
	if got := s.Hub.JupyterHub; got != "6.10" {
		t.Errorf("an unquoted version keeps its text, got %q", got)
	}
	if got := s.Services.Names(); strings.Join(got, ",") != "zeta,alpha" {
		t.Errorf("services out of file order: %v", got)
	}
	if ref := s.Login.ClientSecret; ref.Kind != secret.K8s || ref.K8s != (secret.K8sRef{Name: "oauth", Key: "secret"}) {
		t.Errorf("k8s ref: %+v", ref)
	}
	if s.Login.VerifyTLS == nil || *s.Login.VerifyTLS {
		t.Error("verifyTLS false lost")
	}
	zeta, _ := s.Services.Get("zeta")
	alpha, _ := s.Services.Get("alpha")
	if !zeta.Access.All || zeta.APIToken.File != "z.txt" || !zeta.OAuthEnabled() {
		t.Errorf("zeta: %+v", zeta)
	}
	if alpha.Access.All || len(alpha.Access.Users) != 2 || alpha.APIToken.Literal != "literal-token" || *alpha.Timeout != 30 || alpha.OAuthEnabled() {
		t.Errorf("alpha: %+v", alpha)
	}
	if pos := doc.Pos("services.alpha.access.users[1]"); pos.Line != 12 || pos.Column != 25 {
		t.Errorf("position of users[1]: %v", pos)
	}
	if pos := doc.KeyPos("services.alpha.timeout"); pos.Line != 14 || pos.Column != 5 {
		t.Errorf("position of the timeout key: %v", pos)
	}
	if pos := doc.Pos("services.alpha.redirectUri"); pos.Line != 11 || pos.Column != 3 {
		t.Errorf("a missing key sits at its parent's key, got %v", pos)
	}
	if doc.Dir != "/specs" || doc.File != "hubctl.yaml" {
		t.Errorf("document names: %+v", doc)
	}
}

func TestParseReportsEveryStructuralProblem(t *testing.T) {
	s, _, findings := Parse("x.yaml", ".", []byte(`version: one
hub:
  url: [https://hub.example.org]
  jupyterhub: 5.5
  colour: blue
login:
  provider: oidc
  scopes: openid
  clientSecret: {env: A, file: b}
  allow: {all: maybe}
services:
  nbviewer:
    access: everyone
    timeout: soon
`))
	if s == nil {
		t.Fatal("a structurally broken spec still decodes what it can")
	}
	want := []string{
		"x.yaml:1:10: version: expected a whole number",
		"x.yaml:3:8: hub.url: expected a string, got a list",
		`x.yaml:5:3: hub.colour: unknown key "colour"`,
		"x.yaml:8:11: login.scopes: expected a list of strings",
		"x.yaml:9:17: login.clientSecret: a secret reference takes exactly one of env, file or k8sSecret; this one has env and file",
		"x.yaml:10:16: login.allow.all: expected true or false, got the string \"maybe\"",
		`x.yaml:13:13: services.nbviewer.access: expected "all" or a mapping with users and groups, got "everyone"`,
		"x.yaml:14:14: services.nbviewer.timeout: expected a whole number",
	}
	if len(findings) != len(want) {
		t.Errorf("got %d findings, want %d:\n%v", len(findings), len(want), findings)
	}
	for i, w := range want {
		if i < len(findings) && !strings.HasPrefix(findings[i].String(), w) {
			t.Errorf("finding %d:\n got %s\nwant %s...", i, findings[i], w)
		}
	}
}

func TestJoinQuotesOddKeys(t *testing.T) {
	for _, tt := range []struct{ path, key, want string }{
		{"", "hub", "hub"},
		{"services", "nbviewer", "services.nbviewer"},
		{"services", "a.b", `services["a.b"]`},
		{"services", "a/b", `services["a/b"]`},
	} {
		if got := Join(tt.path, tt.key); got != tt.want {
			t.Errorf("Join(%q, %q) = %q, want %q", tt.path, tt.key, got, tt.want)
		}
	}
	if got := parentPath(`services["a.b"].url`); got != `services["a.b"]` {
		t.Errorf("parentPath: %q", got)
	}
	if got := parentPath(`services["a.b"]`); got != "services" {
		t.Errorf("parentPath: %q", got)
	}
}

func TestHubURLs(t *testing.T) {
	tests := []struct {
		url, base, callback, redirect, api string
	}{
		{"https://hub.example.org", "/", "https://hub.example.org/hub/oauth_callback", "https://hub.example.org/services/nb/oauth_callback", "https://hub.example.org/hub/api"},
		{"https://hub.example.org/", "/", "https://hub.example.org/hub/oauth_callback", "https://hub.example.org/services/nb/oauth_callback", "https://hub.example.org/hub/api"},
		{"https://example.org/jupyter", "/jupyter/", "https://example.org/jupyter/hub/oauth_callback", "https://example.org/jupyter/services/nb/oauth_callback", "https://example.org/jupyter/hub/api"},
		{"http://127.0.0.1:8000/a/b/", "/a/b/", "http://127.0.0.1:8000/a/b/hub/oauth_callback", "http://127.0.0.1:8000/a/b/services/nb/oauth_callback", "http://127.0.0.1:8000/a/b/hub/api"},
	}
	for _, tt := range tests {
		h := Hub{URL: tt.url}
		if h.BasePath() != tt.base || h.LoginCallbackURL() != tt.callback || h.ServiceRedirectURI("nb") != tt.redirect || h.ResolvedAPIURL() != tt.api {
			t.Errorf("%s: base %s callback %s redirect %s api %s", tt.url, h.BasePath(), h.LoginCallbackURL(), h.ServiceRedirectURI("nb"), h.ResolvedAPIURL())
		}
	}
}

func TestSuggestKey(t *testing.T) {
	known := []string{"clientId", "clientSecret", "usernameClaim", "verifyTLS", "admins", "allow", "scopes", "userdataUrl", "tokenUrl"}
	for key, want := range map[string]string{
		"client_id": "clientId", "CLIENTID": "clientId", "clientSecert": "clientSecret",
		"username_key": "usernameClaim", "usernameKey": "usernameClaim", "tls_verify": "verifyTLS",
		"admin_users": "admins", "allow_all": "allow", "scope": "scopes", "frobnicate": "",
		"admin_groups": "admins", "adminGroups": "admins",
		// Trait names with no equivalent are not near spellings of a key.
		"userdata_params": "", "token_params": "", "extra_params": "", "enable_pkce": "",
		"userDataParams": "", "clientIdentifier": "",
	} {
		if got := suggestKey(key, known); got != want {
			t.Errorf("suggestKey(%q) = %q, want %q", key, got, want)
		}
	}
}

// findingsOf parses text and returns its findings as "LINE:COL ID path: message | hint".
func findingsOf(t *testing.T, text string) []string {
	t.Helper()
	_, _, findings := Parse("h.yaml", ".", []byte(text))
	var out []string
	for _, f := range findings {
		out = append(out, fmt.Sprintf("%d:%d %s %s: %s | %s", f.Pos.Line, f.Pos.Column, f.ID, f.Path, f.Message, f.Hint))
	}
	return out
}

func TestDuplicateKeysAtEveryLevel(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"top level", "version: 1\nversion: 1\n", `2:1 duplicate-key version: key "version" is already set at line 1, column 1`},
		{"hub", "hub:\n  url: https://a\n  url: https://b\n", `3:3 duplicate-key hub.url: key "url" is already set at line 2, column 3`},
		{"service", "services:\n  nb: {url: http://a}\n  nb: {url: http://b}\n", `3:3 duplicate-key services.nb: key "nb" is already set at line 2, column 3`},
		{"access", "services:\n  nb: {access: {users: [a], users: [b]}}\n", `2:29 duplicate-key services.nb.access.users: key "users" is already set at line 2, column 17`},
		{"secret ref", "login:\n  clientSecret: {env: A, env: B}\n", `2:26 duplicate-key login.clientSecret.env: key "env" is already set at line 2, column 18`},
		{"k8s secret", "login:\n  clientSecret: {k8sSecret: {name: a, key: b, name: c}}\n", `2:47 duplicate-key login.clientSecret.k8sSecret.name: key "name" is already set at line 2, column 30`},
		{"allow", "login:\n  allow:\n    all: true\n    all: false\n", `4:5 duplicate-key login.allow.all`},
		{"role", "roles:\n  r: {scopes: [a]}\n  r: {scopes: [b]}\n", `3:3 duplicate-key roles.r`},
		{"role field", "roles:\n  r: {scopes: [a], scopes: [b]}\n", `2:20 duplicate-key roles.r.scopes`},
		{"admins", "login:\n  admins: {groups: [a], groups: [b]}\n", `2:25 duplicate-key login.admins.groups`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := findingsOf(t, tt.text)
			if len(got) != 1 || !strings.HasPrefix(got[0], tt.want) {
				t.Errorf("got %q, want one finding %q", got, tt.want)
			}
		})
	}

	// Only the first occurrence is read.
	s, _, _ := Parse("h.yaml", ".", []byte("hub:\n  url: https://a\n  url: https://b\nservices:\n  nb: {url: http://a}\n  nb: {url: http://b}\n"))
	if s.Hub.URL != "https://a" || len(s.Services) != 1 || s.Services[0].URL != "http://a" {
		t.Errorf("the second occurrence was decoded: hub %+v, services %+v", s.Hub, s.Services)
	}
}

func TestAdmins(t *testing.T) {
	tests := []struct {
		name        string
		text        string
		want        *Admins
		wantFinding string
	}{
		{"list", "login:\n  admins: [alice, bob]\n", &Admins{Users: []string{"alice", "bob"}}, ""},
		{"mapping", "login:\n  admins: {users: [alice], groups: [hub-admins]}\n", &Admins{Users: []string{"alice"}, Groups: []string{"hub-admins"}}, ""},
		{"groups only", "login:\n  admins:\n    groups: [hub-admins]\n", &Admins{Groups: []string{"hub-admins"}}, ""},
		{"bare name", "login:\n  admins: alice\n", nil,
			`2:11 wrong-type login.admins: expected a list of usernames or a mapping with users and groups, got the string "alice" | a list of one is written [alice]`},
		{"unknown key", "login:\n  admins: {group: [a]}\n", &Admins{}, `2:12 unknown-key login.admins.group: unknown key "group"; did you mean "groups"?`},
		{"item not a string", "login:\n  admins: {groups: [[a]]}\n", &Admins{Groups: []string{}}, `2:21 wrong-type login.admins.groups[0]: expected a string, got a list`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _, _ := Parse("h.yaml", ".", []byte(tt.text))
			if !reflect.DeepEqual(s.Login.Admins, tt.want) {
				t.Errorf("admins %+v, want %+v", s.Login.Admins, tt.want)
			}
			got := findingsOf(t, tt.text)
			if tt.wantFinding == "" && len(got) != 0 || tt.wantFinding != "" && (len(got) != 1 || !strings.HasPrefix(got[0], tt.wantFinding)) {
				t.Errorf("findings %q, want %q", got, tt.wantFinding)
			}
		})
	}
}

func TestScalarWhereAListBelongs(t *testing.T) {
	for text, hint := range map[string]string{
		"login:\n  scopes: openid\n":                "a list of one is written [openid]",
		"login:\n  scopes: openid profile email\n":  "a list is written [openid, profile, email]",
		"login:\n  allow: {users: alice, bob}\n":    "", // a flow mapping: "bob" is a second key
		"login:\n  allow: {groups: 'staff, ops'}\n": "a list is written [staff, ops]",
		"roles:\n  r: {scopes: read:users}\n":       "a list of one is written ['read:users']",
		"services:\n  a: {access: {users: bob}}\n":  "a list of one is written [bob]",
	} {
		got := findingsOf(t, text)
		if hint == "" {
			continue
		}
		if len(got) != 1 || !strings.Contains(got[0], "wrong-type") || !strings.HasSuffix(got[0], "| "+hint) {
			t.Errorf("%q: got %q, want a wrong-type with hint %q", text, got, hint)
		}
	}
}

func TestUnknownKeyMessages(t *testing.T) {
	got := findingsOf(t, `login:
  userdata_method: GET
  userdata_params: {a: b}
  admin_groups: [staff]
  adminUsers: [alice]
  basic_auth: true
  clientSecret: {env: A, vault: b}
`)
	want := []string{
		"2:3 removed-key login.userdata_method: userdata_method was removed in OAuthenticator 14.0: delete it | ",
		`3:3 unknown-key login.userdata_params: unknown key "userdata_params": userdata_params has no equivalent in hubctl.yaml | known keys here: admins, allow,`,
		`4:3 unknown-key login.admin_groups: unknown key "admin_groups"; did you mean "admins"? | write ` + "`admins: {groups: [...]}`",
		`5:3 unknown-key login.adminUsers: unknown key "adminUsers"; did you mean "admins"? | write ` + "`admins: [...]`",
		`6:3 unknown-key login.basic_auth: unknown key "basic_auth": basic_auth has no equivalent in hubctl.yaml | `,
		// Another mapping lists its own keys.
		`7:26 unknown-key login.clientSecret.vault: unknown key "vault" | known keys here: env, file, k8sSecret`,
	}
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], w) {
			t.Errorf("finding %d:\n got %s\nwant %s...", i, got[i], w)
		}
		if i > 1 && i < 5 && strings.Contains(got[i], "known keys") {
			t.Errorf("finding %d lists the known keys again: %s", i, got[i])
		}
	}
}

func TestSyntaxErrorPositions(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"tab indents a key", "version: 1\nhub:\n  url: x\n\tjupyterhub: '5.5'\n", "4:1 yaml-syntax : tabs cannot indent YAML | indent with spaces"},
		{"tab after spaces", "version: 1\nhub:\n  url: x\n  \tjupyterhub: '5.5'\n", "4:3 yaml-syntax : tabs cannot indent YAML"},
		{"tab before a list item", "services:\n  a:\n    scopes:\n\t- read:users\n", "4:1 yaml-syntax : tabs cannot indent YAML"},
		// yaml.v3 names line 3, the key above.
		{"key indented less", "version: 1\nhub:\n  url: x\n jupyterhub: '5.5'\n", "4:2 yaml-syntax : did not find expected key"},
		// goccy/go-yaml names line 3, where the scalar "x jupyterhub" starts.
		{"key indented more", "version: 1\nhub:\n  url: x\n   jupyterhub: '5.5'\n", "4:4 yaml-syntax : mapping values are not allowed in this context"},
		{"list item misaligned", "services:\n  a:\n    scopes:\n    - a\n   - b\n", "5:4 yaml-syntax : did not find expected key"},
		{"list item under a mapping", "hub:\n  url: x\n  - a\n", "3:3 yaml-syntax : did not find expected key"},
		{"colon in a value", "hub:\n  url: a: b\n", "2:8 yaml-syntax : mapping values are not allowed in this context"},
		{"unclosed quote", "hub:\n  url: \"x\n  jupyterhub: '5.5'\n", `2:8 yaml-syntax : found unexpected end of stream | check that the " here is closed`},
		{"unclosed bracket", "version: 1\nhub: [\n", "2:6 yaml-syntax : did not find expected node content | check that the [ here is closed"},
		{"unknown anchor", "hub: &h\n  url: x\nlogin: *l\n", "3:8 yaml-syntax : unknown anchor 'l' referenced"},
		{"invalid second document", "version: 1\n---\nhub: [\n", "3:6 yaml-syntax : did not find expected node content"},
		// yaml.v3's reader names no line for these.
		{"invalid UTF-8", "version: 1\nhub:\n  url: h\xffx\n", "3:9 yaml-syntax : byte 0xFF is not UTF-8 | save the file as UTF-8"},
		{"NUL byte", "version: 1\nhub:\n  url: h\x00\n", "3:9 yaml-syntax : control character U+0000 is not allowed"},
		{"BOM before invalid UTF-8", "\ufeffversion: 1\xc3\n", "1:11 yaml-syntax : byte 0xC3 is not UTF-8"},
		{"too deep", "x: " + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + "\n", "1:10004 yaml-syntax : values are nested more than 10000 levels deep here"},
		{"too deep in block lists", "x:\n  " + strings.Repeat("- ", 10001) + "a\n", "2:20003 yaml-syntax : values are nested more than 10000 levels deep here"},
		{"brackets in quotes do not count", "a: '[[['\nx: " + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + "\n", "2:10004 yaml-syntax"},
		{"complex key", "hub:\n  ? [a, b]\n  : c\n", "2:5 wrong-type hub: a key here must be a name, got a list"},
		{"null where a mapping belongs", "login:\n  clientSecret: {k8sSecret: ~}\n", "2:29 wrong-type login.clientSecret.k8sSecret: expected a mapping with name and key, got null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := findingsOf(t, tt.text)
			if len(got) != 1 || !strings.HasPrefix(got[0], tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// An alias bomb (billion laughs) must not be expanded: the decoder reads
// only the typed fields, and yaml.v3 keeps aliases as pointers.
func TestAliasBombIsNotExpanded(t *testing.T) {
	var b strings.Builder
	b.WriteString("version: 1\nx0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i < 30; i++ {
		fmt.Fprintf(&b, "x%d: &a%d [", i, i)
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*a%d", i-1)
		}
		b.WriteString("]\n")
	}
	b.WriteString("hub: {url: *a29}\nlogin: {scopes: *a29, admins: *a29}\nroles: {r: {scopes: *a29, users: *a29}}\n")
	start := time.Now()
	_, _, findings := Parse("bomb.yaml", ".", []byte(b.String()))
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("parsing took %s", elapsed)
	}
	var ids []string
	for _, f := range findings {
		ids = append(ids, f.ID+"@"+f.Path)
	}
	if !slices.Contains(ids, "wrong-type@hub.url") || !slices.Contains(ids, "unknown-key@x29") || len(findings) > 100 {
		t.Errorf("findings: %v", ids)
	}
}

// Aliases that multiply (services aliasing a service whose scopes alias a
// long list) are refused at the alias once they would decode more than
// twice the file's values, at an alias under services; a few aliases
// reused are fine.
func TestAliasExpansionIsBounded(t *testing.T) {
	bomb := func(services, scopes int) string {
		var b strings.Builder
		b.WriteString("version: 1\nhub: {url: https://hub.example.org}\n")
		b.WriteString("x: &l [" + strings.TrimSuffix(strings.Repeat("read:users, ", scopes), ", ") + "]\n")
		b.WriteString("y: &s {scopes: *l}\nservices:\n")
		for i := range services {
			fmt.Fprintf(&b, "  s%d: *s\n", i)
		}
		return b.String()
	}
	s, _, findings := Parse("bomb.yaml", ".", []byte(bomb(2000, 2000)))
	if s != nil || len(findings) != 1 || !strings.Contains(findings[0].Message, "does not expand an alias bomb") || findings[0].Pos.Line <= 4 {
		t.Errorf("spec %v, findings %v", s != nil, findings)
	}
	if s, _, _ := Parse("reuse.yaml", ".", []byte(bomb(50, 20))); s == nil || len(s.Services) != 50 || len(s.Services[49].Scopes) != 20 {
		t.Error("a modest reuse of aliases was refused")
	}
}

func TestLoadRefusesWhatIsNotASpecFile(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	os.WriteFile(big, append([]byte("version: 1\n#"), bytes.Repeat([]byte("x"), MaxFileSize)...), 0o644)
	tests := []struct {
		name, path, want string
		code             int
	}{
		{"too large", big, "reading the spec " + big + ": is larger than 4 MiB, hubctl's limit for a spec", exitcode.Invalid},
		{"directory", dir, "reading the spec " + dir + ": is a directory, not a file", exitcode.Invalid},
		{"device", "/dev/zero", "reading the spec /dev/zero: is a character device, not a regular file or a pipe", exitcode.Invalid},
		{"missing", filepath.Join(dir, "missing.yaml"), "no such file or directory", exitcode.Runtime},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, _, err := Load(tt.path)
			if err == nil || !strings.Contains(err.Error(), tt.want) || exitcode.For(err) != tt.code {
				t.Errorf("Load(%s) = %v (exit %d), want %q (exit %d)", tt.path, err, exitcode.For(err), tt.want, tt.code)
			}
		})
	}
}

// A pipe, as from -f <(sops -d hubctl.yaml), is read, within the cap.
func TestLoadReadsAPipe(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	go func() {
		if w, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			w.WriteString("version: 1\nhub: {url: https://hub.example.org}\n")
			w.Close()
		}
	}()
	s, _, findings, err := Load(fifo)
	if err != nil || len(findings) != 0 || s.Hub.URL != "https://hub.example.org" {
		t.Fatalf("Load(fifo) = %v, %v, %v", s, findings, err)
	}
}

// endless is an input that never ends, like `yes`.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'y'
	}
	return len(p), nil
}

func TestReadCapsStandardInput(t *testing.T) {
	_, err := Read(endless{})
	if err == nil || !strings.Contains(err.Error(), "larger than 4 MiB") || exitcode.For(err) != exitcode.Invalid {
		t.Errorf("Read(endless) = %v (exit %d)", err, exitcode.For(err))
	}
	data, err := Read(strings.NewReader("version: 1\n"))
	if err != nil || string(data) != "version: 1\n" {
		t.Errorf("Read = %q, %v", data, err)
	}
}
