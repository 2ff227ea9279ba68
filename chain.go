package main

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/net/http/httpproxy"

	"chainfix/bundle"
	"chainfix/fetch"
	"chainfix/pfx"
)

// A whole run's network work (AIA and --host) is bounded, so that a chain
// of slow servers cannot keep an upload script waiting: at least
// minOverallDeadline, or deadlineRequests times the per-request --timeout
// when that is longer (a handful of slow fetches up a 3-level chain).
const (
	minOverallDeadline = 60 * time.Second
	deadlineRequests   = 6
)

// overallDeadline is the run's network budget for a per-request timeout.
func overallDeadline(perRequest time.Duration) time.Duration {
	return max(minOverallDeadline, deadlineRequests*perRequest)
}

// chainJob is a chain request resolved from the command line.
type chainJob struct {
	files       []string
	host        string
	dial        fetch.DialOptions
	pool        []string
	roots       []string
	at          time.Time
	keyUsages   []x509.ExtKeyUsage
	leafName    string
	untrusted   bool
	fetch       fetch.Options
	password    pfx.PasswordFunc
	allowBroken bool // check: return what was found even when Build fails
}

// chainOutcome is what building produced.
type chainOutcome struct {
	input     []*x509.Certificate // the certificates given, in the order given, without duplicates
	given     []*x509.Certificate // the same with duplicates: what a server would send
	served    *fetch.Served       // with --host: what the server sent
	keys      []foundKey          // keys found among the inputs
	result    *bundle.Result
	err       error // with allowBroken: why Build failed
	at        time.Time
	keyUsages []x509.ExtKeyUsage
}

// parseChainJob reads the chain flags common to build, pfx and check.
func (st *state) parseChainJob(c *cli.Context, password pfx.PasswordFunc) (*chainJob, error) {
	job := &chainJob{
		files:     c.Args().Slice(),
		host:      c.String(flagHost),
		pool:      c.StringSlice(flagPool),
		roots:     c.StringSlice(flagRoots),
		leafName:  c.String(flagLeafCN),
		untrusted: c.Bool(flagAllowUntrusted),
		password:  password,
	}
	at, err := parseAt(c.String(flagAt))
	if err != nil {
		return nil, err
	}
	job.at = at
	switch p := c.String(flagPurpose); p {
	case "server", "":
		job.keyUsages = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	case "client":
		job.keyUsages = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	case "any":
		job.keyUsages = []x509.ExtKeyUsage{x509.ExtKeyUsageAny}
	default:
		return nil, usagef("--purpose %q: want server, client or any", p)
	}
	stdinCount := 0
	for _, f := range job.files {
		if f == "-" {
			stdinCount++
		}
	}
	if stdinCount > 1 {
		return nil, usagef("stdin (-) given %d times; it can be read once", stdinCount)
	}
	if job.host != "" && len(job.files) > 0 {
		return nil, usagef("give files or --host, not both (use --pool for extra certificates)")
	}
	if job.host == "" {
		for _, f := range []string{flagServerName, flagStartTLS} {
			if c.IsSet(f) {
				return nil, usagef("--%s goes with --host", f)
			}
		}
	}
	switch s := c.String(flagStartTLS); s {
	case "", "smtp", "imap", "pop3", "ftp", "postgres":
		job.dial = fetch.DialOptions{ServerName: c.String(flagServerName), ConnectTimeout: c.Duration(flagConnectTimeout), StartTLS: s}
	default:
		return nil, usagef("--starttls %q: want smtp, imap, pop3, ftp or postgres", s)
	}
	if c.Duration(flagTimeout) <= 0 || c.Duration(flagConnectTimeout) <= 0 {
		return nil, usagef("timeouts must be positive")
	}
	job.fetch = fetch.Options{
		At:        job.at,
		Timeout:   c.Duration(flagTimeout),
		Offline:   c.Bool(flagOffline),
		UserAgent: "chainfix/" + version() + " (+certificate chain repair)",
		Logger:    st.log,
		Proxy:     st.proxyFunc(),
	}
	if !c.Bool(flagNoCache) {
		dir := c.String(flagCacheDir)
		if dir == "" {
			dir = st.defaultCacheDir()
		}
		job.fetch.CacheDir = dir
	} else if c.IsSet(flagCacheDir) {
		return nil, usagef("--no-cache contradicts --cache-dir")
	}
	if job.host != "" && job.fetch.Offline {
		return nil, usagef("--host needs the network; it contradicts --offline")
	}
	return job, nil
}

// parseAt reads --at: RFC 3339, or a plain date meaning midnight UTC.
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

