package pfx

import (
	"crypto"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"

	"github.com/youmark/pkcs8"
)

// MaxIterations bounds the PBKDF2 / PKCS#12-KDF iteration count chainfix
// accepts from a file for one key derivation. OpenSSL writes 2048, OWASP
// asks for 600,000; a hostile file could ask for 2^31 and hang the run for
// hours. MaxTotalIterations bounds the sum over one input.
const MaxIterations = 1_000_000

// maxScryptMemory bounds the memory scrypt may take (128*N*r bytes).
// OpenSSL's defaults (N=2^14, r=8) need 16 MiB; a hostile file could ask
// for terabytes.
const maxScryptMemory = 64 << 20

// maxScryptP bounds scrypt's parallelism parameter (OpenSSL writes 1);
// the work grows linearly with it.
const maxScryptP = 16

// scryptIterationCost converts scrypt's work into PBKDF2 iterations for
// MaxTotalIterations: scrypt runs 2*N BlockMix rounds of 2*r Salsa20/8
// cores, p times; measured (Go 1.26, amd64), one unit of N*r*p costs about
// as much as two PBKDF2-HMAC-SHA256 iterations. OpenSSL's default scrypt
// (N=2^14, r=8, p=1) thus counts 262,144.
const scryptIterationCost = 2

// OIDs of RFC 8018 (PKCS#5 v2.1), RFC 7292 appendix C and the ciphers
// youmark/pkcs8 supports.
var (
	oidPBES2          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidScrypt         = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11591, 4, 11}
	oidHMACWithSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidAES128CBC      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
	oidDESEDE3CBC     = asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}

	// PKCS#12 PBE schemes (RFC 7292 appendix C), which go-pkcs12 decrypts.
	oidPBEWithSHA3DES    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 3}
	oidPBEWithSHA2DES    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 4}
	oidPBEWithSHARC2_128 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 5}
	oidPBEWithSHARC2_40  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 6}
)

// pbes2Params is RFC 8018 appendix A.4.
type pbes2Params struct {
	KDF    pkix.AlgorithmIdentifier
	Scheme pkix.AlgorithmIdentifier
}

// pbkdf2Params is RFC 8018 appendix A.2.
type pbkdf2Params struct {
	Salt       asn1.RawValue
	Iterations int
	KeyLength  int                      `asn1:"optional"`
	PRF        pkix.AlgorithmIdentifier `asn1:"optional"`
}

// scryptParams is RFC 7914 section 7.1.
type scryptParams struct {
	Salt      []byte
	N         int
	R         int
	P         int
	KeyLength int `asn1:"optional"`
}

// pbeParams is RFC 7292 appendix C (pkcs-12PbeParams).
type pbeParams struct {
	Salt       []byte
	Iterations int
}

// isPKCS12PBE reports whether alg is one of the PKCS#12 PBE schemes.
func isPKCS12PBE(alg asn1.ObjectIdentifier) bool {
	return alg.Equal(oidPBEWithSHA3DES) || alg.Equal(oidPBEWithSHA2DES) ||
		alg.Equal(oidPBEWithSHARC2_128) || alg.Equal(oidPBEWithSHARC2_40)
}

