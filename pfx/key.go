package pfx

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdh"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	stdpem "encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/youmark/pkcs8"

	"chainfix/pem"
)

// ErrMultipleKeys is returned (wrapped, with the count) when an input holds
// more than one private key: chainfix will not guess which one is meant.
var ErrMultipleKeys = errors.New("more than one private key")

// ErrUnsupported is returned (wrapped) for inputs chainfix recognises but
// cannot read: BER-encoded PFX files, obsolete encryption schemes, OpenSSH
// and DSA keys. The message says how to convert the input.
var ErrUnsupported = errors.New("unsupported format")

// PEM labels of private keys.
const (
	labelPKCS1     = "RSA PRIVATE KEY"
	labelSEC1      = "EC PRIVATE KEY"
	labelPKCS8     = "PRIVATE KEY"
	labelEncPKCS8  = "ENCRYPTED PRIVATE KEY"
	labelECParams  = "EC PARAMETERS"
	labelOpenSSH   = "OPENSSH PRIVATE KEY"
	labelDSA       = "DSA PRIVATE KEY"
	labelPublicKey = "PUBLIC KEY"
)

// MarshalIterations is the PBKDF2-HMAC-SHA256 iteration count MarshalKey
// uses: OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256. It costs a
// fraction of a second once, when the key is written or read.
const MarshalIterations = 600_000

// marshalSaltSize is the PBKDF2 salt length MarshalKey uses (RFC 8018
// section 4.1 asks for at least 8 bytes; NIST SP 800-132 for 16).
const marshalSaltSize = 16

// ParseKey reads one private key from data: PEM (PKCS#1 "RSA PRIVATE KEY",
// SEC1 "EC PRIVATE KEY" with or without a leading "EC PARAMETERS" block,
// PKCS#8 "PRIVATE KEY", encrypted PKCS#8 "ENCRYPTED PRIVATE KEY" and legacy
// OpenSSL encrypted PEM with Proc-Type/DEK-Info headers), the DER of each,
// or a PKCS#12 (PFX) file holding a key. PEM is read with pem.Blocks, so a
// BOM, CRLF or CR line ends, indentation and text around the blocks (openssl
// Bag Attributes) are accepted, as for certificates.
//
// password is called only when the key turns out to be encrypted; nil gives
// an error wrapping ErrPasswordRequired. A wrong password gives an error
// wrapping ErrIncorrectPassword. An input without a key gives an error
// wrapping ErrNoKey that says what the input held instead; an input with
// several keys gives one wrapping ErrMultipleKeys.
//
// ParseKey is ParseKeyContext with context.Background().
func ParseKey(data []byte, password PasswordFunc) (crypto.Signer, error) {
	return ParseKeyContext(context.Background(), data, password)
}

// ParseKeyContext is ParseKey bounded by ctx: ctx is checked on entry and
// before every key derivation, and an error wrapping ctx.Err() is returned
// once it is done. The key derivations for data are bounded by
// MaxTotalIterations either way (an error wrapping ErrTooManyIterations).
func ParseKeyContext(ctx context.Context, data []byte, password PasswordFunc) (crypto.Signer, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("reading the key: %w", err)
	}
	return parseKey(data, newSession(ctx, password))
}

func parseKey(data []byte, s *session) (crypto.Signer, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%w: the input is empty", ErrNoKey)
	}
	if IsPKCS12(data) {
		c, err := decode(data, s)
		if err != nil {
			return nil, err
		}
		if c.Key == nil {
			return nil, fmt.Errorf("%w: the PFX holds only certificates (%d)", ErrNoKey, len(c.Certificates))
		}
		return c.Key, nil
	}
	// Decide DER vs text on the raw bytes: DER may contain CR LF bytes
	// that a text normalisation would corrupt.
	if isDER(data) {
		return parseDERKey(data, s)
	}
	blocks, err := pem.Blocks(data)
	if err != nil {
		return nil, fmt.Errorf("reading PEM: %w", err)
	}
	return parseKeyBlocks(blocks, s)
}

// isDER reports whether data is exactly one DER SEQUENCE.
func isDER(data []byte) bool {
	if len(data) < 2 || data[0] != 0x30 {
		return false
	}
	var raw asn1.RawValue
	rest, err := asn1.Unmarshal(data, &raw)
	return err == nil && len(rest) == 0
}

