package main

import (
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"chainfix/internal/repair"
	"chainfix/internal/safefile"
	"chainfix/internal/source"
	"chainfix/pfx"
)

func keyCommand(st *state) *cli.Command {
	return &cli.Command{
		Name:      "key",
		Usage:     "take the private key out of a PFX (or re-encode any key) as PEM PKCS#8",
		ArgsUsage: "[FILE]",
		Description: `Writes the private key as PEM PKCS#8, mode 0600, optionally encrypted
(AES-256) with --out-password-file or --out-password-env.

Examples:
   chainfix key --in site.pfx --password-file pw.txt -o key.pem
   chainfix key old-rsa.key --password-env OLD_PASS --out-password-env NEW_PASS -o key.pem`,
		Flags: append(append(append([]cli.Flag{
			&cli.StringFlag{Name: flagIn, Usage: "the PFX or key `FILE` (or give it as an argument)"},
		}, passwordFlags("", "the input")...), passwordFlags("out-", "the written key, which is then encrypted")...),
			outFlag("write the key to `FILE` (atomically, mode 0600)"),
		),
		Action: func(c *cli.Context) error { return st.runKey(c) },
	}
}

func (st *state) runKey(c *cli.Context) error {
	in := c.String(flagIn)
	switch {
	case in != "" && c.NArg() > 0, c.NArg() > 1:
		return usagef("key reads one input")
	case in == "" && c.NArg() == 1:
		in = c.Args().First()
	case in == "":
		return usagef("key needs an input: --in FILE")
	}
	outPath := c.String(flagOut)
	if (outPath == "" || outPath == "-") && isTerminal(st.stdout) {
		return usagef("refusing to print a private key on the terminal; use -o FILE")
	}
	if err := notInputs(outPath, []string{in, c.String(flagPasswordFile), c.String("out-" + flagPasswordFile)}); err != nil {
		return err
	}
	outPW, encrypt, err := st.readPassword(passwordFrom(c, "out-", "the key"))
	if err != nil {
		return err
	}
	src, err := source.Read(in, st.stdin)
	if err != nil {
		return err
	}
	key, err := repair.ChooseKey(st.ctx, &src, nil, nil, st.inputPassword(passwordFrom(c, "", "the input")))
	if err != nil {
		return err
	}
	if encrypt && len(outPW) == 0 {
		return errors.New("the output password is empty; leave out --out-password-file/--out-password-env for an unencrypted key")
	}
	data, err := pfx.MarshalKey(key, outPW)
	if err != nil {
		return fmt.Errorf("encoding the key: %w", err)
	}
	if err := st.writeOutput(outPath, data, safefile.Secret); err != nil {
		return err
	}
	state := "unencrypted"
	if encrypt {
		state = "encrypted"
	}
	st.voice.Notef("wrote the %s private key (public key SHA-256 %s)", state, pfx.ShortFingerprint(pfx.Fingerprint(key.Public())))
	return nil
}
