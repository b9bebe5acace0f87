package doctor

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/hubctl/hubctl/pkg/netdiag"
)

var (
	checkAdvisoriesJupyterHub = Register(&Check{ID: "advisories.jupyterhub", Title: "JupyterHub has no known advisory", Live: true,
		Doc: "the JupyterHub version the hub reports is not one a published security advisory affects"})
	checkAdvisoriesOAuthenticator = Register(&Check{ID: "advisories.oauthenticator", Title: "OAuthenticator has no known advisory", Live: true,
		Doc: "with --hub-token: the OAuthenticator version and class /hub/api/info reports are not ones a published advisory affects"})
)

func init() { addFamily(rankAdvisories, planAdvisories) }

// advisory is a published security advisory and the releases that fix it.
type advisory struct {
	ID, CVE string
	// What is a few words on what it is about, for the message.
	What string
	// Fixed holds the first fixed release of each line the fix reached,
	// oldest first; see affects.
	Fixed []string
	// Class, when set, is the one authenticator class affected.
	Class string
}

// jupyterhubAdvisories are from JupyterHub's changelog
// (jupyterhub/jupyterhub docs/source/reference/changelog.md at 2841153,
// 2026-08-20). Every fix of 5.4.4 to 5.5.1 is also in 6.0.0b1 and later
// (checked in git: the fix commits precede the 6.0.0b1 tag on main).
var jupyterhubAdvisories = []advisory{
	{ID: "GHSA-7r3h-4ph8-w38g", CVE: "CVE-2024-28233", What: "user content on peer domains", Fixed: []string{"4.1.0"}},
	{ID: "GHSA-9x4q-3gxw-849f", CVE: "CVE-2024-41942", What: "users with admin:users", Fixed: []string{"4.1.6", "5.1.0"}},
	{ID: "GHSA-3vff-hjqv-m7h8", CVE: "CVE-2026-33709", What: "open redirect", Fixed: []string{"5.4.4"}},
	{ID: "GHSA-m68r-v472-jgq9", CVE: "CVE-2026-40864", What: "CSRF", Fixed: []string{"5.4.5"}},
	{ID: "GHSA-p43p-whwx-q52h", CVE: "CVE-2026-54338", What: "denial of service by failed logins", Fixed: []string{"5.5.0"}},
	{ID: "GHSA-c4gm-pwx9-9w8j", What: "user-initiated sharing", Fixed: []string{"5.5.1"}},
	{ID: "GHSA-69wv-m5fw-2fhp", What: "filtered admin roles", Fixed: []string{"5.5.1"}},
}

// oauthenticatorAdvisories are from OAuthenticator's changelog
// (jupyterhub/oauthenticator docs/source/reference/changelog.md at
// 7d80b00, 2026-07-16). Each affects one authenticator class only.
var oauthenticatorAdvisories = []advisory{
	{ID: "GHSA-55m3-44xf-hg4h", What: "GoogleOAuthenticator.hosted_domain", Fixed: []string{"16.3.0"}, Class: "GoogleOAuthenticator"},
	{ID: "GHSA-gprj-3p75-f996", What: "GlobusOAuthenticator", Fixed: []string{"16.3.1"}, Class: "GlobusOAuthenticator"},
	{ID: "GHSA-rrvg-cxh4-qhrv", CVE: "CVE-2026-33175", What: "Auth0OAuthenticator email_verified", Fixed: []string{"17.4.0"}, Class: "Auth0OAuthenticator"},
}

// affects reports whether release v has the advisory, and the release
// that fixes it for v. A fix reaches the newer lines of the same major
// version (5.4.4 fixes 5.5.0) and later majors, but not older lines of
// another major unless listed (4.1.6 for 4.x beside 5.1.0).
func (a advisory) affects(v pyVersion) (bool, string) {
	var lowest string
	for _, f := range a.Fixed {
		fv, err := parsePyVersion(f)
		if err != nil {
			continue
		}
		if fv.major() == v.major() {
			return v.compare(fv) < 0, f
		}
		if lowest == "" && v.compare(fv) < 0 {
			lowest = f
		}
	}
	return lowest != "", lowest
}

// describe names the advisory for a message: "GHSA-... (CVE-..., CSRF)".
func (a advisory) describe() string {
	what := a.What
	if a.CVE != "" {
		what = a.CVE + ", " + what
	}
	return a.ID + " (" + what + ")"
}

// pyVersion is a Python release number as PEP 440 orders them, reduced to
// what JupyterHub and OAuthenticator publish: 5.5.1, 6.0.0b2, 6.1.0rc1,
// 5.5.0.dev0, 1.0.post1.
type pyVersion struct {
	release []int
	// phase orders dev < a < b < rc < final < post; phaseNum follows it.
	phase, phaseNum int
}

const (
	phaseDev = iota
	phaseAlpha
	phaseBeta
	phaseRC
	phaseFinal
	phasePost
)

var phaseNames = []struct {
	name  string
	phase int
}{
	// Longer spellings first, so that "alpha1" is not read as "a" then "lpha1".
	{"alpha", phaseAlpha}, {"beta", phaseBeta}, {"preview", phaseRC}, {"post", phasePost},
	{"dev", phaseDev}, {"pre", phaseRC}, {"rc", phaseRC}, {"a", phaseAlpha}, {"b", phaseBeta}, {"c", phaseRC},
}

