package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"chainfix/fetch"
	"chainfix/internal/bulk"
	"chainfix/internal/repair"
	"chainfix/internal/report"
)

// Bounds of bulk runs, each with its reason.
const (
	// MaxBulkHosts bounds one pasted list: its reports stay in memory
	// until the page is done with them (a few KiB each). An estate of
	// more is a job for `chainfix check --hosts-file`.
	MaxBulkHosts = 5000
	// maxBulkRuns are kept at once; the oldest finished run is forgotten
	// when a new one starts, and a new one is refused while this many
	// are still running.
	maxBulkRuns = 8
	// maxBulkFetches caps the fetch budget of one run, which grows with
	// its hosts as the CLI's bulk budget does (fetch.DefaultMaxFetches a
	// job).
	maxBulkFetches = 20_000
	// keepAlive: an event stream sends a comment this often, so that
	// nothing in between takes it for dead, and extends its write
	// deadline by twice as much.
	keepAlive = 15 * time.Second
)

// bulkRun is one bulk check: the reports in input order, as they come.
type bulkRun struct {
	id     string
	total  int
	at     time.Time
	cancel context.CancelFunc

	mu      sync.Mutex
	reports []*report.Check
	rows    []report.BulkRow
	counts  report.BulkCounts
	ended   int // jobs ended, in any order (progress)
	failed  int
	done    bool
	changed chan struct{} // closed at every change, then replaced
}

// update changes the run under its lock and wakes the event streams.
func (b *bulkRun) update(f func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	f()
	close(b.changed)
	b.changed = make(chan struct{})
}

// bulkRuns are the runs kept.
type bulkRuns struct {
	mu    sync.Mutex
	runs  map[string]*bulkRun
	order []string
}

func newBulkRuns() *bulkRuns { return &bulkRuns{runs: map[string]*bulkRun{}} }

// add keeps a new run, forgetting the oldest finished one when full.
func (rs *bulkRuns) add(b *bulkRun) error {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if len(rs.order) >= maxBulkRuns {
		for i, id := range rs.order {
			old := rs.runs[id]
			old.mu.Lock()
			done := old.done
			old.mu.Unlock()
			if done {
				delete(rs.runs, id)
				rs.order = append(rs.order[:i:i], rs.order[i+1:]...)
				break
			}
		}
	}
	if len(rs.order) >= maxBulkRuns {
		return &apiError{status: http.StatusTooManyRequests, exit: noExit, msg: fmt.Sprintf("%d bulk checks are running already; wait for one to end or cancel it", maxBulkRuns)}
	}
	rs.runs[b.id] = b
	rs.order = append(rs.order, b.id)
	return nil
}

func (rs *bulkRuns) get(id string) *bulkRun {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.runs[id]
}

// checkedJob is a bulk job's report.
type checkedJob struct{ rep *report.Check }

func (c checkedJob) OK() bool { return c.rep.OK }

// BulkStarted answers POST /api/bulk.
type BulkStarted struct {
	ID     string `json:"id"`
	Total  int    `json:"total"`
	Events string `json:"events"`
	CSV    string `json:"csv"`
	JSON   string `json:"json"`
}

// handleBulkStart is POST /api/bulk: `hosts` is a hosts file (one
// HOST[:PORT] a line, optionally name=SNI, '#' comments), checked as
// `chainfix check --hosts-file` does, in the background.
func (s *Server) handleBulkStart(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(w, r, "hosts")
	if err != nil {
		return err
	}
	defer f.wipe()
	jobs, err := bulk.ParseHosts(strings.NewReader(f.value("hosts")), "hosts")
	switch {
	case err != nil:
		return usagef("%v", err)
	case len(jobs) == 0:
		return usagef("hosts lists no host: one HOST[:PORT] a line")
	case len(jobs) > MaxBulkHosts:
		return usagef("hosts lists %d hosts; at most %d at once here (chainfix check --hosts-file takes more)", len(jobs), MaxBulkHosts)
	case s.opts.Offline:
		return usagef("checking hosts needs the network; chainfix serve runs with --offline")
	}
	id, err := NewToken()
	if err != nil {
		return err
	}
	id = id[:16]
	runCtx, cancel := context.WithCancel(s.base)
	run := &bulkRun{id: id, total: len(jobs), at: s.opts.Now(), cancel: cancel, changed: make(chan struct{})}
	run.counts.Total = len(jobs)
	if err := s.bulk.add(run); err != nil {
		cancel()
		return err
	}
	go s.runBulk(runCtx, run, jobs)
	base := "/api/bulk/" + id
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusAccepted)
	return report.JSON(w, BulkStarted{ID: id, Total: len(jobs), Events: base + "/events", CSV: base + "/results.csv", JSON: base + "/results.json"})
}

