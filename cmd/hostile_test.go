package cmd_test

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// hostileCase is one spec of testdata/hostile, or one made by gen, and
// what hubctl must do with it.
type hostileCase struct {
	// file is the name under testdata/hostile; gen makes the input
	// instead, in dir, and returns the -f argument (and standard input
	// for "-").
	file string
	gen  func(t *testing.T, dir string) (path, stdin string)
	// code is the exit status: 2 invalid, 1 unreadable, 0 a spec hubctl
	// must accept.
	code int
	// want is in standard error: the place (FILE:LINE:COL and key path,
	// or the file) and what is wrong.
	want string
	// render also runs render helm-values -o, which must write nothing
	// when the spec is refused.
	render bool
	// maxAlloc bounds what one validate may allocate, for inputs built
	// to take memory.
	maxAlloc uint64
	// secret must not appear in any output.
	secret string
}

func hostileCases() map[string]hostileCase {
	bad := func(file, want string) hostileCase { return hostileCase{file: file, code: 2, want: want} }
	rendered := func(c hostileCase) hostileCase { c.render = true; return c }
	return map[string]hostileCase{
		// Wrong types, at every level.
		"version string":       bad("version-string.yaml", `version-string.yaml:1:10: version: expected a whole number, got the string "1"`),
		"hub list":             rendered(bad("hub-list.yaml", "hub-list.yaml:2:6: hub: expected a mapping, got a list")),
		"hub.url list":         bad("hub-url-list.yaml", "hub-url-list.yaml:3:8: hub.url: expected a string, got a list"),
		"login string":         bad("login-string.yaml", `login-string.yaml:4:8: login: expected a mapping, got the string "nbgallery"`),
		"verifyTLS string":     bad("login-verifytls-string.yaml", `login-verifytls-string.yaml:10:14: login.verifyTLS: expected true or false, got the string "false"`),
		"scopes string":        bad("login-scopes-string.yaml", `login-scopes-string.yaml:10:11: login.scopes: expected a list of strings, got the string "read write"`),
		"allow list":           rendered(bad("login-allow-list.yaml", "login-allow-list.yaml:9:10: login.allow: expected a mapping, got a list")),
		"allow.all string":     bad("login-allow-all-string.yaml", `login-allow-all-string.yaml:9:16: login.allow.all: expected true or false, got the string "yes"`),
		"allow.users mapping":  bad("login-allow-users-mapping.yaml", "login-allow-users-mapping.yaml:10:12: login.allow.users: expected a list of strings, got a mapping"),
		"admins number":        bad("login-admins-number.yaml", "login-admins-number.yaml:10:11: login.admins: expected a list of usernames or a mapping with users and groups, got the number 5"),
		"services list":        rendered(bad("services-list.yaml", "services-list.yaml:10:11: services: expected a mapping of service names to services, got a list")),
		"service string":       bad("service-string.yaml", `service-string.yaml:11:13: services.nbviewer: expected a mapping, got the string "http://nbviewer:8080"`),
		"timeout string":       bad("service-timeout-string.yaml", `service-timeout-string.yaml:15:14: services.nbviewer.timeout: expected a whole number, got the string "30"`),
		"timeout overflow":     bad("service-timeout-overflow.yaml", "service-timeout-overflow.yaml:15:14: services.nbviewer.timeout: expected a whole number, got the number 99999999999999999999"),
		"oauth yes":            bad("service-oauth-string.yaml", `service-oauth-string.yaml:14:12: services.nbviewer.oauth: expected true or false, got the string "yes"`),
		"access word":          bad("service-access-word.yaml", `service-access-word.yaml:13:13: services.nbviewer.access: expected "all" or a mapping with users and groups, got "everyone"`),
		"roles list":           bad("roles-list.yaml", "roles-list.yaml:15:8: roles: expected a mapping of role names to roles, got a list"),
		"role scopes string":   bad("role-scopes-string.yaml", `role-scopes-string.yaml:17:13: roles.observers.scopes: expected a list of strings, got the string "read:users"`),
		"role description map": bad("role-description-mapping.yaml", "role-description-mapping.yaml:17:18: roles.observers.description: expected a string, got a mapping"),
		"secret env list":      bad("secret-env-list.yaml", "secret-env-list.yaml:8:23: login.clientSecret.env: expected a string, got a list"),
		"secret two kinds":     bad("secret-two-kinds.yaml", "secret-two-kinds.yaml:8:17: login.clientSecret: a secret reference takes exactly one of env, file or k8sSecret; this one has env and file"),
		"k8sSecret string":     bad("secret-k8s-string.yaml", `secret-k8s-string.yaml:8:29: login.clientSecret.k8sSecret: expected a mapping with name and key, got the string "hubctl"`),
		"secret list":          rendered(bad("secret-list.yaml", "secret-list.yaml:14:15: services.nbviewer.apiToken: expected a secret reference")),

		// Unknown keys, at every level.
		"unknown top key":     rendered(bad("unknown-top.yaml", `unknown-top.yaml:10:1: servcies: unknown key "servcies"; did you mean "services"?`)),
		"unknown hub key":     bad("unknown-hub.yaml", `unknown-hub.yaml:4:3: hub.baseurl: unknown key "baseurl"`),
		"unknown login key":   bad("unknown-login.yaml", `unknown-login.yaml:10:3: login.username_key: unknown key "username_key"; did you mean "usernameClaim"?`),
		"unknown allow key":   bad("unknown-allow.yaml", `unknown-allow.yaml:9:22: login.allow.everyone: unknown key "everyone"`),
		"unknown service key": bad("unknown-service.yaml", `unknown-service.yaml:14:5: services.nbviewer.api_token: unknown key "api_token"; did you mean "apiToken"?`),
		"unknown role key":    bad("unknown-role.yaml", `unknown-role.yaml:18:5: roles.observers.members: unknown key "members"`),
		"unknown secret kind": bad("unknown-secret.yaml", `unknown-secret.yaml:8:18: login.clientSecret.vault: unknown key "vault"`),
		"unknown k8sSecret":   bad("unknown-k8s-secret.yaml", `unknown-k8s-secret.yaml:8:57: login.clientSecret.k8sSecret.namespace: unknown key "namespace"`),
		"removed key":         bad("removed-key.yaml", "removed-key.yaml:10:3: login.userdata_method: userdata_method was removed in OAuthenticator 14.0"),
		"merge key":           bad("merge-key.yaml", `merge-key.yaml:4:3: hub["<<"]: unknown key "<<"`),
		"complex key":         bad("complex-key.yaml", "complex-key.yaml:10:5: login: a key here must be a name, got a list"),
		"chart values":        bad("chart-values.yaml", "chart-values.yaml:2:3: this is Zero-to-JupyterHub chart values (it has config), not a hubctl spec"),

		// Duplicate keys.
		"duplicate top key":     rendered(bad("duplicate-top.yaml", `duplicate-top.yaml:15:1: hub: key "hub" is already set at line 2, column 1`)),
		"duplicate service key": bad("duplicate-service-key.yaml", `duplicate-service-key.yaml:14:5: services.nbviewer.url: key "url" is already set at line 12, column 5`),
		"duplicate service":     bad("duplicate-service.yaml", `duplicate-service.yaml:15:3: services.nbviewer: key "nbviewer" is already set at line 11, column 3`),
		"duplicate in flow":     bad("duplicate-secret-key.yaml", `duplicate-secret-key.yaml:8:26: login.clientSecret.env: key "env" is already set at line 8, column 18`),

		// Text that is not one YAML document.
		"tab indent":          rendered(bad("tab-indent.yaml", "tab-indent.yaml:3:1: tabs cannot indent YAML")),
		"tab after spaces":    bad("tab-after-spaces.yaml", "tab-after-spaces.yaml:13:3: tabs cannot indent YAML"),
		"unclosed quote":      bad("unclosed-quote.yaml", "unclosed-quote.yaml:3:8: found unexpected end of stream"),
		"unclosed brace":      bad("unclosed-bracket.yaml", "unclosed-bracket.yaml:10:3: did not find expected ',' or '}'"),
		"unknown anchor":      bad("unknown-anchor.yaml", "unknown-anchor.yaml:9:10: unknown anchor 'everyone' referenced"),
		"invalid UTF-8":       rendered(bad("invalid-utf8.yaml", "invalid-utf8.yaml:10:20: byte 0xFF is not UTF-8")),
		"invalid UTF-8 key":   bad("invalid-utf8-key.yaml", "invalid-utf8-key.yaml:10:3: byte 0xC3 is not UTF-8"),
		"NUL byte":            bad("nul-byte.yaml", "nul-byte.yaml:7:16: control character U+0000 is not allowed"),
		"escape character":    bad("control-character.yaml", "control-character.yaml:6:35: control character U+001B is not allowed"),
		"empty file":          rendered(bad("empty.yaml", "empty.yaml: the file is empty")),
		"only comments":       bad("only-comments.yaml", "only-comments.yaml: the file holds no YAML values, only comments or blank lines"),
		"several documents":   rendered(bad("multiple-documents.yaml", "multiple-documents.yaml:15:1: the file holds more than one YAML document")),
		"a list, not a spec":  bad("root-list.yaml", "root-list.yaml:1:1: expected a mapping, got a list"),
		"a word, not a spec":  bad("root-scalar.yaml", `root-scalar.yaml:1:1: expected a mapping, got the string "hubctl"`),
		"BOM and a bad key":   bad("bom-invalid.yaml", `bom-invalid.yaml:10:1: servcies: unknown key "servcies"`),
		"CRLF and a tab":      bad("crlf-invalid.yaml", "crlf-invalid.yaml:3:1: tabs cannot indent YAML"),
		"billion laughs":      rendered(hostileCase{file: "alias-bomb-laughs.yaml", code: 2, want: "alias-bomb-laughs.yaml:10:6: login.scopes[0]: expected a string, got a list", maxAlloc: 64 << 20}),
		"nulls: hub":          bad("null-hub.yaml", "null-hub.yaml:2:1: hub.url: hub.url is required"),
		"nulls: k8sSecret":    bad("null-k8s-secret.yaml", "null-k8s-secret.yaml:8:29: login.clientSecret.k8sSecret: expected a mapping with name and key, got null"),
		"nulls: allow":        rendered(bad("null-allow.yaml", "null-allow.yaml:9:3: login.allow: login.allow admits nobody")),
		"nulls: clientSecret": bad("null-client-secret.yaml", "null-client-secret.yaml:8:3: login.clientSecret: login.clientSecret is required"),
		"nulls: list item":    bad("null-list-item.yaml", "null-list-item.yaml:10:18: login.scopes[1]: expected a string, got null"),
		"nulls: env":          bad("null-secret-env.yaml", `null-secret-env.yaml:14:16: services.nbviewer.apiToken.env: "" is not an environment variable name`),

		// URLs.
		"userinfo": {file: "url-userinfo.yaml", code: 2, render: true, secret: "hunter2",
			want: "url-userinfo.yaml:3:8: hub.url: the URL carries credentials"},
		"user without password": bad("url-userinfo-user-only.yaml", "url-userinfo-user-only.yaml:6:8: login.url: the URL carries credentials"),
		"javascript:":           rendered(bad("url-javascript.yaml", `url-javascript.yaml:10:16: login.callbackUrl: scheme "javascript" is not http or https`)),
		"JavaScript://":         bad("url-javascript-slashes.yaml", `url-javascript-slashes.yaml:12:10: services.nbviewer.url: scheme "javascript" is not http or https`),
		"port 0":                bad("url-port-zero.yaml", "url-port-zero.yaml:3:8: hub.url: port 0 is out of range 1-65535"),
		"port 65536":            rendered(bad("url-port-65536.yaml", "url-port-65536.yaml:12:10: services.nbviewer.url: port 65536 is out of range 1-65535")),
		"port of 20 digits":     bad("url-port-huge.yaml", "url-port-huge.yaml:6:8: login.url: port 99999999999999999999 is out of range 1-65535"),
		"negative port":         bad("url-port-negative.yaml", `url-port-negative.yaml:3:8: hub.url: "https://hub.example.org:-443" is not a URL: invalid port ":-443" after host`),
		"IPv6 unclosed":         bad("url-ipv6-unclosed.yaml", "url-ipv6-unclosed.yaml:12:10: services.nbviewer.url: \"http://[fd00::5:8080\" is not a URL: missing ']' in host"),
		"IPv6 bad digits":       bad("url-ipv6-bad-digits.yaml", "url-ipv6-bad-digits.yaml:3:8: hub.url: \"https://[2001:db8::zz]\" is not a URL: invalid host"),
		"IPv6 unbracketed":      bad("url-ipv6-unbracketed.yaml", `url-ipv6-unbracketed.yaml:3:8: hub.url: "https://2001:db8::1/" is not a URL: invalid port`),
		"IPv6 triple colon":     bad("url-ipv6-triple-colon.yaml", "url-ipv6-triple-colon.yaml:3:8: hub.url: \"https://[2001:db8:::1]\" is not a URL: invalid host"),
		"fragment":              bad("url-fragment.yaml", "url-fragment.yaml:3:8: hub.url: the URL has a fragment"),
		"space in host":         bad("url-space-in-host.yaml", `url-space-in-host.yaml:6:8: login.url: "https://gallery example.org" is not a URL: invalid character " " in host name`),

		// Valid specs written in hostile-looking ways: hubctl takes them.
		"BOM":               {file: "bom.yaml", code: 0, render: true, want: "bom.yaml is valid"},
		"CRLF":              {file: "crlf.yaml", code: 0, render: true, want: "crlf.yaml is valid"},
		"BOM and CRLF":      {file: "bom-crlf.yaml", code: 0, want: "bom-crlf.yaml is valid"},
		"IPv6 literals":     {file: "ok-ipv6.yaml", code: 0, render: true, want: "ok-ipv6.yaml is valid"},
		"IDN hosts":         {file: "ok-idn.yaml", code: 0, render: true, want: "ok-idn.yaml is valid"},
		"null service body": {file: "ok-null-service.yaml", code: 0, want: "ok-null-service.yaml is valid"},

		// Host names and a URL that does not parse, checked by
		// pkg/validate's checkURL (IDNA 2008, labels; no password echoed).
		"malformed IDN":   {file: "bad-idn-malformed.yaml", code: 2, want: "bad-idn-malformed.yaml:3:8: hub.url:"},
		"bad host labels": {file: "bad-host-bad-labels.yaml", code: 2, want: "bad-host-bad-labels.yaml:6:8: login.url:"},
		"malformed URL with a password": {file: "bad-url-userinfo-malformed.yaml", code: 2, secret: "hunter2",
			want: "bad-url-userinfo-malformed.yaml:3:8: hub.url:"},

		// Inputs made by the test: too large to commit, or not files.
		"10 MB file": {gen: func(t *testing.T, dir string) (string, string) {
			return writeIn(t, dir, "big.yaml", hostileBase+"# "+strings.Repeat("x", 10<<20)+"\n"), ""
		}, code: 2, render: true, want: "big.yaml: is larger than 4 MiB, hubctl's limit for a spec", maxAlloc: 32 << 20},
		"10 MB on standard input": {gen: func(t *testing.T, dir string) (string, string) {
			return "-", hostileBase + "# " + strings.Repeat("x", 10<<20) + "\n"
		}, code: 2, want: "reading the spec from standard input: is larger than 4 MiB"},
		"10,000 levels of brackets": {gen: func(t *testing.T, dir string) (string, string) {
			deep := strings.Repeat("[", 10000) + strings.Repeat("]", 10000)
			return writeIn(t, dir, "deep.yaml", strings.Replace(hostileBase, "  allow: {all: true}", "  allow: {all: true}\n  scopes: "+deep, 1)), ""
		}, code: 2, render: true, want: "deep.yaml:10:12: login.scopes[0]: expected a string, got a list", maxAlloc: 64 << 20},
		"10,001 levels of brackets": {gen: func(t *testing.T, dir string) (string, string) {
			deep := strings.Repeat("{a: ", 10001) + "1" + strings.Repeat("}", 10001)
			return writeIn(t, dir, "deeper.yaml", hostileBase+"x: "+deep+"\n"), ""
		}, code: 2, want: "deeper.yaml:15:40004: values are nested more than 10000 levels deep here", maxAlloc: 64 << 20},
		// yaml.v3 refuses it; goccy/go-yaml, asked for the place, took
		// 9.6 GB for 80,000 levels.
		"100,000 levels of block lists": {gen: func(t *testing.T, dir string) (string, string) {
			return writeIn(t, dir, "deep-block.yaml", hostileBase+"x:\n  "+strings.Repeat("- ", 100000)+"x\n"), ""
		}, code: 2, want: "deep-block.yaml:16:20003: values are nested more than 10000 levels deep here", maxAlloc: 64 << 20},
		// 3,000 services aliasing one service whose scopes alias a list
		// of 3,000: 9 million values from 65 KB, which took 1.3 GB and
		// then the process.
		"alias bomb through services": {gen: func(t *testing.T, dir string) (string, string) {
			var b strings.Builder
			b.WriteString("version: 1\nhub:\n  url: https://hub.example.org\n")
			b.WriteString("x-scopes: &scopes [" + strings.TrimSuffix(strings.Repeat("read:users, ", 3000), ", ") + "]\n")
			b.WriteString("x-service: &service {apiToken: {env: T}, access: all, scopes: *scopes}\nservices: {")
			for i := range 3000 {
				fmt.Fprintf(&b, "s%d: *service, ", i)
			}
			b.WriteString("}\n")
			return writeIn(t, dir, "bomb.yaml", b.String()), ""
		}, code: 2, render: true, want: "hubctl does not expand an alias bomb", maxAlloc: 64 << 20},
		"a directory": {gen: func(t *testing.T, dir string) (string, string) {
			sub := filepath.Join(dir, "hubctl.yaml")
			os.Mkdir(sub, 0o755)
			return sub, ""
		}, code: 2, render: true, want: "hubctl.yaml: is a directory, not a file"},
		"a missing file": {gen: func(t *testing.T, dir string) (string, string) {
			return filepath.Join(dir, "missing.yaml"), ""
		}, code: 1, render: true, want: "missing.yaml: no such file or directory"},
		"a device": {gen: func(t *testing.T, dir string) (string, string) {
			return "/dev/zero", ""
		}, code: 2, want: "/dev/zero: is a character device"},
	}
}

