package doctor

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// daysValue is a duration flag that also takes days ("14d"), the unit
// certificate lifetimes are thought in.
type daysValue struct{ d *time.Duration }

func (v daysValue) String() string {
	if v.d == nil {
		return ""
	}
	return days(*v.d)
}

func (v daysValue) Set(s string) error {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		i, err := strconv.Atoi(n)
		if err != nil || i < 0 {
			return fmt.Errorf("want a number of days such as 14d, or a duration such as 336h")
		}
		*v.d = time.Duration(i) * 24 * time.Hour
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return fmt.Errorf("want a number of days such as 14d, or a duration such as 336h")
	}
	*v.d = d
	return nil
}

func (daysValue) Type() string { return "duration" }

// days writes a whole number of days as "14d", anything else as Go does.
func days(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}
