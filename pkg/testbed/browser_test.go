// Unit tests of the form reader and the flow loop, on pages shaped like the
// providers' own.

package testbed

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// doorkeeperConsent is the form part of Doorkeeper 5.5's consent page as
// the stand-in serves it (tokens shortened, one escaped on purpose).
const doorkeeperConsent = `<div class="actions">
    <form action="/oauth/authorize" accept-charset="UTF-8" method="post"><input type="hidden" name="authenticity_token" value="tok&amp;en==" autocomplete="off" />
      <input type="hidden" name="client_id" id="client_id" value="abc" autocomplete="off" />
      <input type="hidden" name="redirect_uri" id="redirect_uri" value="http://127.0.0.1:8000/hub/oauth_callback" autocomplete="off" />
      <input type="hidden" name="state" id="state" value="s1" autocomplete="off" />
      <input type="hidden" name="response_type" id="response_type" value="code" autocomplete="off" />
      <input type="hidden" name="scope" id="scope" value="read" autocomplete="off" />
      <input type="hidden" name="code_challenge" id="code_challenge" autocomplete="off" />
      <input type="submit" name="commit" value="Authorize" class="btn btn-success btn-lg btn-block" data-disable-with="Authorize" />
</form>    <form action="/oauth/authorize" accept-charset="UTF-8" method="post"><input type="hidden" name="_method" value="delete" autocomplete="off" /><input type="hidden" name="authenticity_token" value="tok2" autocomplete="off" />
      <input type="hidden" name="client_id" id="client_id" value="abc" autocomplete="off" />
      <input type="submit" name="commit" value="Deny" class="btn btn-danger btn-lg btn-block" data-disable-with="Deny" />
</form>  </div>`

// oidcLogin is oidc-provider 9's development login form.
const oidcLogin = `<form autocomplete="off" action="/interaction/UID1" method="post">
  <input type="hidden" name="prompt" value="login"/>
  <input required type="text" name="login" placeholder="Enter any login" autofocus="on">
  <input required type="password" name="password" placeholder="and password" >
  <button type="submit" class="login login-submit">Sign-in</button>
</form>`

func TestParseForms(t *testing.T) {
	forms, err := ParseForms("http://127.0.0.1:3000/oauth/authorize?client_id=abc", []byte(doorkeeperConsent))
	if err != nil {
		t.Fatal(err)
	}
	if len(forms) != 2 {
		t.Fatalf("got %d forms, want 2", len(forms))
	}
	f := forms[0]
	if f.Action != "http://127.0.0.1:3000/oauth/authorize" || f.Method != http.MethodPost {
		t.Errorf("form 0: %s %s", f.Method, f.Action)
	}
	if got := f.Fields.Get("authenticity_token"); got != "tok&en==" {
		t.Errorf("authenticity_token = %q, want the unescaped value", got)
	}
	if f.Fields.Has("_method") || !forms[1].Fields.Has("_method") {
		t.Errorf("_method: form 0 %v, form 1 %v", f.Fields, forms[1].Fields)
	}
	if f.Fields.Has("commit") || f.Buttons.Get("commit") != "Authorize" || !f.Fields.Has("code_challenge") ||
		f.Fields.Get("redirect_uri") != "http://127.0.0.1:8000/hub/oauth_callback" || f.Fields.Get("state") != "s1" {
		t.Errorf("fields = %v, buttons = %v", f.Fields, f.Buttons)
	}

	forms, err = ParseForms("http://127.0.0.1:3001/interaction/UID1", []byte(oidcLogin))
	if err != nil {
		t.Fatal(err)
	}
	f, ok := findForm(forms, "prompt", "login")
	if !ok {
		t.Fatalf("no login form in %+v", forms)
	}
	req, err := f.Request(context.Background(), url.Values{"login": {"alice"}, "password": {"pw"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := req.ParseForm(); err != nil {
		t.Fatal(err)
	}
	if req.URL.String() != "http://127.0.0.1:3001/interaction/UID1" || req.PostForm.Get("login") != "alice" ||
		req.PostForm.Get("prompt") != "login" || req.PostForm.Get("password") != "pw" {
		t.Errorf("request %s %v", req.URL, req.PostForm)
	}
	if _, ok := findForm(forms, "prompt", "consent"); ok {
		t.Errorf("found a consent form on the login page")
	}
}

// TestFlowStopsBackOnReturnHost runs the loop against a fake provider and a
// fake client: it must follow redirects, let the driver answer a form and
// return the client's callback response.
func TestFlowStopsBackOnReturnHost(t *testing.T) {
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/authorize":
			http.Redirect(w, r, "/login?back="+url.QueryEscape(r.URL.Query().Get("redirect_uri")), http.StatusFound)
		case r.URL.Path == "/login" && r.Method == http.MethodGet:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(`<form method="post" action="/login"><input type="hidden" name="back" value="` +
				r.URL.Query().Get("back") + `"><input name="user"></form>`))
		case r.URL.Path == "/login":
			r.ParseForm()
			http.Redirect(w, r, r.PostForm.Get("back")+"?code=for-"+r.PostForm.Get("user"), http.StatusSeeOther)
		}
	}))
	defer provider.Close()
	client := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/start":
			http.Redirect(w, r, provider.URL+"/authorize?redirect_uri="+url.QueryEscape("http://"+r.Host+"/callback"), http.StatusFound)
		case "/callback":
			w.Write([]byte("code " + r.URL.Query().Get("code")))
		}
	}))
	defer client.Close()

	var seen []string
	f := Flow{Client: NewBrowser(), StartURL: client.URL + "/start", Username: "alice",
		OnHop: func(h Hop) {
			seen = append(seen, h.Method+" "+strings.TrimPrefix(strings.TrimPrefix(h.URL, provider.URL), client.URL))
		}}
	res, err := f.run(context.Background(), func(ctx context.Context, resp *http.Response, body []byte) (*http.Request, error) {
		if !isHTML(resp) {
			return nil, nil
		}
		forms, err := ParseForms(resp.Request.URL.String(), body)
		if err != nil || len(forms) != 1 {
			t.Fatalf("forms %v %v", forms, err)
		}
		return forms[0].Request(ctx, url.Values{"user": {f.Username}})
	})
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Body) != "code for-alice" {
		t.Errorf("body = %q", res.Body)
	}
	want := "GET /start|GET /authorize|GET /login|POST /login|GET /callback"
	var got []string
	for _, s := range seen {
		p, _, _ := strings.Cut(s, "?")
		got = append(got, p)
	}
	if strings.Join(got, "|") != want || len(res.Hops) != 5 {
		t.Errorf("hops = %v, want %s", seen, want)
	}
}
