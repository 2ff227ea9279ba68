package bundle

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"sync"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Anchors is a set of trust anchors whose certificates are parsed only
// when a path reaches their name. A machine's trust store holds about 150
// roots; parsing them all is about 2 ms of every run (three quarters of a
// process's start), and a chain needs one or two of them. AnchorsFromDER
// reads only each certificate's subject and subject key identifier, which
// is what finding an issuer asks for (RFC 5280 name chaining, and the
// AKI/SKI match), and parses a certificate the first time it is asked for.
//
// Build and Diagnose take Anchors (Options.Anchors) as they take Roots:
// every certificate named like a candidate's subject or issuer, or whose
// key identifier is a candidate's authority key identifier, is loaded
// before the candidate is judged, so the result is the one the whole set
// would give (TestBuild runs every case both ways). Safe for concurrent
// use.
type Anchors struct {
	entries   []*anchor
	bySubject map[string][]*anchor
	byKeyID   map[string][]*anchor
}

type anchor struct {
	der            []byte // nil for a certificate read by load
	subject, keyID []byte // what the set is indexed by
	// load reads the DER of a certificate made by AnchorsFromSources,
	// whose SHA-256 is sum.
	load func() ([]byte, error)
	sum  [32]byte
	once sync.Once
	cert *x509.Certificate // nil when crypto/x509 refuses der
}

// get is the parsed certificate, nil when crypto/x509 refuses it (as a
// lenient read of a trust store skips such a certificate), or when load
// cannot read it or reads another certificate than the one described.
func (a *anchor) get() *x509.Certificate {
	a.once.Do(func() {
		der := a.der
		if a.load != nil {
			d, err := a.load()
			if err != nil || sha256.Sum256(d) != a.sum {
				return
			}
			der = d
		}
		c, err := x509.ParseCertificate(der)
		if err != nil || a.load != nil && (!bytes.Equal(c.RawSubject, a.subject) || !bytes.Equal(c.SubjectKeyId, a.keyID)) {
			return
		}
		a.cert = c
	})
	return a.cert
}

// same reports whether a and b are the same certificate.
func (a *anchor) same(b *anchor) bool {
	if a.load == nil && b.load == nil {
		return string(a.der) == string(b.der)
	}
	return a.digest() == b.digest()
}

// is reports whether a is the certificate whose DER is raw.
func (a *anchor) is(raw []byte) bool {
	if a.load == nil {
		return string(a.der) == string(raw)
	}
	return a.sum == sha256.Sum256(raw)
}

// digest is the SHA-256 of a's DER.
func (a *anchor) digest() [32]byte {
	if a.load != nil {
		return a.sum
	}
	return sha256.Sum256(a.der)
}

// NewAnchors makes a set of already parsed certificates (nil ones are
// skipped, duplicates kept once).
func NewAnchors(certs []*x509.Certificate) *Anchors {
	s := newAnchors(len(certs))
	for _, c := range certs {
		if c == nil {
			continue
		}
		a := &anchor{der: c.Raw, subject: c.RawSubject, keyID: c.SubjectKeyId, cert: c}
		a.once.Do(func() {}) // parsed already
		s.add(a)
	}
	return s
}

// AnchorsFromDER makes a set of DER certificates, parsed on demand. A
// certificate whose subject cannot be read without parsing it is parsed
// now, and left out when crypto/x509 refuses it.
func AnchorsFromDER(ders [][]byte) *Anchors {
	s := newAnchors(len(ders))
	for _, der := range ders {
		a := &anchor{der: der}
		var ok bool
		if a.subject, a.keyID, ok = anchorFields(der); !ok {
			c := a.get()
			if c == nil {
				continue
			}
			a.subject, a.keyID = c.RawSubject, c.SubjectKeyId
		}
		s.add(a)
	}
	return s
}

// AnchorSource is one certificate of a set made by AnchorsFromSources:
// what finding an issuer asks for (its subject and subject key identifier,
// DER as in x509.Certificate), the SHA-256 of its DER, and how to read it.
type AnchorSource struct {
	Subject, KeyID []byte
	Sum            [32]byte
	Load           func() ([]byte, error)
}

