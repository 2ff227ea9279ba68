package main

import (
	"github.com/urfave/cli/v2"

	"chainfix/internal/repair"
	"chainfix/internal/report"
	"chainfix/internal/source"
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
			boolFlag(flagJSON, "print the verdict as JSON"),
		}, passwordFlags("", "encrypted inputs (key, PFX)")...),
		Action: func(c *cli.Context) error { return st.runMatch(c) },
	}
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
	// Anything unreadable (the key, its password, the certificates)
	// decides nothing: exit 3, not 1 ("no match").
	src, err := source.Read(keyFile, st.stdin)
	if err != nil {
		return &undecidedError{err: err}
	}
	key, err := repair.ChooseKey(st.ctx, &src, nil, nil, password)
	if err != nil {
		return &undecidedError{err: err}
	}
	ins, err := source.ReadAll(c.Args().Slice(), st.stdin)
	if err != nil {
		return &undecidedError{err: err}
	}
	set, err := source.Decode(st.ctx, ins, source.Options{Password: password, Log: st.log})
	if err != nil {
		return &undecidedError{err: err}
	}
	rep := report.NewMatch(key.Public(), set.Certs)
	if c.Bool(flagJSON) {
		if err := report.JSON(st.stdout, rep); err != nil {
			return err
		}
	} else {
		report.MatchText(st.stdout, rep)
	}
	if !rep.Match {
		st.exitCode = exitFailure
	}
	return nil
}
