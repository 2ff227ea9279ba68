package bundle

import (
	"context"
	"crypto/x509"
	"errors"
	"testing"

	"chainfix/internal/testpki"
)

// A 1,000-certificate pool: the index makes the search cheap when names
// differ, and the budget bounds it when they do not.
func TestBuildLargePoolStaysBounded(t *testing.T) {
	t.Run("distinct names: a handful of signature checks", func(t *testing.T) {
		set := bigPool(false)
		r, b, err := build(context.Background(), []*x509.Certificate{set.leaf}, Options{Roots: []*x509.Certificate{set.root}, Pool: set.pool, At: testpki.Epoch})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Path) != 3 || r.Path[1] != set.inter {
			t.Fatalf("path = %v", r.Path)
		}
		// Leaf choice (none), leaf <- Int, Int <- root, root self-signed.
		if b.checks > 5 {
			t.Errorf("%d signature checks for a 1,000-certificate pool of distinct names, want at most 5", b.checks)
		}
	})
	t.Run("1,000 certificates with the issuer's name: default budget holds", func(t *testing.T) {
		set := bigPool(true)
		r, b, err := build(context.Background(), []*x509.Certificate{set.leaf}, Options{Roots: []*x509.Certificate{set.root}, Pool: set.pool, At: testpki.Epoch})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Path) != 3 || r.Path[1] != set.inter {
			t.Fatalf("path = %v", r.Path)
		}
		if b.checks > DefaultMaxSignatureChecks {
			t.Errorf("%d signature checks, over the default bound %d", b.checks, DefaultMaxSignatureChecks)
		}
	})
	t.Run("1,000 certificates with the issuer's name: a small budget is obeyed", func(t *testing.T) {
		set := bigPool(true)
		const budget = 100
		_, b, err := build(context.Background(), []*x509.Certificate{set.leaf}, Options{Roots: []*x509.Certificate{set.root}, Pool: set.pool, At: testpki.Epoch, MaxSignatureChecks: budget})
		if b.checks > budget {
			t.Errorf("%d signature checks, budget %d", b.checks, budget)
		}
		if err != nil && !errors.Is(err, ErrSignatureBudget) {
			t.Errorf("err = %v, want nil or one wrapping ErrSignatureBudget", err)
		}
	})
}

func BenchmarkBuild(b *testing.B) {
	b.Run("3-cert chain", func(b *testing.B) {
		p := newPKI(b, basicPKI)
		input, roots := p.get(b, "leaf", "int"), p.get(b, "root")
		for b.Loop() {
			if _, err := Build(context.Background(), input, Options{Roots: roots, At: testpki.Epoch}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("1000-cert pool", func(b *testing.B) {
		set := bigPool(false)
		for b.Loop() {
			if _, err := Build(context.Background(), []*x509.Certificate{set.leaf}, Options{Roots: []*x509.Certificate{set.root}, Pool: set.pool, At: testpki.Epoch}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("1000-cert pool sharing the issuer's name", func(b *testing.B) {
		set := bigPool(true)
		for b.Loop() {
			if _, err := Build(context.Background(), []*x509.Certificate{set.leaf}, Options{Roots: []*x509.Certificate{set.root}, Pool: set.pool, At: testpki.Epoch}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
