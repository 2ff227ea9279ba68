package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"chainfix/bundle"
	"chainfix/pfx"
)

func matchCommand(st *state) *cli.Command {
	return &cli.Command{
		Name:      "match",
		Usage:     "say whether a private key belongs to a certificate (or which one of a pile)",
		ArgsUsage: "CERT...",
		Description: `Compares the key's whole public key with each certificate's. Exit status 0
when a certificate matches, 1 when none does. Keys in any form: PKCS#1,
SEC1, PKCS#8, encrypted PKCS#8, legacy encrypted PEM, DER, or inside a PFX.

Examples:
   chainfix match --key key.pem cert.pem
   chainfix match --key key.pem fullchain.pem
   chainfix match --key site.pfx --password-file pw.txt site.pfx`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: flagKey, Usage: "the private key `KEY`"},
			&cli.BoolFlag{Name: flagJSON, Usage: "print the verdict as JSON"},
		}, passwordFlags("", "encrypted inputs (key, PFX)")...),
		Action: func(c *cli.Context) error { return st.runMatch(c) },
	}
}

// matchReport is match's product.
type matchReport struct {
	Match          bool       `json:"match"`
	KeyFingerprint string     `json:"key_sha256"`
	Matching       []certJSON `json:"matching"`
	Others         []string   `json:"others,omitempty"` // subjects of the certificates that did not match
}

func (st *state) runMatch(c *cli.Context) error {
	keyFile := c.String(flagKey)
	if keyFile == "" {
		return usagef("match needs --key KEY")
	}
	if c.NArg() == 0 {
		return usagef("match needs at least one certificate file")
	}
	password := st.inputPassword(passwordFrom(c, "", "the input"))
	key, err := st.pickKey(keyFile, nil, nil, password)
	if err != nil {
		return err
	}
	in, err := st.loadFiles(c.Args().Slice(), false, password)
	if err != nil {
		return err
	}
	rep := matchReport{KeyFingerprint: pfx.Fingerprint(key.Public()), Matching: []certJSON{}}
	for _, cert := range in.certs {
		if pfx.MatchKey(key.Public(), cert) {
			rep.Matching = append(rep.Matching, toJSON(cert))
		} else {
			rep.Others = append(rep.Others, bundle.Name(cert))
		}
	}
	rep.Match = len(rep.Matching) > 0
	if c.Bool(flagJSON) {
		if err := st.printJSON(rep); err != nil {
			return err
		}
	} else if rep.Match {
		for _, m := range rep.Matching {
			fmt.Fprintf(st.stdout, "match: the key belongs to %s (expires %s, SHA-1 thumbprint %s)\n", m.Subject, m.NotAfter.Format("2006-01-02"), m.SHA1)
		}
	} else {
		fmt.Fprintf(st.stdout, "no match: the key (public key SHA-256 %s) belongs to none of the %d certificates\n", short(rep.KeyFingerprint), len(in.certs))
		for _, cert := range in.certs {
			fmt.Fprintf(st.stdout, "  %s has public key SHA-256 %s\n", bundle.Name(cert), short(pfx.Fingerprint(cert.PublicKey)))
		}
	}
	if !rep.Match {
		st.exitCode = exitFailure
	}
	return nil
}
