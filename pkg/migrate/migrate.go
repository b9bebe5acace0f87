// Package migrate rewrites a Zero-to-JupyterHub values file where lint's
// findings have one right answer, and marks with a comment what needs a
// person, leaving every other byte of the file as it was.
package migrate

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hubctl/hubctl/pkg/lint"
	"github.com/hubctl/hubctl/pkg/valuesdoc"
)

// Result is a migrated file.
type Result struct {
	Old, New []byte
	// Fixed are the problems migrate fixed, in the order it fixed them.
	Fixed []lint.Problem
	// Left are the problems that need a person, each marked with a
	// comment where the file lets one be placed.
	Left []lint.Problem
	// Refused are fixes that could not be spliced into the file (a flow
	// mapping, an alias), with why.
	Refused []Refusal
}

// Refusal is a fix migrate could not make.
type Refusal struct {
	Problem lint.Problem
	Err     error
}

// Changed reports whether the file changes.
func (r *Result) Changed() bool { return string(r.Old) != string(r.New) }

// maxRounds bounds the fix-and-check loop: each round fixes one problem,
// and a fix may reveal another (legacy auth moved into hub.config still
// holds username_key), but a file never has more problems than this.
const maxRounds = 500

// File migrates one values file. Fixes are made one problem at a time,
// each followed by a fresh lint, until none has a fix; so migrating a
// migrated file changes nothing.
func File(name string, data []byte, prefix valuesdoc.Path, jupyterhub string) (*Result, error) {
	res := &Result{Old: data}
	refused := map[string]bool{}
	cur := data
	for round := 0; ; round++ {
		if round > maxRounds {
			return nil, fmt.Errorf("%s: migrate did not settle after %d fixes; please report this file", name, maxRounds)
		}
		problems, doc, p, err := check(name, cur, prefix, jupyterhub)
		if err != nil {
			return nil, err
		}
		prefix = p
		next := -1
		for i, pr := range problems {
			if len(pr.Fixes) > 0 && !refused[key(pr)] {
				next = i
				break
			}
		}
		if next < 0 {
			return res.finish(name, cur, doc, problems, refused, prefix, jupyterhub)
		}
		pr := problems[next]
		out, err := doc.Apply(prefix, pr.Fixes...)
		var editErr *valuesdoc.EditError
		switch {
		case errors.As(err, &editErr):
			refused[key(pr)] = true
			res.Refused = append(res.Refused, Refusal{pr, err})
			continue
		case err != nil:
			return nil, err
		}
		res.Fixed = append(res.Fixed, pr)
		cur = out
	}
}

func check(name string, data []byte, prefix valuesdoc.Path, jupyterhub string) ([]lint.Problem, *valuesdoc.Doc, valuesdoc.Path, error) {
	rep, err := lint.Check([]lint.File{{Name: name, Data: data}}, lint.Options{Prefix: prefix, JupyterHub: jupyterhub})
	if err != nil {
		return nil, nil, nil, err
	}
	return rep.Problems, rep.Values.Docs[0], rep.Values.Prefix, nil
}

func key(p lint.Problem) string { return p.ID + "\x00" + p.Path }

// Tidy removes the "# hubctl:" comments an earlier migrate placed whose
// problem is gone (the user, or a merge, settled it).
func Tidy(name string, data []byte, prefix valuesdoc.Path, jupyterhub string) ([]byte, error) {
	problems, doc, _, err := check(name, data, prefix, jupyterhub)
	if err != nil {
		return nil, err
	}
	return tidy(doc, problems)
}

func tidy(doc *valuesdoc.Doc, problems []lint.Problem) ([]byte, error) {
	current := map[string]bool{}
	for _, p := range problems {
		if p.Comment != "" {
			current["# "+oneLine(p.Comment)] = true
		}
	}
	return doc.DropComments(func(text string) bool {
		return strings.HasPrefix(text, "# hubctl:") && !current[text]
	})
}

// finish places the comments of the problems left for a person, and
// removes those of problems that are gone.
func (r *Result) finish(name string, cur []byte, doc *valuesdoc.Doc, problems []lint.Problem, refused map[string]bool, prefix valuesdoc.Path, jupyterhub string) (*Result, error) {
	tidied, err := tidy(doc, problems)
	if err != nil {
		return nil, err
	}
	if string(tidied) != string(cur) {
		cur = tidied
		if doc, err = valuesdoc.Parse(name, cur); err != nil {
			return nil, err
		}
	}
	var comments []valuesdoc.Edit
	for _, pr := range problems {
		if len(pr.Fixes) > 0 && !refused[key(pr)] {
			continue
		}
		r.Left = append(r.Left, pr)
		if pr.Comment != "" && len(pr.At) > 0 {
			comments = append(comments, valuesdoc.Edit{Kind: valuesdoc.AddComment, Path: pr.At, Comment: oneLine(pr.Comment)})
		}
	}
	out := cur
	for _, c := range comments {
		// One at a time: a comment that cannot be placed (a key in a flow
		// mapping) does not stop the others.
		next, err := doc.Apply(prefix, c)
		if err != nil {
			continue
		}
		out = next
		if doc, err = valuesdoc.Parse(name, out); err != nil {
			return nil, err
		}
	}
	r.New = out
	if len(comments) > 0 {
		// The comments moved lines: report what is left where it is now.
		problems, _, _, err := check(name, out, prefix, jupyterhub)
		if err != nil {
			return nil, err
		}
		r.Left = r.Left[:0]
		for _, pr := range problems {
			if len(pr.Fixes) == 0 || refused[key(pr)] {
				r.Left = append(r.Left, pr)
			}
		}
	}
	return r, nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
