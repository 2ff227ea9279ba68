package target

import (
	"crypto"
	"crypto/elliptic"
	"crypto/x509"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"chainfix/internal/fixtures"
	"chainfix/internal/testpki"
)

// testPassword protects every PFX and encrypted key the tests write.
const testPassword = "chainfix-test"

// pki is the committed test PKI (internal/fixtures) plus an RSA leaf under
// the same intermediate, built once.
var pki = sync.OnceValue(func() *testPKI {
	p := fixtures.Build()
	rsaLeaf := testpki.Issue(testpki.Template{CN: "rsa.example.test", DNS: []string{"rsa.example.test"}, Serial: 30,
		Key: testpki.RSAKey(8), NotBefore: date(2026, 1, 1), NotAfter: date(2046, 1, 1),
		IssuerURL: []string{fixtures.AIABase + "i1.cer"}}, p.Intermediate)
	return &testPKI{PKI: p, RSALeaf: rsaLeaf}
})

type testPKI struct {
	*fixtures.PKI
	RSALeaf *testpki.Cert
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// leafKinds are the two leaves every target is built for: the fixtures'
// ECDSA P-256 leaf and an RSA-2048 leaf, both under the fixtures'
// intermediate and root, all signed with RSA (deterministic).
var leafKinds = []string{"ecdsa", "rsa"}

// goodInput is the input a target is built from: leaf, intermediate, root,
// key, password, at the fixtures' epoch.
func goodInput(kind string) Input {
	p := pki()
	leaf := p.Leaf
	if kind == "rsa" {
		leaf = p.RSALeaf
	}
	return Input{
		Leaf:          leaf.Cert,
		Intermediates: []*x509.Certificate{p.Intermediate.Cert},
		Root:          p.Root.Cert,
		Key:           leaf.Key,
		Password:      []byte(testPassword),
		At:            testpki.Epoch,
	}
}

// leafWithKey issues a leaf for key under the fixtures' intermediate.
func leafWithKey(t testing.TB, cn string, key crypto.Signer) *testpki.Cert {
	t.Helper()
	return testpki.Issue(testpki.Template{CN: cn, DNS: []string{cn}, Key: key,
		NotBefore: date(2026, 1, 1), NotAfter: date(2046, 1, 1)}, pki().Intermediate)
}

// longChain is a leaf under n intermediates under the fixtures' root:
// leaf first, issuer next.
func longChain(t testing.TB, n int) (*testpki.Cert, []*x509.Certificate) {
	t.Helper()
	issuer := pki().Root
	var cas []*testpki.Cert
	for i := range n {
		cn := fmt.Sprintf("Chainfix Long Chain CA %d", i+1)
		ca := testpki.Issue(testpki.Template{CN: cn, O: "Chainfix Test PKI", CA: true, Serial: int64(100 + i),
			Key: testpki.ECDSAKey(elliptic.P256(), cn)}, issuer)
		cas = append(cas, ca)
		issuer = ca
	}
	leaf := testpki.Issue(testpki.Template{CN: "long.example.test", DNS: []string{"long.example.test"}, Serial: 99,
		NotBefore: date(2026, 1, 1), NotAfter: date(2046, 1, 1)}, issuer)
	var chain []*x509.Certificate
	for i := len(cas) - 1; i >= 0; i-- {
		chain = append(chain, cas[i].Cert)
	}
	return leaf, chain
}

// rules lists the rule names of findings, "name:severity".
func rules(fs []Finding) string {
	var s []string
	for _, f := range fs {
		s = append(s, f.Rule+":"+string(f.Severity))
	}
	return strings.Join(s, " ")
}

func hasFinding(fs []Finding, rule string, sev Severity) bool {
	for _, f := range fs {
		if f.Rule == rule && f.Severity == sev {
			return true
		}
	}
	return false
}

func errorsIn(fs []Finding) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Severity == Error {
			out = append(out, f)
		}
	}
	return out
}

func mustLookup(t testing.TB, name string) *Target {
	t.Helper()
	tg, err := Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}
