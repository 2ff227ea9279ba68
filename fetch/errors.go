package fetch

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Sentinels for errors.Is. Each is wrapped with the fact that locates it
// (URL, status, subject, address), so the message alone reads well.
var (
	// ErrSkippedScheme: a caIssuers URL that is not http or https (ldap://,
	// file://, ftp://) is never read. Active Directory CS lists ldap:// first.
	ErrSkippedScheme = errors.New("not fetched: only http and https URLs are read")
	// ErrBodyTooLarge: an AIA answer larger than Options.MaxBody.
	ErrBodyTooLarge = errors.New("answer too large")
	// ErrNotCertificate: an AIA answer that holds no certificate (an HTML
	// error page with status 200, an empty body, garbage).
	ErrNotCertificate = errors.New("answer holds no certificate")
	// ErrNotIssuer: the AIA answer holds certificates, none of which signed
	// the certificate whose AIA URL it was.
	ErrNotIssuer = errors.New("answer did not sign the certificate")
	// ErrTooManyRedirects: more than MaxRedirects redirects.
	ErrTooManyRedirects = errors.New("too many redirects")
	// ErrBadRedirect: a redirect to a scheme other than http or https.
	ErrBadRedirect = errors.New("redirect to a scheme other than http or https")
	// ErrFetchBudget: the Client already sent Options.MaxFetches requests.
	ErrFetchBudget = errors.New("fetch budget spent")
	// ErrOfflineMiss: offline and the URL is not in the cache.
	ErrOfflineMiss = errors.New("offline: not in the cache")
	// ErrTimeout: no answer within the configured timeout (AIA request,
	// TCP connect or TLS handshake). The end of the run's own deadline is
	// a *DeadlineError instead.
	ErrTimeout = errors.New("timed out")
	// ErrRefusedAddress: an AIA URL (or a redirect) leads to an address
	// the policy refuses: link-local (cloud metadata), multicast,
	// unspecified, and with Options.PublicOnly loopback and private
	// addresses. Nothing is sent to it. See the package documentation.
	ErrRefusedAddress = errors.New("address refused")

	// ErrLookup: the host name of an endpoint could not be resolved (no
	// such host, DNS server failure; with ErrTimeout when it timed out).
	ErrLookup = errors.New("host name lookup failed")
	// ErrConnectionRefused: nothing listens at the address.
	ErrConnectionRefused = errors.New("connection refused")
	// ErrNotTLS: the server answered plain text where a TLS handshake was
	// expected (a plain HTTP port, or a mail server that needs StartTLS).
	ErrNotTLS = errors.New("no TLS: the server answered plain text")
	// ErrProtocolVersion: the server speaks none of the versions chainfix
	// offers (TLS 1.0 to 1.3): it sent a protocol_version alert or chose
	// SSL 3.0.
	ErrProtocolVersion = errors.New("no protocol version in common: chainfix offers TLS 1.0 to 1.3")
	// ErrHandshake: the TLS handshake failed for another reason (see the
	// wrapped error).
	ErrHandshake = errors.New("TLS handshake failed")
	// ErrStartTLS: the server refused the StartTLS upgrade or broke its
	// protocol during it.
	ErrStartTLS = errors.New("StartTLS failed")
	// ErrUnknownStartTLS: DialOptions.StartTLS names no supported protocol.
	ErrUnknownStartTLS = errors.New("unknown StartTLS protocol (want smtp, imap, pop3, ftp or postgres)")
	// ErrBadAddress: SplitHostPort could not make sense of its input.
	ErrBadAddress = errors.New("bad address")
)

// HTTPStatusError is a non-2xx answer to an AIA request.
type HTTPStatusError struct {
	StatusCode  int
	Status      string // e.g. "404 Not Found"
	ContentType string
}

func (e *HTTPStatusError) Error() string {
	status := printable(e.Status, maxHeaderShown)
	if e.ContentType == "" {
		return "status " + status
	}
	return fmt.Sprintf("status %s (%s)", status, printable(e.ContentType, maxHeaderShown))
}

// DeadlineError is a fetch ended by the deadline of the caller's context
// (the run's time limit), as opposed to Options.Timeout (ErrTimeout). It
// wraps context.DeadlineExceeded for errors.Is.
type DeadlineError struct {
	URL string
	// Waited is how long this fetch had waited (for a connection slot, the
	// answer, or another caller fetching the same URL); zero when the
	// deadline had passed before it started.
	Waited time.Duration
}

