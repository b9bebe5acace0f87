package doctor

import (
	"fmt"
	"sort"
	"sync"
)

// Check is one kind of check, with the stable ID users select it by.
type Check struct {
	ID    string
	Title string
	// Doc is the line --list-checks prints.
	Doc string
	// Live checks touch the network; --offline runs only the others.
	Live bool
}

var (
	catalogueMu sync.Mutex
	catalogue   = map[string]*Check{}
)

// Register adds c to the catalogue and returns it, for a family's
// package-level variables: var checkTLSExpiry = Register(&Check{...}).
func Register(c *Check) *Check {
	catalogueMu.Lock()
	defer catalogueMu.Unlock()
	if _, dup := catalogue[c.ID]; dup {
		panic(fmt.Sprintf("doctor: check %s registered twice", c.ID))
	}
	catalogue[c.ID] = c
	return c
}

// Checks lists the catalogue by ID.
func Checks() []*Check {
	catalogueMu.Lock()
	defer catalogueMu.Unlock()
	out := make([]*Check, 0, len(catalogue))
	for _, c := range catalogue {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Lookup finds a check by ID.
func Lookup(id string) (*Check, bool) {
	catalogueMu.Lock()
	defer catalogueMu.Unlock()
	c, ok := catalogue[id]
	return c, ok
}

// StaticCheck stands for every finding of hubctl validate: their IDs are
// validate's own, so a static result carries the finding's ID and this
// check's title.
var StaticCheck = Register(&Check{ID: "spec.valid", Title: "Spec is valid",
	Doc: "everything hubctl validate checks, without the network; each finding keeps its own ID"})