func parseKeyBlocks(blocks []pem.Block, s *session) (crypto.Signer, error) {
	if len(blocks) == 0 {
		return nil, fmt.Errorf("%w: the input is neither PEM nor a DER key", ErrNoKey)
	}
	var keys []pem.Block
	certs := 0
	var others []string
	for _, b := range blocks {
		switch b.Type {
		case labelPKCS1, labelSEC1, labelPKCS8, labelEncPKCS8:
			keys = append(keys, b)
		case labelECParams:
			// Written by `openssl ecparam -genkey` before the key; the
			// key itself names its curve, so the block adds nothing.
		case "CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE":
			certs++
		case labelOpenSSH:
			return nil, &pem.Error{Block: b.Index, Line: b.Line, Err: fmt.Errorf(
				"%w: OpenSSH private key; convert it with: ssh-keygen -p -m PKCS8 -f KEYFILE", ErrUnsupported)}
		case labelDSA:
			return nil, &pem.Error{Block: b.Index, Line: b.Line, Err: fmt.Errorf(
				"%w: DSA private key; TLS certificates use RSA, ECDSA or Ed25519 keys", ErrUnsupported)}
		default:
			others = append(others, b.Type)
		}
	}
	switch {
	case len(keys) > 1:
		where := make([]string, len(keys))
		for i, k := range keys {
			where[i] = fmt.Sprintf("%d", k.Index)
		}
		return nil, fmt.Errorf("%w: the input holds %d private keys (PEM blocks %s); give one",
			ErrMultipleKeys, len(keys), strings.Join(where, ", "))
	case len(keys) == 0:
		return nil, fmt.Errorf("%w: the input holds %s", ErrNoKey, describe(certs, others))
	}
	b := keys[0]
	key, err := parseKeyBlock(b, s)
	if err != nil {
		return nil, &pem.Error{Block: b.Index, Line: b.Line, Err: err}
	}
	return key, nil
}

// describe says what a keyless input held, for ErrNoKey messages.
func describe(certs int, others []string) string {
	var parts []string
	if certs > 0 {
		parts = append(parts, fmt.Sprintf("%d certificate(s)", certs))
	}
	for _, o := range others {
		if o == labelPublicKey {
			parts = append(parts, "a public key (not a private key)")
			continue
		}
		parts = append(parts, fmt.Sprintf("a %q block", o))
	}
	if certs > 0 && len(others) == 0 {
		return fmt.Sprintf("only certificates (%d)", certs)
	}
	if len(parts) == 0 {
		return "no private key block"
	}
	return strings.Join(parts, ", ")
}

func parseKeyBlock(b pem.Block, s *session) (crypto.Signer, error) {
	der := b.Bytes
	if b.Type == labelPKCS1 || b.Type == labelSEC1 {
		std := &stdpem.Block{Type: b.Type, Headers: b.Headers, Bytes: b.Bytes}
		if x509.IsEncryptedPEMBlock(std) { //nolint:staticcheck // read-only support, see below
			var err error
			if der, err = decryptLegacyPEM(std, s); err != nil {
				return nil, err
			}
		}
	}
	switch b.Type {
	case labelPKCS1:
		k, err := x509.ParsePKCS1PrivateKey(der)
		if err != nil {
			return nil, fmt.Errorf("parsing %s: %w", b.Type, err)
		}
		return k, nil
	case labelSEC1:
		k, err := x509.ParseECPrivateKey(der)
		if err != nil {
			return nil, fmt.Errorf("parsing %s: %w", b.Type, err)
		}
		return k, nil
	case labelEncPKCS8:
		return decryptPKCS8(der, s)
	default: // labelPKCS8
		k, err := parsePlainDER(der)
		if err != nil {
			return nil, fmt.Errorf("parsing %s: %w", b.Type, err)
		}
		return k, nil
	}
}

// legacyPEMIterations is the cost of a legacy encrypted PEM block's key
// derivation: OpenSSL's EVP_BytesToKey with MD5 and one iteration.
const legacyPEMIterations = 1

// decryptLegacyPEM decrypts an OpenSSL "traditional" encrypted PEM block
// (Proc-Type: 4,ENCRYPTED and DEK-Info headers).
//
// x509.DecryptPEMBlock is deprecated because the format is unauthenticated
// (a padding oracle) and uses MD5 as its KDF. That is acceptable here: we
// only read old files that admins already have, once, with their own
// password, and never write the format (MarshalKey writes PBES2 PKCS#8).
func decryptLegacyPEM(b *stdpem.Block, s *session) ([]byte, error) {
	if err := s.charge(legacyPEMIterations, "decrypting the key"); err != nil {
		return nil, fmt.Errorf("legacy encrypted %s: %w", b.Type, err)
	}
	password, err := s.password()
	if err != nil {
		return nil, fmt.Errorf("legacy encrypted %s: %w", b.Type, err)
	}
	der, err := x509.DecryptPEMBlock(b, password) //nolint:staticcheck // read-only support, see doc comment
	if errors.Is(err, x509.IncorrectPasswordError) {
		return nil, fmt.Errorf("legacy encrypted %s: %w", b.Type, ErrIncorrectPassword)
	}
	if err != nil {
		return nil, fmt.Errorf("legacy encrypted %s: %w", b.Type, err)
	}
	// The format has no integrity check: a wrong password passes the
	// padding check about once in 256 tries and yields garbage.
	if b.Type == labelPKCS1 {
		if _, perr := x509.ParsePKCS1PrivateKey(der); perr != nil {
			return nil, fmt.Errorf("legacy encrypted %s: %w", b.Type, ErrIncorrectPassword)
		}
	} else if _, perr := x509.ParseECPrivateKey(der); perr != nil {
		return nil, fmt.Errorf("legacy encrypted %s: %w", b.Type, ErrIncorrectPassword)
	}
	return der, nil
}

