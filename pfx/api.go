package pfx

import (
	"crypto"
	"crypto/x509"
	"errors"
)

// CONTRACT (shared with the CLI; keep these names and signatures).

// PasswordFunc supplies a password when, and only when, an input turns out
// to be encrypted. It may prompt. nil means no password is available.
type PasswordFunc func() ([]byte, error)

// Sentinel errors, for errors.Is.
var (
	ErrPasswordRequired  = errors.New("the input is encrypted and no password was given")
	ErrIncorrectPassword = errors.New("wrong password")
	ErrNoKey             = errors.New("no private key found")
)

// Encryption picks the PKCS#12 algorithms.
type Encryption int

const (
	// Modern is go-pkcs12 Modern2023: AES-256-CBC, PBKDF2, SHA-256 MAC.
	Modern Encryption = iota
	// Legacy is go-pkcs12 LegacyDES: 3DES and a SHA-1 MAC.
	Legacy
)

// Contents is what a PKCS#12 file held.
type Contents struct {
	Key          crypto.Signer       // nil for a certificates-only PFX
	Leaf         *x509.Certificate   // the certificate matching Key, if any
	Certificates []*x509.Certificate // every certificate, Leaf included
}
