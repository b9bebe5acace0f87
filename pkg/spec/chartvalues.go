package spec

import (
	"fmt"
	"slices"

	"gopkg.in/yaml.v3"

	"github.com/hubctl/hubctl/pkg/finding"
)

// chartOnlyKeys are top-level keys of the Zero-to-JupyterHub chart's
// values (or of the charts that wrap it) that a spec never has.
var chartOnlyKeys = []string{
	"proxy", "singleuser", "auth", "scheduling", "prePuller", "ingress", "cull", "debug", "rbac",
	"custom", "global", "imagePullSecret", "imagePullSecrets", "fullnameOverride", "nameOverride",
	"enabled", "jupyterhub", "daskhub", "basehub", "binderhub", "dask-gateway",
}

// chartHubKeys are keys under hub: that the chart has and a spec does not.
var chartHubKeys = []string{
	"config", "extraConfig", "extraEnv", "extraFiles", "services", "loadRoles", "image", "db",
	"cookieSecret", "baseUrl", "networkPolicy", "resources", "nodeSelector", "extraVolumes",
	"extraVolumeMounts", "templatePaths", "templateVars", "allowNamedServers",
}

// chartValuesFinding says, in one finding instead of a page of unknown
// keys, that root is chart values rather than a spec; nil when it is not.
// A file is taken for chart values when it has a key that only chart
// values have and none that only a spec has.
func chartValuesFinding(name string, root *yaml.Node) *finding.Finding {
	if root == nil || root.Kind != yaml.MappingNode {
		return nil
	}
	var evidence *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "version", "login", "roles":
			return nil
		case "services":
			return nil
		case "hub":
			if v.Kind != yaml.MappingNode {
				continue
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				switch hk := v.Content[j]; {
				case hk.Value == "url" || hk.Value == "apiUrl" || hk.Value == "jupyterhub":
					return nil
				case slices.Contains(chartHubKeys, hk.Value) && evidence == nil:
					evidence = hk
				}
			}
		default:
			if slices.Contains(chartOnlyKeys, k.Value) && evidence == nil {
				evidence = k
			}
		}
	}
	if evidence == nil {
		return nil
	}
	return &finding.Finding{ID: "chart-values", Severity: finding.Error,
		Pos:     finding.Position{File: name, Line: evidence.Line, Column: evidence.Column},
		Message: fmt.Sprintf("this is Zero-to-JupyterHub chart values (it has %s), not a hubctl spec", evidence.Value),
		Hint:    fmt.Sprintf("check it with `hubctl lint %s`, or make a spec from it with `hubctl import %s`", name, name)}
}
