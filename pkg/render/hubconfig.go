package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/hubctl/hubctl/pkg/exitcode"
	"github.com/hubctl/hubctl/pkg/hub"
	"github.com/hubctl/hubctl/pkg/secret"
)

// HubConfig renders a jupyterhub_config.py snippet for cfg.
//
// Secrets are read when the hub starts: an env reference from that
// variable, a file reference from that file (relative paths from the
// directory of the config file), and a k8sSecret reference from the
// variable the deployment maps it to (hub.Secret.HubEnv). A literal is only
// written with InlineSecrets.
func HubConfig(cfg *hub.Config, opts Options) ([]byte, error) {
	var inlined map[string]string
	if opts.InlineSecrets {
		var err error
		if inlined, err = resolveAll(opts.Resolver, cfg.Secrets(), false); err != nil {
			return nil, err
		}
	} else if err := refuseLiterals(cfg); err != nil {
		return nil, err
	}
	w := &pyWriter{inlined: inlined}
	w.line("c = get_config()  # noqa: F821")

	if cfg.BaseURL != "/" {
		w.blank()
		w.set("c.JupyterHub.base_url", pyString(cfg.BaseURL))
	}
	if a := cfg.Authenticator; a != nil {
		w.blank()
		w.set("c.JupyterHub.authenticator_class", pyString(hub.AuthenticatorClass))
		section := "c." + hub.AuthenticatorSection + "."
		for _, t := range a.Traits {
			w.set(section+t.Name, pyValue(t.Value))
		}
		w.set(section+"client_secret", w.secret(a.ClientSecret))
		if a.CAFile != "" {
			w.set(section+"http_request_kwargs", fmt.Sprintf("{%s: %s}", pyString("ca_certs"), w.path(a.CAFile)))
		}
	}
	if len(cfg.Services) > 0 {
		w.blank()
		w.entries("services", opts.Source)
		for _, s := range cfg.Services {
			w.dict(servicePairs(s, w))
		}
		w.line("])")
	}
	if len(cfg.Roles) > 0 {
		w.blank()
		w.entries("load_roles", opts.Source)
		for _, r := range cfg.Roles {
			w.dict(rolePairs(r))
		}
		w.line("])")
	}
	return w.bytes(cfg, opts), nil
}

// refuseLiterals stops a literal secret from being printed without the
// user asking for it.
func refuseLiterals(cfg *hub.Config) error {
	var problems []string
	for _, s := range cfg.Secrets() {
		if s.Ref.Kind == secret.Literal {
			problems = append(problems, fmt.Sprintf("%s is a literal secret, which hub-config does not print: reference it with {env: NAME} or {file: PATH}, or pass --inline-secrets", s.SpecPath))
		}
	}
	if len(problems) > 0 {
		return exitcode.InvalidInput(&SecretError{Problems: problems})
	}
	return nil
}

type pair struct {
	key   string
	value string // Python source
}

func servicePairs(s hub.Service, w *pyWriter) []pair {
	ps := []pair{{"name", pyString(s.Name)}}
	if s.URL != "" {
		ps = append(ps, pair{"url", pyString(s.URL)})
	}
	if s.APIToken.Ref.IsSet() {
		ps = append(ps, pair{"api_token", w.secret(s.APIToken)})
	}
	if s.OAuthClientID != "" {
		ps = append(ps, pair{"oauth_client_id", pyString(s.OAuthClientID)}, pair{"oauth_redirect_uri", pyString(s.OAuthRedirectURI)})
		if s.OAuthNoConfirm {
			ps = append(ps, pair{"oauth_no_confirm", "True"})
		}
	}
	if s.Display != nil {
		ps = append(ps, pair{"display", pyValue(*s.Display)})
	}
	if s.Timeout != nil {
		ps = append(ps, pair{"timeout", strconv.Itoa(*s.Timeout)})
	}
	return ps
}

func rolePairs(r hub.Role) []pair {
	ps := []pair{{"name", pyString(r.Name)}}
	if r.Description != "" {
		ps = append(ps, pair{"description", pyString(r.Description)})
	}
	ps = append(ps, pair{"scopes", pyValue(r.Scopes)})
	for _, m := range []struct {
		key     string
		members []string
	}{{"users", r.Users}, {"groups", r.Groups}, {"services", r.Services}} {
		if len(m.members) > 0 {
			ps = append(ps, pair{m.key, pyValue(m.members)})
		}
	}
	return ps
}

// pyWriter accumulates the snippet and remembers which helper functions
// the secrets it wrote need.
type pyWriter struct {
	body        bytes.Buffer
	inlined     map[string]string
	needEnv     bool
	needFile    bool
	needEntries bool
}

func (w *pyWriter) line(s string) {
	w.body.WriteString(s)
	w.body.WriteByte('\n')
}
func (w *pyWriter) blank() { w.body.WriteByte('\n') }
func (w *pyWriter) set(target, value string) {
	w.body.WriteString(target)
	w.body.WriteString(" = ")
	w.line(value)
}

// dict writes one entry of a list of dicts. It writes straight into the
// buffer: a spec with thousands of services has tens of thousands of pairs.
func (w *pyWriter) dict(ps []pair) {
	w.line("    {")
	for _, p := range ps {
		w.body.WriteString("        ")
		w.body.WriteString(pyString(p.key))
		w.body.WriteString(": ")
		w.body.WriteString(p.value)
		w.line(",")
	}
	w.line("    },")
}

