package bundle

import (
	"bytes"
	"crypto/x509"
	"errors"
	"slices"
)

// sigState is the verdict on one signature.
type sigState int8

const (
	// sigUnknown: not checked (the budget ran out, ctx is done) or not
	// checkable (MD5, an algorithm or key type crypto/x509 does not support).
	sigUnknown sigState = iota
	// sigValid: parent's key verifies child's signature.
	sigValid
	// sigInvalid: it does not; parent holds another key.
	sigInvalid
)

// signatureVerdict checks child's signature with parent's key.
// CheckSignature, not child.CheckSignatureFrom(parent): the latter refuses
// SHA-1 and checks the CA bit, and we want the raw fact here (crypto/x509
// judges the policy in Verify).
func signatureVerdict(parent, child *x509.Certificate) sigState {
	err := parent.CheckSignature(child.SignatureAlgorithm, child.RawTBSCertificate, child.Signature)
	var insecure x509.InsecureAlgorithmError
	switch {
	case err == nil:
		return sigValid
	case errors.As(err, &insecure), errors.Is(err, x509.ErrUnsupportedAlgorithm):
		return sigUnknown
	}
	return sigInvalid
}

// sigKey identifies a verdict: a signature depends on the signer's public
// key only, so the copies of a CA (cross-signs, renewals with the same
// key) share one check.
type sigKey struct{ key, child [32]byte }

// check judges child's signature with parent's key. Verdicts are cached by
// key; at most maxChecks fresh checks are made per Build (half of them
// while choosing the leaf), and none once ctx is done, after which the
// answer is sigUnknown.
func (b *builder) check(parent, child *node) sigState {
	k := sigKey{parent.key, child.sum}
	if v, ok := b.sigCache[k]; ok {
		return v
	}
	if v, ok := b.opts.Verdicts.get(k); ok {
		b.sigCache[k] = v
		return v
	}
	if b.checks >= b.limit || b.stopped() {
		b.budgetHit = b.budgetHit || b.ctxErr == nil
		b.refused++
		return sigUnknown
	}
	b.checks++
	v := signatureVerdict(parent.cert, child.cert)
	b.sigCache[k] = v
	b.opts.Verdicts.put(k, v)
	return v
}

func (b *builder) selfSigned(n *node) bool {
	if n.self == 0 {
		if !bytes.Equal(n.cert.RawSubject, n.cert.RawIssuer) {
			n.self = -1
		} else {
			switch b.check(n, n) {
			case sigValid:
				n.self = 1
			case sigInvalid:
				n.self = -1
			} // sigUnknown (budget, ctx) is not remembered
		}
	}
	return n.self == 1
}

// issuersOf returns the certificates that carry the name of child's issuer
// (namesIssuerOf) and whose key verifies child's signature: every copy of
// the CA that signed it (cross-signs, reissues with the same key), sorted
// by SHA-256. A signature verifies under one key only, so once one
// candidate's key verifies it, the others are known not to have signed it
// without checking them.
func (b *builder) issuersOf(child *node) []*node {
	if child.issuersGen == b.gen {
		return child.issuers
	}
	refused := b.refused
	key, ok := b.signingKey(child)
	var out []*node
	if ok {
		out = b.withKey(child, key)
	}
	child.issuers, child.signer, child.hasSigner = out, key, ok
	// An answer cut short by the budget is not kept: the leaf choice's
	// share may be spent while the path search still has checks to make.
	child.issuersGen = 0
	if ok || b.refused == refused {
		child.issuersGen = b.gen
	}
	return out
}