// AnchorsFromSources makes a set whose certificates are read, as well as
// parsed, when a path reaches their name or key identifier (a trust store
// known by its index: internal/trust). A certificate Load cannot read, or
// that is not the one described (another SHA-256, subject or key
// identifier), is left out then, as one crypto/x509 refuses is.
func AnchorsFromSources(srcs []AnchorSource) *Anchors {
	s := newAnchors(len(srcs))
	for _, src := range srcs {
		if src.Load == nil {
			continue
		}
		s.add(&anchor{subject: src.Subject, keyID: src.KeyID, sum: src.Sum, load: src.Load})
	}
	return s
}

// Each calls f with the subject, the subject key identifier and the DER
// of every certificate of the set, in order, parsing none; der is nil for
// a certificate not read yet (AnchorsFromSources).
func (s *Anchors) Each(f func(subject, keyID, der []byte)) {
	if s == nil {
		return
	}
	for _, a := range s.entries {
		f(a.subject, a.keyID, a.der)
	}
}

func newAnchors(n int) *Anchors {
	return &Anchors{
		entries:   make([]*anchor, 0, n),
		bySubject: make(map[string][]*anchor, n),
		byKeyID:   make(map[string][]*anchor, n),
	}
}

func (s *Anchors) add(a *anchor) {
	for _, b := range s.bySubject[string(a.subject)] {
		if b.same(a) {
			return // a duplicate
		}
	}
	s.entries = append(s.entries, a)
	s.bySubject[string(a.subject)] = append(s.bySubject[string(a.subject)], a)
	if len(a.keyID) > 0 {
		s.byKeyID[string(a.keyID)] = append(s.byKeyID[string(a.keyID)], a)
	}
}

// MergeAnchors is the union of sets, each certificate once, in order.
func MergeAnchors(sets ...*Anchors) *Anchors {
	n := 0
	for _, s := range sets {
		n += s.Len()
	}
	out := newAnchors(n)
	for _, s := range sets {
		if s == nil {
			continue
		}
		for _, a := range s.entries {
			out.add(a)
		}
	}
	return out
}

// Contains reports whether c is in the set, without parsing any.
func (s *Anchors) Contains(c *x509.Certificate) bool {
	if s == nil {
		return false
	}
	for _, a := range s.bySubject[string(c.RawSubject)] {
		if a.is(c.Raw) {
			return true
		}
	}
	return false
}

// Len is the number of certificates in the set.
func (s *Anchors) Len() int {
	if s == nil {
		return 0
	}
	return len(s.entries)
}

// All parses and returns every certificate of the set, in order.
func (s *Anchors) All() []*x509.Certificate {
	if s == nil {
		return nil
	}
	out := make([]*x509.Certificate, 0, len(s.entries))
	for _, a := range s.entries {
		if c := a.get(); c != nil {
			out = append(out, c)
		}
	}
	return out
}

// Named returns the certificates whose subject is rawSubject (DER, as
// x509.Certificate.RawSubject), parsing them.
func (s *Anchors) Named(rawSubject []byte) []*x509.Certificate {
	if s == nil {
		return nil
	}
	return parsed(s.bySubject[string(rawSubject)])
}

// WithKeyID returns the certificates whose subject key identifier is id,
// parsing them.
func (s *Anchors) WithKeyID(id []byte) []*x509.Certificate {
	if s == nil || len(id) == 0 {
		return nil
	}
	return parsed(s.byKeyID[string(id)])
}

// IssuersOf returns the certificates that could have issued c by name or
// by key identifier (Named(c.RawIssuer), WithKeyID(c.AuthorityKeyId)),
// and those that carry c's own subject (c may be a copy of an anchor).
func (s *Anchors) IssuersOf(c *x509.Certificate) []*x509.Certificate {
	if s == nil {
		return nil
	}
	out := s.Named(c.RawIssuer)
	if string(c.RawSubject) != string(c.RawIssuer) {
		out = append(out, s.Named(c.RawSubject)...)
	}
	return append(out, s.WithKeyID(c.AuthorityKeyId)...)
}