// runBulk checks every host on ONE engine, as check --hosts-file does.
func (s *Server) runBulk(ctx context.Context, run *bulkRun, jobs []bulk.Job) {
	defer run.cancel()
	runner := s.opts.NewRunner(min(fetch.DefaultMaxFetches*len(jobs), maxBulkFetches))
	tmpl := s.opts.Request
	tmpl.At = run.at
	tmpl.Diagnose = true
	work := func(ctx context.Context, job bulk.Job) checkedJob {
		req, err := job.Request(tmpl)
		if err == nil {
			var out *repair.Outcome
			if out, err = runner.Run(ctx, req); err == nil {
				return checkedJob{report.NewCheck(job.Name, out, repair.Tidy(repair.Diagnose(out, repair.DiagnoseOptions{})))}
			}
		}
		// err itself, so that an unreachable host is endpoint-unreachable.
		return checkedJob{report.FailedCheck(job.Name, err)}
	}
	emit := func(job bulk.Job, r checkedJob) {
		row := report.NewBulkRow(r.rep, run.at)
		run.update(func() {
			run.reports = append(run.reports, r.rep)
			run.rows = append(run.rows, row)
			run.counts.Count(row)
		})
	}
	opts := bulk.Options{Progress: func(done, failed int) {
		run.update(func() { run.ended, run.failed = done, failed })
	}}
	stats := bulk.Run(ctx, jobs, opts, work, emit)
	run.update(func() {
		run.counts.NotStarted = stats.NotStarted()
		run.done = true
	})
}

// BulkEvent is one job's line, as an event of the stream.
type BulkEvent struct {
	Index    int    `json:"index"`
	Job      string `json:"job"`
	Verdict  string `json:"verdict"`
	Worst    string `json:"worst,omitempty"`
	DaysLeft *int   `json:"days_left"`
	Message  string `json:"message,omitempty"`
	Fix      string `json:"fix,omitempty"`
}

