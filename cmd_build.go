package main

import (
	"crypto/x509"
	"fmt"
	"regexp"
	"strings"

	"github.com/urfave/cli/v2"

	"chainfix/bundle"
	"chainfix/pem"
)

func buildCommand(st *state) *cli.Command {
	flags := append(chainFlags(),
		includeRootFlag(),
		&cli.BoolFlag{Name: flagChainOnly, Usage: "write the intermediates only (for appliances that take the chain as a separate file)"},
		outFlag("write to `FILE` (atomically; default stdout)"),
		&cli.StringFlag{Name: flagFormat, Value: "pem", Usage: "output `FORMAT`: pem, der (one certificate, or with --split) or p7b (PKCS#7, what IIS and Windows import)"},
		&cli.BoolFlag{Name: flagArmor, Usage: "with --format p7b: PEM-armored (-----BEGIN PKCS7-----) instead of binary DER"},
		&cli.BoolFlag{Name: flagCRLF, Usage: "CRLF line endings in PEM output (for Windows tools that insist)"},
		&cli.StringFlag{Name: flagSplit, Usage: "write each certificate to a file of its own in `DIR` (01-leaf-name.pem, 02-...)"},
	)
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

// outputSpec is how a chain is to be written.
type outputSpec struct {
	out, format, split     string
	armor, crlf            bool
	includeRoot, chainOnly bool
}

func parseOutputSpec(c *cli.Context) (outputSpec, error) {
	o := outputSpec{
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
	spec, err := parseOutputSpec(c)
	if err != nil {
		return err
	}
	job, err := st.parseChainJob(c, st.inputPassword(passwordFrom(c, "", "the input")))
	if err != nil {
		return err
	}
	out, err := st.buildChain(job)
	if err != nil {
		return err
	}
	if out.served != nil {
		st.printServedFindings(out)
	}
	certs := selectCerts(out, spec.includeRoot, spec.chainOnly)
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
	st.printSummary(out, spec.includeRoot)
	return nil
}

// selectCerts picks what to write from the path: the leaf unless
// --chain-only, and the top of the path only when it is not a root. A
// self-signed root is left out unless --include-root, trusted or not
// (servers should not send it: RFC 8446 section 4.4.2 lets them omit it,
// and clients use their own copy). A trust anchor that is not self-signed
// (an intermediate given with --roots) stays: clients need it.
func selectCerts(out *chainOutcome, includeRoot, chainOnly bool) []*x509.Certificate {
	path := out.result.Path
	if len(path) > 1 && !includeRoot && isRoot(path[len(path)-1]) {
		path = path[:len(path)-1]
	}
	if chainOnly {
		path = path[1:]
	}
	return path
}

// isRoot reports whether c is a self-signed root certificate.
func isRoot(c *x509.Certificate) bool { return c.IsCA && bundle.IsSelfSigned(c) }

// writeChain encodes certs as spec says and writes them.
func (st *state) writeChain(certs []*x509.Certificate, spec outputSpec) error {
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
	return st.writeOutput(spec.out, data, modePublic)
}

// writeSplit writes each certificate to DIR/NN-name.ext, in path order,
// as one new directory (see writeDirAtomic).
func writeSplit(dir string, certs []*x509.Certificate, format string, eo pem.EncodeOptions) error {
	ext := ".pem"
	if format == "der" {
		ext = ".cer"
	}
	files := map[string][]byte{}
	for i, c := range certs {
		name := fmt.Sprintf("%02d-%s%s", i+1, fileSlug(c), ext)
		data := c.Raw
		if format != "der" {
			data = pem.Encode([]*x509.Certificate{c}, eo)
		}
		files[name] = data
	}
	if err := writeDirAtomic(dir, files, modePublic); err != nil {
		return fmt.Errorf("--split: %w", err)
	}
	return nil
}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// fileSlug turns a certificate's CN into a safe file name part.
func fileSlug(c *x509.Certificate) string {
	name := c.Subject.CommonName
	if name == "" && len(c.Subject.Organization) > 0 {
		name = c.Subject.Organization[0]
	}
	name = strings.Trim(unsafeFileChars.ReplaceAllString(strings.ReplaceAll(name, "*", "wildcard"), "-"), "-.")
	if len(name) > 60 {
		name = name[:60]
	}
	if name == "" {
		name = "certificate"
	}
	return name
}