// hostileBase is testdata/hostile's valid spec, the one the corpus
// breaks a piece of at a time.
const hostileBase = `version: 1
hub:
  url: https://hub.example.org
login:
  provider: nbgallery
  url: https://gallery.example.org
  clientId: abc123
  clientSecret: {env: OAUTH_CLIENT_SECRET}
  allow: {all: true}
services:
  nbviewer:
    url: http://nbviewer:8080
    access: all
    apiToken: {env: NBVIEWER_API_TOKEN}
`

func writeIn(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestHostileSpecs runs every spec of testdata/hostile, and inputs made to
// hurt, through validate (and some through render helm-values -o): the
// exit status, a message that names the place, no panic, nothing on
// standard output, nothing written, and bounded memory.
func TestHostileSpecs(t *testing.T) {
	cases := hostileCases()
	for _, name := range slices.Sorted(maps.Keys(cases)) {
		c := cases[name]
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path, stdin := repo(t, filepath.Join("testdata", "hostile", c.file)), ""
			if c.gen != nil {
				path, stdin = c.gen(t, dir)
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			r := execute(t, setup{stdin: stdin}, "validate", "-f", path)
			runtime.ReadMemStats(&after)
			checkHostileRun(t, c, r, c.want)
			if alloc := after.TotalAlloc - before.TotalAlloc; c.maxAlloc > 0 && alloc > c.maxAlloc {
				t.Errorf("validate allocated %d MiB, more than %d MiB", alloc>>20, c.maxAlloc>>20)
			}
			if !c.render {
				return
			}
			outDir := t.TempDir()
			out := filepath.Join(outDir, "values.yaml")
			r = execute(t, setup{stdin: stdin}, "render", "helm-values", "-f", path, "-o", out)
			if c.code == 0 {
				checkHostileRun(t, c, r, "")
			} else {
				checkHostileRun(t, c, r, c.want)
			}
			if r.out != "" {
				t.Errorf("render -o printed %q", r.out)
			}
			entries, _ := os.ReadDir(outDir)
			switch {
			case c.code != 0 && len(entries) != 0:
				t.Errorf("a refused spec left %v in the output directory", entries)
			case c.code == 0 && (len(entries) != 1 || entries[0].Name() != "values.yaml"):
				t.Errorf("render -o left %v, want values.yaml alone", entries)
			}
		})
	}
}

