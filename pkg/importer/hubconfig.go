package importer

import (
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hubctl/hubctl/pkg/hub"
	"github.com/hubctl/hubctl/pkg/provider"
	"github.com/hubctl/hubctl/pkg/render"
	"github.com/hubctl/hubctl/pkg/secret"
	"github.com/hubctl/hubctl/pkg/spec"
)

// genericClasses are the authenticator_class values that load
// GenericOAuthenticator, the only login a spec describes.
var genericClasses = []string{"generic-oauth", "oauthenticator.generic.GenericOAuthenticator", "oauthenticator.GenericOAuthenticator"}

// genericSections are the hub.config sections whose traits
// GenericOAuthenticator reads, the most specific first: traitlets lets a
// subclass's section win.
var genericSections = []string{hub.AuthenticatorSection, "OAuthenticator", "Authenticator"}

// trait is a setting found in one of genericSections.
type trait struct {
	pair
	section string
}

func (t trait) path() []string { return []string{"hub", "config", t.section, t.Key.Value} }

// authState is the login's reading of hub.config, with what it consumed.
type authState struct {
	config *yaml.Node
	// used holds "Section.trait" for every trait the spec took.
	used map[string]bool
	// at is where findings about the login as a whole point: its section.
	at *yaml.Node
}

func (a *authState) find(name string) (trait, bool) {
	for _, sec := range genericSections {
		if p, ok := lookup(a.config, sec, name); ok {
			return trait{p, sec}, true
		}
	}
	return trait{}, false
}

// take finds a trait and marks it, and the same trait in the less
// specific sections it overrides, as read.
func (a *authState) take(name string) (trait, bool) {
	t, ok := a.find(name)
	if ok {
		for _, sec := range genericSections {
			if _, has := lookup(a.config, sec, name); has {
				a.used[sec+"."+name] = true
			}
		}
	}
	return t, ok
}

// hubURL finds the hub's public URL: from the login's callback, the
// ingress or autohttps host, a service's absolute redirect URI, or the
// caller.
func (im *importer) hubURL() error {
	config, _ := lookupValue(im.hubValues, "config")
	a := &authState{config: config, used: map[string]bool{}}
	baseURL := "/"
	if b, ok := get(im.hubValues, "baseUrl"); ok {
		if s, ok := str(b.Value); ok && s != "" {
			baseURL = "/" + strings.Trim(s, "/") + "/"
			if baseURL == "//" {
				baseURL = "/"
			}
		}
	}
	var candidates []string
	if t, ok := a.find("oauth_callback_url"); ok {
		if s, ok := str(t.Value); ok {
			candidates = append(candidates, s)
		}
	}
	for _, e := range im.env {
		if e.name == "OAUTH_CALLBACK_URL" && e.hasLiteral {
			candidates = append(candidates, e.literal)
		}
	}
	// Another authenticator's callback still shows where the hub is.
	for _, sec := range pairs(config) {
		if cb, ok := get(sec.Value, "oauth_callback_url"); ok {
			if s, ok := str(cb.Value); ok {
				candidates = append(candidates, s)
			}
		}
	}
	for _, c := range candidates {
		if u, err := url.Parse(c); err == nil && u.IsAbs() && strings.HasSuffix(u.Path, "/hub/oauth_callback") {
			im.spec.Hub.URL = u.Scheme + "://" + u.Host + strings.TrimSuffix(strings.TrimSuffix(u.Path, "hub/oauth_callback"), "/")
			return nil
		}
	}
	host, scheme := im.publicHost()
	if host == "" {
		for _, s := range pairs(lookupOr(im.hubValues, "services")) {
			r, ok := get(s.Value, "oauth_redirect_uri")
			if !ok {
				continue
			}
			v, _ := str(r.Value)
			suffix := "/services/" + s.Key.Value + "/oauth_callback"
			if u, err := url.Parse(v); err == nil && u.IsAbs() && strings.HasSuffix(u.Path, suffix) {
				im.spec.Hub.URL = u.Scheme + "://" + u.Host + strings.TrimSuffix(strings.TrimSuffix(u.Path, suffix), "/")
				return nil
			}
		}
	}
	switch {
	case host != "":
		im.spec.Hub.URL = scheme + "://" + host + strings.TrimSuffix(baseURL, "/")
	case im.in.HubURL != "":
		im.spec.Hub.URL = im.in.HubURL
		return nil
	case len(candidates) > 0:
		if u, err := url.Parse(candidates[0]); err == nil && u.IsAbs() {
			im.spec.Hub.URL = u.Scheme + "://" + u.Host + strings.TrimSuffix(baseURL, "/")
			return nil
		}
		fallthrough
	default:
		return fmt.Errorf("the values do not say the hub's public URL (no oauth_callback_url, ingress host, proxy.https host or absolute service oauth_redirect_uri): give it")
	}
	im.comment("hub.url", "hubctl: taken from the "+map[string]string{"https": "TLS ", "http": ""}[scheme]+"host the chart serves; check it is the URL users open")
	return nil
}

