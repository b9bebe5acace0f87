// Package valuesdoc describes and applies edits to Helm values files; the
// Edit type is shared by lint's fixes, migrate and the merge of rendered
// blocks.
package valuesdoc

// Path is a key path from the values root (below any wrapping prefix such
// as jupyterhub:), one mapping key per element.
type Path []string

// EditKind says what an Edit does.
type EditKind int

const (
	// SetValue makes Value (YAML text: a scalar, or a block) the value at
	// Path, creating the key and its parents when absent.
	SetValue EditKind = iota
	// DeleteKey removes the key at Path with its value and the comment
	// lines directly above it.
	DeleteKey
	// RenameKey gives the key at Path the name NewKey; value and comments
	// stay.
	RenameKey
	// MoveKey moves the key at Path, value and comments, to To (whose
	// parents are created when absent); an empty mapping left behind is
	// removed.
	MoveKey
	// AddComment puts "# Comment" on its own line above the key at Path,
	// at the key's indentation.
	AddComment
)

// Edit is one change to a values file, as lint's fixes, migrate and the
// merge of rendered blocks describe it.
type Edit struct {
	Kind    EditKind
	Path    Path
	To      Path
	NewKey  string
	Value   string
	Comment string
}
