package bundle

import (
	"context"
	"crypto"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"chainfix/internal/testpki"
)

// A declarative test PKI in the manner of crypto/x509's TestPathBuilding:
// each spec names a certificate (its label), its issuer's label ("" for
// self-signed), its key and mutators. Labels, not CNs, identify
// certificates in expectations, because cross-signs share a CN.

type spec struct {
	label  string
	cn     string // defaults to label
	issuer string // label of the issuer; "" = self-signed
	key    int    // committed RSA key for a CA (same key = cross-sign); 0 = leaf key
	leaf   bool   // an end-entity certificate
	muts   []mut
}

type mut func(*testpki.Template, *mutState)

type mutState struct{ sha1 bool }

var (
	oldStart  = time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC)
	dstExpiry = time.Date(2021, 9, 30, 14, 1, 15, 0, time.UTC)
)

// expired: valid 2018-01-01 .. 2021-09-30 (DST Root CA X3's end).
func expired(t *testpki.Template, _ *mutState) { t.NotBefore, t.NotAfter = oldStart, dstExpiry }

func notAfter(at time.Time) mut {
	return func(t *testpki.Template, _ *mutState) { t.NotAfter = at }
}

func notBefore(at time.Time) mut {
	return func(t *testpki.Template, _ *mutState) { t.NotBefore = at }
}

// sgcOnly: the leaf carries only the old Netscape/Microsoft Server Gated
// Crypto usages, as some 2000s-era certificates did.
func sgcOnly(t *testpki.Template, _ *mutState) {
	t.EKU = []x509.ExtKeyUsage{x509.ExtKeyUsageNetscapeServerGatedCrypto, x509.ExtKeyUsageMicrosoftServerGatedCrypto}
}

// clientOnly: a leaf for TLS client authentication only.
func clientOnly(t *testpki.Template, _ *mutState) {
	t.EKU = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
}

// serverOnly: a leaf for TLS server authentication only.
func serverOnly(t *testpki.Template, _ *mutState) {
	t.EKU = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
}

// noCA: an intermediate issued without the CA bit.
func noCA(t *testpki.Template, _ *mutState) { t.CA = false; t.NoEKU = true }

func dns(names ...string) mut {
	return func(t *testpki.Template, _ *mutState) { t.DNS = names }
}

func org(o string) mut { return func(t *testpki.Template, _ *mutState) { t.O = o } }

// signedSHA1: re-sign the certificate with SHA-1 (Go refuses to sign with it).
func signedSHA1(_ *testpki.Template, s *mutState) { s.sha1 = true }

type pki struct {
	certs  map[string]*testpki.Cert
	labels map[[32]byte]string
}

var (
	keyOnce sync.Once
	rsaKeys [testpki.RSAKeyCount + 1]crypto.Signer
)

func rsaKey(i int) crypto.Signer {
	keyOnce.Do(func() {
		for k := 1; k <= testpki.RSAKeyCount; k++ {
			rsaKeys[k] = testpki.RSAKey(k)
		}
	})
	return rsaKeys[i]
}

func newPKI(t testing.TB, specs []spec) *pki {
	t.Helper()
	p := &pki{certs: make(map[string]*testpki.Cert), labels: make(map[[32]byte]string)}
	for _, s := range specs {
		cn := s.cn
		if cn == "" {
			cn = s.label
		}
		tmpl := testpki.Template{CN: cn, CA: !s.leaf}
		if s.key != 0 {
			tmpl.Key = rsaKey(s.key)
		}
		if s.leaf {
			tmpl.DNS = []string{cn + ".example"}
		}
		var st mutState
		for _, m := range s.muts {
			m(&tmpl, &st)
		}
		var issuer *testpki.Cert
		if s.issuer != "" {
			var ok bool
			if issuer, ok = p.certs[s.issuer]; !ok {
				t.Fatalf("spec %s: issuer %s not defined before it", s.label, s.issuer)
			}
		}
		c := testpki.Issue(tmpl, issuer)
		if st.sha1 {
			signer := c.Key
			if issuer != nil {
				signer = issuer.Key
			}
			c = &testpki.Cert{Cert: resignSHA1(t, c.Cert, signer), Key: c.Key}
		}
		p.certs[s.label] = c
		p.labels[sha256.Sum256(c.Cert.Raw)] = s.label
	}
	return p
}

func (p *pki) get(t testing.TB, labels ...string) []*x509.Certificate {
	t.Helper()
	var out []*x509.Certificate
	for _, l := range labels {
		c, ok := p.certs[l]
		if !ok {
			t.Fatalf("no certificate %q", l)
		}
		out = append(out, c.Cert)
	}
	return out
}

func (p *pki) label(c *x509.Certificate) string {
	if l, ok := p.labels[sha256.Sum256(c.Raw)]; ok {
		return l
	}
	return "?" + Name(c)
}

