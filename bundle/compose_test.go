package bundle

import (
	"crypto/elliptic"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"chainfix/internal/testpki"
)

// TestComposedVerifyAgrees: verifying a path in two parts (compose.go)
// gives crypto/x509's verdict on the whole path, error text included, on
// random paths of 3 and 4 certificates with what reaches below a CA (name
// and policy constraints, path lengths, key usages) mixed in; and the
// parts are used often enough for this to mean something.
func TestComposedVerifyAgrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 78282))
	at := testpki.Epoch
	usageSets := [][]x509.ExtKeyUsage{
		{x509.ExtKeyUsageServerAuth},
		{x509.ExtKeyUsageClientAuth},
		{x509.ExtKeyUsageAny},
		{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	const uppers, leavesEach = 400, 3
	var valid, invalid, composed int
	for u := range uppers {
		upper := randomUpper(rng, u)
		usages := usageSets[rng.IntN(len(usageSets))]
		v := NewVerdicts() // shared by the leaves under this upper part
		for l := range leavesEach {
			leaf := randomLeaf(rng, fmt.Sprintf("leaf %d.%d", u, l), upper[0])
			path := append([]*x509.Certificate{leaf.Cert}, certsOf(upper)...)
			want := verifyOnly(path, at, usages)
			for round := range 2 { // the second from the kept upper part
				before := composedHits.Load()
				got := verifyPath(path, at, usages, v)
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("path %d.%d round %d, usages %v:\n%s\nwhole path: %v\nin two parts: %v", u, l, round, usages, describe(path), want, got)
				}
				if got == nil && composedHits.Load() > before {
					composed++
				}
			}
			if want == nil {
				valid++
			} else {
				invalid++
			}
		}
	}
	t.Logf("%d valid, %d invalid, %d verdicts from two parts", valid, invalid, composed)
	if valid < 60 || invalid < 60 || composed < 60 {
		t.Fatalf("too few cases of a kind (%d valid, %d invalid, %d in two parts): the generator needs tuning", valid, invalid, composed)
	}
}

// randomUpper is a random CA path, the leaf's issuer first, a self-signed
// root last: one or two intermediates.
func randomUpper(rng *rand.Rand, n int) []*testpki.Cert {
	root := testpki.Issue(randomCA(rng, fmt.Sprintf("Root %d", n)), nil)
	path := []*testpki.Cert{root}
	for i := range 1 + rng.IntN(2) {
		path = append([]*testpki.Cert{testpki.Issue(randomCA(rng, fmt.Sprintf("CA %d.%d", n, i)), path[0])}, path...)
	}
	return path
}

var (
	testPolicy = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 1}
	nameSets   = [][]string{{"www.example.test"}, {"bad.example.test"}, {"www.other.test"}, {"www.example.test", "www.other.test"}}
)

func randomCA(rng *rand.Rand, cn string) testpki.Template {
	t := testpki.Template{CN: cn, CA: true, Key: testpki.ECDSAKey(elliptic.P256(), cn)}
	switch rng.IntN(6) {
	case 0:
		t.PathLenZero = true
	case 1:
		t.MaxPathLen = 1
	}
	t.EKU = randomEKU(rng)
	switch rng.IntN(6) {
	case 0:
		t.Extensions = append(t.Extensions, nameConstraints(0, "example.test"))
	case 1:
		t.Extensions = append(t.Extensions, nameConstraints(1, "bad.example.test"))
	}
	if rng.IntN(10) == 0 {
		t.Extensions = append(t.Extensions, requireExplicitPolicy())
	}
	if rng.IntN(3) > 0 {
		t.Policies = []asn1.ObjectIdentifier{testPolicy}
	}
	if rng.IntN(25) == 0 {
		t.NotAfter = testpki.Epoch.Add(-time.Hour)
	}
	if rng.IntN(25) == 0 {
		t.KeyUsage = x509.KeyUsageDigitalSignature // no keyCertSign
	}
	return t
}

func randomLeaf(rng *rand.Rand, cn string, issuer *testpki.Cert) *testpki.Cert {
	t := testpki.Template{CN: cn, DNS: nameSets[rng.IntN(len(nameSets))]}
	if eku := randomEKU(rng); eku != nil {
		t.EKU = eku
	} else if rng.IntN(2) == 0 {
		t.NoEKU = true
	}
	if rng.IntN(3) > 0 {
		t.Policies = []asn1.ObjectIdentifier{testPolicy}
	}
	if rng.IntN(25) == 0 {
		t.NotAfter = testpki.Epoch.Add(-time.Hour)
	}
	return testpki.Issue(t, issuer)
}

