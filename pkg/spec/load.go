package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"unicode"

	"github.com/agnivade/levenshtein"
	"gopkg.in/yaml.v3"

	"github.com/hubctl/hubctl/pkg/exitcode"
	"github.com/hubctl/hubctl/pkg/finding"
	"github.com/hubctl/hubctl/pkg/inputfile"
	"github.com/hubctl/hubctl/pkg/secret"
)

// Document is a loaded hubctl.yaml: where it came from and where each key
// and value sits in it.
type Document struct {
	// File is the name used in messages; Dir anchors relative paths.
	File   string
	Dir    string
	keys   map[string]*yaml.Node
	values map[string]*yaml.Node
}

// Pos returns the position of the value at path. For a path the file does
// not set (a missing key), it is the nearest enclosing key, which is where
// the missing key belongs.
func (d *Document) Pos(path string) finding.Position {
	if n := d.values[path]; n != nil {
		return d.at(n)
	}
	for p := path; p != ""; p = parentPath(p) {
		if n := d.keys[p]; n != nil {
			return d.at(n)
		}
	}
	return finding.Position{File: d.File, Line: 1, Column: 1}
}

// KeyPos returns the position of the key at path, for findings about the
// key itself (an unknown key, a key the target version lacks).
func (d *Document) KeyPos(path string) finding.Position {
	if n := d.keys[path]; n != nil {
		return d.at(n)
	}
	return d.Pos(path)
}

// Has reports whether the file sets path to something other than null.
func (d *Document) Has(path string) bool { return d.values[path] != nil }

func (d *Document) at(n *yaml.Node) finding.Position {
	return finding.Position{File: d.File, Line: n.Line, Column: n.Column}
}

// MaxFileSize caps a spec, from a file or standard input. A hubctl.yaml is a
// few kilobytes; the cap keeps `-f /dev/stdin` fed by `yes`, or a runaway
// pipe, from filling memory.
const MaxFileSize = 4 << 20

// Load reads and decodes a spec file. A returned error means the file could
// not be read; problems in its content are findings. The Spec is nil only
// when the file is not YAML; otherwise it holds every value that decoded,
// so that later checks can still report everything else. A file that is
// too large, or a directory or device, is invalid input (exitcode 2); one
// that is missing or unreadable is not.
func Load(path string) (*Spec, *Document, finding.List, error) {
	data, err := inputfile.Read(path, MaxFileSize, "a spec")
	if err != nil {
		err = fmt.Errorf("reading the spec %s: %w", path, err)
		// What the operating system reports (no such file, permission
		// denied) is an Errno; inputfile's own refusals are not.
		if !errors.As(err, new(syscall.Errno)) {
			err = exitcode.InvalidInput(err)
		}
		return nil, nil, nil, err
	}
	s, doc, findings := Parse(path, filepath.Dir(path), data)
	return s, doc, findings, nil
}

// Read reads spec text from r (standard input), at most MaxFileSize bytes;
// more is invalid input.
func Read(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, exitcode.InvalidInput(fmt.Errorf("is larger than %s, hubctl's limit for a spec", inputfile.Size(MaxFileSize)))
	}
	return data, nil
}

// Parse decodes spec text. name is used in positions and dir anchors
// relative file references.
func Parse(name, dir string, data []byte) (*Spec, *Document, finding.List) {
	// About one key and one value a line: sized up front, the maps of a
	// spec with thousands of services are not rehashed as they grow. The
	// cap keeps a file of blank lines from reserving memory it never uses.
	lines := min(bytes.Count(data, []byte("\n")), 1<<15)
	doc := &Document{File: name, Dir: dir, keys: make(map[string]*yaml.Node, lines), values: make(map[string]*yaml.Node, lines)}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			msg := "the file is empty"
			if len(bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\uFEFF")))) > 0 {
				// Comments and document markers only: "empty" would
				// look wrong to someone looking at a file with text.
				msg = "the file holds no YAML values, only comments or blank lines"
			}
			return nil, doc, finding.List{{ID: "empty-file", Severity: finding.Error,
				Pos: finding.Position{File: name}, Message: msg,
				Hint: "start from `hubctl init`, or see the spec in the README"}}
		}
		return nil, doc, finding.List{syntaxFinding(name, data, err)}
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		return nil, doc, finding.List{{ID: "multiple-documents", Severity: finding.Error,
			Pos:     finding.Position{File: name, Line: extra.Line, Column: extra.Column},
			Message: "the file holds more than one YAML document; hubctl reads exactly one"}}
	case !errors.Is(err, io.EOF):
		return nil, doc, finding.List{syntaxFinding(name, data, err)}
	}
	if f := chartValuesFinding(name, root.Content[0]); f != nil {
		return nil, doc, finding.List{*f}
	}
	nodes := countNodes(&root)
	limit := 2*nodes + aliasSlack
	d := &decoder{doc: doc, budget: limit}
	var s Spec
	d.decode(root.Content[0], reflect.ValueOf(&s).Elem(), "")
	if d.bomb != nil {
		// What was decoded before the budget ran out is a fragment; rules
		// run on it would report keys as missing that the file has.
		return nil, doc, finding.List{{ID: "yaml-syntax", Severity: finding.Error, Pos: doc.at(d.bomb),
			Message: fmt.Sprintf("the aliases here expand to more than %d values, though the file writes %d; hubctl does not expand an alias bomb", limit, nodes),
			Hint:    "write the repeated values out, or alias fewer of them"}}
	}
	d.findings.Sort()
	return &s, doc, d.findings
}

