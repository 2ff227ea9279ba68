package bundle

import (
	"bytes"
	"context"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/x509roots/fallback/bundle"

	"chainfix/internal/testpki"
)

// mozillaDER is the embedded Mozilla root set as DER: about 150 real roots
// of every vintage, a stand-in for a machine's trust store.
func mozillaDER(t testing.TB) [][]byte {
	t.Helper()
	var ders [][]byte
	for r := range bundle.Roots() {
		ders = append(ders, r.Certificate)
	}
	if len(ders) < 100 {
		t.Fatalf("only %d embedded roots", len(ders))
	}
	return ders
}

// TestAnchorFields: the subject and key identifier read without parsing
// are crypto/x509's, for the Mozilla roots, the machine's trust store (when
// there is one) and every certificate under testdata.
func TestAnchorFields(t *testing.T) {
	ders := mozillaDER(t)
	for _, f := range []string{"/etc/ssl/certs/ca-certificates.crt"} {
		if data, err := os.ReadFile(f); err == nil {
			ders = append(ders, pemCerts(data)...)
		}
	}
	filepath.WalkDir("../testdata", func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".pem") {
			data, _ := os.ReadFile(path)
			ders = append(ders, pemCerts(data)...)
		}
		return nil
	})
	checked := 0
	for _, der := range ders {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			continue
		}
		subject, keyID, ok := anchorFields(der)
		if !ok || !bytes.Equal(subject, c.RawSubject) || !bytes.Equal(keyID, c.SubjectKeyId) {
			t.Errorf("%s: read %v %x %x, crypto/x509 has %x %x", c.Subject, ok, subject, keyID, c.RawSubject, c.SubjectKeyId)
		}
		checked++
	}
	if checked < 150 {
		t.Fatalf("only %d certificates checked", checked)
	}
	if _, _, ok := anchorFields(append(bytes.Clone(ders[0]), 0)); ok {
		t.Error("trailing data accepted")
	}
}

func pemCerts(data []byte) [][]byte {
	var out [][]byte
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return out
		}
		if b.Type == "CERTIFICATE" {
			out = append(out, b.Bytes)
		}
	}
}

// FuzzAnchorFields: never a panic, and whatever crypto/x509 parses is read
// as crypto/x509 reads it.
func FuzzAnchorFields(f *testing.F) {
	for _, der := range mozillaDER(f)[:10] {
		f.Add(der)
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		subject, keyID, ok := anchorFields(der)
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return
		}
		if !ok || !bytes.Equal(subject, c.RawSubject) || !bytes.Equal(keyID, c.SubjectKeyId) {
			t.Errorf("read %v %x %x, crypto/x509 has %x %x", ok, subject, keyID, c.RawSubject, c.SubjectKeyId)
		}
	})
}

// TestAnchorsParseOnDemand: a chain built against the 150 Mozilla roots
// plus a private root, given as Anchors, parses only the anchors named
// like the chain's certificates and their issuers, and is the chain the
// same set gives as Roots.
func TestAnchorsParseOnDemand(t *testing.T) {
	root := testpki.Issue(testpki.Template{CN: "Lazy Root", CA: true, Key: testpki.ECDSAKey(elliptic.P256(), "lazy root")}, nil)
	inter := testpki.Issue(testpki.Template{CN: "Lazy Int", CA: true, Key: testpki.ECDSAKey(elliptic.P256(), "lazy int")}, root)
	leaf := testpki.Issue(testpki.Template{CN: "lazy.example.test", DNS: []string{"lazy.example.test"}}, inter)
	ders := append(mozillaDER(t), root.Cert.Raw)
	anchors := AnchorsFromDER(ders)
	if anchors.Len() != len(ders) {
		t.Fatalf("Len %d, want %d", anchors.Len(), len(ders))
	}
	r, err := Build(context.Background(), []*x509.Certificate{leaf.Cert, inter.Cert}, Options{Anchors: anchors, At: testpki.Epoch})
	if err != nil || !r.Trusted || len(r.Path) != 3 || !r.Path[2].Equal(root.Cert) {
		t.Fatalf("Build: %v", err)
	}
	if n := anchors.parsedCount(); n != 1 {
		t.Errorf("%d anchors parsed, want 1 (the root)", n)
	}
	eager, err := Build(context.Background(), []*x509.Certificate{leaf.Cert, inter.Cert}, Options{Roots: anchors.All(), At: testpki.Epoch})
	if err != nil || len(eager.Path) != len(r.Path) || !eager.Path[2].Equal(r.Path[2]) {
		t.Errorf("as Roots: %v", err)
	}
	if n := anchors.parsedCount(); n != len(ders) {
		t.Errorf("All parsed %d of %d", n, len(ders))
	}
}

// parsedCount is how many certificates of s were parsed so far.
func (s *Anchors) parsedCount() int {
	n := 0
	for _, a := range s.entries {
		if a.cert != nil {
			n++
		}
	}
	return n
}

// TestAnchorsByKeyID: an anchor whose subject differs from the child's
// issuer name only in string encoding is found by key identifier, as the
// same anchor given as Roots is (the encoding_test case, with the
// intermediate as the trust anchor).
func TestAnchorsByKeyID(t *testing.T) {
	root := testpki.Issue(testpki.Template{CN: "root", CA: true, Key: rsaKey(1)}, nil)
	intUTF8, intPrintable, key := encodingPair(t, root)
	leaf := testpki.Issue(testpki.Template{CN: "leaf", DNS: []string{"leaf.example"}}, &testpki.Cert{Cert: intPrintable, Key: key})
	in := []*x509.Certificate{leaf.Cert}
	_, eagerErr := Build(context.Background(), in, Options{Roots: []*x509.Certificate{intUTF8}, At: testpki.Epoch})
	_, lazyErr := Build(context.Background(), in, Options{Anchors: AnchorsFromDER([][]byte{intUTF8.Raw}), At: testpki.Epoch})
	var inv *InvalidError
	if !errors.As(eagerErr, &inv) || !strings.Contains(inv.Reason, "only up to string encoding") {
		t.Fatalf("as Roots: %v", eagerErr)
	}
	if lazyErr == nil || lazyErr.Error() != eagerErr.Error() {
		t.Errorf("as Anchors: %v\nas Roots:   %v", lazyErr, eagerErr)
	}
}

