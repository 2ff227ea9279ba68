package pfx

import (
	"crypto"
	"crypto/elliptic"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"strings"
	"testing"

	"chainfix/internal/testpki"
)

func TestChooseKey(t *testing.T) {
	ecKey := testpki.ECDSAKey(elliptic.P256(), "choose leaf")
	edKey := testpki.Ed25519Key("choose other")
	rsaKey := refKey(t, "rsa-pkcs8.pem")
	other := testpki.ECDSAKey(elliptic.P256(), "choose other")
	root := testpki.Issue(testpki.Template{CN: "Choose Root", CA: true, Key: testpki.RSAKey(1)}, nil)
	leaf := testpki.Issue(testpki.Template{CN: "choose.example", Key: ecKey}, root).Cert
	edLeaf := testpki.Issue(testpki.Template{CN: "ed.example", Key: edKey}, root).Cert
	// A certificate without a common name is named by its subject.
	noCN := *leaf
	noCN.Subject = pkix.Name{Organization: []string{"Example Org"}}
	// One without any subject, by its serial number.
	noSubject := *leaf
	noSubject.Subject = pkix.Name{}
	noSubject.SerialNumber = big.NewInt(0x1234)

	tests := []struct {
		name string
		keys []crypto.Signer
		leaf *x509.Certificate
		want crypto.Signer // nil: an error is expected
		err  error
		msg  []string // the error mentions each
	}{
		{"one key that matches", []crypto.Signer{ecKey}, leaf, ecKey, nil, nil},
		{"one key that does not match: the caller checks", []crypto.Signer{rsaKey}, leaf, rsaKey, nil, nil},
		{"one key and no certificate", []crypto.Signer{rsaKey}, nil, rsaKey, nil, nil},
		{"one key among nil entries", []crypto.Signer{nil, edKey, nil}, leaf, edKey, nil, nil},
		{"second of two keys matches", []crypto.Signer{rsaKey, ecKey}, leaf, ecKey, nil, nil},
		{"Ed25519 key among three kinds", []crypto.Signer{rsaKey, ecKey, edKey}, edLeaf, edKey, nil, nil},
		{"same P-256 curve, other key, then the right one", []crypto.Signer{other, ecKey}, leaf, ecKey, nil, nil},
		{"the same key twice", []crypto.Signer{ecKey, ecKey}, leaf, ecKey, nil, nil},
		{"no keys", nil, leaf, nil, ErrNoKey, []string{"no key was given"}},
		{"only nil keys", []crypto.Signer{nil, nil}, leaf, nil, ErrNoKey, nil},
		{"two keys, none matches", []crypto.Signer{rsaKey, other}, leaf, nil, ErrNoMatchingKey, []string{
			"CN=choose.example", "ECDSA P-256 (SHA-256 " + Fingerprint(ecKey)[:16] + "...)",
			"the 2 keys given are RSA 2048 (SHA-256 " + Fingerprint(rsaKey)[:16] + "...), ECDSA P-256 (SHA-256 " + Fingerprint(other)[:16] + "...)",
		}},
		{"six keys, none matches: four listed", []crypto.Signer{rsaKey, other, edKey, rsaKey, other, edKey}, leaf, nil, ErrNoMatchingKey, []string{
			"the 6 keys given are", ", and 2 more",
		}},
		{"none matches a certificate without a common name", []crypto.Signer{rsaKey, other}, &noCN, nil, ErrNoMatchingKey, []string{"O=Example Org"}},
		{"none matches a certificate without a subject", []crypto.Signer{rsaKey, other}, &noSubject, nil, ErrNoMatchingKey, []string{"serial 1234"}},
		{"two keys and no certificate to choose by", []crypto.Signer{rsaKey, ecKey}, nil, nil, ErrMultipleKeys, []string{"2 keys"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ChooseKey(tt.keys, tt.leaf)
			if tt.want != nil {
				if err != nil {
					t.Fatal(err)
				}
				if !sameKey(got, tt.want) {
					t.Errorf("ChooseKey = %s, want %s", KeyKind(got), KeyKind(tt.want))
				}
				return
			}
			if !errors.Is(err, tt.err) || got != nil {
				t.Fatalf("ChooseKey = %v, %v; want no key and %v", got, err, tt.err)
			}
			for _, m := range tt.msg {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("err = %q, want it to mention %q", err, m)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("err = %q, want one line", err)
			}
		})
	}
}

func TestKeyKind(t *testing.T) {
	tests := []struct {
		name string
		key  crypto.PublicKey
		want string
	}{
		{"RSA public key", refKey(t, "rsa-pkcs8.pem").Public(), "RSA 2048"},
		{"RSA private key", refKey(t, "rsa-pkcs8.pem"), "RSA 2048"},
		{"ECDSA P-256", refKey(t, "ec-p256-pkcs8.pem").Public(), "ECDSA P-256"},
		{"ECDSA P-384", refKey(t, "ec-p384-pkcs8.pem").Public(), "ECDSA P-384"},
		{"ECDSA P-521 private key", refKey(t, "ec-p521-pkcs8.pem"), "ECDSA P-521"},
		{"Ed25519", refKey(t, "ed25519-pkcs8.pem").Public(), "Ed25519"},
		{"certificate's key", refCerts(t, "ed25519.crt")[0].PublicKey, "Ed25519"},
		{"unknown type", struct{}{}, "struct {}"},
		{"nil", nil, "<nil>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := KeyKind(tt.key); got != tt.want {
				t.Errorf("KeyKind = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestShortFingerprint(t *testing.T) {
	full := Fingerprint(refKey(t, "rsa-pkcs8.pem"))
	tests := []struct {
		name, in, want string
	}{
		{"SHA-256 hex", full, full[:16] + "..."},
		{"17 characters", "0123456789abcdef0", "0123456789abcdef..."},
		{"exactly 16 characters", "0123456789abcdef", "0123456789abcdef"},
		{"shorter", "abc", "abc"},
		{"empty (Fingerprint of an unknown key)", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ShortFingerprint(tt.in); got != tt.want {
				t.Errorf("ShortFingerprint(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
