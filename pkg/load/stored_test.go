package load

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubctl/hubctl/pkg/secret"
	"github.com/hubctl/hubctl/pkg/state"
)

const storedSpec = "version: 1\nhub:\n  url: https://hub.example.org\nlogin:\n  provider: nbgallery\n  url: https://gallery.example.org\n  clientId: abc\n  clientSecret: {env: HUB_CLIENT_SECRET}\n  allow: {all: true}\n"

// The secrets hubctl app stored beside the spec resolve its env references
// when the variables are not exported; a corrupt state is an error naming
// its file; a spec on standard input has no state.
func TestSpecResolvesStoredSecrets(t *testing.T) {
	ref := secret.Ref{Kind: secret.Env, Env: "HUB_CLIENT_SECRET"}
	noEnv := func(string) (string, bool) { return "", false }
	for _, tc := range []struct {
		name    string
		state   string // "" for none, "valid" for a saved one, else the file's content
		want    string
		wantErr string
	}{
		{name: "no state", wantErr: "HUB_CLIENT_SECRET is not set"},
		{name: "stored", state: "valid", want: "stored-secret"},
		{name: "corrupt", state: "{not json", wantErr: filepath.Join(".hubctl", "state.json")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "hubctl.yaml")
			if err := os.WriteFile(path, []byte(storedSpec), 0o644); err != nil {
				t.Fatal(err)
			}
			store := state.Open(path)
			switch tc.state {
			case "":
			case "valid":
				st := &state.State{}
				st.SetSecret(state.RefKey(ref), "stored-secret")
				if err := store.Save(st); err != nil {
					t.Fatal(err)
				}
			default:
				os.MkdirAll(store.Dir(), 0o700)
				if err := os.WriteFile(filepath.Join(store.Dir(), "state.json"), []byte(tc.state), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			r, err := Spec(path, Options{LookupEnv: noEnv})
			if err != nil {
				if tc.wantErr == "" || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Spec: %v; want %q", err, tc.wantErr)
				}
				return
			}
			got, err := r.Resolver.Resolve(ref)
			if got != tc.want || (err == nil) != (tc.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("Resolve = %q, %v; want %q, %q", got, err, tc.want, tc.wantErr)
			}
		})
	}

	r, err := Spec("-", Options{Stdin: strings.NewReader(storedSpec), LookupEnv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	if r.Resolver.Stored != nil {
		t.Error("a spec on standard input has a state")
	}
}
