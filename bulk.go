package main

// Bulk runs (issue 9): build and check take many inputs as separate jobs
// (--each, --recursive, --hosts-file, --host repeated, --out-dir), run on
// ONE engine (one fetch client: each intermediate fetched once for all of
// them) by internal/bulk, and rendered by internal/report. The command
// files only branch here: `if bulkRequested(c) { return st.runBulk...(c) }`.

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"

	"chainfix/bundle"
	"chainfix/fetch"
	"chainfix/internal/bulk"
	"chainfix/internal/repair"
	"chainfix/internal/report"
	"chainfix/internal/safefile"
	"chainfix/internal/source"
	"chainfix/pem"
)

// Flag names of the bulk forms.
const (
	flagEach      = "each"
	flagRecursive = "recursive"
	flagHostsFile = "hosts-file"
	flagOutDir    = "out-dir"
	flagJobs      = "jobs"
	flagJSONL     = "jsonl"
)

// Bounds of a bulk run.
const (
	// bulkFetchesPerJob and maxBulkFetches size the fetch budget of a bulk
	// run. The budget (fetch.Options.MaxFetches) is per Client, and 50
	// requests is right for ONE chain: 1-3 fetches, plus mirrors and
	// cross-signs, while a hostile AIA loop is stopped quickly. A bulk
	// run shares one Client among all its jobs, so the budget grows to 50
	// per job, as if each had its own run; the Client's per-URL
	// deduplication means an estate uses a few per unique intermediate,
	// far below it. The cap stops a directory of hostile certificates
	// (each naming new URLs) from making one run send unbounded requests:
	// 20,000 covers 10,000 jobs whose chains all differ.
	bulkFetchesPerJob = fetch.DefaultMaxFetches
	maxBulkFetches    = 20_000
	// maxJobsFlag bounds --jobs: more sockets at once than a CA
	// repository, a firewall or the file-descriptor limit welcomes.
	maxJobsFlag = 256
	// progressMinJobs: a run of more jobs than this shows a progress bar
	// (on a terminal); a few jobs end before a bar would mean anything.
	progressMinJobs = 8
	// progressRedraw throttles the bar: thousands of jobs a second must
	// not mean thousands of redraws.
	progressRedraw = 100 * time.Millisecond
)

// bulkFlags are the flags of the bulk forms; command is "build" (which
// adds --out-dir) or "check" (--jsonl).
func bulkFlags(command string) []cli.Flag {
	flags := []cli.Flag{
		boolFlag(flagEach, "each FILE is a chain of its own, one job per file (without it all FILEs are pieces of one chain)"),
		boolFlag(flagRecursive, "a FILE that is a directory gives one job per certificate file in it, subdirectories included (implies --each)", "r"),
		&cli.StringFlag{Name: flagHostsFile, Usage: "one job per line of `FILE`: HOST[:PORT], optionally name=SNI; '#' starts a comment; - for stdin"},
		&cli.IntFlag{Name: flagJobs, Usage: "run `N` jobs at once",
			DefaultText: fmt.Sprintf("%d per CPU, %d to %d", bulk.JobsPerCPU, bulk.MinDefaultJobs, bulk.MaxDefaultJobs)},
	}
	switch command {
	case "build":
		flags = append(flags, &cli.StringFlag{Name: flagOutDir, Usage: "write one bundle per job into `DIR`, named after the input file or the host (implies --each); with --for: the new `DIR` for the target's files"})
	case "check", "inspect":
		flags = append(flags, boolFlag(flagJSONL, "one JSON report per line, one line per job as it completes, in input order"))
	}
	return flags
}

// bulkRequested reports whether the command line asks for a bulk run: a
// bulk flag, or --host more than once.
func bulkRequested(c *cli.Context) bool {
	if c.Bool(flagEach) || c.Bool(flagRecursive) || c.Bool(flagJSONL) || c.IsSet(flagJobs) ||
		c.String(flagHostsFile) != "" {
		return true
	}
	if c.String(flagOutDir) != "" && c.String(flagFor) == "" {
		// With --for, --out-dir is where the target's files of ONE chain
		// go (build --for haproxy --key key.pem leaf.pem --out-dir upload/).
		return true
	}
	return len(hostsOf(c)) > 1
}

