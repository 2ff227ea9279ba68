package target

// Azure Key Vault, import: one PEM file holding the key (PKCS#8) and the
// certificates.

// srcKeyVault: "The certificate to be imported can be in either PFX or PEM
// format. If the certificate is in PEM format the PEM file must contain the
// key as well as x509 certificates. Key Vault will only accept a key in
// PKCS#8 format." A PEM import sets the content type
// application/x-pem-file.
const srcKeyVault = "Import Certificate - Import Certificate (Azure Key Vault REST API reference), https://learn.microsoft.com/en-us/rest/api/keyvault/certificates/import-certificate/import-certificate"

var azureKeyVault = Target{
	Name:     "azure-key-vault",
	Title:    "Azure Key Vault (import certificate, PEM)",
	Source:   srcKeyVault,
	NeedsKey: true,
	Root:     RootOnRequest,
	Files: func(in Input) ([]File, error) {
		name, err := baseName(in)
		if err != nil {
			return nil, err
		}
		key, err := keyPEM(in) // PKCS#8, as Key Vault requires
		if err != nil {
			return nil, err
		}
		return []File{{Name: name + ".pem", Data: append(key, pemCerts(in.chain()...)...), Secret: true,
			Field: "Certificates > Generate/Import, method Import (PEM; content type application/x-pem-file)"}}, nil
	},
	Rules: []Rule{
		ruleKeyMatch(srcKeyVault),
		ruleChainOrder(Warning, srcChainOrder),
		ruleValidity(Warning, srcValidity),
	},
	Unverified: []string{
		"the key types and sizes an import accepts: no page found listing them for imported certificates",
	},
}
