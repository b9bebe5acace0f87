package secret

import (
	"strings"
	"testing"
)

func TestParseFlag(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Ref
		wantErr bool
	}{
		{in: "env:HUB_TOKEN", want: Ref{Kind: Env, Env: "HUB_TOKEN"}},
		{in: "file:secrets/admin-token", want: Ref{Kind: File, File: "secrets/admin-token"}},
		{in: "file:/run/secrets/token", want: Ref{Kind: File, File: "/run/secrets/token"}},
		{in: "env:", wantErr: true},
		{in: "3f9a0c1d2e8b47a6", wantErr: true},
		{in: "k8s:hub/token", wantErr: true},
	} {
		got, err := ParseFlag(tc.in)
		if tc.wantErr {
			if err == nil {
				t.Errorf("ParseFlag(%q) = %+v, want an error", tc.in, got)
			} else if strings.Contains(err.Error(), tc.in) && len(tc.in) > 8 {
				t.Errorf("ParseFlag(%q): the error echoes the value: %v", tc.in, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseFlag(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}
