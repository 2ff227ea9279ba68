package pfx

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	stdpem "encoding/pem"
	"errors"
	"math/big"
	"strings"
	"testing"

	"chainfix/internal/testtool"

	"chainfix/internal/testpki"
)

func TestParseKeyFormats(t *testing.T) {
	tests := []struct {
		name, file, ref string
	}{
		{"RSA PKCS#1 PEM", "rsa-pkcs1.pem", "rsa-pkcs8.pem"},
		{"RSA PKCS#1 DER", "rsa-pkcs1.der", "rsa-pkcs8.pem"},
		{"RSA PKCS#8 PEM", "rsa-pkcs8.pem", "rsa-pkcs8.pem"},
		{"RSA PKCS#8 DER", "rsa-pkcs8.der", "rsa-pkcs8.pem"},
		{"EC SEC1 PEM", "ec-p256-sec1.pem", "ec-p256-pkcs8.pem"},
		{"EC SEC1 PEM after EC PARAMETERS (openssl ecparam -genkey)", "ec-p256-sec1-with-params.pem", "ec-p256-pkcs8.pem"},
		{"EC SEC1 DER", "ec-p256-sec1.der", "ec-p256-pkcs8.pem"},
		{"EC P-256 PKCS#8", "ec-p256-pkcs8.pem", "ec-p256-pkcs8.pem"},
		{"EC P-384 PKCS#8", "ec-p384-pkcs8.pem", "ec-p384-pkcs8.pem"},
		{"EC P-521 PKCS#8", "ec-p521-pkcs8.pem", "ec-p521-pkcs8.pem"},
		{"Ed25519 PKCS#8 PEM", "ed25519-pkcs8.pem", "ed25519-pkcs8.pem"},
		{"Ed25519 PKCS#8 DER", "ed25519-pkcs8.der", "ed25519-pkcs8.pem"},
		{"CRLF, BOM and indentation", "ec-crlf-bom-indented.pem", "ec-p256-pkcs8.pem"},
		{"openssl pkcs12 -nodes output with Bag Attributes and certificates", "bag-attributes.pem", "rsa-pkcs8.pem"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pw, calls := countingPassword(fixturePassword)
			key, err := ParseKey(readFixture(t, tt.file), pw)
			if err != nil {
				t.Fatal(err)
			}
			if !sameKey(key, refKey(t, tt.ref)) {
				t.Errorf("key differs from %s", tt.ref)
			}
			if *calls != 0 {
				t.Errorf("password asked %d times for an unencrypted key", *calls)
			}
		})
	}
}

func TestParseKeyCROnlyLineEnds(t *testing.T) {
	data := bytes.ReplaceAll(readFixture(t, "rsa-pkcs1.pem"), []byte("\n"), []byte("\r"))
	key, err := ParseKey(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !sameKey(key, refKey(t, "rsa-pkcs8.pem")) {
		t.Error("key differs")
	}
}

func TestParseKeyEncrypted(t *testing.T) {
	tests := []struct {
		name, file, ref string
	}{
		{"PKCS#8 PBES2 AES-256-CBC PEM", "rsa-enc-aes256.pem", "rsa-pkcs8.pem"},
		{"PKCS#8 PBES2 AES-256-CBC DER", "rsa-enc-aes256.der", "rsa-pkcs8.pem"},
		{"PKCS#8 PBES2 AES-128-CBC", "ec-enc-aes128.pem", "ec-p256-pkcs8.pem"},
		{"PKCS#8 PBES2 3DES", "rsa-enc-des3.pem", "rsa-pkcs8.pem"},
		{"PKCS#8 PKCS#12 PBE SHA1 3DES", "ec-enc-pbe-sha1-3des.pem", "ec-p256-pkcs8.pem"},
		{"PKCS#8 PBES2 scrypt", "ed25519-enc-scrypt.pem", "ed25519-pkcs8.pem"},
		{"legacy Proc-Type RSA AES-256", "rsa-legacy-aes256.pem", "rsa-pkcs8.pem"},
		{"legacy Proc-Type EC 3DES", "ec-legacy-des3.pem", "ec-p256-pkcs8.pem"},
		{"PFX", "openssl-aes.p12", "rsa-pkcs8.pem"},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/right password", func(t *testing.T) {
			pw, calls := countingPassword(fixturePassword)
			key, err := ParseKey(readFixture(t, tt.file), pw)
			if err != nil {
				t.Fatal(err)
			}
			if !sameKey(key, refKey(t, tt.ref)) {
				t.Errorf("key differs from %s", tt.ref)
			}
			if *calls != 1 {
				t.Errorf("password asked %d times, want 1", *calls)
			}
		})
		t.Run(tt.name+"/wrong password", func(t *testing.T) {
			pw, _ := countingPassword("not the password")
			_, err := ParseKey(readFixture(t, tt.file), pw)
			if !errors.Is(err, ErrIncorrectPassword) {
				t.Fatalf("err = %v, want ErrIncorrectPassword", err)
			}
		})
		t.Run(tt.name+"/no password", func(t *testing.T) {
			_, err := ParseKey(readFixture(t, tt.file), nil)
			if !errors.Is(err, ErrPasswordRequired) {
				t.Fatalf("err = %v, want ErrPasswordRequired", err)
			}
		})
	}
}

