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
// certificate, judged by signature rather than by names, ranked by these
// rules in order:
//
//  1. not a CA before a CA: once a candidate is not a CA, the CA
//     candidates (a stray root, an unrelated intermediate) are out of the
//     running and never listed as rivals;
//  2. valid at Options.At (NotBefore <= At <= NotAfter) before not valid,
//     so an expired certificate left next to its renewal loses;
//  3. a renewal before the certificate it replaces: among the candidates
//     left by rules 1 and 2, the first in input order says which
//     certificate is wanted, and of it and its renewals (the same subject
//     and a DNS name, IP address, e-mail address or URI in common, or no
//     names at all) the one with the newest NotBefore wins, wherever it
//     sits in the input;
//  4. input order: a certificate for another site never displaces the
//     first, however new it is; of two renewals with the same NotBefore
//     the first wins.
//
// Result.LeafReason explains a choice between several non-CA candidates
// (it is empty when there is only one), naming each rival and the rule it
// lost on:
//
//	chose CN=www (valid until 2027-05-01, issued 2026-05-01) over CN=www (valid until 2026-06-02, issued 2025-06-02: older)
//
// A rival that lost on rule 2 reads "CN=www (expired 2026-06-02)" or "(not
// valid before D)"; on rule 4 ": listed after CN=first" or ": issued at the
// same time, later in the input". Result.Dropped gives each rival as
// "another leaf certificate, not the one chosen (CN=www): <why>". Input
// holding only CA certificates gives the lowest one (the one that issues
// nothing else), by rules 2 to 4, and LeafReason begins "the input holds
// only CA certificates; ".
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
// A candidate found by name (or by AKI) whose key does not verify the
// child's signature is remembered, not silently skipped: it is a renewed
// intermediate with a new key, a sibling CA with the same name, or a
// damaged copy, and an admin who sees "missing" while a certificate of
// that name is in the file needs to be told why it does not count. Such a
// certificate goes into MissingIssuerError.Mismatched, and when it is in
// the input and not on the chosen path its Result.Dropped reason is
// "wrong intermediate: CN=Int has the name of the issuer of CN=leaf but
// did not sign it (a renewed or sibling CA with another key, or a damaged
// copy), not on the path". One skipped for lack of budget, or whose
// algorithm crypto/x509 refuses (MD5), is not claimed to be a mismatch.
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
//     intermediate CN=R3,O=Let's Encrypt missing"; when certificates with
//     that name were at hand but none signed it, Mismatched lists them and
//     the same line goes on "; CN=R3,O=Let's Encrypt in the input has the
//     right name but did not sign CN=example.com (another key: a renewed
//     or sibling CA, or a damaged copy)", or for several "; 2 certificates
//     named CN=R3,O=Let's Encrypt (in the input, in the pool) have the
//     right name but none signed CN=example.com (other keys: renewed or
//     sibling CAs, or damaged copies)" (origins: "in the input", "in the
//     pool", "as fetched", "among the trusted roots");
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
// intermediate expiring before the leaf, and a wrong intermediate: a served
// certificate with the name of the leaf's (or an intermediate's) issuer
// whose key did not sign it ("wrong-intermediate", an error, reported
// instead of "extra-certificate"; Diagnose checks those signatures itself,
// at most 256 of them). A chain without problems
// gets one "ok" finding.
//
// # Names and roots
//
// Name formats a certificate as "CN=R3,O=Let's Encrypt" everywhere, in
// messages of this package and of the CLI. IsSelfSigned tells a root
// (subject equal to issuer byte for byte, and its own key verifies its
// signature, SHA-1 included) from an intermediate, including a self-issued
// certificate signed by another key of the same CA (a key rollover): the
// CLI uses it to decide whether the top of a path is a root to leave out
// of a bundle or an intermediate given as a trust anchor, which must stay.
package bundle