// aliasSlack is how many values aliases may add to any file, however
// small: a spec that reuses one scope list in a few hundred services stays
// well inside it.
const aliasSlack = 10000

// countNodes counts the nodes the text writes, not following aliases.
// yaml.v3 keeps an alias as a pointer to its anchor, so the tree is as
// large as the text, and a cycle (an alias inside its own anchor) ends.
func countNodes(n *yaml.Node) int {
	c := 1
	for _, child := range n.Content {
		c += countNodes(child)
	}
	return c
}

// decoder fills Go values from YAML nodes and records every structural
// problem, rather than stopping at the first as yaml.v3's strict mode does.
type decoder struct {
	doc      *Document
	findings finding.List
	// budget is how many more values decode may visit. Without aliases it
	// visits each node at most once; aliases to aliases (billion laughs)
	// would multiply the visits, and the Document's positions and the
	// decoded slices with them, from a file of a few kilobytes into
	// gigabytes, so decoding stops when the budget runs out.
	budget int
	// alias is the outermost alias being followed, and bomb the one that
	// was being followed when the budget ran out: where to report it.
	alias, bomb *yaml.Node
}

// visit spends one unit of the budget on a value, and reports whether
// decoding may go on.
func (d *decoder) visit(n *yaml.Node) bool {
	if d.bomb != nil {
		return false
	}
	if d.budget--; d.budget < 0 {
		d.bomb = d.alias
		if d.bomb == nil {
			d.bomb = n
		}
		return false
	}
	return true
}

// follow resolves an alias to its anchor's node, remembering the alias
// that started the current expansion.
func (d *decoder) follow(n *yaml.Node) (*yaml.Node, func()) {
	if n.Kind != yaml.AliasNode || n.Alias == nil {
		return n, func() {}
	}
	if d.alias != nil {
		return n.Alias, func() {}
	}
	d.alias = n
	return n.Alias, func() { d.alias = nil }
}

var (
	secretRefType = reflect.TypeOf(secret.Ref{})
	accessPtrType = reflect.TypeOf(&Access{})
	adminsPtrType = reflect.TypeOf(&Admins{})
	servicesType  = reflect.TypeOf(Services{})
	rolesType     = reflect.TypeOf(Roles{})
)

func (d *decoder) fail(n *yaml.Node, path, id, msg, hint string) {
	d.findings = append(d.findings, finding.Finding{ID: id, Severity: finding.Error,
		Pos: d.doc.at(n), Path: path, Message: msg, Hint: hint})
}

func (d *decoder) wrongType(n *yaml.Node, path, want string) {
	d.fail(n, path, "wrong-type", fmt.Sprintf("expected %s, got %s", want, describe(n)), "")
}

// notAList reports a scalar, or anything else, where a list of strings
// belongs. A scalar is most often a list written bare: one word, or words
// separated by commas or spaces (an OAuth scope string).
func (d *decoder) notAList(n *yaml.Node, path, want string) {
	hint := ""
	if n.Kind == yaml.ScalarNode {
		if items := strings.FieldsFunc(n.Value, func(r rune) bool { return r == ',' || unicode.IsSpace(r) }); len(items) > 1 {
			hint = "a list is written " + flowList(items)
		} else {
			hint = "a list of one is written " + flowList([]string{n.Value})
		}
	}
	d.fail(n, path, "wrong-type", fmt.Sprintf("expected %s, got %s", want, describe(n)), hint)
}

