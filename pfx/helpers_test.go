package pfx

import (
	"crypto"
	"crypto/x509"
	stdpem "encoding/pem"
	"os"
	"path/filepath"
	"testing"
)

// fixturePassword is the password of every encrypted fixture (see testdata/make.sh).
const fixturePassword = "secret"

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// refKey parses an unencrypted PKCS#8 PEM fixture with the standard
// library only, as the reference the tests compare ParseKey against.
func refKey(t testing.TB, name string) crypto.Signer {
	t.Helper()
	block, _ := stdpem.Decode(readFixture(t, name))
	if block == nil {
		t.Fatalf("%s: no PEM", name)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return k.(crypto.Signer)
}

// refCerts parses a PEM certificate fixture with the standard library.
func refCerts(t testing.TB, name string) []*x509.Certificate {
	t.Helper()
	var certs []*x509.Certificate
	rest := readFixture(t, name)
	for {
		var block *stdpem.Block
		block, rest = stdpem.Decode(rest)
		if block == nil {
			break
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		certs = append(certs, c)
	}
	return certs
}

// sameKey reports whether two private keys are equal.
func sameKey(a, b crypto.Signer) bool {
	eq, ok := a.(interface{ Equal(crypto.PrivateKey) bool })
	return ok && eq.Equal(b)
}

// countingPassword returns a PasswordFunc giving pw and a pointer to the
// number of times it was called.
func countingPassword(pw string) (PasswordFunc, *int) {
	n := new(int)
	return func() ([]byte, error) {
		*n++
		return []byte(pw), nil
	}, n
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func readFileT(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
