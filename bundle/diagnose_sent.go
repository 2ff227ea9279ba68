package bundle

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"strings"
)

// wrongIssuers finds the served certificates that are not on the path and
// carry the issuer name of one of children (the leaf and intermediates
// whose issuer matters, a prefix of path) without having signed it; it
// maps each one's SHA-256 to that certificate. The next certificate on
// path signed each child, so its key tells the others apart without a
// check (a signature verifies under one key only). Without children (no
// Result) the chain is followed through the served certificates that
// sign, from leaf up, and stops at the first certificate whose issuer's
// name only non-signers carry.
func wrongIssuers(served []*x509.Certificate, sums [][32]byte, leaf *x509.Certificate, path, children []*x509.Certificate, onPath map[[32]byte]int) map[[32]byte]*x509.Certificate {
	wrong := make(map[[32]byte]*x509.Certificate)
	checks := 0
	// judge sorts the served certificates named as child's issuer into a
	// signer (the first found, or signer when the path says who it is) and
	// the known non-signers.
	judge := func(child, signer *x509.Certificate, skipPath bool) (*x509.Certificate, [][32]byte) {
		var unknown []int
		var bad [][32]byte
		for i, s := range served {
			if _, on := onPath[sums[i]]; (on && skipPath) || s == child || !namesIssuerOf(s, child) {
				continue
			}
			switch {
			case signer != nil && string(s.RawSubjectPublicKeyInfo) == string(signer.RawSubjectPublicKeyInfo):
				continue // another copy of the signer
			case signer != nil:
				bad = append(bad, sums[i])
				continue
			case checks >= maxDiagnoseSignatureChecks:
				unknown = append(unknown, i)
				continue
			}
			checks++
			switch signatureVerdict(s, child) {
			case sigValid:
				signer = s
			case sigInvalid:
				bad = append(bad, sums[i])
			default:
				unknown = append(unknown, i)
			}
		}
		for _, i := range unknown {
			if signer != nil && string(served[i].RawSubjectPublicKeyInfo) != string(signer.RawSubjectPublicKeyInfo) {
				bad = append(bad, sums[i])
			}
		}
		return signer, bad
	}
	mark := func(child *x509.Certificate, bad [][32]byte) {
		for _, sum := range bad {
			if wrong[sum] == nil {
				wrong[sum] = child
			}
		}
	}
	if children != nil {
		for i, c := range children {
			var signer *x509.Certificate
			if i+1 < len(path) {
				signer = path[i+1] // its key signed c: Build checked it
			}
			_, bad := judge(c, signer, true)
			mark(c, bad)
		}
		return wrong
	}
	c := leaf
	for range MaxChainLength {
		if IsSelfSigned(c) {
			break
		}
		signer, bad := judge(c, nil, false)
		if signer == nil {
			mark(c, bad)
			break
		}
		c = signer
	}
	return wrong
}

func droppedBySum(r *Result) map[[32]byte]Dropped {
	m := make(map[[32]byte]Dropped, len(r.Dropped))
	for _, d := range r.Dropped {
		if d.Kind != DropDuplicate {
			m[sha256.Sum256(d.Cert.Raw)] = d
		}
	}
	return m
}

