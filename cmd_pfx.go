package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"chainfix/bundle"
	"chainfix/pfx"
)

func pfxCommand(st *state) *cli.Command {
	flags := append(withoutFlags(chainFlags(), flagPasswordFile, flagPasswordEnv), append(
		append(passwordFlags("", "the new PFX"), passwordFlags("in-", "encrypted inputs (key, PFX; default: the new PFX's password)")...),
		includeRootFlag(),
		&cli.StringFlag{Name: flagKey, Usage: "the private key `KEY` (PEM, DER, encrypted or not, or a PFX); default: the key found among the inputs"},
		&cli.StringFlag{Name: flagIn, Usage: "a PFX `FILE` to repair: its key and certificates are the input"},
		&cli.StringFlag{Name: flagEncryption, Value: "modern", Usage: "modern (AES-256, PBKDF2, SHA-256 MAC: Windows Server 2019+, OpenSSL 1.1.1+, Java 12+) or legacy (3DES, SHA-1 MAC: Windows Server 2016 and older, Java 8, many appliances)"},
		&cli.BoolFlag{Name: flagNoPassword, Usage: "write the PFX with an empty password"},
		outFlag("write the PFX to `FILE` (atomically, mode 0600; default stdout when it is not a terminal)"),
	)...)
	return &cli.Command{
		Name:      "pfx",
		Usage:     "pair the repaired chain with its private key in a PKCS#12/PFX file",
		ArgsUsage: "[FILE...]",
		Description: `Builds the chain exactly as 'build' does (all its flags), checks that the key
matches the leaf, and writes a PFX holding the key, the leaf and the
intermediates (the root only with --include-root). The file is read back and
checked before chainfix reports success.

Examples:
   chainfix pfx --key key.pem leaf.pem -o site.pfx --password-file pw.txt
   chainfix pfx --key key.pem leaf.pem -o site.pfx --encryption legacy --password-env PFX_PASS
   chainfix pfx --in broken.pfx -o fixed.pfx --password-file pw.txt`,
		Flags:  flags,
		Action: func(c *cli.Context) error { return st.runPFX(c) },
	}
}

func (st *state) runPFX(c *cli.Context) error {
	enc, err := pfx.ParseEncryption(c.String(flagEncryption))
	if err != nil {
		return &usageError{msg: "--encryption: " + err.Error()}
	}
	outPath := c.String(flagOut)
	if (outPath == "" || outPath == "-") && isTerminal(st.stdout) {
		return usagef("refusing to write a binary PFX to a terminal; use -o FILE")
	}
	newPS := passwordFrom(c, "", "the new PFX")
	password, decided, err := st.newPassword(newPS, c.Bool(flagNoPassword))
	if err != nil {
		return err
	}
	inPS := passwordFrom(c, "in-", "the input")
	inPassword := st.inputPassword(inPS)
	if inPS.file == "" && inPS.envVar == "" && password != "" {
		// Default: the inputs use the same password as the new PFX, the
		// common case of repairing a PFX in place.
		inPassword = func() ([]byte, error) { return []byte(password), nil }
	}
	job, err := st.parseChainJob(c, inPassword)
	if err != nil {
		return err
	}
	if in := c.String(flagIn); in != "" {
		if job.host != "" {
			return usagef("--in and --host both give the chain; give one (use --key for the key with --host)")
		}
		job.files = append([]string{in}, job.files...)
	}
	sameAsNew := inPS.file == "" && inPS.envVar == "" && password != ""
	out, err := st.buildChain(job)
	if err != nil {
		return inPasswordHint(err, sameAsNew)
	}
	leaf := out.result.Leaf
	key, err := st.pickKey(c.String(flagKey), out.keys, leaf, inPassword)
	if err != nil {
		return inPasswordHint(err, sameAsNew)
	}
	if !pfx.MatchKey(key.Public(), leaf) {
		return fmt.Errorf("the private key does not match %s: the key is %s (public key SHA-256 %s), the certificate's is %s (%s); 'chainfix match --key KEY FILE...' finds the certificate a key belongs to",
			bundle.Name(leaf), keyKind(key.Public()), short(pfx.Fingerprint(key.Public())), keyKind(leaf.PublicKey), short(pfx.Fingerprint(leaf.PublicKey)))
	}
	chain := selectCerts(out, c.Bool(flagIncludeRoot), false)[1:]
	if !decided {
		// Asked only now, when the chain and the key are known good.
		if password, err = st.promptNewPassword(newPS); err != nil {
			return err
		}
	}
	data, err := pfx.Encode(key, leaf, chain, password, enc)
	if err != nil {
		return fmt.Errorf("writing the PFX: %w", err)
	}
	if err := st.writeOutput(outPath, data, modeSecret); err != nil {
		return err
	}
	if out.served != nil {
		st.printServedFindings(out)
	}
	st.printSummary(out, c.Bool(flagIncludeRoot))
	if !st.quiet {
		fmt.Fprintf(st.notes, "chainfix: PFX with the key and %d certificates (%s encryption), read back and checked\n", 1+len(chain), c.String(flagEncryption))
	}
	return nil
}

// pickKey finds the key: --key, else the one key among the inputs, else
// the input key that matches the leaf.
func (st *state) pickKey(keyFile string, found []foundKey, leaf *x509.Certificate, password pfx.PasswordFunc) (crypto.Signer, error) {
	if keyFile != "" {
		src, err := st.readSource(keyFile)
		if err != nil {
			return nil, err
		}
		key, err := pfx.ParseKey(src.data, password)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", src.name, err)
		}
		return key, nil
	}
	if len(found) == 0 {
		return nil, errors.New("no private key among the inputs: give it with --key KEY, or an input (PFX or PEM) that holds it")
	}
	var first error
	for _, k := range found {
		key, err := decodeKey(k, password)
		if err != nil {
			if first == nil {
				first = err
			}
			continue
		}
		if len(found) == 1 || pfx.MatchKey(key.Public(), leaf) {
			return key, nil
		}
	}
	if first != nil {
		return nil, first
	}
	return nil, errors.New("none of the private keys in the inputs matches " + bundle.Name(leaf))
}

// inPasswordHint says, when an input refused the new PFX's password (the
// default for inputs), how to give the inputs' own password.
func inPasswordHint(err error, triedNewPassword bool) error {
	if triedNewPassword && errors.Is(err, pfx.ErrIncorrectPassword) {
		return fmt.Errorf("%w; the inputs were tried with the new PFX's password: give theirs with --in-password-file or --in-password-env", err)
	}
	return err
}

// keyKind names a public key's algorithm and size: "RSA 2048",
// "ECDSA P-256", "Ed25519".
func keyKind(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return fmt.Sprintf("%T", pub)
}

// short abbreviates a fingerprint for a one-line message.
func short(fp string) string {
	if len(fp) > 16 {
		return fp[:16] + "..."
	}
	return fp
}
