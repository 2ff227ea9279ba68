// Package bundle builds, orders and judges certificate chains. It is pure
// logic on []*x509.Certificate and imports only the standard library: no
// clock, no system roots, no network (fetching is behind IssuerSource).
//
// # Build
//
// Build takes the certificates an admin has (a PEM file, a server's chain,
// in any order, with duplicates and strays), picks the leaf, and finds the
// best path leaf -> intermediates -> trusted root.
//
// Leaf: Options.Leaf if set (it must be among the input). Otherwise the
// candidates are the input certificates that issue no other input
// certificate, judged by signature rather than by names. A candidate that
// is not a CA wins over one that is; among equals the first in input order
// wins, and Result.LeafReason names the others. Input holding only CA
// certificates gives the lowest one (the one that issues nothing else).
//
// Candidates are the input, Options.Pool and Options.Roots, deduplicated by
// DER and indexed by subject and by subject key ID, so a pool of thousands
// of certificates is not scanned linearly. A child is linked to an issuer
// whose subject equals the child's issuer name byte for byte, or whose SKI
// equals the child's AKI while the names differ only in string encoding;
// every link is confirmed by the signature (Certificate.CheckSignature, which
// accepts SHA-1, so SHA-1 self-signed roots such as AAA Certificate
// Services are recognised as self-signed). Signature results are cached and
// their number is bounded by Options.MaxSignatureChecks; a path holds at
// most MaxChainLength certificates; a certificate (or another copy of the
// same CA, same subject and key) never appears twice on a path, so
// cross-sign loops end.
//
// A path ends at the first trusted certificate: one in Options.Roots, or a
// copy of one (same subject and key, e.g. ISRG Root X1 cross-signed by DST
// Root CA X3), in which case the path ends at the root from Options.Roots.
// An AIA trail leading past the modern root into a legacy cross-sign is
// therefore cut off.
//
// Options.Source is asked, at most once per certificate and maxSourceCalls
// times per Build, for the issuers of a certificate that has none at hand;
// and, when the paths found locally give no valid trusted path (an expired
// cross-sign in the input, a path only to an untrusted root), for the
// issuers of each certificate on those paths not asked yet, after which the
// paths are enumerated again. A chain that is already complete causes no
// call. A Source error is not fatal: it is kept and wrapped into the final
// error if no path is found.
//
// # Path policy
//
// Among the candidate paths the chosen one is, in this order of rules:
//
//  1. valid: every certificate, the root included, satisfies
//     NotBefore <= At <= NotAfter, and crypto/x509 accepts the chain for
//     Options.KeyUsages (default server authentication);
//  2. trusted: it ends at a root from Options.Roots;
//  3. no intermediate expires before the leaf, when some path has none
//     that does (such a chain breaks before the certificate it serves);
//  4. shortest;
//  5. its earliest-expiring intermediate expires last;
//  6. lowest SHA-256 over the concatenated DER of the path, so the result
//     is byte-stable whatever the order of the input.
//
// Result.Rejected lists every other path with the rule it lost on, e.g.
// "expired at 2026-06-01: CN=X expired 2021-09-30", "untrusted root CN=Y",
// "longer (4 certificates, the chosen path has 3)", "intermediate expires
// before the leaf: ...".
//
// The chosen path is verified a last time with x509.Certificate.Verify at
// Options.At with an explicit Roots pool built from Options.Roots (never nil:
// on Windows and macOS nil hands the decision to the OS, which fetches
// intermediates itself and hides an incomplete chain) and Intermediates
// exactly the path's intermediates.
//
// # Errors
//
// Without a valid trusted path Build fails with:
//   - *InvalidError when a path to a root exists but crypto/x509 refuses
//     it; Reason says why in plain words (an expired certificate, a leaf
//     without Server Authentication listing the usages it has, an
//     intermediate signed with SHA-1 "which crypto/x509 ... cannot verify;
//     get a SHA-256 reissue", a CA without the CA bit);
//   - *MissingIssuerError when the best path stops at a certificate whose
//     issuer could not be found: "no issuer found for CN=example.com:
//     intermediate CN=R3,O=Let's Encrypt missing";
//   - *UntrustedError when the best path ends at a self-signed root not in
//     Options.Roots (a private or unknown CA), or in a loop.
//
// With Options.AllowUntrusted, the best untrusted path is returned instead
// (Result.Trusted false; the path ends at the self-signed root, or at the
// last certificate whose issuer is missing), provided crypto/x509 accepts
// it with its top as the anchor.
//
// # Diagnose
//
// Diagnose compares a served chain (a file's or a server's, in its order)
// with the Result for it and returns findings with stable codes (the Code*
// constants), a severity, and a fix in an admin's words: missing
// intermediates, wrong order, duplicates, extra certificates, root sent,
// expired or not yet valid certificates, a leaf expiring soon, a host not
// in the leaf's names, a leaf without server authentication (the old SGC
// usages named), a self-signed leaf, an untrusted root, SHA-1 signatures, an
// intermediate expiring before the leaf. A chain without problems gets one
// "ok" finding.
//
// # Names
//
// Name formats a certificate as "CN=R3,O=Let's Encrypt" everywhere, in
// messages of this package and of the CLI.
package bundle