// publicHost is the first host of the ingress or of the chart's autohttps
// proxy, and the scheme it is served with.
func (im *importer) publicHost() (string, string) {
	if hosts, ok := lookupValue(im.root, "ingress", "hosts"); ok {
		if list, ok := stringList(hosts); ok && len(list) > 0 {
			scheme := "http"
			if tls, ok := lookupValue(im.root, "ingress", "tls"); ok && tls.Kind == yaml.SequenceNode && len(tls.Content) > 0 {
				scheme = "https"
			}
			return list[0], scheme
		}
	}
	if hosts, ok := lookupValue(im.root, "proxy", "https", "hosts"); ok {
		if list, ok := stringList(hosts); ok && len(list) > 0 {
			return list[0], "https"
		}
	}
	return "", ""
}

func lookupOr(m *yaml.Node, path ...string) *yaml.Node {
	v, _ := lookupValue(m, path...)
	return v
}

// genericClass returns JupyterHub.authenticator_class, and whether it is
// GenericOAuthenticator (true with "" when it is not set).
func (im *importer) genericClass(config *yaml.Node) (string, bool) {
	p, ok := lookup(config, "JupyterHub", "authenticator_class")
	if !ok {
		return "", false
	}
	v, _ := str(p.Value)
	return v, slices.Contains(genericClasses, v)
}

// hubConfig imports the login and reports the rest of hub.config.
func (im *importer) hubConfig() {
	config, ok := lookupValue(im.hubValues, "config")
	if !ok || !isMap(config) {
		return
	}
	a := &authState{config: config, used: map[string]bool{}}
	cls, generic := im.genericClass(config)
	clsPair, _ := lookup(config, "JupyterHub", "authenticator_class")
	a.at = clsPair.Key
	if sec, ok := get(config, hub.AuthenticatorSection); ok {
		a.at = sec.Key
	}
	switch {
	case generic:
		if im.login(a, clsPair) {
			a.used["JupyterHub.authenticator_class"] = true
		}
	case cls != "":
		im.left(clsPair.Key, []string{"hub", "config", "JupyterHub", "authenticator_class"},
			fmt.Sprintf("authenticator_class %s: a hubctl spec's login is GenericOAuthenticator, so this login is not imported", cls),
			"keep the login in the values; the spec still describes services and roles")
	}
	loginSections := slices.Clone(genericSections)
	for _, sec := range pairs(config) {
		name := sec.Key.Value
		switch {
		case name == "JupyterHub" || (im.spec.Login != nil && slices.Contains(loginSections, name)):
			for _, t := range pairs(sec.Value) {
				if a.used[name+"."+t.Key.Value] || (name == "JupyterHub" && t.Key.Value == "authenticator_class") {
					continue
				}
				im.left(t.Key, []string{"hub", "config", name, t.Key.Value},
					fmt.Sprintf("%s.%s is outside what a hubctl spec describes", name, t.Key.Value), traitHint(name, t.Key.Value))
			}
		case name == hub.AuthenticatorSection && cls == "":
			im.left(sec.Key, []string{"hub", "config", name},
				"hub.config.GenericOAuthenticator without JupyterHub.authenticator_class: the chart's default authenticator is used, so this login is not imported",
				"set authenticator_class: generic-oauth in the values and import again")
		default:
			im.left(sec.Key, []string{"hub", "config", name}, fmt.Sprintf("the %s section is outside what a hubctl spec describes", name), "")
		}
	}
}

func traitHint(section, name string) string {
	switch name {
	case "services", "load_roles":
		return "the chart drops or replaces these; move them to hub.services and hub.loadRoles, then import again"
	case "enable_auth_state":
		return "it needs CryptKeeper keys, which the chart manages"
	}
	return ""
}