// extra reports a served certificate that is not on the path; dr is why
// Build left it out (zero when Build was not given it).
func (d *diag) extra(c *x509.Certificate, r *Result, dr Dropped, topSelf bool) {
	if !r.Trusted && !topSelf && IsSelfSigned(c) {
		// Most likely the chain's own root, out of reach because an
		// intermediate is missing (reported on its own).
		d.add(IDChainExtra, SeverityWarning, c, fmt.Sprintf("the root %s is sent, but the chain does not reach it: the intermediate between is missing; servers need not send the root", Name(c)), "send the missing intermediate and leave the root out")
		return
	}
	msg := Name(c) + " is sent but is not part of the chain"
	saysExpired := false
	switch dr.Kind {
	case DropOtherLeaf:
		msg += ": it is another leaf certificate; the chain is for " + Name(dr.Other)
	case DropExpiredCrossSign:
		if issuer := d.trustedIssuer(c); !r.Trusted && issuer != nil {
			// The chain ends at the cross-sign's own, untrusted, root:
			// the only way to a trusted root is through the expired
			// cross-sign (the long Let's Encrypt chain after 2024-09-30,
			// for a client without ISRG Root X1).
			top := r.Path[len(r.Path)-1]
			d.add(IDChainExpiredCrossSign, SeverityError, c, fmt.Sprintf("the only path to a trusted root (%s) goes through %s, a cross-sign that expired %s: clients that do not have %s among their roots fail", Name(issuer), Name(c), day(c.NotAfter), Name(top)),
				"clients must trust "+Name(top)+" itself (install it, or update their root store); sending the expired cross-sign cannot help, so leave it out")
			return
		}
		// A valid path exists without it: a warning (old clients that
		// follow the served chain may still choke on it, as with the long
		// Let's Encrypt chain after 2024-09-30).
		msg += fmt.Sprintf(": it is an expired cross-sign (expired %s) and a valid path exists without it", day(c.NotAfter))
		if dr.OfRoot {
			msg += "; clients use the trusted root itself"
		}
		d.add(IDChainExpiredCrossSign, SeverityWarning, c, msg, "remove it from the served chain: chainfix build leaves it out")
		return
	case DropCrossSignOfRoot:
		msg += ": it is a cross-signed copy of the trusted root; clients use the root itself"
	case DropCrossSignCopy:
		msg += ": it is another copy (cross-sign) of a certificate on the chain"
	case DropWrongIntermediate:
		msg += ": it has the name of the issuer of " + Name(dr.Other) + " but did not sign it"
	case DropExpired:
		msg += fmt.Sprintf(": it expired %s", day(c.NotAfter))
		saysExpired = true
	case DropNotYetValid:
		msg += fmt.Sprintf(": it is not valid before %s", day(c.NotBefore))
	case DropOnRejectedPath:
		msg += ": it leads only to a path that was not chosen"
	case DropUnrelated:
		msg += ": it is unrelated to the leaf"
	}
	if !saysExpired && !d.at.IsZero() && ValidityAt(c, d.at) == Expired {
		msg += fmt.Sprintf(" (it expired %s)", day(c.NotAfter))
	}
	d.add(IDChainExtra, SeverityWarning, c, msg, "remove it from the served chain")
}

// order reports a chain not in leaf-first, issuer-next order (an error,
// not a warning: RFC 8446 lets TLS 1.3 clients tolerate disorder, but
// appliances such as Citrix ADC and TLS 1.2 stacks reject it), naming the
// misplaced certificate: the first one sent before the leaf, or before a
// certificate below it on the path. order and orderAt are the path
// positions and served positions of the served certificates on the path.
func (d *diag) order(served []*x509.Certificate, leaf *x509.Certificate, path []*x509.Certificate, order, orderAt []int, topIsRoot bool) {
	mis, after := -1, -1 // served positions
	if !served[0].Equal(leaf) {
		mis = 0
		for k, pos := range order {
			if pos == 0 {
				after = orderAt[k]
				break
			}
		}
	} else {
	search:
		for j := 1; j < len(order); j++ {
			for i := 0; i < j; i++ {
				if order[i] > order[j] {
					mis, after = orderAt[i], orderAt[j]
					break search
				}
			}
		}
	}
	if mis < 0 {
		return
	}
	msg := fmt.Sprintf("the chain is out of order (first sent: %s)", Name(served[0]))
	if after >= 0 {
		what := Name(served[after])
		if served[after].Equal(leaf) {
			what = "the leaf " + what
		}
		msg += fmt.Sprintf(": %s is sent at position %d, before %s (position %d)", Name(served[mis]), mis+1, what, after+1)
	}
	d.add(IDChainOrder, SeverityError, served[mis], msg+"; TLS expects the leaf first, then each certificate's issuer",
		"send "+pathOrder(path, topIsRoot)+": chainfix build writes them in this order")
}

func pathOrder(path []*x509.Certificate, topIsRoot bool) string {
	var names []string
	for i, c := range path {
		if i == len(path)-1 && topIsRoot && i > 0 {
			break
		}
		names = append(names, Name(c))
	}
	return strings.Join(names, ", then ")
}

func ipStrings(c *x509.Certificate) []string {
	var s []string
	for _, ip := range c.IPAddresses {
		s = append(s, ip.String())
	}
	return s
}

func uniq(certs []*x509.Certificate) []*x509.Certificate {
	seen := make(map[[32]byte]bool)
	var out []*x509.Certificate
	for _, c := range certs {
		sum := sha256.Sum256(c.Raw)
		if !seen[sum] {
			seen[sum] = true
			out = append(out, c)
		}
	}
	return out
}

// trustedIssuer returns the trust anchor whose name c carries as its
// issuer and whose key signed c, or nil.
func (d *diag) trustedIssuer(c *x509.Certificate) *x509.Certificate {
	for _, r := range append(d.anchors.Named(c.RawIssuer), d.roots...) {
		if r != nil && bytes.Equal(r.RawSubject, c.RawIssuer) && signatureVerdict(r, c) == sigValid {
			return r
		}
	}
	return nil
}
