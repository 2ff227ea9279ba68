package target

// Cisco Wireless LAN Controller (AireOS), web authentication / web admin
// certificate: one chained PEM holding the device certificate, the
// intermediates and the root, with the private key encrypted by the
// certificate password, as the documented procedure writes it
// (`openssl pkcs12 -export ... -passout`, then `openssl pkcs12 -in
// All-certs.p12 -out final.pem -passin ... -passout ...`, with OpenSSL
// 0.9.8: traditional PEM encryption, 3DES).

// srcCiscoChained: chained certificates (device, intermediate and root CA
// certificates, each signed by the next); "The WLC does not support
// chained certificates more than 10KB in size on the WLC. However, this
// restriction has been removed in WLC Version 7.0.230.0 and later."; the
// final PEM written with a -passout password that is given to the
// controller with the certificate.
const srcCiscoChained = "Generate CSR for Third-Party Certificates and Download Chained Certificates to the WLC (Cisco, Document ID 109597), https://www.cisco.com/c/en/us/support/docs/wireless/4400-series-wireless-lan-controllers/109597-csr-chained-certificates-wlc-00.html"

// srcCiscoOpenSSL: "OpenSSL 0.9.8 is required as the WLC does not currently
// support OpenSSL 1.0": the key format OpenSSL 0.9.8 writes.
const srcCiscoOpenSSL = "Generate CSR for Third-Party Certificates and Download Unchained Certificates to the WLC (Cisco, Document ID 70584), http://www.cisco.com/c/en/us/support/docs/wireless-mobility/wlan-security/70584-csr-wlc-00.html"

// srcCiscoGuide: "Chained certificates are supported for web authentication
// and management certificate"; Security > Web Auth > Certificate, Download
// SSL Certificate.
const srcCiscoGuide = "Managing Certificates (Cisco Wireless Controller Configuration Guide, Release 8.10), https://www.cisco.com/c/en/us/td/docs/wireless/controller/8-10/config-guide/b_cg810/managing_certificates.html"

// srcCiscoLevels: "The WLC doesn't support Level 3 chained certificates"
// (server, two intermediates and root), on the releases that article
// covers.
const srcCiscoLevels = "Level 3 Chained Certificates and Wireless LAN Controller (WLC) (Cisco Community knowledge base), https://community.cisco.com:443/t5/wireless-mobility-knowledge-base/level-3-chained-certificates-and-wireless-lan-controller-wlc/ta-p/3113376"

// Limits of older WLC releases (srcCiscoChained, srcCiscoLevels).
const (
	maxCiscoChainBytes    = 10 * 1024
	maxCiscoIntermediates = 1
)

var ciscoWLC = Target{
	Name:         "cisco-wlc",
	Title:        "Cisco WLC (AireOS) web authentication / management certificate",
	Source:       srcCiscoChained,
	NeedsKey:     true,
	KeyEncrypted: true,
	Root:         RootAlways,
	Files: func(in Input) ([]File, error) {
		name, err := baseName(in)
		if err != nil {
			return nil, err
		}
		key, err := legacyEncryptedKeyPEM(in)
		if err != nil {
			return nil, err
		}
		return []File{{Name: name + ".pem", Data: append(pemCerts(in.chain()...), key...), Secret: true,
			Field: "Security > Web Auth > Certificate (or the management certificate): Download SSL Certificate, with the certificate password"}}, nil
	},
	Rules: []Rule{
		ruleRootIncluded(srcCiscoChained),
		ruleChainOrder(Error, srcCiscoChained),
		ruleKeyEncrypted(srcCiscoChained),
		ruleChainBytes(Warning, srcCiscoChained, maxCiscoChainBytes,
			"WLC releases before 7.0.230.0 reject chained certificates over 10 KB"),
		ruleMaxIntermediates(Warning, srcCiscoLevels, maxCiscoIntermediates,
			"older WLC releases take at most one intermediate (Level 2: device, intermediate, root)"),
		ruleKeyMatch(srcKeyMatch),
		ruleValidity(Warning, srcValidity),
	},
	Unverified: []string{
		"RSA sizes the controller accepts (1024 and 2048 bits, per third-party guides) and whether ECDSA keys work: no Cisco document found",
	},
}
