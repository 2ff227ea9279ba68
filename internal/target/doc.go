// Package target turns a built chain and its key into the files a server,
// load balancer, cloud service or appliance wants uploaded, and judges a
// chain, key and file set against the rules that target enforces.
//
// A target is data: a Target value (one small file per target, listed in
// targets.go) naming its files, where each one goes, the rules it checks
// and the vendor document each comes from. The writing is shared (write.go)
// and so are the rules (rules.go): a target picks rules and gives them
// their source. See TARGETS.md for the table of targets, files, rules and
// sources.
//
// # Build and Check
//
// Build shapes the input the way the target wants it (the root kept or left
// out, the key written encrypted or not), judges it with the target's rules
// and, only when no rule found an error, returns the files. Check judges an
// existing file set with the same rules: the root counts as part of the set
// when Input.Root is set, the key as encrypted when Input.KeyEncrypted, and
// a PFX's encryption is read from Input.PFX. Every Finding names its rule
// and the document it comes from.
//
// # Facts, not guesses
//
// Every rule cites the vendor's own documentation (title and address) next
// to its code and in its findings. A requirement for which no vendor
// document was found is not enforced; TARGETS.md lists those. The rules
// that hold for TLS itself whatever the target (the key matches the leaf,
// the leaf is within its validity) cite the RFC instead, and are warnings
// where no vendor says its import refuses.
//
// # Limits
//
// The package never reads the clock (Input.At), the environment or files:
// it returns bytes and the CLI writes them. Keys are written unencrypted
// PKCS#8 PEM unless a target needs them encrypted (Cisco WLC: legacy
// OpenSSL PEM encryption, 3DES, as that controller's documented procedure
// produces); PFX files go through package pfx. Output of the PFX targets
// and of encrypted keys is randomized (salts, IVs); everything else is
// byte-stable.
package target
