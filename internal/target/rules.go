package target

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"

	"chainfix/pfx"
)

// The rules every target shares are written once here; a target picks
// them and gives each its source. A rule's Check gets the shaped input
// (Build) or the file set as given (Check) and returns findings without
// Rule and Source, which the caller fills in.

// NoSource marks a requirement for which no vendor document was found;
// such requirements are described in TARGETS.md and never enforced.
const NoSource = "no vendor source found"

// Sources for the facts of TLS and X.509 themselves, used where a rule
// holds whatever the target.
const (
	// srcKeyMatch: the server proves possession of the key of the leaf it
	// sends; a key of another certificate cannot complete a handshake.
	srcKeyMatch = "RFC 8446 (TLS 1.3) section 4.4.3, CertificateVerify; RFC 5246 (TLS 1.2) section 7.4.2"
	// srcValidity: relying parties refuse a certificate outside its validity.
	srcValidity = "RFC 5280 section 4.1.2.5 (Validity) and section 6.1.3 (path validation, step a.2)"
	// srcChainOrder: the sender's certificate first, each one certified by the next.
	srcChainOrder = "RFC 5246 (TLS 1.2) section 7.4.2, Server Certificate: certificate_list"
)

// one wraps a single finding.
func one(sev Severity, format string, args ...any) []Finding {
	return []Finding{{Severity: sev, Message: fmt.Sprintf(format, args...)}}
}

// ruleKeyMatch: the key belongs to the leaf (whole public keys compared,
// pfx.MatchKey). Without a key, Build refuses (the target's files hold the
// key) and Check warns that nothing was checked.
func ruleKeyMatch(source string) Rule {
	return Rule{Name: "key-match", Source: source, Check: func(in Input) []Finding {
		if in.Key == nil {
			if in.building {
				return one(Error, "no private key: the target's files hold the key; give it with --key")
			}
			return one(Warning, "no private key given: the key rules were not checked")
		}
		if !pfx.MatchKey(in.Key.Public(), in.Leaf) {
			return one(Error, "the key (public key SHA-256 %s) is not the key of %s (public key SHA-256 %s)",
				pfx.Fingerprint(in.Key.Public()), subject(in.Leaf), pfx.Fingerprint(in.Leaf.PublicKey))
		}
		return nil
	}}
}

// ruleValidity: the leaf is within its validity at Input.At. sev is Error
// where the vendor says the import refuses, Warning elsewhere (clients
// refuse it, the device may take it).
func ruleValidity(sev Severity, source string) Rule {
	return Rule{Name: "validity", Source: source, Check: func(in Input) []Finding {
		if in.At.IsZero() {
			return nil
		}
		switch {
		case in.At.After(in.Leaf.NotAfter):
			return one(sev, "%s expired on %s", subject(in.Leaf), in.Leaf.NotAfter.UTC().Format("2006-01-02 15:04:05 UTC"))
		case in.At.Before(in.Leaf.NotBefore):
			return one(sev, "%s is not valid before %s", subject(in.Leaf), in.Leaf.NotBefore.UTC().Format("2006-01-02 15:04:05 UTC"))
		}
		return nil
	}}
}

// ruleChainOrder: leaf first, each certificate issued by the next one (by
// name, and by signature where Go can check it: SHA-1 signatures are left
// to the name match, as Go refuses to verify them).
func ruleChainOrder(sev Severity, source string) Rule {
	return Rule{Name: "chain-order", Source: source, Check: func(in Input) []Finding {
		chain := in.chain()
		for i := 0; i+1 < len(chain); i++ {
			child, parent := chain[i], chain[i+1]
			if !issuedBy(child, parent) {
				return one(sev, "certificate %d (%s) is not issued by certificate %d (%s): the chain must run from the leaf to the root, each certificate followed by its issuer",
					i+1, subject(child), i+2, subject(parent))
			}
		}
		return nil
	}}
}

// issuedBy reports whether parent issued child: the names link and, unless
// the signature is one Go refuses to check (SHA-1, MD5), it verifies.
func issuedBy(child, parent *x509.Certificate) bool {
	if !bytes.Equal(child.RawIssuer, parent.RawSubject) {
		return false
	}
	err := child.CheckSignatureFrom(parent)
	if err == nil {
		return true
	}
	var insecure x509.InsecureAlgorithmError
	return errors.As(err, &insecure)
}

// ruleRootExcluded: the set must not contain the root.
func ruleRootExcluded(source string) Rule {
	return Rule{Name: "root-excluded", Source: source, Check: func(in Input) []Finding {
		if in.Root != nil {
			return one(Error, "the set contains the root %s, which this target must not send; leave it out", subject(in.Root))
		}
		return nil
	}}
}

// ruleRootIncluded: the set must contain the root.
func ruleRootIncluded(source string) Rule {
	return Rule{Name: "root-included", Source: source, Check: func(in Input) []Finding {
		if in.Root == nil {
			last := in.chain()[len(in.chain())-1]
			return one(Error, "the root is missing: this target wants the whole chain up to the root that issued %s; give it with --roots (or in the input)", subject(last))
		}
		return nil
	}}
}

