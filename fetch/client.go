package fetch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sirupsen/logrus"
)

// Why the defaults in api.go are what they are:
//
//   - DefaultTimeout 10 s: Chrome's AIA fetcher gives up after 10 s; a CA
//     repository slower than that is down for practical purposes.
//   - DefaultMaxBody 256 KiB: one certificate is 1-2 KiB and the largest .p7c
//     bundles CAs publish hold a handful; Chrome stops at 64 KiB. Anything
//     bigger is not an issuer answer and must not fill memory.
//   - DefaultMaxURLs 5: Chrome tries at most 5 caIssuers URLs per certificate.
//   - DefaultMaxFetches 50: a real chain needs 1-3 fetches; 50 covers cross-
//     signed webs with mirrors while stopping a hostile AIA loop quickly.
//     It is per Client: a run of many jobs sharing one Client raises it.
//   - DefaultMaxPerHost 4: a CA repository serves millions of clients and
//     a run of many jobs shares one Client, so chainfix stays below the 6
//     connections per host browsers open, while a certificate's URLs on
//     one host (at most DefaultMaxURLs) still mostly go in parallel.
//   - MaxRedirects 5: CA repositories redirect http->https or to a CDN once
//     or twice; more is a loop.

// maxURLsScanned bounds how many of a certificate's caIssuers URLs are
// looked at, tried or skipped. Only tried (http or https) URLs count toward
// Options.MaxURLs, so that ldap:// and file:// entries (Active Directory CS
// lists them first) do not crowd out the http one; real certificates list a
// handful, and a certificate with hundreds is hostile and must not make us
// walk them all.
const maxURLsScanned = 20

// maxAttemptRecords bounds how many certificates' attempts a Client keeps
// for Attempts (the oldest are forgotten first). A caller reads them right
// after building a chain; a run of many jobs must not grow without bound.
const maxAttemptRecords = 10000

// acceptHeader lists the media types of RFC 5280 section 4.2.2.1 (DER
// certificate, certs-only CMS) and PEM; servers ignore it, but it documents
// what we want.
const acceptHeader = "application/pkix-cert, application/pkcs7-mime, application/x-x509-ca-cert, application/x-pem-file, */*"

// Sources of a URL's answer, for logs.
const (
	sourceNetwork = "network"
	sourceCache   = "cache"
)

// Client fetches issuers named by certificates' AIA caIssuers URLs (RFC 5280
// section 4.2.2.1). It is safe for concurrent use by many goroutines (a run
// of many jobs shares one): each URL is requested at most once per Client,
// however many callers ask at once, and its answer (or failure) kept for
// the Client's life; at most Options.MaxPerHost fetches go to one host at
// once.
type Client struct {
	opts   Options
	log    logrus.FieldLogger
	http   *http.Client
	budget *countingTransport
	guard  *guard

	mu      sync.Mutex
	calls   map[callKey]*call
	hosts   map[string]chan struct{} // per-host semaphores, by URL host
	tried   map[[32]byte][]Attempt   // by SHA-256 of the certificate, for Attempts
	triedAt [][32]byte               // keys of tried, oldest first

	cache cacheState
}

// callKey names one fetch: a URL as written, and whether the cache is
// bypassed (a refetch of a stale cache entry).
type callKey struct {
	url     string
	network bool
}

// call is one URL's answer, shared by every caller asking for that URL
// (a tiny singleflight plus memo).
type call struct {
	done chan struct{} // closed when res is set
	res  answer
}

// answer is what one URL gave: certificates, or why not.
type answer struct {
	certs  []*x509.Certificate // every certificate in the answer, in its order
	source string              // sourceNetwork or sourceCache
	err    error
}

