//go:build e2e

// This file is a tiny OAuth 2.0 client for the end-to-end tests: an
// httptest server on 127.0.0.1 whose /callback exchanges the code and calls
// userinfo, the way OAuthenticator does.

package testbed_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

const testState = "testbed-state-0123456789"

// oauthClient is a confidential client whose redirect URI is its own
// /callback. Set the endpoint and credential fields before the flow starts.
type oauthClient struct {
	RedirectURI  string // <server>/callback
	LoginURL     string // <server>/login: redirects to the authorize URL
	AuthorizeURL string
	TokenURL     string
	UserinfoURL  string
	ClientID     string
	ClientSecret string
	Scope        string
	BasicAuth    bool         // client_secret_basic instead of client_secret_post
	HTTP         *http.Client // for the token and userinfo calls
}

// callbackResult is what /callback answers with, as JSON.
type callbackResult struct {
	Error          string         `json:"error,omitempty"`
	TokenStatus    int            `json:"token_status"`
	Token          map[string]any `json:"token"`
	UserinfoStatus int            `json:"userinfo_status"`
	Userinfo       map[string]any `json:"userinfo"`
}

func newOAuthClient(t *testing.T) *oauthClient {
	t.Helper()
	c := &oauthClient{HTTP: http.DefaultClient}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		q := url.Values{
			"response_type": {"code"},
			"client_id":     {c.ClientID},
			"redirect_uri":  {c.RedirectURI},
			"scope":         {c.Scope},
			"state":         {testState},
		}
		http.Redirect(w, r, c.AuthorizeURL+"?"+q.Encode(), http.StatusFound)
	})
	mux.HandleFunc("GET /callback", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(c.callback(r))
	})
	srv := httptest.NewServer(mux) // listens on 127.0.0.1
	t.Cleanup(srv.Close)
	c.RedirectURI = srv.URL + "/callback"
	c.LoginURL = srv.URL + "/login"
	return c
}

func (c *oauthClient) callback(r *http.Request) callbackResult {
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		return callbackResult{Error: e + ": " + q.Get("error_description")}
	}
	if q.Get("state") != testState {
		return callbackResult{Error: "state mismatch: " + q.Get("state")}
	}
	var res callbackResult
	status, token, err := c.exchange(q.Get("code"), c.ClientSecret)
	res.TokenStatus, res.Token = status, token
	if err != nil || status != http.StatusOK {
		res.Error = fmt.Sprintf("token: HTTP %d %v %v", status, token, err)
		return res
	}
	access, _ := token["access_token"].(string)
	req, _ := http.NewRequest(http.MethodGet, c.UserinfoURL, nil)
	req.Header.Set("Authorization", "Bearer "+access)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		res.Error = "userinfo: " + err.Error()
		return res
	}
	defer resp.Body.Close()
	res.UserinfoStatus = resp.StatusCode
	body, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(body, &res.Userinfo); err != nil {
		res.Error = fmt.Sprintf("userinfo: HTTP %d %q: %v", resp.StatusCode, body, err)
	}
	return res
}

// exchange posts the authorization code to the token endpoint.
func (c *oauthClient) exchange(code, secret string) (int, map[string]any, error) {
	form := url.Values{
		"grant_type":   {"authorization_code"},
		"code":         {code},
		"redirect_uri": {c.RedirectURI},
	}
	if !c.BasicAuth {
		form.Set("client_id", c.ClientID)
		form.Set("client_secret", secret)
	}
	req, _ := http.NewRequest(http.MethodPost, c.TokenURL, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if c.BasicAuth {
		req.SetBasicAuth(url.QueryEscape(c.ClientID), url.QueryEscape(secret))
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var body map[string]any
	err = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body, err
}

// decodeResult reads a callbackResult from a flow's final body.
func decodeResult(t *testing.T, body []byte) callbackResult {
	t.Helper()
	var res callbackResult
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatalf("callback answered %q: %v", body, err)
	}
	return res
}

// getJSON fetches a JSON document and returns its status and fields.
func getJSON(t *testing.T, client *http.Client, u string, header http.Header) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if len(body) > 0 {
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("GET %s: HTTP %d, not JSON: %q", u, resp.StatusCode, body)
		}
	}
	return resp.StatusCode, m
}

// postJSON sends a JSON body and returns the status and the decoded reply.
func postJSON(t *testing.T, client *http.Client, u string, header http.Header, in any) (int, map[string]any) {
	t.Helper()
	data, _ := json.Marshal(in)
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(string(data)))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(body, &m)
	return resp.StatusCode, m
}
