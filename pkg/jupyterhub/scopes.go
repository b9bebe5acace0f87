package jupyterhub

import (
	"fmt"
	"sort"
	"strings"

	"github.com/agnivade/levenshtein"
)

type scopeDef struct {
	since   Version
	implies []string
	// impliesSince lists subscopes that joined later than the scope itself,
	// such as start:servers under servers in 6.0.
	impliesSince map[string]Version
}

// scopeTable is JupyterHub's scope_definitions (jupyterhub/scopes.py). Scopes
// present on the 3.x branch are marked V3_0, the oldest line hubctl reads.
var scopeTable = map[string]scopeDef{
	"self":                {since: V3_0},
	"inherit":             {since: V3_0},
	"admin-ui":            {since: V3_0},
	"admin:users":         {since: V3_0, implies: []string{"admin:auth_state", "users", "read:roles:users", "delete:users"}},
	"admin:auth_state":    {since: V3_0},
	"users":               {since: V3_0, implies: []string{"read:users", "list:users", "users:activity"}},
	"delete:users":        {since: V3_0},
	"list:users":          {since: V3_0, implies: []string{"read:users:name"}},
	"read:users":          {since: V3_0, implies: []string{"read:users:name", "read:users:groups", "read:users:activity"}},
	"read:users:name":     {since: V3_0},
	"read:users:groups":   {since: V3_0},
	"read:users:activity": {since: V3_0},
	"read:roles":          {since: V3_0, implies: []string{"read:roles:users", "read:roles:services", "read:roles:groups"}},
	"read:roles:users":    {since: V3_0},
	"read:roles:services": {since: V3_0},
	"read:roles:groups":   {since: V3_0},
	"users:activity":      {since: V3_0, implies: []string{"read:users:activity"}},
	"admin:servers":       {since: V3_0, implies: []string{"admin:server_state", "servers"}},
	"admin:server_state":  {since: V3_0},
	"servers": {since: V3_0, implies: []string{"read:servers", "start:servers", "delete:servers"},
		impliesSince: map[string]Version{"start:servers": V6_0}},
	"read:servers":       {since: V3_0, implies: []string{"read:users:name"}},
	"start:servers":      {since: V6_0},
	"delete:servers":     {since: V3_0},
	"tokens":             {since: V3_0, implies: []string{"read:tokens"}},
	"read:tokens":        {since: V3_0},
	"admin:groups":       {since: V3_0, implies: []string{"groups", "read:roles:groups", "delete:groups"}},
	"groups":             {since: V3_0, implies: []string{"read:groups", "list:groups"}},
	"list:groups":        {since: V3_0, implies: []string{"read:groups:name"}},
	"read:groups":        {since: V3_0, implies: []string{"read:groups:name"}},
	"read:groups:name":   {since: V3_0},
	"delete:groups":      {since: V3_0},
	"admin:services":     {since: V5_0, implies: []string{"list:services", "read:services", "read:roles:services"}},
	"list:services":      {since: V3_0, implies: []string{"read:services:name"}},
	"read:services":      {since: V3_0, implies: []string{"read:services:name"}},
	"read:services:name": {since: V3_0},
	"read:hub":           {since: V3_0},
	"access:servers":     {since: V3_0},
	"access:services":    {since: V3_0},
	"users:shares":       {since: V5_0, implies: []string{"read:users:shares"}},
	"read:users:shares":  {since: V5_0},
	"groups:shares":      {since: V5_0, implies: []string{"read:groups:shares"}},
	"read:groups:shares": {since: V5_0},
	"read:shares":        {since: V5_0},
	"shares":             {since: V5_0, implies: []string{"access:servers", "read:shares", "users:shares", "groups:shares"}},
	"proxy":              {since: V3_0},
	"shutdown":           {since: V3_0},
	"read:metrics":       {since: V3_0},
}

