package bundle

import (
	"context"
	"crypto/elliptic"
	"crypto/x509"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"chainfix/internal/testpki"
)

// Issue 12 item 6: path building was quadratic in certificates sharing a
// name (20,000 same-named CAs: 90 s of CPU). These tests and benchmarks
// keep it sub-quadratic and cancellable.

// sameNameMax is the largest same-named set the tests build (once).
const sameNameMax = 20000

var (
	sameNameOnce sync.Once
	sameNameAll  *sameNameSet
)

// sameNameSet: a leaf under CN=Int (an ECDSA CA with an SKI) under a
// root, and sameNameMax-1 other certificates named CN=Int with keys of
// their own, in turn: a CA under the same root (with an SKI, as
// crypto/x509 gives every CA); a certificate under the same root without
// the CA bit and without SKI, so that neither the name nor the key
// identifier narrows the search; and a self-signed CA (the shape of issue
// 12: 5,000 took 4.6 s, 20,000 took 90 s).
type sameNameSet struct {
	root, inter, leaf *x509.Certificate
	others            []*x509.Certificate
}

func sameNames(t testing.TB) *sameNameSet {
	t.Helper()
	sameNameOnce.Do(func() {
		root := testpki.Issue(testpki.Template{CN: "Same Root", CA: true, Key: testpki.ECDSAKey(elliptic.P256(), "same-root")}, nil)
		inter := testpki.Issue(testpki.Template{CN: "Int", CA: true, Key: testpki.ECDSAKey(elliptic.P256(), "same-int")}, root)
		leaf := testpki.Issue(testpki.Template{CN: "leaf", DNS: []string{"leaf.example"}}, inter)
		s := &sameNameSet{root: root.Cert, inter: inter.Cert, leaf: leaf.Cert, others: make([]*x509.Certificate, sameNameMax-1)}
		var wg sync.WaitGroup
		workers := runtime.GOMAXPROCS(0)
		for w := range workers {
			wg.Go(func() {
				for k := w; k < len(s.others); k += workers {
					key := testpki.ECDSAKey(elliptic.P256(), fmt.Sprintf("same-%d", k))
					tmpl := testpki.Template{CN: "Int", Serial: int64(k + 10), CA: k%3 != 1, NoSKI: true, NoEKU: true, Key: key}
					issuer := root
					if k%3 == 2 {
						issuer = nil
					}
					s.others[k] = testpki.Issue(tmpl, issuer).Cert
				}
			})
		}
		wg.Wait()
		sameNameAll = s
	})
	return sameNameAll
}

// pool returns n certificates named CN=Int, the real intermediate in the
// middle.
func (s *sameNameSet) pool(n int) []*x509.Certificate {
	others := s.others[:n-1]
	out := make([]*x509.Certificate, 0, n)
	out = append(out, others[:len(others)/2]...)
	out = append(out, s.inter)
	return append(out, others[len(others)/2:]...)
}

func TestBuildManySameNamedCertificates(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 20,000 certificates")
	}
	s := sameNames(t)
	roots := []*x509.Certificate{s.root}
	tests := []struct {
		name        string
		input, pool []*x509.Certificate
		leafName    string // for FindLeaf: the non-CA CN=Int certificates are leaf candidates too
	}{
		{"in the pool", []*x509.Certificate{s.leaf}, s.pool(sameNameMax), ""},
		{"in the input, after the leaf", append([]*x509.Certificate{s.leaf}, s.pool(sameNameMax)...), nil, ""},
		{"in the input, before the leaf named by FindLeaf", append(s.pool(sameNameMax), s.leaf), nil, "leaf.example"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := Options{Roots: roots, Pool: tt.pool, At: testpki.Epoch}
			if tt.leafName != "" {
				leaf, err := FindLeaf(tt.input, tt.leafName, testpki.Epoch)
				if err != nil {
					t.Fatal(err)
				}
				opts.Leaf = leaf
			}
			start := time.Now()
			r, b, err := build(context.Background(), tt.input, opts)
			t.Logf("%d signature checks, %v", b.checks, time.Since(start))
			if err != nil {
				t.Fatal(err)
			}
			if r.Leaf != s.leaf || len(r.Path) != 3 || r.Path[1] != s.inter {
				t.Fatalf("leaf %s, path of %d", Name(r.Leaf), len(r.Path))
			}
			if b.checks > DefaultMaxSignatureChecks {
				t.Errorf("%d signature checks, want at most %d", b.checks, DefaultMaxSignatureChecks)
			}
			if tt.pool == nil && len(r.Dropped) != sameNameMax-1 {
				t.Errorf("%d dropped, want %d", len(r.Dropped), sameNameMax-1)
			}
		})
	}
	t.Run("CA certificates only: the budget bounds the leaf choice", func(t *testing.T) {
		var cas []*x509.Certificate
		for _, c := range s.others {
			if c.IsCA {
				cas = append(cas, c)
			}
		}
		_, b, err := build(context.Background(), cas, Options{Roots: roots, At: testpki.Epoch, AllowUntrusted: true})
		if err != nil {
			t.Fatal(err)
		}
		if b.checks > DefaultMaxSignatureChecks {
			t.Errorf("%d signature checks, budget %d", b.checks, DefaultMaxSignatureChecks)
		}
	})
	t.Run("Diagnose of them all as served", func(t *testing.T) {
		served := append([]*x509.Certificate{s.leaf}, s.pool(sameNameMax)...)
		r, err := Build(context.Background(), served, Options{Roots: roots, At: testpki.Epoch})
		if err != nil {
			t.Fatal(err)
		}
		fs := Diagnose(served, r, DiagnoseOptions{At: testpki.Epoch})
		if len(fs) == 0 || fs[0].ID != IDChainWrongIntermediate {
			t.Fatalf("first finding %+v, want wrong-intermediate", fs[0])
		}
	})
}

