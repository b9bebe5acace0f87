package chart

import (
	"reflect"
	"testing"
)

func TestMergeIsHelms(t *testing.T) {
	base := map[string]any{
		"hub":  map[string]any{"config": map[string]any{"JupyterHub": map[string]any{"admin_access": true, "authenticator_class": "dummy"}}, "services": map[string]any{}},
		"list": []any{1, 2}, "gone": "x",
	}
	over := map[string]any{
		"hub":  map[string]any{"config": map[string]any{"JupyterHub": map[string]any{"authenticator_class": "generic-oauth"}}},
		"list": []any{3}, "gone": nil,
	}
	want := map[string]any{
		"hub":  map[string]any{"config": map[string]any{"JupyterHub": map[string]any{"admin_access": true, "authenticator_class": "generic-oauth"}}, "services": map[string]any{}},
		"list": []any{3},
	}
	if got := Merge(base, over); !reflect.DeepEqual(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	if base["gone"] != "x" {
		t.Error("Merge changed its input")
	}
}

func TestMergeFiles(t *testing.T) {
	got, err := MergeFiles([]byte("a: {b: 1, c: 2}\nl: [1]\n"), []byte("a: {c: 3}\n"), []byte("l: [2]\n"))
	want := map[string]any{"a": map[string]any{"b": 1, "c": 3}, "l": []any{2}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, %v; want %v", got, err, want)
	}
	if _, err := MergeFiles([]byte("a: [")); err == nil {
		t.Error("a broken values file was accepted")
	}
}