// checkHostileRun checks one run of a case; want is what standard error
// must hold, "" for a render that succeeds and so says nothing.
func checkHostileRun(t *testing.T, c hostileCase, r run, want string) {
	t.Helper()
	if r.code != c.code {
		t.Errorf("exit %d, want %d\nstderr: %s", r.code, c.code, r.errOut)
	}
	if !strings.Contains(r.errOut, want) {
		t.Errorf("stderr lacks %q:\n%s", want, r.errOut)
	}
	for _, crash := range []string{"panic:", "goroutine "} {
		if strings.Contains(r.errOut, crash) || strings.Contains(r.out, crash) {
			t.Errorf("output has %q:\n%s", crash, r.errOut)
		}
	}
	if c.code != 0 && r.out != "" {
		t.Errorf("stdout should be empty on an error, got %.200q", r.out)
	}
	if c.secret != "" && (strings.Contains(r.out, c.secret) || strings.Contains(r.errOut, c.secret)) {
		t.Errorf("the URL's password reached the output:\n%s", r.errOut)
	}
}

// TestHostileUnreadableFile is a spec with mode 000. Root reads it anyway
// (the kernel does not check modes for it), so there the honest result is
// the spec's own: valid, exit 0. Anyone else gets exit 1, naming the file.
func TestHostileUnreadableFile(t *testing.T) {
	dir := t.TempDir()
	path := writeIn(t, dir, "locked.yaml", hostileBase)
	if err := os.Chmod(path, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(path, 0o644) })
	_, err := os.ReadFile(path)
	r := execute(t, setup{}, "validate", "-f", path)
	if err == nil {
		t.Logf("running as uid %d, which reads a mode 000 file: expecting it validated", os.Geteuid())
		expect(t, r, 0, "", "locked.yaml is valid", true)
		return
	}
	expect(t, r, 1, "", "reading the spec "+path+": permission denied", true)
	out := filepath.Join(dir, "values.yaml")
	expect(t, execute(t, setup{}, "render", "helm-values", "-f", path, "-o", out), 1, "", "permission denied", true)
	if _, err := os.Stat(out); err == nil {
		t.Error("render wrote values from an unreadable spec")
	}
}

// TestHostileCorpusIsListed keeps testdata/hostile, the table and the
// corpus's README in step: every file is a case and is described.
func TestHostileCorpusIsListed(t *testing.T) {
	dir := repo(t, filepath.Join("testdata", "hostile"))
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, c := range hostileCases() {
		if c.file != "" {
			used[c.file] = true
		}
	}
	entries, _ := os.ReadDir(dir)
	bad := 0
	for _, e := range entries {
		if e.Name() == "README.md" {
			continue
		}
		if !used[e.Name()] {
			t.Errorf("testdata/hostile/%s is in no case of TestHostileSpecs", e.Name())
		}
		if !bytes.Contains(readme, []byte("`"+e.Name()+"`")) {
			t.Errorf("testdata/hostile/README.md does not list %s", e.Name())
		}
		delete(used, e.Name())
	}
	for file := range used {
		t.Errorf("case file %s is not in testdata/hostile", file)
	}
	for _, c := range hostileCases() {
		if c.code != 0 {
			bad++
		}
	}
	if bad < 45 {
		t.Errorf("%d bad specs, the corpus promises at least 45", bad)
	}
}