// buildChain runs decode -> fetch -> build for a job.
func (st *state) buildChain(job *chainJob) (*chainOutcome, error) {
	ctx, cancel := context.WithTimeout(context.Background(), overallDeadline(max(job.fetch.Timeout, job.dial.ConnectTimeout)))
	defer cancel()
	out := &chainOutcome{at: job.at, keyUsages: job.keyUsages}

	roots, rootsFrom, err := st.loadRoots(job.roots)
	if err != nil {
		return nil, err
	}
	st.log.Infof("trusting %d roots from %s", len(roots), rootsFrom)

	var pool []*x509.Certificate
	if len(job.pool) > 0 {
		p, err := st.loadFiles(job.pool, true, job.password)
		if err != nil {
			return nil, err
		}
		pool = p.certs
	}

	if job.host != "" {
		served, err := fetch.Endpoint(ctx, job.host, job.dial)
		if err != nil {
			return nil, err // it names the address already
		}
		out.served = served
		out.input = dedupe(served.Certificates)
		out.given = served.Certificates
		st.log.Infof("%s (%s) sent %s over %s", job.host, served.Address, certCount(len(served.Certificates)), tlsVersionName(served.Version))
		if len(served.Certificates) == 0 {
			return nil, fmt.Errorf("%s: the server sent no certificate", job.host)
		}
	} else {
		files := job.files
		if len(files) == 0 {
			if isTerminal(st.stdin) {
				return nil, &usageError{msg: errNoInput.Error()}
			}
			files = []string{"-"}
		}
		in, err := st.loadFiles(files, false, job.password)
		if err != nil {
			return nil, err
		}
		out.input, out.given, out.keys = in.certs, in.given, in.keys
	}

	opts := bundle.Options{
		Roots:          roots,
		Pool:           pool,
		At:             job.at,
		KeyUsages:      job.keyUsages,
		AllowUntrusted: job.untrusted || job.allowBroken,
	}
	client := fetch.New(job.fetch)
	opts.Source = client
	if job.leafName != "" {
		leaf, err := pickLeaf(out.input, job.leafName, job.at)
		if err != nil {
			return nil, err
		}
		opts.Leaf = leaf
	}
	res, err := bundle.Build(ctx, out.input, opts)
	if n := client.Requests(); n > 0 {
		st.log.Infof("AIA: %d HTTP requests", n)
	}
	if err != nil {
		err = explainBuildError(err, job)
		if job.allowBroken {
			out.err = err
			return out, nil
		}
		return nil, err
	}
	out.result = res
	return out, nil
}

// dedupe drops repeated certificates, keeping the first of each.
func dedupe(certs []*x509.Certificate) []*x509.Certificate {
	seen := map[string]bool{}
	var out []*x509.Certificate
	for _, c := range certs {
		if !seen[string(c.Raw)] {
			seen[string(c.Raw)] = true
			out = append(out, c)
		}
	}
	return out
}

// pickLeaf finds the certificate --leaf-cn names: by common name, DNS
// name, or a prefix (8 hex digits at least) of its SHA-256 fingerprint or
// SHA-1 thumbprint. Several certificates with that name (an old one and its
// renewal): the one valid at the validation time, then the newest.
func pickLeaf(certs []*x509.Certificate, name string, at time.Time) (*x509.Certificate, error) {
	var found []*x509.Certificate
	hex := strings.ToLower(strings.ReplaceAll(name, ":", ""))
	for _, c := range certs {
		match := strings.EqualFold(c.Subject.CommonName, name)
		for _, d := range c.DNSNames {
			match = match || strings.EqualFold(d, name)
		}
		if len(hex) >= 8 {
			s256 := sha256.Sum256(c.Raw)
			match = match || strings.HasPrefix(fmt.Sprintf("%x", s256), hex) || strings.HasPrefix(strings.ToLower(sha1Thumbprint(c)), hex)
		}
		if match {
			found = append(found, c)
		}
	}
	if len(found) == 0 {
		return nil, fmt.Errorf("--leaf-cn %q: no input certificate has that common name, DNS name or fingerprint", name)
	}
	valid := func(c *x509.Certificate) bool { return !at.Before(c.NotBefore) && !at.After(c.NotAfter) }
	slices.SortStableFunc(found, func(a, b *x509.Certificate) int {
		if va, vb := valid(a), valid(b); va != vb {
			if va {
				return -1
			}
			return 1
		}
		return b.NotBefore.Compare(a.NotBefore)
	})
	if len(found) > 1 && valid(found[0]) == valid(found[1]) && found[0].NotBefore.Equal(found[1].NotBefore) {
		return nil, fmt.Errorf("--leaf-cn %q: %d input certificates match equally; give a SHA-256 fingerprint prefix instead", name, len(found))
	}
	return found[0], nil
}

// explainBuildError adds the hint an admin needs to the builder's error.
func explainBuildError(err error, job *chainJob) error {
	var missing *bundle.MissingIssuerError
	var untrusted *bundle.UntrustedError
	switch {
	case errors.As(err, &missing):
		hint := "give it with --pool (a private root: with --roots)"
		if job.fetch.Offline {
			hint += "; offline: nothing was fetched"
		}
		return fmt.Errorf("%w; %s", err, hint)
	case errors.As(err, &untrusted):
		return fmt.Errorf("%w; if this is your private CA, pass its root with --roots, or use --allow-untrusted", err)
	case errors.Is(err, bundle.ErrNoLeaf):
		return fmt.Errorf("%w in the input", err)
	}
	return err
}
