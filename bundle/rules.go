package bundle

import (
	"bytes"
	"crypto/dsa" //nolint:staticcheck // only to recognise DSA keys in certificates
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"strings"
	"time"
)

// The facts about certificates that both Build and Diagnose judge, each
// written once here (STYLE: one rule per fact).

// Validity is where a time falls in a certificate's validity period.
type Validity string

// Values of Validity.
const (
	// Valid: NotBefore <= at <= NotAfter (RFC 5280 section 4.1.2.5: both
	// bounds are inclusive).
	Valid Validity = "valid"
	// Expired: at is after NotAfter.
	Expired Validity = "expired"
	// NotYetValid: at is before NotBefore.
	NotYetValid Validity = "not-yet-valid"
)

// ValidityAt says whether c is valid, expired or not yet valid at at.
func ValidityAt(c *x509.Certificate, at time.Time) Validity {
	switch {
	case at.After(c.NotAfter):
		return Expired
	case at.Before(c.NotBefore):
		return NotYetValid
	}
	return Valid
}

// ValidAt: c is valid at at.
func ValidAt(c *x509.Certificate, at time.Time) bool { return ValidityAt(c, at) == Valid }

// IsSelfSigned reports whether c is self-signed: its subject equals its
// issuer byte for byte and its own key verifies its signature. A real root
// is self-signed; an intermediate, or a self-issued certificate signed by
// another key of the same CA (a key rollover), is not.
//
// It uses Certificate.CheckSignature, which accepts SHA-1, rather than
// CheckSignatureFrom, which refuses it: SHA-1 roots such as AAA Certificate
// Services or DST Root CA X3 are self-signed all the same (clients never
// check a root's own signature). A nil c is not self-signed.
func IsSelfSigned(c *x509.Certificate) bool {
	if c == nil || !bytes.Equal(c.RawSubject, c.RawIssuer) {
		return false
	}
	return signatureVerdict(c, c) == sigValid
}

// IsRoot reports whether c is a root certificate: a CA (basicConstraints
// cA) that is self-signed. Only a root is left out of a bundle: a trust
// anchor that is not a root (an intermediate given with --roots) is a
// certificate clients need and stays on the path, and a self-signed
// certificate without the CA bit is a self-signed leaf.
func IsRoot(c *x509.Certificate) bool {
	return c != nil && c.IsCA && IsSelfSigned(c)
}

// namesIssuerOf is the linking rule: p carries the name of c's issuer,
// byte for byte (RFC 5280 section 7.1 name chaining as crypto/x509 does
// it), or up to string encoding with its SKI equal to c's AKI (a CA that
// reissued its certificate with its name in UTF8String, RFC 5280 section
// 4.2.1.1). Only a signature proves p issued c.
func namesIssuerOf(p, c *x509.Certificate) bool {
	if bytes.Equal(p.RawSubject, c.RawIssuer) {
		return true
	}
	return len(c.AuthorityKeyId) > 0 && bytes.Equal(p.SubjectKeyId, c.AuthorityKeyId) &&
		p.Subject.String() == c.Issuer.String()
}

// akiExcludes: c's AKI and p's SKI are both present and differ, so p's key
// is not the one that signed c (RFC 5280 section 4.2.1.1); the signature is
// still the judge, this only orders the candidates.
func akiExcludes(p, c *x509.Certificate) bool {
	return len(c.AuthorityKeyId) > 0 && len(p.SubjectKeyId) > 0 && !bytes.Equal(c.AuthorityKeyId, p.SubjectKeyId)
}

// sameCA: a and b are the same CA (same subject and key), e.g. a root and
// its cross-signed copy.
func sameCA(a, b *x509.Certificate) bool {
	return bytes.Equal(a.RawSubject, b.RawSubject) &&
		bytes.Equal(a.RawSubjectPublicKeyInfo, b.RawSubjectPublicKeyInfo)
}

