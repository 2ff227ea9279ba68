package target

import (
	"crypto"
	"crypto/x509"
	"slices"

	"chainfix/pfx"
)

// Azure App Service: a password-protected PFX, triple DES, holding the key
// and all intermediate certificates.

// srcAzureAppService: "Private certificate requirements": exported as a
// password-protected PFX file, encrypted using triple DES; contains a
// private key at least 2048 bits long; contains all intermediate
// certificates in the certificate chain. For a TLS binding: contains an
// Extended Key Usage for server authentication.
const srcAzureAppService = "Add and manage TLS/SSL certificates in Azure App Service, Private certificate requirements (Microsoft Learn), https://learn.microsoft.com/en-us/azure/app-service/configure-ssl-certificate?tabs=apex%2Cportal"

// minAppServiceRSABits is the smallest key App Service takes
// (srcAzureAppService: "at least 2048 bits long").
const minAppServiceRSABits = 2048

var azureAppService = Target{
	Name:     "azure-app-service",
	Title:    "Azure App Service (upload a private certificate)",
	Source:   srcAzureAppService,
	NeedsKey: true,
	Root:     RootOnRequest,
	Files: func(in Input) ([]File, error) {
		return writePFX(in, pfx.Legacy, ".pfx", "Upload a private certificate: the .pfx file and its password")
	},
	Rules: []Rule{
		rulePFXPassword(srcAzureAppService),
		rulePFXEncryption(srcAzureAppService, func(_ Input, info pfxInfo) string {
			for _, alg := range info.encryption {
				if alg != "3DES" {
					return "App Service wants a PFX encrypted with triple DES (chainfix pfx --encryption legacy writes one)"
				}
			}
			return ""
		}),
		ruleKeyType(srcAzureAppService, func(pub crypto.PublicKey) (Severity, string) {
			// The requirement is written for RSA; ECDSA sizes are not
			// mentioned, so they are not judged.
			if alg, bits := keyInfo(pub); alg == "RSA" && bits < minAppServiceRSABits {
				return Error, "App Service wants a private key at least 2048 bits long"
			}
			return "", ""
		}),
		{Name: "server-auth", Source: srcAzureAppService, Check: func(in Input) []Finding {
			eku := in.Leaf.ExtKeyUsage
			switch {
			case len(eku) == 0 && len(in.Leaf.UnknownExtKeyUsage) == 0:
				return one(Warning, "%s has no Extended Key Usage extension; App Service asks for one with server authentication (1.3.6.1.5.5.7.3.1) for a TLS binding", subject(in.Leaf))
			case !slices.Contains(eku, x509.ExtKeyUsageServerAuth) && !slices.Contains(eku, x509.ExtKeyUsageAny):
				return one(Error, "%s does not allow server authentication (Extended Key Usage 1.3.6.1.5.5.7.3.1), which a TLS binding requires", subject(in.Leaf))
			}
			return nil
		}},
		ruleKeyMatch(srcKeyMatch),
		ruleChainOrder(Warning, srcChainOrder),
		ruleValidity(Warning, srcValidity),
	},
	Unverified: []string{
		"a minimum size for ECDSA keys: the documented \"at least 2048 bits\" is written for RSA",
		"whether the root may or should be in the PFX: the current page asks for all intermediate certificates only",
	},
}
