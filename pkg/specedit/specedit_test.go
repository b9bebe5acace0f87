package specedit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var loginID = []string{"login", "clientId"}

func TestSetString(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    string
		keys  []string
		value string
		want  string
	}{
		{
			name: "plain value with comments above and beside",
			in:   "# hubctl spec\nversion: 1\nlogin:\n  # the provider\n  provider: hydra\n  clientId: old-id   # set by hubctl app create\n  clientSecret: {env: S}\n",
			keys: loginID, value: "3f2a-new",
			want: "# hubctl spec\nversion: 1\nlogin:\n  # the provider\n  provider: hydra\n  clientId: 3f2a-new   # set by hubctl app create\n  clientSecret: {env: S}\n",
		},
		{
			name: "a tab before the comment",
			in:   "login:\n  clientId: old\t# note\n",
			keys: loginID, value: "new",
			want: "login:\n  clientId: new\t# note\n",
		},
		{
			name: "double-quoted keeps its quotes",
			in:   "login:\n  clientId: \"old-id\" # c\n  url: x\n",
			keys: loginID, value: "new-id",
			want: "login:\n  clientId: \"new-id\" # c\n  url: x\n",
		},
		{
			name: "single-quoted keeps its quotes and escapes",
			in:   "login:\n  clientId: 'it''s old'\n",
			keys: loginID, value: "it's new",
			want: "login:\n  clientId: 'it''s new'\n",
		},
		{
			name: "a plain number would not read back as a string",
			in:   "login:\n  clientId: old\n",
			keys: loginID, value: "12345",
			want: "login:\n  clientId: \"12345\"\n",
		},
		{
			name: "a boolean word is quoted",
			in:   "login:\n  clientId: old\n",
			keys: loginID, value: "true",
			want: "login:\n  clientId: \"true\"\n",
		},
		{
			name: "a value with a comment marker is quoted",
			in:   "login:\n  clientId: old\n",
			keys: loginID, value: "a #b",
			want: "login:\n  clientId: \"a #b\"\n",
		},
		{
			name: "a colon and a space are quoted, a URL-like colon is not",
			in:   "login:\n  clientId: old\n  other: x\n",
			keys: loginID, value: "urn:client:1",
			want: "login:\n  clientId: urn:client:1\n  other: x\n",
		},
		{
			name: "an empty value goes after the colon, before the comment",
			in:   "login:\n  clientId:   # hubctl app create fills this\n  url: x\n",
			keys: loginID, value: "new",
			want: "login:\n  clientId: new   # hubctl app create fills this\n  url: x\n",
		},
		{
			name: "an empty value at the end of the file",
			in:   "login:\n  url: x\n  clientId:",
			keys: loginID, value: "new",
			want: "login:\n  url: x\n  clientId: new",
		},
		{
			name: "a null is replaced",
			in:   "login:\n  clientId: ~\n",
			keys: loginID, value: "new",
			want: "login:\n  clientId: new\n",
		},
		{
			name: "CRLF line endings stay",
			in:   "version: 1\r\nlogin:\r\n  clientId: old # c\r\n  url: x\r\n",
			keys: loginID, value: "new",
			want: "version: 1\r\nlogin:\r\n  clientId: new # c\r\n  url: x\r\n",
		},
		{
			name: "CRLF: an added key gets CRLF",
			in:   "login:\r\n  url: x\r\nservices: {}\r\n",
			keys: loginID, value: "new",
			want: "login:\r\n  url: x\r\n  clientId: new\r\nservices: {}\r\n",
		},
		{
			name: "no trailing newline: replaced",
			in:   "login:\n  clientId: old",
			keys: loginID, value: "new",
			want: "login:\n  clientId: new",
		},
		{
			name: "no trailing newline: added, still none",
			in:   "login:\n  url: x",
			keys: loginID, value: "new",
			want: "login:\n  url: x\n  clientId: new",
		},
		{
			name: "key absent: after the last entry and its nested lines, before what follows",
			in:   "version: 1\nlogin:\n  provider: hydra\n  scopes:\n  - openid\n  - email\n  extra:\n    a: 1\n\n    note: |\n      text\n      # part of the note\n\n# about services\nservices:\n  nbviewer:\n    url: http://nbviewer\n",
			keys: loginID, value: "new-id",
			want: "version: 1\nlogin:\n  provider: hydra\n  scopes:\n  - openid\n  - email\n  extra:\n    a: 1\n\n    note: |\n      text\n      # part of the note\n  clientId: new-id\n\n# about services\nservices:\n  nbviewer:\n    url: http://nbviewer\n",
		},
		{
			name: "key absent: a comment at the mapping's level does not end it",
			in:   "login:\n  url: x\n# aside\n  provider: hydra\nservices: {}\n",
			keys: loginID, value: "new",
			want: "login:\n  url: x\n# aside\n  provider: hydra\n  clientId: new\nservices: {}\n",
		},
		{
			name: "key absent at four spaces of indentation, value quoted",
			in:   "login:\n    url: x\nhub:\n    url: y\n",
			keys: loginID, value: "null",
			want: "login:\n    url: x\n    clientId: \"null\"\nhub:\n    url: y\n",
		},
		{
			name: "a top-level key",
			in:   "# spec\nhub:\n  url: y\n# end\n",
			keys: []string{"version"}, value: "1a",
			want: "# spec\nhub:\n  url: y\nversion: 1a\n# end\n",
		},
		{
			name: "three levels deep",
			in:   "services:\n  nbviewer:\n    url: http://x\n  other:\n    url: http://y\n",
			keys: []string{"services", "nbviewer", "clientId"}, value: "service-nbviewer",
			want: "services:\n  nbviewer:\n    url: http://x\n    clientId: service-nbviewer\n  other:\n    url: http://y\n",
		},
		{
			name: "characters before the value count as characters, not bytes",
			in:   "login:\n  clé: été # ok\n",
			keys: []string{"login", "clé"}, value: "hiver",
			want: "login:\n  clé: hiver # ok\n",
		},
		{
			name: "a byte order mark stays",
			in:   "\ufeffversion: 1\nlogin:\n  clientId: old\n",
			keys: loginID, value: "new",
			want: "\ufeffversion: 1\nlogin:\n  clientId: new\n",
		},
		{
			name: "no byte order mark is added",
			in:   "version: 1\nlogin:\n  clientId: old\n",
			keys: loginID, value: "new",
			want: "version: 1\nlogin:\n  clientId: new\n",
		},
		{
			name: "the same value changes nothing",
			in:   "login:\n  clientId:   same   # c\n",
			keys: loginID, value: "same",
			want: "login:\n  clientId:   same   # c\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "hubctl.yaml")
			if err := os.WriteFile(path, []byte(tc.in), 0o640); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, 0o640); err != nil {
				t.Fatal(err)
			}
			if err := SetString(path, tc.keys, tc.value); err != nil {
				t.Fatalf("SetString: %v", err)
			}
			got, _ := os.ReadFile(path)
			if string(got) != tc.want {
				t.Errorf("file is\n%q\nwant\n%q", got, tc.want)
			}
			if info, _ := os.Stat(path); info.Mode().Perm() != 0o640 {
				t.Errorf("mode became %v", info.Mode().Perm())
			}
			if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
				t.Errorf("files left: %v", entries)
			}
		})
	}
}