// weakHash names the broken hash c is signed with ("SHA-1", "MD5"), or "":
// crypto/x509 refuses SHA-1 signatures since Go 1.18, as browsers do since
// 2017, and MD5 always.
func weakHash(c *x509.Certificate) string {
	switch c.SignatureAlgorithm {
	case x509.SHA1WithRSA, x509.DSAWithSHA1, x509.ECDSAWithSHA1:
		return "SHA-1"
	case x509.MD5WithRSA, x509.MD2WithRSA:
		return "MD5"
	}
	return ""
}

// signedBy returns the certificates of path whose own signature clients
// check: all but the top when the top is self-signed (nobody checks a
// self-signed certificate's signature: it is trusted as it is or not at
// all), all of them otherwise.
func signedBy(path []*x509.Certificate, topSelfSigned bool) []*x509.Certificate {
	if topSelfSigned && len(path) > 0 {
		return path[:len(path)-1]
	}
	return path
}

// expiresBeforeLeaf: intermediate inter expires before leaf does, so the
// chain breaks while the leaf is still valid, unless the CA's newer
// intermediate is installed in time.
func expiresBeforeLeaf(inter, leaf *x509.Certificate) bool {
	return inter.NotAfter.Before(leaf.NotAfter)
}

// intermediatesOf returns the certificates between the leaf and the top of
// path; the top counts as one unless it is a root: a trust anchor that is
// not self-signed (an intermediate given as trusted), or a top whose issuer
// is missing, is a certificate clients must be sent.
func intermediatesOf(path []*x509.Certificate, topIsRoot bool) []*x509.Certificate {
	if len(path) <= 1 {
		return nil
	}
	if topIsRoot {
		return path[1 : len(path)-1]
	}
	return path[1:]
}

func boolFirst(x bool) int {
	if x {
		return -1
	}
	return 1
}

// issuerNotCA returns the first certificate of path above the leaf that is
// not a CA (no basicConstraints cA:TRUE, RFC 5280 section 4.2.1.9) and the
// child it is the issuer of, or nils: clients refuse such an issuer
// (Windows CERT_E_ROLE / TRUST_E_BASIC_CONSTRAINTS, OpenSSL "invalid CA
// certificate"). Build leaves the verdict to crypto/x509 and words it with
// this rule (explain); Diagnose reports it as IDIntermediateNotCA.
func issuerNotCA(path []*x509.Certificate) (c, child *x509.Certificate) {
	for i := 1; i < len(path); i++ {
		if p := path[i]; !p.BasicConstraintsValid || !p.IsCA {
			return p, path[i-1]
		}
	}
	return nil, nil
}

// pathLenExceeded returns the first CA of path whose pathLenConstraint
// allows fewer intermediates below it than path has (RFC 5280 section
// 4.2.1.9; x509.TooManyIntermediates), and how many there are below it.
func pathLenExceeded(path []*x509.Certificate) (*x509.Certificate, int) {
	for i := 2; i < len(path); i++ {
		p := path[i]
		// crypto/x509 parses an absent pathLenConstraint as -1.
		if p.BasicConstraintsValid && p.IsCA && p.MaxPathLen >= 0 && i-1 > p.MaxPathLen {
			return p, i - 1
		}
	}
	return nil, 0
}

// MinRSABits is the smallest RSA key clients accept: CA/Browser Forum
// Baseline Requirements section 6.1.5 since 2014, refused below it by
// browsers and by OpenSSL at security level 2 (Debian, Ubuntu default).
const MinRSABits = 2048