// parsePyVersion reads a version such as 5.5.1 or 6.0.0b2.
func parsePyVersion(s string) (pyVersion, error) {
	bad := fmt.Errorf("%q is not a version such as 5.5.1", s)
	rest := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "v")
	v := pyVersion{phase: phaseFinal}
	for {
		n := 0
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if n == 0 {
			return pyVersion{}, bad
		}
		num, _ := strconv.Atoi(rest[:n])
		v.release = append(v.release, num)
		rest = rest[n:]
		if len(rest) < 2 || rest[0] != '.' || rest[1] < '0' || rest[1] > '9' {
			break
		}
		rest = rest[1:]
	}
	if rest == "" {
		return v, nil
	}
	rest = strings.TrimLeft(rest, ".-_")
	for _, p := range phaseNames {
		if tail, ok := strings.CutPrefix(rest, p.name); ok {
			tail = strings.TrimLeft(tail, ".-_")
			num := 0
			if tail != "" {
				var err error
				if num, err = strconv.Atoi(tail); err != nil || num < 0 {
					return pyVersion{}, bad
				}
			}
			v.phase, v.phaseNum = p.phase, num
			return v, nil
		}
	}
	return pyVersion{}, bad
}

func (v pyVersion) major() int { return v.part(0) }
func (v pyVersion) minor() int { return v.part(1) }

func (v pyVersion) part(i int) int {
	if i < len(v.release) {
		return v.release[i]
	}
	return 0
}

// compare orders versions: negative when v is older than o.
func (v pyVersion) compare(o pyVersion) int {
	for i := range max(len(v.release), len(o.release)) {
		if d := v.part(i) - o.part(i); d != 0 {
			return d
		}
	}
	if v.phase != o.phase {
		return v.phase - o.phase
	}
	return v.phaseNum - o.phaseNum
}

// planAdvisories checks the versions the hub reports against the tables.
func planAdvisories(p *Plan) {
	hp := p.Hub()
	env := p.Env
	p.Add(checkAdvisoriesJupyterHub, hp.APIURL, []*Task{hp.API}, func(ctx context.Context) Outcome {
		reported := hp.Version()
		if reported == "" {
			return Skipped("", "the hub did not report its version")
		}
		return advise("JupyterHub", "", reported, jupyterhubAdvisories)
	})
	p.Add(checkAdvisoriesOAuthenticator, hp.APIURL, []*Task{hp.API}, func(ctx context.Context) Outcome {
		if env.Opts.HubToken == "" {
			return Skipped(hubTokenHint+" (it needs read:hub)", "only /hub/api/info reports OAuthenticator's version, and it needs a token")
		}
		class, version, o := authenticatorInfo(ctx, env, hp.APIURL+"/info")
		if o != nil {
			return *o
		}
		module, short := splitClass(class)
		if !strings.HasPrefix(module, "oauthenticator.") {
			return Skipped("", "the hub's authenticator is %s, not one of OAuthenticator's", class)
		}
		if version == "" || version == "unknown" {
			return Skipped("", "the hub does not know the version of OAuthenticator it runs")
		}
		return advise("OAuthenticator", short, version, oauthenticatorAdvisories)
	})
}

// advise warns about every advisory that affects product at version, for
// authenticator class (or any, when class is "").
func advise(product, class, version string, table []advisory) Outcome {
	v, err := parsePyVersion(version)
	if err != nil {
		return Skipped("", "%s reports the version %q, which doctor cannot compare", product, version)
	}
	running := product + " " + version
	if class != "" {
		running += " (" + class + ")"
	}
	var hits, otherClass []string
	var upgrade pyVersion
	upgradeTo := ""
	for _, a := range table {
		affected, fixedIn := a.affects(v)
		if !affected {
			continue
		}
		if a.Class != "" && a.Class != class {
			otherClass = append(otherClass, a.ID+" ("+a.Class+" only)")
			continue
		}
		hits = append(hits, fmt.Sprintf("%s, fixed in %s", a.describe(), fixedIn))
		if fv, _ := parsePyVersion(fixedIn); upgradeTo == "" || fv.compare(upgrade) > 0 {
			upgrade, upgradeTo = fv, fixedIn
		}
	}
	if len(hits) > 0 {
		return Warned(fmt.Sprintf("upgrade %s to %s or later", product, upgradeTo),
			"%s has published security advisories: %s", running, strings.Join(hits, "; "))
	}
	if len(otherClass) > 0 {
		return Passed("%s: no advisory applies (%s)", running, strings.Join(otherClass, ", "))
	}
	return Passed("%s: no published advisory affects it", running)
}

// authenticatorInfo reads the authenticator's class and version from
// /hub/api/info; a non-nil Outcome ends the check.
func authenticatorInfo(ctx context.Context, env *Env, infoURL string) (class, version string, o *Outcome) {
	resp, body, err := hubGet(ctx, env, infoURL, env.Opts.HubToken)
	if err != nil {
		out := Failed("", "%v", err)
		return "", "", &out
	}
	if resp.StatusCode == http.StatusForbidden {
		out := Skipped("give --hub-token the read:hub scope (an admin's token has it)", "the hub refused --hub-token at %s", infoURL)
		return "", "", &out
	}
	var info struct {
		Authenticator struct {
			Class   string `json:"class"`
			Version string `json:"version"`
		} `json:"authenticator"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &info) != nil || info.Authenticator.Class == "" {
		out := Failed("", "GET %s %s with %s, not the hub's info", infoURL, netdiag.Answered(infoURL, resp),
			netdiag.DescribeBody(resp.Header.Get("Content-Type"), body))
		return "", "", &out
	}
	return info.Authenticator.Class, info.Authenticator.Version, nil
}

// splitClass splits a Python class path into its module and name.
func splitClass(class string) (module, name string) {
	if i := strings.LastIndex(class, "."); i >= 0 {
		return class[:i], class[i+1:]
	}
	return "", class
}

// missingFrom returns the elements of a not in b, sorted.
func missingFrom(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}
