package main

import (
	"crypto/x509"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"chainfix/internal/repair"
	"chainfix/internal/report"
	"chainfix/internal/safefile"
	"chainfix/internal/target"
	"chainfix/pem"
)

func buildCommand(st *state) *cli.Command {
	flags := append(chainFlags(),
		allowUntrustedFlag(),
		includeRootFlag(),
		boolFlag(flagChainOnly, "write the intermediates only (for appliances that take the chain as a separate file)"),
		outFlag("write to `FILE` (atomically; default stdout)"),
		&cli.StringFlag{Name: flagFormat, Value: "pem", Usage: "output `FORMAT`: pem, der (one certificate, or with --split) or p7b (PKCS#7, what IIS and Windows import)"},
		boolFlag(flagArmor, "with --format p7b: PEM-armored (-----BEGIN PKCS7-----) instead of binary DER"),
		boolFlag(flagCRLF, "CRLF line endings in PEM output (for Windows tools that insist)"),
		&cli.StringFlag{Name: flagSplit, Usage: "write each certificate to a file of its own in the new `DIR` (01-leaf-name.pem, 02-...)"},
		&cli.StringFlag{Name: flagKey, Usage: "with --for: the private key `KEY` (any form; default: the key found among the inputs)"},
	)
	flags = append(append(flags, forFlags(false)...), passwordFlags("out-", "what --for encrypts (a PFX, an encrypted key)")...)
	flags = append(flags, bulkFlags("build")...)
	return &cli.Command{
		Name:      "build",
		Usage:     "order a leaf and its intermediates, fetch what is missing, write a canonical bundle",
		ArgsUsage: "[FILE...]",
		Description: `Reads certificates in any common encoding (PEM with any text around it, DER,
PKCS#7 .p7b/.p7c, PFX, an 'openssl s_client -showcerts' transcript), finds the
leaf, builds the path leaf -> intermediates -> root, fetching missing
intermediates through AIA unless --offline, verifies it, and writes it.
With no FILE (or -) it reads stdin. With --host it repairs what a server sends.

Examples:
   chainfix build leaf.pem -o fullchain.pem
   chainfix build --offline --pool intermediates.pem leaf.crt -o fullchain.pem
   chainfix build jumbled.pem --include-root -o chain-with-root.pem
   chainfix build leaf.pem --chain-only -o chain.pem
   chainfix build leaf.pem --format p7b -o chain.p7b
   chainfix build leaf.pem --split certs/
   chainfix build --host mail.example.com:465 -o fullchain.pem
   chainfix build --roots private-root.pem leaf.pem --at 2027-01-31`,
		Flags:  flags,
		Action: func(c *cli.Context) error { return st.runBuild(c) },
	}
}

// buildOutput is how the chain is to be written.
type buildOutput struct {
	out, format, split     string
	armor, crlf            bool
	includeRoot, chainOnly bool
}

func parseBuildOutput(c *cli.Context) (buildOutput, error) {
	o := buildOutput{
		out: c.String(flagOut), format: c.String(flagFormat), split: c.String(flagSplit),
		armor: c.Bool(flagArmor), crlf: c.Bool(flagCRLF),
		includeRoot: c.Bool(flagIncludeRoot), chainOnly: c.Bool(flagChainOnly),
	}
	switch o.format {
	case "pem", "der", "p7b":
	default:
		return o, usagef("--format %q: want pem, der or p7b", o.format)
	}
	if o.armor && o.format != "p7b" {
		return o, usagef("--armor goes with --format p7b")
	}
	if o.crlf && (o.format == "der" || o.format == "p7b" && !o.armor) {
		return o, usagef("--crlf goes with PEM output (--format pem, or p7b with --armor)")
	}
	if o.split != "" && o.out != "" {
		return o, usagef("--split writes one file per certificate; it contradicts --out")
	}
	if o.split != "" && o.format == "p7b" {
		return o, usagef("--split writes single certificates; use --format pem or der")
	}
	return o, nil
}