// signingKey finds the key that signed child, trying the likeliest
// candidates first: child's own key when it is self-issued (a root); those
// whose SKI is child's AKI (RFC 5280 section 4.2.1.1), under the issuer's
// name or the same name in another string encoding; those of that name
// without SKI (or all of them when child has no AKI); and last, when child
// has an AKI, those of that name whose SKI differs (an AKI may be wrong).
// Beyond the AKI's designees at most maxNameCandidates are tried.
func (b *builder) signingKey(child *node) ([32]byte, bool) {
	c := child.cert
	name := string(c.RawIssuer)
	if bytes.Equal(c.RawSubject, c.RawIssuer) && b.selfSigned(child) {
		return child.key, true
	}
	tried := 0
	try := func(ps []*node, capped bool, skip func(*node) bool) (key [32]byte, found, stop bool) {
		for _, p := range ps {
			if p == child || skip != nil && skip(p) {
				continue
			}
			if b.ctxErr != nil {
				return key, false, true
			}
			if capped {
				if tried >= maxNameCandidates {
					if b.capHit == nil {
						b.capHit = child
					}
					return key, false, true
				}
				tried++
			}
			if b.check(p, child) == sigValid {
				return p.key, true, true
			}
		}
		return key, false, false
	}
	aki := string(c.AuthorityKeyId)
	if aki != "" {
		if k, ok, stop := try(b.bySubjectSKI[nameSKI{name, aki}].list(), false, nil); stop {
			return k, ok
		}
		if k, ok, stop := try(b.bySKI[aki].list(), false, func(p *node) bool { return !encodingVariant(p.cert, c) }); stop {
			return k, ok
		}
		if k, ok, stop := try(b.noSKI[name].list(), true, nil); stop {
			return k, ok
		}
		k, ok, _ := try(b.bySubject[name].list(), true, func(p *node) bool { return !akiExcludes(p.cert, c) })
		return k, ok
	}
	k, ok, _ := try(b.bySubject[name].list(), true, nil)
	return k, ok
}

// encodingVariant: p links to c by SKI and a name equal to c's issuer only
// up to string encoding (the second half of namesIssuerOf).
func encodingVariant(p, c *x509.Certificate) bool {
	return !bytes.Equal(p.RawSubject, c.RawIssuer) && namesIssuerOf(p, c)
}

// withKey returns the certificates carrying the name of child's issuer
// whose key is key.
func (b *builder) withKey(child *node, key [32]byte) []*node {
	c := child.cert
	var out []*node
	for _, p := range b.bySubjectKey[nameKey{string(c.RawIssuer), key}].list() {
		if p != child {
			out = append(out, p)
		}
	}
	if len(c.AuthorityKeyId) > 0 {
		for _, p := range b.bySKI[string(c.AuthorityKeyId)].list() {
			if p != child && p.key == key && encodingVariant(p.cert, c) {
				out = append(out, p)
			}
		}
	}
	return out
}

// notSigner reports whether p carries the name of child's issuer but is
// known not to have signed it: a renewed intermediate with a new key, a
// sibling CA with the same name, a damaged copy. Once child's signer is
// known, every other key is known not to be it; otherwise only a failed
// check counts (a candidate left unchecked for lack of budget, or whose
// algorithm crypto/x509 refuses, is not claimed to be a mismatch).
func (b *builder) notSigner(p, child *node) bool {
	if p == child || !namesIssuerOf(p.cert, child.cert) {
		return false
	}
	b.issuersOf(child)
	if child.hasSigner {
		return p.key != child.signer
	}
	v, ok := b.sigCache[sigKey{p.key, child.sum}]
	return ok && v == sigInvalid
}

// mismatchedOf returns the certificates that are not child's signer (see
// notSigner), input certificates first in input order, then the pool,
// fetched certificates and roots, and where each came from.
func (b *builder) mismatchedOf(child *node) ([]*x509.Certificate, []string) {
	c := child.cert
	var ms []*node
	for _, p := range b.bySubject[string(c.RawIssuer)].list() {
		if b.notSigner(p, child) {
			ms = append(ms, p)
		}
	}
	if len(c.AuthorityKeyId) > 0 {
		for _, p := range b.bySKI[string(c.AuthorityKeyId)].list() {
			if encodingVariant(p.cert, c) && b.notSigner(p, child) {
				ms = append(ms, p)
			}
		}
	}
	slices.SortStableFunc(ms, func(x, y *node) int {
		if x.from != y.from {
			return x.from.rank() - y.from.rank()
		}
		if x.inputPos != y.inputPos {
			return x.inputPos - y.inputPos
		}
		return bytes.Compare(x.sum[:], y.sum[:])
	})
	var certs []*x509.Certificate
	var where []string
	for _, m := range ms {
		certs = append(certs, m.cert)
		where = append(where, m.from.where())
	}
	return certs, where
}