// checkPBE validates the encryption parameters of alg before any
// decryption: a malformed file is reported as such (not as a wrong
// password), iteration counts are bounded, and youmark/pkcs8 (which panics
// on a bad IV length or ciphertext size) is only given what it can handle.
// ciphertextLen is checked against the cipher's block size.
//
// cost is the key-derivation work one decryption takes, in iterations (see
// MaxTotalIterations): PBKDF2's count; twice the count for the PKCS#12
// PBE schemes, which derive the key and the IV separately (RFC 7292
// appendix B.2, C); scryptIterationCost*N*r*p for scrypt.
func checkPBE(alg pkix.AlgorithmIdentifier, ciphertextLen int) (cost int64, err error) {
	switch {
	case alg.Algorithm.Equal(oidPBES2):
		var p pbes2Params
		if rest, err := asn1.Unmarshal(alg.Parameters.FullBytes, &p); err != nil || len(rest) != 0 {
			return 0, fmt.Errorf("malformed PBES2 parameters")
		}
		switch {
		case p.KDF.Algorithm.Equal(oidPBKDF2):
			var k pbkdf2Params
			if rest, err := asn1.Unmarshal(p.KDF.Parameters.FullBytes, &k); err != nil || len(rest) != 0 {
				return 0, fmt.Errorf("malformed PBKDF2 parameters")
			}
			if k.Salt.Tag != asn1.TagOctetString || k.Salt.Class != asn1.ClassUniversal {
				return 0, fmt.Errorf("%w: PBKDF2 salt is not an OCTET STRING", ErrUnsupported)
			}
			if err := checkIterations(k.Iterations); err != nil {
				return 0, err
			}
			cost = int64(k.Iterations)
			if len(k.PRF.Algorithm) > 0 && !k.PRF.Algorithm.Equal(oidHMACWithSHA1) && !k.PRF.Algorithm.Equal(oidHMACWithSHA256) {
				return 0, fmt.Errorf("%w: PBKDF2 with PRF %s (HMAC-SHA1 and HMAC-SHA256 are supported)", ErrUnsupported, k.PRF.Algorithm)
			}
		case p.KDF.Algorithm.Equal(oidScrypt):
			var s scryptParams
			if rest, err := asn1.Unmarshal(p.KDF.Parameters.FullBytes, &s); err != nil || len(rest) != 0 {
				return 0, fmt.Errorf("malformed scrypt parameters")
			}
			if s.N < 2 || s.N&(s.N-1) != 0 || s.R < 1 || s.P < 1 || s.P > maxScryptP ||
				s.N > maxScryptMemory/128 || s.R > maxScryptMemory/128/s.N {
				return 0, fmt.Errorf("%w: scrypt parameters N=%d r=%d p=%d out of bounds (at most %d MiB, p at most %d)",
					ErrUnsupported, s.N, s.R, s.P, maxScryptMemory>>20, maxScryptP)
			}
			cost = scryptIterationCost * int64(s.N) * int64(s.R) * int64(s.P)
		default:
			return 0, fmt.Errorf("%w: PBES2 key derivation %s", ErrUnsupported, p.KDF.Algorithm)
		}
		var blockSize int
		switch {
		case p.Scheme.Algorithm.Equal(oidAES128CBC), p.Scheme.Algorithm.Equal(oidAES192CBC), p.Scheme.Algorithm.Equal(oidAES256CBC):
			blockSize = 16
		case p.Scheme.Algorithm.Equal(oidDESEDE3CBC):
			blockSize = 8
		default:
			return 0, fmt.Errorf("%w: PBES2 cipher %s (AES-CBC and 3DES-CBC are supported)", ErrUnsupported, p.Scheme.Algorithm)
		}
		var iv []byte
		if rest, err := asn1.Unmarshal(p.Scheme.Parameters.FullBytes, &iv); err != nil || len(rest) != 0 || len(iv) != blockSize {
			return 0, fmt.Errorf("malformed PBES2 cipher IV")
		}
		if err := checkCiphertext(ciphertextLen, blockSize); err != nil {
			return 0, err
		}
		return cost, nil
	case isPKCS12PBE(alg.Algorithm):
		var p pbeParams
		if rest, err := asn1.Unmarshal(alg.Parameters.FullBytes, &p); err != nil || len(rest) != 0 {
			return 0, fmt.Errorf("malformed PKCS#12 PBE parameters")
		}
		if err := checkIterations(p.Iterations); err != nil {
			return 0, err
		}
		if err := checkCiphertext(ciphertextLen, 8); err != nil {
			return 0, err
		}
		return 2 * int64(p.Iterations), nil
	default:
		return 0, fmt.Errorf("%w: encryption %s (obsolete PBES1?); re-encrypt with: openssl pkcs8 -topk8 -v2 aes256 -in old.key -out new.key",
			ErrUnsupported, alg.Algorithm)
	}
}

func checkIterations(n int) error {
	if n < 1 {
		return fmt.Errorf("malformed iteration count %d", n)
	}
	if n > MaxIterations {
		return fmt.Errorf("%w: %d key-derivation iterations (at most %d are accepted)", ErrUnsupported, n, MaxIterations)
	}
	return nil
}

func checkCiphertext(n, blockSize int) error {
	if n == 0 || n%blockSize != 0 {
		return fmt.Errorf("malformed ciphertext: %d bytes is not a whole number of %d-byte blocks", n, blockSize)
	}
	return nil
}

// decryptPKCS8 decrypts an RFC 5958 EncryptedPrivateKeyInfo. PBES2 goes
// to youmark/pkcs8; the PKCS#12 PBE schemes (`openssl pkcs8 -topk8 -v1
// PBE-SHA1-3DES`, which youmark cannot read) go to go-pkcs12.
func decryptPKCS8(der []byte, s *session) (crypto.Signer, error) {
	var enc encryptedPrivateKeyInfo
	if rest, err := asn1.Unmarshal(der, &enc); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("encrypted PKCS#8: malformed EncryptedPrivateKeyInfo")
	}
	cost, err := checkPBE(enc.Algorithm, len(enc.EncryptedData))
	if err != nil {
		return nil, fmt.Errorf("encrypted PKCS#8: %w", err)
	}
	if isPKCS12PBE(enc.Algorithm.Algorithm) {
		cost += synthMACCost
	}
	// Charged before the password is asked for: a key that cannot be read
	// within the bound is refused without a prompt.
	if err := s.charge(cost, "decrypting the key"); err != nil {
		return nil, fmt.Errorf("encrypted PKCS#8: %w", err)
	}
	password, err := s.password()
	if err != nil {
		return nil, fmt.Errorf("encrypted PKCS#8: %w", err)
	}
	if isPKCS12PBE(enc.Algorithm.Algorithm) {
		key, err := decryptShroudedKey(der, string(password))
		if err != nil {
			return nil, fmt.Errorf("encrypted PKCS#8: %w", err)
		}
		return key, nil
	}
	// With the structure checked above, youmark fails only when the
	// decrypted bytes are not a PKCS#8 key: a wrong password (PBES2 has
	// no MAC; youmark does not even check the padding). An empty password
	// would make youmark treat the input as unencrypted.
	if len(password) == 0 {
		return nil, fmt.Errorf("encrypted PKCS#8: %w (empty)", ErrIncorrectPassword)
	}
	k, err := pkcs8.ParsePKCS8PrivateKey(der, password)
	if err != nil {
		return nil, fmt.Errorf("encrypted PKCS#8: %w", ErrIncorrectPassword)
	}
	key, err := asSigner(k)
	if err != nil {
		return nil, fmt.Errorf("encrypted PKCS#8: %w", err)
	}
	return key, nil
}
