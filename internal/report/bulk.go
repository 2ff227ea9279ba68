package report

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"text/tabwriter"
	"time"

	"chainfix/bundle"
	"chainfix/internal/repair"
)

// Verdicts of a bulk check's summary table.
const (
	VerdictOK       = "OK"       // no finding of concern
	VerdictWarnings = "WARNINGS" // warnings only: exit status 0
	VerdictProblems = "PROBLEMS" // an error finding: exit status 1
	VerdictFailed   = "FAILED"   // the check could not run (unreadable file, unreachable host)
)

// BulkRow is one line of a bulk check's summary table.
type BulkRow struct {
	Job     string
	Verdict string // a Verdict* constant
	// Worst is the code of the most severe finding (the first of equals),
	// "" when there is none but "ok".
	Worst string
	// DaysLeft counts whole days from the validation time to the earliest
	// expiry on the chain (the certificates given when no chain was
	// built); negative once expired. Valid only when HasDays.
	DaysLeft int
	HasDays  bool
}

// severityRank orders severities, most severe first.
var severityRank = map[string]int{bundle.SeverityError: 0, bundle.SeverityWarning: 1, bundle.SeverityInfo: 2}

// NewBulkRow summarises rep, a check at time at, for the table.
func NewBulkRow(rep *Check, at time.Time) BulkRow {
	row := BulkRow{Job: rep.Target, Verdict: VerdictOK}
	best := math.MaxInt
	for _, f := range rep.Findings {
		if f.ID == bundle.IDOK {
			continue
		}
		rank, ok := severityRank[f.Severity]
		if !ok {
			rank = len(severityRank)
		}
		if rank < best {
			best, row.Worst = rank, f.ID
		}
	}
	switch {
	case failedToRun(rep):
		row.Verdict = VerdictFailed
	case !rep.OK:
		row.Verdict = VerdictProblems
	case best == severityRank[bundle.SeverityWarning]:
		row.Verdict = VerdictWarnings
	}
	certs := rep.Chain
	if len(certs) == 0 {
		certs = rep.Served
	}
	for i, c := range certs {
		days := int(math.Floor(c.NotAfter.Sub(at).Hours() / 24))
		if i == 0 || days < row.DaysLeft {
			row.DaysLeft = days
		}
		row.HasDays = true
	}
	return row
}

// failedToRun: the report of a check that could not run (FailedCheck).
func failedToRun(rep *Check) bool {
	if len(rep.Findings) != 1 || len(rep.Served) > 0 {
		return false
	}
	id := rep.Findings[0].ID
	return id == repair.IDCheckFailed || id == bundle.IDEndpointUnreachable
}

// BulkCounts sums up a bulk check, for the table's last line and the JSON
// document.
type BulkCounts struct {
	Total      int `json:"total"`       // jobs given
	OK         int `json:"ok"`          // checked, no error finding
	Problems   int `json:"problems"`    // checked, an error finding
	Failed     int `json:"failed"`      // could not be checked
	NotStarted int `json:"not_started"` // interrupted before they started
}

// Count adds a row to the counts (Total is the caller's).
func (c *BulkCounts) Count(row BulkRow) {
	switch row.Verdict {
	case VerdictFailed:
		c.Failed++
	case VerdictProblems:
		c.Problems++
	default:
		c.OK++
	}
}

// String says the counts in words: "3 checked: 1 OK, 1 with problems, 1
// could not be checked".
func (c BulkCounts) String() string {
	s := fmt.Sprintf("%d checked: %d OK, %d with problems, %d could not be checked", c.OK+c.Problems+c.Failed, c.OK, c.Problems, c.Failed)
	if c.NotStarted > 0 {
		s += fmt.Sprintf("; %d not started (interrupted)", c.NotStarted)
	}
	return s
}

// BulkTable writes the summary table of a bulk check, one row per job in
// input order, then the counts.
func BulkTable(w io.Writer, rows []BulkRow, counts BulkCounts) {
	w = NewVoice(w) // terminal-safe lines: job names come from outside
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "JOB\tVERDICT\tWORST FINDING\tDAYS LEFT")
	for _, r := range rows {
		worst, days := r.Worst, "-"
		if worst == "" {
			worst = "-"
		}
		if r.HasDays {
			days = strconv.Itoa(r.DaysLeft)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", TermSafe(r.Job), r.Verdict, worst, days)
	}
	tw.Flush()
	fmt.Fprintln(w, counts.String())
}

// BulkJSON streams the one JSON document of a bulk check,
//
//	{"results": [ check, ... ], "summary": counts}
//
// writing each result as it is added, so that a run of thousands of jobs
// holds none of them.
type BulkJSON struct {
	w   io.Writer
	n   int
	err error
}

// NewBulkJSON starts the document on w.
func NewBulkJSON(w io.Writer) *BulkJSON {
	b := &BulkJSON{w: w}
	_, b.err = io.WriteString(w, "{\n  \"results\": [")
	return b
}

// Add writes one result.
func (b *BulkJSON) Add(rep *Check) error {
	if b.err != nil {
		return b.err
	}
	data, err := json.MarshalIndent(rep, "    ", "  ")
	if err != nil {
		b.err = err
		return err
	}
	sep := ",\n    "
	if b.n == 0 {
		sep = "\n    "
	}
	b.n++
	_, b.err = fmt.Fprintf(b.w, "%s%s", sep, data)
	return b.err
}

// Close ends the document with the summary.
func (b *BulkJSON) Close(counts BulkCounts) error {
	if b.err != nil {
		return b.err
	}
	data, err := json.MarshalIndent(counts, "  ", "  ")
	if err != nil {
		return err
	}
	end := "\n  ],"
	if b.n == 0 {
		end = "],"
	}
	_, b.err = fmt.Fprintf(b.w, "%s\n  \"summary\": %s\n}\n", end, data)
	return b.err
}

// JSONLine writes v as one line of JSON (for --jsonl: one line per job).
func JSONLine(w io.Writer, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(data, '\n'))
	return err
}
