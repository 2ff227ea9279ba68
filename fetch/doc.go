// Package fetch is chainfix's only network code: it fetches the issuers named
// by certificates' AIA caIssuers URLs (RFC 5280 section 4.2.2.1), with an
// on-disk cache, and reads the chain a live TLS endpoint serves.
//
// # AIA issuers
//
// A Client (New) holds one http.Client whose Transport is cloned from
// http.DefaultTransport (pooling, HTTP/2), with the caller's Proxy (nil:
// direct), a dialer applying the address policy below, a timeout per
// request, at most MaxRedirects redirects to http or https only, and the
// caller's User-Agent. Client.Issuers satisfies the builder's issuer
// source: it asks all of a certificate's http and https caIssuers URLs at
// once and returns every certificate that signed it (without duplicates,
// in URL order), then the other certificates of those answers as
// candidates. All of them, not the first URL's only: when one URL's issuer
// gives no valid path (expired at the validation time, or ending at an
// untrusted root), the builder can use another's (DFN and Microsoft list
// several URLs).
//
// Accepted: DER, PEM (one or several blocks) and PKCS #7 certs-only answers,
// whatever their Content-Type (decoded by chainfix/pem, leniently). A
// fetched certificate is used only if its key verifies the child's signature
// with the child's own algorithm (SHA-1 included, which
// x509.Certificate.CheckSignatureFrom would refuse); judging CA flags, dates
// and trust is the builder's job.
//
// Refused, each reported per URL: non-HTTP URLs (ldap://, file://, ftp://
// are never read), addresses the policy refuses (ErrRefusedAddress),
// non-2xx statuses, answers larger than Options.MaxBody (announced or
// streamed; the connection is dropped without reading the rest), answers
// holding no certificate (an HTML or XML error page with status 200 is
// named as such), certificates that did not sign the child, redirects
// beyond MaxRedirects or to other schemes, requests beyond
// Options.MaxFetches, no answer within Options.Timeout (ErrTimeout), and
// the end of the caller's context (a *DeadlineError, "gave up after 5s
// waiting for http://...: the run's time limit", or context.Canceled). A
// certificate without caIssuers URLs gives (nil, nil).
//
// Reporting: when no URL yields a signer, Issuers returns an *AIAError
// listing every URL looked at with its failure. When one URL works and
// another fails, Issuers succeeds and Client.Attempts(cert) tells the
// caller what each URL gave (the error or nil, and whether from the
// cache), so that a dead mirror is still reported. Messages never quote
// an answer's bytes (a page may hold terminal escapes or a reflected
// secret): they give the status, content type and size. Outside text that
// is shown (a status line, a subject) is escaped and cut short. The
// certificate asked about is not named in the errors: the caller, who
// passed it, names it once.
//
// Limits: at most Options.MaxURLs http or https URLs asked per certificate
// (skipped ldap:// or file:// URLs do not count), among at most 20 URLs
// looked at (a certificate listing more is hostile); each URL is requested
// at most once per Client, even by concurrent callers, and its answer or
// failure kept for the Client's life (a fetch abandoned because its
// caller's context ended is forgotten); at most Options.MaxPerHost fetches
// (DefaultMaxPerHost, 4) in flight to one URL host, waiting for a slot not
// counting against Options.Timeout; at most Options.MaxFetches requests per
// Client (redirects included), which a run of many jobs sharing one Client
// raises. Client.Requests counts the requests sent. Attempts are kept for
// the last 10 000 certificates asked about.
//
// A Client is safe for concurrent use by many goroutines: a run of many
// jobs shares one, and its memo, cache and limits with it.
//
// # Address policy (SSRF)
//
// A caIssuers URL is written by whoever made the certificate, and
// certificates come from anywhere: following one makes chainfix send a
// request to an address of a stranger's choosing, from inside the network
// it runs in. Always refused: link-local addresses (169.254.0.0/16,
// fe80::/10: cloud metadata services answer at 169.254.169.254 with
// credentials), the metadata services elsewhere (fd00:ec2::254,
// 100.100.100.200, 168.63.129.16), multicast, broadcast and unspecified
// addresses (0.0.0.0/8, ::), including as IPv4-mapped IPv6 or behind the
// NAT64 prefix 64:ff9b::/96, and host names ending in a number
// (2852039166, 0xa9fea9fe, "169.254.169.254."), which some resolvers and
// proxies read as IPv4 addresses. With Options.PublicOnly (the CLI's
// --aia-public-only) also loopback, private (RFC 1918, IPv6 ULA
// fc00::/7) and shared (100.64.0.0/10) addresses, and localhost names.
// Loopback and private addresses are allowed by default because enterprise
// CAs publish AIA on intranets.
//
// Addresses are judged where they cannot be dodged: the dialer checks the
// IP address it is about to connect to, after name resolution and before
// connect(2) (net.Dialer.Control), for the first request and every
// redirect; a name that resolved to an allowed address a moment ago
// (DNS rebinding) gains nothing, and nothing is sent to a refused address.
// A refused request does not count as sent.
//
// Through a proxy (Options.Proxy) the connection goes to the proxy, which
// resolves the name itself: chainfix cannot see where the request ends
// up. The proxy's own address is exempt (the caller chose it, and it is
// often on a private network); each URL, redirects included, is still
// checked before it is sent, but only for what the URL itself shows: IP
// literals, names ending in a number and, with PublicOnly, localhost
// names. A host name that the proxy resolves to an internal address is
// not caught: that is the proxy's policy to enforce.
//
// Endpoint is not subject to the policy: the admin names the host.
//
// # Cache
//
// With Options.CacheDir, answers are kept in one file per URL named by the
// SHA-256 of the URL, so every leaf of an intermediate hits the same entry.
// Entries are canonical PEM after two comment lines naming the URL, written
// atomically (temporary file and rename; files 0644, directory 0755, created
// on demand unless offline). An entry that does not parse strictly
// (truncated, garbled, another URL's) is ignored and replaced by a fresh
// fetch; a cached certificate is checked against the child like a fetched
// one. A stale entry (none of its certificates signed the child, or, with
// Options.At set, every signer expired before At, as when a CA renews an
// intermediate) is a miss too: the URL is fetched again and the entry
// replaced; if that fetch fails, an expired cached signer is still used.
// Failures are never written, nor answers an entry could not hold (more
// than 100 certificates or 4 MiB), since they could not be read back.
// With Options.Offline the network is never used: a cache miss is passed
// over, a certificate whose URLs all miss gives (nil, nil), and a stale
// entry is reported (a non-signer) or used (an expired signer, for the
// builder to judge).
//
// The directory may be shared or writable by an attacker. Entries are
// opened without following symbolic links (O_NOFOLLOW on Unix) and used
// only if they are regular files (checked on the open file; opened
// non-blocking so that a planted FIFO cannot hang the run). On Unix, a
// directory that is group- or world-writable or owned by another user is
// refused with one warning, and the run goes on uncached; Windows has no
// such check (ACLs, not modes). Bounds: entries older than 30 days are
// removed, and then the oldest entries until the directory holds at most
// 64 MiB of them; each Client prunes on its first write and again when its
// writes may have passed the cap. Ages are measured against the file
// system's time of the entry just written, so the library reads no clock;
// an old entry is not refused on read (it is still checked like any
// answer).
//
// # Live endpoints
//
// Endpoint connects to host[:port] (SplitHostPort: port 443 by default, or
// the StartTLS protocol's port; IPv6 as [addr]:port or bare), optionally
// upgrades with StartTLS (smtp, imap, pop3, ftp, postgres), and completes a
// TLS handshake offering TLS 1.0 to 1.3 and every cipher suite crypto/tls
// has, without verifying anything: it returns the certificates exactly as
// the server sent them, order and duplicates kept. SNI is the given server
// name or the host, and none for IP literals (RFC 6066 section 3). Failures
// are put in an admin's words, each message starting with the address once
// (host:port, then the IP connected to in parentheses for a host name), so
// callers print it as is: host name lookup, connection refused, timeout,
// plain text where TLS was expected (with what the server said and a
// StartTLS hint), no protocol version in common, alerts, StartTLS refusals.
// StartTLS lines are
// bounded in length and number, and bytes the server sends after its
// go-ahead are refused (STARTTLS command injection). A server certificate
// that crypto/tls cannot parse (e.g. a negative serial) fails the handshake.
//
// Library rules: no package state, no environment, a logrus.FieldLogger
// (nil: discard). Each fetch (URL, bytes, duration, cache or network) is
// logged at info level as it happens; a URL's failure is returned (in the
// *AIAError or by Attempts), not logged as well: only a debug trace of the
// exchange (status, size, duration) is. Skipped URLs and cache misses are
// logged at debug level; a refused cache directory is a warning. Errors
// are returned, wrapping the sentinels of errors.go for errors.Is.
package fetch
