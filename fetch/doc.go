// Package fetch is chainfix's only network code: it fetches the issuers named
// by certificates' AIA caIssuers URLs (RFC 5280 section 4.2.2.1), with an
// on-disk cache, and reads the chain a live TLS endpoint serves.
//
// # AIA issuers
//
// A Client (New) holds one http.Client whose Transport is cloned from
// http.DefaultTransport (pooling, HTTP/2), with the caller's Proxy (nil:
// direct), a timeout per request, at most MaxRedirects redirects to http or
// https only, and the caller's User-Agent. Client.Issuers satisfies the
// builder's issuer source: it tries a certificate's caIssuers URLs in order
// and returns the certificates that signed it, then the other certificates
// of the same answer as candidates.
//
// Accepted: DER, PEM (one or several blocks) and PKCS #7 certs-only answers,
// whatever their Content-Type (decoded by chainfix/pem, leniently). A
// fetched certificate is used only if its key verifies the child's signature
// with the child's own algorithm (SHA-1 included, which
// x509.Certificate.CheckSignatureFrom would refuse); judging CA flags, dates
// and trust is the builder's job.
//
// Refused, each reported per URL and summarised in an *AIAError when no URL
// works: non-HTTP URLs (ldap://, file://, ftp:// are never read), non-2xx
// statuses, answers larger than Options.MaxBody (announced or streamed; the
// connection is dropped without reading the rest), answers holding no
// certificate (an HTML or XML error page with status 200 is named as such),
// certificates that did not sign the child, redirects beyond MaxRedirects or
// to other schemes, requests beyond Options.MaxFetches, and no answer within
// Options.Timeout. A certificate without caIssuers URLs gives (nil, nil).
//
// Limits: at most Options.MaxURLs http or https URLs tried per certificate
// (skipped ldap:// or file:// URLs do not count), among at most 20 URLs
// looked at (a certificate listing more is hostile); each URL is requested
// at most once per Client, even by concurrent callers, and its answer or
// failure kept for the Client's life (a fetch abandoned because its caller's
// context ended is forgotten). Client.Requests counts the requests sent.
//
// # Cache
//
// With Options.CacheDir, answers are kept in one file per URL named by the
// SHA-256 of the URL, so every leaf of an intermediate hits the same entry.
// Entries are canonical PEM after two comment lines naming the URL, written
// atomically (temporary file and rename; files 0644, directory 0755, created
// on demand). An entry that does not parse strictly (truncated, garbled,
// another URL's) is ignored and replaced by a fresh fetch; a cached
// certificate is checked against the child like a fetched one. A stale
// entry (none of its certificates signed the child, or, with Options.At
// set, every signer expired before At, as when a CA renews an
// intermediate) is a miss too: the URL is fetched again and the entry
// replaced; if that fetch fails, an expired cached signer is still used.
// Failures are never written. With Options.Offline the network is never
// used: a cache miss is passed over, a certificate whose URLs all miss gives
// (nil, nil), and a stale entry is reported (a non-signer) or used (an
// expired signer, for the builder to judge).
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
// (nil: discard). Each fetch (URL, bytes, duration, cache or network) and
// each URL's problem are logged at info level as they happen, since a later
// URL may still work; skipped URLs and cache misses at debug level. Errors
// are returned, wrapping the sentinels of errors.go for errors.Is.
package fetch