// parsePlainDER tries PKCS#8, PKCS#1 and SEC1, in that order.
func parsePlainDER(der []byte) (crypto.Signer, error) {
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return asSigner(k)
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return k, nil
	}
	return nil, errors.New("not a private key (tried PKCS#8, PKCS#1 and SEC1)")
}

func asSigner(k any) (crypto.Signer, error) {
	if _, ok := k.(*ecdh.PrivateKey); ok {
		return nil, fmt.Errorf("%w: an X25519/ECDH key, which cannot sign", ErrUnsupported)
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%w: private key of type %T", ErrUnsupported, k)
	}
	return s, nil
}

func parseDERKey(der []byte, s *session) (crypto.Signer, error) {
	if k, err := parsePlainDER(der); err == nil {
		return k, nil
	}
	var enc encryptedPrivateKeyInfo
	if rest, err := asn1.Unmarshal(der, &enc); err == nil && len(rest) == 0 && len(enc.Algorithm.Algorithm) > 0 {
		return decryptPKCS8(der, s)
	}
	if _, err := x509.ParseCertificate(der); err == nil {
		return nil, fmt.Errorf("%w: the input is a DER certificate, not a key", ErrNoKey)
	}
	return nil, fmt.Errorf("%w: the DER input is not a private key (tried PKCS#8, PKCS#1, SEC1 and encrypted PKCS#8)", ErrNoKey)
}

// MatchKey reports whether pub is the public key of cert. Whole keys are
// compared with their Equal method (never just an RSA modulus or an EC X
// coordinate). A private key is accepted too and its public half compared.
func MatchKey(pub crypto.PublicKey, cert *x509.Certificate) bool {
	if pub == nil || cert == nil || cert.PublicKey == nil {
		return false
	}
	if s, ok := pub.(interface{ Public() crypto.PublicKey }); ok {
		pub = s.Public()
	}
	eq, ok := pub.(interface{ Equal(crypto.PublicKey) bool })
	return ok && eq.Equal(cert.PublicKey)
}

// Fingerprint returns the lowercase hex SHA-256 of pub's PKIX
// SubjectPublicKeyInfo DER (what `openssl pkey -pubout -outform DER |
// sha256sum` prints), or "" for a key type x509 cannot marshal. A private
// key is accepted too and its public half used.
func Fingerprint(pub crypto.PublicKey) string {
	if s, ok := pub.(interface{ Public() crypto.PublicKey }); ok {
		pub = s.Public()
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

// MarshalKey encodes key as PEM PKCS#8 ("PRIVATE KEY"). With a non-empty
// password it writes an "ENCRYPTED PRIVATE KEY" instead: PBES2 with
// PBKDF2-HMAC-SHA256 (MarshalIterations rounds) and AES-256-CBC, which
// OpenSSL 1.1+ reads with `openssl pkey -passin`.
func MarshalKey(key crypto.Signer, password []byte) ([]byte, error) {
	if key == nil {
		return nil, errors.New("marshal key: no key")
	}
	if len(password) == 0 {
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return nil, fmt.Errorf("marshal key: %w", err)
		}
		return stdpem.EncodeToMemory(&stdpem.Block{Type: labelPKCS8, Bytes: der}), nil
	}
	opts := &pkcs8.Opts{
		Cipher: pkcs8.AES256CBC,
		KDFOpts: pkcs8.PBKDF2Opts{
			SaltSize:       marshalSaltSize,
			IterationCount: MarshalIterations,
			HMACHash:       crypto.SHA256,
		},
	}
	der, err := pkcs8.MarshalPrivateKey(key, password, opts)
	if err != nil {
		return nil, fmt.Errorf("marshal encrypted key: %w", err)
	}
	return stdpem.EncodeToMemory(&stdpem.Block{Type: labelEncPKCS8, Bytes: der}), nil
}

// encryptedPrivateKeyInfo is RFC 5958 section 3.
type encryptedPrivateKeyInfo struct {
	Algorithm     pkix.AlgorithmIdentifier
	EncryptedData []byte
}
