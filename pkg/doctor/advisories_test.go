package doctor

import (
	"testing"

	"github.com/hubctl/hubctl/pkg/finding"
)

func TestPyVersionOrder(t *testing.T) {
	// Each is older than the next.
	ordered := []string{"4.1.5", "4.1.6", "5.0", "5.4.4.dev0", "5.4.4a1", "5.4.4b2", "5.4.4rc1", "5.4.4", "5.4.4.post1",
		"5.4.10", "5.5.0", "6.0.0b1", "6.0.0b2", "6.0.0rc1", "v6.0.0", "6.1.1"}
	for i := range len(ordered) - 1 {
		a, errA := parsePyVersion(ordered[i])
		b, errB := parsePyVersion(ordered[i+1])
		if errA != nil || errB != nil {
			t.Fatalf("parsing %s, %s: %v, %v", ordered[i], ordered[i+1], errA, errB)
		}
		if a.compare(b) >= 0 || b.compare(a) <= 0 {
			t.Errorf("%s should sort before %s", ordered[i], ordered[i+1])
		}
	}
	same := [][2]string{{"5.5", "5.5.0"}, {"6.0.0-rc.1", "6.0.0rc1"}, {"1.0alpha2", "1.0a2"}}
	for _, p := range same {
		a, _ := parsePyVersion(p[0])
		b, _ := parsePyVersion(p[1])
		if a.compare(b) != 0 {
			t.Errorf("%s and %s should be equal", p[0], p[1])
		}
	}
	for _, bad := range []string{"", "five", "5.x", "5.5.1foo", "unknown"} {
		if _, err := parsePyVersion(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestAdvisoryAffects(t *testing.T) {
	backported := advisory{ID: "GHSA-test", Fixed: []string{"4.1.6", "5.1.0"}}
	cases := []struct {
		version  string
		affected bool
		fixedIn  string
	}{
		{"3.1.1", true, "4.1.6"},
		{"4.1.5", true, "4.1.6"},
		{"4.1.6", false, "4.1.6"},
		{"5.0.0", true, "5.1.0"},
		{"5.1.0", false, "5.1.0"},
		{"5.1.0rc1", true, "5.1.0"},
		{"6.0.0b1", false, ""},
	}
	for _, c := range cases {
		v, err := parsePyVersion(c.version)
		if err != nil {
			t.Fatal(err)
		}
		affected, fixedIn := backported.affects(v)
		if affected != c.affected || (affected && fixedIn != c.fixedIn) {
			t.Errorf("%s: affected %v fixed in %q, want %v %q", c.version, affected, fixedIn, c.affected, c.fixedIn)
		}
	}
}

func TestAdvisoriesJupyterHub(t *testing.T) {
	cases := []struct {
		version string
		status  finding.Status
		message []string
		hint    string
	}{
		{"5.5.1", finding.Pass, []string{"JupyterHub 5.5.1: no published advisory affects it"}, ""},
		{"6.0.0b2", finding.Pass, []string{"no published advisory"}, ""},
		{"5.5.0", finding.Warn, []string{"GHSA-c4gm-pwx9-9w8j (user-initiated sharing), fixed in 5.5.1", "GHSA-69wv-m5fw-2fhp"}, "upgrade JupyterHub to 5.5.1 or later"},
		{"5.4.4", finding.Warn, []string{"GHSA-m68r-v472-jgq9 (CVE-2026-40864, CSRF), fixed in 5.4.5", "GHSA-p43p-whwx-q52h (CVE-2026-54338"}, "to 5.5.1"},
		{"4.1.5", finding.Warn, []string{"GHSA-9x4q-3gxw-849f (CVE-2024-41942, users with admin:users), fixed in 4.1.6", "GHSA-3vff-hjqv-m7h8 (CVE-2026-33709, open redirect), fixed in 5.4.4"}, "to 5.5.1"},
	}
	for _, c := range cases {
		t.Run(c.version, func(t *testing.T) {
			h := newAPIHub()
			h.version = c.version
			srv := startAPIHub(t, h)
			res := loadSpec(t, hubSpec(srv.URL, "", ""), nil, hubEnv)
			r := onlyResult(t, runChecks(t, res, Options{}, "advisories.jupyterhub"), "advisories.jupyterhub")
			assertResult(t, r, c.status, c.message, c.hint)
		})
	}
}

func TestAdvisoriesOAuthenticator(t *testing.T) {
	cases := []struct {
		name           string
		token          string
		class, version string
		status         finding.Status
		message        []string
		hint           string
	}{
		{"no token", "", "oauthenticator.generic.GenericOAuthenticator", "17.3.0", finding.Skip,
			[]string{"only /hub/api/info reports OAuthenticator's version"}, "set HUBCTL_HUB_TOKEN"},
		{"refused token", "wrong-token-0123456789", "oauthenticator.generic.GenericOAuthenticator", "17.3.0", finding.Skip,
			[]string{"the hub refused --hub-token", "/hub/api/info"}, "read:hub"},
		{"current", adminToken, "oauthenticator.generic.GenericOAuthenticator", "17.4.0", finding.Pass,
			[]string{"OAuthenticator 17.4.0 (GenericOAuthenticator): no published advisory affects it"}, ""},
		{"old, other class's advisory", adminToken, "oauthenticator.generic.GenericOAuthenticator", "17.3.0", finding.Pass,
			[]string{"no advisory applies (GHSA-rrvg-cxh4-qhrv (Auth0OAuthenticator only))"}, ""},
		{"old Auth0", adminToken, "oauthenticator.auth0.Auth0OAuthenticator", "17.3.0", finding.Warn,
			[]string{"GHSA-rrvg-cxh4-qhrv (CVE-2026-33175, Auth0OAuthenticator email_verified), fixed in 17.4.0"}, "upgrade OAuthenticator to 17.4.0 or later"},
		{"not OAuthenticator", adminToken, "jupyterhub.auth.DummyAuthenticator", "5.5.1", finding.Skip,
			[]string{"jupyterhub.auth.DummyAuthenticator, not one of OAuthenticator's"}, ""},
		{"unknown version", adminToken, "oauthenticator.generic.GenericOAuthenticator", "unknown", finding.Skip,
			[]string{"does not know the version"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newAPIHub()
			h.authenticator = map[string]string{"class": c.class, "version": c.version}
			srv := startAPIHub(t, h)
			res := loadSpec(t, hubSpec(srv.URL, "", ""), nil, hubEnv)
			r := onlyResult(t, runChecks(t, res, Options{HubToken: c.token}, "advisories.oauthenticator"), "advisories.oauthenticator")
			assertResult(t, r, c.status, c.message, c.hint)
		})
	}
}