// hostList is the value of --host: repeatable, one job per host in a bulk
// run. String is the last host given, as a plain string flag would be, so
// code reading c.String(flagHost) is unchanged.
type hostList struct{ hosts []string }

func (h *hostList) Set(s string) error {
	h.hosts = append(h.hosts, s)
	return nil
}

func (h *hostList) String() string {
	if h == nil || len(h.hosts) == 0 {
		return ""
	}
	return h.hosts[len(h.hosts)-1]
}

// hostsOf returns every --host given, in order.
func hostsOf(c *cli.Context) []string {
	if h, ok := c.Generic(flagHost).(*hostList); ok && h != nil {
		return h.hosts
	}
	return nil
}

// oneChainOnly refuses a run that reads several FILEs as pieces of ONE
// chain (no --each) when they hold leaves of different sites: build would
// otherwise write the first site's bundle and silently leave the others
// out (issue 9). Renewals of one certificate are not different sites
// (bundle's leaf rule), and --leaf-cn says which one is wanted.
func oneChainOnly(job *chainJob, out *repair.Outcome) error {
	if !job.eachOffered || len(job.files) < 2 || job.req.LeafName != "" || out == nil || out.Result == nil {
		return nil
	}
	others := out.OtherSites()
	if len(others) == 0 {
		return nil
	}
	return usagef("the %d FILEs are read as pieces of ONE chain, but they hold leaf certificates of different sites (%s; %s); add --each for one job per FILE (build: with --out-dir DIR), or --leaf-cn NAME to choose one",
		len(job.files), bundle.Name(out.Result.Leaf), repair.Names(others))
}

// bulkPlan is a bulk run resolved: the jobs, the one engine and the
// request every job starts from.
type bulkPlan struct {
	jobs    []bulk.Job
	runner  *repair.Runner
	req     repair.Request
	opts    bulk.Options
	offline bool
}

// planBulk reads the bulk flags: it lists the jobs (before any store is
// read, so a usage mistake costs nothing), checks the flags against them,
// and builds the engine once. outDir is build's --out-dir ("" for check).
func (st *state) planBulk(c *cli.Context, outDir string, command string, more ...string) (*bulkPlan, error) {
	if err := bulkFlagsOnly(c, command, more...); err != nil {
		return nil, err
	}
	n := c.Int(flagJobs)
	if c.IsSet(flagJobs) && (n < 1 || n > maxJobsFlag) {
		return nil, usagef("--jobs %d: want 1 to %d", n, maxJobsFlag)
	}
	jobs, dirs, err := st.bulkJobs(c, outDir != "")
	if err != nil {
		return nil, err
	}
	hosts := 0
	for _, j := range jobs {
		if j.Host != "" {
			hosts++
		}
	}
	switch {
	case hosts > 0 && c.Bool(flagOffline):
		return nil, usagef("--host and --hosts-file need the network; they contradict --offline")
	case hosts == 0 && c.IsSet(flagServerName):
		return nil, usagef("--%s goes with --host", flagServerName)
	case hosts == 0 && c.IsSet(flagStartTLS):
		return nil, usagef("--%s goes with --host or --hosts-file", flagStartTLS)
	case hosts > 1 && c.IsSet(flagServerName):
		return nil, usagef("--servername names one server; in a hosts file write name=SNI after a host")
	}
	s, err := st.parseChainSettings(c, st.inputPassword(passwordFrom(c, "", "the input")))
	if err != nil {
		return nil, err
	}
	s.fetch.MaxFetches = min(bulkFetchesPerJob*len(jobs), maxBulkFetches)
	if outDir != "" {
		if err := checkOutDir(outDir, jobs, dirs, c.StringSlice(flagPool), c.StringSlice(flagRoots), []string{c.String(flagPasswordFile)}); err != nil {
			return nil, err
		}
	}
	runner, err := st.newRunner(c, s)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		n = bulk.DefaultJobs()
	}
	st.log.Infof("%d jobs, %d at once", len(jobs), n)
	return &bulkPlan{jobs: jobs, runner: runner, req: s.req, offline: s.offline, opts: bulk.Options{Jobs: n}}, nil
}