// TestMergeAnchors: each certificate once, in order, parsed or not.
func TestMergeAnchors(t *testing.T) {
	ders := mozillaDER(t)
	a, b := AnchorsFromDER(ders[:10]), AnchorsFromDER(ders[5:20])
	parsed := NewAnchors(b.All()[:3])
	m := MergeAnchors(a, b, parsed, nil)
	if m.Len() != 20 {
		t.Fatalf("Len %d, want 20", m.Len())
	}
	for i, c := range m.All() {
		if !bytes.Equal(c.Raw, ders[i]) {
			t.Errorf("entry %d out of order", i)
		}
	}
	c := m.All()[7]
	if got := m.Named(c.RawSubject); len(got) == 0 || !got[0].Equal(c) {
		t.Errorf("Named lost %s", c.Subject)
	}
}

// sourcesOf describes certs for AnchorsFromSources, each read from a copy
// of its DER.
func sourcesOf(certs []*x509.Certificate) []AnchorSource {
	var out []AnchorSource
	for _, c := range certs {
		der := bytes.Clone(c.Raw)
		out = append(out, AnchorSource{Subject: c.RawSubject, KeyID: c.SubjectKeyId, Sum: sha256.Sum256(der),
			Load: func() ([]byte, error) { return der, nil }})
	}
	return out
}

// TestAnchorsFromSources: a certificate is read when a path reaches it, and
// only then; one that cannot be read, or is not the one described, is left
// out; a certificate read so and the same one given as DER are one anchor.
func TestAnchorsFromSources(t *testing.T) {
	root := testpki.Issue(testpki.Template{CN: "Source Root", CA: true, Key: testpki.ECDSAKey(elliptic.P256(), "source root")}, nil)
	other := testpki.Issue(testpki.Template{CN: "Source Other", CA: true, Key: testpki.ECDSAKey(elliptic.P256(), "source other")}, nil)
	inter := testpki.Issue(testpki.Template{CN: "Source Int", CA: true, Key: testpki.ECDSAKey(elliptic.P256(), "source int")}, root)
	leaf := testpki.Issue(testpki.Template{CN: "source.example.test", DNS: []string{"source.example.test"}}, inter)
	mozilla := mozillaDER(t)
	var certs []*x509.Certificate
	for _, der := range mozilla {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		certs = append(certs, c)
	}
	srcs := sourcesOf(append(certs, root.Cert))
	loads := 0
	for i := range srcs {
		load := srcs[i].Load
		srcs[i].Load = func() ([]byte, error) { loads++; return load() }
	}
	anchors := AnchorsFromSources(srcs)
	if anchors.Len() != len(srcs) {
		t.Fatalf("Len %d, want %d", anchors.Len(), len(srcs))
	}
	r, err := Build(context.Background(), []*x509.Certificate{leaf.Cert, inter.Cert}, Options{Anchors: anchors, At: testpki.Epoch})
	if err != nil || !r.Trusted || len(r.Path) != 3 || !r.Path[2].Equal(root.Cert) {
		t.Fatalf("Build: %v", err)
	}
	if loads != 1 {
		t.Errorf("%d certificates read, want 1 (the root)", loads)
	}
	if !anchors.Contains(root.Cert) || anchors.Contains(other.Cert) {
		t.Error("Contains is wrong")
	}
	// Jobs of a bulk run ask at once: one read each, the same certificate.
	shared := AnchorsFromSources(sourcesOf(certs[:20]))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for _, c := range certs[:20] {
				if got := shared.Named(c.RawSubject); len(got) == 0 {
					t.Errorf("%s not found", c.Subject)
				}
			}
		})
	}
	wg.Wait()
	if m := MergeAnchors(anchors, AnchorsFromDER([][]byte{root.Cert.Raw, other.Cert.Raw})); m.Len() != len(srcs)+1 {
		t.Errorf("merged with the root and one more: Len %d, want %d", m.Len(), len(srcs)+1)
	}

	// Sources that do not hold what they describe.
	bad := func(mutate func(*AnchorSource)) *Anchors {
		s := sourcesOf([]*x509.Certificate{root.Cert})
		mutate(&s[0])
		return AnchorsFromSources(s)
	}
	for name, a := range map[string]*Anchors{
		"read fails":     bad(func(s *AnchorSource) { s.Load = func() ([]byte, error) { return nil, errors.New("gone") } }),
		"another cert":   bad(func(s *AnchorSource) { s.Load = func() ([]byte, error) { return other.Cert.Raw, nil } }),
		"another sum":    bad(func(s *AnchorSource) { s.Sum[0] ^= 1 }),
		"another key id": bad(func(s *AnchorSource) { s.KeyID = other.Cert.SubjectKeyId }),
	} {
		if got := a.Named(root.Cert.RawSubject); len(got) != 0 {
			t.Errorf("%s: the root was still given", name)
		}
	}
	// A source named after another subject is found by it, and refused.
	if got := bad(func(s *AnchorSource) { s.Subject = other.Cert.RawSubject }).Named(other.Cert.RawSubject); len(got) != 0 {
		t.Error("a certificate indexed under another subject was given")
	}
}
