package target

// nginx: the certificate and its chain in the file of ssl_certificate, the
// key in the file of ssl_certificate_key, named as nginx's own example
// names them.

// srcNginx: "The server certificate must appear before the chained
// certificates in the combined file" (cat www.example.com.crt bundle.crt >
// www.example.com.chained.crt); in the wrong order "nginx will fail to
// start" with "X509_check_private_key:key values mismatch".
const srcNginx = "Configuring HTTPS servers, section SSL certificate chains (nginx documentation), http://nginx.org/en/docs/http/configuring_https_servers.html#chains"

var nginx = Target{
	Name:     "nginx",
	Title:    "nginx (ssl_certificate and ssl_certificate_key)",
	Source:   srcNginx,
	NeedsKey: true,
	Root:     RootOnRequest,
	Files: func(in Input) ([]File, error) {
		return writePEM(in,
			pemPart{".chained.crt", fullChain, "ssl_certificate (the certificate, then its chain)"},
			pemPart{".key", nil, "ssl_certificate_key"})
	},
	Rules: []Rule{
		ruleChainOrder(Error, srcNginx),
		ruleKeyMatch(srcNginx),
		ruleValidity(Warning, srcValidity),
	},
}
