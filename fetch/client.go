package fetch

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
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
//   - MaxRedirects 5: CA repositories redirect http->https or to a CDN once
//     or twice; more is a loop.

// maxURLsScanned bounds how many of a certificate's caIssuers URLs are
// looked at, tried or skipped. Only tried (http or https) URLs count toward
// Options.MaxURLs, so that ldap:// and file:// entries (Active Directory CS
// lists them first) do not crowd out the http one; real certificates list a
// handful, and a certificate with hundreds is hostile and must not make us
// walk them all.
const maxURLsScanned = 20

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
// section 4.2.2.1). It is safe for concurrent use; each URL is requested at
// most once per Client and its answer (or failure) kept for the Client's life.
type Client struct {
	opts   Options
	log    logrus.FieldLogger
	http   *http.Client
	budget *countingTransport

	mu    sync.Mutex
	calls map[callKey]*call
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
	log := opts.Logger
	if log == nil {
		l := logrus.New()
		l.SetOutput(io.Discard)
		l.SetLevel(logrus.PanicLevel)
		log = l
	}

	// Clone the default transport to keep its connection pooling, HTTP/2
	// and dial timeouts; Proxy is replaced by the caller's choice (the clone
	// would otherwise read the environment, which library code must not).
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = opts.Proxy
	budget := &countingTransport{base: tr, max: opts.MaxFetches}

	c := &Client{
		opts:   opts,
		log:    log,
		budget: budget,
		calls:  make(map[callKey]*call),
	}
	c.http = &http.Client{
		Transport:     budget,
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
	return t.base.RoundTrip(req)
}

func (t *countingTransport) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.n
}

// Requests returns how many HTTP requests the Client has sent so far
// (redirects included; cache hits and refused schemes not).
func (c *Client) Requests() int { return c.budget.count() }

// Issuers returns the certificates that signed cert, fetched from its AIA
// caIssuers URLs, followed by the other certificates of the same answer (a
// PKCS #7 bundle may also carry a root or a cross-sign) as candidates.
//
// URLs are tried in the certificate's order: at most Options.MaxURLs http
// or https URLs, among at most 20 looked at (other schemes are listed as
// skipped without using up MaxURLs); the first URL whose answer holds a
// signer of cert ends the search. A certificate without caIssuers URLs
// gives (nil, nil): the caller reports the missing issuer.
// When no URL yields a signer the error is an *AIAError listing each URL's
// failure. Offline, URLs missing from the cache are passed over; if all
// are, the result is (nil, nil).
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

	var attempts []Attempt
	misses, tried, notTried, limit := 0, 0, 0, 0
	for i, u := range urls {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("fetch issuer of %s: %w", subjectName(cert), err)
		}
		if tried == c.opts.MaxURLs || i == maxURLsScanned {
			notTried, limit = len(urls)-i, c.opts.MaxURLs
			if i == maxURLsScanned {
				limit = maxURLsScanned
			}
			c.log.WithFields(logrus.Fields{"cert": subjectName(cert), "urls": len(urls), "not_tried": notTried, "limit": limit}).
				Info("too many AIA URLs: trying only the first ones")
			break
		}
		log := c.log.WithFields(logrus.Fields{"url": u, "cert": subjectName(cert)})
		if err := checkURL(u); err != nil {
			log.WithError(err).Debug("AIA URL skipped")
			attempts = append(attempts, Attempt{URL: u, Err: err})
			continue
		}
		tried++
		a := c.lookup(ctx, callKey{url: u}, log)
		if a.err == nil && a.source == sourceCache {
			if why := c.stale(a.certs, cert); why != "" {
				a = c.refresh(ctx, u, cert, a, why, log)
			}
		}
		if a.err != nil {
			if errors.Is(a.err, ErrOfflineMiss) {
				misses++
			}
			attempts = append(attempts, Attempt{URL: u, Err: a.err})
			continue
		}
		signers, others := splitSigners(a.certs, cert)
		if len(signers) == 0 {
			var err error
			if a.source == sourceCache {
				// Only offline: online, a stale entry is fetched again.
				err = fmt.Errorf("%w: the cached answer holds %s, which did not sign %s (offline: not fetched again)", ErrNotIssuer, names(a.certs), subjectName(cert))
			} else {
				err = fmt.Errorf("%w: returned %s, which did not sign %s", ErrNotIssuer, names(a.certs), subjectName(cert))
			}
			log.WithField("source", a.source).
				Infof("AIA URL %s for %s returned %s, which did not sign %s", u, subjectName(cert), names(a.certs), subjectName(cert))
			attempts = append(attempts, Attempt{URL: u, Err: err})
			continue
		}
		return append(signers, others...), nil
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("fetch issuer of %s: %w", subjectName(cert), err)
	}
	if c.opts.Offline && misses > 0 && misses == len(attempts)-countSkipped(attempts) {
		// Offline with a cold cache is not a failure of the URLs: the
		// builder reports the missing issuer.
		return nil, nil
	}
	return nil, &AIAError{Cert: cert, Attempts: attempts, NotTried: notTried, Limit: limit}
}

