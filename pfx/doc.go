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
// ChooseKey picks, among several keys, the one matching a certificate
// (ErrNoMatchingKey when none does); KeyKind ("RSA 2048", "ECDSA P-256",
// "Ed25519") and ShortFingerprint name keys in one-line messages.
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
// # Bounds
//
// A hostile file must not hang a run, so the key-derivation work is
// bounded twice. MaxIterations (1,000,000) bounds one derivation's
// PBKDF2 / PKCS#12-KDF iteration count, and scrypt's memory and
// parallelism are bounded too. MaxTotalIterations (4 * MaxIterations)
// bounds the sum over one input, that is one Decode or ParseKey call: the
// MAC, checked with the empty password and then with the real one, every
// encrypted item and shrouded key as often as it is decrypted, an
// encrypted PKCS#8 key (scrypt counted as two iterations per unit of
// N*r*p, about its cost next to PBKDF2-HMAC-SHA256); the PKCS#12 PBE
// schemes count twice, as they derive the key and the IV separately. Without it, a file of 64 items at MaxIterations each
// (the item bound) took about 10 s of CPU. A real PFX has a MAC and two or
// three encrypted items, at 2,048 (OpenSSL, go-pkcs12) to 10,000 (Java)
// iterations, so its total is far below the bound; a two-item file reads
// at up to 800,000 iterations on every derivation (570,000 with PKCS#12
// PBE). Beyond it: an error wrapping ErrTooManyIterations, raised before
// any derivation when the file's parameters already ask for more, and
// before the password is asked for.
//
// DecodeContext and ParseKeyContext also stop, with an error wrapping
// ctx.Err(), when their context is done: it is checked before every
// derivation, and one derivation at MaxIterations takes well under a
// second.
//
// Not bounded beforehand: a shrouded key inside an encrypted item (real
// exporters put keys in plain items), which go-pkcs12 decrypts in the same
// call as the item, so its parameters cannot be read first.
//
// Inputs are bytes; the caller bounds their size. The number of
// AuthenticatedSafe items is bounded (64).
package pfx