// bulkJobs lists a bulk run's jobs: each FILE (directories with
// --recursive), each --host, each line of --hosts-file, in that order.
// outDir says that build's --out-dir implies --each.
func (st *state) bulkJobs(c *cli.Context, outDir bool) ([]bulk.Job, []string, error) {
	recursive := c.Bool(flagRecursive)
	each := c.Bool(flagEach) || recursive || outDir
	files := c.Args().Slice()
	if len(files) > 0 && !each {
		return nil, nil, usagef("FILEs are read as pieces of ONE chain; add --each for one job per FILE")
	}
	var jobs []bulk.Job
	var dirs []string // the --recursive directories
	for _, f := range files {
		if f == "-" {
			return nil, nil, usagef("stdin (-) cannot be one of several jobs; give file names")
		}
		if fi, err := os.Stat(f); err == nil && fi.IsDir() {
			if !recursive {
				return nil, nil, usagef("%s is a directory; add --recursive for one job per certificate file in it", f)
			}
			dj, err := bulk.Dir(f)
			if err != nil {
				return nil, nil, err
			}
			jobs = append(jobs, dj...)
			dirs = append(dirs, f)
			continue
		}
		jobs = append(jobs, bulk.Files([]string{f})...) // a missing file fails as its job
	}
	jobs = append(jobs, bulk.Hosts(hostsOf(c))...)
	if name := c.String(flagHostsFile); name != "" {
		in, err := source.Read(name, st.stdin)
		if err != nil {
			return nil, nil, fmt.Errorf("--hosts-file: %w", err)
		}
		hj, err := bulk.ParseHosts(bytes.NewReader(in.Data), in.Name)
		if err != nil {
			return nil, nil, usagef("--hosts-file: %v", err)
		}
		if len(hj) == 0 {
			return nil, nil, usagef("--hosts-file %s lists no host", in.Name)
		}
		jobs = append(jobs, hj...)
	}
	if len(jobs) == 0 {
		if len(dirs) > 0 {
			return nil, nil, fmt.Errorf("no certificate file in %s", strings.Join(dirs, ", "))
		}
		return nil, nil, usagef("nothing to do: give FILEs with --each, a directory with --recursive, --hosts-file FILE or --host (repeatable)")
	}
	if len(jobs) > bulk.MaxJobs {
		return nil, nil, fmt.Errorf("%w; split the list", bulk.ErrTooManyJobs)
	}
	return jobs, dirs, nil
}

// bulkFlagsOnly refuses the command's flags that a bulk run does not
// apply (say --key or --for, which are about one chain), rather than
// ignoring them: the chain flags, the bulk flags and the more named
// ones are allowed.
func bulkFlagsOnly(c *cli.Context, command string, more ...string) error {
	allowed := map[string]bool{}
	for _, f := range append(chainFlags(), bulkFlags(command)...) {
		for _, n := range f.Names() {
			allowed[n] = true
		}
	}
	for _, n := range more {
		allowed[n] = true
	}
	for _, n := range c.LocalFlagNames() {
		if !allowed[n] {
			return usagef("--%s is about one chain; it is not available with several jobs (run them one by one)", n)
		}
	}
	return nil
}