// ScopeProblem says why a scope string is not accepted.
type ScopeProblem struct {
	// Kind is one of "unknown", "version", "filter" or "custom".
	Kind    string
	Message string
	// Suggestion is the closest valid scope, kept with the original filter.
	Suggestion string
	// Since is the first version with the scope, for Kind "version".
	Since Version
}

// CheckScope reports what is wrong with scope (with an optional !filter) on
// version v, or nil when JupyterHub v accepts it.
func CheckScope(scope string, v Version) *ScopeProblem {
	base, filter, hasFilter := strings.Cut(scope, "!")
	if hasFilter {
		if msg := checkFilter(filter); msg != "" {
			return &ScopeProblem{Kind: "filter", Message: fmt.Sprintf("scope filter %q in %q does not exist: %s", "!"+filter, scope, msg)}
		}
	}
	if strings.HasPrefix(base, "custom:") {
		return &ScopeProblem{Kind: "custom", Message: fmt.Sprintf("custom scope %q needs c.JupyterHub.custom_scopes, which hubctl does not define", base)}
	}
	switch base {
	case "all":
		return &ScopeProblem{Kind: "unknown", Message: `draft scope "all" is now called "inherit"`, Suggestion: withFilter("inherit", filter, hasFilter)}
	case "identify":
		return &ScopeProblem{Kind: "unknown", Message: `scope "identify" is deprecated and ignored: every token can identify its owner`}
	}
	def, ok := scopeTable[base]
	if !ok {
		p := &ScopeProblem{Kind: "unknown", Message: fmt.Sprintf("scope %q does not exist in JupyterHub %s", base, v)}
		if s := closest(base, KnownScopes(v)); s != "" {
			p.Suggestion = withFilter(s, filter, hasFilter)
		}
		return p
	}
	if !v.AtLeast(def.since) {
		return &ScopeProblem{Kind: "version", Since: def.since,
			Message: fmt.Sprintf("scope %q needs JupyterHub %s or newer; the target is %s", base, def.since, v)}
	}
	return nil
}

func withFilter(base, filter string, hasFilter bool) string {
	if hasFilter {
		return base + "!" + filter
	}
	return base
}

// checkFilter follows JupyterHub's _check_scopes_exist: one of the known
// filter kinds, a value unless the filter is a bare self-reference, and no
// bare !group (a group has no "self").
func checkFilter(filter string) string {
	kind, value, hasValue := strings.Cut(filter, "=")
	switch kind {
	case "user", "service", "server":
	case "group":
		if !hasValue {
			return "!group needs a group name (!group=NAME)"
		}
	default:
		return "filters are !user, !service, !group or !server"
	}
	if hasValue && value == "" {
		return "an empty filter value is not valid"
	}
	return ""
}

// KnownScopes lists, sorted, the scopes version v defines.
func KnownScopes(v Version) []string {
	var out []string
	for name, def := range scopeTable {
		if v.AtLeast(def.since) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// Expand returns the scopes a role with these scopes holds on version v, as
// JupyterHub reports them for a service token: every subscope implied,
// filters carried down, sorted, and metascopes dropped because they resolve
// to nothing for a service.
func Expand(scopes []string, v Version) []string {
	seen := map[string]bool{}
	var visit func(string)
	visit = func(scope string) {
		if seen[scope] {
			return
		}
		base, filter, hasFilter := strings.Cut(scope, "!")
		if base == "self" || base == "inherit" {
			return
		}
		seen[scope] = true
		def := scopeTable[base]
		for _, sub := range def.implies {
			if since, gated := def.impliesSince[sub]; gated && !v.AtLeast(since) {
				continue
			}
			visit(withFilter(sub, filter, hasFilter))
		}
	}
	for _, s := range scopes {
		visit(s)
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// closest returns the candidate nearest to word, or "" when none is close
// enough to be a plausible typo.
func closest(word string, candidates []string) string {
	best, bestDist := "", len(word)/3+2
	for _, c := range candidates {
		if d := levenshtein.ComputeDistance(word, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// Closest is closest for other packages' did-you-mean hints.
func Closest(word string, candidates []string) string { return closest(word, candidates) }
