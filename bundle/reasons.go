package bundle

import (
	"crypto/x509"
	"time"
)

// Why Build did what it did, as data: each reason names its kind and
// carries the certificates and dates it is about. Package internal/report
// turns them into sentences; nothing here builds one.

// DropKind says why an input certificate is not on the chosen path.
type DropKind string

// Kinds of Dropped, checked in this order (the first that applies).
const (
	// DropDuplicate: a second copy of the input certificate at Index.
	DropDuplicate DropKind = "duplicate"
	// DropOtherLeaf: another leaf candidate, which lost to the chosen leaf
	// (Other); Rival says on which rule.
	DropOtherLeaf DropKind = "other-leaf"
	// DropExpiredCrossSign: an expired copy (same subject and key, another
	// issuer) of Other, which is on the path; OfRoot: Other is the trusted
	// anchor that ends the path.
	DropExpiredCrossSign DropKind = "expired-cross-sign"
	// DropCrossSignOfRoot: a valid copy of Other, the trusted anchor that
	// ends the path.
	DropCrossSignOfRoot DropKind = "cross-sign-of-root"
	// DropCrossSignCopy: a valid copy of Other, an intermediate on the path.
	DropCrossSignCopy DropKind = "cross-sign-copy"
	// DropWrongIntermediate: Cert carries the name of the issuer of Other
	// (a certificate on the path) but did not sign it: a renewed or
	// sibling CA with another key, or a damaged copy.
	DropWrongIntermediate DropKind = "wrong-intermediate"
	// DropExpired: expired at Options.At (Cert.NotAfter), not on the path.
	DropExpired DropKind = "expired"
	// DropNotYetValid: not valid before Cert.NotBefore, not on the path.
	DropNotYetValid DropKind = "not-yet-valid"
	// DropOnRejectedPath: on Rejected.Path, a candidate path that lost.
	DropOnRejectedPath DropKind = "on-rejected-path"
	// DropUnrelated: on no candidate path at all.
	DropUnrelated DropKind = "unrelated"
)

// Dropped is an input certificate that is not on the path.
type Dropped struct {
	Cert *x509.Certificate
	Kind DropKind
	// Other is the certificate the reason is about: the chosen leaf
	// (DropOtherLeaf), the certificate on the path Cert is a copy of (the
	// cross-sign kinds), the certificate whose issuer's name Cert carries
	// (DropWrongIntermediate); nil otherwise.
	Other *x509.Certificate
	// Index is the position, from 0, of the first copy in the input
	// (DropDuplicate).
	Index int
	// OfRoot: Other is the trusted anchor that ends the path
	// (DropExpiredCrossSign).
	OfRoot bool
	// Rival says how Cert lost the leaf choice (DropOtherLeaf).
	Rival *LeafRival
	// Rejected is the losing path Cert is on (DropOnRejectedPath).
	Rejected *Rejected
}

// RejectKind is the path rule a candidate path lost on (see the package
// documentation, "Path policy").
type RejectKind string

// Kinds of Rejected.
const (
	// RejectExpired: Cert had expired at At.
	RejectExpired RejectKind = "expired"
	// RejectNotYetValid: Cert was not yet valid at At.
	RejectNotYetValid RejectKind = "not-yet-valid"
	// RejectRefused: crypto/x509 refused the path; Err is an *InvalidError
	// saying why, and Cert the certificate at fault when one can be named.
	RejectRefused RejectKind = "refused"
	// RejectUntrustedRoot: the path ends at Cert, a self-signed certificate
	// not among Options.Roots.
	RejectUntrustedRoot RejectKind = "untrusted-root"
	// RejectMissingIssuer: the path stops at Cert, whose issuer is not at hand.
	RejectMissingIssuer RejectKind = "missing-issuer"
	// RejectLoop: every issuer of Cert, the top, is already on the path.
	RejectLoop RejectKind = "loop"
	// RejectTooLong: the path reached MaxChainLength without a root.
	RejectTooLong RejectKind = "too-long"
	// RejectIntermediateExpiresFirst: Cert, an intermediate, expires before
	// the leaf, and the chosen path has none that does.
	RejectIntermediateExpiresFirst RejectKind = "intermediate-expires-first"
	// RejectLonger: the path has more certificates than the chosen one
	// (ChosenLength).
	RejectLonger RejectKind = "longer"
	// RejectEarlierExpiry: its earliest-expiring intermediate, Cert,
	// expires before the chosen path's, Other.
	RejectEarlierExpiry RejectKind = "earlier-expiry"
	// RejectTie: as good as the chosen path; the lower SHA-256 of the
	// paths' DER decided.
	RejectTie RejectKind = "tie"
)

