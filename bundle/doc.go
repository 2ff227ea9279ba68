// Package bundle builds, orders and judges certificate chains. It is pure
// logic on []*x509.Certificate and imports only the standard library: no
// clock, no system roots, no network (fetching is behind IssuerSource).
// What it reports is data (typed reasons, findings with stable codes);
// package internal/report words the reasons for admins.
//
// # Build
//
// Build takes the certificates an admin has (a PEM file, a server's chain,
// in any order, with duplicates and strays), picks the leaf, and finds the
// best path leaf -> intermediates -> trusted root.
//
// # Leaf
//
// Options.Leaf if set (it must be among the input; FindLeaf picks it by
// common name, DNS name or fingerprint prefix). Otherwise the candidates
// are the input certificates that issue no other input certificate,
// judged by signature rather than by names, ranked by these rules in
// order:
//
//  1. not a CA before a CA: once a candidate is not a CA, the CA
//     candidates (a stray root, an unrelated intermediate) are out of the
//     running, never judged and never listed as rivals;
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
// Rules 2 and 3 between a certificate and its renewals are one rule
// (valid first, then newest), which FindLeaf applies to the certificates a
// name designates; there, a tie is an error (ErrLeafAmbiguous).
//
// Result.LeafChoice says how the leaf was chosen: LeafNoChoice when there
// was one candidate; LeafRanked with each non-CA rival, its validity and
// the rule it lost on (LostValidity, LostOlder, LostSameTime,
// LostInputOrder); LeafCAOnly or LeafCAOnlyRanked when the input holds only
// CA certificates (the leaf is then the lowest one, which issues nothing
// else); LeafLoop when every input certificate issues another. Each
// non-CA rival is also in Result.Dropped (DropOtherLeaf).
//
// The leaf choice costs no signature check when the non-CA certificates'
// names are nobody's issuer name (the usual case), and may spend at most
// half the signature budget (leafShare), so a file of thousands of
// same-named CAs cannot starve the path search.
//
// # Candidates and links
//
// Candidates are the input, Options.Pool and Options.Roots (and those of
// Options.Anchors named like a candidate or its issuer, loaded as the
// candidate joins), deduplicated by
// DER and indexed by subject, by subject and SKI, by subject and key, and
// by SKI, so a pool of thousands of certificates is never scanned
// linearly. A child is linked to an issuer whose subject equals the
// child's issuer name byte for byte, or whose SKI equals the child's AKI
// while the names differ only in string encoding (the linking rule,
// namesIssuerOf, which Diagnose uses too); every link is confirmed by the
// signature (Certificate.CheckSignature, which accepts SHA-1, so SHA-1
// self-signed roots such as AAA Certificate Services are recognised as
// self-signed). Candidates are tried in this order: the child's own key
// when it is self-issued; those its AKI designates; those of the name
// without SKI; those whose SKI differs. A signature verifies under one key
// only, so the first candidate whose key verifies it settles the question
// for every other: the copies of that CA (same subject and key) are its
// issuers too, with no further check, and the others are known not to be.
// Signature verdicts are cached by (issuer key, child), counted against
// Options.MaxSignatureChecks, and beyond the AKI's designees at most
// maxNameCandidates (256) certificates of one name are tried as a child's
// issuer: with 20,000 certificates sharing a name the work stays linear.
// A path holds at most MaxChainLength certificates; a certificate (or
// another copy of the same CA) never appears twice on a path, so
// cross-sign loops end.
//
// A candidate carrying the name of the child's issuer whose key did not
// sign the child is remembered, not silently skipped: it is a renewed
// intermediate with a new key, a sibling CA with the same name, or a
// damaged copy, and an admin who sees "missing" while a certificate of
// that name is in the file needs to be told why it does not count. Such a
// certificate goes into MissingIssuerError.Mismatched, and when it is in
// the input and not on the chosen path it is dropped as
// DropWrongIntermediate, naming the certificate whose issuer's name it
// carries. One left unchecked for lack of budget, or whose algorithm
// crypto/x509 refuses (MD5), is not claimed to be a mismatch.
//
// # Trust anchors
//
// A path ends at the first trusted certificate: one in Options.Roots, or a
// copy of one (same subject and key, e.g. ISRG Root X1 cross-signed by DST
// Root CA X3), in which case the path ends at the anchor from
// Options.Roots. An AIA trail leading past the modern root into a legacy
// cross-sign is therefore cut off.
//
// A trust anchor that is not a root (IsRoot: a self-signed CA), such as an
// intermediate given with --roots, ends the path all the same but stays on
// it as a certificate clients must be sent: it counts as an intermediate
// for the path rules, the notes and Diagnose (chain-incomplete when it
// is not served), and a bundle keeps it. A leaf given as a trust anchor is
// still the leaf: it ends its own path only when it is self-signed;
// otherwise the path goes on to its issuer.
//
// # Source
//
// Options.Source is asked, at most once per certificate and maxSourceCalls
// times per Build, for the issuers of a certificate that has none at hand;
// and, when the paths found locally give no valid trusted path (an expired
// cross-sign in the input, a path only to an untrusted root), for the
// issuers of each certificate on those paths not asked yet, after which the
// paths are enumerated again. A chain that is already complete causes no
// call. A Source error is not fatal: it is kept as it is (package fetch's
// errors name the certificate, so Build adds nothing that would name it
// twice) and becomes the Cause of the final error if no path is found.
//
// # Path policy
//
// Among the candidate paths the chosen one is, in this order of rules:
//
//  1. valid: every certificate, the root included, satisfies
//     NotBefore <= At <= NotAfter, and crypto/x509 accepts the chain for
//     Options.KeyUsages (default server authentication);
//  2. trusted: it ends at a trust anchor from Options.Roots;
//  3. no intermediate expires before the leaf, when some path has none
//     that does (such a chain breaks before the certificate it serves);
//  4. shortest;
//  5. its earliest-expiring intermediate expires last;
//  6. lowest SHA-256 over the concatenated DER of the path, so the result
//     is byte-stable whatever the order of the input.
//
// Result.Rejected lists every other path, best first, with the rule it
// lost on (RejectExpired, RejectUntrustedRoot, RejectLonger,
// RejectIntermediateExpiresFirst, ... RejectTie) and the certificate that
// decided it. An input certificate on no chosen path is in Result.Dropped,
// in input order, with its DropKind: a duplicate, another leaf, an expired
// or valid cross-sign of a certificate on the path, a wrong intermediate,
// expired, not yet valid, on a rejected path (with that Rejected), or
// unrelated. Result.Notes warn about the chosen path: a signature clients
// check made with SHA-1 or MD5, an intermediate that expires before the
// leaf (codes shared with Diagnose's findings).
//
// The chosen path is verified a last time with x509.Certificate.Verify at
// Options.At with an explicit Roots pool built from Options.Roots (never nil:
// on Windows and macOS nil hands the decision to the OS, which fetches
// intermediates itself and hides an incomplete chain) and Intermediates
// exactly the path's intermediates. With Options.Verdicts, a path whose CAs
// say nothing that reaches below the certificate they sign is verified in
// two parts, the part above the leaf's issuer once per Verdicts
// (compose.go).
//
// # Bounds and cancellation
//
// MaxChainLength (8) certificates per path, maxPaths (64) candidate paths
// and maxVisits (4096) steps per enumeration, maxSourceCalls (16) Source
// calls, Options.MaxSignatureChecks (DefaultMaxSignatureChecks, 2,000)
// signature checks per Build, maxNameCandidates (256) same-named
// candidates per certificate. When ctx is done Build checks no further
// signature and runs no further Verify; it returns an error wrapping
// ctx.Err() (a Source call is not made once ctx is done, and the context's
// error is then kept like any Source error).
//
// Options.Verdicts shares signature verdicts between Builds (a verdict
// depends only on the signer's key and the signed bytes), at most
// MaxVerdicts (100,000) of them: a bulk run checks each intermediate's
// signature once. The chosen path is verified by crypto/x509 once, with
// its own top as the only root; more roots could not undo that verdict.
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
// with the Result for it and returns findings with stable ids (the ID*
// constants, issue 8; README "Finding ids"), a severity, the certificate
// they are about (subject and SHA-256), and a fix in an admin's words:
// missing intermediates (chain-incomplete), wrong order (chain-order,
// naming the misplaced certificate and its position, "CN=Int is sent at
// position 1, before the leaf CN=www (position 2)"), duplicates, extra
// certificates (with why Build left them out; an expired cross-sign while
// a valid path exists is chain-expired-cross-sign), the root sent, expired,
// not yet valid or soon expiring certificates (any one of the path), names
// not covered (DiagnoseOptions.Host and Names; name-cn-only when the name
// is only in a SAN-less CN), a leaf without server authentication
// (eku-sgc-only when only the old SGC usages are there), a Key Usage
// without what the key needs, a leaf that says it is a CA, an issuer that
// is not a CA or whose pathLenConstraint the chain exceeds, a self-signed
// leaf (a plain self-signed CA certificate alone, what openssl req -x509
// makes, gets this one finding), an untrusted root, weak signatures and
// keys, an intermediate expiring before the leaf, and a wrong
// intermediate: a served certificate with the name of the leaf's (or an
// intermediate's) issuer whose key did not sign it
// (chain-wrong-intermediate, an error, reported instead of chain-extra;
// the next certificate on the path tells the signer's key apart without a
// check, and Diagnose checks at most 256 signatures otherwise). The rules
// on dates, weak signatures, keys and usages, CA flags and path length,
// intermediates expiring first, issuer names and roots are written once
// in rules.go and shared with Build where it judges the same fact. A
// chain without problems gets one "ok" finding.
//
// # Names and roots
//
// Name formats a certificate as "CN=R3,O=Let's Encrypt" everywhere, in
// messages of this package and of the CLI; SHA1Thumbprint gives the
// identifier Windows shows. IsSelfSigned tells a self-signed certificate
// (subject equal to issuer byte for byte, and its own key verifies its
// signature, SHA-1 included) from an intermediate, including a
// self-issued certificate signed by another key of the same CA (a key
// rollover); IsRoot adds the CA bit: it decides whether the top of a path
// is a root to leave out of a bundle or a certificate that must stay.
package bundle
