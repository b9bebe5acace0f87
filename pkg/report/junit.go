package report

import (
	"encoding/xml"
	"fmt"
	"time"

	"github.com/hubctl/hubctl/pkg/finding"
)

// The JUnit shape is the one Jenkins, GitLab and GitHub's test reporters
// read (Jenkins' junit-10.xsd): one suite for the run, one case per check.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Skipped   *junitSkipped `xml:"skipped"`
	Error     *junitProblem `xml:"error"`
	Failure   *junitProblem `xml:"failure"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// seconds is JUnit's time: seconds with millisecond precision, which is
// also all Surefire's time pattern allows.
func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

func writeJUnit(w *errWriter, rs finding.Results, m Meta) error {
	suite := junitSuite{Name: m.suiteName(), Tests: len(rs), Cases: []junitCase{}}
	var total time.Duration
	for _, r := range rs {
		total += r.Duration
		c := junitCase{Classname: r.Target, Name: junitCaseName(r), Time: seconds(r.Duration)}
		switch {
		case r.Status == finding.Fail, r.Status == finding.Warn && m.Strict:
			suite.Failures++
			c.Failure = &junitProblem{Message: messageOf(r), Type: r.ID, Body: withHint(r, "\nhint: ")}
		case r.Status == finding.Errored:
			suite.Errors++
			c.Error = &junitProblem{Message: messageOf(r), Type: r.ID, Body: withHint(r, "\nhint: ")}
		case r.Status == finding.Skip:
			suite.Skipped++
			c.Skipped = &junitSkipped{Message: messageOf(r)}
		case r.Status == finding.Warn:
			c.SystemOut = "warning: " + withHint(r, "\nhint: ")
		}
		suite.Cases = append(suite.Cases, c)
	}
	if m.Elapsed > 0 {
		total = m.Elapsed
	}
	suite.Time = seconds(total)
	doc := junitSuites{Name: suite.Name, Tests: suite.Tests, Failures: suite.Failures,
		Errors: suite.Errors, Time: suite.Time, Suites: []junitSuite{suite}}
	w.printf("%s", xml.Header)
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil && w.err == nil {
		return err
	}
	w.printf("\n")
	return nil
}

// junitCaseName is "ID: Title"; static findings share their check's
// title, so their position keeps two findings of one ID apart.
func junitCaseName(r finding.Result) string {
	name := r.ID + ": " + r.Title
	if isStatic(r) && r.Pos.Line > 0 {
		name += " (" + r.Pos.String() + ")"
	}
	return name
}

// withHint is the result's message followed, when there is a hint, by sep
// and the hint.
func withHint(r finding.Result, sep string) string {
	if r.Hint == "" {
		return messageOf(r)
	}
	return messageOf(r) + sep + r.Hint
}
