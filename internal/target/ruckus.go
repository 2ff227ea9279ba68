package target

// Ruckus controllers (SmartZone): the certificate, its intermediate chain
// ("additional chain") and the key as separate files. No Ruckus document
// describing this import was found: the layout follows issue 10, and only
// the rules that hold for TLS itself are checked.

var ruckus = Target{
	Name:     "ruckus",
	Title:    "Ruckus SmartZone (certificate, intermediate chain, key; layout not confirmed by Ruckus documentation)",
	Source:   NoSource,
	NeedsKey: true,
	Root:     RootOnRequest,
	Files: func(in Input) ([]File, error) {
		return writePEM(in,
			pemPart{".crt", leafOnly, "server certificate"},
			pemPart{".chain.crt", issuersOf, "intermediate / additional chain certificates"},
			pemPart{".key", nil, "private key"})
	},
	Rules: []Rule{
		ruleKeyMatch(srcKeyMatch),
		ruleChainOrder(Warning, srcChainOrder),
		ruleValidity(Warning, srcValidity),
	},
	Unverified: []string{
		"the whole file layout (certificate, \"additional chain\" / intermediate file, key): no Ruckus document found",
		"key types, key encryption and chain limits: no Ruckus document found",
	},
}
