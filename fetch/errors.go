package fetch

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
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
	// TCP connect or TLS handshake).
	ErrTimeout = errors.New("timed out")

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
	if e.ContentType == "" {
		return "status " + e.Status
	}
	return fmt.Sprintf("status %s (%s)", e.Status, e.ContentType)
}

// Attempt is what happened to one caIssuers URL.
type Attempt struct {
	URL string
	Err error
}

// AIAError is returned by Client.Issuers when none of a certificate's
// caIssuers URLs yielded its issuer. It lists every URL tried, in order, with
// its failure; errors.Is sees through to each attempt's error.
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
	fmt.Fprintf(&b, "no issuer of %s found via AIA", subjectName(e.Cert))
	for i, a := range e.Attempts {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s: %v", a.URL, a.Err)
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
// form ("CN=R3,O=Let's Encrypt,C=US"), or its serial when the subject is empty.
func subjectName(c *x509.Certificate) string {
	if c == nil {
		return "<nil>"
	}
	if s := c.Subject.String(); s != "" {
		return s
	}
	return "serial " + c.SerialNumber.String()
}