// checkOutDir refuses an output directory that holds inputs: a bundle
// named like an input (or a --pool file) would replace it, and a
// directory given to --recursive would take the bundles for inputs on the
// next run.
func checkOutDir(outDir string, jobs []bulk.Job, recursive []string, others ...[]string) error {
	out := resolvedPath(outDir)
	if fi, err := os.Stat(outDir); err == nil && !fi.IsDir() {
		return fmt.Errorf("--out-dir %s: %w", outDir, safefile.ErrNotDirectory)
	}
	for _, d := range recursive {
		rd := resolvedPath(d)
		if out == rd || strings.HasPrefix(out, rd+string(filepath.Separator)) {
			return usagef("--out-dir %s is inside the input directory %s; write the bundles elsewhere", outDir, d)
		}
	}
	seen := map[string]bool{}
	check := func(file string) error {
		if file == "" {
			return nil
		}
		dir := filepath.Dir(file)
		if seen[dir] {
			return nil
		}
		seen[dir] = true
		if resolvedPath(dir) == out {
			return usagef("--out-dir %s holds the input %s; a bundle could replace an input: write the bundles elsewhere", outDir, file)
		}
		return nil
	}
	for _, j := range jobs {
		if err := check(j.File); err != nil {
			return err
		}
	}
	for _, list := range others {
		for _, f := range list {
			if err := check(f); err != nil {
				return err
			}
		}
	}
	return nil
}

// resolvedPath is p absolute with its links resolved, as far as it exists.
func resolvedPath(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return filepath.Clean(p)
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		return r
	}
	if r, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		return filepath.Join(r, filepath.Base(abs))
	}
	return abs
}

// watchInterrupt says, when the run's context is cancelled (the first
// SIGINT), what happens now; the returned function stops watching.
func (st *state) watchInterrupt(bar *progress) func() bool {
	return context.AfterFunc(st.ctx, func() {
		bar.clear()
		st.voice.Notef("interrupted: starting no new job; the running ones finish (Ctrl-C again to stop at once)")
	})
}

// builtJob is what a bulk build job leaves for its stderr line: words,
// not the outcome, so that finished jobs waiting for an earlier one hold
// no certificates.
type builtJob struct {
	err      error
	path     string
	summary  string
	warnings []string
}

func (b builtJob) OK() bool { return b.err == nil }

// runBulkBuild writes one bundle per job into --out-dir: a line per job on
// stderr, then "N built, M failed".
func (st *state) runBulkBuild(c *cli.Context) error {
	outDir := c.String(flagOutDir)
	if outDir == "" {
		return usagef("several jobs make several bundles: give --out-dir DIR")
	}
	for _, f := range []string{flagOut, flagSplit} {
		if c.IsSet(f) {
			return usagef("--out-dir writes one file per job; it contradicts --%s", f)
		}
	}
	spec, err := parseBuildOutput(c)
	if err != nil {
		return err
	}
	if spec.format == "der" {
		return usagef("--format der holds one certificate; with --out-dir use --format pem or p7b")
	}
	plan, err := st.planBulk(c, outDir, "build", flagAllowUntrusted, flagIncludeRoot, flagChainOnly, flagFormat, flagArmor, flagCRLF)
	if err != nil {
		return err
	}
	ext := ".pem"
	if spec.format == "p7b" {
		ext = ".p7b"
	}
	bulk.OutputNames(plan.jobs, ext)
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return fmt.Errorf("--out-dir: %w", err)
	}

	work := func(ctx context.Context, job bulk.Job) builtJob {
		req, err := job.Request(plan.req)
		var out *repair.Outcome
		if err == nil {
			out, err = plan.runner.Run(ctx, req)
		}
		if err != nil {
			return builtJob{err: report.BuildError(err, plan.offline)}
		}
		certs := out.Chain(spec.includeRoot, spec.chainOnly)
		if len(certs) == 0 {
			return builtJob{err: errors.New("--chain-only: the chain has no intermediate (the leaf is issued by the root directly); nothing written")}
		}
		data, err := encodeBundle(certs, spec)
		if err != nil {
			return builtJob{err: err}
		}
		path := filepath.Join(outDir, job.Out)
		if err := safefile.WriteFile(path, data, safefile.Public); err != nil {
			return builtJob{err: err}
		}
		return builtJob{path: path, summary: chainWords(out.Result, len(certs)), warnings: chainWarnings(out.Result)}
	}
	bar := st.newProgress(c, len(plan.jobs), "building")
	plan.opts.Progress = bar.update
	stopWatch := st.watchInterrupt(bar)
	emit := func(job bulk.Job, r builtJob) {
		bar.clear()
		if r.err != nil {
			st.voice.Errorf("%s", withName(job.Name, r.err.Error()))
			return
		}
		st.voice.Notef("built %s from %s: %s", r.path, job.Name, r.summary)
		for _, w := range r.warnings {
			st.voice.Warnf("%s: %s", job.Name, w)
		}
	}
	stats := bulk.Run(st.ctx, plan.jobs, plan.opts, work, emit)
	stopWatch()
	bar.finish()
	summary := fmt.Sprintf("%d built, %d failed", stats.Done-stats.Failed, stats.Failed)
	if stats.Interrupted() {
		st.voice.Notef("%s; %d not started", summary, stats.NotStarted())
		return st.interrupted(stats, "the bundles listed above are complete")
	}
	st.voice.Notef("%s", summary)
	if stats.Failed > 0 {
		st.exitCode = exitFailure
	}
	return nil
}