func TestParseKeyPasswordFuncError(t *testing.T) {
	boom := errors.New("terminal closed")
	_, err := ParseKey(readFixture(t, "rsa-enc-aes256.pem"), func() ([]byte, error) { return nil, boom })
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the password func's error", err)
	}
}

func TestParseKeyRefusals(t *testing.T) {
	twoKeys := append(readFixture(t, "rsa-pkcs8.pem"), readFixture(t, "ec-p256-sec1.pem")...)
	tests := []struct {
		name string
		data []byte
		want error
		msg  string
	}{
		{"certificates only", readFixture(t, "rsa.crt"), ErrNoKey, "only certificates"},
		{"DER certificate", refCerts(t, "rsa.crt")[0].Raw, ErrNoKey, "certificate"},
		{"public key", readFixture(t, "rsa-public.pem"), ErrNoKey, "public key"},
		{"EC PARAMETERS only", []byte("-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"), ErrNoKey, "no private key block"},
		{"empty input", []byte("\n \n"), ErrNoKey, "empty"},
		{"text without PEM", []byte("hello, world\n"), ErrNoKey, "neither PEM nor a DER key"},
		{"two keys in one PEM file", twoKeys, ErrMultipleKeys, "holds 2 private keys"},
		{"PFX without a key", readFixture(t, "openssl-nokeys.p12"), ErrNoKey, "PFX holds only certificates"},
		{"PFX with two keys (Java keystore)", readFixture(t, "java-two-keys.p12"), ErrMultipleKeys, "holds 2 private keys"},
		{"X25519 key", readFixture(t, "x25519-pkcs8.pem"), ErrUnsupported, "cannot sign"},
		{"PBES1 MD5-DES", readFixture(t, "ec-enc-pbes1-md5-des.pem"), ErrUnsupported, "openssl pkcs8 -topk8 -v2 aes256"},
		{"OpenSSH key", []byte("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n"), ErrUnsupported, "ssh-keygen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pw, _ := countingPassword(fixturePassword)
			_, err := ParseKey(tt.data, pw)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err = %q, want it to mention %q", err, tt.msg)
			}
		})
	}
}

