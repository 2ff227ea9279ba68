package report

import (
	"crypto"
	"crypto/x509"
	"fmt"
	"io"

	"chainfix/bundle"
	"chainfix/pfx"
)

// Match is match's product.
type Match struct {
	Match          bool     `json:"match"`
	KeyFingerprint string   `json:"key_sha256"`
	Matching       []Cert   `json:"matching"`
	Others         []string `json:"others,omitempty"` // subjects of the certificates that did not match
	// certs keeps the certificates compared, for the text form.
	certs []*x509.Certificate
}

// NewMatch compares key with each certificate.
func NewMatch(key crypto.PublicKey, certs []*x509.Certificate) *Match {
	m := &Match{KeyFingerprint: pfx.Fingerprint(key), Matching: []Cert{}, certs: certs}
	for _, c := range certs {
		if pfx.MatchKey(key, c) {
			m.Matching = append(m.Matching, CertOf(c))
		} else {
			m.Others = append(m.Others, bundle.Name(c))
		}
	}
	m.Match = len(m.Matching) > 0
	return m
}

// MatchText writes the verdict for a person.
func MatchText(w io.Writer, m *Match) {
	w = NewVoice(w) // terminal-safe lines: names come from outside
	if m.Match {
		for _, c := range m.Matching {
			fmt.Fprintf(w, "match: the key belongs to %s (expires %s, SHA-1 thumbprint %s)\n", c.Subject, c.NotAfter.Format("2006-01-02"), c.SHA1)
		}
		return
	}
	fmt.Fprintf(w, "no match: the key (public key SHA-256 %s) belongs to none of the %d certificates\n", pfx.ShortFingerprint(m.KeyFingerprint), len(m.certs))
	for _, c := range m.certs {
		fmt.Fprintf(w, "  %s has public key SHA-256 %s\n", bundle.Name(c), pfx.ShortFingerprint(pfx.Fingerprint(c.PublicKey)))
	}
}

// KeyMismatch is the error when key does not belong to leaf, naming both
// public keys so the admin can find the right pair.
func KeyMismatch(key crypto.PublicKey, leaf *x509.Certificate) error {
	return fmt.Errorf("the private key does not match %s: the key is %s (public key SHA-256 %s), the certificate's is %s (%s); 'chainfix match --key KEY FILE...' finds the certificate a key belongs to",
		bundle.Name(leaf), pfx.KeyKind(key), pfx.ShortFingerprint(pfx.Fingerprint(key)), pfx.KeyKind(leaf.PublicKey), pfx.ShortFingerprint(pfx.Fingerprint(leaf.PublicKey)))
}
