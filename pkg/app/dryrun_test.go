package app

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestDryRunTransport(t *testing.T) {
	got := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got++ }))
	defer srv.Close()
	var out strings.Builder
	client := &http.Client{Transport: &DryRunTransport{Out: &out, Mask: func(s string) string { return strings.ReplaceAll(s, "initial-token-value", "********") }}}
	if _, err := client.Get(srv.URL + "/read"); err != nil || got != 1 {
		t.Fatalf("a read did not go through: %v, %d requests", err, got)
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/register", strings.NewReader(`{"client_name": "hub", "client_secret": "generated-secret-0123"}`))
	req.Header.Set("Authorization", "Bearer initial-token-value")
	_, err := client.Do(req)
	if !errors.Is(err, ErrDryRun) || got != 1 {
		t.Fatalf("a write was sent or not refused: %v, %d requests", err, got)
	}
	form, _ := http.NewRequest(http.MethodPut, srv.URL+"/x", strings.NewReader("name=a&client_secret=form-secret-0123&scopes=read"))
	client.Do(form)
	printed := out.String()
	for _, secret := range []string{"initial-token-value", "generated-secret-0123", "form-secret-0123"} {
		if strings.Contains(printed, secret) {
			t.Errorf("the dry run printed %q:\n%s", secret, printed)
		}
	}
	for _, want := range []string{"POST " + srv.URL + "/register", "Authorization: Bearer ********", `"client_secret": "********"`, "client_secret=********&scopes=read"} {
		if !strings.Contains(printed, want) {
			t.Errorf("the dry run lacks %q:\n%s", want, printed)
		}
	}
}
