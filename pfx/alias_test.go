package pfx

import (
	"bytes"
	"crypto"
	"crypto/elliptic"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"chainfix/internal/testpki"
	"chainfix/internal/testtool"
)

const aliasTestPassword = "alias-test"

// aliasTestChain is leaf <- intermediate <- root, the leaf for key.
func aliasTestChain(key crypto.Signer) (leaf *x509.Certificate, chain []*x509.Certificate) {
	root := testpki.Issue(testpki.Template{CN: "Alias Test Root", CA: true, Key: testpki.RSAKey(1), Serial: 1}, nil)
	inter := testpki.Issue(testpki.Template{CN: "Alias Test Intermediate", CA: true, Key: testpki.RSAKey(2), Serial: 2}, root)
	l := testpki.Issue(testpki.Template{CN: "www.alias.test", DNS: []string{"www.alias.test"}, Key: key, Serial: 3}, inter)
	return l.Cert, []*x509.Certificate{inter.Cert}
}

// TestPKCS12KDF checks the RFC 7292 appendix B.2 derivation against the
// vectors go-pkcs12 (and Go's x/crypto before it) test theirs with.
func TestPKCS12KDF(t *testing.T) {
	sesame, _ := aliasBMPString("sesame")
	tests := []struct {
		name           string
		salt, password []byte
		iterations     int
		want           string
	}{
		{"long key", bytes.Repeat([]byte{0xff}, 8), append(sesame, 0, 0), 2048, "7cd9fd3e2b3be7691a44e3bef0f9ea0fb9b897d4e325d9d1"},
		{"leading zeros in I_j", []byte("\xf3\x7e\x05\xb5\x18\x32\x4b\x4b"), []byte{0, 0}, 2048, "00f759ff47d14dd03665d5943cb3c4a39a2555c02aed66e1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := pkcs12KDF(sha1.New, tt.salt, tt.password, tt.iterations, 1, 24)
			if hex.EncodeToString(got) != tt.want {
				t.Errorf("pkcs12KDF = %x, want %s", got, tt.want)
			}
		})
	}
	// Longer outputs than one hash: the first bytes stay the same.
	long := pkcs12KDF(sha256.New, []byte("salt"), []byte{0, 'p', 0, 0}, 3, 3, 80)
	short := pkcs12KDF(sha256.New, []byte("salt"), []byte{0, 'p', 0, 0}, 3, 3, 32)
	if !bytes.Equal(long[:32], short) {
		t.Error("a longer derivation does not start with the shorter one")
	}
}

// TestEncodeWithAlias: go-pkcs12 and this package read the result back,
// and the friendly name sits on the key bag and on the leaf's bag.
func TestEncodeWithAlias(t *testing.T) {
	for _, tt := range []struct {
		name string
		key  crypto.Signer
		enc  Encryption
	}{
		{"rsa modern", testpki.RSAKey(9), Modern},
		{"rsa legacy", testpki.RSAKey(9), Legacy},
		{"ecdsa modern", testpki.ECDSAKey(elliptic.P256(), "alias"), Modern},
		{"ecdsa legacy", testpki.ECDSAKey(elliptic.P384(), "alias"), Legacy},
	} {
		t.Run(tt.name, func(t *testing.T) {
			leaf, chain := aliasTestChain(tt.key)
			der, err := EncodeWithAlias(tt.key, leaf, chain, aliasTestPassword, tt.enc, "my site")
			if err != nil {
				t.Fatal(err)
			}
			c, err := Decode(der, func() ([]byte, error) { return []byte(aliasTestPassword), nil })
			if err != nil {
				t.Fatal(err)
			}
			if c.Leaf == nil || !bytes.Equal(c.Leaf.Raw, leaf.Raw) || len(c.Certificates) != 2 {
				t.Fatalf("decoded %d certificates, leaf %v", len(c.Certificates), c.Leaf != nil)
			}
			blocks, err := pkcs12.ToPEM(der, aliasTestPassword)
			if err != nil {
				t.Fatal(err)
			}
			var named []string
			for _, b := range blocks {
				if b.Headers["friendlyName"] == "my site" {
					named = append(named, b.Type)
				}
			}
			if strings.Join(named, ",") != "CERTIFICATE,PRIVATE KEY" {
				t.Errorf("friendlyName on %v, want the leaf certificate and the key", named)
			}
			if _, _, _, err := pkcs12.DecodeChain(der, "wrong"); err == nil {
				t.Error("the MAC verifies with a wrong password")
			}
		})
	}
}

