package app

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"

	"github.com/hubctl/hubctl/pkg/lazyre"
)

// RoundTrip implements http.RoundTripper.
func (d *DryRunTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodGet || req.Method == http.MethodHead {
		next := d.Next
		if next == nil {
			next = http.DefaultTransport
		}
		return next.RoundTrip(req)
	}
	mask := d.Mask
	if mask == nil {
		mask = func(s string) string { return s }
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", req.Method, req.URL)
	names := make([]string, 0, len(req.Header))
	for k := range req.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v := strings.Join(req.Header[k], ", ")
		if strings.EqualFold(k, "Authorization") || strings.EqualFold(k, "Cookie") {
			v = maskCredential(v)
		}
		fmt.Fprintf(&b, "%s: %s\n", k, mask(v))
	}
	if req.Body != nil {
		body, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		if len(body) > 0 {
			fmt.Fprintf(&b, "\n%s\n", mask(string(bytes.TrimSpace(body))))
		}
	}
	if _, err := io.WriteString(d.Out, maskSecretFields(b.String())); err != nil {
		return nil, err
	}
	return nil, ErrDryRun
}

// maskCredential keeps an Authorization header's scheme and hides the
// credential.
func maskCredential(v string) string {
	if scheme, _, ok := strings.Cut(v, " "); ok {
		return scheme + " ********"
	}
	return "********"
}

// secretField matches the values of the fields that carry secrets, in JSON
// bodies and in forms, whoever made the value (a secret hubctl generated
// for a rotate is in the body too).
var secretField = lazyre.New(`("(?:client_secret|api_token|registration_access_token|password)"\s*:\s*")[^"]*(")|((?:^|[&?])(?:client_secret|api_token|authenticity_token|password)=)[^&\s]*`)

func maskSecretFields(s string) string {
	return secretField().ReplaceAllString(s, "${1}${3}********${2}")
}
