package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"chainfix/bundle"
)

func TestNewBulkRow(t *testing.T) {
	at := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	chain := []Cert{{NotAfter: at.Add(100*24*time.Hour + time.Hour)}, {NotAfter: at.Add(40*24*time.Hour - time.Hour)}}
	for _, tt := range []struct {
		name    string
		rep     *Check
		verdict string
		worst   string
		days    string
	}{
		{"ok", &Check{OK: true, Chain: chain, Findings: []bundle.Finding{{ID: bundle.IDOK, Severity: bundle.SeverityInfo}}}, VerdictOK, "", "39"},
		{"warnings only", &Check{OK: true, Chain: chain, Findings: []bundle.Finding{{ID: "i", Severity: bundle.SeverityInfo}, {ID: "w", Severity: bundle.SeverityWarning}}}, VerdictWarnings, "w", "39"},
		{"first of the worst", &Check{Served: chain[:1], Findings: []bundle.Finding{{ID: "w", Severity: bundle.SeverityWarning}, {ID: "e1", Severity: bundle.SeverityError}, {ID: "e2", Severity: bundle.SeverityError}}}, VerdictProblems, "e1", "100"},
		{"expired", &Check{Chain: []Cert{{NotAfter: at.Add(-36 * time.Hour)}}, Findings: []bundle.Finding{{ID: "x", Severity: bundle.SeverityError}}}, VerdictProblems, "x", "-2"},
		{"could not run", FailedCheck("h:443", errors.New("timed out")), VerdictFailed, "check-failed", "-"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := NewBulkRow(tt.rep, at)
			days := "-"
			if r.HasDays {
				days = strconv.Itoa(r.DaysLeft)
			}
			if r.Verdict != tt.verdict || r.Worst != tt.worst || days != tt.days {
				t.Errorf("got %s %q %s, want %s %q %s", r.Verdict, r.Worst, days, tt.verdict, tt.worst, tt.days)
			}
		})
	}
}

func TestBulkJSONStreams(t *testing.T) {
	for _, n := range []int{0, 1, 3} {
		var b bytes.Buffer
		doc := NewBulkJSON(&b)
		for i := range n {
			if err := doc.Add(&Check{Target: strconv.Itoa(i), Served: []Cert{}, Findings: []bundle.Finding{}}); err != nil {
				t.Fatal(err)
			}
		}
		if err := doc.Close(BulkCounts{Total: n, OK: n}); err != nil {
			t.Fatal(err)
		}
		var got struct {
			Results []Check    `json:"results"`
			Summary BulkCounts `json:"summary"`
		}
		if err := json.Unmarshal(b.Bytes(), &got); err != nil || len(got.Results) != n || got.Summary.Total != n {
			t.Errorf("%d results: %v\n%s", n, err, b.String())
		}
		if n == 3 && (got.Results[2].Target != "2" || !strings.HasSuffix(b.String(), "}\n")) {
			t.Errorf("document:\n%s", b.String())
		}
	}
}

func TestBulkTable(t *testing.T) {
	var b bytes.Buffer
	rows := []BulkRow{{Job: "a.pem", Verdict: VerdictOK, DaysLeft: 30, HasDays: true}, {Job: "evil\x1b[31m:443", Verdict: VerdictFailed, Worst: "check-failed"}}
	BulkTable(&b, rows, BulkCounts{Total: 3, OK: 1, Failed: 1, NotStarted: 1})
	want := "JOB            VERDICT  WORST FINDING  DAYS LEFT\n" +
		"a.pem          OK       -              30\n" +
		"evil?[31m:443  FAILED   check-failed   -\n" +
		"2 checked: 1 OK, 0 with problems, 1 could not be checked; 1 not started (interrupted)\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