func (st *state) runBuild(c *cli.Context) error {
	if bulkRequested(c) {
		return st.runBulkBuild(c)
	}
	spec, err := parseBuildOutput(c)
	if err != nil {
		return err
	}
	dest := spec.out
	if spec.split != "" {
		dest = spec.split
	}
	if err := notInputs(dest, c.Args().Slice(), c.StringSlice(flagPool), c.StringSlice(flagRoots), []string{c.String(flagPasswordFile)}); err != nil {
		return err
	}
	t, err := forTarget(c)
	if err != nil {
		return err
	}
	if t == nil && c.IsSet(flagKey) {
		return usagef("--key goes with --for (a bundle holds no key; use 'chainfix pfx' for a PFX)")
	}
	if t != nil && (dest != "" || c.IsSet(flagFormat) || c.IsSet(flagChainOnly)) {
		return usagef("--for %s decides the files and their format; leave out -o, --split, --format and --chain-only", t.Name)
	}
	job, err := st.parseChainJob(c, st.inputPassword(passwordFrom(c, "", "the input")))
	if err != nil {
		return err
	}
	out, err := st.runJob(job)
	if err != nil {
		return report.BuildError(err, job.offline)
	}
	if out.Served != nil && !st.voice.Quiet {
		report.Served(st.voice, out)
	}
	if t != nil {
		return st.buildForTarget(c, t, out)
	}
	certs := out.Chain(spec.includeRoot, spec.chainOnly)
	if len(certs) == 0 {
		return fmt.Errorf("--chain-only: the chain has no intermediate (the leaf is issued by the root directly); nothing to write")
	}
	if spec.format == "der" && spec.split == "" && len(certs) > 1 {
		return usagef("--format der holds one certificate and the result has %d; add --split DIR or use --format pem or p7b", len(certs))
	}
	if spec.out == "" && spec.split == "" && spec.format != "pem" && !spec.armor && isTerminal(st.stdout) {
		return usagef("refusing to write binary %s to a terminal; use -o FILE", strings.ToUpper(spec.format))
	}
	if err := st.writeChain(certs, spec); err != nil {
		return err
	}
	if !st.voice.Quiet {
		report.Summary(st.voice, out, spec.includeRoot)
	}
	return nil
}

// buildForTarget writes the file set of --for from a built chain.
func (st *state) buildForTarget(c *cli.Context, t *target.Target, out *repair.Outcome) error {
	in := targetInput(c, out)
	password := st.inputPassword(passwordFrom(c, "", "the input"))
	keyFile, err := st.keyInput(c)
	if err != nil {
		return err
	}
	if keyFile != nil || len(out.Keys) > 0 {
		key, err := out.Key(st.ctx, keyFile, password)
		if err != nil {
			return err
		}
		in.Key = key
	}
	pw, ok, err := st.readPassword(passwordFrom(c, "out-", "the output"))
	if err != nil {
		return err
	}
	if ok {
		in.Password = pw
	}
	if err := st.writeTargetFiles(c, t, in); err != nil {
		return err
	}
	if !st.voice.Quiet {
		report.Summary(st.voice, out, in.IncludeRoot)
	}
	return nil
}

// writeChain encodes certs as spec says and writes them.
func (st *state) writeChain(certs []*x509.Certificate, spec buildOutput) error {
	eo := pem.EncodeOptions{CRLF: spec.crlf}
	if spec.split != "" {
		return writeSplit(spec.split, certs, spec.format, eo)
	}
	var data []byte
	switch spec.format {
	case "pem":
		data = pem.Encode(certs, eo)
	case "der":
		data = certs[0].Raw
	case "p7b":
		der, err := pem.EncodePKCS7(certs)
		if err != nil {
			return err
		}
		data = der
		if spec.armor {
			data = pem.Armor("PKCS7", der, eo)
		}
	}
	return st.writeOutput(spec.out, data, safefile.Public)
}

// writeSplit writes each certificate to DIR/NN-name.ext, in path order,
// as one new directory (safefile.WriteDir).
func writeSplit(dir string, certs []*x509.Certificate, format string, eo pem.EncodeOptions) error {
	ext := ".pem"
	if format == "der" {
		ext = ".cer"
	}
	files := map[string][]byte{}
	for i, c := range certs {
		name := fmt.Sprintf("%02d-%s%s", i+1, certSlug(c), ext)
		data := c.Raw
		if format != "der" {
			data = pem.Encode([]*x509.Certificate{c}, eo)
		}
		files[name] = data
	}
	if err := safefile.WriteDir(dir, files, safefile.Public); err != nil {
		return fmt.Errorf("--split: %w", err)
	}
	return nil
}

// certSlug is the file-name part for a certificate: its CN, else its
// first organization, made safe on every platform.
func certSlug(c *x509.Certificate) string {
	name := c.Subject.CommonName
	if name == "" && len(c.Subject.Organization) > 0 {
		name = c.Subject.Organization[0]
	}
	return safefile.SafeName(name)
}
