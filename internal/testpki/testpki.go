// Package testpki builds deterministic test certificates for chainfix's tests
// and for the fixture generator (testdata/gen).
//
// Determinism: issuers sign with committed RSA keys (PKCS #1 v1.5 signatures
// are deterministic), ECDSA and Ed25519 keys are derived from seed strings,
// serials and dates are given by the caller. The same calls therefore give
// the same bytes on every run and every machine, so fixtures written by the
// generator can be compared with certificates built inside a test.
//
// Certificates whose issuer key is ECDSA are signed with a random nonce and
// are not byte-reproducible; the committed fixtures use RSA issuers only.
//
// This package is for tests only; it panics on programmer error.
package testpki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"embed"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"time"
)

//go:embed keys/*.pem
var keyFiles embed.FS

// RSAKeyCount is how many committed RSA keys RSAKey can return.
const RSAKeyCount = 12

// RSAKey returns committed RSA-2048 key number i (1..RSAKeyCount). Two
// certificates that must share a key (a cross-sign, a renewal) use the same i.
func RSAKey(i int) crypto.Signer {
	if i < 1 || i > RSAKeyCount {
		panic(fmt.Sprintf("testpki: no RSA key %d", i))
	}
	data, err := keyFiles.ReadFile(fmt.Sprintf("keys/rsa%02d.pem", i))
	if err != nil {
		panic(err)
	}
	block, _ := pem.Decode(data)
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		panic(err)
	}
	return key.(crypto.Signer)
}

// ECDSAKey derives a P-256, P-384 or P-521 key from seed.
func ECDSAKey(curve elliptic.Curve, seed string) crypto.Signer {
	size := (curve.Params().BitSize + 7) / 8
	h := sha512.Sum512([]byte(seed))
	h2 := sha512.Sum512(h[:])
	raw := append(h[:], h2[:]...)[:size]
	if curve == elliptic.P521() {
		raw[0] &= 0x01 // keep the scalar below the group order
	}
	raw[0] &= 0x7f
	key, err := ecdsa.ParseRawPrivateKey(curve, raw)
	if err != nil {
		panic(err)
	}
	return key
}

// Ed25519Key derives an Ed25519 key from seed.
func Ed25519Key(seed string) crypto.Signer {
	h := sha256.Sum256([]byte(seed))
	return ed25519.NewKeyFromSeed(h[:])
}

// Cert is a certificate with its private key.
type Cert struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// DER returns the certificate's encoding.
func (c *Cert) DER() []byte { return c.Cert.Raw }

// PEM returns the certificate as one PEM block.
func (c *Cert) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Cert.Raw})
}

// Epoch is the fixed "now" of the test PKI: every certificate made with the
// default dates is valid at Epoch.
var Epoch = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// Template describes a certificate to issue. Zero fields get defaults: a
// serial derived from the CN, NotBefore 2025-01-01, NotAfter 2049-12-31.
type Template struct {
	CN        string
	O         string
	Serial    int64
	NotBefore time.Time
	NotAfter  time.Time
	// CA makes a CA certificate (basicConstraints cA, keyCertSign).
	CA bool
	// NoBasicConstraints leaves basicConstraints out entirely (for "not a CA" cases).
	NoBasicConstraints bool
	// MaxPathLen, with CA, sets pathLenConstraint (0 or -1 = unset; see
	// PathLenZero).
	MaxPathLen int
	// PathLenZero, with CA, sets pathLenConstraint 0.
	PathLenZero bool
	// EKU of a leaf. Default for a leaf: serverAuth + clientAuth. Use
	// NoEKU for none at all.
	EKU      []x509.ExtKeyUsage
	OtherEKU []asn1.ObjectIdentifier
	NoEKU    bool
	DNS      []string
	// AIA caIssuers URLs.
	IssuerURL []string
	// Key of the new certificate. Default: a P-256 key derived from the CN
	// for leaves, RSAKey(1) for CAs (set it!).
	Key crypto.Signer
	// SignatureAlgorithm overrides the default (e.g. x509.SHA1WithRSA is
	// refused by Go >= 1.18 when signing; see SHA1 in gen).
	SignatureAlgorithm x509.SignatureAlgorithm
	// NoSKI leaves the subject key identifier out.
	NoSKI bool
	// KeyUsage, when not zero, replaces the default key usage bits.
	KeyUsage x509.KeyUsage
	// LeafCA marks a certificate that is not made as a CA (it keeps a
	// leaf's defaults: EKU, key) with basicConstraints cA:TRUE, as
	// `openssl req -x509` and some appliances do.
	LeafCA bool
	// More subject alternative names.
	IPs    []net.IP
	Emails []string
	URIs   []*url.URL
	// OCSP responder URLs and CRL distribution points.
	OCSP, CRL []string
	// Policies are certificate policy OIDs.
	Policies []asn1.ObjectIdentifier
	// Extensions are added as they are (e.g. an SCT list).
	Extensions []pkix.Extension
}

