package main

import (
	"crypto/x509"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/urfave/cli/v2"
	"golang.org/x/net/http/httpproxy"

	"chainfix/bundle"
	"chainfix/fetch"
	"chainfix/internal/repair"
	"chainfix/internal/source"
	"chainfix/internal/trust"
	"chainfix/pfx"
)

// chainJob is the chain flags resolved: the engine, built once for this
// process, and the request to run on it.
type chainJob struct {
	runner  *repair.Runner
	req     repair.Request
	files   []string // the FILE arguments as given
	offline bool
	// eachOffered: the command also takes --each (build, check), so FILEs
	// holding leaves for different sites are refused rather than silently
	// reduced to one chain (issue 9; see oneChainOnly in bulk.go).
	eachOffered bool
}

// chainSettings are the chain flags resolved before any input is read: the
// request every chain starts from and the fetch client's options. A bulk
// run (bulk.go) resolves them once and builds one Runner for all its jobs.
type chainSettings struct {
	req     repair.Request
	fetch   fetch.Options
	offline bool
}

// parseChainJob reads the chain flags common to build, pfx and check,
// loads the trust store and the pool, and reads the inputs. extraFiles are
// inputs that come first (pfx --in).
func (st *state) parseChainJob(c *cli.Context, password pfx.PasswordFunc, extraFiles ...string) (*chainJob, error) {
	job := &chainJob{files: append(append([]string(nil), extraFiles...), c.Args().Slice()...), offline: c.Bool(flagOffline)}
	job.eachOffered = c.Command != nil && hasFlag(c.Command.Flags, flagEach)
	if n := len(hostsOf(c)); n > 1 {
		return nil, usagef("--host given %d times; this command reads one server (build and check take several, one job each)", n)
	}
	host := c.String(flagHost)
	stdinCount := 0
	for _, f := range job.files {
		if f == "-" {
			stdinCount++
		}
	}
	if stdinCount > 1 {
		return nil, usagef("stdin (-) given %d times; it can be read once", stdinCount)
	}
	if host != "" && len(job.files) > 0 {
		return nil, usagef("give files or --host, not both (use --pool for extra certificates)")
	}
	if host == "" {
		for _, f := range []string{flagServerName, flagStartTLS} {
			if c.IsSet(f) {
				return nil, usagef("--%s goes with --host", f)
			}
		}
	}
	s, err := st.parseChainSettings(c, password)
	if err != nil {
		return nil, err
	}
	req := s.req
	req.Host = host
	// --offline means "fetch no AIA": with --host chainfix still connects
	// to the host, which is the input.

	// Inputs first: a missing file is reported before any store is read.
	if req.Host == "" {
		files := job.files
		if len(files) == 0 {
			if isTerminal(st.stdin) {
				return nil, &usageError{msg: source.ErrNoInput.Error()}
			}
			files = []string{"-"}
		}
		if req.Inputs, err = source.ReadAll(files, st.stdin); err != nil {
			return nil, err
		}
	}
	if job.runner, err = st.newRunner(c, s); err != nil {
		return nil, err
	}
	job.req = req
	return job, nil
}

// parseChainSettings resolves the chain flags that do not name inputs:
// the validation time, the purpose, the leaf, the dial options and the
// fetch client's options (timeouts, cache, proxy).
func (st *state) parseChainSettings(c *cli.Context, password pfx.PasswordFunc) (*chainSettings, error) {
	s := &chainSettings{offline: c.Bool(flagOffline)}
	req := repair.Request{LeafName: c.String(flagLeafCN), Password: password}
	if c.Command != nil && hasFlag(c.Command.Flags, flagAllowUntrusted) {
		req.AllowUntrusted = c.Bool(flagAllowUntrusted)
	}
	at, err := parseAt(c.String(flagAt))
	if err != nil {
		return nil, err
	}
	req.At = at
	if req.KeyUsages, err = parsePurpose(c.String(flagPurpose)); err != nil {
		return nil, err
	}
	switch s := c.String(flagStartTLS); s {
	case "", "smtp", "imap", "pop3", "ftp", "postgres":
		req.Dial = fetch.DialOptions{ServerName: c.String(flagServerName), ConnectTimeout: c.Duration(flagConnectTimeout), StartTLS: s}
	default:
		return nil, usagef("--starttls %q: want smtp, imap, pop3, ftp or postgres", s)
	}
	if c.Duration(flagTimeout) <= 0 || c.Duration(flagConnectTimeout) <= 0 {
		return nil, usagef("timeouts must be positive")
	}
	fo := fetch.Options{
		At:         at,
		Timeout:    c.Duration(flagTimeout),
		Offline:    s.offline,
		PublicOnly: c.Bool(flagAIAPublicOnly),
		UserAgent:  "chainfix/" + version() + " (+certificate chain repair)",
		Logger:     st.log,
		Proxy:      st.proxyFunc(),
	}
	if !c.Bool(flagNoCache) {
		dir := c.String(flagCacheDir)
		if dir == "" {
			dir = st.defaultCacheDir()
		}
		fo.CacheDir = dir
	} else if c.IsSet(flagCacheDir) {
		return nil, usagef("--no-cache contradicts --cache-dir")
	}
	s.req, s.fetch = req, fo
	return s, nil
}

