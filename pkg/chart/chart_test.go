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