// Issue makes a certificate from t, signed by issuer (nil: self-signed).
func Issue(t Template, issuer *Cert) *Cert {
	key := t.Key
	if key == nil {
		if t.CA {
			panic("testpki: a CA needs an explicit key")
		}
		key = ECDSAKey(elliptic.P256(), "leaf:"+t.CN)
	}
	serial := t.Serial
	if serial == 0 {
		h := sha256.Sum256([]byte(t.CN))
		serial = int64(new(big.Int).SetBytes(h[:7]).Uint64()) + 1
	}
	nb, na := t.NotBefore, t.NotAfter
	if nb.IsZero() {
		nb = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if na.IsZero() {
		na = time.Date(2049, 12, 31, 0, 0, 0, 0, time.UTC)
	}
	subject := pkix.Name{CommonName: t.CN}
	if t.O != "" {
		subject.Organization = []string{t.O}
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial),
		Subject:               subject,
		NotBefore:             nb,
		NotAfter:              na,
		IssuingCertificateURL: t.IssuerURL,
		DNSNames:              t.DNS,
		SignatureAlgorithm:    t.SignatureAlgorithm,
	}
	if t.CA {
		tmpl.IsCA = true
		tmpl.BasicConstraintsValid = true
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature
		tmpl.MaxPathLen = t.MaxPathLen
		if t.MaxPathLen == 0 {
			tmpl.MaxPathLen = -1
		}
		if t.PathLenZero {
			tmpl.MaxPathLen, tmpl.MaxPathLenZero = 0, true
		}
	} else {
		tmpl.BasicConstraintsValid = !t.NoBasicConstraints
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		if _, ok := key.Public().(*rsa.PublicKey); ok {
			tmpl.KeyUsage |= x509.KeyUsageKeyEncipherment
		}
	}
	if t.LeafCA {
		tmpl.IsCA, tmpl.BasicConstraintsValid, tmpl.MaxPathLen = true, true, -1
	}
	if t.KeyUsage != 0 {
		tmpl.KeyUsage = t.KeyUsage
	}
	tmpl.IPAddresses, tmpl.EmailAddresses, tmpl.URIs = t.IPs, t.Emails, t.URIs
	tmpl.OCSPServer, tmpl.CRLDistributionPoints = t.OCSP, t.CRL
	for _, o := range t.Policies {
		ints := make([]uint64, len(o))
		for i, n := range o {
			ints[i] = uint64(n)
		}
		oid, err := x509.OIDFromInts(ints)
		if err != nil {
			panic(err)
		}
		tmpl.Policies = append(tmpl.Policies, oid)
	}
	tmpl.ExtraExtensions = t.Extensions
	if t.EKU != nil {
		tmpl.ExtKeyUsage = t.EKU
	} else if !t.CA && !t.NoEKU && t.OtherEKU == nil {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
	}
	for _, o := range t.OtherEKU {
		tmpl.UnknownExtKeyUsage = append(tmpl.UnknownExtKeyUsage, o)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		panic(err)
	}
	if !t.NoSKI {
		h := sha256.Sum256(pubDER)
		tmpl.SubjectKeyId = h[:20]
	}
	parent, signer := tmpl, key
	if issuer != nil {
		parent, signer = issuer.Cert, issuer.Key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), signer)
	if err != nil {
		panic(fmt.Sprintf("testpki: issue %s: %v", t.CN, err))
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	return &Cert{Cert: cert, Key: key}
}
