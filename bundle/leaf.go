package bundle

import (
	"bytes"
	"crypto/sha1" // #nosec: the Windows thumbprint is SHA-1 by definition; it names a certificate, it secures nothing
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ErrLeafNotFound: no certificate matches the name given to FindLeaf.
var ErrLeafNotFound = errors.New("no input certificate has that common name, DNS name or fingerprint")

// ErrLeafAmbiguous: several certificates match the name given to FindLeaf
// and the leaf rule cannot tell them apart (same validity, same NotBefore).
var ErrLeafAmbiguous = errors.New("input certificates match equally")

// minFingerprintDigits is the shortest hex prefix FindLeaf takes as a
// fingerprint: 8 digits (32 bits) make an accidental match among a few
// thousand certificates unlikely, and are what admins copy from certutil
// or openssl output.
const minFingerprintDigits = 8

// FindLeaf returns the certificate among certs that name designates: by
// common name or DNS name (case-insensitive), or by a prefix of at least 8
// hex digits (colons allowed) of its SHA-256 fingerprint or its SHA-1
// thumbprint (what Windows shows). When several match (a certificate and
// its renewal), the rule Build uses between a certificate and its renewals
// decides (preferLeaf): the one valid at at, then the newest NotBefore.
// Errors wrap ErrLeafNotFound or ErrLeafAmbiguous and begin with name,
// quoted.
func FindLeaf(certs []*x509.Certificate, name string, at time.Time) (*x509.Certificate, error) {
	var found []*x509.Certificate
	prefix := strings.ToLower(strings.ReplaceAll(name, ":", ""))
	isHex := len(prefix) >= minFingerprintDigits && strings.Trim(prefix, "0123456789abcdef") == ""
	seen := make(map[[32]byte]bool)
	for _, c := range certs {
		if c == nil {
			continue
		}
		s256 := sha256.Sum256(c.Raw)
		if seen[s256] {
			continue
		}
		seen[s256] = true
		match := strings.EqualFold(c.Subject.CommonName, name)
		for _, d := range c.DNSNames {
			match = match || strings.EqualFold(d, name)
		}
		if isHex {
			match = match || strings.HasPrefix(hex.EncodeToString(s256[:]), prefix) ||
				strings.HasPrefix(strings.ToLower(SHA1Thumbprint(c)), prefix)
		}
		if match {
			found = append(found, c)
		}
	}
	if len(found) == 0 {
		return nil, fmt.Errorf("%q: %w", name, ErrLeafNotFound)
	}
	slices.SortStableFunc(found, func(x, y *x509.Certificate) int { return preferLeaf(x, y, at) })
	if len(found) > 1 && preferLeaf(found[0], found[1], at) == 0 {
		n := 2
		for n < len(found) && preferLeaf(found[0], found[n], at) == 0 {
			n++
		}
		return nil, fmt.Errorf("%q: %d %w; give a SHA-256 fingerprint prefix instead", name, n, ErrLeafAmbiguous)
	}
	return found[0], nil
}

// SHA1Thumbprint is c's SHA-1 thumbprint in upper-case hex, as Windows,
// IIS and certutil show it to identify a certificate.
func SHA1Thumbprint(c *x509.Certificate) string {
	h := sha1.Sum(c.Raw) // #nosec: a name, not a security check
	return strings.ToUpper(hex.EncodeToString(h[:]))
}

// preferLeaf is the one leaf rule between a certificate and its renewals
// (or the certificates one name designates), used by Build and FindLeaf:
// the one valid at at before one that is not, then the newest NotBefore (a
// renewal replaces what it renews). Negative: x is preferred; 0: a tie,
// which the caller breaks by input order or refuses.
func preferLeaf(x, y *x509.Certificate, at time.Time) int {
	if vx, vy := ValidAt(x, at), ValidAt(y, at); vx != vy {
		return boolFirst(vx)
	}
	return y.NotBefore.Compare(x.NotBefore)
}

// chooseLeaf applies the leaf rule: Options.Leaf if set; otherwise the
// input certificates that issue no other input certificate (by signature)
// are the candidates, ranked by rankLeaves. Certificates that are not CAs
// are judged first; the CAs only when none of those is a candidate, so a
// file of thousands of CAs next to its leaf costs no signature check here.
func (b *builder) chooseLeaf(inputs []*node) (*node, LeafChoice, error) {
	if b.opts.Leaf != nil {
		n := b.nodeOf(b.opts.Leaf)
		if n == nil || n.inputPos < 0 {
			return nil, LeafChoice{}, fmt.Errorf("%w: %s", ErrLeafNotInInput, Name(b.opts.Leaf))
		}
		return n, LeafChoice{}, nil
	}
	notCA := func(n *node) bool { return !n.cert.IsCA }
	issues := b.issuersAmong(inputs, notCA, b.inputNonCANames)
	if b.ctxErr != nil {
		return nil, LeafChoice{}, b.stoppedError(nil)
	}
	var nonCA []*node
	for _, n := range inputs {
		if notCA(n) && !issues[n] {
			nonCA = append(nonCA, n)
		}
	}
	switch {
	case len(nonCA) == 1:
		return nonCA[0], LeafChoice{}, nil
	case len(nonCA) > 1:
		// CA candidates (a stray root, an unrelated intermediate) are not
		// listed: a non-CA always wins over them.
		leaf, choice := b.rankLeaves(nonCA)
		choice.Kind = LeafRanked
		return leaf, choice, nil
	}
	issues = b.issuersAmong(inputs, func(*node) bool { return true }, b.inputNames)
	if b.ctxErr != nil {
		return nil, LeafChoice{}, b.stoppedError(nil)
	}
	var cands []*node
	for _, n := range inputs {
		if !issues[n] {
			cands = append(cands, n)
		}
	}
	switch {
	case len(cands) == 1:
		return cands[0], LeafChoice{Kind: LeafCAOnly}, nil
	case len(cands) > 1:
		leaf, choice := b.rankLeaves(cands)
		choice.Kind = LeafCAOnlyRanked
		return leaf, choice, nil
	}
	return inputs[0], LeafChoice{Kind: LeafLoop}, nil
}

// issuersAmong returns the input certificates that want admits and that
// issue another input certificate (a copy of themselves aside). It works
// from the children: only a certificate whose issuer's name an admitted
// input carries (names counts the input's subjects) has its issuers looked
// up, so the cost grows with the input, not with its square.
func (b *builder) issuersAmong(inputs []*node, want func(*node) bool, names map[string]int) map[*node]bool {
	issues := make(map[*node]bool)
	for i, d := range inputs {
		if i%ctxEvery == ctxEvery-1 && b.stopped() {
			break
		}
		c := d.cert
		n := names[string(c.RawIssuer)]
		if bytes.Equal(c.RawSubject, c.RawIssuer) && want(d) {
			n-- // itself
		}
		if n <= 0 && !b.variantAmongInputs(d, want) {
			continue
		}
		for _, p := range b.issuersOf(d) {
			if p.inputPos >= 0 && want(p) && !sameKey(p, d) {
				issues[p] = true
			}
		}
	}
	return issues
}

// variantAmongInputs: an admitted input certificate links to d by SKI with
// a name that differs from d's issuer only in string encoding.
func (b *builder) variantAmongInputs(d *node, want func(*node) bool) bool {
	if len(d.cert.AuthorityKeyId) == 0 {
		return false
	}
	for _, p := range b.bySKI[string(d.cert.AuthorityKeyId)].list() {
		if p.inputPos >= 0 && p != d && want(p) && encodingVariant(p.cert, d.cert) {
			return true
		}
	}
	return false
}

// rankLeaves picks the leaf among cands (all non-CA, or all CA, in input
// order): one valid at Options.At before one that is not; among those, the
// first in input order names the site, and of it and its renewals the one
// preferLeaf prefers wins, the first on a tie (a renewal beats the
// certificate it replaces; a certificate for another site keeps its place
// in the input order). It returns the winner and how each other candidate
// lost, in input order.
func (b *builder) rankLeaves(cands []*node) (*node, LeafChoice) {
	best := slices.Clone(cands)
	slices.SortStableFunc(best, func(x, y *node) int {
		if vx, vy := ValidAt(x.cert, b.at), ValidAt(y.cert, b.at); vx != vy {
			return boolFirst(vx)
		}
		return 0
	})
	site, leaf := best[0], best[0]
	siteNames := sanSet(site.cert)
	renewal := func(n *node) bool { return renewalOf(n.cert, site.cert, siteNames) }
	for _, n := range best[1:] {
		if renewal(n) && preferLeaf(n.cert, leaf.cert, b.at) < 0 {
			leaf = n
		}
	}
	choice := LeafChoice{Validity: ValidityAt(leaf.cert, b.at)}
	for _, n := range cands {
		if n == leaf {
			continue
		}
		r := LeafRival{Cert: n.cert, Validity: ValidityAt(n.cert, b.at)}
		switch {
		case ValidAt(n.cert, b.at) != ValidAt(leaf.cert, b.at):
			r.Lost = LostValidity
		case renewal(n) && n.cert.NotBefore.Before(leaf.cert.NotBefore):
			r.Lost = LostOlder
		case renewal(n):
			r.Lost = LostSameTime
		default:
			r.Lost, r.Site = LostInputOrder, site.cert
		}
		choice.Rivals = append(choice.Rivals, r)
	}
	return leaf, choice
}

// renewalOf: a and site are issues of the same certificate (a renewal and
// the one it replaces): the same subject, and a name in common (DNS name,
// IP address, e-mail address or URI) unless neither has any; siteNames is
// sanSet(site). A renewal may add or drop names, so the name sets need not
// be equal.
func renewalOf(a, site *x509.Certificate, siteNames map[string]bool) bool {
	if !bytes.Equal(a.RawSubject, site.RawSubject) {
		return false
	}
	na := sanSet(a)
	if len(na) == 0 && len(siteNames) == 0 {
		return true
	}
	for n := range na {
		if siteNames[n] {
			return true
		}
	}
	return false
}

func sanSet(c *x509.Certificate) map[string]bool {
	set := make(map[string]bool)
	for _, d := range c.DNSNames {
		set["dns:"+strings.ToLower(d)] = true
	}
	for _, ip := range c.IPAddresses {
		set["ip:"+ip.String()] = true
	}
	for _, e := range c.EmailAddresses {
		set["email:"+strings.ToLower(e)] = true
	}
	for _, u := range c.URIs {
		set["uri:"+u.String()] = true
	}
	return set
}
