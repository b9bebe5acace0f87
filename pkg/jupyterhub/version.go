// Package jupyterhub knows what each JupyterHub version accepts: its scopes
// and their filters, role names, and the keys of a service definition. The
// tables come from JupyterHub's own source (scopes.py, roles.py,
// services/service.py) for the 3.x to 6.x lines.
package jupyterhub

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is a JupyterHub release line; patch levels never change what
// configuration is accepted, so they are parsed and dropped.
type Version struct{ Major, Minor int }

var (
	V3_0 = Version{3, 0}
	V4_0 = Version{4, 0}
	V5_0 = Version{5, 0}
	V6_0 = Version{6, 0}

	// Default is the version the Zero-to-JupyterHub chart ships.
	Default = Version{5, 5}
	// Oldest and Newest bound the versions hubctl has tables for.
	Oldest = V4_0
	Newest = Version{6, 1}
)

// ParseVersion reads "5", "5.5" or "5.5.0".
func ParseVersion(s string) (Version, error) {
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) > 3 || parts[0] == "" {
		return Version{}, fmt.Errorf("%q is not a version such as 5.5", s)
	}
	var nums [2]int
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return Version{}, fmt.Errorf("%q is not a version such as 5.5", s)
		}
		if i < 2 {
			nums[i] = n
		}
	}
	return Version{nums[0], nums[1]}, nil
}

func (v Version) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// AtLeast reports whether v is o or newer.
func (v Version) AtLeast(o Version) bool {
	return v.Major > o.Major || (v.Major == o.Major && v.Minor >= o.Minor)
}