// newRunner loads the trust store and the pool and builds the engine with
// ONE fetch client, for every chain this process runs.
func (st *state) newRunner(c *cli.Context, s *chainSettings) (*repair.Runner, error) {
	e, err := st.loadEngine(c, s)
	if err != nil {
		return nil, err
	}
	return e.runner(s, s.fetch.MaxFetches, e.verdicts), nil
}

// engine is what every Runner of a process is built from: the trust store
// and the --pool certificates, loaded once. A command builds one Runner;
// serve builds one per request (a fetch.Client's budget and its memory of
// failed URLs last as long as the Client, and a server runs for days).
type engine struct {
	store *trust.Store
	pool  []*x509.Certificate
	log   logrus.FieldLogger
	// verdicts hold the signature checks made while loading (a --roots
	// certificate's self-signature), for the process's one Runner.
	verdicts *bundle.Verdicts
}

// loadEngine loads the trust store (--roots) and the pool (--pool). The
// index of a PEM trust store is kept in s's AIA cache directory.
func (st *state) loadEngine(c *cli.Context, s *chainSettings) (*engine, error) {
	verdicts := bundle.NewVerdicts()
	store, err := st.loadTrust(c.StringSlice(flagRoots), s.fetch.CacheDir, verdicts)
	if err != nil {
		return nil, err
	}
	pool, err := st.loadCerts(c.StringSlice(flagPool), nil)
	if err != nil {
		return nil, err
	}
	return &engine{store: store, pool: pool, log: st.log, verdicts: verdicts}, nil
}

// runner builds a Runner with ONE new fetch client made from s's options,
// allowed maxFetches requests (0: fetch.DefaultMaxFetches), keeping its
// signature verdicts in verdicts.
func (e *engine) runner(s *chainSettings, maxFetches int, verdicts *bundle.Verdicts) *repair.Runner {
	fo := s.fetch
	fo.MaxFetches = maxFetches
	fo.Signed = verdicts.Signed
	return repair.New(repair.Config{
		Trust:    e.store,
		Pool:     e.pool,
		Fetch:    fetch.New(fo),
		Deadline: repair.DeadlineFor(max(fo.Timeout, s.req.Dial.ConnectTimeout)),
		Log:      e.log,
		Verdicts: verdicts,
	})
}

// run runs the job on the engine with the run's context.
func (st *state) runJob(job *chainJob) (*repair.Outcome, error) {
	out, err := job.runner.Run(st.ctx, job.req)
	if err != nil {
		return nil, err
	}
	if err := oneChainOnly(job, out); err != nil {
		return nil, err
	}
	return out, nil
}

func hasFlag(flags []cli.Flag, name string) bool {
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return true
			}
		}
	}
	return false
}

