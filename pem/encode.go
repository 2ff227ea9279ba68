package pem

import (
	"crypto/x509"
	"encoding/base64"
	"fmt"

	"github.com/smallstep/pkcs7"
)

// lineWidth is the base64 line length of RFC 7468 section 2 (and of
// openssl and encoding/pem): 64 characters.
const lineWidth = 64

// Encode writes certs as canonical PEM: one CERTIFICATE block per
// certificate in the given order, base64 in 64-column lines, blocks back to
// back without blank lines or any other text, LF line ends (CRLF with
// opts.CRLF), a final line end. The same certificates always give the same
// bytes, whatever the input looked like. Nil entries are ignored; no
// certificates give an empty result.
func Encode(certs []*x509.Certificate, opts EncodeOptions) []byte {
	var out []byte
	for _, c := range certs {
		if c == nil {
			continue
		}
		out = appendArmor(out, "CERTIFICATE", c.Raw, opts)
	}
	return out
}

// Armor returns one canonical PEM block (RFC 7468 strict form) with that
// label around der, e.g. Armor("PKCS7", p7, opts).
func Armor(label string, der []byte, opts EncodeOptions) []byte {
	return appendArmor(nil, label, der, opts)
}

func appendArmor(out []byte, label string, der []byte, opts EncodeOptions) []byte {
	eol := "\n"
	if opts.CRLF {
		eol = "\r\n"
	}
	b64 := make([]byte, base64.StdEncoding.EncodedLen(len(der)))
	base64.StdEncoding.Encode(b64, der)
	out = append(out, "-----BEGIN "+label+"-----"+eol...)
	for len(b64) > 0 {
		n := min(lineWidth, len(b64))
		out = append(out, b64[:n]...)
		out = append(out, eol...)
		b64 = b64[n:]
	}
	return append(out, "-----END "+label+"-----"+eol...)
}

// EncodePKCS7 returns a certs-only ("degenerate") PKCS#7 SignedData in DER
// holding certs in the given order: the .p7b / .p7c that Windows, Java and
// appliances import. Use Armor("PKCS7", ...) for the PEM form. No
// certificates is an error wrapping ErrNoCertificates.
func EncodePKCS7(certs []*x509.Certificate) ([]byte, error) {
	var concat []byte
	for _, c := range certs {
		if c != nil {
			concat = append(concat, c.Raw...)
		}
	}
	if len(concat) == 0 {
		return nil, fmt.Errorf("encode PKCS#7: %w", ErrNoCertificates)
	}
	der, err := pkcs7.DegenerateCertificate(concat)
	if err != nil {
		return nil, fmt.Errorf("encode PKCS#7: %w", err)
	}
	return der, nil
}