// weakKey judges c's public key: an RSA key under MinRSABits is an error;
// a DSA key (no TLS 1.3 signature scheme, dropped by browsers), a P-521 key
// (BoringSSL, hence Chrome and Android, offers no P-521 signature scheme),
// Ed25519 (no browser accepts it in a certificate) or an unknown key type
// is a warning. It returns the severity ("" = fine) and the key in words.
func weakKey(c *x509.Certificate) (severity, what string) {
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		if n := k.N.BitLen(); n < MinRSABits {
			return SeverityError, fmt.Sprintf("a %d-bit RSA key (clients require at least %d bits)", n, MinRSABits)
		}
	case *ecdsa.PublicKey:
		if k.Curve == elliptic.P521() {
			return SeverityWarning, "an ECDSA P-521 key, which Chrome, Android and other BoringSSL-based clients do not accept"
		}
		if k.Curve != elliptic.P256() && k.Curve != elliptic.P384() {
			return SeverityWarning, "an ECDSA key on an unusual curve (" + k.Curve.Params().Name + ")"
		}
	case *dsa.PublicKey:
		return SeverityWarning, "a DSA key, which TLS 1.3 and current browsers do not accept"
	case ed25519.PublicKey:
		return SeverityWarning, "an Ed25519 key, which browsers and most TLS clients do not accept in certificates yet"
	case nil:
		return SeverityWarning, "a key of a type crypto/x509 does not know (" + c.PublicKeyAlgorithm.String() + ")"
	}
	return "", ""
}

// keyUsageLacks names the Key Usage bits c's key type needs for a TLS
// server and c's Key Usage extension lacks (RFC 5246 section 7.4.2, RFC
// 8446 section 4.4.2.4: digitalSignature to sign the handshake;
// keyEncipherment for RSA key exchange, which TLS 1.2 clients may still
// choose). None when the extension is absent (everything is allowed).
func keyUsageLacks(c *x509.Certificate) []string {
	if c.KeyUsage == 0 {
		return nil
	}
	var lacks []string
	if c.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
		lacks = append(lacks, "digitalSignature")
	}
	if _, isRSA := c.PublicKey.(*rsa.PublicKey); isRSA && c.KeyUsage&x509.KeyUsageKeyEncipherment == 0 {
		lacks = append(lacks, "keyEncipherment")
	}
	return lacks
}

// onlySGC: c's Extended Key Usage holds only the Server Gated Crypto
// usages (Netscape 2.16.840.1.113730.4.1, Microsoft 1.3.6.1.4.1.311.10.3.3),
// which no longer count as server authentication.
func onlySGC(c *x509.Certificate) bool {
	if len(c.ExtKeyUsage) == 0 || len(c.UnknownExtKeyUsage) > 0 {
		return false
	}
	for _, u := range c.ExtKeyUsage {
		if u != x509.ExtKeyUsageNetscapeServerGatedCrypto && u != x509.ExtKeyUsageMicrosoftServerGatedCrypto {
			return false
		}
	}
	return true
}

// caAsLeaf: c, used as a leaf, says it is a CA (basicConstraints cA:TRUE)
// or may sign certificates (keyCertSign).
func caAsLeaf(c *x509.Certificate) bool {
	return c.BasicConstraintsValid && c.IsCA || c.KeyUsage&x509.KeyUsageCertSign != 0
}

// hasSANs: c has a Subject Alternative Name of any kind.
func hasSANs(c *x509.Certificate) bool {
	return len(c.DNSNames)+len(c.IPAddresses)+len(c.EmailAddresses)+len(c.URIs) > 0
}

// cnOnly: name is not in c's SANs (c has none) but its subject CN names it:
// clients ignore the CN since RFC 6125 and CA/B Forum BR 7.1.4.2.2
// (Chrome 58, Go 1.15, iOS 13), so this certificate fails everywhere now.
func cnOnly(c *x509.Certificate, name string) bool {
	if hasSANs(c) || c.Subject.CommonName == "" {
		return false
	}
	cn, name := strings.ToLower(strings.TrimSuffix(c.Subject.CommonName, ".")), strings.ToLower(strings.TrimSuffix(name, "."))
	if cn == name {
		return true
	}
	// A wildcard covers exactly one label (RFC 6125 section 6.4.3).
	if rest, ok := strings.CutPrefix(cn, "*."); ok {
		if _, after, found := strings.Cut(name, "."); found && after == rest {
			return true
		}
	}
	return false
}