// handleBulkEvents is GET /api/bulk/{id}/events: server-sent events,
// `result` for each job in input order (from the first, whenever the
// stream is opened), `progress` {done, failed, total} as jobs end, and
// `done` with the counts at the end.
func (s *Server) handleBulkEvents(w http.ResponseWriter, r *http.Request) {
	run := s.bulk.get(r.PathValue("id"))
	if run == nil {
		writeError(w, http.StatusNotFound, noExit, "no such bulk check (finished runs are forgotten when newer ones start)")
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	rc := http.NewResponseController(w)
	// The stream lasts as long as the run; the server's read timeout is
	// for uploads.
	rc.SetReadDeadline(time.Time{})
	sent, lastEnded := 0, -1
	for {
		run.mu.Lock()
		reps, rows := run.reports[sent:], run.rows[sent:]
		ended, failed, done, counts, changed := run.ended, run.failed, run.done, run.counts, run.changed
		run.mu.Unlock()
		rc.SetWriteDeadline(time.Now().Add(2 * keepAlive))
		var b strings.Builder
		for i, row := range rows {
			ev := BulkEvent{Index: sent + i, Job: row.Job, Verdict: row.Verdict, Worst: row.Worst}
			if row.HasDays {
				ev.DaysLeft = &row.DaysLeft
			}
			for _, f := range reps[i].Findings {
				if f.ID == row.Worst {
					ev.Message, ev.Fix = f.Message, f.Fix
					break
				}
			}
			fmt.Fprintf(&b, "event: result\ndata: %s\n\n", jsonString(ev))
		}
		sent += len(rows)
		if ended != lastEnded {
			fmt.Fprintf(&b, "event: progress\ndata: %s\n\n", jsonString(map[string]int{"done": ended, "failed": failed, "total": run.total}))
			lastEnded = ended
		}
		if done {
			fmt.Fprintf(&b, "event: done\ndata: %s\n\n", jsonString(counts))
		}
		if _, err := w.Write([]byte(b.String())); err != nil {
			return
		}
		if err := rc.Flush(); err != nil || done {
			return
		}
		select {
		case <-changed:
		case <-time.After(keepAlive):
			if _, err := w.Write([]byte(": keep-alive\n\n")); err != nil {
				return
			}
		case <-r.Context().Done():
			return
		case <-s.base.Done():
			return
		}
	}
}

// handleBulkResults is GET /api/bulk/{id}/results.json (the document
// `chainfix check --hosts-file --json` prints) or results.csv (one row per
// host: the summary table's columns and the worst finding's words), once
// the run has ended; Chainfix-Exit is check's status.
func (s *Server) handleBulkResults(w http.ResponseWriter, r *http.Request) {
	run := s.bulk.get(r.PathValue("id"))
	file := r.PathValue("file")
	if run == nil || file != "results.json" && file != "results.csv" {
		writeError(w, http.StatusNotFound, noExit, "no such bulk check or file")
		return
	}
	run.mu.Lock()
	defer run.mu.Unlock()
	if !run.done {
		writeError(w, http.StatusConflict, noExit, fmt.Sprintf("the bulk check is still running (%d of %d done)", run.ended, run.total))
		return
	}
	exit := 0
	if run.counts.Problems+run.counts.Failed > 0 {
		exit = 1
	}
	var b bytes.Buffer
	ctype := "application/json; charset=utf-8"
	if file == "results.json" {
		doc := report.NewBulkJSON(&b)
		for _, rep := range run.reports {
			doc.Add(rep)
		}
		doc.Close(run.counts)
	} else {
		ctype = "text/csv; charset=utf-8"
		writeCSV(&b, run)
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", "chainfix-hosts-"+run.at.UTC().Format("20060102-150405")+strings.TrimPrefix(file, "results")))
	w.Header().Set(ExitHeader, strconv.Itoa(exit))
	w.Write(b.Bytes())
}

// writeCSV writes one row per host. Cells that a spreadsheet would take
// for a formula (=, +, -, @ first) get a leading quote: subjects and
// messages come from outside.
func writeCSV(b *bytes.Buffer, run *bulkRun) {
	cw := csv.NewWriter(b)
	cw.Write([]string{"host", "verdict", "worst_finding", "days_left", "address", "tls_version", "trusted", "message", "fix"})
	for i, row := range run.rows {
		rep := run.reports[i]
		days := ""
		if row.HasDays {
			days = strconv.Itoa(row.DaysLeft)
		}
		msg, fix := "", ""
		for _, f := range rep.Findings {
			if f.ID == row.Worst {
				msg, fix = f.Message, f.Fix
				break
			}
		}
		rec := []string{row.Job, row.Verdict, row.Worst, days, rep.Address, rep.TLSVersion, strconv.FormatBool(rep.Trusted), msg, fix}
		for j, c := range rec {
			if j != 3 && c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				rec[j] = "'" + c
			}
		}
		cw.Write(rec)
	}
	cw.Flush()
}

// handleBulkCancel is DELETE /api/bulk/{id}: no new job starts; the
// running ones end by their own deadlines and are reported.
func (s *Server) handleBulkCancel(w http.ResponseWriter, r *http.Request) {
	run := s.bulk.get(r.PathValue("id"))
	if run == nil {
		writeError(w, http.StatusNotFound, noExit, "no such bulk check")
		return
	}
	run.cancel()
	w.WriteHeader(http.StatusNoContent)
}