// path renders certificates as "leaf -> int -> root" by label.
func (p *pki) path(certs []*x509.Certificate) string {
	var s []string
	for _, c := range certs {
		s = append(s, p.label(c))
	}
	return strings.Join(s, " -> ")
}

// resignSHA1 rewrites the signature algorithm in c's TBSCertificate to
// sha1WithRSAEncryption and signs it again with key, which must be RSA:
// crypto/x509 refuses to create SHA-1 certificates, and SHA-1 roots and
// intermediates are exactly what chainfix must recognise.
func resignSHA1(t testing.TB, c *x509.Certificate, key crypto.Signer) *x509.Certificate {
	t.Helper()
	rsaKey, ok := key.(*rsa.PrivateKey)
	if !ok {
		t.Fatalf("resignSHA1: issuer key of %s is not RSA", Name(c))
	}
	var tbs asn1.RawValue
	if _, err := asn1.Unmarshal(c.RawTBSCertificate, &tbs); err != nil {
		t.Fatal(err)
	}
	var elems [][]byte
	for rest := tbs.Bytes; len(rest) > 0; {
		var el asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &el); err != nil {
			t.Fatal(err)
		}
		elems = append(elems, el.FullBytes)
	}
	alg := pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}, Parameters: asn1.NullRawValue}
	algDER, err := asn1.Marshal(alg)
	if err != nil {
		t.Fatal(err)
	}
	elems[2] = algDER // [0] version, serialNumber, signature
	newTBS, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: concat(elems)})
	if err != nil {
		t.Fatal(err)
	}
	digest := sha1.Sum(newTBS)
	sig, err := rsa.SignPKCS1v15(nil, rsaKey, crypto.SHA1, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	der, err := asn1.Marshal(struct {
		TBS asn1.RawValue
		Alg pkix.AlgorithmIdentifier
		Sig asn1.BitString
	}{asn1.RawValue{FullBytes: newTBS}, alg, asn1.BitString{Bytes: sig, BitLength: len(sig) * 8}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if out.SignatureAlgorithm != x509.SHA1WithRSA {
		t.Fatalf("resignSHA1: got %v", out.SignatureAlgorithm)
	}
	return out
}

func concat(bs [][]byte) []byte {
	var out []byte
	for _, b := range bs {
		out = append(out, b...)
	}
	return out
}

// fakeSource answers Issuers from a map of labels and counts the calls.
type fakeSource struct {
	p       *pki
	answers map[string][]string
	err     error
	calls   int
	asked   []string
}

func (f *fakeSource) Issuers(_ context.Context, c *x509.Certificate) ([]*x509.Certificate, error) {
	f.calls++
	l := f.p.label(c)
	f.asked = append(f.asked, l)
	var out []*x509.Certificate
	for _, a := range f.answers[l] {
		out = append(out, f.p.certs[a].Cert)
	}
	return out, f.err
}

// bigPool builds a pool of n certificates under an ECDSA root (fast to
// sign), once per process: the real intermediate "Int" among n-1 others.
// sameName gives every other certificate the CN "Int" and no SKI, so that
// neither name nor key identifier narrows the search: only signatures do.
type bigPoolSet struct {
	root, inter, leaf *x509.Certificate
	pool              []*x509.Certificate
}

var (
	bigPoolOnce [2]sync.Once
	bigPools    [2]*bigPoolSet
)

func bigPool(sameName bool) *bigPoolSet {
	i := 0
	if sameName {
		i = 1
	}
	bigPoolOnce[i].Do(func() {
		const n = 1000
		root := testpki.Issue(testpki.Template{CN: "Pool Root", CA: true, Key: testpki.ECDSAKey(elliptic.P256(), "pool-root")}, nil)
		inter := testpki.Issue(testpki.Template{CN: "Int", CA: true, Key: testpki.ECDSAKey(elliptic.P256(), "pool-int")}, root)
		leaf := testpki.Issue(testpki.Template{CN: "leaf", DNS: []string{"leaf.example"}}, inter)
		set := &bigPoolSet{root: root.Cert, inter: inter.Cert, leaf: leaf.Cert}
		for k := 0; k < n-1; k++ {
			tmpl := testpki.Template{CN: fmt.Sprintf("Pool CA %d", k), CA: true, Key: testpki.ECDSAKey(elliptic.P256(), fmt.Sprintf("pool-%d", k))}
			if sameName {
				tmpl = testpki.Template{CN: "Int", Serial: int64(k + 10), NoSKI: true, NoEKU: true, Key: tmpl.Key}
			}
			set.pool = append(set.pool, testpki.Issue(tmpl, root).Cert)
		}
		set.pool = append(set.pool[:n/2], append([]*x509.Certificate{inter.Cert}, set.pool[n/2:]...)...)
		bigPools[i] = set
	})
	return bigPools[i]
}
