package report

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"chainfix/bundle"
)

// The words for bundle's reasons. Package bundle says what happened as
// data (a kind, the certificates and dates it is about); these functions
// say it to an admin, on one line, naming certificates with bundle.Name.

// DropReason says why Build left an input certificate out of the chain:
//
//	expired cross-sign: CN=ISRG Root X1 expired 2024-09-30; the path ends at the trusted root itself
func DropReason(d bundle.Dropped) string {
	name := bundle.Name(d.Cert)
	switch d.Kind {
	case bundle.DropDuplicate:
		return fmt.Sprintf("duplicate of input certificate %d (%s)", d.Index+1, name)
	case bundle.DropOtherLeaf:
		why := ""
		if d.Rival != nil {
			why = lostText(*d.Rival)
		}
		return fmt.Sprintf("another leaf certificate, not the one chosen (%s): %s", bundle.Name(d.Other), why)
	case bundle.DropExpiredCrossSign:
		if d.OfRoot {
			return fmt.Sprintf("expired cross-sign: %s expired %s; the path ends at the trusted root itself", name, reasonDay(d.Cert.NotAfter))
		}
		return fmt.Sprintf("expired cross-sign: %s expired %s; a valid copy is on the path", name, reasonDay(d.Cert.NotAfter))
	case bundle.DropCrossSignOfRoot:
		return fmt.Sprintf("cross-signed copy of the trusted root %s; the path ends at the root itself", name)
	case bundle.DropCrossSignCopy:
		return fmt.Sprintf("another copy (cross-sign) of %s, not needed on the chosen path", name)
	case bundle.DropWrongIntermediate:
		return fmt.Sprintf("wrong intermediate: %s has the name of the issuer of %s but did not sign it (a renewed or sibling CA with another key, or a damaged copy), not on the path", name, bundle.Name(d.Other))
	case bundle.DropExpired:
		return fmt.Sprintf("expired: %s expired %s, not on the path", name, reasonDay(d.Cert.NotAfter))
	case bundle.DropNotYetValid:
		return fmt.Sprintf("not yet valid: %s is valid from %s, not on the path", name, reasonDay(d.Cert.NotBefore))
	case bundle.DropOnRejectedPath:
		if d.Rejected != nil {
			return "on a rejected path: " + RejectReason(*d.Rejected)
		}
		return "on a rejected path"
	}
	return "not on the path (unrelated to the leaf)"
}

// RejectReason says why a candidate path lost to the chosen one:
//
//	expired at 2026-06-01: CN=int expired 2021-09-30
func RejectReason(r bundle.Rejected) string {
	switch r.Kind {
	case bundle.RejectExpired:
		return fmt.Sprintf("expired at %s: %s expired %s", reasonDay(r.At), bundle.Name(r.Cert), reasonDay(r.Cert.NotAfter))
	case bundle.RejectNotYetValid:
		return fmt.Sprintf("not yet valid at %s: %s is valid from %s", reasonDay(r.At), bundle.Name(r.Cert), reasonDay(r.Cert.NotBefore))
	case bundle.RejectRefused:
		var inv *bundle.InvalidError
		reason := "crypto/x509 refuses the chain"
		switch {
		case errors.As(r.Err, &inv) && inv.Reason != "":
			reason = inv.Reason
		case errors.As(r.Err, &inv) && inv.Err != nil:
			reason = inv.Err.Error()
		case r.Err != nil:
			reason = r.Err.Error()
		}
		return "refused by crypto/x509: " + reason
	case bundle.RejectUntrustedRoot:
		return "untrusted root " + bundle.Name(r.Cert)
	case bundle.RejectMissingIssuer:
		return "no issuer found for " + bundle.Name(r.Cert)
	case bundle.RejectLoop:
		return "loop: every issuer of " + bundle.Name(r.Cert) + " is already on the path"
	case bundle.RejectTooLong:
		return fmt.Sprintf("longer than %d certificates", bundle.MaxChainLength)
	case bundle.RejectIntermediateExpiresFirst:
		return fmt.Sprintf("intermediate expires before the leaf: %s expires %s", bundle.Name(r.Cert), reasonDay(r.Cert.NotAfter))
	case bundle.RejectLonger:
		return fmt.Sprintf("longer (%d certificates, the chosen path has %d)", len(r.Path), r.ChosenLength)
	case bundle.RejectEarlierExpiry:
		chosen := "none"
		if r.Other != nil {
			chosen = reasonDay(r.Other.NotAfter)
		}
		return fmt.Sprintf("its earliest-expiring intermediate %s expires %s, before the chosen path's (%s)", bundle.Name(r.Cert), reasonDay(r.Cert.NotAfter), chosen)
	}
	return "as good as the chosen path; tie broken by the SHA-256 of the paths"
}