// keyInfo describes a public key: its algorithm ("RSA", "ECDSA",
// "Ed25519") and size in bits (RSA modulus, curve size; 0 otherwise).
func keyInfo(pub crypto.PublicKey) (alg string, bits int) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return "RSA", k.N.BitLen()
	case *ecdsa.PublicKey:
		return "ECDSA", k.Curve.Params().BitSize
	case ed25519.PublicKey:
		return "Ed25519", 0
	}
	return fmt.Sprintf("%T", pub), 0
}

// describeKey is "RSA 2048", "ECDSA P-256", "Ed25519".
func describeKey(pub crypto.PublicKey) string {
	alg, bits := keyInfo(pub)
	switch alg {
	case "RSA":
		return fmt.Sprintf("RSA %d", bits)
	case "ECDSA":
		return "ECDSA " + pub.(*ecdsa.PublicKey).Curve.Params().Name
	}
	return alg
}

// ruleKeyType judges the leaf's public key (the key the certificate
// carries, so the rule holds without the private key too) with judge,
// which returns a severity and a reason when the key is not accepted.
func ruleKeyType(source string, judge func(pub crypto.PublicKey) (Severity, string)) Rule {
	return Rule{Name: "key-type", Source: source, Check: func(in Input) []Finding {
		if sev, why := judge(in.Leaf.PublicKey); why != "" {
			return one(sev, "%s key: %s", describeKey(in.Leaf.PublicKey), why)
		}
		return nil
	}}
}

// ruleKeyUnencrypted: the key file must not be encrypted (Check; Build
// always writes it unencrypted for these targets).
func ruleKeyUnencrypted(source string) Rule {
	return Rule{Name: "key-unencrypted", Source: source, Check: func(in Input) []Finding {
		if in.KeyEncrypted {
			return one(Error, "the private key is encrypted; this target takes it only unencrypted (chainfix key --in KEY -o key.pem writes it so)")
		}
		return nil
	}}
}

// ruleKeyEncrypted: the key must be encrypted with a password.
func ruleKeyEncrypted(source string) Rule {
	return Rule{Name: "key-encrypted", Source: source, Check: func(in Input) []Finding {
		if in.Key == nil && !in.building {
			return nil
		}
		if !in.KeyEncrypted {
			if in.building {
				return one(Error, "this target takes the private key encrypted: give a password for it")
			}
			return one(Error, "the private key is not encrypted; this target takes it encrypted with the certificate password")
		}
		return nil
	}}
}

// rulePFXPassword: the PFX must be protected by a non-empty password.
func rulePFXPassword(source string) Rule {
	return Rule{Name: "pfx-password", Source: source, Check: func(in Input) []Finding {
		if len(in.Password) == 0 {
			return one(Error, "the PFX must be password-protected: give a password")
		}
		return nil
	}}
}

// rulePFXEncryption: an existing PFX (Check, Input.PFX) is encrypted with
// what the target reads. judge returns why the PFX's algorithms are
// refused, or "". Build picks the encryption itself, so the rule only
// reads a given file.
func rulePFXEncryption(source string, judge func(in Input, info pfxInfo) string) Rule {
	return Rule{Name: "pfx-encryption", Source: source, Check: func(in Input) []Finding {
		if in.PFX == nil {
			return nil
		}
		info, err := readPFXInfo(in.PFX)
		if err != nil {
			return one(Error, "the PFX cannot be read: %v", err)
		}
		if why := judge(in, info); why != "" {
			return one(Error, "the PFX is encrypted with %s: %s", info.summary(), why)
		}
		return nil
	}}
}

// ruleMaxIntermediates: at most n intermediates (sev: how the target
// reacts to more).
func ruleMaxIntermediates(sev Severity, source string, n int, why string) Rule {
	return Rule{Name: "chain-length", Source: source, Check: func(in Input) []Finding {
		if len(in.Intermediates) > n {
			return one(sev, "%d intermediate certificates: %s", len(in.Intermediates), why)
		}
		return nil
	}}
}

// ruleChainBytes: the PEM encoding of the certificates of the set is at
// most max bytes (sev: how the target reacts to more).
func ruleChainBytes(sev Severity, source string, max int, why string) Rule {
	return Rule{Name: "chain-size", Source: source, Check: func(in Input) []Finding {
		if n := len(pemCerts(in.chain()...)); n > max {
			return one(sev, "the chained certificate is %d bytes (%.1f KB): %s", n, float64(n)/1024, why)
		}
		return nil
	}}
}

// subject is a certificate's subject as the findings print it.
func subject(c *x509.Certificate) string {
	if c == nil {
		return "(none)"
	}
	if s := c.Subject.String(); s != "" {
		return s
	}
	return "(empty subject, serial " + c.SerialNumber.String() + ")"
}
