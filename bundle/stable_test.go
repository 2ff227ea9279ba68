package bundle

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"chainfix/internal/testpki"
)

// Two equally good paths (the intermediate cross-signed by two trusted
// roots): whatever the order of the input and the roots, Build must choose
// the same one, so the bundle it writes is byte-stable.
func TestBuildIsByteStableAcrossInputOrder(t *testing.T) {
	p := newPKI(t, []spec{
		{label: "root-a", key: 1},
		{label: "root-b", key: 7},
		{label: "int-by-a", cn: "int", issuer: "root-a", key: 2},
		{label: "int-by-b", cn: "int", issuer: "root-b", key: 2},
		{label: "leaf", issuer: "int-by-a", leaf: true},
	})
	orders := [][]string{
		{"leaf", "int-by-a", "int-by-b"},
		{"leaf", "int-by-b", "int-by-a"},
		{"int-by-a", "leaf", "int-by-b"},
		{"int-by-b", "int-by-a", "leaf"},
	}
	rootOrders := [][]string{{"root-a", "root-b"}, {"root-b", "root-a"}}
	var want []byte
	var wantPath string
	for _, in := range orders {
		for _, ro := range rootOrders {
			r, err := Build(context.Background(), p.get(t, in...), Options{Roots: p.get(t, ro...), At: testpki.Epoch})
			if err != nil {
				t.Fatalf("input %v roots %v: %v", in, ro, err)
			}
			var der []byte
			for _, c := range r.Path {
				der = append(der, c.Raw...)
			}
			if want == nil {
				want, wantPath = der, p.path(r.Path)
				if len(r.Rejected) != 1 || rejectText(r.Rejected[0]) != "as good as the chosen path; tie broken by the SHA-256 of the paths" {
					t.Errorf("Rejected = %+v, want one tie", r.Rejected)
				}
				continue
			}
			if !bytes.Equal(der, want) {
				t.Errorf("input %v roots %v: path %s, want %s", in, ro, p.path(r.Path), wantPath)
			}
		}
	}
}

func TestBuildRequiresTime(t *testing.T) {
	p := newPKI(t, basicPKI)
	_, err := Build(context.Background(), p.get(t, "leaf"), Options{})
	if !errors.Is(err, ErrNoTime) {
		t.Fatalf("err = %v, want ErrNoTime", err)
	}
}

func TestBuildLeafNotInInput(t *testing.T) {
	p := newPKI(t, basicPKI)
	_, err := Build(context.Background(), p.get(t, "int"), Options{At: testpki.Epoch, Leaf: p.certs["leaf"].Cert})
	if !errors.Is(err, ErrLeafNotInInput) {
		t.Fatalf("err = %v, want ErrLeafNotInInput", err)
	}
}

// A cancelled context stops fetching; the error says so.
func TestBuildCancelledContext(t *testing.T) {
	p := newPKI(t, basicPKI)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	src := &fakeSource{p: p, answers: map[string][]string{"leaf": {"int"}}}
	_, err := Build(ctx, p.get(t, "leaf"), Options{Roots: p.get(t, "root"), At: testpki.Epoch, Source: src})
	var mi *MissingIssuerError
	if !errors.As(err, &mi) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want a MissingIssuerError wrapping context.Canceled", err)
	}
	if src.calls != 0 {
		t.Errorf("Source called %d times after cancel", src.calls)
	}
}