// login imports GenericOAuthenticator's settings; false when they are too
// far from what a spec can say to import any.
func (im *importer) login(a *authState, clsPair pair) bool {
	l := &spec.Login{}
	// strSetting reads a string trait, or the environment variable
	// OAuthenticator takes its default from.
	strSetting := func(name, env string) (string, *yaml.Node, []string) {
		// The variable is read even when the trait wins over it: the
		// spec covers the setting either way.
		e, hasEnv := envVar{}, false
		if env != "" {
			e, hasEnv = im.envOf(env)
		}
		if t, ok := a.take(name); ok {
			if s, ok := str(t.Value); ok {
				return s, t.Key, t.path()
			}
		}
		if hasEnv && e.hasLiteral {
			return e.literal, e.at, []string{"hub", "extraEnv", env}
		}
		return "", nil, nil
	}
	authz, _, _ := strSetting("authorize_url", "OAUTH2_AUTHORIZE_URL")
	token, _, _ := strSetting("token_url", "OAUTH2_TOKEN_URL")
	userdata, _, _ := strSetting("userdata_url", "OAUTH2_USERDATA_URL")

	var scopes []string
	if t, ok := a.take("scope"); ok {
		list, ok := stringList(t.Value)
		if !ok {
			delete(a.used, t.section+".scope")
		}
		scopes = list
	}
	l.Provider, l.URL = detectProvider(authz, token, scopes)
	prof, _ := provider.Lookup(l.Provider)
	if l.Provider != spec.ProviderNBGallery && (authz == "" || token == "" || userdata == "") {
		// Without all three, hubctl would fill one in by discovery, which
		// changes what the hub does (userdata_from_id_token, for one).
		for k := range a.used {
			delete(a.used, k)
		}
		im.left(clsPair.Key, []string{"hub", "config", "JupyterHub", "authenticator_class"},
			"GenericOAuthenticator without all of authorize_url, token_url and userdata_url: a hubctl spec renders all three, so this login is not imported",
			"give the three endpoints in the values and import again")
		return false
	}
	if l.Provider == spec.ProviderNBGallery {
		base := l.URL
		if token != base+prof.TokenPath {
			l.TokenURL = token
		}
		switch userdata {
		case "":
			im.review(a.at, []string{"hub", "config", hub.AuthenticatorSection}, "login.url",
				"the values set no userdata_url; the spec uses NBGallery's "+base+prof.UserdataPath)
		case base + prof.UserdataPath:
		default:
			l.UserdataURL = userdata
		}
	} else {
		l.AuthorizeURL, l.TokenURL, l.UserdataURL = authz, token, userdata
		if l.Provider == spec.ProviderOIDC && l.URL == "" {
			im.comment("login.provider", "hubctl: an OpenID Connect provider; give its issuer as login.url so that hubctl doctor can read its discovery document")
		}
	}
	im.spec.Login = l

	callback, cbAt, cbPath := strSetting("oauth_callback_url", "OAUTH_CALLBACK_URL")
	if callback != "" && callback != im.spec.Hub.LoginCallbackURL() {
		im.review(cbAt, cbPath, "login",
			fmt.Sprintf("the values' oauth_callback_url %s is not where the hub receives its login callback; the spec renders %s, which the provider must accept", callback, im.spec.Hub.LoginCallbackURL()))
	}
	if ls, _, _ := strSetting("login_service", "LOGIN_SERVICE"); ls != prof.LoginService {
		l.LoginService = ls
	}

	claim, _, _ := strSetting("username_claim", "OAUTH2_USERNAME_KEY")
	if claim == "" {
		if t, ok := a.take("username_key"); ok {
			claim, _ = str(t.Value)
		}
	}
	if claim == "" {
		claim = "username" // OAuthenticator's default
	}
	if prof.UserinfoFields != nil && !slices.Contains(prof.UserinfoFields, claim) {
		im.review(a.at, []string{"hub", "config", hub.AuthenticatorSection}, "login.provider",
			fmt.Sprintf("%s's userinfo has no %s, so the values' login fails; the spec names users by %s", l.Provider, claim, prof.UsernameClaim))
		claim = prof.UsernameClaim
	}
	if claim != prof.UsernameClaim {
		l.UsernameClaim = claim
	}

	switch {
	case scopes == nil && l.Provider == spec.ProviderOIDC:
		l.Scopes = []string{} // the values request none; the spec's default would request some
	case scopes != nil && !slices.Equal(scopes, prof.DefaultScopes):
		l.Scopes = scopes
	}

	id, idAt, idPath := strSetting("client_id", "")
	if id == "" {
		if e, ok := im.envOf("OAUTH_CLIENT_ID"); ok {
			if e.hasLiteral {
				id = e.literal
			} else {
				idAt, idPath = e.at, []string{"hub", "extraEnv", "OAUTH_CLIENT_ID"}
				im.left(idAt, idPath, "the client id read from a Secret: a hubctl spec writes login.clientId as text", "copy the id into login.clientId")
			}
		}
	}
	l.ClientID = id
	im.clientSecret(a, l)
	im.tls(a, l)
	im.allow(a, l)
	return true
}

