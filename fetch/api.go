package fetch

import (
	"crypto/x509"
	"net/http"
	"net/url"
	"time"

	"github.com/sirupsen/logrus"
)

// CONTRACT (shared with the CLI; keep these names and signatures).

// Options configure a Client. The zero value is usable: defaults below, no
// cache, proxies from nobody (set Proxy to honour the environment).
type Options struct {
	Timeout    time.Duration // per request; 0 means DefaultTimeout
	MaxBody    int64         // 0 means DefaultMaxBody
	MaxURLs    int           // caIssuers URLs tried per certificate; 0 means DefaultMaxURLs
	MaxFetches int           // HTTP requests per Client; 0 means DefaultMaxFetches
	MaxPerHost int           // fetches at once to one host; 0 means DefaultMaxPerHost
	CacheDir   string        // "" disables the on-disk cache
	Offline    bool          // never touch the network: cache only
	UserAgent  string        // e.g. "chainfix/v1.2.3"
	// At is the time certificates are judged at (the CLI's --at); zero:
	// not checked. A cached issuer that expired before At is fetched
	// again, so that a renewed intermediate replaces it.
	At time.Time
	// Proxy picks the proxy for a request (e.g. from
	// golang.org/x/net/http/httpproxy's FromEnvironment().ProxyFunc()); nil: direct.
	Proxy func(*http.Request) (*url.URL, error)
	// PublicOnly refuses AIA URLs leading to loopback, private (RFC 1918,
	// IPv6 ULA fc00::/7) and shared (RFC 6598) addresses, on top of the
	// link-local, multicast and unspecified ones always refused (the CLI's
	// --aia-public-only). Off by default: enterprise CAs publish AIA on
	// intranets. See the package documentation for the proxy case.
	PublicOnly bool
	// Signed says whether parent's key verifies child's signature (the
	// raw fact, as x509.Certificate.CheckSignature with child's
	// algorithm); nil means exactly that check. The chain builder sets it
	// to its shared verdicts (bundle.Verdicts.Signed), so that the check
	// the fetcher makes to tell an answer's signer is not made again.
	Signed func(parent, child *x509.Certificate) bool
	Logger logrus.FieldLogger // nil: discard
}

// Defaults and bounds (each with its reason in the implementation).
const (
	DefaultTimeout    = 10 * time.Second
	DefaultMaxBody    = 256 << 10
	DefaultMaxURLs    = 5
	DefaultMaxFetches = 50
	DefaultMaxPerHost = 4
	MaxRedirects      = 5
)

// DialOptions configure Endpoint.
type DialOptions struct {
	ServerName     string        // SNI; "" means the host
	ConnectTimeout time.Duration // 0 means DefaultTimeout
	StartTLS       string        // "", "smtp", "imap", "pop3", "ftp", "postgres"
}

// Served is what a TLS endpoint sent.
type Served struct {
	Address      string              // the ip:port connected to
	ServerName   string              // the SNI sent
	Certificates []*x509.Certificate // as sent, in the server's order
	Version      uint16              // negotiated TLS version
	CipherSuite  uint16
}