// interrupted ends a bulk run stopped by SIGINT: exit status 130 and one
// error line saying what was left undone.
func (st *state) interrupted(stats bulk.Stats, done string) error {
	st.voice.Errorf("interrupted: %d of %d jobs not started; %s", stats.NotStarted(), stats.Total, done)
	st.exitCode = exitInterrupted
	return nil
}

// encodeBundle encodes a job's chain as --format says (pem or p7b; der is
// refused before the run).
func encodeBundle(certs []*x509.Certificate, spec buildOutput) ([]byte, error) {
	eo := pem.EncodeOptions{CRLF: spec.crlf}
	if spec.format != "p7b" {
		return pem.Encode(certs, eo), nil
	}
	der, err := pem.EncodePKCS7(certs)
	if err != nil || !spec.armor {
		return der, err
	}
	return pem.Armor("PKCS7", der, eo), nil
}

// chainWords is a chain in one line, with the number of certificates
// written: "CN=www, 2 certificates, trusted via CN=Root".
func chainWords(r *bundle.Result, written int) string {
	trust := "NOT trusted: no trusted root reached"
	if r.Trusted {
		trust = "trusted via " + bundle.Name(r.Path[len(r.Path)-1])
	}
	return fmt.Sprintf("%s, %s, %s", bundle.Name(r.Leaf), report.CertCount(written), trust)
}

// chainWarnings are the warnings of a built chain, as the one-chain
// summary gives them.
func chainWarnings(r *bundle.Result) []string {
	var ws []string
	for _, n := range r.Notes {
		ws = append(ws, report.NoteText(n))
	}
	if !r.Trusted {
		ws = append(ws, fmt.Sprintf("the chain does not reach a trusted root (--allow-untrusted); clients that do not trust %s will refuse it", bundle.Name(r.Path[len(r.Path)-1])))
	}
	return ws
}

// withName puts a job's name before its error, unless the message starts
// with it already (file and endpoint errors name it themselves).
func withName(name, msg string) string {
	if strings.HasPrefix(msg, name) {
		return msg
	}
	return name + ": " + msg
}

// checkedJob is a bulk check job's report.
type checkedJob struct{ rep *report.Check }

func (c checkedJob) OK() bool { return c.rep.OK }