// parseAt reads --at: RFC 3339, or a plain date meaning midnight UTC; now
// when empty (the one place chainfix reads the clock).
func parseAt(s string) (time.Time, error) {
	if s == "" {
		return time.Now(), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, usagef("--at %q: want RFC 3339 (2027-01-31T00:00:00Z) or a date (2027-01-31)", s)
}

// parsePurpose reads --purpose.
func parsePurpose(p string) ([]x509.ExtKeyUsage, error) {
	switch p {
	case "server", "":
		return []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, nil
	case "client":
		return []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, nil
	case "any":
		return []x509.ExtKeyUsage{x509.ExtKeyUsageAny}, nil
	}
	return nil, usagef("--purpose %q: want server, client or any", p)
}

// loadCerts reads and decodes files leniently (--pool, --roots: one odd
// certificate must not abort the run).
func (st *state) loadCerts(files []string, password pfx.PasswordFunc) ([]*x509.Certificate, error) {
	if len(files) == 0 {
		return nil, nil
	}
	ins, err := source.ReadAll(files, st.stdin)
	if err != nil {
		return nil, err
	}
	set, err := source.Decode(st.ctx, ins, source.Options{Lenient: true, Password: password, Log: st.log})
	if err != nil {
		return nil, err
	}
	return set.Certs, nil
}

// Keywords of --roots; a file of that name is given as ./system.
const (
	rootsSystem  = "system"
	rootsMozilla = "mozilla"
)

// loadTrust resolves the trust anchors. Without --roots: the system store,
// otherwise the embedded Mozilla set. With --roots, exactly what is named,
// combined: "system" (the machine's store, and the intermediates it holds
// as a pool; an error when there is none), "mozilla" (the embedded set)
// and files. A --roots certificate from a file that is not a self-signed
// CA is trusted as given, and said so: it is an unusual choice, often a
// mistake. With -v the log names the store and how many roots it held.
func (st *state) loadTrust(values []string, indexDir string, verdicts *bundle.Verdicts) (*trust.Store, error) {
	opts := trust.Options{Getenv: st.env.Getenv, Log: st.log, IndexDir: indexDir}
	if len(values) == 0 {
		s, err := trust.Default(opts)
		if err == nil {
			st.logTrust(s)
		}
		return s, err
	}
	var stores []*trust.Store
	var files []string
	for _, v := range values {
		switch v {
		case rootsSystem:
			s, err := trust.System(opts)
			if err != nil {
				return nil, fmt.Errorf("--roots system: %w; use --roots mozilla or --roots FILE (a file named \"system\": ./system)", err)
			}
			stores = append(stores, s)
		case rootsMozilla:
			s, err := trust.Mozilla()
			if err != nil {
				return nil, fmt.Errorf("--roots mozilla: %w", err)
			}
			stores = append(stores, s)
		default:
			files = append(files, v)
		}
	}
	if len(files) > 0 {
		certs, err := st.loadCerts(files, nil)
		if err != nil {
			return nil, err
		}
		if len(certs) == 0 {
			return nil, fmt.Errorf("--roots: no usable certificate in %s", strings.Join(files, ", "))
		}
		for _, c := range certs {
			if !verdicts.IsRoot(c) {
				what := "an intermediate"
				if !c.IsCA {
					what = "not a CA certificate"
				}
				st.log.Warnf("trusting %s as given with --roots, although it is not a root (%s)", bundle.Name(c), what)
			}
		}
		stores = append(stores, trust.NewStore("--roots "+strings.Join(files, ", "), certs))
	}
	s := trust.Merge(stores...)
	st.logTrust(s)
	return s, nil
}

// logTrust says, with -v, which store is trusted and how many roots it
// held, and which intermediates the machine contributes as a pool.
func (st *state) logTrust(s *trust.Store) {
	st.log.Infof("trusting %d roots from %s", s.Anchors.Len(), s.Name)
	if len(s.Intermediates) > 0 {
		st.log.Infof("drawing on %d intermediates from %s, as a pool: one found there is still missing from what the server sends", len(s.Intermediates), s.IntermediatesFrom)
	}
}

// proxyFunc honours HTTP_PROXY, HTTPS_PROXY and NO_PROXY (and their
// lower-case forms), read once from the run's environment.
func (st *state) proxyFunc() func(*http.Request) (*url.URL, error) {
	cfg := &httpproxy.Config{
		HTTPProxy:  firstEnv(st.env, "HTTP_PROXY", "http_proxy"),
		HTTPSProxy: firstEnv(st.env, "HTTPS_PROXY", "https_proxy"),
		NoProxy:    firstEnv(st.env, "NO_PROXY", "no_proxy"),
	}
	pf := cfg.ProxyFunc()
	return func(r *http.Request) (*url.URL, error) { return pf(r.URL) }
}

func firstEnv(env environment, names ...string) string {
	for _, n := range names {
		if v := env.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// defaultCacheDir is the user cache dir + /chainfix, resolved from this
// run's environment the way os.UserCacheDir does (which would read the
// process environment itself): %LocalAppData% on Windows,
// ~/Library/Caches on macOS, $XDG_CACHE_HOME or ~/.cache elsewhere.
// "" (no cache) when none can be found.
func (st *state) defaultCacheDir() string {
	var base string
	switch runtime.GOOS {
	case "windows":
		base = st.env.Getenv("LocalAppData")
	case "darwin", "ios":
		if h := st.env.Getenv("HOME"); h != "" {
			base = filepath.Join(h, "Library", "Caches")
		}
	default:
		base = st.env.Getenv("XDG_CACHE_HOME")
		if base == "" {
			if h := st.env.Getenv("HOME"); h != "" {
				base = filepath.Join(h, ".cache")
			}
		}
	}
	if base == "" {
		st.log.Debugf("no user cache directory (HOME unset); AIA cache off")
		return ""
	}
	return filepath.Join(base, "chainfix")
}

// keyInput reads --key, or nil when it is not given.
func (st *state) keyInput(c *cli.Context) (*source.Input, error) {
	k := c.String(flagKey)
	if k == "" {
		return nil, nil
	}
	in, err := source.Read(k, st.stdin)
	if err != nil {
		return nil, err
	}
	return &in, nil
}

// checkOptions reads --name and --warn-days.
func checkOptions(c *cli.Context) (repair.DiagnoseOptions, error) {
	var o repair.DiagnoseOptions
	for _, n := range c.StringSlice(flagNames) {
		n, err := repair.CheckName(n)
		if err != nil {
			return o, usagef("--name %v", err)
		}
		o.Names = append(o.Names, n)
	}
	days := c.Int(flagWarnDays)
	if days < 0 {
		return o, usagef("--warn-days %d: want 0 or more", days)
	}
	o.ExpiryWarning = time.Duration(days) * 24 * time.Hour
	if days == 0 {
		o.ExpiryWarning = time.Nanosecond // 0 means the default downstream
	}
	return o, nil
}