// Rejected is a candidate path that lost to the chosen one.
type Rejected struct {
	Path []*x509.Certificate
	Kind RejectKind
	// Cert is the certificate the rule judged (see the kinds).
	Cert *x509.Certificate
	// Other is the chosen path's earliest-expiring intermediate
	// (RejectEarlierExpiry).
	Other *x509.Certificate
	// At is the validation time (RejectExpired, RejectNotYetValid).
	At time.Time
	// ChosenLength is the number of certificates on the chosen path
	// (RejectLonger).
	ChosenLength int
	// Err is crypto/x509's refusal, an *InvalidError (RejectRefused).
	Err error
}

// Note is a warning about the chosen path.
type Note struct {
	// Code is NoteWeakSignature or NoteIntermediateExpiresBeforeLeaf.
	Code string
	Cert *x509.Certificate
	// Hash names the broken hash Cert is signed with, "SHA-1" or "MD5"
	// (NoteWeakSignature).
	Hash string
	// Leaf is the leaf Cert expires before (NoteIntermediateExpiresBeforeLeaf).
	Leaf *x509.Certificate
}

// LeafChoiceKind says how the leaf was chosen.
type LeafChoiceKind string

// Kinds of LeafChoice.
const (
	// LeafNoChoice: one candidate, or Options.Leaf: nothing to explain.
	LeafNoChoice LeafChoiceKind = ""
	// LeafRanked: several certificates that are not CAs; Rivals lost.
	LeafRanked LeafChoiceKind = "ranked"
	// LeafCAOnly: the input holds only CA certificates, and the leaf is the
	// one that issues no other.
	LeafCAOnly LeafChoiceKind = "ca-only"
	// LeafCAOnlyRanked: the input holds only CA certificates, several issue
	// no other; Rivals lost.
	LeafCAOnlyRanked LeafChoiceKind = "ca-only-ranked"
	// LeafLoop: every input certificate issues another (a loop of
	// cross-signs); the first was taken.
	LeafLoop LeafChoiceKind = "loop"
)

// LeafChoice is how Build chose Result.Leaf.
type LeafChoice struct {
	Kind LeafChoiceKind
	// Validity is the chosen leaf's at Options.At (ranked kinds).
	Validity Validity
	// Rivals are the other candidates, in input order (ranked kinds).
	Rivals []LeafRival
}

// LeafRule is the leaf rule a candidate lost on (see the package
// documentation, "Leaf").
type LeafRule string

// Values of LeafRival.Lost.
const (
	// LostValidity: the chosen leaf is valid at Options.At and the rival is
	// not (LeafRival.Validity says how), or the other way round.
	LostValidity LeafRule = "validity"
	// LostOlder: a renewal of the same certificate replaces it (a newer
	// NotBefore).
	LostOlder LeafRule = "older"
	// LostSameTime: issued at the same time as the chosen renewal, later in
	// the input.
	LostSameTime LeafRule = "same-time"
	// LostInputOrder: a certificate for another site, listed after Site,
	// the first candidate, which says which certificate is wanted.
	LostInputOrder LeafRule = "input-order"
)

// LeafRival is a leaf candidate that lost.
type LeafRival struct {
	Cert     *x509.Certificate
	Validity Validity // at Options.At
	Lost     LeafRule
	// Site is the first candidate in input order (LostInputOrder).
	Site *x509.Certificate
}
