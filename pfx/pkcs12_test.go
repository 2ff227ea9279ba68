package pfx

import (
	"bytes"
	"crypto"
	"crypto/elliptic"
	"crypto/x509"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"chainfix/internal/testtool"

	"chainfix/internal/testpki"
)

func TestIsPKCS12(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want bool
	}{
		{"OpenSSL AES PFX", readFixture(t, "openssl-aes.p12"), true},
		{"OpenSSL certificates-only PFX", readFixture(t, "openssl-nokeys.p12"), true},
		{"Java keystore", readFixture(t, "java-two-keys.p12"), true},
		{"BER PFX", toBER(t, readFixture(t, "openssl-aes.p12")), true},
		{"PEM certificate", readFixture(t, "rsa.crt"), false},
		{"DER certificate", refCerts(t, "rsa.crt")[0].Raw, false},
		{"DER PKCS#8 key", readFixture(t, "rsa-pkcs8.der"), false},
		{"DER PKCS#1 key (INTEGER 0 first)", readFixture(t, "rsa-pkcs1.der"), false},
		{"empty", nil, false},
		{"truncated header", []byte{0x30, 0x82, 0x01}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsPKCS12(tt.data); got != tt.want {
				t.Errorf("IsPKCS12 = %v, want %v", got, tt.want)
			}
		})
	}
}

// toBER rewrites a DER PFX's outer SEQUENCE with an indefinite length, as
// some Windows and Java exports do.
func toBER(t testing.TB, der []byte) []byte {
	t.Helper()
	_, hl, n, ok := readHeader(der)
	if !ok || hl+n != len(der) {
		t.Fatal("not a DER element")
	}
	out := []byte{0x30, 0x80}
	out = append(out, der[hl:]...)
	return append(out, 0, 0)
}

func cns(certs []*x509.Certificate) string {
	var s []string
	for _, c := range certs {
		s = append(s, c.Subject.CommonName)
	}
	return strings.Join(s, ", ")
}

func TestDecodeFixtures(t *testing.T) {
	tests := []struct {
		name, file string
		key        string // reference key fixture, "" for none
		leaf       string // CN of Contents.Leaf
		certs      string // CNs of Contents.Certificates in order
		asks       int    // times the password is asked
	}{
		{"OpenSSL 3 default (AES-256, PBKDF2, SHA-256 MAC)", "openssl-aes.p12", "rsa-pkcs8.pem", "rsa.example", "rsa.example, pfx test CA", 1},
		{"OpenSSL -legacy (RC2-40 certificates, 3DES key)", "openssl-legacy-rc2.p12", "rsa-pkcs8.pem", "rsa.example", "rsa.example, pfx test CA", 1},
		{"OpenSSL PBE-SHA1-3DES with SHA-1 MAC", "openssl-3des.p12", "rsa-pkcs8.pem", "rsa.example", "rsa.example, pfx test CA", 1},
		{"certificates only (openssl -nokeys, one item)", "openssl-nokeys.p12", "", "", "rsa.example, pfx test CA", 1},
		{"no MAC, encrypted", "openssl-nomac.p12", "ec-p256-pkcs8.pem", "ec.example", "ec.example", 1},
		{"no MAC, no encryption", "openssl-plain.p12", "ec-p256-pkcs8.pem", "ec.example", "ec.example", 0},
		{"empty password: not asked", "openssl-empty-password.p12", "ec-p256-pkcs8.pem", "ec.example", "ec.example", 0},
		{"Ed25519 key", "openssl-ed25519.p12", "ed25519-pkcs8.pem", "ed25519.example", "ed25519.example", 1},
		{"Java key entry plus trusted certificate", "java-trusted.p12", "", "key", "key, pfx test CA", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pw, calls := countingPassword(fixturePassword)
			c, err := Decode(readFixture(t, tt.file), pw)
			if err != nil {
				t.Fatal(err)
			}
			if *calls != tt.asks {
				t.Errorf("password asked %d times, want %d", *calls, tt.asks)
			}
			if got := cns(c.Certificates); got != tt.certs {
				t.Errorf("certificates = %q, want %q", got, tt.certs)
			}
			switch {
			case tt.leaf == "" && c.Key != nil:
				t.Errorf("key %T, want none", c.Key)
			case tt.leaf != "" && c.Key == nil:
				t.Fatal("no key")
			case tt.key != "" && !sameKey(c.Key, refKey(t, tt.key)):
				t.Errorf("key differs from %s", tt.key)
			}
			if tt.leaf == "" {
				if c.Leaf != nil {
					t.Errorf("leaf %s, want none", c.Leaf.Subject)
				}
				return
			}
			if c.Leaf == nil || c.Leaf.Subject.CommonName != tt.leaf {
				t.Fatalf("leaf = %v, want CN=%s", c.Leaf, tt.leaf)
			}
			if !MatchKey(c.Key.Public(), c.Leaf) {
				t.Error("leaf does not match the key")
			}
		})
	}
}