// flowList writes items as a one-line YAML list, quoting where needed.
func flowList(items []string) string {
	list := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, item := range items {
		list.Content = append(list.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: item})
	}
	out, err := yaml.Marshal(list)
	if err != nil {
		return "[" + strings.Join(items, ", ") + "]"
	}
	return strings.TrimSpace(string(out))
}

func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	n, done := d.follow(n)
	defer done()
	if !d.visit(n) || isNull(n) {
		return
	}
	d.doc.values[path] = n
	switch t := v.Type(); {
	case t == secretRefType:
		d.decodeSecret(n, v, path)
	case t == accessPtrType:
		d.decodeAccess(n, v, path)
	case t == adminsPtrType:
		d.decodeAdmins(n, v, path)
	case t == servicesType:
		d.decodeServices(n, v, path)
	case t == rolesType:
		d.decodeRoles(n, v, path)
	case t.Kind() == reflect.Pointer:
		elem := reflect.New(t.Elem())
		d.decode(n, elem.Elem(), path)
		v.Set(elem)
	case t.Kind() == reflect.Struct:
		d.decodeStruct(n, v, path)
	case t.Kind() == reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.wrongType(n, path, "a string")
			return
		}
		v.SetString(n.Value)
	case t.Kind() == reflect.Bool:
		b, ok := boolValue(n)
		if !ok {
			d.wrongType(n, path, "true or false")
			return
		}
		v.SetBool(b)
	case t.Kind() == reflect.Int:
		i, err := strconv.Atoi(n.Value)
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || err != nil {
			d.wrongType(n, path, "a whole number")
			return
		}
		v.SetInt(int64(i))
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
		if n.Kind != yaml.SequenceNode {
			d.notAList(n, path, "a list of strings")
			return
		}
		out := reflect.MakeSlice(t, 0, len(n.Content))
		for i, item := range n.Content {
			p := Index(path, i)
			item, done := d.follow(item)
			ok := d.visit(item)
			done()
			if !ok {
				return
			}
			d.doc.values[p] = item
			if item.Kind != yaml.ScalarNode || isNull(item) {
				d.wrongType(item, p, "a string")
				continue
			}
			out = reflect.Append(out, reflect.ValueOf(item.Value))
		}
		v.Set(out)
	default:
		panic("spec: no decoder for " + t.String())
	}
}

// mapping checks that n is a mapping and visits its entries, recording key
// positions. A key the mapping already has is reported and skipped: yaml.v3
// keeps both in the node tree, and only the first counts. A YAML merge key
// is not supported and reported as unknown.
func (d *decoder) mapping(n *yaml.Node, path, what string, visit func(key *yaml.Node, value *yaml.Node, keyPath string)) {
	// decode has resolved n already, except for the mappings decodeSecret
	// reads itself (k8sSecret: *ref).
	n, done := d.follow(n)
	defer done()
	if n.Kind != yaml.MappingNode {
		d.wrongType(n, path, what)
		return
	}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.AliasNode && k.Alias != nil {
			// An aliased key (*k: v) is the anchor's text, at the alias.
			k = &yaml.Node{Kind: k.Alias.Kind, Tag: k.Alias.Tag, Value: k.Alias.Value, Line: k.Line, Column: k.Column}
		}
		if k.Kind != yaml.ScalarNode {
			// yaml.v3 gives a complex key (? [a, b]) an empty Value, which
			// would read as an unknown key "".
			d.fail(k, path, "wrong-type", fmt.Sprintf("a key here must be a name, got %s", describe(k)), "")
			continue
		}
		kp := Join(path, k.Value)
		if first := seen[k.Value]; first != nil && k.Kind == yaml.ScalarNode {
			d.fail(k, kp, "duplicate-key",
				fmt.Sprintf("key %q is already set at line %d, column %d", k.Value, first.Line, first.Column),
				"delete one of the two; only the first is read")
			continue
		}
		seen[k.Value] = k
		d.doc.keys[kp] = k
		visit(k, val, kp)
	}
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	fields, known := structKeys(v.Type())
	unknown := d.unknownKeys(known)
	d.mapping(n, path, "a mapping", func(k, val *yaml.Node, kp string) {
		idx, ok := fields[k.Value]
		if !ok {
			unknown(k, kp)
			return
		}
		d.decode(val, v.Field(idx), kp)
	})
}