// detectProvider tells the spec's provider kind from the endpoints and
// scopes: OpenID Connect by its scope or Keycloak's paths, NBGallery by
// Doorkeeper's paths and scopes, plain OAuth2 otherwise. url is the
// issuer or base URL when the endpoints show it.
func detectProvider(authz, token string, scopes []string) (kind, base string) {
	const keycloak = "/protocol/openid-connect/"
	switch {
	case strings.Contains(authz, keycloak):
		return spec.ProviderOIDC, authz[:strings.Index(authz, keycloak)]
	case slices.Contains(scopes, "openid"):
		return spec.ProviderOIDC, ""
	}
	nb := provider.NBGallery
	if b, ok := strings.CutSuffix(authz, nb.AuthorizePath); ok && b != "" && token == b+nb.TokenPath {
		if !slices.ContainsFunc(scopes, func(s string) bool { return !slices.Contains(nb.AllowedScopes, s) }) {
			return spec.ProviderNBGallery, b
		}
	}
	return spec.ProviderOAuth2, ""
}

// clientSecret reads client_secret, or the hub's OAUTH_CLIENT_SECRET,
// into a reference; a written value goes to Result.Secrets.
func (im *importer) clientSecret(a *authState, l *spec.Login) {
	if t, ok := a.take("client_secret"); ok {
		if s, ok := str(t.Value); ok && s != "" {
			l.ClientSecret = im.storeLiteral(hub.LoginClientSecretKey, s)
			im.comment("login.clientSecret", "hubctl: the values held this secret; hubctl stored it, and render secret puts it in this Secret")
			return
		}
	}
	if e, ok := im.envOf(hub.ClientSecretEnv); ok {
		switch {
		case e.ref != nil:
			l.ClientSecret = secret.Ref{Kind: secret.K8s, K8s: *e.ref}
			return
		case e.hasLiteral && e.literal != "":
			l.ClientSecret = im.storeLiteral(hub.LoginClientSecretKey, e.literal)
			im.comment("login.clientSecret", "hubctl: the values held this secret; hubctl stored it, and render secret puts it in this Secret")
			return
		}
		im.left(e.at, []string{"hub", "extraEnv", hub.ClientSecretEnv}, "OAUTH_CLIENT_SECRET from a source other than a Secret key", "")
	}
	l.ClientSecret = secret.Ref{Kind: secret.Env, Env: hub.ClientSecretEnv}
	im.review(a.at, []string{"hub", "config", hub.AuthenticatorSection}, "login.clientSecret",
		"the values do not say where the client secret comes from; name it here")
}