func TestDecodeRefusals(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		pw   string
		want error
		msg  string
	}{
		{"wrong password", readFixture(t, "openssl-aes.p12"), "wrong", ErrIncorrectPassword, "MAC"},
		{"wrong password, legacy RC2", readFixture(t, "openssl-legacy-rc2.p12"), "wrong", ErrIncorrectPassword, "wrong password"},
		{"wrong password, no MAC", readFixture(t, "openssl-nomac.p12"), "wrong", ErrIncorrectPassword, "no MAC"},
		{"several keys (Java keystore)", readFixture(t, "java-two-keys.p12"), fixturePassword, ErrMultipleKeys, "holds 2 private keys; give one"},
		{"BER-encoded", toBER(t, readFixture(t, "openssl-aes.p12")), fixturePassword, ErrUnsupported, "BER-encoded, which go-pkcs12 cannot read; re-export it with: openssl pkcs12"},
		{"SHA-384 MAC", readFixture(t, "openssl-mac-sha384.p12"), fixturePassword, ErrUnsupported, "-macalg sha256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pw, _ := countingPassword(tt.pw)
			_, err := Decode(tt.data, pw)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err = %q, want it to mention %q", err, tt.msg)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("err = %q, want one line", err)
			}
		})
	}
	t.Run("several keys: the certificates still come back", func(t *testing.T) {
		pw, _ := countingPassword(fixturePassword)
		c, err := Decode(readFixture(t, "java-two-keys.p12"), pw)
		if !errors.Is(err, ErrMultipleKeys) || c == nil || c.Key != nil || len(c.Certificates) < 2 {
			t.Fatalf("err = %v, contents = %+v; want ErrMultipleKeys with the certificates and no key", err, c)
		}
	})
	t.Run("no password func", func(t *testing.T) {
		_, err := Decode(readFixture(t, "openssl-aes.p12"), nil)
		if !errors.Is(err, ErrPasswordRequired) {
			t.Fatalf("err = %v, want ErrPasswordRequired", err)
		}
	})
	t.Run("not a PFX", func(t *testing.T) {
		if _, err := Decode(readFixture(t, "rsa-pkcs8.der"), nil); err == nil {
			t.Fatal("no error")
		}
	})
}

// testChain is root -> intermediate -> leaf from testpki, leaf key k.
func testChain(leafKey crypto.Signer) (leaf *testpki.Cert, chain []*x509.Certificate) {
	root := testpki.Issue(testpki.Template{CN: "PFX Test Root", CA: true, Key: testpki.RSAKey(1)}, nil)
	inter := testpki.Issue(testpki.Template{CN: "PFX Test Intermediate", CA: true, Key: testpki.RSAKey(2)}, root)
	leaf = testpki.Issue(testpki.Template{CN: "pfx.example", Key: leafKey}, inter)
	return leaf, []*x509.Certificate{inter.Cert, root.Cert}
}

