// Package pfx reads and writes private keys and PKCS#12 (PFX) files, and
// checks that a key matches a certificate.
//
// CONTRACT for implementers:
//
//	func ParseKey(data []byte, password PasswordFunc) (crypto.Signer, error)
//	    PKCS#1, SEC1 (with or without a leading EC PARAMETERS block), PKCS#8, encrypted PKCS#8
//	    (PBES2 AES/3DES), legacy OpenSSL Proc-Type encrypted PEM, DER of each, a key in a PFX;
//	    same tolerance for ugly PEM as certificates (uses pem.Blocks).
//	func MatchKey(key crypto.PublicKey, cert *x509.Certificate) bool   // whole public keys (Equal)
//	func Fingerprint(pub crypto.PublicKey) string                      // SHA-256 of the SPKI, hex
//	func IsPKCS12(data []byte) bool                                    // sniff, cheap
//	func Decode(data []byte, password PasswordFunc) (*Contents, error)
//	func Encode(key crypto.Signer, leaf *x509.Certificate, chain []*x509.Certificate, password string, enc Encryption) ([]byte, error)
//	    writes then reads back and checks key and chain (self-check)
//	func ParseEncryption(s string) (Encryption, error)               // "modern", "legacy"
//	func MarshalKey(key crypto.Signer, password []byte) ([]byte, error)
//	    PEM PKCS#8; encrypted PKCS#8 (PBES2, AES-256-CBC) when password is non-empty
package pfx