// unknownKeys returns the reporter of unknown keys for one mapping whose
// keys are known. It lists the known keys once, with the first unknown key,
// rather than under every one.
func (d *decoder) unknownKeys(known []string) func(k *yaml.Node, path string) {
	listed := false
	return func(k *yaml.Node, path string) {
		if msg, ok := removedKeys[k.Value]; ok {
			d.fail(k, path, "removed-key", msg, "")
			return
		}
		msg := fmt.Sprintf("unknown key %q", k.Value)
		var hints []string
		if s := suggestKey(k.Value, known); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
			if h := legacyHints[normKey(k.Value)]; h != "" {
				hints = append(hints, "write "+h)
			}
		} else if traitsWithoutEquivalent[k.Value] {
			msg += fmt.Sprintf(": %s has no equivalent in hubctl.yaml", k.Value)
		}
		if !listed {
			hints = append(hints, "known keys here: "+strings.Join(known, ", "))
			listed = true
		}
		d.fail(k, path, "unknown-key", msg, strings.Join(hints, "; "))
	}
}

func (d *decoder) decodeSecret(n *yaml.Node, v reflect.Value, path string) {
	var ref secret.Ref
	if n.Kind == yaml.ScalarNode {
		ref = secret.Ref{Kind: secret.Literal, Literal: n.Value}
		v.Set(reflect.ValueOf(ref))
		return
	}
	unknown := d.unknownKeys([]string{"env", "file", "k8sSecret"})
	var set []string
	d.mapping(n, path, "a secret reference ({env: NAME}, {file: PATH} or {k8sSecret: {name: N, key: K}})", func(k, val *yaml.Node, kp string) {
		switch k.Value {
		case "env":
			d.decode(val, reflect.ValueOf(&ref.Env).Elem(), kp)
			ref.Kind = secret.Env
		case "file":
			d.decode(val, reflect.ValueOf(&ref.File).Elem(), kp)
			ref.Kind = secret.File
		case "k8sSecret":
			ref.Kind = secret.K8s
			unknownInK8s := d.unknownKeys([]string{"key", "name"})
			d.mapping(val, kp, "a mapping with name and key", func(k2, val2 *yaml.Node, kp2 string) {
				switch k2.Value {
				case "name":
					d.decode(val2, reflect.ValueOf(&ref.K8s.Name).Elem(), kp2)
				case "key":
					d.decode(val2, reflect.ValueOf(&ref.K8s.Key).Elem(), kp2)
				default:
					unknownInK8s(k2, kp2)
				}
			})
		default:
			unknown(k, kp)
			return
		}
		set = append(set, k.Value)
	})
	if len(set) > 1 {
		d.fail(n, path, "ambiguous-secret", fmt.Sprintf("a secret reference takes exactly one of env, file or k8sSecret; this one has %s", strings.Join(set, " and ")), "")
	}
	v.Set(reflect.ValueOf(ref))
}

func (d *decoder) decodeAccess(n *yaml.Node, v reflect.Value, path string) {
	a := &Access{}
	if n.Kind == yaml.ScalarNode {
		if n.Value != "all" {
			d.fail(n, path, "wrong-type", fmt.Sprintf("expected \"all\" or a mapping with users and groups, got %q", n.Value), "")
			return
		}
		a.All = true
	} else {
		d.decodeStruct(n, reflect.ValueOf(a).Elem(), path)
	}
	v.Set(reflect.ValueOf(a))
}

// decodeAdmins takes a list of usernames, or a mapping with users and
// groups.
func (d *decoder) decodeAdmins(n *yaml.Node, v reflect.Value, path string) {
	a := &Admins{}
	switch n.Kind {
	case yaml.SequenceNode:
		d.decode(n, reflect.ValueOf(&a.Users).Elem(), path)
	case yaml.MappingNode:
		d.decodeStruct(n, reflect.ValueOf(a).Elem(), path)
	default:
		d.notAList(n, path, "a list of usernames or a mapping with users and groups")
		return
	}
	v.Set(reflect.ValueOf(a))
}

func (d *decoder) decodeServices(n *yaml.Node, v reflect.Value, path string) {
	var out Services
	d.mapping(n, path, "a mapping of service names to services", func(k, val *yaml.Node, kp string) {
		s := Service{Name: k.Value}
		d.decode(val, reflect.ValueOf(&s).Elem(), kp)
		out = append(out, s)
	})
	v.Set(reflect.ValueOf(out))
}

func (d *decoder) decodeRoles(n *yaml.Node, v reflect.Value, path string) {
	var out Roles
	d.mapping(n, path, "a mapping of role names to roles", func(k, val *yaml.Node, kp string) {
		r := Role{Name: k.Value}
		d.decode(val, reflect.ValueOf(&r).Elem(), kp)
		out = append(out, r)
	})
	v.Set(reflect.ValueOf(out))
}

