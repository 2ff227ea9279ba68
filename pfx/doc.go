// Package pfx reads and writes private keys and PKCS#12 (PFX) files, and
// checks that a key matches a certificate.
//
// # Keys
//
// ParseKey accepts PKCS#1 ("RSA PRIVATE KEY"), SEC1 ("EC PRIVATE KEY", also
// after the "EC PARAMETERS" block that `openssl ecparam -genkey` writes),
// PKCS#8 ("PRIVATE KEY": RSA, ECDSA P-256/384/521, Ed25519), encrypted
// PKCS#8 ("ENCRYPTED PRIVATE KEY": PBES2 with PBKDF2 or scrypt and AES-CBC
// or 3DES, via youmark/pkcs8; PKCS#12 PBE 3DES/RC2, via go-pkcs12), legacy
// OpenSSL encrypted PEM (Proc-Type/DEK-Info, read only), the DER of each
// (tried as PKCS#8, PKCS#1, SEC1, then encrypted PKCS#8), and the key
// inside a PFX (sniffed with IsPKCS12, never by file name). PEM goes
// through pem.Blocks, so keys get the same tolerance as certificates (BOM,
// CRLF/CR, indentation, openssl Bag Attributes text).
//
// A password is asked for, once, only when something turns out to be
// encrypted. Refused, with errors for errors.Is: no key (ErrNoKey, saying
// what the input held), several keys (ErrMultipleKeys), a wrong password
// (ErrIncorrectPassword), none available (ErrPasswordRequired), and
// OpenSSH, DSA, X25519 keys, obsolete PBES1 encryption and out-of-bounds
// KDF parameters (ErrUnsupported, with a conversion hint where one exists).
//
// MarshalKey writes PKCS#8 PEM, encrypted with PBES2 AES-256-CBC and
// PBKDF2-HMAC-SHA256 when given a password. MatchKey compares whole public
// keys; Fingerprint is the SHA-256 of the SubjectPublicKeyInfo.
//
// # PKCS#12
//
// Decode reads the key (if any) and all certificates of a PFX. The empty
// password is tried first through the MAC; the PasswordFunc is asked only
// when that fails. go-pkcs12 does all the decryption (PBES2 AES, PKCS#12
// PBE 3DES and RC2-40/128). Files its DecodeChain refuses for their shape
// (certificates only, one or many AuthenticatedSafe items) are read one
// item at a time through synthetic PFX files (see synth.go). Not read:
// BER-encoded files (some Windows and Java exports), public-key integrity
// or privacy modes, MAC algorithms other than SHA-1/256/512 and PBMAC1, and
// several keys in one file; their errors say how to re-export the file.
//
// Encode writes key, leaf and chain with go-pkcs12's Modern2023 (AES-256,
// read by OpenSSL 1.1.1+, Java 12+, Windows Server 2019+) or LegacyDES
// (3DES and a SHA-1 MAC, for older Windows and Java; never RC2, which
// OpenSSL 3 reads only with -legacy), after checking that the key matches
// the leaf, and decodes its own output again before returning it.
//
// Bounds: KDF iterations (MaxIterations), scrypt memory, and the number of
// AuthenticatedSafe items, so a hostile file cannot hang a run. Inputs are
// bytes; the caller bounds their size.
package pfx