// New returns a Client. Zero fields of opts get the defaults of api.go.
func New(opts Options) *Client {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	if opts.MaxURLs <= 0 {
		opts.MaxURLs = DefaultMaxURLs
	}
	if opts.MaxFetches <= 0 {
		opts.MaxFetches = DefaultMaxFetches
	}
	if opts.MaxPerHost <= 0 {
		opts.MaxPerHost = DefaultMaxPerHost
	}
	log := opts.Logger
	if log == nil {
		l := logrus.New()
		l.SetOutput(io.Discard)
		l.SetLevel(logrus.PanicLevel)
		log = l
	}

	// Clone the default transport to keep its connection pooling, HTTP/2
	// and timeouts; Proxy is replaced by the caller's choice (the clone
	// would otherwise read the environment, which library code must not),
	// and the dialer by one that applies the address policy (guard.go).
	g := newGuard(opts.PublicOnly)
	budget := &countingTransport{base: &lazyTransport{make: func() http.RoundTripper {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.Proxy = g.proxyFunc(opts.Proxy)
		tr.DialContext = g.dialContext
		return tr
	}}, max: opts.MaxFetches}

	c := &Client{
		opts:   opts,
		log:    log,
		budget: budget,
		guard:  g,
		calls:  make(map[callKey]*call),
		hosts:  make(map[string]chan struct{}),
		tried:  make(map[[32]byte][]Attempt),
	}
	c.http = &http.Client{
		// The URL check comes first: a refused request is neither sent
		// nor counted against the budget.
		Transport:     &guardTransport{g: g, base: budget},
		Timeout:       opts.Timeout,
		CheckRedirect: checkRedirect,
	}
	return c
}

// checkRedirect allows at most MaxRedirects redirects, to http or https only
// (a redirect to file:// or ldap:// must not be followed any more than such
// a URL in the certificate).
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > MaxRedirects {
		return fmt.Errorf("%w (more than %d, last to %s)", ErrTooManyRedirects, MaxRedirects, req.URL.Redacted())
	}
	if s := req.URL.Scheme; s != "http" && s != "https" {
		return fmt.Errorf("%w: %s", ErrBadRedirect, req.URL.Redacted())
	}
	return nil
}

// lazyTransport makes its transport on the first request: a run that the
// cache answers never makes one (a clone of http.DefaultTransport, a few
// tens of microseconds of a process that lives a few milliseconds).
type lazyTransport struct {
	once sync.Once
	make func() http.RoundTripper
	rt   http.RoundTripper
}

func (t *lazyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.once.Do(func() { t.rt = t.make() })
	return t.rt.RoundTrip(req)
}

// countingTransport counts the requests actually sent and enforces the
// fetch budget (redirects count: each is a request).
type countingTransport struct {
	base http.RoundTripper
	max  int

	mu sync.Mutex
	n  int
}

func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.mu.Lock()
	if t.n >= t.max {
		t.mu.Unlock()
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, fmt.Errorf("%w (%d requests)", ErrFetchBudget, t.max)
	}
	t.n++
	t.mu.Unlock()
	resp, err := t.base.RoundTrip(req)
	if errors.Is(err, ErrRefusedAddress) {
		// Refused before connecting: nothing was sent.
		t.mu.Lock()
		t.n--
		t.mu.Unlock()
	}
	return resp, err
}

func (t *countingTransport) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.n
}

// Requests returns how many HTTP requests the Client has sent so far
// (redirects included; cache hits, refused schemes and refused addresses
// not).
func (c *Client) Requests() int { return c.budget.count() }