func TestEncodeWithAliasRefuses(t *testing.T) {
	key := testpki.RSAKey(9)
	leaf, chain := aliasTestChain(key)
	tests := []struct {
		name, alias, password string
		key                   crypto.Signer
		want                  string
	}{
		{"empty alias", "", aliasTestPassword, key, "1 to 256 characters"},
		{"long alias", strings.Repeat("a", 257), aliasTestPassword, key, "1 to 256 characters"},
		{"alias outside the BMP", "site \U0001F512", aliasTestPassword, key, "Basic Multilingual Plane"},
		{"password outside the BMP", "site", "pw \U0001F512", key, "Basic Multilingual Plane"},
		{"key of another certificate", "site", aliasTestPassword, testpki.RSAKey(10), "does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := EncodeWithAlias(tt.key, leaf, chain, tt.password, Modern, tt.alias)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to say %q", err, tt.want)
			}
		})
	}
}

// TestEncodeWithAliasReadByTools: keytool lists the entry under the alias
// (the reason this file exists), OpenSSL verifies the MAC and prints it.
func TestEncodeWithAliasReadByTools(t *testing.T) {
	key := testpki.ECDSAKey(elliptic.P256(), "alias tools")
	leaf, chain := aliasTestChain(key)
	for _, enc := range []Encryption{Modern, Legacy} {
		t.Run(enc.String(), func(t *testing.T) {
			dir := t.TempDir()
			der, err := EncodeWithAlias(key, leaf, chain, aliasTestPassword, enc, "www.alias.test")
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "out.p12"), der, 0o600); err != nil {
				t.Fatal(err)
			}
			t.Run("openssl", func(t *testing.T) {
				openssl := testtool.Need(t, "openssl")
				out, err := testtool.Run(t, dir, openssl, "pkcs12", "-in", "out.p12", "-passin", "pass:"+aliasTestPassword, "-info", "-nokeys")
				if err != nil {
					t.Fatalf("openssl: %v\n%s", err, out)
				}
				if n := bytes.Count(out, []byte("friendlyName: www.alias.test")); n != 1 {
					t.Errorf("openssl shows the friendly name %d times on certificates, want 1:\n%s", n, out)
				}
				out, err = testtool.Run(t, dir, openssl, "pkcs12", "-in", "out.p12", "-passin", "pass:"+aliasTestPassword, "-nocerts", "-nodes")
				if err != nil {
					t.Fatalf("openssl: %v\n%s", err, out)
				}
				if !bytes.Contains(out, []byte("friendlyName: www.alias.test")) {
					t.Errorf("openssl shows no friendly name on the key:\n%s", out)
				}
			})
			t.Run("keytool", func(t *testing.T) {
				keytool := testtool.Need(t, "keytool")
				out, err := testtool.Run(t, dir, keytool, "-list", "-v", "-keystore", "out.p12", "-storetype", "PKCS12", "-storepass", aliasTestPassword)
				if err != nil {
					t.Fatalf("keytool: %v\n%s", err, out)
				}
				if !regexp.MustCompile(`(?m)^Alias name: www\.alias\.test\s*$`).Match(out) {
					t.Errorf("keytool does not list the alias:\n%s", out)
				}
				if !bytes.Contains(out, []byte("Entry type: PrivateKeyEntry")) || !regexp.MustCompile(`Certificate chain length: 2\b`).Match(out) {
					t.Errorf("keytool does not see the key entry with its chain:\n%s", out)
				}
			})
		})
	}
}
