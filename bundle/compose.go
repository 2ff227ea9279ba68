package bundle

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/binary"
	"slices"
	"sync/atomic"
	"time"
)

// Verifying a path in two parts.
//
// crypto/x509's Verify checks every signature of a path each time. A bulk
// run of 500 leaves under the same three CAs would check each CA link 500
// times: two thirds of its signature work (an ECDSA P-256 check costs about
// 0.1 ms here). When nothing a CA says reaches past the certificate it
// signed, a path is valid exactly when its two parts are:
//
//   - the upper part, the leaf's issuer up to the top (the issuer verified
//     as if it were the leaf, the top as the only root), which is the same
//     for every leaf under that issuer and is verified once per run
//     (Verdicts keeps the answer);
//   - the leaf with its issuer as the only root: the leaf's signature, its
//     dates, its key usage with the issuer's, the issuer's name
//     constraints on the leaf's names.
//
// What reaches past one certificate, and so keeps the whole path to one
// Verify (composable says no):
//
//   - name constraints above the issuer (they apply to the leaf's names;
//     the issuer's own are checked with the leaf);
//   - policy constraints and policy mappings anywhere on the path (RFC 5280
//     section 6.1: without them, and without a required policy set, which
//     Build never asks for, the policy check cannot fail);
//   - a path length constraint above the issuer that the leaf's issuer
//     brings to its limit (the upper part counts one CA less than the whole);
//   - a request for more than one key usage (crypto/x509 wants one usage
//     allowed by every certificate; two parts could each allow another);
//   - an issuer that is not a CA by basicConstraints: as a root of the
//     lower part crypto/x509 would not ask (a version 1 certificate).
//
// Everything else crypto/x509 checks is per certificate (dates, critical
// extensions, the CA flag and key usage of a signer, the signature
// algorithm) or per link, and both parts check each certificate and link.
// The two parts only ever say "valid": when either refuses, the whole path
// goes to one Verify, so every error is crypto/x509's own for the path.
// TestComposedVerifyAgrees compares both ways on random paths.

// oidNameConstraints and oidPolicyConstraints are the extensions that make
// a CA's word reach below the certificate it signs (RFC 5280 sections
// 4.2.1.10 and 4.2.1.11); policy mappings (4.2.1.5) are parsed by
// crypto/x509 into PolicyMappings.
var (
	oidNameConstraints   = asn1.ObjectIdentifier{2, 5, 29, 30}
	oidPolicyConstraints = asn1.ObjectIdentifier{2, 5, 29, 36}
	oidInhibitAnyPolicy  = asn1.ObjectIdentifier{2, 5, 29, 54}
	oidPolicyMappings    = asn1.ObjectIdentifier{2, 5, 29, 33}
)

// composable reports whether path (leaf first, top last, at least three
// certificates) may be verified in two parts; see above.
func composable(path []*x509.Certificate, usages []x509.ExtKeyUsage) bool {
	if len(path) < 3 || len(usages) != 1 {
		return false
	}
	issuer := path[1]
	if !issuer.BasicConstraintsValid || !issuer.IsCA {
		return false
	}
	for i, c := range path {
		if hasExtension(c, oidPolicyConstraints) || hasExtension(c, oidInhibitAnyPolicy) || hasExtension(c, oidPolicyMappings) {
			return false
		}
		if i < 2 {
			continue
		}
		if hasExtension(c, oidNameConstraints) {
			return false
		}
		// In the whole path, i-1 CAs sit below c; in the upper part, i-2.
		if c.BasicConstraintsValid && c.MaxPathLen >= 0 && i-1 > c.MaxPathLen {
			return false
		}
	}
	return true
}

func hasExtension(c *x509.Certificate, oid asn1.ObjectIdentifier) bool {
	for _, e := range c.Extensions {
		if e.Id.Equal(oid) {
			return true
		}
	}
	return false
}

// upperKey names the upper part of a path as verified at a time for some
// usages: a proven one is valid for every leaf under it.
func upperKey(upper []*x509.Certificate, at time.Time, usages []x509.ExtKeyUsage) [32]byte {
	h := sha256.New()
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], uint64(at.UnixNano()))
	h.Write(buf[:])
	for _, u := range usages {
		binary.BigEndian.PutUint64(buf[:], uint64(u))
		h.Write(buf[:])
	}
	for _, c := range upper {
		sum := sha256.Sum256(c.Raw)
		h.Write(sum[:])
	}
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// verifyOnly runs crypto/x509 on exactly path: its intermediates, and its
// top as the only root.
func verifyOnly(path []*x509.Certificate, at time.Time, usages []x509.ExtKeyUsage) error {
	return verifyWith(path, onlyRoot(path[len(path)-1]), at, usages)
}

func onlyRoot(c *x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(c)
	return p
}

// verifyWith runs crypto/x509 on path[0] with path's middle as the
// intermediates and roots as the roots.
func verifyWith(path []*x509.Certificate, roots *x509.CertPool, at time.Time, usages []x509.ExtKeyUsage) error {
	inter := x509.NewCertPool()
	if len(path) > 2 {
		for _, c := range path[1 : len(path)-1] {
			inter.AddCert(c)
		}
	}
	// Roots is always an explicit pool: with nil, Verify on Windows and
	// macOS hands the decision to the OS, which fetches intermediates on
	// its own and would hide an incomplete chain.
	_, err := path[0].Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: inter,
		CurrentTime:   at,
		KeyUsages:     usages,
	})
	return err
}

// composedHits counts the paths verifyPath proved in two parts, for tests.
var composedHits atomic.Int64

// verifyPath is verifyOnly, in two parts when composable, the upper part
// shared through v (nil: not shared).
func verifyPath(path []*x509.Certificate, at time.Time, usages []x509.ExtKeyUsage, v *Verdicts) error {
	if composable(path, usages) && v.upperValid(path[1:], at, usages) {
		if verifyOnly(path[:2], at, usages) == nil {
			composedHits.Add(1)
			return nil
		}
	}
	return verifyOnly(path, at, usages)
}

// upperValid reports whether crypto/x509 accepts upper (the leaf's issuer
// first) with its top as the only root, at at for usages: from v when
// proven before, else verified now (and kept when valid).
func (v *Verdicts) upperValid(upper []*x509.Certificate, at time.Time, usages []x509.ExtKeyUsage) bool {
	k := upperKey(upper, at, usages)
	if v != nil {
		v.mu.RLock()
		_, ok := v.uppers[k]
		v.mu.RUnlock()
		if ok {
			return true
		}
	}
	if verifyOnly(slices.Clip(upper), at, usages) != nil {
		return false
	}
	if v != nil {
		v.mu.Lock()
		if len(v.uppers) < MaxVerdicts {
			v.uppers[k] = struct{}{}
		}
		v.mu.Unlock()
	}
	return true
}
