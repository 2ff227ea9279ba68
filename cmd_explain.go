package main

import (
	"errors"
	"strings"

	"github.com/urfave/cli/v2"

	"chainfix/internal/explain"
	"chainfix/internal/report"
)

func explainCommand(st *state) *cli.Command {
	return &cli.Command{
		Name:      "explain",
		Usage:     "name the chain problems behind a client's error message",
		ArgsUsage: `"ERROR TEXT"`,
		Description: `Paste the error a client shows (a browser's NET::ERR_CERT_... or SEC_ERROR_...,
OpenSSL/curl's "unable to get local issuer certificate", Java's "PKIX path
building failed", a Windows code such as 0x800b0109, Citrix's "SSL Error 61",
Go's "x509: certificate signed by unknown authority"): chainfix names the
findings of 'chainfix check' that cause it, and the command that confirms which.
Exit status 1 when no known error is in the text.

Examples:
   chainfix explain "NET::ERR_CERT_AUTHORITY_INVALID"
   chainfix explain "curl: (60) SSL certificate problem: unable to get local issuer certificate"`,
		Flags:  []cli.Flag{boolFlag(flagJSON, "print the explanation as JSON (for scripts)")},
		Action: func(c *cli.Context) error { return st.runExplain(c) },
	}
}

func (st *state) runExplain(c *cli.Context) error {
	text := strings.Join(c.Args().Slice(), " ")
	if strings.TrimSpace(text) == "" {
		return usagef(`explain needs the error text, e.g. chainfix explain "SSL Error 61"`)
	}
	e := &report.Explained{Text: text, Matches: explain.Match(text), Confirm: report.ConfirmCommand}
	if e.Matches == nil {
		e.Matches = []explain.Mapping{}
	}
	if c.Bool(flagJSON) {
		if err := report.JSON(st.stdout, e); err != nil {
			return err
		}
	} else if len(e.Matches) > 0 {
		report.ExplainText(st.stdout, e)
	}
	if len(e.Matches) == 0 {
		return errors.New("no client error chainfix knows is in that text; run 'chainfix check' on the chain or host to see what is wrong")
	}
	return nil
}
