// Package schema publishes hubctl.yaml's JSON Schema, for editors that
// complete and check YAML (such as yaml-language-server).
package schema

import _ "embed"

// JSON is the schema document (JSON Schema draft-07).
//
//go:embed hubctl.schema.json
var JSON []byte
