package report

import (
	"crypto/sha1" // #nosec: the Windows thumbprint is SHA-1 by definition; used to name, not to secure
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"chainfix/bundle"
)

// Cert is one certificate in JSON documents.
type Cert struct {
	Subject   string    `json:"subject"`
	Issuer    string    `json:"issuer"`
	Serial    string    `json:"serial"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	SHA256    string    `json:"sha256"`
	SHA1      string    `json:"sha1"` // the thumbprint Windows and IIS show
	DNSNames  []string  `json:"dns_names,omitempty"`
	IsCA      bool      `json:"is_ca"`
}

// CertOf describes c.
func CertOf(c *x509.Certificate) Cert {
	s256 := sha256.Sum256(c.Raw)
	return Cert{
		Subject:   bundle.Name(c),
		Issuer:    IssuerName(c),
		Serial:    c.SerialNumber.Text(16),
		NotBefore: c.NotBefore.UTC(),
		NotAfter:  c.NotAfter.UTC(),
		SHA256:    hex.EncodeToString(s256[:]),
		SHA1:      SHA1Thumbprint(c),
		DNSNames:  c.DNSNames,
		IsCA:      c.IsCA,
	}
}

// Certs describes each certificate; never nil (JSON "[]", not null).
func Certs(certs []*x509.Certificate) []Cert {
	out := make([]Cert, 0, len(certs))
	for _, c := range certs {
		out = append(out, CertOf(c))
	}
	return out
}

// SHA1Thumbprint is the certificate's Windows thumbprint (certutil and IIS
// identify certificates by it), upper-case hex.
func SHA1Thumbprint(c *x509.Certificate) string {
	h := sha1.Sum(c.Raw)
	return strings.ToUpper(hex.EncodeToString(h[:]))
}

// IssuerName is the issuer in the same short form as bundle.Name.
func IssuerName(c *x509.Certificate) string {
	return bundle.Name(&x509.Certificate{Subject: c.Issuer})
}

// PathString renders a path as "CN=leaf -> CN=int -> CN=root".
func PathString(path []*x509.Certificate) string {
	names := make([]string, len(path))
	for i, c := range path {
		names[i] = bundle.Name(c)
	}
	return strings.Join(names, " -> ")
}

// TLSVersionName names a TLS version as admins know it.
func TLSVersionName(v uint16) string {
	if v == 0 {
		return "unknown TLS version"
	}
	return tls.VersionName(v)
}

// CertCount says "1 certificate", "3 certificates".
func CertCount(n int) string {
	if n == 1 {
		return "1 certificate"
	}
	return fmt.Sprintf("%d certificates", n)
}