func TestMatchKey(t *testing.T) {
	rsaCert := refCerts(t, "rsa.crt")[0]
	ecCert := refCerts(t, "ec-p256.crt")[0]
	edCert := refCerts(t, "ed25519.crt")[0]
	rsaKey := refKey(t, "rsa-pkcs8.pem")
	ecKey := refKey(t, "ec-p256-pkcs8.pem")

	rsaPub := rsaKey.Public().(*rsa.PublicKey)
	sameModulus := &rsa.PublicKey{N: rsaPub.N, E: 3}
	ecPub := ecKey.Public().(*ecdsa.PublicKey)
	// The same X with the other Y (-Y mod p) is a different point.
	p := elliptic.P256().Params().P
	sameX := &ecdsa.PublicKey{Curve: elliptic.P256(), X: ecPub.X, Y: new(big.Int).Sub(p, ecPub.Y)}

	tests := []struct {
		name string
		pub  any
		cert *x509.Certificate
		want bool
	}{
		{"RSA key and its certificate", rsaKey.Public(), rsaCert, true},
		{"RSA private key is accepted too", rsaKey, rsaCert, true},
		{"EC key and its certificate", ecKey.Public(), ecCert, true},
		{"Ed25519 key and its certificate", refKey(t, "ed25519-pkcs8.pem").Public(), edCert, true},
		{"EC key and an RSA certificate (another algorithm)", ecKey.Public(), rsaCert, false},
		{"RSA key and an Ed25519 certificate", rsaKey.Public(), edCert, false},
		{"another P-256 key", testpki.ECDSAKey(elliptic.P256(), "other").Public(), ecCert, false},
		{"same RSA modulus, other exponent", sameModulus, rsaCert, false},
		{"same EC X coordinate, other Y", sameX, ecCert, false},
		{"nil key", nil, rsaCert, false},
		{"nil certificate", rsaKey.Public(), nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MatchKey(tt.pub, tt.cert); got != tt.want {
				t.Errorf("MatchKey = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFingerprint(t *testing.T) {
	block, _ := stdpem.Decode(readFixture(t, "rsa-public.pem"))
	sum := sha256.Sum256(block.Bytes) // the SPKI DER written by openssl
	want := hex.EncodeToString(sum[:])
	key := refKey(t, "rsa-pkcs8.pem")
	if got := Fingerprint(key.Public()); got != want {
		t.Errorf("Fingerprint(public) = %s, want %s", got, want)
	}
	if got := Fingerprint(key); got != want {
		t.Errorf("Fingerprint(private) = %s, want %s", got, want)
	}
	if got := Fingerprint(refCerts(t, "rsa.crt")[0].PublicKey); got != want {
		t.Errorf("Fingerprint(cert key) = %s, want %s", got, want)
	}
	if got := Fingerprint(struct{}{}); got != "" {
		t.Errorf("Fingerprint(unknown) = %q, want empty", got)
	}
}

func TestMarshalKeyRoundTrip(t *testing.T) {
	keys := map[string]string{"RSA": "rsa-pkcs8.pem", "EC P-384": "ec-p384-pkcs8.pem", "Ed25519": "ed25519-pkcs8.pem"}
	for name, file := range keys {
		key := refKey(t, file)
		t.Run(name+"/plain", func(t *testing.T) {
			out, err := MarshalKey(key, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(out, []byte("-----BEGIN PRIVATE KEY-----\n")) {
				t.Errorf("not a PKCS#8 PEM:\n%s", out)
			}
			got, err := ParseKey(out, nil)
			if err != nil || !sameKey(got, key) {
				t.Fatalf("read back: %v", err)
			}
		})
	}
	t.Run("encrypted", func(t *testing.T) {
		key := refKey(t, "ec-p256-pkcs8.pem")
		out, err := MarshalKey(key, []byte(fixturePassword))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(out, []byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\n")) {
			t.Errorf("not an encrypted PKCS#8 PEM:\n%s", out)
		}
		pw, _ := countingPassword(fixturePassword)
		got, err := ParseKey(out, pw)
		if err != nil || !sameKey(got, key) {
			t.Fatalf("read back: %v", err)
		}
		wrong, _ := countingPassword("wrong")
		if _, err := ParseKey(out, wrong); !errors.Is(err, ErrIncorrectPassword) {
			t.Errorf("wrong password: err = %v", err)
		}
	})
}

func TestMarshalKeyReadByOpenSSL(t *testing.T) {
	openssl := testtool.Need(t, "openssl")
	dir := t.TempDir()
	key := refKey(t, "rsa-pkcs8.pem")
	out, err := MarshalKey(key, []byte(fixturePassword))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "key.pem", out)
	pub, err := testtool.Run(t, dir, openssl, "pkey", "-in", "key.pem", "-passin", "pass:"+fixturePassword, "-pubout", "-outform", "DER")
	if err != nil {
		t.Fatalf("openssl pkey: %v\n%s", err, pub)
	}
	sum := sha256.Sum256(pub)
	if got, want := hex.EncodeToString(sum[:]), Fingerprint(key); got != want {
		t.Errorf("openssl read a key with fingerprint %s, want %s", got, want)
	}
}