func TestEncodeRoundTrip(t *testing.T) {
	keys := []struct {
		name string
		key  crypto.Signer
	}{
		{"RSA", testpki.RSAKey(3)},
		{"ECDSA P-384", testpki.ECDSAKey(elliptic.P384(), "pfx")},
		{"Ed25519", testpki.Ed25519Key("pfx")},
	}
	for _, k := range keys {
		for _, enc := range []Encryption{Modern, Legacy} {
			t.Run(k.name+"/"+enc.String(), func(t *testing.T) {
				leaf, chain := testChain(k.key)
				der, err := Encode(k.key, leaf.Cert, chain, fixturePassword, enc)
				if err != nil {
					t.Fatal(err)
				}
				pw, _ := countingPassword(fixturePassword)
				c, err := Decode(der, pw)
				if err != nil {
					t.Fatal(err)
				}
				if !sameKey(c.Key, k.key) {
					t.Error("key differs")
				}
				if c.Leaf == nil || !bytes.Equal(c.Leaf.Raw, leaf.Cert.Raw) {
					t.Error("leaf differs")
				}
				want := append([]*x509.Certificate{leaf.Cert}, chain...)
				if got, want := cns(c.Certificates), cns(want); got != want {
					t.Fatalf("certificates = %q, want %q", got, want)
				}
				for i := range want {
					if !bytes.Equal(c.Certificates[i].Raw, want[i].Raw) {
						t.Errorf("certificate %d differs", i)
					}
				}
			})
		}
	}
}

func TestEncodeRefusesMismatchedKey(t *testing.T) {
	leaf, chain := testChain(testpki.ECDSAKey(elliptic.P256(), "right"))
	for _, other := range []crypto.Signer{testpki.ECDSAKey(elliptic.P256(), "wrong"), testpki.RSAKey(4)} {
		_, err := Encode(other, leaf.Cert, chain, fixturePassword, Modern)
		if err == nil {
			t.Fatal("no error")
		}
		for _, fp := range []string{Fingerprint(other.Public()), Fingerprint(leaf.Cert.PublicKey)} {
			if !strings.Contains(err.Error(), fp) {
				t.Errorf("err = %q, want it to name fingerprint %s", err, fp)
			}
		}
	}
}

func TestParseEncryption(t *testing.T) {
	tests := []struct {
		in   string
		want Encryption
		ok   bool
	}{
		{"modern", Modern, true},
		{"legacy", Legacy, true},
		{"Legacy", Legacy, true},
		{"rc2", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.in), func(t *testing.T) {
			got, err := ParseEncryption(tt.in)
			if tt.ok != (err == nil) || got != tt.want {
				t.Fatalf("ParseEncryption = %v, %v", got, err)
			}
			if err != nil && !strings.Contains(err.Error(), "modern") || err != nil && !strings.Contains(err.Error(), "legacy") {
				t.Errorf("err = %q, want it to list the choices", err)
			}
		})
	}
}

// TestEncodeReadByOpenSSL checks what OpenSSL 3 makes of Encode's output:
// Modern without -legacy; Legacy (3DES) both with and without -legacy.
func TestEncodeReadByOpenSSL(t *testing.T) {
	openssl := testtool.Need(t, "openssl")
	key := testpki.RSAKey(5)
	leaf, chain := testChain(key)
	tests := []struct {
		name string
		enc  Encryption
		args []string
	}{
		{"modern", Modern, nil},
		{"legacy", Legacy, nil},
		{"legacy with -legacy", Legacy, []string{"-legacy"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			der, err := Encode(key, leaf.Cert, chain, fixturePassword, tt.enc)
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, dir, "out.p12", der)
			args := append([]string{"pkcs12", "-in", "out.p12", "-passin", "pass:" + fixturePassword, "-info", "-nokeys"}, tt.args...)
			out, err := testtool.Run(t, dir, openssl, args...)
			if err != nil {
				t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
			}
			if n := bytes.Count(out, []byte("-----BEGIN CERTIFICATE-----")); n != 3 {
				t.Errorf("openssl printed %d certificates, want 3:\n%s", n, out)
			}
			args = append([]string{"pkcs12", "-in", "out.p12", "-passin", "pass:" + fixturePassword, "-nocerts", "-nodes"}, tt.args...)
			out, err = testtool.Run(t, dir, openssl, args...)
			if err != nil {
				t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
			}
			got, err := ParseKey(out, nil)
			if err != nil {
				t.Fatalf("reading openssl's key output: %v", err)
			}
			if !sameKey(got, key) {
				t.Error("openssl extracted another key")
			}
		})
	}
}