// Issuers returns the certificates that signed cert, fetched from its AIA
// caIssuers URLs, followed by the other certificates of the same answers (a
// PKCS #7 bundle may also carry a root or a cross-sign) as candidates.
//
// Every http or https URL is asked, concurrently: at most Options.MaxURLs
// of them, among at most 20 URLs looked at (other schemes are listed as
// skipped without using up MaxURLs). The signers of all answers come
// first, without duplicates, in URL order, then the other certificates of
// the answers that held a signer: when the first URL's issuer only gives
// an invalid path (expired, or ending at an untrusted root), the builder
// can still use the second URL's. A certificate without caIssuers URLs
// gives (nil, nil): the caller reports the missing issuer.
//
// When no URL yields a signer the error is an *AIAError listing each URL's
// failure. A URL that failed while another succeeded is not an error:
// Attempts reports it. Offline, URLs missing from the cache are passed
// over; if all are, the result is (nil, nil).
//
// A cache entry none of whose certificates signed cert, or whose signers
// all expired before Options.At, is stale: the URL is fetched again and the
// entry replaced. Offline, or when that fetch fails, an expired cached
// signer is still returned (the builder judges dates) and a cached
// non-signer is reported as such.
func (c *Client) Issuers(ctx context.Context, cert *x509.Certificate) ([]*x509.Certificate, error) {
	urls := cert.IssuingCertificateURL
	if len(urls) == 0 {
		return nil, nil
	}
	log := c.log.WithField("cert", subjectName(cert))

	// attempts has one entry per URL looked at; fetch indexes those to ask.
	var attempts []Attempt
	var fetch []int
	notTried, limit := 0, 0
	for i, u := range urls {
		if len(fetch) == c.opts.MaxURLs || i == maxURLsScanned {
			notTried, limit = len(urls)-i, c.opts.MaxURLs
			if i == maxURLsScanned {
				limit = maxURLsScanned
			}
			log.WithFields(logrus.Fields{"urls": len(urls), "not_tried": notTried, "limit": limit}).
				Debug("too many AIA URLs: asking only the first ones")
			break
		}
		if err := checkURL(u); err != nil {
			log.WithField("url", u).WithError(err).Debug("AIA URL skipped")
			attempts = append(attempts, Attempt{URL: u, Err: err})
			continue
		}
		fetch = append(fetch, len(attempts))
		attempts = append(attempts, Attempt{URL: u})
	}

	answers := make([]answer, len(attempts))
	ask := func(i int) {
		u := attempts[i].URL
		answers[i] = c.resolve(ctx, cert, u, log.WithField("url", u))
	}
	if len(fetch) == 1 {
		// Nearly every certificate names one URL: asked here, a cached
		// answer costs no goroutine, and no thread to run it on (a short
		// run starts one for each, at about 0.1 ms apiece).
		ask(fetch[0])
	} else {
		var wg sync.WaitGroup
		for _, i := range fetch {
			wg.Go(func() { ask(i) })
		}
		wg.Wait()
	}

	var signers, others []*x509.Certificate
	seen := make(map[string]bool)
	misses := 0
	for _, i := range fetch {
		a := answers[i]
		attempts[i].FromCache = a.source == sourceCache
		if a.err != nil {
			if errors.Is(a.err, ErrOfflineMiss) {
				misses++
			}
			attempts[i].Err = a.err
			continue
		}
		s, o := c.splitSigners(a.certs, cert)
		if len(s) == 0 {
			if a.source == sourceCache {
				// Only offline: online, a stale entry is fetched again.
				attempts[i].Err = fmt.Errorf("%w: the cached answer holds %s (offline: not fetched again)", ErrNotIssuer, names(a.certs))
			} else {
				attempts[i].Err = fmt.Errorf("%w: it holds %s", ErrNotIssuer, names(a.certs))
			}
			continue
		}
		for _, sc := range s {
			if !seen[string(sc.Raw)] {
				seen[string(sc.Raw)] = true
				signers = append(signers, sc)
			}
		}
		answers[i].certs = o // the candidates, added after every signer
	}
	for _, i := range fetch {
		if attempts[i].Err != nil {
			continue
		}
		for _, oc := range answers[i].certs {
			if !seen[string(oc.Raw)] {
				seen[string(oc.Raw)] = true
				others = append(others, oc)
			}
		}
	}
	c.record(cert, attempts)

	if len(signers) > 0 {
		return append(signers, others...), nil
	}
	if c.opts.Offline && misses > 0 && misses == len(fetch) {
		// Offline with a cold cache is not a failure of the URLs: the
		// builder reports the missing issuer.
		return nil, nil
	}
	return nil, &AIAError{Cert: cert, Attempts: attempts, NotTried: notTried, Limit: limit}
}

// Attempts returns what happened to each caIssuers URL of cert the last
// time Issuers was asked about it, in the certificate's order: every URL
// looked at (skipped schemes included, URLs beyond the limits not), with
// its error (nil: it gave a signer) and whether the answer came from the
// cache. It reports the URLs that failed while another succeeded, which
// Issuers does not return as an error. Nil when Issuers was never asked
// about cert (or about 10 000 other certificates since).
func (c *Client) Attempts(cert *x509.Certificate) []Attempt {
	if cert == nil {
		return nil
	}
	key := sha256.Sum256(cert.Raw)
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.tried[key])
}

// record keeps cert's attempts for Attempts, forgetting the oldest
// certificate beyond maxAttemptRecords.
func (c *Client) record(cert *x509.Certificate, attempts []Attempt) {
	key := sha256.Sum256(cert.Raw)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.tried[key]; !ok {
		c.triedAt = append(c.triedAt, key)
	}
	c.tried[key] = attempts
	for len(c.triedAt) > maxAttemptRecords {
		delete(c.tried, c.triedAt[0])
		c.triedAt = c.triedAt[1:]
	}
}

