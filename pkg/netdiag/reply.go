package netdiag

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Answered says what a server answered: "answered 404 Not Found", and
// "(redirected to URL)" when the reply came from elsewhere than asked.
func Answered(asked string, resp *http.Response) string {
	s := "answered " + resp.Status
	if resp.Status == "" {
		s = "answered " + strconv.Itoa(resp.StatusCode)
	}
	if resp.Request != nil && resp.Request.URL != nil && resp.Request.URL.String() != asked {
		s += " (redirected to " + resp.Request.URL.String() + ")"
	}
	return s
}

// DescribeBody says in a few words what a reply's body is: "an empty
// body", "JSON", "an HTML page titled "Sign in"", "plain text "..."", so a
// user sees at once that the URL reached a web page rather than an API.
func DescribeBody(contentType string, body []byte) string {
	trimmed := bytes.TrimSpace(body)
	mediaType, _, _ := mime.ParseMediaType(contentType)
	switch {
	case len(trimmed) == 0:
		return "an empty body"
	case json.Valid(trimmed):
		return "JSON"
	case mediaType == "text/html" || isHTML(trimmed):
		if title := htmlTitle(trimmed); title != "" {
			return "an HTML page titled " + strconv.Quote(title)
		}
		return "an HTML page"
	case utf8.Valid(trimmed) && !bytes.ContainsRune(trimmed, 0):
		return "plain text " + strconv.Quote(excerpt(string(trimmed)))
	default:
		return "binary data (" + http.DetectContentType(trimmed) + ")"
	}
}

func isHTML(b []byte) bool {
	head := strings.ToLower(string(b[:min(len(b), 512)]))
	return strings.HasPrefix(head, "<!doctype html") || strings.HasPrefix(head, "<html") || strings.Contains(head, "<head") || strings.Contains(head, "<body")
}

func htmlTitle(b []byte) string {
	lower := strings.ToLower(string(b))
	start := strings.Index(lower, "<title")
	if start < 0 {
		return ""
	}
	open := strings.Index(lower[start:], ">")
	if open < 0 {
		return ""
	}
	start += open + 1
	end := strings.Index(lower[start:], "</title")
	if end < 0 {
		return ""
	}
	return excerpt(strings.Join(strings.Fields(string(b[start:start+end])), " "))
}

// excerpt is the first line of s, cut to a length that fits a message.
func excerpt(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	const longest = 80
	if utf8.RuneCountInString(s) > longest {
		s = string([]rune(s)[:longest]) + "..."
	}
	return s
}