// runBulkCheck checks every job: one report per job then the summary table
// (text), one JSON document with an array of results (--json), or one JSON
// line per job (--jsonl); always in input order.
func (st *state) runBulkCheck(c *cli.Context) error {
	if c.Bool(flagJSON) && c.Bool(flagJSONL) {
		return usagef("--json writes one document, --jsonl one line per job: choose one")
	}
	plan, err := st.planBulk(c, "", "check", flagJSON)
	if err != nil {
		return err
	}
	dopts, err := checkOptions(c)
	if err != nil {
		return err
	}
	strict := c.Bool(flagStrict)
	work := func(ctx context.Context, job bulk.Job) checkedJob {
		req, err := job.Request(plan.req)
		if err == nil {
			var res *repair.Checked
			if res, err = plan.runner.Check(ctx, repair.CheckRequest{Request: req, Options: dopts}); err == nil {
				rep := report.NewCheck(job.Name, res.Outcome, res.Findings)
				rep.Names = res.Names
				if strict {
					rep.SetStrict()
				}
				return checkedJob{rep}
			}
		}
		return checkedJob{report.FailedCheck(job.Name, err)}
	}

	var (
		rows   []report.BulkRow
		counts = report.BulkCounts{Total: len(plan.jobs)}
		doc    *report.BulkJSON
		werr   error // the first error writing stdout
	)
	if c.Bool(flagJSON) {
		doc = report.NewBulkJSON(st.stdout)
	}
	bar := st.newProgress(c, len(plan.jobs), "checking")
	plan.opts.Progress = bar.update
	stopWatch := st.watchInterrupt(bar)
	emit := func(job bulk.Job, r checkedJob) {
		bar.clear()
		row := report.NewBulkRow(r.rep, plan.req.At)
		counts.Count(row)
		var err error
		switch {
		case doc != nil:
			err = doc.Add(r.rep)
		case c.Bool(flagJSONL):
			err = report.JSONLine(st.stdout, r.rep)
		default:
			report.CheckText(st.stdout, r.rep)
			_, err = io.WriteString(st.stdout, "\n")
			rows = append(rows, row)
		}
		if werr == nil {
			werr = err
		}
	}
	stats := bulk.Run(st.ctx, plan.jobs, plan.opts, work, emit)
	stopWatch()
	bar.finish()
	counts.NotStarted = stats.NotStarted()
	switch {
	case doc != nil:
		if err := doc.Close(counts); werr == nil {
			werr = err
		}
	case c.Bool(flagJSONL):
		st.voice.Notef("%s", counts)
	default:
		report.BulkTable(st.stdout, rows, counts)
	}
	if werr != nil {
		return werr
	}
	if stats.Interrupted() {
		return st.interrupted(stats, "the reports above are complete")
	}
	if counts.Problems+counts.Failed > 0 {
		st.exitCode = exitFailure
	}
	return nil
}

// progress is a bulk run's progress bar on stderr, or nothing (a nil bar).
type progress struct {
	bar  *progressbar.ProgressBar
	what string
	// mu orders the calls: the interrupt note clears the bar from
	// another goroutine than the one that updates it.
	mu     sync.Mutex
	failed int // shown in the description
}

// newProgress shows a bar for a run of more than progressMinJobs jobs,
// only when stderr is a terminal, and not with -q or JSON logs (whose
// readers want one format on stderr).
//
// The bar is github.com/schollz/progressbar/v3: maintained (releases
// through 2025), it writes to any io.Writer it is given (stderr here,
// never stdout, which carries the product), throttles its redraws
// (OptionThrottle) so thousands of quick jobs cost nothing, shows count,
// rate and time left, and is pure Go with no cgo, so the static build
// stays static. Hand-written escape codes would have to redo all of that.
func (st *state) newProgress(c *cli.Context, total int, what string) *progress {
	if total <= progressMinJobs || st.voice.Quiet || c.String(flagLogFormat) == "json" || !isTerminal(st.stderr) {
		return &progress{}
	}
	return &progress{what: what, bar: newProgressBar(st.stderr, total, what)}
}

func newProgressBar(w io.Writer, total int, what string) *progressbar.ProgressBar {
	return progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(what),
		progressbar.OptionSetWidth(30),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("jobs"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(progressRedraw),
		progressbar.OptionClearOnFinish(),
	)
}

// update shows done jobs and the failures so far.
func (p *progress) update(done, failed int) {
	if p.bar == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bar.Set(done)
	if failed != p.failed {
		p.failed = failed
		p.bar.Describe(fmt.Sprintf("%s (%d failed)", p.what, failed))
	}
}

// clear takes the bar off the line before other output.
func (p *progress) clear() {
	if p.bar != nil {
		p.mu.Lock()
		p.bar.Clear()
		p.mu.Unlock()
	}
}

// finish removes the bar for good.
func (p *progress) finish() {
	if p.bar != nil {
		p.mu.Lock()
		p.bar.Clear()
		p.bar.Exit()
		p.mu.Unlock()
	}
}