// resolve returns rawURL's answer for child: cached or fetched, and
// fetched again when the cached one is stale for child.
func (c *Client) resolve(ctx context.Context, child *x509.Certificate, rawURL string, log logrus.FieldLogger) answer {
	a := c.lookup(ctx, callKey{url: rawURL}, log)
	if a.err == nil && a.source == sourceCache {
		if why := c.stale(a.certs, child); why != "" {
			a = c.refresh(ctx, rawURL, child, a, why, log)
		}
	}
	return a
}

// stale says why a cached answer cannot serve child: none of its
// certificates signed child, or every signer expired before Options.At.
// "" means the answer is good.
func (c *Client) stale(certs []*x509.Certificate, child *x509.Certificate) string {
	signers, _ := c.splitSigners(certs, child)
	if len(signers) == 0 {
		return fmt.Sprintf("holds %s, which did not sign the certificate", names(certs))
	}
	if c.opts.At.IsZero() {
		return ""
	}
	for _, s := range signers {
		if !s.NotAfter.Before(c.opts.At) {
			return ""
		}
	}
	return fmt.Sprintf("holds %s, which expired before %s", names(signers), c.opts.At.UTC().Format(time.RFC3339))
}

// refresh replaces a stale cached answer by a fresh fetch of rawURL (which
// also rewrites the cache entry). Offline, or when the fetch fails and the
// cached answer holds an expired signer of child, the cached answer is
// kept: an expired issuer says more than a 404.
func (c *Client) refresh(ctx context.Context, rawURL string, child *x509.Certificate, cached answer, why string, log logrus.FieldLogger) answer {
	log = log.WithField("reason", why)
	if c.opts.Offline {
		log.Debug("AIA cache entry stale, but offline")
		return cached
	}
	log.Info("AIA cache entry stale: fetching again")
	fresh := c.lookup(ctx, callKey{url: rawURL, network: true}, log)
	if fresh.err != nil && !isContextErr(fresh.err) {
		if signers, _ := c.splitSigners(cached.certs, child); len(signers) > 0 {
			log.WithError(fresh.err).Info("AIA fetch failed: using the expired cached issuer")
			return cached
		}
	}
	return fresh
}

// checkURL refuses what is not an http or https URL with a host: other
// schemes are never read (ErrSkippedScheme), unparsable URLs are reported.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("bad URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return ErrSkippedScheme
	}
	if u.Host == "" {
		return errors.New("bad URL: no host")
	}
	return nil
}

// splitSigners returns the certificates of certs that signed child, then the
// others, each in answer order, without duplicates.
func (c *Client) splitSigners(certs []*x509.Certificate, child *x509.Certificate) (signers, others []*x509.Certificate) {
	signed := c.opts.Signed
	if signed == nil {
		signed = checkSignature
	}
	seen := make(map[string]bool, len(certs))
	for _, cert := range certs {
		if seen[string(cert.Raw)] {
			continue
		}
		seen[string(cert.Raw)] = true
		if signed(cert, child) {
			signers = append(signers, cert)
		} else {
			others = append(others, cert)
		}
	}
	return signers, others
}

// checkSignature says whether parent's key verifies child's signature:
// CheckSignature with the child's own algorithm, not CheckSignatureFrom,
// which refuses SHA-1 and checks CA flags, the builder's business, not the
// fetcher's.
func checkSignature(parent, child *x509.Certificate) bool {
	return parent.CheckSignature(child.SignatureAlgorithm, child.RawTBSCertificate, child.Signature) == nil
}

// names lists certificates' subjects for a message.
func names(certs []*x509.Certificate) string {
	var b bytes.Buffer
	for i, c := range certs {
		if i > 0 {
			b.WriteString(" and ")
		}
		b.WriteString(subjectName(c))
	}
	return b.String()
}

