package target

import (
	"fmt"
	"strings"

	"chainfix/pfx"
)

// Java: a PKCS#12 keystore whose key entry has an alias keytool lists. The
// alias is the PKCS#9 friendlyName of the key bag, which go-pkcs12 cannot
// write (go-pkcs12#34; Java would list the entry as "1"):
// pfx.EncodeWithAlias adds it. The encryption is Input.Encryption
// (default AES-256, which older Java releases may not read; pfx.Legacy
// writes 3DES).

// srcKeytool: keytool -list -v -keystore FILE -storetype PKCS12 lists each
// entry by its alias.
const srcKeytool = "keytool - Key and Certificate Management Tool (Java SE documentation), https://docs.oracle.com/javase/8/docs/technotes/tools/unix/keytool.html"

var java = Target{
	Name:     "java",
	Title:    "Java keystore (PKCS#12 with an alias, for keytool and Java servers)",
	Source:   srcKeytool,
	NeedsKey: true,
	Root:     RootOnRequest,
	Files: func(in Input) ([]File, error) {
		name, err := baseName(in)
		if err != nil {
			return nil, err
		}
		alias := javaAlias(in, name)
		data, err := pfx.EncodeWithAlias(in.Key, in.Leaf, in.issuers(), string(in.Password), in.Encryption, alias)
		if err != nil {
			return nil, err
		}
		return []File{{Name: name + ".p12", Data: data, Secret: true,
			Field: fmt.Sprintf("the keystore (-keystore %s.p12 -storetype PKCS12), key entry alias %q", name, alias)}}, nil
	},
	Rules: []Rule{
		ruleKeyMatch(srcKeyMatch),
		ruleChainOrder(Warning, srcChainOrder),
		ruleValidity(Warning, srcValidity),
	},
	Unverified: []string{
		"older Java releases not reading AES-encrypted PKCS#12 (PITFALLS.md: Java 8 needs 3DES, which pfx.Legacy writes): no Oracle document found naming the releases",
		"keytool store passwords of at least 6 characters: no Oracle document found",
	},
}

// javaAlias is Input.Alias, or the base name; lower case, as Java's
// PKCS12 keystore lists aliases.
func javaAlias(in Input, name string) string {
	if in.Alias != "" {
		return strings.ToLower(in.Alias)
	}
	return strings.ToLower(name)
}