// inspectedJob is a bulk inspect job's report, or why it could not be made.
type inspectedJob struct {
	rep *report.Inspect
	err error
}

func (r inspectedJob) OK() bool { return r.err == nil }

// runBulkInspect describes every job's certificates: one report per job
// (text), one JSON document with an array of reports (--json), or one JSON
// line per job (--jsonl); always in input order. A job that cannot be read
// or reached is reported in its place and makes the exit status 1.
func (st *state) runBulkInspect(c *cli.Context, at time.Time) error {
	if c.Bool(flagJSON) && c.Bool(flagJSONL) {
		return usagef("--json writes one document, --jsonl one line per job: choose one")
	}
	n := c.Int(flagJobs)
	if c.IsSet(flagJobs) && (n < 1 || n > maxJobsFlag) {
		return usagef("--jobs %d: want 1 to %d", n, maxJobsFlag)
	}
	jobs, _, err := st.bulkJobs(c, false)
	if err != nil {
		return err
	}
	if len(hostsOf(c)) > 1 && c.IsSet(flagServerName) {
		return usagef("--servername names one server; in a hosts file write name=SNI after a host")
	}
	password := st.inputPassword(passwordFrom(c, "", "the input"))
	dial := fetch.DialOptions{ServerName: c.String(flagServerName), ConnectTimeout: c.Duration(flagConnectTimeout), StartTLS: c.String(flagStartTLS)}
	work := func(ctx context.Context, job bulk.Job) inspectedJob {
		if job.Err != nil {
			return inspectedJob{err: job.Err}
		}
		var ins []source.Input
		d := dial
		if job.Host == "" {
			in, err := source.Read(job.File, nil)
			if err != nil {
				return inspectedJob{err: err}
			}
			ins = []source.Input{in}
		} else if job.ServerName != "" {
			d.ServerName = job.ServerName
		}
		rep, err := st.inspectInputs(ctx, job.Name, ins, job.Host, d, at, password)
		return inspectedJob{rep: rep, err: err}
	}
	type failed struct {
		Target string `json:"target"`
		Error  string `json:"error"`
	}
	var (
		werr    error
		nfailed int
		first   = true
	)
	if c.Bool(flagJSON) {
		// One document, streamed: each report is written when its turn
		// comes, so ten thousand jobs are never all held in memory.
		_, werr = io.WriteString(st.stdout, "{\"results\": [")
	}
	bar := st.newProgress(c, len(jobs), "inspecting")
	stopWatch := st.watchInterrupt(bar)
	emit := func(job bulk.Job, r inspectedJob) {
		bar.clear()
		var v any = r.rep
		if r.err != nil {
			nfailed++
			v = failed{Target: job.Name, Error: report.OneLine(r.err.Error())}
			st.voice.Errorf("%v", r.err) // it names the file or the address
		}
		var err error
		switch {
		case c.Bool(flagJSON):
			sep := ",\n"
			if first {
				sep, first = "\n", false
			}
			var data []byte
			if data, err = json.Marshal(v); err == nil {
				_, err = fmt.Fprintf(st.stdout, "%s%s", sep, data)
			}
		case c.Bool(flagJSONL):
			err = report.JSONLine(st.stdout, v)
		case r.err == nil:
			report.InspectText(st.stdout, r.rep)
			_, err = io.WriteString(st.stdout, "\n")
		}
		if werr == nil {
			werr = err
		}
	}
	stats := bulk.Run(st.ctx, jobs, bulk.Options{Jobs: n, Progress: bar.update}, work, emit)
	stopWatch()
	bar.finish()
	if c.Bool(flagJSON) {
		if _, err := io.WriteString(st.stdout, "\n]}\n"); werr == nil {
			werr = err
		}
	}
	if werr != nil {
		return werr
	}
	if stats.Interrupted() {
		return st.interrupted(stats, "the reports above are complete")
	}
	st.voice.Notef("%d inspected, %d failed", stats.Done-nfailed, nfailed)
	if nfailed > 0 {
		st.exitCode = exitFailure
	}
	return nil
}
