package fetch

import (
	"crypto/x509"

	"chainfix/pem"
)

// decodeBody reads the certificates of an AIA answer whatever its
// Content-Type says: CAs serve DER (most), PEM (one or several blocks) and
// PKCS #7 certs-only (.p7c) under every media type, or none. Lenient: a
// certificate crypto/x509 refuses is passed over, the others are used.
func decodeBody(body []byte) ([]*x509.Certificate, error) {
	contents, err := pem.Decode(body, pem.Options{Lenient: true})
	if err != nil {
		return nil, err
	}
	return contents.Certificates, nil
}