// lookup returns the answer of key.url, from the cache unless key.network,
// fetching it at most once per Client and key even when asked concurrently.
// A fetch that failed only because its caller's context ended is
// forgotten, so that a later caller retries.
func (c *Client) lookup(ctx context.Context, key callKey, log logrus.FieldLogger) answer {
	start := time.Now() // for a deadline's message only
	for {
		c.mu.Lock()
		if cl, ok := c.calls[key]; ok {
			c.mu.Unlock()
			select {
			case <-cl.done: // a known answer is given even past the deadline
			default:
				select {
				case <-cl.done:
				case <-ctx.Done():
					return answer{err: contextError(ctx, key.url, start)}
				}
			}
			if cl.res.err != nil && isContextErr(cl.res.err) && ctx.Err() == nil {
				continue // the fetching caller gave up, not us: try again
			}
			return cl.res
		}
		if ctx.Err() != nil {
			c.mu.Unlock()
			return answer{err: contextError(ctx, key.url, start)}
		}
		cl := &call{done: make(chan struct{})}
		c.calls[key] = cl
		c.mu.Unlock()

		cl.res = c.load(ctx, key.url, !key.network, log)
		if cl.res.err != nil && ctx.Err() != nil {
			c.mu.Lock()
			delete(c.calls, key)
			c.mu.Unlock()
		}
		close(cl.done)
		return cl.res
	}
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// contextError words the end of ctx for a fetch of rawURL begun at start:
// a *DeadlineError for the run's deadline, context.Canceled as is.
func contextError(ctx context.Context, rawURL string, start time.Time) error {
	err := ctx.Err()
	if !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return &DeadlineError{URL: rawURL, Waited: roundWait(time.Since(start))}
}

// roundWait rounds a wait for a message: "1m0s", "12s", "2.5s", "300ms".
func roundWait(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Second:
		return d.Round(time.Second)
	case d >= time.Second:
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}

// load gets rawURL's certificates from the cache (if useCache) or the
// network; a good network answer is written to the cache.
func (c *Client) load(ctx context.Context, rawURL string, useCache bool, log logrus.FieldLogger) answer {
	dir := c.cacheDir()
	if useCache && dir != "" {
		start := time.Now() // for the log only
		certs, n, err := readCache(dir, rawURL)
		switch {
		case err == nil:
			log.WithFields(logrus.Fields{
				"bytes":    n,
				"duration": time.Since(start).Round(time.Microsecond).String(),
				"source":   sourceCache,
			}).Info("AIA issuer from cache")
			return answer{certs: certs, source: sourceCache}
		case errors.Is(err, errCacheMiss):
			log.Debug("AIA cache miss")
		default:
			log.WithError(err).Debug("AIA cache entry ignored")
		}
	}
	if c.opts.Offline {
		log.Debug("offline: not fetching URL")
		return answer{err: ErrOfflineMiss}
	}
	// Logged here, once per URL however many certificates name it. A
	// failure is returned, not logged: the trace keeps only the exchange's
	// facts (status, size, duration).
	certs, fields, err := c.get(ctx, rawURL)
	fields["source"] = sourceNetwork
	if err != nil {
		log.WithFields(fields).Debug("AIA request done")
		return answer{err: err, source: sourceNetwork}
	}
	log.WithFields(fields).Info("AIA fetch")
	if dir != "" {
		if err := c.store(dir, rawURL, certs); err != nil {
			// Not fatal: the answer is good, only the next run will refetch.
			log.WithError(err).Warn("could not write the AIA cache")
		}
	}
	return answer{certs: certs, source: sourceNetwork}
}

// hostSlots returns the semaphore of a URL host.
func (c *Client) hostSlots(host string) chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.hosts[host]
	if !ok {
		s = make(chan struct{}, c.opts.MaxPerHost)
		c.hosts[host] = s
	}
	return s
}

