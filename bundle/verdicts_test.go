package bundle

import (
	"context"
	"crypto/elliptic"
	"crypto/x509"
	"sync"
	"testing"
	"time"

	"chainfix/internal/testpki"
)

// TestVerdictsShared: Builds that share a Verdicts cache check each
// intermediate's signature once between them, concurrently, and still
// choose the same path as a Build on its own.
func TestVerdictsShared(t *testing.T) {
	root := testpki.Issue(testpki.Template{CN: "Verdict Root", CA: true, Key: testpki.ECDSAKey(elliptic.P256(), "verdict root"), Serial: 900}, nil)
	inter := testpki.Issue(testpki.Template{CN: "Verdict Int", CA: true, Key: testpki.ECDSAKey(elliptic.P256(), "verdict int"), Serial: 901}, root)
	at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	v := NewVerdicts()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			leaf := testpki.Issue(testpki.Template{CN: "v" + string(rune('a'+i)) + ".example.test", DNS: []string{"v.example.test"}, Serial: int64(910 + i)}, inter)
			opts := Options{Roots: []*x509.Certificate{root.Cert}, Pool: []*x509.Certificate{inter.Cert}, At: at, Verdicts: v}
			r, err := Build(context.Background(), []*x509.Certificate{leaf.Cert}, opts)
			if err != nil || len(r.Path) != 3 || !r.Trusted {
				t.Errorf("build %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	// 8 leaves by the intermediate, the intermediate by the root, and the
	// root by itself: 10 distinct verdicts, however the Builds interleaved.
	if n := v.Len(); n != 10 {
		t.Errorf("%d shared verdicts, want 10", n)
	}
}

// TestVerdictsSigned: Signed (the fetcher's signature check) tells the
// signer from another key and keeps its verdicts, so that the Build that
// follows checks none of those links again; and it agrees with
// crypto/x509's CheckSignature.
func TestVerdictsSigned(t *testing.T) {
	root := testpki.Issue(testpki.Template{CN: "Signed Root", CA: true, Key: testpki.ECDSAKey(elliptic.P256(), "signed root")}, nil)
	inter := testpki.Issue(testpki.Template{CN: "Signed Int", CA: true, Key: testpki.ECDSAKey(elliptic.P256(), "signed int")}, root)
	leaf := testpki.Issue(testpki.Template{CN: "signed.example.test", DNS: []string{"signed.example.test"}}, inter)
	v := NewVerdicts()
	for _, tc := range []struct {
		parent, child *testpki.Cert
		want          bool
	}{{inter, leaf, true}, {root, leaf, false}, {root, inter, true}, {root, root, true}} {
		for range 2 { // the second from the cache
			if got := v.Signed(tc.parent.Cert, tc.child.Cert); got != tc.want {
				t.Errorf("Signed(%s, %s) = %v, want %v", tc.parent.Cert.Subject.CommonName, tc.child.Cert.Subject.CommonName, got, tc.want)
			}
		}
		if ok := tc.parent.Cert.CheckSignature(tc.child.Cert.SignatureAlgorithm, tc.child.Cert.RawTBSCertificate, tc.child.Cert.Signature) == nil; ok != tc.want {
			t.Errorf("the table disagrees with CheckSignature for %s", tc.child.Cert.Subject.CommonName)
		}
	}
	if n := v.Len(); n != 4 {
		t.Errorf("%d verdicts kept, want 4", n)
	}
	opts := Options{Roots: []*x509.Certificate{root.Cert}, Pool: []*x509.Certificate{inter.Cert}, At: testpki.Epoch, Verdicts: v}
	r, b, err := build(t.Context(), []*x509.Certificate{leaf.Cert}, opts)
	if err != nil || len(r.Path) != 3 {
		t.Fatalf("build: %v", err)
	}
	if b.checks != 0 {
		t.Errorf("the Build made %d signature checks of its own, want 0", b.checks)
	}
}

// TestVerdictsIsRoot: IsRoot as the function says it, with the
// self-signature verdict kept for the Build whose top is that root.
func TestVerdictsIsRoot(t *testing.T) {
	root := testpki.Issue(testpki.Template{CN: "IsRoot Root", CA: true, Key: testpki.ECDSAKey(elliptic.P256(), "isroot root")}, nil)
	inter := testpki.Issue(testpki.Template{CN: "IsRoot Int", CA: true, Key: testpki.ECDSAKey(elliptic.P256(), "isroot int")}, root)
	leaf := testpki.Issue(testpki.Template{CN: "isroot.example.test", DNS: []string{"isroot.example.test"}}, inter)
	self := testpki.Issue(testpki.Template{CN: "self.example.test", DNS: []string{"self.example.test"}}, nil)
	v := NewVerdicts()
	for _, c := range []*testpki.Cert{root, inter, leaf, self} {
		if got, want := v.IsRoot(c.Cert), IsRoot(c.Cert); got != want {
			t.Errorf("%s: Verdicts.IsRoot %v, IsRoot %v", c.Cert.Subject.CommonName, got, want)
		}
	}
	if !v.IsRoot(root.Cert) || v.IsRoot(self.Cert) {
		t.Error("the root is not a root, or the self-signed leaf is one")
	}
	opts := Options{Roots: []*x509.Certificate{root.Cert}, Pool: []*x509.Certificate{inter.Cert}, At: testpki.Epoch, Verdicts: v}
	r, b, err := build(t.Context(), []*x509.Certificate{leaf.Cert}, opts)
	if err != nil || !r.TopIsRoot {
		t.Fatalf("build: %v (top is a root: %v)", err, err == nil && r.TopIsRoot)
	}
	if b.checks != 2 {
		t.Errorf("the Build made %d signature checks, want 2 (the root's own was made by IsRoot)", b.checks)
	}
}
