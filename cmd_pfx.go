package main

import (
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"chainfix/internal/report"
	"chainfix/internal/safefile"
	"chainfix/pfx"
)

func pfxCommand(st *state) *cli.Command {
	flags := append(withoutFlags(chainFlags(), flagPasswordFile, flagPasswordEnv), append(
		append(passwordFlags("", "the new PFX"), passwordFlags("in-", "encrypted inputs (key, PFX; default: the new PFX's password)")...),
		allowUntrustedFlag(),
		includeRootFlag(),
		&cli.StringFlag{Name: flagKey, Usage: "the private key `KEY` (PEM, DER, encrypted or not, or a PFX); default: the key found among the inputs"},
		&cli.StringFlag{Name: flagIn, Usage: "a PFX `FILE` to repair: its key and certificates are the input"},
		&cli.StringFlag{Name: flagEncryption, Value: "modern", Usage: "`ENCRYPTION`: modern (AES-256, PBKDF2, SHA-256 MAC: Windows Server 2019+, OpenSSL 1.1.1+, Java 12+) or legacy (3DES, SHA-1 MAC: Windows Server 2016 and older, Java 8, many appliances)"},
		boolFlag(flagNoPassword, "write the PFX with an empty password"),
		outFlag("write the PFX to `FILE` (atomically, mode 0600; default stdout when it is not a terminal)"),
	)...)
	flags = append(flags, forFlags(true)...)
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
	in := c.String(flagIn)
	if in != "" && c.String(flagHost) != "" {
		return usagef("--in and --host both give the chain; give one (use --key for the key with --host)")
	}
	if err := notInputs(outPath, []string{in, c.String(flagKey)}, c.Args().Slice(), c.StringSlice(flagPool), c.StringSlice(flagRoots),
		[]string{c.String(flagPasswordFile), c.String("in-" + flagPasswordFile)}); err != nil {
		return err
	}
	t, err := forTarget(c)
	if err != nil {
		return err
	}
	if t != nil && outPath != "" {
		return usagef("--for %s decides the files; use --out-dir instead of -o", t.Name)
	}
	newPS := passwordFrom(c, "", "the new PFX")
	password, decided, err := st.newPassword(newPS, c.Bool(flagNoPassword))
	if err != nil {
		return err
	}
	inPS := passwordFrom(c, "in-", "the input")
	inPassword := st.inputPassword(inPS)
	// Default: the inputs use the same password as the new PFX, the common
	// case of repairing a PFX in place.
	sameAsNew := inPS.file == "" && inPS.envVar == "" && password != ""
	if sameAsNew {
		inPassword = func() ([]byte, error) { return []byte(password), nil }
	}
	var extra []string
	if in != "" {
		extra = []string{in}
	}
	job, err := st.parseChainJob(c, inPassword, extra...)
	if err != nil {
		return err
	}
	keyFile, err := st.keyInput(c)
	if err != nil {
		return err
	}
	out, err := st.runJob(job)
	if err != nil {
		return inPasswordHint(report.BuildError(err, job.offline), sameAsNew)
	}
	leaf := out.Result.Leaf
	key, err := out.Key(st.ctx, keyFile, inPassword)
	if err != nil {
		return inPasswordHint(err, sameAsNew)
	}
	if !pfx.MatchKey(key.Public(), leaf) {
		return report.KeyMismatch(key.Public(), leaf)
	}
	chain := out.Chain(c.Bool(flagIncludeRoot), false)[1:]
	if !decided {
		// Asked only now, when the chain and the key are known good.
		if password, err = st.promptNewPassword(newPS); err != nil {
			return err
		}
	}
	if t != nil {
		in := targetInput(c, out)
		in.Key, in.Password, in.Encryption = key, []byte(password), enc
		if err := st.writeTargetFiles(c, t, in); err != nil {
			return err
		}
		if !st.voice.Quiet {
			report.Summary(st.voice, out, in.IncludeRoot)
		}
		return nil
	}
	data, err := pfx.Encode(key, leaf, chain, password, enc)
	if err != nil {
		return fmt.Errorf("writing the PFX: %w", err)
	}
	if err := st.writeOutput(outPath, data, safefile.Secret); err != nil {
		return err
	}
	if !st.voice.Quiet {
		if out.Served != nil {
			report.Served(st.voice, out)
		}
		report.Summary(st.voice, out, c.Bool(flagIncludeRoot))
		st.voice.Notef("PFX with the key and %d certificates (%s encryption), read back and checked", 1+len(chain), c.String(flagEncryption))
	}
	return nil
}

// inPasswordHint says, when an input refused the new PFX's password (the
// default for inputs), how to give the inputs' own password.
func inPasswordHint(err error, triedNewPassword bool) error {
	if triedNewPassword && errors.Is(err, pfx.ErrIncorrectPassword) {
		return &hinted{err, "the inputs were tried with the new PFX's password: give theirs with --in-password-file or --in-password-env"}
	}
	return err
}

// hinted is an error with a hint for the admin after it.
type hinted struct {
	err  error
	hint string
}

func (h *hinted) Error() string { return h.err.Error() + "; " + h.hint }
func (h *hinted) Unwrap() error { return h.err }