// tls reads certificate checks and the provider's CA bundle.
func (im *importer) tls(a *authState, l *spec.Login) {
	off := func(at *yaml.Node, path []string) {
		f := false
		l.VerifyTLS = &f
		im.review(at, path, "login.verifyTLS", "certificate checks on the provider are off; trust its CA with login.caFile instead")
	}
	switch t, ok := a.take("validate_server_cert"); {
	case ok:
		if v, isBool := boolean(t.Value); !isBool {
			delete(a.used, t.section+".validate_server_cert")
		} else if !v {
			off(t.Key, t.path())
		}
	default:
		if t, ok := a.take("tls_verify"); ok {
			if v, isBool := boolean(t.Value); isBool && !v {
				off(t.Key, t.path())
			}
		} else if e, ok := im.envOf("OAUTH_TLS_VERIFY"); ok && e.hasLiteral && e.literal == "0" {
			off(e.at, []string{"hub", "extraEnv", "OAUTH_TLS_VERIFY"})
		}
	}

	t, ok := a.take("http_request_kwargs")
	if !ok {
		return
	}
	kw := pairs(t.Value)
	caPath := ""
	if len(kw) == 1 && kw[0].Key.Value == "ca_certs" {
		caPath, _ = str(kw[0].Value)
	}
	key, pem := im.extraFile(caPath)
	if pem == "" {
		delete(a.used, t.section+".http_request_kwargs")
		return
	}
	name := path.Base(caPath)
	l.CAFile = name
	im.res.Files[name] = []byte(pem)
	if caPath != render.HubCAPath {
		im.review(key, []string{"hub", "extraFiles", key.Value}, "login.caFile",
			fmt.Sprintf("this CA bundle is hub.extraFiles.%s of the values; delete it there, as hubctl's rendering mounts it itself", key.Value))
	}
}

// extraFile finds the hub.extraFiles entry mounted at mountPath and
// returns its key and text.
func (im *importer) extraFile(mountPath string) (*yaml.Node, string) {
	if mountPath == "" {
		return nil, ""
	}
	for _, f := range pairs(lookupOr(im.hubValues, "extraFiles")) {
		mp, _ := get(f.Value, "mountPath")
		if s, _ := str(mp.Value); s != mountPath {
			continue
		}
		data, _ := get(f.Value, "stringData")
		text, _ := str(data.Value)
		return f.Key, text
	}
	return nil, ""
}

// allow reads who may log in and who is an admin.
func (im *importer) allow(a *authState, l *spec.Login) {
	allow := &spec.Allow{}
	flag := func(name string) bool {
		t, ok := a.take(name)
		if !ok {
			return false
		}
		v, isBool := boolean(t.Value)
		if !isBool {
			delete(a.used, t.section+"."+name)
		}
		return v
	}
	list := func(name string) []string {
		t, ok := a.take(name)
		if !ok {
			return nil
		}
		v, isList := stringList(t.Value)
		if !isList {
			delete(a.used, t.section+"."+name)
		}
		return v
	}
	allow.All = flag("allow_all")
	allow.Users = list("allowed_users")
	allow.ExistingUsers = flag("allow_existing_users")
	allow.Groups = list("allowed_groups")
	admins := &spec.Admins{Users: list("admin_users"), Groups: list("admin_groups")}

	usesGroups := len(allow.Groups) > 0 || len(admins.Groups) > 0
	manage, hasManage := a.find("manage_groups")
	key, hasKey := a.find("auth_state_groups_key")
	if !hasKey {
		if t, ok := a.find("claim_groups_key"); ok && t.section == hub.AuthenticatorSection {
			key, hasKey = t, true
		}
	}
	if usesGroups {
		if v, _ := boolean(manage.Value); !hasManage || !v {
			im.review(a.at, []string{"hub", "config", hub.AuthenticatorSection}, "login.allow",
				"the values have groups without manage_groups, which OAuthenticator 17 refuses; the spec sets it")
		} else {
			a.take("manage_groups")
		}
		claim := ""
		if hasKey {
			s, _ := str(key.Value)
			if key.Key.Value == "claim_groups_key" {
				s = "oauth_user." + s
			}
			if c, ok := strings.CutPrefix(s, "oauth_user."); ok && c != "" && !strings.Contains(c, ".") {
				claim = c
				a.take(key.Key.Value)
			}
		} else {
			im.review(a.at, []string{"hub", "config", hub.AuthenticatorSection}, "login.allow",
				"the values name no auth_state_groups_key, so the hub saw no groups; the spec reads them from the groups claim")
		}
		if claim != "" && claim != "groups" {
			allow.GroupsClaim = claim
		}
	}
	if !allow.All && len(allow.Users) == 0 && len(allow.Groups) == 0 && !allow.ExistingUsers {
		allow.All = true
		im.review(a.at, []string{"hub", "config", hub.AuthenticatorSection}, "login.allow",
			"the values allow nobody, which since OAuthenticator 16 refuses every user; all: true admits everyone the provider logs in, as before 16: narrow it to users or groups if that is too wide")
	}
	l.Allow = allow
	if len(admins.Users) > 0 || len(admins.Groups) > 0 {
		l.Admins = admins
	}
}