// What cannot be changed in place is refused with a message saying to do
// it by hand, and the file is left as it was.
func TestSetStringRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		keys     []string
		want     string
	}{
		{"flow mapping", "login: {provider: hydra, url: x}\n", loginID, "login is a flow mapping"},
		{"flow mapping with the key", "login: {clientId: old}\n", loginID, "login is a flow mapping"},
		{"missing parent", "version: 1\nhub:\n  url: x\n", loginID, "there is no login mapping"},
		{"null parent", "login:\nhub:\n  url: x\n", loginID, "login is not a mapping"},
		{"empty file", "", loginID, "the file is empty"},
		{"block scalar", "login:\n  clientId: |\n    old\n", loginID, "block scalar"},
		{"multi-line plain", "login:\n  clientId: old\n    more\n", loginID, "spans more than one line"},
		{"multi-line quoted", "login:\n  clientId: \"old\n    more\"\n", loginID, "spans more than one line"},
		{"a mapping, not a string", "login:\n  clientId:\n    a: b\n", loginID, "not a string but a mapping"},
		{"duplicate key", "login:\n  clientId: a\n  clientId: b\n", loginID, "appears twice"},
		{"anchor", "login:\n  clientId: &id old\nother: *id\n", loginID, "tag or an anchor"},
		{"tag", "login:\n  clientId: !!str old\n", loginID, "tag or an anchor"},
		{"alias parent", "base: &b\n  url: x\nlogin: *b\n", loginID, "alias"},
		{"not YAML", "login: [\n", loginID, "not valid YAML"},
		// The new line would cut the blank line a kept block scalar ends
		// with: the check of the edited document catches it.
		{"a kept block scalar last", "login:\n  note: |+\n    text\n\nservices: {}\n", loginID, "would change other values too"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "hubctl.yaml")
			if err := os.WriteFile(path, []byte(tc.in), 0o644); err != nil {
				t.Fatal(err)
			}
			err := SetString(path, tc.keys, "new-id")
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("SetString: %v; want an error naming the file and saying %q", err, tc.want)
			}
			if tc.want != "not valid YAML" && !strings.Contains(err.Error(), "set it by hand") {
				t.Errorf("the error does not say to set it by hand: %v", err)
			}
			if strings.Contains(tc.in, "{provider") && !strings.HasPrefix(err.Error(), path+":1: ") {
				t.Errorf("the error does not give the line: %v", err)
			}
			if got, _ := os.ReadFile(path); string(got) != tc.in {
				t.Errorf("a refused edit changed the file to %q", got)
			}
		})
	}
}

func TestRender(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"abc-123", "abc-123"},
		{"", `""`},
		{"0x1F", `"0x1F"`},
		{"1.5", `"1.5"`},
		// Strings to YAML 1.2, booleans and numbers to YAML 1.1: quoted, as
		// yaml.v3 writes them.
		{"yes", `"yes"`},
		{"Off", `"Off"`},
		{"1:20", `"1:20"`},
		{"yesterday", "yesterday"},
		{"~", `"~"`},
		{"- x", `"- x"`},
		{" lead", `" lead"`},
		{"trail ", `"trail "`},
		{"@at", `"@at"`},
		{"a: b", `"a: b"`},
		{`back\slash "q"`, `back\slash "q"`},
		{"'q", `"'q"`},
		{"line\nbreak", `"line\nbreak"`},
		{"bell\a", `"bell\x07"`},
	} {
		if got := render(tc.in, 0); got != tc.want {
			t.Errorf("render(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
