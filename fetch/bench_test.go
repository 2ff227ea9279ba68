package fetch

import (
	"context"
	"crypto/x509"
	"net/http"
	"testing"
	"time"

	"chainfix/internal/testpki"
)

// chainServer serves a 3-level hierarchy leaf -> int2 -> int1 -> root in
// which every certificate's AIA points at the next one, each answer delayed
// by delay (a distant CA repository).
func chainServer(tb testing.TB, delay time.Duration) (*aiaServer, *x509.Certificate) {
	srv := newAIAServer(tb)
	root := testpki.Issue(testpki.Template{CN: "Walk Root", CA: true, Key: testpki.RSAKey(4)}, nil)
	int1 := testpki.Issue(testpki.Template{CN: "Walk Int 1", CA: true, Key: testpki.RSAKey(5), IssuerURL: []string{srv.url("/root.crt")}}, root)
	int2 := testpki.Issue(testpki.Template{CN: "Walk Int 2", CA: true, Key: testpki.RSAKey(6), IssuerURL: []string{srv.url("/int1.crt")}}, int1)
	leaf := testpki.Issue(testpki.Template{CN: "walk.example", IssuerURL: []string{srv.url("/int2.crt")}}, int2)
	for path, c := range map[string]*testpki.Cert{"/root.crt": root, "/int1.crt": int1, "/int2.crt": int2} {
		body := c.DER()
		srv.handle(path, func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(delay)
			w.Header().Set("Content-Type", "application/pkix-cert")
			w.Write(body)
		})
	}
	return srv, leaf.Cert
}

// walk follows Issuers from cert up to a certificate without AIA, the way
// the builder does, and returns the subjects met.
func walk(ctx context.Context, c *Client, cert *x509.Certificate) ([]*x509.Certificate, error) {
	var path []*x509.Certificate
	for range 10 {
		issuers, err := c.Issuers(ctx, cert)
		if err != nil || len(issuers) == 0 {
			return path, err
		}
		cert = issuers[0]
		path = append(path, cert)
	}
	return path, nil
}

func TestChainWalkRequests(t *testing.T) {
	srv, leaf := chainServer(t, 0)
	dir := t.TempDir()
	c := New(Options{CacheDir: dir})
	path, err := walk(testCtx(t), c, leaf)
	if err != nil || subjects(path) != "CN=Walk Int 2, CN=Walk Int 1, CN=Walk Root" {
		t.Fatalf("walk: %q, %v", subjects(path), err)
	}
	if c.Requests() != 3 {
		t.Errorf("cold walk: %d requests, want 3 (one per missing certificate)", c.Requests())
	}
	if _, err := walk(testCtx(t), c, leaf); err != nil || c.Requests() != 3 {
		t.Errorf("same client again: %d requests, %v", c.Requests(), err)
	}
	warm := New(Options{CacheDir: dir})
	if path, err := walk(testCtx(t), warm, leaf); err != nil || len(path) != 3 || warm.Requests() != 0 {
		t.Errorf("warm cache: %q, %d requests, %v", subjects(path), warm.Requests(), err)
	}
	if srv.requests() != 3 {
		t.Errorf("server saw %d requests, want 3", srv.requests())
	}
}

// BenchmarkChainWalk: with a 20 ms CA repository, a cold walk costs one
// round trip per missing certificate (3), a warm cache none.
func BenchmarkChainWalk(b *testing.B) {
	const delay = 20 * time.Millisecond
	srv, leaf := chainServer(b, delay)
	ctx := context.Background()
	run := func(b *testing.B, opts Options) {
		requests, iterations := 0, 0
		for b.Loop() {
			iterations++
			c := New(opts)
			if path, err := walk(ctx, c, leaf); err != nil || len(path) != 3 {
				b.Fatalf("walk: %d certificates, %v", len(path), err)
			}
			requests += c.Requests()
		}
		b.ReportMetric(float64(requests)/float64(iterations), "requests/op")
	}
	b.Run("cold", func(b *testing.B) { run(b, Options{}) })
	b.Run("warm", func(b *testing.B) {
		dir := b.TempDir()
		if _, err := walk(ctx, New(Options{CacheDir: dir}), leaf); err != nil {
			b.Fatal(err)
		}
		before := srv.requests()
		run(b, Options{CacheDir: dir})
		if srv.requests() != before {
			b.Errorf("warm runs sent %d requests", srv.requests()-before)
		}
	})
}
