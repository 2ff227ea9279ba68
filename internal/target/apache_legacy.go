package target

// Apache httpd before 2.4.8: the certificate alone in SSLCertificateFile,
// its chain in SSLCertificateChainFile ("starts with the issuing CA
// certificate of the server certificate and can range up to the root CA
// certificate"), the key in SSLCertificateKeyFile. Same module, same rules
// as apache (srcApache).

var apacheLegacy = Target{
	Name:     "apache-legacy",
	Title:    "Apache httpd before 2.4.8 (SSLCertificateFile + SSLCertificateChainFile)",
	Source:   srcApache,
	NeedsKey: true,
	Root:     RootOnRequest,
	Files: func(in Input) ([]File, error) {
		return writePEM(in,
			pemPart{".crt", leafOnly, "SSLCertificateFile"},
			pemPart{".chain.crt", issuersOf, "SSLCertificateChainFile (the issuing CA first)"},
			pemPart{".key", nil, "SSLCertificateKeyFile"})
	},
	Rules: apacheRules,
}
