package pfx

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// ErrNoMatchingKey is returned (wrapped, naming the certificate) by
// ChooseKey when several keys are given and none belongs to the leaf.
var ErrNoMatchingKey = errors.New("no private key matches the certificate")

// maxListedKeys bounds how many keys a ChooseKey error lists: enough for
// the key files an admin gives by hand, one line even for a keystore of
// dozens.
const maxListedKeys = 4

// ChooseKey picks the private key to pair with leaf: the only key when
// there is one (whether it matches is the caller's check, with a message
// of its own), else the first whose public key matches leaf (MatchKey).
// nil keys are ignored.
//
// Errors, for errors.Is: no key given (ErrNoKey); several keys and none
// matching leaf (ErrNoMatchingKey, naming leaf and the keys' kinds and
// fingerprints); several keys and no leaf to choose by (ErrMultipleKeys).
func ChooseKey(keys []crypto.Signer, leaf *x509.Certificate) (crypto.Signer, error) {
	var given []crypto.Signer
	for _, k := range keys {
		if k != nil {
			given = append(given, k)
		}
	}
	switch {
	case len(given) == 0:
		return nil, fmt.Errorf("%w: no key was given", ErrNoKey)
	case len(given) == 1:
		return given[0], nil
	case leaf == nil:
		return nil, fmt.Errorf("%w: %d keys given and no certificate to choose one by", ErrMultipleKeys, len(given))
	}
	for _, k := range given {
		if MatchKey(k.Public(), leaf) {
			return k, nil
		}
	}
	var listed []string
	for i, k := range given {
		if i == maxListedKeys {
			listed = append(listed, fmt.Sprintf("and %d more", len(given)-i))
			break
		}
		listed = append(listed, describeKey(k.Public()))
	}
	return nil, fmt.Errorf("%w %s, whose key is %s; the %d keys given are %s",
		ErrNoMatchingKey, shortName(leaf), describeKey(leaf.PublicKey), len(given), strings.Join(listed, ", "))
}

// describeKey is "ECDSA P-256 (SHA-256 0123456789abcdef...)".
func describeKey(pub crypto.PublicKey) string {
	fp := ShortFingerprint(Fingerprint(pub))
	if fp == "" {
		return KeyKind(pub)
	}
	return fmt.Sprintf("%s (SHA-256 %s)", KeyKind(pub), fp)
}

// shortName names a certificate in one-line messages: "CN=example.com",
// else its whole subject, else its serial number.
func shortName(c *x509.Certificate) string {
	switch {
	case c.Subject.CommonName != "":
		return "CN=" + c.Subject.CommonName
	case c.Subject.String() != "":
		return c.Subject.String()
	case c.SerialNumber != nil:
		return "serial " + hex.EncodeToString(c.SerialNumber.Bytes())
	}
	return "<empty subject>"
}

// KeyKind names a key's algorithm and size for messages: "RSA 2048",
// "ECDSA P-256", "Ed25519"; the Go type for anything else. A private key
// is accepted too and its public half named.
func KeyKind(pub crypto.PublicKey) string {
	if s, ok := pub.(interface{ Public() crypto.PublicKey }); ok {
		pub = s.Public()
	}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k.N != nil {
			return fmt.Sprintf("RSA %d", k.N.BitLen())
		}
	case *ecdsa.PublicKey:
		if k.Curve != nil {
			return "ECDSA " + k.Curve.Params().Name
		}
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return fmt.Sprintf("%T", pub)
}

// shortFingerprintLen is how many hex digits ShortFingerprint keeps: 64
// bits, enough to tell apart the keys of one run at a glance; the full
// value is in Fingerprint.
const shortFingerprintLen = 16

// ShortFingerprint abbreviates a Fingerprint for a one-line message: its
// first 16 hex digits and "...". A shorter string is returned as it is.
func ShortFingerprint(fp string) string {
	if len(fp) > shortFingerprintLen {
		return fp[:shortFingerprintLen] + "..."
	}
	return fp
}