func (e *DeadlineError) Error() string {
	if e.Waited <= 0 {
		return fmt.Sprintf("did not fetch %s: the run's time limit was reached", printable(e.URL, maxURLShown))
	}
	return fmt.Sprintf("gave up after %v waiting for %s: the run's time limit", e.Waited, printable(e.URL, maxURLShown))
}

// Unwrap returns context.DeadlineExceeded.
func (e *DeadlineError) Unwrap() error { return context.DeadlineExceeded }

// Attempt is what happened to one caIssuers URL of a certificate.
type Attempt struct {
	URL string
	// Err is nil when the answer held a signer of the certificate;
	// otherwise why not (ErrSkippedScheme for a URL not fetched,
	// ErrNotIssuer, an *HTTPStatusError, a *DeadlineError, ...).
	Err error
	// FromCache: the answer came from the on-disk cache, no request sent.
	FromCache bool
}

// String reads "URL: error", "URL: ok" or "URL: ok (cache)"; a
// *DeadlineError names the URL itself.
func (a Attempt) String() string {
	var de *DeadlineError
	u := printable(a.URL, maxURLShown)
	switch {
	case a.Err == nil && a.FromCache:
		return u + ": ok (cache)"
	case a.Err == nil:
		return u + ": ok"
	case errors.As(a.Err, &de) && de.URL == a.URL:
		return a.Err.Error()
	}
	return u + ": " + a.Err.Error()
}

// AIAError is returned by Client.Issuers when none of a certificate's
// caIssuers URLs yielded its issuer. It lists every URL looked at, in the
// certificate's order, with its failure; errors.Is sees through to each
// attempt's error. Its message does not name Cert: the caller, who passed
// the certificate to Issuers, adds it (one name per layer).
type AIAError struct {
	Cert     *x509.Certificate
	Attempts []Attempt
	// NotTried counts the URLs left unlooked at once Options.MaxURLs URLs
	// were fetched, or once 20 URLs were looked at (skipped ones included:
	// a certificate listing more is hostile).
	NotTried int
	// Limit is the bound that left NotTried URLs out: Options.MaxURLs, or
	// the 20 URLs looked at. Zero when NotTried is zero.
	Limit int
}

func (e *AIAError) Error() string {
	var b strings.Builder
	b.WriteString("no issuer found via AIA")
	for i, a := range e.Attempts {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(a.String())
	}
	if e.NotTried > 0 {
		what := "http URLs"
		if e.Limit == maxURLsScanned {
			what = "URLs looked at"
		}
		fmt.Fprintf(&b, " (%d more URLs not tried: limit %d %s per certificate)", e.NotTried, e.Limit, what)
	}
	return b.String()
}

// Unwrap returns the attempts' errors, for errors.Is and errors.As.
func (e *AIAError) Unwrap() []error {
	errs := make([]error, 0, len(e.Attempts))
	for _, a := range e.Attempts {
		if a.Err != nil {
			errs = append(errs, a.Err)
		}
	}
	return errs
}

// subjectName names a certificate for messages: its subject in RFC 2253
// form ("CN=R3,O=Let's Encrypt,C=US"), or its serial when the subject is
// empty. A fetched certificate's subject is written by a stranger: it is
// made printable and cut to maxNameShown characters.
func subjectName(c *x509.Certificate) string {
	if c == nil {
		return "<nil>"
	}
	if s := c.Subject.String(); s != "" {
		return printable(s, maxNameShown)
	}
	return "serial " + c.SerialNumber.String()
}

// Bounds on outside text in messages: a status line or content type is a
// few dozen characters, a subject rarely over a hundred, a caIssuers URL a
// hundred or two; longer is noise (or an attack on the reader's terminal)
// and is cut.
const (
	maxHeaderShown = 100
	maxNameShown   = 256
	maxURLShown    = 512
)

// printable returns s with every rune that is not printable (control
// characters, terminal escapes, invalid UTF-8) written as a Go escape, cut
// to at most max runes (then ending in "...").
func printable(s string, max int) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == max {
			b.WriteString("...")
			break
		}
		n++
		if r != utf8.RuneError && unicode.IsPrint(r) {
			b.WriteRune(r)
			continue
		}
		q := strconv.QuoteRuneToASCII(r) // '\x1b'
		b.WriteString(q[1 : len(q)-1])
	}
	return b.String()
}