// stale says why a cached answer cannot serve child: none of its
// certificates signed child, or every signer expired before Options.At.
// "" means the answer is good.
func (c *Client) stale(certs []*x509.Certificate, child *x509.Certificate) string {
	signers, _ := splitSigners(certs, child)
	if len(signers) == 0 {
		return fmt.Sprintf("holds %s, which did not sign %s", names(certs), subjectName(child))
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
		log.Info("AIA cache entry stale; offline: not fetched again")
		return cached
	}
	log.Info("AIA cache entry stale: fetching again")
	fresh := c.lookup(ctx, callKey{url: rawURL, network: true}, log)
	if fresh.err != nil && !isContextErr(fresh.err) {
		if signers, _ := splitSigners(cached.certs, child); len(signers) > 0 {
			log.WithError(fresh.err).Info("AIA fetch failed: using the expired cached issuer")
			return cached
		}
	}
	return fresh
}

func countSkipped(attempts []Attempt) int {
	n := 0
	for _, a := range attempts {
		if errors.Is(a.Err, ErrSkippedScheme) {
			n++
		}
	}
	return n
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
func splitSigners(certs []*x509.Certificate, child *x509.Certificate) (signers, others []*x509.Certificate) {
	seen := make(map[string]bool, len(certs))
	for _, c := range certs {
		if seen[string(c.Raw)] {
			continue
		}
		seen[string(c.Raw)] = true
		// CheckSignature with the child's own algorithm, not
		// CheckSignatureFrom: the latter refuses SHA-1 and checks CA
		// flags, which is the builder's business, not the fetcher's.
		if c.CheckSignature(child.SignatureAlgorithm, child.RawTBSCertificate, child.Signature) == nil {
			signers = append(signers, c)
		} else {
			others = append(others, c)
		}
	}
	return signers, others
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
	for {
		c.mu.Lock()
		if cl, ok := c.calls[key]; ok {
			c.mu.Unlock()
			select {
			case <-cl.done:
			case <-ctx.Done():
				return answer{err: ctx.Err()}
			}
			if cl.res.err != nil && isContextErr(cl.res.err) && ctx.Err() == nil {
				continue // the fetching caller gave up, not us: try again
			}
			return cl.res
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

// load gets rawURL's certificates from the cache (if useCache) or the
// network; a good network answer is written to the cache.
func (c *Client) load(ctx context.Context, rawURL string, useCache bool, log logrus.FieldLogger) answer {
	if useCache && c.opts.CacheDir != "" {
		start := time.Now() // for the log only
		certs, n, err := readCache(c.opts.CacheDir, rawURL)
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
	// Logged here, once per URL however many certificates name it; a
	// problem is only info: a later URL may still work.
	certs, fields, err := c.get(ctx, rawURL)
	fields["source"] = sourceNetwork
	if err != nil {
		if ctx.Err() == nil {
			log.WithFields(fields).WithError(err).Info("AIA URL gave no certificate")
		}
		return answer{err: err, source: sourceNetwork}
	}
	log.WithFields(fields).Info("AIA fetch")
	if c.opts.CacheDir != "" {
		if err := writeCache(c.opts.CacheDir, rawURL, certs); err != nil {
			// Not fatal: the answer is good, only the next run will refetch.
			log.WithError(err).Warn("could not write the AIA cache")
		}
	}
	return answer{certs: certs, source: sourceNetwork}
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

	// time.Now measures the fetch for the log only; nothing is judged by it.
	start := time.Now()
	defer func() { fields["duration"] = time.Since(start).Round(time.Millisecond).String() }()
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fields, c.describeHTTPError(ctx, err)
	}
	defer resp.Body.Close()
	ctype := resp.Header.Get("Content-Type")
	fields["status"], fields["content_type"] = resp.Status, ctype
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
		return nil, fields, fmt.Errorf("read answer (status %s): %w", resp.Status, c.describeHTTPError(ctx, err))
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
func (c *Client) describeHTTPError(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	for _, s := range []error{ErrFetchBudget, ErrTooManyRedirects, ErrBadRedirect} {
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

// bodyPrefixLen bounds how much of an unexpected body a message shows:
// enough for an error page's title, not a whole page on one line.
const bodyPrefixLen = 80

// describeBody explains why a 2xx answer held no certificate: an HTML page,
// an empty body, or something else (with its first bytes).
func describeBody(body []byte, status, ctype string, err error) error {
	where := "status " + status + ", content-type " + ctype
	if ctype == "" {
		where = "status " + status + ", no content-type"
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return fmt.Errorf("%w: empty body (%s)", ErrNotCertificate, where)
	}
	switch sniffed := http.DetectContentType(trimmed); {
	case strings.HasPrefix(sniffed, "text/html"):
		return fmt.Errorf("%w: an HTML page (%s), starting %q", ErrNotCertificate, where, prefix(trimmed))
	case strings.HasPrefix(sniffed, "text/xml"):
		// S3-style <Error><Code>AccessDenied</Code>... from a bucket.
		return fmt.Errorf("%w: an XML document (%s), starting %q", ErrNotCertificate, where, prefix(trimmed))
	}
	return fmt.Errorf("%w (%s, %d bytes, starting %q): %w", ErrNotCertificate, where, len(body), prefix(trimmed), err)
}

// prefix returns the start of b with runs of white space folded to one
// space, for a one-line message.
func prefix(b []byte) string {
	if len(b) > 4*bodyPrefixLen {
		b = b[:4*bodyPrefixLen]
	}
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > bodyPrefixLen {
		s = s[:bodyPrefixLen]
	}
	return s
}