// get requests rawURL and decodes its certificates. fields describe the
// exchange for the log (status, content type, bytes, duration).
func (c *Client) get(ctx context.Context, rawURL string) ([]*x509.Certificate, logrus.Fields, error) {
	fields := logrus.Fields{}
	// NewRequest keeps the URL's escaping as written (RawPath), so a path
	// with %20 is sent as is.
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fields, fmt.Errorf("bad URL: %w", err)
	}
	if c.opts.UserAgent != "" {
		req.Header.Set("User-Agent", c.opts.UserAgent)
	}
	req.Header.Set("Accept", acceptHeader)

	// time.Now measures the fetch for the log and a deadline's message
	// only; nothing is judged by it.
	start := time.Now()
	defer func() { fields["duration"] = time.Since(start).Round(time.Millisecond).String() }()

	// At most MaxPerHost fetches at once to the URL's host (a redirect
	// elsewhere is not counted again). Waiting for a slot does not count
	// against Options.Timeout, which starts with the request; the run's
	// deadline still bounds it.
	slots := c.hostSlots(strings.ToLower(req.URL.Host))
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return nil, fields, contextError(ctx, rawURL, start)
	}
	defer func() { <-slots }()

	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fields, c.describeHTTPError(ctx, rawURL, start, err)
	}
	defer resp.Body.Close()
	ctype := resp.Header.Get("Content-Type")
	fields["status"], fields["content_type"] = printable(resp.Status, maxHeaderShown), printable(ctype, maxHeaderShown)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fields, &HTTPStatusError{StatusCode: resp.StatusCode, Status: resp.Status, ContentType: ctype}
	}
	// Refuse an announced oversize body without reading a byte of it;
	// otherwise read one byte past the limit to detect overflow. Closing
	// the unread body drops the connection, so the rest is never received.
	if resp.ContentLength > c.opts.MaxBody {
		return nil, fields, fmt.Errorf("%w: %d bytes announced, limit %d", ErrBodyTooLarge, resp.ContentLength, c.opts.MaxBody)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.opts.MaxBody+1))
	fields["bytes"] = len(body)
	if err != nil {
		return nil, fields, fmt.Errorf("read answer (status %s): %w", printable(resp.Status, maxHeaderShown), c.describeHTTPError(ctx, rawURL, start, err))
	}
	if int64(len(body)) > c.opts.MaxBody {
		return nil, fields, fmt.Errorf("%w: more than %d bytes", ErrBodyTooLarge, c.opts.MaxBody)
	}
	certs, err := decodeBody(body)
	if err != nil {
		return nil, fields, describeBody(body, resp.Status, ctype, err)
	}
	return certs, fields, nil
}

// describeHTTPError turns a transport error into admin words, keeping the
// sentinel for errors.Is.
func (c *Client) describeHTTPError(ctx context.Context, rawURL string, start time.Time, err error) error {
	if ctx.Err() != nil {
		return contextError(ctx, rawURL, start)
	}
	var re *refusedError
	if errors.As(err, &re) {
		return re // without "Get URL: dial tcp ...": the URL is in front
	}
	for _, s := range []error{ErrFetchBudget, ErrTooManyRedirects, ErrBadRedirect, ErrRefusedAddress} {
		if errors.Is(err, s) {
			var ue *url.Error
			if errors.As(err, &ue) {
				return ue.Err
			}
			return err
		}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("%w: no answer within %v", ErrTimeout, c.opts.Timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err // the URL is in the caller's message already
	}
	return err
}

// describeBody explains why a 2xx answer held no certificate: an HTML page,
// an XML document, an empty body, or something else. It never quotes the
// body, nor the decoder's account of it (block types, names): those bytes
// come from whoever controls the URL, and a message or log line is no
// place for them (terminal escapes, forged log lines, a page reflecting a
// secret). The status, content type and size say enough; the decoder's
// error stays reachable by errors.Is and errors.As.
func describeBody(body []byte, status, ctype string, err error) error {
	where := "status " + printable(status, maxHeaderShown) + ", content-type " + printable(ctype, maxHeaderShown)
	if ctype == "" {
		where = "status " + printable(status, maxHeaderShown) + ", no content-type"
	}
	trimmed := bytes.TrimSpace(body)
	what := "neither DER, PEM nor PKCS #7 certificates"
	switch sniffed := http.DetectContentType(trimmed); {
	case len(trimmed) == 0:
		what = "an empty body"
	case strings.HasPrefix(sniffed, "text/html"):
		what = "an HTML page"
	case strings.HasPrefix(sniffed, "text/xml"):
		// S3-style <Error><Code>AccessDenied</Code>... from a bucket.
		what = "an XML document"
	}
	return &bodyError{msg: fmt.Sprintf("%v: %s (%s, %d bytes)", ErrNotCertificate, what, where, len(body)), err: err}
}

// bodyError is describeBody's error: its own words, the decoder's error
// underneath for errors.Is and errors.As.
type bodyError struct {
	msg string
	err error
}

func (e *bodyError) Error() string   { return e.msg }
func (e *bodyError) Unwrap() []error { return []error{ErrNotCertificate, e.err} }
