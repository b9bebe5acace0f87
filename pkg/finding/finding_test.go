package finding

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestStringAndSort(t *testing.T) {
	l := List{
		{ID: "b", Severity: Warning, Pos: Position{"f.yaml", 9, 2}, Path: "x", Message: "later"},
		{ID: "a", Severity: Error, Pos: Position{"f.yaml", 3, 7}, Path: "hub.url", Message: "first", Hint: "fix it"},
		{ID: "c", Severity: Error, Pos: Position{File: "f.yaml"}, Message: "whole file"},
	}
	l.Sort()
	if l[0].ID != "c" || l[1].ID != "a" || l[2].ID != "b" {
		t.Errorf("order %v", l)
	}
	if got := l[1].String(); got != "f.yaml:3:7: hub.url: first [error a]" {
		t.Errorf("String() = %q", got)
	}
	if got := l.Summary(); got != "2 errors, 1 warning" {
		t.Errorf("Summary() = %q", got)
	}
	var text bytes.Buffer
	WriteText(&text, l, false)
	if !strings.Contains(text.String(), "f.yaml:3:7: hub.url: first [error a]\n    hint: fix it\n") {
		t.Errorf("text:\n%s", text.String())
	}
	var js bytes.Buffer
	WriteJSON(&js, l)
	var doc struct {
		Findings []struct{ Severity string }
		Errors   int
	}
	json.Unmarshal(js.Bytes(), &doc)
	if doc.Errors != 2 || doc.Findings[2].Severity != "warning" {
		t.Errorf("json: %s", js.String())
	}
}
