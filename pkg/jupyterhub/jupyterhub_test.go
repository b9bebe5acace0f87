package jupyterhub

import (
	"slices"
	"testing"
)

func TestParseVersion(t *testing.T) {
	tests := []struct {
		in      string
		want    Version
		wantErr bool
	}{
		{"5.5", Version{5, 5}, false},
		{"5.5.0", Version{5, 5}, false},
		{"6", Version{6, 0}, false},
		{" 6.1 ", Version{6, 1}, false},
		{"6.10", Version{6, 10}, false},
		{"", Version{}, true},
		{"five", Version{}, true},
		{"5.5.0.1", Version{}, true},
		{"5.-1", Version{}, true},
		{"6.0.0b2", Version{}, true},
	}
	for _, tt := range tests {
		got, err := ParseVersion(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseVersion(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestAtLeast(t *testing.T) {
	if !(Version{6, 1}).AtLeast(V6_0) || (Version{5, 5}).AtLeast(V6_0) || !(Version{5, 5}).AtLeast(Version{5, 5}) || (Version{5, 10}).AtLeast(V6_0) {
		t.Error("AtLeast orders versions wrongly")
	}
}

func TestCheckScope(t *testing.T) {
	v55, v61 := Version{5, 5}, Version{6, 1}
	tests := []struct {
		scope          string
		version        Version
		wantKind       string // "" means accepted
		wantSuggestion string
	}{
		{"list:users", v55, "", ""},
		{"read:users:activity", v55, "", ""},
		{"access:services!service=nbviewer", v55, "", ""},
		{"access:servers!server=alice/", v55, "", ""},
		{"read:users!user=alice", v55, "", ""},
		{"read:users!group=staff", v55, "", ""},
		{"users:activity!user", v55, "", ""},
		{"admin:services", v55, "", ""},
		{"shares", v55, "", ""},
		{"start:servers", v61, "", ""},
		{"start:servers", v55, "version", ""},
		{"admin:services", Version{4, 1}, "version", ""},
		{"read:shares", Version{4, 1}, "version", ""},
		{"access:service!service=nbviewer", v55, "unknown", "access:services!service=nbviewer"},
		{"list:user", v55, "unknown", "list:users"},
		{"frobnicate", v55, "unknown", ""},
		{"all", v55, "unknown", "inherit"},
		{"identify", v55, "unknown", ""},
		{"read:users!group", v55, "filter", ""},
		{"read:users!user=", v55, "filter", ""},
		{"read:users!team=x", v55, "filter", ""},
		{"custom:reports", v55, "custom", ""},
	}
	for _, tt := range tests {
		p := CheckScope(tt.scope, tt.version)
		switch {
		case tt.wantKind == "" && p != nil:
			t.Errorf("CheckScope(%q, %s) = %q; want accepted", tt.scope, tt.version, p.Message)
		case tt.wantKind != "" && p == nil:
			t.Errorf("CheckScope(%q, %s) accepted; want a %s problem", tt.scope, tt.version, tt.wantKind)
		case p != nil && (p.Kind != tt.wantKind || p.Suggestion != tt.wantSuggestion):
			t.Errorf("CheckScope(%q, %s) = kind %q suggestion %q; want %q, %q", tt.scope, tt.version, p.Kind, p.Suggestion, tt.wantKind, tt.wantSuggestion)
		}
	}
}

func TestExpand(t *testing.T) {
	tests := []struct {
		scopes  []string
		version Version
		want    []string
	}{
		{[]string{"list:users", "read:users:activity"}, Version{5, 5}, []string{"list:users", "read:users:activity", "read:users:name"}},
		// JupyterHub 3.0's reply for these scopes, as real-servers.md §3.2 recorded it.
		{[]string{"read:hub", "list:users", "read:users", "admin:users", "list:services", "read:services"}, Version{5, 5},
			[]string{"admin:auth_state", "admin:users", "delete:users", "list:services", "list:users", "read:hub", "read:roles:users", "read:services", "read:services:name", "read:users", "read:users:activity", "read:users:groups", "read:users:name", "users", "users:activity"}},
		{[]string{"servers"}, Version{5, 5}, []string{"delete:servers", "read:servers", "read:users:name", "servers"}},
		{[]string{"servers"}, Version{6, 1}, []string{"delete:servers", "read:servers", "read:users:name", "servers", "start:servers"}},
		{[]string{"read:users!group=staff"}, Version{5, 5}, []string{"read:users!group=staff", "read:users:activity!group=staff", "read:users:groups!group=staff", "read:users:name!group=staff"}},
		{[]string{"self"}, Version{5, 5}, []string{}},
	}
	for _, tt := range tests {
		if got := Expand(tt.scopes, tt.version); !slices.Equal(got, tt.want) {
			t.Errorf("Expand(%v, %s) = %v; want %v", tt.scopes, tt.version, got, tt.want)
		}
	}
}

func TestScopeTableImpliesOnlyKnownScopes(t *testing.T) {
	for name, def := range scopeTable {
		for _, sub := range def.implies {
			if _, ok := scopeTable[sub]; !ok {
				t.Errorf("%s implies unknown scope %s", name, sub)
			}
		}
	}
}

func TestValidRoleName(t *testing.T) {
	for name, want := range map[string]bool{
		"nbviewer": true, "nbviewer-users": true, "a.b~c_d": true, "abc": true,
		"ab": false, "Nbviewer": false, "1abc": false, "abc-": false, "a b c": false, "": false,
	} {
		if got := ValidRoleName(name); got != want {
			t.Errorf("ValidRoleName(%q) = %v; want %v", name, got, want)
		}
	}
}

func TestServiceKeySince(t *testing.T) {
	if v, ok := ServiceKeySince("timeout"); !ok || v != V6_0 {
		t.Errorf("timeout since %v %v; want 6.0", v, ok)
	}
	if _, ok := ServiceKeySince("apiToken"); ok {
		t.Error("apiToken is the chart's alias, not a JupyterHub service key")
	}
}