// A done context stops every CPU-heavy phase: the error wraps ctx's, and no
// signature is checked once it is done.
func TestBuildStopsWhenContextIsDone(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 20,000 certificates")
	}
	s := sameNames(t)
	roots := []*x509.Certificate{s.root}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	t.Run("leaf choice among thousands of CA certificates", func(t *testing.T) {
		var cas []*x509.Certificate
		for _, c := range s.others {
			if c.IsCA {
				cas = append(cas, c)
			}
		}
		_, b, err := build(cancelled, cas, Options{Roots: roots, At: testpki.Epoch, AllowUntrusted: true})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want one wrapping context.Canceled", err)
		}
		if b.checks != 0 {
			t.Errorf("%d signature checks after cancel", b.checks)
		}
	})
	t.Run("path search", func(t *testing.T) {
		_, b, err := build(cancelled, []*x509.Certificate{s.leaf, s.inter}, Options{Roots: roots, Pool: s.pool(1000), At: testpki.Epoch})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want one wrapping context.Canceled", err)
		}
		if b.checks != 0 {
			t.Errorf("%d signature checks after cancel", b.checks)
		}
	})
	t.Run("cancelled while fetching", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		src := sourceFunc(func(context.Context, *x509.Certificate) ([]*x509.Certificate, error) {
			cancel() // the admin pressed ^C while the answer came in
			return s.pool(sameNameMax), nil
		})
		_, _, err := build(ctx, []*x509.Certificate{s.leaf}, Options{Roots: roots, At: testpki.Epoch, Source: src})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want one wrapping context.Canceled", err)
		}
		var mi *MissingIssuerError
		if errors.As(err, &mi) {
			t.Errorf("err = %v: a missing issuer, though the search was stopped", err)
		}
	})
}

type sourceFunc func(context.Context, *x509.Certificate) ([]*x509.Certificate, error)

func (f sourceFunc) Issuers(ctx context.Context, c *x509.Certificate) ([]*x509.Certificate, error) {
	return f(ctx, c)
}

// BenchmarkBuildSameNamePool: a leaf and n pool certificates sharing its
// issuer's name.
func BenchmarkBuildSameNamePool(b *testing.B) {
	s := sameNames(b)
	for _, n := range []int{100, 1000, 10000} {
		pool := s.pool(n)
		b.Run(fmt.Sprintf("pool=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := Build(context.Background(), []*x509.Certificate{s.leaf}, Options{Roots: []*x509.Certificate{s.root}, Pool: pool, At: testpki.Epoch}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBuildSameNameInput: the same certificates in the input, next to
// the leaf (what a chain file collected over the years looks like, at a
// scale no file has).
func BenchmarkBuildSameNameInput(b *testing.B) {
	s := sameNames(b)
	for _, n := range []int{100, 1000, 10000} {
		input := append([]*x509.Certificate{s.leaf}, s.pool(n)...)
		b.Run(fmt.Sprintf("input=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := Build(context.Background(), input, Options{Roots: []*x509.Certificate{s.root}, At: testpki.Epoch}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
