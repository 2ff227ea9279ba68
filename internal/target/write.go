package target

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	stdpem "encoding/pem"
	"errors"
	"fmt"
	"strings"

	"chainfix/pem"
	"chainfix/pfx"
)

// The shared writer: every target's Files is a few calls to these.

// pemCerts is canonical PEM of certs in order (package pem).
func pemCerts(certs ...*x509.Certificate) []byte {
	return pem.Encode(certs, pem.EncodeOptions{})
}

// keyPEM is the key as unencrypted PKCS#8 PEM ("PRIVATE KEY").
func keyPEM(in Input) ([]byte, error) {
	if in.Key == nil {
		return nil, errors.New("no private key")
	}
	return pfx.MarshalKey(in.Key, nil)
}

// legacyEncryptedKeyPEM is the key in OpenSSL's traditional encrypted PEM
// ("RSA PRIVATE KEY" / "EC PRIVATE KEY" with Proc-Type: 4,ENCRYPTED and
// DEK-Info: DES-EDE3-CBC), what `openssl pkcs12 -in X.p12 -out Y.pem
// -passout pass:...` wrote before OpenSSL 1.0. The encryption is weak
// (one MD5 round for the key) and randomized (the IV); it is written only
// for appliances whose documented procedure produces it.
func legacyEncryptedKeyPEM(in Input) ([]byte, error) {
	var label string
	var der []byte
	var err error
	switch k := in.Key.(type) {
	case *rsa.PrivateKey:
		label, der = "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(k)
	case *ecdsa.PrivateKey:
		label = "EC PRIVATE KEY"
		der, err = x509.MarshalECPrivateKey(k)
	default:
		return nil, fmt.Errorf("a %T key cannot be written in the traditional OpenSSL PEM format; use an RSA or ECDSA key", in.Key)
	}
	if err != nil {
		return nil, err
	}
	if len(in.Password) == 0 {
		return nil, errors.New("no password for the encrypted key")
	}
	//lint:ignore SA1019 the legacy format is exactly what the target's procedure produces
	block, err := x509.EncryptPEMBlock(rand.Reader, label, der, in.Password, x509.PEMCipher3DES)
	if err != nil {
		return nil, err
	}
	return stdpem.EncodeToMemory(block), nil
}

// pfxData is a PFX of the key, the leaf and the issuers of in, with enc.
func pfxData(in Input, enc pfx.Encryption) ([]byte, error) {
	return pfx.Encode(in.Key, in.Leaf, in.issuers(), string(in.Password), enc)
}

// maxNameLen bounds the base name (file names stay well under the 255
// bytes file systems allow, with suffixes).
const maxNameLen = 200

// baseName is Input.Name, or the leaf's CN (else its first DNS name) made
// safe as a file name and a Kubernetes object name: lower case, "*."
// becomes "wildcard.", anything outside [a-z0-9.-] becomes "-". A given
// Name is used as is, but must not be a path.
func baseName(in Input) (string, error) {
	if in.Name != "" {
		if strings.ContainsAny(in.Name, `/\`) || in.Name == "." || in.Name == ".." || len(in.Name) > maxNameLen ||
			strings.ContainsFunc(in.Name, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return "", fmt.Errorf("name %q: want a plain base name (no directory, at most %d bytes)", in.Name, maxNameLen)
		}
		return in.Name, nil
	}
	n := in.Leaf.Subject.CommonName
	if n == "" && len(in.Leaf.DNSNames) > 0 {
		n = in.Leaf.DNSNames[0]
	}
	n = strings.ToLower(strings.TrimSpace(n))
	if rest, ok := strings.CutPrefix(n, "*."); ok {
		n = "wildcard." + rest
	}
	n = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '-'
	}, n)
	n = strings.Trim(n, ".-")
	if len(n) > maxNameLen {
		n = n[:maxNameLen]
	}
	if n == "" {
		n = "certificate"
	}
	return n, nil
}

// pemPart is one file of the PEM targets: a list of certificates, or the
// key.
type pemPart struct {
	suffix string                          // appended to the base name, e.g. ".chained.crt"
	certs  func(Input) []*x509.Certificate // nil for the key file
	field  string
}

// writePEM writes one file per part: certificates as canonical PEM, the
// key (certs nil) as unencrypted PKCS#8, mode 0600. A certificate part
// with no certificate (a chain file when the leaf's issuer is the root
// and the root is left out) is not written.
func writePEM(in Input, parts ...pemPart) ([]File, error) {
	name, err := baseName(in)
	if err != nil {
		return nil, err
	}
	var files []File
	for _, p := range parts {
		f := File{Name: name + p.suffix, Field: p.field}
		if p.certs == nil {
			if f.Data, err = keyPEM(in); err != nil {
				return nil, err
			}
			f.Secret = true
		} else {
			certs := p.certs(in)
			if len(certs) == 0 {
				continue
			}
			f.Data = pemCerts(certs...)
		}
		files = append(files, f)
	}
	return files, nil
}

// Certificate selections for pemPart.
func leafOnly(in Input) []*x509.Certificate  { return []*x509.Certificate{in.Leaf} }
func fullChain(in Input) []*x509.Certificate { return in.chain() }
func issuersOf(in Input) []*x509.Certificate { return in.issuers() }

// errNoIssuers: a chain file would be empty.
var errNoIssuers = errors.New("the chain has no intermediate (nor a root to include): the chain file would be empty")
