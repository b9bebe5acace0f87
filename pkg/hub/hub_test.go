package hub

import (
	"reflect"
	"testing"

	"github.com/hubctl/hubctl/pkg/provider"
	"github.com/hubctl/hubctl/pkg/spec"
)

// Group traits: admin_groups needs manage_groups just as allowed_groups
// does (OAuthenticator 17 refuses either without it), and each is set once.
func TestGroupTraits(t *testing.T) {
	tests := []struct {
		name  string
		login spec.Login
		want  []Trait
	}{
		{"admins by group alone", spec.Login{Allow: &spec.Allow{All: true}, Admins: &spec.Admins{Groups: []string{"hub-admins"}}},
			[]Trait{{"allow_all", true}, {"manage_groups", true}, {"auth_state_groups_key", "oauth_user.groups"}, {"admin_groups", []string{"hub-admins"}}}},
		{"allowed and admin groups", spec.Login{
			Allow:  &spec.Allow{Groups: []string{"staff"}, GroupsClaim: "roles"},
			Admins: &spec.Admins{Users: []string{"alice"}, Groups: []string{"hub-admins"}}},
			[]Trait{{"manage_groups", true}, {"auth_state_groups_key", "oauth_user.roles"}, {"allowed_groups", []string{"staff"}},
				{"admin_users", []string{"alice"}}, {"admin_groups", []string{"hub-admins"}}}},
		{"admins by name", spec.Login{Allow: &spec.Allow{Users: []string{"bob"}}, Admins: &spec.Admins{Users: []string{"alice"}}},
			[]Trait{{"allowed_users", []string{"bob"}}, {"admin_users", []string{"alice"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := tt.login
			l.Provider, l.ClientID = spec.ProviderOIDC, "hub"
			a := buildAuthenticator(&spec.Spec{Hub: spec.Hub{URL: "https://hub.example.org"}, Login: &l}, provider.Endpoints{})
			var got []Trait
			for _, tr := range a.Traits {
				switch tr.Name {
				case "allow_all", "allowed_users", "manage_groups", "auth_state_groups_key", "allowed_groups", "admin_users", "admin_groups":
					got = append(got, tr)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("traits\n got %v\nwant %v", got, tt.want)
			}
		})
	}
}
