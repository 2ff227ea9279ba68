package target

import (
	"crypto"
	"crypto/dsa" // deprecated, but x509 still returns it for DSA certificates, which BIG-IP accepts
)

// F5 BIG-IP: the certificate, the key and the chain as three objects of
// the SSL certificate list, bound together in a Client SSL profile's
// certificate key chain (cert, key, chain).

// srcF5Types: "The BIG-IP system can support cipher suites that use these
// algorithms: Rivest Shamir Adleman (RSA), Elliptic Curve Digital
// Signature Algorithm (ECDSA), Digital Signature Algorithm (DSA)".
const srcF5Types = "Manual Chapter: SSL Certificate Management, Supported certificate/key types (BIG-IP System: SSL Administration 14.1.0), https://techdocs.f5.com/en-us/bigip-14-1-0/big-ip-system-ssl-administration-14-1-0/ssl-certificate-management.html"

// srcF5Chain: the server certificate and key imported, the CA certificates
// concatenated into a certificate chain file for the profile's Chain.
const srcF5Chain = "SSL Profiles Part 3: Certificate Chain Implementation (F5 DevCentral), https://community.f5.com/kb/technicalarticles/ssl-profiles-part-3-certificate-chain-implementation/287632"

var f5 = Target{
	Name:     "f5",
	Title:    "F5 BIG-IP (certificate, key and chain of a Client SSL profile)",
	Source:   srcF5Chain,
	NeedsKey: true,
	Root:     RootOnRequest,
	Files: func(in Input) ([]File, error) {
		return writePEM(in,
			pemPart{".crt", leafOnly, "Certificate of the Client SSL profile's certificate key chain"},
			pemPart{".key", nil, "Key of the Client SSL profile's certificate key chain"},
			pemPart{".chain.crt", issuersOf, "Chain of the Client SSL profile's certificate key chain"})
	},
	Rules: []Rule{
		ruleKeyType(srcF5Types, func(pub crypto.PublicKey) (Severity, string) {
			switch alg, _ := keyInfo(pub); alg {
			case "RSA", "ECDSA":
				return "", ""
			}
			if _, ok := pub.(*dsa.PublicKey); ok {
				return "", ""
			}
			return Error, "BIG-IP supports RSA, ECDSA and DSA keys"
		}),
		ruleKeyMatch(srcKeyMatch),
		ruleChainOrder(Warning, srcChainOrder),
		ruleValidity(Warning, srcValidity),
	},
	Unverified: []string{
		"key sizes BIG-IP accepts: no F5 document found",
	},
}