func parsed(as []*anchor) []*x509.Certificate {
	var out []*x509.Certificate
	for _, a := range as {
		if c := a.get(); c != nil {
			out = append(out, c)
		}
	}
	return out
}

// anchorFields reads a DER certificate's subject (the whole Name element,
// as x509.Certificate.RawSubject) and subject key identifier (RFC 5280
// section 4.1 and 4.2.1.2) without parsing the rest; ok is false when the
// structure is not that of a certificate.
func anchorFields(der []byte) (subject, keyID []byte, ok bool) {
	input := cryptobyte.String(der)
	var cert, tbs cryptobyte.String
	if !input.ReadASN1(&cert, cbasn1.SEQUENCE) || !input.Empty() || !cert.ReadASN1(&tbs, cbasn1.SEQUENCE) {
		return nil, nil, false
	}
	var subj cryptobyte.String
	if !tbs.SkipOptionalASN1(cbasn1.Tag(0).Constructed().ContextSpecific()) || // version
		!tbs.SkipASN1(cbasn1.INTEGER) || // serialNumber
		!tbs.SkipASN1(cbasn1.SEQUENCE) || // signature
		!tbs.SkipASN1(cbasn1.SEQUENCE) || // issuer
		!tbs.SkipASN1(cbasn1.SEQUENCE) || // validity
		!tbs.ReadASN1Element(&subj, cbasn1.SEQUENCE) ||
		!tbs.SkipASN1(cbasn1.SEQUENCE) || // subjectPublicKeyInfo
		!tbs.SkipOptionalASN1(cbasn1.Tag(1).ContextSpecific()) || // issuerUniqueID
		!tbs.SkipOptionalASN1(cbasn1.Tag(2).ContextSpecific()) { // subjectUniqueID
		return nil, nil, false
	}
	var exts cryptobyte.String
	var hasExts bool
	if !tbs.ReadOptionalASN1(&exts, &hasExts, cbasn1.Tag(3).Constructed().ContextSpecific()) {
		return nil, nil, false
	}
	if hasExts {
		var list cryptobyte.String
		if !exts.ReadASN1(&list, cbasn1.SEQUENCE) {
			return nil, nil, false
		}
		for !list.Empty() {
			var ext, value cryptobyte.String
			var oid []byte
			if !list.ReadASN1(&ext, cbasn1.SEQUENCE) ||
				!ext.ReadASN1(&value, cbasn1.OBJECT_IDENTIFIER) {
				return nil, nil, false
			}
			oid = value
			if !ext.SkipOptionalASN1(cbasn1.BOOLEAN) || !ext.ReadASN1(&value, cbasn1.OCTET_STRING) {
				return nil, nil, false
			}
			if string(oid) == string(oidSubjectKeyIDBytes) {
				var id cryptobyte.String
				if !value.ReadASN1(&id, cbasn1.OCTET_STRING) {
					return nil, nil, false
				}
				keyID = id
			}
		}
	}
	return subj, keyID, true
}

// oidSubjectKeyIDBytes is the content of the OID 2.5.29.14.
var oidSubjectKeyIDBytes = []byte{0x55, 0x1d, 0x0e}

// loadAnchors brings the Options.Anchors that could issue c, or that carry
// its name, into the index as trust anchors.
func (b *builder) loadAnchors(c *x509.Certificate) {
	if b.opts.Anchors == nil {
		return
	}
	for _, r := range b.opts.Anchors.IssuersOf(c) {
		if b.anchorSeen[r] {
			continue
		}
		if b.anchorSeen == nil {
			b.anchorSeen = make(map[*x509.Certificate]bool)
		}
		b.anchorSeen[r] = true
		b.anchorsLoaded = append(b.anchorsLoaded, r)
		b.addRoot(r)
	}
}