// NoteText words a warning about the chosen path, with its fix.
func NoteText(n bundle.Note) string {
	switch n.Code {
	case bundle.NoteWeakSignature:
		return fmt.Sprintf("%s is signed with %s, which current clients refuse; get a SHA-256 reissue from its CA", bundle.Name(n.Cert), n.Hash)
	case bundle.NoteIntermediateExpiresBeforeLeaf:
		leaf := "the leaf"
		if n.Leaf != nil {
			leaf = reasonDay(n.Leaf.NotAfter)
		}
		return fmt.Sprintf("intermediate %s expires %s, before the leaf (%s); the chain breaks then unless its CA's newer intermediate is installed", bundle.Name(n.Cert), reasonDay(n.Cert.NotAfter), leaf)
	}
	return n.Code + ": " + bundle.Name(n.Cert)
}

// LeafReason says how Build chose the leaf among several candidates, or ""
// when there was no choice:
//
//	chose CN=www (valid until 2027-05-01, issued 2026-05-01) over CN=www (valid until 2026-06-02, issued 2025-06-02: older)
func LeafReason(r *bundle.Result) string {
	if r == nil || r.Leaf == nil {
		return ""
	}
	const caOnly = "the input holds only CA certificates; "
	switch c := r.LeafChoice; c.Kind {
	case bundle.LeafRanked:
		return choseText(r.Leaf, c)
	case bundle.LeafCAOnly:
		return fmt.Sprintf(caOnly+"%s is the one that issues no other", bundle.Name(r.Leaf))
	case bundle.LeafCAOnlyRanked:
		return caOnly + choseText(r.Leaf, c)
	case bundle.LeafLoop:
		return fmt.Sprintf("every input certificate issues another (a loop of cross-signs); took the first, %s", bundle.Name(r.Leaf))
	}
	return ""
}

// choseText names the chosen leaf and each rival with the rule it lost on; a
// rival that lost on its dates is given by them alone.
func choseText(leaf *x509.Certificate, c bundle.LeafChoice) string {
	over := make([]string, 0, len(c.Rivals))
	for _, rv := range c.Rivals {
		if rv.Lost == bundle.LostValidity {
			over = append(over, fmt.Sprintf("%s (%s)", bundle.Name(rv.Cert), validityText(rv.Cert, rv.Validity)))
			continue
		}
		over = append(over, fmt.Sprintf("%s (%s, issued %s: %s)", bundle.Name(rv.Cert), validityText(rv.Cert, rv.Validity), reasonDay(rv.Cert.NotBefore), lostText(rv)))
	}
	return fmt.Sprintf("chose %s (%s, issued %s) over %s", bundle.Name(leaf), validityText(leaf, c.Validity), reasonDay(leaf.NotBefore), strings.Join(over, ", "))
}

// lostText is the rule a leaf candidate lost on.
func lostText(rv bundle.LeafRival) string {
	switch rv.Lost {
	case bundle.LostValidity:
		return validityText(rv.Cert, rv.Validity)
	case bundle.LostOlder:
		return "older"
	case bundle.LostSameTime:
		return "issued at the same time, later in the input"
	}
	return "listed after " + bundle.Name(rv.Site)
}

// validityText words a certificate's dates at the validation time: "valid until
// D", "expired D" or "not valid before D".
func validityText(c *x509.Certificate, v bundle.Validity) string {
	switch v {
	case bundle.Expired:
		return "expired " + reasonDay(c.NotAfter)
	case bundle.NotYetValid:
		return "not valid before " + reasonDay(c.NotBefore)
	}
	return "valid until " + reasonDay(c.NotAfter)
}

func reasonDay(t time.Time) string { return t.UTC().Format("2006-01-02") }
