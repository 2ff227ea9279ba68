package target

import (
	"crypto"
	"fmt"
)

// Citrix ADC (NetScaler): a certificate-key pair (the certificate and its
// key), and each intermediate installed as a certificate of its own and
// linked: the server certificate to the first intermediate, each
// intermediate to the next. The root is not sent.

// srcCitrixLink: "The appliance must not send the root CA certificate to
// the client"; server and intermediate certificates are added and linked
// individually, or grouped in one file of "a server certificate and up to
// nine intermediate certificates", server certificate first.
const srcCitrixLink = "Install, link, and update certificates (Citrix ADC / NetScaler documentation), https://docs.citrix.com/en-us/citrix-adc/current-release/ssl/ssl-certificates/add-group-certs.html"

// srcCitrixKeySizes: MPX and VPX appliances support certificates "of 512
// or more bits, up to" 4096-bit server certificates.
const srcCitrixKeySizes = "FAQ: Key Sizes/Certificates Supported by ADC (CTX206268), https://support.citrix.com/s/article/CTX206268-faq-key-sizescertificates-supported-by-adc"

// RSA sizes a Citrix ADC takes (srcCitrixKeySizes), and the number of
// intermediates its single-file certificate set takes (srcCitrixLink).
const (
	minCitrixRSABits       = 512
	maxCitrixRSABits       = 4096
	maxCitrixIntermediates = 9
)

var citrixADC = Target{
	Name:     "citrix-adc",
	Title:    "Citrix ADC / NetScaler (certificate-key pair, intermediates linked)",
	Source:   srcCitrixLink,
	NeedsKey: true,
	Root:     RootOmit,
	Files: func(in Input) ([]File, error) {
		name, err := baseName(in)
		if err != nil {
			return nil, err
		}
		files, err := writePEM(in,
			pemPart{".crt", leafOnly, "certificate of the certificate-key pair " + name},
			pemPart{".key", nil, "key of the certificate-key pair " + name})
		if err != nil {
			return nil, err
		}
		prev := name
		for i, c := range in.Intermediates {
			n := fmt.Sprintf("%s-ic%d", name, i+1)
			files = append(files, File{Name: n + ".crt", Data: pemCerts(c),
				Field: fmt.Sprintf("intermediate %d: install as certificate %s (no key) and link %s to it", i+1, n, prev)})
			prev = n
		}
		return files, nil
	},
	Rules: []Rule{
		ruleRootExcluded(srcCitrixLink),
		ruleChainOrder(Error, srcCitrixLink),
		ruleMaxIntermediates(Warning, srcCitrixLink, maxCitrixIntermediates,
			"a single-file certificate set takes at most nine; install and link them one by one, as these files are laid out"),
		ruleKeyType(srcCitrixKeySizes, func(pub crypto.PublicKey) (Severity, string) {
			if alg, bits := keyInfo(pub); alg == "RSA" && (bits < minCitrixRSABits || bits > maxCitrixRSABits) {
				return Error, fmt.Sprintf("Citrix ADC supports RSA certificates of %d to %d bits", minCitrixRSABits, maxCitrixRSABits)
			}
			return "", ""
		}),
		ruleKeyMatch(srcKeyMatch),
		ruleValidity(Warning, srcValidity),
	},
	Unverified: []string{
		"ECDSA curves and Ed25519 keys: no Citrix document found for the non-FIPS appliances",
	},
}