// structKeys is yamlFields and its sorted keys, worked out once for each
// struct type rather than for each mapping decoded: a spec with thousands
// of services decodes thousands of Service structs. Callers only read them.
func structKeys(t reflect.Type) (map[string]int, []string) {
	if k, ok := structKeysCache.Load(t); ok {
		k := k.(structKeysOf)
		return k.fields, k.known
	}
	fields := yamlFields(t)
	k := structKeysOf{fields, keysOf(fields)}
	structKeysCache.Store(t, k)
	return k.fields, k.known
}

type structKeysOf struct {
	fields map[string]int
	known  []string
}

var structKeysCache sync.Map // reflect.Type -> structKeysOf

// yamlFields maps each yaml key of a struct type to its field index.
func yamlFields(t reflect.Type) map[string]int {
	fields := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			fields[name] = i
		}
	}
	return fields
}

func keysOf(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func boolValue(n *yaml.Node) (bool, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		return false, false
	}
	b, err := strconv.ParseBool(n.Value)
	return b, err == nil
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		if n.Alias != nil {
			return describe(n.Alias)
		}
	}
	switch n.Tag {
	case "!!null":
		// "~" and "" as strings would say the value is text.
		return "null"
	case "!!bool":
		return "the boolean " + n.Value
	case "!!int", "!!float":
		return "the number " + n.Value
	default:
		return fmt.Sprintf("the string %q", n.Value)
	}
}

// legacyKeys maps names people bring from jupyterhub_config.py, the chart
// and OAuthenticator's older releases to the spec key that replaces them,
// by normKey.
var legacyKeys = map[string]string{
	"usernamekey": "usernameClaim", "claim": "usernameClaim",
	"tlsverify": "verifyTLS", "validateservercert": "verifyTLS",
	"oauthclientid": "clientId", "oauthredirecturi": "redirectUri", "oauthcallbackurl": "callbackUrl",
	"oauthnoconfirm": "noConfirm", "scope": "scopes",
	"allowedusers": "allow", "allowall": "allow", "allowedgroups": "allow",
	"adminusers": "admins", "admingroups": "admins",
}

// legacyHints show how the spec writes a legacy key whose value changes
// shape, by normKey.
var legacyHints = map[string]string{
	"allowedusers": "`allow: {users: [...]}`", "allowall": "`allow: {all: true}`",
	"allowedgroups": "`allow: {groups: [...]}`",
	"adminusers":    "`admins: [...]`", "admingroups": "`admins: {groups: [...]}`",
}

// removedKeys are OAuthenticator traits that no longer exist, with what to
// do about them.
var removedKeys = map[string]string{
	"userdata_method": "userdata_method was removed in OAuthenticator 14.0: delete it",
}

// traitsWithoutEquivalent are OAuthenticator traits people copy into a
// spec that hubctl does not set. Saying so beats a did-you-mean to a key
// that merely looks alike (userdata_params is not userdataUrl).
var traitsWithoutEquivalent = map[string]bool{
	"userdata_params": true, "userdata_token_method": true, "userdata_from_id_token": true,
	"token_params": true, "extra_params": true, "extra_authorize_params": true,
	"basic_auth": true, "enable_pkce": true, "http_request_kwargs": true,
	"allowed_scopes": true, "blocked_users": true, "logout_redirect_url": true,
	"custom_403_message": true, "enable_auth_state": true, "refresh_pre_spawn": true,
	"auth_refresh_age": true, "modify_auth_state_hook": true, "refresh_user_hook": true,
}

// normKey folds case and separators: client_id, client-id and clientId are
// one key.
func normKey(s string) string {
	return strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(s))
}

// suggestKey finds the key a user probably meant: the same words in
// another case or separator style (client_id for clientId), a legacy
// name, or a near spelling. A trait hubctl does not set gets none.
func suggestKey(key string, known []string) string {
	for _, k := range known {
		if normKey(k) == normKey(key) {
			return k
		}
	}
	if k, ok := legacyKeys[normKey(key)]; ok && slices.Contains(known, k) {
		return k
	}
	if traitsWithoutEquivalent[key] {
		return ""
	}
	return nearSpelling(key, known)
}

// nearSpelling returns the known key within a typo's reach of key: about
// one edit in four characters, so that a different word of similar length
// is not offered.
func nearSpelling(key string, known []string) string {
	best, bestDist := "", len(key)/4+2
	for _, k := range known {
		if d := levenshtein.ComputeDistance(normKey(key), normKey(k)); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}
