package bundle

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"chainfix/internal/testpki"
)

// An intermediate reissued with its subject in UTF8String while the leaf
// names its issuer in PrintableString: the builder links them by AKI/SKI
// and the signature, and then reports plainly that crypto/x509 (which
// compares names byte for byte) refuses the pair, instead of calling the
// intermediate missing.
func TestBuildLinksNamesDifferingOnlyInEncoding(t *testing.T) {
	root := testpki.Issue(testpki.Template{CN: "root", CA: true, Key: rsaKey(1)}, nil)
	intUTF8, intPrintable, key := encodingPair(t, root)
	leaf := testpki.Issue(testpki.Template{CN: "leaf", DNS: []string{"leaf.example"}}, &testpki.Cert{Cert: intPrintable, Key: key})

	_, err := Build(context.Background(), []*x509.Certificate{leaf.Cert, intUTF8}, Options{Roots: []*x509.Certificate{root.Cert}, At: testpki.Epoch})
	var inv *InvalidError
	if !errors.As(err, &inv) {
		t.Fatalf("err = %v, want an *InvalidError", err)
	}
	if len(inv.Path) != 3 || inv.Path[1] != intUTF8 || !strings.Contains(inv.Reason, "only up to string encoding") {
		t.Errorf("path %d long, reason %q", len(inv.Path), inv.Reason)
	}

	// With the byte-identical issuer at hand, that one is used.
	r, err := Build(context.Background(), []*x509.Certificate{leaf.Cert, intUTF8, intPrintable}, Options{Roots: []*x509.Certificate{root.Cert}, At: testpki.Epoch})
	if err != nil {
		t.Fatal(err)
	}
	if r.Path[1] != intPrintable {
		t.Errorf("path uses the UTF8String copy")
	}
}

// encodingPair is the intermediate "int" under root twice, with one key and
// one SKI: its subject in UTF8String and in PrintableString.
func encodingPair(t *testing.T, root *testpki.Cert) (utf8, printable *x509.Certificate, key crypto.Signer) {
	t.Helper()
	key = rsaKey(2)
	mk := func(tag int) *x509.Certificate {
		raw, err := asn1.Marshal(pkix.RDNSequence{{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: asn1.RawValue{Tag: tag, Bytes: []byte("int")}}}})
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(int64(tag)), RawSubject: raw,
			NotBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC),
			IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
			SubjectKeyId: []byte("int-ski-0123456789ab"),
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, root.Cert, key.Public(), root.Key)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	return mk(asn1.TagUTF8String), mk(asn1.TagPrintableString), key
}
