package pem

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"

	"chainfix/internal/testpki"
)

// poolSize is the size of the "--pool" benchmark input.
const poolSize = 1000

var (
	poolOnce sync.Once
	poolPEM  []byte
)

// bigPool is a PEM file of poolSize distinct certificates, issued by an
// Ed25519 CA (deterministic and fast to sign).
func bigPool() []byte {
	poolOnce.Do(func() {
		ca := testpki.Issue(testpki.Template{CN: "Bench CA", CA: true, Key: testpki.Ed25519Key("bench ca"), Serial: 1}, nil)
		var buf bytes.Buffer
		for i := 0; i < poolSize; i++ {
			c := testpki.Issue(testpki.Template{CN: fmt.Sprintf("host%04d.example.com", i), Serial: int64(i + 2), Key: testpki.Ed25519Key(fmt.Sprint(i))}, ca)
			buf.Write(c.PEM())
		}
		poolPEM = buf.Bytes()
	})
	return poolPEM
}

func BenchmarkDecode(b *testing.B) {
	for _, bench := range []struct {
		name  string
		input func() []byte
		certs int
	}{
		{"3-cert bundle", func() []byte { return readFixture(b, "chain.pem") }, 3},
		{"1000-cert pool", bigPool, poolSize},
	} {
		b.Run(strings.ReplaceAll(bench.name, " ", "_"), func(b *testing.B) {
			data := bench.input()
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				c, err := Decode(data, Options{})
				if err != nil || len(c.Certificates) != bench.certs {
					b.Fatalf("got %v, %v", c, err)
				}
			}
		})
	}
}

// TestDecodeLargeInputs runs inputs that a quadratic scanner would choke on
// (it asserts results, not timings).
func TestDecodeLargeInputs(t *testing.T) {
	t.Run("pool of 1000 certificates", func(t *testing.T) {
		c, err := Decode(bigPool(), Options{})
		if err != nil || len(c.Certificates) != poolSize {
			t.Fatalf("got %d certificates, %v", len(c.Certificates), err)
		}
	})
	t.Run("50000 unwanted blocks before a certificate", func(t *testing.T) {
		data := append(bytes.Repeat([]byte("-----BEGIN X509 CRL-----\n-----END X509 CRL-----\n"), 50000), chain().leaf.PEM()...)
		c, err := Decode(data, Options{})
		if err != nil || len(c.Certificates) != 1 || len(c.Skipped) != 50000 {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("a megabyte of BEGIN markers", func(t *testing.T) {
		data := bytes.Repeat([]byte("-----BEGIN A-----"), 60000)
		if _, err := Decode(data, Options{}); err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("BER PKCS#7 with 200000 elements in an indefinite SET", func(t *testing.T) {
		// smallstep's ber2der searches the rest of the input after every
		// element here; ours is linear.
		head := []byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x80, 0x30, 0x80, 0x31, 0x80}
		data := append(head, bytes.Repeat([]byte{0x02, 0x01, 0x01}, 200000)...)
		data = append(data, 0, 0, 0, 0, 0, 0, 0, 0)
		_, err := Decode(data, Options{})
		if err == nil {
			t.Fatal("no error")
		}
	})
}

// BenchmarkBlocks: splitting and base64-decoding a PEM bundle, what reading
// a Unix trust store costs before any certificate is parsed.
func BenchmarkBlocks(b *testing.B) {
	data := bigPool()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		blocks, err := Blocks(data)
		if err != nil || len(blocks) != poolSize {
			b.Fatalf("got %d blocks, %v", len(blocks), err)
		}
	}
}