// randomEKU: none (nil) half the time, else one of the lists CAs use.
func randomEKU(rng *rand.Rand) []x509.ExtKeyUsage {
	lists := [][]x509.ExtKeyUsage{
		{x509.ExtKeyUsageServerAuth},
		{x509.ExtKeyUsageClientAuth},
		{x509.ExtKeyUsageAny},
		{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	if rng.IntN(2) == 0 {
		return nil
	}
	return lists[rng.IntN(len(lists))]
}

// nameConstraints is a critical nameConstraints extension (RFC 5280
// 4.2.1.10) with one dNSName subtree, permitted (tag 0) or excluded (1).
func nameConstraints(tag int, dns string) pkix.Extension {
	name := must(asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 2, Bytes: []byte(dns)}))
	subtree := must(asn1.Marshal(asn1.RawValue{Tag: asn1.TagSequence, IsCompound: true, Bytes: name}))
	subtrees := must(asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: tag, IsCompound: true, Bytes: subtree}))
	value := must(asn1.Marshal(asn1.RawValue{Tag: asn1.TagSequence, IsCompound: true, Bytes: subtrees}))
	return pkix.Extension{Id: oidNameConstraints, Critical: true, Value: value}
}

// requireExplicitPolicy is policyConstraints { requireExplicitPolicy 0 }
// (RFC 5280 4.2.1.11): from here down every certificate needs a policy.
func requireExplicitPolicy() pkix.Extension {
	zero := must(asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, Bytes: []byte{0}}))
	value := must(asn1.Marshal(asn1.RawValue{Tag: asn1.TagSequence, IsCompound: true, Bytes: zero}))
	return pkix.Extension{Id: oidPolicyConstraints, Critical: true, Value: value}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func certsOf(cs []*testpki.Cert) []*x509.Certificate {
	out := make([]*x509.Certificate, len(cs))
	for i, c := range cs {
		out[i] = c.Cert
	}
	return out
}

func describe(path []*x509.Certificate) string {
	var b strings.Builder
	for _, c := range path {
		fmt.Fprintf(&b, "  %s: CA %v pathlen %d (zero %v) EKU %v KU %b names %v NC %v/%v policies %v policy-constraints %v expired %v\n",
			c.Subject.CommonName, c.IsCA, c.MaxPathLen, c.MaxPathLenZero, c.ExtKeyUsage, c.KeyUsage, c.DNSNames,
			c.PermittedDNSDomains, c.ExcludedDNSDomains, c.Policies, c.RequireExplicitPolicyZero, c.NotAfter.Before(testpki.Epoch))
	}
	return b.String()
}

// TestResultRoot: Build decides once whether the top of the path is a root
// (what a bundle leaves out), and Root agrees with IsRoot.
func TestResultRoot(t *testing.T) {
	root := testpki.Issue(testpki.Template{CN: "Root R", CA: true, Key: testpki.ECDSAKey(elliptic.P256(), "root r")}, nil)
	inter := testpki.Issue(testpki.Template{CN: "Inter R", CA: true, Key: testpki.ECDSAKey(elliptic.P256(), "inter r")}, root)
	leaf := testpki.Issue(testpki.Template{CN: "r.example.test", DNS: []string{"r.example.test"}}, inter)
	self := testpki.Issue(testpki.Template{CN: "self.example.test", DNS: []string{"self.example.test"}}, nil)
	for _, tc := range []struct {
		name     string
		input    []*x509.Certificate
		roots    []*x509.Certificate
		wantRoot *x509.Certificate
	}{
		{"to a root", []*x509.Certificate{leaf.Cert, inter.Cert}, []*x509.Certificate{root.Cert}, root.Cert},
		{"to an intermediate trusted as given", []*x509.Certificate{leaf.Cert}, []*x509.Certificate{inter.Cert}, nil},
		{"a self-signed leaf alone", []*x509.Certificate{self.Cert}, []*x509.Certificate{self.Cert}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Build(t.Context(), tc.input, Options{Roots: tc.roots, At: testpki.Epoch})
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Root(); got != tc.wantRoot {
				t.Errorf("Root() = %v, want %v", got, tc.wantRoot)
			}
			top := r.Path[len(r.Path)-1]
			if r.TopIsRoot != (len(r.Path) > 1 && IsRoot(top)) {
				t.Errorf("TopIsRoot %v, IsRoot of the top %v", r.TopIsRoot, IsRoot(top))
			}
		})
	}
}
