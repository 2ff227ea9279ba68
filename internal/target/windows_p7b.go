package target

import "chainfix/pem"

// Windows: the intermediates as a PKCS#7 certificates-only file (.p7b, DER)
// for the Certificate Import Wizard. PKCS #7 "supports storage of
// certificates and all certificates in the certification path"
// (srcWindowsFormats). The root only with IncludeRoot.

var windowsP7B = Target{
	Name:   "windows-p7b",
	Title:  "Windows Certificate Import Wizard (intermediates as .p7b)",
	Source: srcWindowsFormats,
	Root:   RootOnRequest,
	Files: func(in Input) ([]File, error) {
		name, err := baseName(in)
		if err != nil {
			return nil, err
		}
		if len(in.issuers()) == 0 {
			return nil, errNoIssuers
		}
		der, err := pem.EncodePKCS7(in.issuers())
		if err != nil {
			return nil, err
		}
		return []File{{Name: name + ".chain.p7b", Data: der,
			Field: "Certificate Import Wizard: the intermediate certificates"}}, nil
	},
	Rules: []Rule{
		ruleChainOrder(Warning, srcChainOrder),
		ruleValidity(Warning, srcValidity),
	},
}
