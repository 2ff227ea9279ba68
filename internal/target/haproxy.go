package target

// HAProxy: one PEM file holding the certificate, its chain and the key,
// named by the crt option of a bind line.

// srcHAProxy: crt designates "a single PEM file containing both the
// required certificates and any associated private keys".
const srcHAProxy = "SSL/TLS: Client-side encryption (HAProxy Technologies documentation), https://www.haproxy.com/documentation/haproxy-configuration-tutorials/security/ssl-tls/client-side-encryption"

var haproxy = Target{
	Name:     "haproxy",
	Title:    "HAProxy (crt of a bind line)",
	Source:   srcHAProxy,
	NeedsKey: true,
	Root:     RootOnRequest,
	Files: func(in Input) ([]File, error) {
		name, err := baseName(in)
		if err != nil {
			return nil, err
		}
		key, err := keyPEM(in)
		if err != nil {
			return nil, err
		}
		return []File{{
			Name:   name + ".pem",
			Data:   append(pemCerts(in.chain()...), key...),
			Secret: true,
			Field:  "the `crt` of a `bind` line (bind :443 ssl crt " + name + ".pem)",
		}}, nil
	},
	Rules: []Rule{
		ruleChainOrder(Warning, srcChainOrder),
		ruleKeyMatch(srcKeyMatch),
		ruleValidity(Warning, srcValidity),
	},
	Unverified: []string{
		"HAProxy cannot ask for a pass phrase, so the key in the file must be unencrypted (no HAProxy document found saying so; chainfix writes it unencrypted anyway)",
	},
}
