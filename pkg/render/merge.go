package render

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hubctl/hubctl/pkg/valuesdoc"
)

// wholeEntries are the mappings whose entries hubctl renders whole: a
// service, a role, an environment variable or an extra file is replaced as
// one, so a key the spec no longer sets does not linger inside it.
var wholeEntries = []valuesdoc.Path{
	{"hub", "services"},
	{"hub", "loadRoles"},
	{"hub", "extraEnv"},
	{"hub", "extraFiles"},
}

// loginTraits are the authenticator traits a spec's login decides,
// deprecated names included. Left in a values file beside what hubctl
// renders, one it does not render would contradict the spec: a literal
// client_secret overrides the Secret's, validate_server_cert: false undoes
// login.caFile.
var loginTraits = []string{
	"admin_groups", "admin_users", "allow_all", "allow_existing_users", "allowed_groups", "allowed_users",
	"auth_state_groups_key", "authorize_url", "client_id", "client_secret", "http_request_kwargs",
	"login_service", "manage_groups", "oauth_callback_url", "scope", "token_url", "userdata_url",
	"username_claim", "validate_server_cert",
	"claim_groups_key", "tls_verify", "username_key", "whitelist", "userdata_method",
}

// loginEnv are the environment variables OAuthenticator reads as the
// defaults of login traits; OAUTH_TLS_VERIFY "0" left beside a rendered
// login would switch off the certificate checks the spec asks for.
var loginEnv = []string{
	"OAUTH_TLS_VERIFY", "OAUTH2_TLS_VERIFY", "OAUTH_CLIENT_ID", "OAUTH_CLIENT_SECRET", "OAUTH_CALLBACK_URL",
	"OAUTH2_AUTHORIZE_URL", "OAUTH2_TOKEN_URL", "OAUTH2_USERDATA_URL", "OAUTH2_USERNAME_KEY",
}

// MergeEdits turns rendered helm values into the edits that put them into
// a values file: each key hubctl renders is set, below wholeEntries each
// entry as a whole, and the login traits and variables it does not render
// are deleted. Everything else in the file stays.
func MergeEdits(rendered []byte) ([]valuesdoc.Edit, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(rendered, &doc); err != nil {
		return nil, fmt.Errorf("render: the rendered values do not parse: %w", err)
	}
	var edits []valuesdoc.Edit
	var walk func(n *yaml.Node, at valuesdoc.Path) error
	walk = func(n *yaml.Node, at valuesdoc.Path) error {
		whole := slices.ContainsFunc(wholeEntries, func(p valuesdoc.Path) bool { return slices.Equal(p, at[:max(len(at)-1, 0)]) })
		if n.Kind != yaml.MappingNode || len(n.Content) == 0 || whole {
			text, err := encodeValue(n)
			if err != nil {
				return err
			}
			edits = append(edits, valuesdoc.Edit{Kind: valuesdoc.SetValue, Path: slices.Clone(at), Value: text})
			return nil
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := walk(n.Content[i+1], append(at, n.Content[i].Value)); err != nil {
				return err
			}
		}
		return nil
	}
	root := valuesdoc.Resolve(&doc)
	if root == nil {
		return nil, nil
	}
	if err := walk(root, nil); err != nil {
		return nil, err
	}
	_, config, ok := valuesdoc.Lookup(root, valuesdoc.Path{"hub", "config"})
	if !ok {
		return edits, nil
	}
	for _, name := range loginEnv {
		if _, _, rendered := valuesdoc.Lookup(root, valuesdoc.Path{"hub", "extraEnv", name}); !rendered {
			edits = append(edits, valuesdoc.Edit{Kind: valuesdoc.DeleteKey, Path: valuesdoc.Path{"hub", "extraEnv", name}})
		}
	}
	for _, section := range valuesdoc.Pairs(config) {
		if section.Key.Value == "JupyterHub" {
			continue
		}
		for _, trait := range loginTraits {
			if _, _, rendered := valuesdoc.Lookup(section.Value, valuesdoc.Path{trait}); !rendered {
				edits = append(edits, valuesdoc.Edit{Kind: valuesdoc.DeleteKey, Path: valuesdoc.Path{"hub", "config", section.Key.Value, trait}})
			}
		}
	}
	return edits, nil
}

// MergeInto puts the rendered values into the values file doc, below
// prefix, and returns the new file.
func MergeInto(doc *valuesdoc.Doc, prefix valuesdoc.Path, rendered []byte) ([]byte, error) {
	edits, err := MergeEdits(rendered)
	if err != nil {
		return nil, err
	}
	return doc.Apply(prefix, edits...)
}

func encodeValue(n *yaml.Node) (string, error) {
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	// Comments belong to hubctl's rendering, not to the user's file.
	clearComments(n)
	if err := enc.Encode(n); err != nil {
		return "", err
	}
	if err := enc.Close(); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

func clearComments(n *yaml.Node) {
	n.HeadComment, n.LineComment, n.FootComment = "", "", ""
	for _, c := range n.Content {
		clearComments(c)
	}
}
