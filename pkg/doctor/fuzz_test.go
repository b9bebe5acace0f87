package doctor

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzTokenErrors reads arbitrary token endpoint bodies and
// WWW-Authenticate headers as RFC 6749 errors: never a panic, and the code
// is only ever what the answer said.
func FuzzTokenErrors(f *testing.F) {
	for _, seed := range []struct{ body, header string }{
		{`{"error": "invalid_client", "error_description": "Client authentication failed"}`, ""},
		{`{"error": 401}`, `Bearer realm="Doorkeeper", error="invalid_client", error_description="Client authentication failed"`},
		{`<html>`, `Basic realm="x"`},
		{`{"access_token": "a", "token_type": "bearer"}`, ""},
	} {
		f.Add(seed.body, seed.header)
	}
	f.Fuzz(func(t *testing.T, body, header string) {
		e := parseOAuthError([]byte(body))
		// JSON may spell the code with escapes, or hold bytes that are not
		// UTF-8, which decoding replaces.
		if e.Code != "" && utf8.ValidString(body) && !strings.Contains(body, `\`) && !strings.Contains(body, e.Code) {
			t.Fatalf("error code %q is not in the body %q", e.Code, body)
		}
		code, desc := wwwAuthenticateError(header)
		if code != "" && !strings.Contains(header, code) || desc != "" && !strings.Contains(header, desc) {
			t.Fatalf("read %q/%q from %q", code, desc, header)
		}
		_ = e.String()
	})
}
