package main

import (
	"context"
	"crypto/elliptic"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"chainfix/internal/testtool"

	"chainfix/bundle"
	"chainfix/internal/fixtures"
	"chainfix/internal/testpki"
	"chainfix/pem"
)

// TestBundlesPassOpenSSLVerify: every bundle chainfix writes for the
// fixture situations is accepted by `openssl verify -CAfile root
// -untrusted chain leaf` at the same time.
func TestBundlesPassOpenSSLVerify(t *testing.T) {
	testtool.Need(t, "openssl")
	_, f := fixtureDir(t)
	const at = "2026-06-01"
	const attime = "1780272000" // 2026-06-01T00:00:00Z
	tests := []struct {
		name  string
		roots string
		args  []string
	}{
		{"jumbled", "pki/root.pem", []string{"jumbled.pem"}},
		{"reversed with root", "pki/root.pem", []string{"reversed-chain.pem"}},
		{"leaf and pool", "pki/root.pem", []string{"--pool", f("pki/intermediate.pem"), f("pki/leaf.pem")}},
		{"expired cross-sign dropped", "cross/roots.pem", []string{"cross/served-long-chain.pem"}},
		{"private CA", "private/root.pem", []string{"private/intranet-chain.pem"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"build", "--offline", "--at", at, "--roots", f(tt.roots), "--split", f("split-" + strings.ReplaceAll(tt.name, " ", "-"))}
			for _, a := range tt.args {
				if !strings.HasPrefix(a, "-") && !filepath.IsAbs(a) {
					a = f(a)
				}
				args = append(args, a)
			}
			code, _, stderr := runCLI(t, nil, "", args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			dir := args[7]
			files, _ := filepath.Glob(filepath.Join(dir, "*.pem"))
			if len(files) < 2 {
				t.Fatalf("expected leaf and intermediates, got %v", files)
			}
			var chain []byte
			for _, fn := range files[1:] {
				chain = append(chain, readFile(t, fn)...)
			}
			os.WriteFile(filepath.Join(dir, "chain.txt"), chain, 0o644)
			out := runTool(t, "openssl", "verify", "-attime", attime, "-purpose", "sslserver", "-CAfile", f(tt.roots),
				"-untrusted", filepath.Join(dir, "chain.txt"), files[0])
			if !strings.Contains(out, ": OK") {
				t.Errorf("openssl verify: %s", out)
			}
		})
	}
}

// benchPipeline is decode -> build -> encode, as chainfix build runs it
// without the process around it.
func benchPipeline(b *testing.B, input []byte, pool, roots []*x509.Certificate) {
	b.Helper()
	for b.Loop() {
		c, err := pem.Decode(input, pem.Options{})
		if err != nil {
			b.Fatal(err)
		}
		res, err := bundle.Build(context.Background(), c.Certificates, bundle.Options{Roots: roots, Pool: pool, At: testpki.Epoch})
		if err != nil {
			b.Fatal(err)
		}
		_ = pem.Encode(res.Path[:len(res.Path)-1], pem.EncodeOptions{})
	}
}

func BenchmarkBuild3Certs(b *testing.B) {
	p := fixtures.Build()
	input := fixtures.Files()["jumbled.pem"]
	benchPipeline(b, input, nil, []*x509.Certificate{p.Root.Cert})
}

// BenchmarkBuild1000Pool: the leaf alone, its intermediate hidden in a
// pool of 1,000 CA certificates, 100 of which share its issuer's name.
func BenchmarkBuild1000Pool(b *testing.B) {
	p := fixtures.Build()
	var pool []*x509.Certificate
	for i := 0; i < 1000; i++ {
		issuer := p.ModernRoot
		cn := fmt.Sprintf("Pool CA %d", i)
		if i%10 == 0 {
			cn = p.Intermediate.Cert.Subject.CommonName // same name, other key: only the signature tells
			issuer = p.Root
		}
		c := testpki.Issue(testpki.Template{CN: cn, O: "Chainfix Test PKI", CA: true, Serial: int64(1000 + i),
			Key: testpki.ECDSAKey(elliptic.P256(), cn+fmt.Sprint(i))}, issuer)
		pool = append(pool, c.Cert)
	}
	pool = append(pool, p.Intermediate.Cert)
	benchPipeline(b, p.Leaf.PEM(), pool, []*x509.Certificate{p.Root.Cert, p.ModernRoot.Cert})
}
