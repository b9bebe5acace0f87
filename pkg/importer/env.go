package importer

import (
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hubctl/hubctl/pkg/secret"
)

// envVar is one entry of hub.extraEnv, in either of the chart's forms: a
// mapping of names to values or EnvVar objects, or a list of EnvVar
// objects.
type envVar struct {
	name string
	// at is the node findings point to: the key, or the list item's name.
	at *yaml.Node
	// literal is the value when it is written in the file.
	literal    string
	hasLiteral bool
	// ref is set when the value comes from a Secret (valueFrom.secretKeyRef).
	ref *secret.K8sRef
}

func readEnv(hubValues *yaml.Node) []envVar {
	env, ok := get(hubValues, "extraEnv")
	if !ok {
		return nil
	}
	var out []envVar
	switch env.Value.Kind {
	case yaml.MappingNode:
		for _, kv := range pairs(env.Value) {
			out = append(out, envEntry(kv.Key.Value, kv.Key, kv.Value))
		}
	case yaml.SequenceNode:
		for _, item := range env.Value.Content {
			item = resolve(item)
			n, ok := get(item, "name")
			if !ok {
				continue
			}
			name, _ := str(n.Value)
			out = append(out, envEntry(name, n.Value, item))
		}
	}
	return out
}

func envEntry(name string, at, value *yaml.Node) envVar {
	e := envVar{name: name, at: at}
	if s, ok := str(value); ok {
		e.literal, e.hasLiteral = s, true
		return e
	}
	if !isMap(value) {
		return e
	}
	if v, ok := get(value, "value"); ok {
		if s, ok := str(v.Value); ok {
			e.literal, e.hasLiteral = s, true
		}
		return e
	}
	ref, ok := lookup(value, "valueFrom", "secretKeyRef")
	if !ok {
		return e
	}
	n, _ := get(ref.Value, "name")
	k, _ := get(ref.Value, "key")
	name2, ok1 := str(n.Value)
	key, ok2 := str(k.Value)
	if ok1 && ok2 {
		e.ref = &secret.K8sRef{Name: name2, Key: key}
	}
	return e
}

// envOf returns the hub's environment variable name, and marks it read.
func (im *importer) envOf(name string) (envVar, bool) {
	for _, e := range im.env {
		if e.name == name {
			if !slices.Contains(im.usedEnv, name) {
				im.usedEnv = append(im.usedEnv, name)
			}
			return e, true
		}
	}
	return envVar{}, false
}

// oauthenticatorEnv are the variables OAuthenticator reads as defaults
// that a hubctl spec has no place for; the ones it has a place for are
// read where the login is.
var oauthenticatorEnv = []string{
	"OAUTH2_USERDATA_REQUEST_TYPE", "OAUTH2_BASIC_AUTH", "OAUTH2_GROUPS_KEY", "OAUTH_LOGOUT_REDIRECT_URL",
	"OAUTH2_TLS_VERIFY", "OAUTH2_USERDATA_METHOD",
}

// extraEnvLeft reports the login's variables the spec could not take.
func (im *importer) extraEnvLeft() {
	for _, e := range im.env {
		if slices.Contains(im.usedEnv, e.name) {
			continue
		}
		path := []string{"hub", "extraEnv", e.name}
		switch {
		case e.name == "OAUTH2_TLS_VERIFY":
			im.left(e.at, path, "OAUTH2_TLS_VERIFY is ignored since OAuthenticator 16.0.2 and has no place in a hubctl spec",
				"hubctl migrate replaces it; in the spec, login.verifyTLS: false or better login.caFile")
		case slices.Contains(oauthenticatorEnv, e.name):
			im.left(e.at, path, e.name+" sets an OAuthenticator option a hubctl spec has no key for", "")
		case strings.HasPrefix(e.name, "OAUTH") && im.spec.Login != nil:
			im.left(e.at, path, e.name+" is not one of the login settings hubctl reads", "")
		}
	}
}