// TestEncodeReadByKeytool checks that Java sees one PrivateKeyEntry with
// the whole chain.
func TestEncodeReadByKeytool(t *testing.T) {
	keytool := testtool.Need(t, "keytool")
	key := testpki.ECDSAKey(elliptic.P256(), "keytool")
	leaf, chain := testChain(key)
	for _, enc := range []Encryption{Modern, Legacy} {
		t.Run(enc.String(), func(t *testing.T) {
			dir := t.TempDir()
			der, err := Encode(key, leaf.Cert, chain, fixturePassword, enc)
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, dir, "out.p12", der)
			out, err := testtool.Run(t, dir, keytool, "-list", "-v", "-keystore", "out.p12", "-storetype", "PKCS12", "-storepass", fixturePassword)
			if err != nil {
				t.Fatalf("keytool: %v\n%s", err, out)
			}
			if n := bytes.Count(out, []byte("Entry type: PrivateKeyEntry")); n != 1 {
				t.Errorf("keytool lists %d PrivateKeyEntry, want 1:\n%s", n, out)
			}
			if !regexp.MustCompile(`Certificate chain length: 3\b`).Match(out) {
				t.Errorf("keytool does not show a chain of 3:\n%s", out)
			}
		})
	}
}

// TestDecodeOpenSSLExports reads PFX files that the local OpenSSL writes
// now (the committed fixtures cover the same shapes from OpenSSL 3.0).
func TestDecodeOpenSSLExports(t *testing.T) {
	openssl := testtool.Need(t, "openssl")
	tests := []struct {
		name string
		args []string
	}{
		{"default (AES)", nil},
		{"-legacy (RC2)", []string{"-legacy"}},
		{"PBE-SHA1-3DES, SHA-1 MAC", []string{"-certpbe", "PBE-SHA1-3DES", "-keypbe", "PBE-SHA1-3DES", "-macalg", "sha1"}},
		{"-nokeys", []string{"-nokeys"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range []string{"rsa-pkcs8.pem", "rsa.crt", "ca.crt"} {
				writeFile(t, dir, f, readFixture(t, f))
			}
			args := append([]string{"pkcs12", "-export", "-inkey", "rsa-pkcs8.pem", "-in", "rsa.crt", "-certfile", "ca.crt",
				"-passout", "pass:" + fixturePassword, "-out", "out.p12"}, tt.args...)
			out, err := testtool.Run(t, dir, openssl, args...)
			if err != nil {
				if tt.name == "-legacy (RC2)" && bytes.Contains(out, []byte("unsupported")) {
					t.Skipf("this OpenSSL has no legacy provider: %s", out)
				}
				t.Fatalf("openssl: %v\n%s", err, out)
			}
			data := readFileT(t, filepath.Join(dir, "out.p12"))
			pw, _ := countingPassword(fixturePassword)
			c, err := Decode(data, pw)
			if err != nil {
				t.Fatal(err)
			}
			if got := cns(c.Certificates); got != "rsa.example, pfx test CA" {
				t.Errorf("certificates = %q", got)
			}
			nokeys := tt.name == "-nokeys"
			if nokeys != (c.Key == nil) {
				t.Errorf("key = %T", c.Key)
			}
			if !nokeys && !sameKey(c.Key, refKey(t, "rsa-pkcs8.pem")) {
				t.Error("key differs")
			}
		})
	}
}