// entries opens c.JupyterHub.KEY = _HubctlEntries(...), which adds
// hubctl's entries to those configured elsewhere instead of replacing them.
func (w *pyWriter) entries(key, source string) {
	w.needEntries = true
	w.line(fmt.Sprintf("# Added to the %s configured elsewhere (see _HubctlEntries).", strings.TrimPrefix(key, "load_")))
	w.line(fmt.Sprintf("c.JupyterHub.%s = _HubctlEntries(c.JupyterHub, %s, %s, [", key, pyString(key), pyString(source)))
}

// secret returns the Python expression that yields a secret's value.
func (w *pyWriter) secret(s hub.Secret) string {
	if w.inlined != nil {
		return pyString(w.inlined[s.SpecPath])
	}
	if s.Ref.Kind == secret.File {
		w.needFile = true
		return fmt.Sprintf("_hubctl_secret_file(%s, %s)", pyString(s.Ref.File), pyString(s.SpecPath))
	}
	w.needEnv = true
	return fmt.Sprintf("_hubctl_secret_env(%s, %s)", pyString(s.HubEnv), pyString(s.SpecPath))
}

// path returns the Python expression for a path relative to the config file.
func (w *pyWriter) path(p string) string {
	w.needFile = true
	return fmt.Sprintf("str(_hubctl_path(%s))", pyString(p))
}

const pyEnvHelper = `def _hubctl_secret_env(name, setting):
    value = os.environ.get(name, "")
    if not value:
        raise RuntimeError(f"hubctl: {setting} is read from the environment variable {name}, which is not set")
    return value
`

const pyFileHelpers = `def _hubctl_path(path):
    # Relative paths are relative to this configuration file.
    return Path(__file__).parent / path


def _hubctl_secret_file(path, setting):
    value = _hubctl_path(path).read_text().rstrip("\r\n")
    if not value:
        raise RuntimeError(f"hubctl: {setting} is read from the file {path}, which is empty")
    return value
`

// pyEntriesHelper composes hubctl's services and roles with the user's.
// Loaded with load_subconfig, the snippet runs on an empty configuration
// that traitlets merges into the user's afterwards, so the check for names
// defined twice waits for that: traitlets calls get_value on a
// LazyConfigValue with the list it extends, at the merge or when the hub
// applies its configuration.
const pyEntriesHelper = `class _HubctlEntries(LazyConfigValue):
    # hubctl's services or roles, added to those configured before this file
    # or in the file that load_subconfig()s it. An entry named like one of
    # hubctl's must be identical (this file loaded twice) and is kept once.

    def __init__(self, section, key, source, entries):
        super().__init__()
        self.key, self.source, self.names = key, source, {e["name"] for e in entries}
        before = section[key] if key in section else []
        if isinstance(before, LazyConfigValue):  # .append() to the unset list
            before = before.get_value([])
        self.extend(before + entries)

    def get_value(self, initial):
        value, ours = [], {}
        for entry in super().get_value(initial):
            name = entry.get("name")
            if name in ours and ours[name] != entry:
                kind = "service" if self.key == "services" else "role"
                where = f"{self.source} services.{name}" if kind == "service" else self.source
                raise ValueError(
                    f"hubctl: {kind} {name!r} is defined both in this configuration and by hubctl ({where}): remove one"
                )
            if name not in ours:
                value.append(entry)
            if name in self.names:
                ours[name] = entry
        return value
`

// bytes assembles the snippet: header, imports, the helpers the secrets
// need (defined before use), then the settings.
func (w *pyWriter) bytes(cfg *hub.Config, opts Options) []byte {
	var out bytes.Buffer
	fmt.Fprintf(&out, "# jupyterhub_config.py snippet rendered by hubctl from %s (JupyterHub %s).\n", opts.Source, cfg.Version)
	if opts.InlineSecrets {
		out.WriteString("# This file holds secrets (--inline-secrets): keep it out of version control.\n")
	} else {
		out.WriteString("# No secret is written here: the hub reads each one when it starts.\n")
	}
	if w.needEnv {
		out.WriteString("import os\n")
	}
	if w.needFile {
		out.WriteString("from pathlib import Path\n")
	}
	if w.needEntries {
		out.WriteString("from traitlets.config import LazyConfigValue\n")
	}
	for _, helper := range []struct {
		needed bool
		code   string
	}{{w.needEnv, pyEnvHelper}, {w.needFile, pyFileHelpers}, {w.needEntries, pyEntriesHelper}} {
		if helper.needed {
			out.WriteString("\n\n" + helper.code)
		}
	}
	out.WriteString("\n\n")
	out.Write(w.body.Bytes())
	return out.Bytes()
}

// pyString is a Python string literal. A JSON string is one, for every
// escape Go's encoder emits. A string of printable ASCII without a quote or
// backslash, nearly every one a spec holds, needs no escape and no encoder.
func pyString(s string) string {
	plain := true
	for i := 0; i < len(s) && plain; i++ {
		c := s[i]
		plain = c >= 0x20 && c <= 0x7e && c != '"' && c != '\\'
	}
	if plain {
		return `"` + s + `"`
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(buf.String(), "\n")
}

func pyValue(v any) string {
	switch v := v.(type) {
	case string:
		return pyString(v)
	case bool:
		if v {
			return "True"
		}
		return "False"
	case int:
		return strconv.Itoa(v)
	case []string:
		items := make([]string, len(v))
		for i, s := range v {
			items[i] = pyString(s)
		}
		return "[" + strings.Join(items, ", ") + "]"
	}
	panic("render: no Python form for a trait value")
}
