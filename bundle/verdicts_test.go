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
