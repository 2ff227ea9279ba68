package main

import (
	"strings"

	"github.com/urfave/cli/v2"

	"chainfix/fetch"
	"chainfix/internal/report"
	"chainfix/internal/source"
)

func inspectCommand(st *state) *cli.Command {
	return &cli.Command{
		Name:      "inspect",
		Usage:     "show every field of each certificate (and a PFX's key) that matters for TLS",
		ArgsUsage: "[FILE...]",
		Description: `Reads certificates (any input build accepts: PEM, DER, PKCS#7, PFX, stdin) or the
chain a live server sends (--host), and prints, per certificate: subject, issuer,
serial (hex, as openssl prints it), validity with the days left, the subject
alternative names, the public key, the signature algorithm, Key Usage and Extended
Key Usage (names and OIDs), basic constraints, SKI/AKI, AIA, CRL distribution
points, policies (DV/OV/IV/EV), the embedded SCT count, the SHA-1 thumbprint
Windows shows and the SHA-256 fingerprint; for a PFX also its key and whether it
belongs to one of the certificates. Nothing is judged: 'chainfix check' does that.

Examples:
   chainfix inspect site.pfx --password-file pw.txt
   chainfix inspect --host example.com --json
   chainfix inspect -r certs/ --jsonl`,
		Flags: append([]cli.Flag{
			boolFlag(flagJSON, "print the report as JSON (for scripts)"),
			&cli.StringFlag{Name: flagAt, Usage: "count the days left from `TIME` (RFC 3339 or a date); default now"},
			&cli.GenericFlag{Name: flagHost, Value: &hostList{}, Usage: "read the chain a live server sends: `HOST[:PORT]` (port 443 by default; repeated: one job each)"},
			&cli.StringFlag{Name: flagServerName, Usage: "SNI `NAME` to send with --host (default: the host)"},
			&cli.DurationFlag{Name: flagConnectTimeout, Value: defaultTimeout, Usage: "connect and handshake timeout for --host (`DURATION`)"},
			&cli.StringFlag{Name: flagStartTLS, Usage: "with --host: speak `PROTO` first: smtp, imap, pop3, ftp or postgres"},
		}, append(passwordFlags("", "encrypted inputs (PFX, key)"), bulkFlags("inspect")...)...),
		Action: func(c *cli.Context) error { return st.runInspect(c) },
	}
}

func (st *state) runInspect(c *cli.Context) error {
	at, err := parseAt(c.String(flagAt))
	if err != nil {
		return err
	}
	if bulkRequested(c) {
		return st.runBulkInspect(c, at)
	}
	host, files := c.String(flagHost), c.Args().Slice()
	if host != "" && len(files) > 0 {
		return usagef("give files or --host, not both")
	}
	if host == "" && (c.IsSet(flagServerName) || c.IsSet(flagStartTLS)) {
		return usagef("--servername and --starttls go with --host")
	}
	password := st.inputPassword(passwordFrom(c, "", "the input"))
	dial := fetch.DialOptions{ServerName: c.String(flagServerName), ConnectTimeout: c.Duration(flagConnectTimeout), StartTLS: c.String(flagStartTLS)}
	var ins []source.Input
	target := host
	if host == "" {
		if len(files) == 0 {
			if isTerminal(st.stdin) {
				return &usageError{msg: source.ErrNoInput.Error()}
			}
			files = []string{"-"}
		}
		target = strings.Join(files, ", ")
		if ins, err = source.ReadAll(files, st.stdin); err != nil {
			return &undecidedError{err: err}
		}
	}
	rep, err := st.inspectInputs(st.ctx, target, ins, host, dial, at, password)
	if err != nil {
		return err
	}
	if c.Bool(flagJSON) {
		return report.JSON(st.stdout, rep)
	}
	report.InspectText(st.stdout, rep)
	return nil
}
