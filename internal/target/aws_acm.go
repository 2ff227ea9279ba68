package target

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"fmt"
	"slices"
)

// AWS Certificate Manager, import: three PEM files given separately (the
// certificate, the chain without the certificate, the unencrypted key).

// srcACMPrerequisites: the algorithms ACM imports (RSA 1024, 2048, 3072,
// 4096; ECDSA 256, 384, 521 bit: EC_prime256v1, EC_secp384r1,
// EC_secp521r1), and that CloudFront supports only the RSA sizes and
// "Elliptic Prime Curve 256-bit keys".
const srcACMPrerequisites = "Prerequisites for importing ACM certificates (AWS Certificate Manager User Guide), https://docs.aws.amazon.com/acm/latest/userguide/import-certificate-prerequisites.html"

// srcACMFormat: "ACM requires you to separately import the certificate,
// certificate chain, and private key (if any), and to encode each component
// in PEM format."; the file layout.
const srcACMFormat = "Certificate and key format for importing (AWS Certificate Manager User Guide), https://docs.aws.amazon.com/acm/latest/userguide/import-certificate-format.html"

// srcACMTroubleshoot: "If your certificate is signed by a CA, you must
// include an intermediate certificate chain that provides a path to the
// root of authority."; "Each certificate in the chain must directly certify
// the one preceding."; "Do not include your end-entity certificate in the
// intermediate certificate chain."; "Your private key (if any) must not be
// encrypted."
const srcACMTroubleshoot = "Certificate import problems (AWS Certificate Manager User Guide), https://docs.aws.amazon.com/acm/latest/userguide/troubleshoot-import.html"

// srcACMAPI: "You must enter the private key that matches the certificate
// you are importing."; "The private key must be unencrypted."; "The private
// key must be no larger than 5 KB (5,120 bytes)."; "The current time must
// be between the Not Before and Not After certificate fields."; "The Issuer
// field must not be empty."; "The OCSP authority URL, if present, must not
// exceed 1000 characters."
const srcACMAPI = "ImportCertificate request (AWS SDK for .NET API reference, Certificate Manager), https://docs.aws.amazon.com/sdkfornet/v3/apidocs/items/CertificateManager/MCertificateManagerImportCertificateImportCertificateRequest.html"

// Limits of ACM import (srcACMAPI).
const (
	maxACMKeyBytes = 5120
	maxACMOCSPURL  = 1000
)

// acmRSABits are the RSA sizes ACM imports (srcACMPrerequisites).
var acmRSABits = []int{1024, 2048, 3072, 4096}

var awsACM = Target{
	Name:     "aws-acm",
	Title:    "AWS Certificate Manager (import certificate)",
	Source:   srcACMFormat,
	NeedsKey: true,
	Root:     RootOnRequest,
	Files: func(in Input) ([]File, error) {
		key, err := keyPEM(in)
		if err != nil {
			return nil, err
		}
		files := []File{{Name: "certificate.pem", Data: pemCerts(in.Leaf),
			Field: "Certificate (aws acm import-certificate --certificate fileb://certificate.pem)"}}
		if issuers := in.issuers(); len(issuers) > 0 {
			files = append(files, File{Name: "certificate_chain.pem", Data: pemCerts(issuers...),
				Field: "CertificateChain (--certificate-chain fileb://certificate_chain.pem)"})
		}
		return append(files, File{Name: "private_key.pem", Data: key, Secret: true,
			Field: "PrivateKey (--private-key fileb://private_key.pem)"}), nil
	},
	Rules: []Rule{
		ruleKeyType(srcACMPrerequisites, acmKeyType),
		ruleKeyUnencrypted(srcACMAPI),
		{Name: "key-size", Source: srcACMAPI, Check: func(in Input) []Finding {
			if in.Key == nil {
				return nil
			}
			if key, err := keyPEM(in); err == nil && len(key) > maxACMKeyBytes {
				return one(Error, "the private key is %d bytes as PEM; ACM takes at most %d", len(key), maxACMKeyBytes)
			}
			return nil
		}},
		ruleValidity(Error, srcACMAPI),
		ruleChainOrder(Error, srcACMTroubleshoot),
		{Name: "chain-required", Source: srcACMTroubleshoot, Check: func(in Input) []Finding {
			if len(in.issuers()) == 0 && !issuedBy(in.Leaf, in.Leaf) {
				return one(Error, "%s is issued by %s, and the chain is empty: ACM needs the chain to the root (give the intermediates, or --include-root when the root issued it)",
					subject(in.Leaf), in.Leaf.Issuer.String())
			}
			return nil
		}},
		{Name: "certificate-fields", Source: srcACMAPI, Check: func(in Input) []Finding {
			if len(in.Leaf.Issuer.Names) == 0 {
				return one(Error, "the certificate's Issuer field is empty")
			}
			for _, u := range in.Leaf.OCSPServer {
				if len(u) > maxACMOCSPURL {
					return one(Error, "the OCSP URL is %d characters; ACM takes at most %d", len(u), maxACMOCSPURL)
				}
			}
			return nil
		}},
		ruleKeyMatch(srcACMAPI),
	},
}

// acmKeyType: RSA 1024-4096 and ECDSA P-256/384/521 import; CloudFront
// takes only RSA and P-256 (a warning: the import works).
func acmKeyType(pub crypto.PublicKey) (Severity, string) {
	alg, bits := keyInfo(pub)
	switch alg {
	case "RSA":
		if !slices.Contains(acmRSABits, bits) {
			return Error, fmt.Sprintf("ACM imports RSA keys of %v bits only", acmRSABits)
		}
	case "ECDSA":
		switch pub.(*ecdsa.PublicKey).Curve {
		case elliptic.P256():
		case elliptic.P384(), elliptic.P521():
			return Warning, "ACM imports it, but CloudFront accepts only RSA and ECDSA P-256 keys (Application Load Balancer accepts it)"
		default:
			return Error, "ACM imports ECDSA keys on P-256, P-384 and P-521 only"
		}
	default:
		return Error, "ACM imports RSA (1024 to 4096 bits) and ECDSA (P-256, P-384, P-521) keys only"
	}
	return "", ""
}
