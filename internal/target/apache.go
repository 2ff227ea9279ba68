package target

// Apache httpd 2.4.8 and later: one SSLCertificateFile holding the
// certificate and its chain, the key in SSLCertificateKeyFile.

// srcApache: SSLCertificateFile "files may also include intermediate CA
// certificates, sorted from leaf to root" (since 2.4.8, when
// SSLCertificateChainFile became obsolete); SSLCertificateKeyFile: "If the
// contained Private Key is encrypted, the Pass Phrase dialog is forced at
// startup time."
const srcApache = "Apache Module mod_ssl: SSLCertificateFile, SSLCertificateKeyFile, SSLCertificateChainFile (Apache HTTP Server 2.4 documentation), https://httpd.apache.org/docs/2.4/mod/mod_ssl.html"

var apache = Target{
	Name:     "apache",
	Title:    "Apache httpd 2.4.8+ (SSLCertificateFile with the chain)",
	Source:   srcApache,
	NeedsKey: true,
	Root:     RootOnRequest,
	Files: func(in Input) ([]File, error) {
		return writePEM(in,
			pemPart{".crt", fullChain, "SSLCertificateFile (the certificate, then its chain, leaf to root)"},
			pemPart{".key", nil, "SSLCertificateKeyFile"})
	},
	Rules: apacheRules,
}

// apacheRules are shared by apache and apache-legacy: the same module.
var apacheRules = []Rule{
	ruleChainOrder(Error, srcApache),
	ruleKeyMatch(srcKeyMatch),
	ruleKeyPassphrase(srcApache),
	ruleValidity(Warning, srcValidity),
}

// ruleKeyPassphrase: an encrypted key makes httpd ask for its pass phrase
// at every start (Check only; Build writes the key unencrypted).
func ruleKeyPassphrase(source string) Rule {
	return Rule{Name: "key-passphrase", Source: source, Check: func(in Input) []Finding {
		if in.KeyEncrypted {
			return one(Warning, "the private key is encrypted: httpd asks for its pass phrase at every start (SSLPassPhraseDialog)")
		}
		return nil
	}}
}
