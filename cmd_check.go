package main

import (
	"context"
	"errors"
	"strings"

	"github.com/urfave/cli/v2"

	"chainfix/internal/repair"
	"chainfix/internal/report"
)

func checkCommand(st *state) *cli.Command {
	return &cli.Command{
		Name:      "check",
		Usage:     "explain what is wrong with a chain or an endpoint, and how to fix it",
		ArgsUsage: "[FILE...]",
		Description: `Reads a chain (files, stdin or a live server with --host) and reports, on stdout,
every problem an appliance or a client would trip on: missing intermediates,
wrong order, extra or duplicate certificates, the root sent, expiry, a name not
in the SANs, an Extended Key Usage without Server Authentication, self-signed or
private-CA certificates, SHA-1, weak keys, old TLS versions; each with its
fix and a stable finding id (README "Finding ids").
Exit status 0 when nothing is wrong (warnings allowed unless --strict), 1 when
something is, 2 for a usage error, 3 when the input could not be checked at all
(unreadable file or key, wrong password, no certificate).

Examples:
   chainfix check fullchain.pem
   chainfix check --host example.com
   chainfix check --name www.example.com --name 192.0.2.7 fullchain.pem
   chainfix check --host mail.example.com:25 --starttls smtp --json`,
		Flags: append(append(chainFlags(),
			boolFlag(flagJSON, "print the report as JSON (for scripts)"),
			&cli.StringFlag{Name: flagKey, Usage: "the private key `KEY` that goes with the chain (any form): is it the leaf's?"},
			&cli.StringSliceFlag{Name: flagNames, Usage: "a `NAME` clients use (DNS name or IP address; repeatable); default with --host: the host or --servername"},
			&cli.IntFlag{Name: flagWarnDays, Value: defaultWarnDays, Usage: "warn about a certificate that expires within `N` days"},
			boolFlag(flagStrict, "warnings fail the check too (exit 1)"),
			boolFlag(flagAllIPs, "with --host: fetch the chain from every address the name resolves to (IPv4 and IPv6) and compare"),
		), append(forFlags(false), bulkFlags("check")...)...),
		Action: func(c *cli.Context) error { return st.runCheck(c) },
	}
}

func (st *state) runCheck(c *cli.Context) error {
	if bulkRequested(c) {
		return st.runBulkCheck(c)
	}
	name := c.String(flagHost)
	if name == "" {
		name = strings.Join(c.Args().Slice(), ", ")
	}
	if name == "" {
		name = "stdin"
	}
	t, err := forTarget(c)
	if err != nil {
		return err
	}
	password := st.inputPassword(passwordFrom(c, "", "the input"))
	keyFile, err := st.keyInput(c)
	if err != nil {
		return st.checkFailed(c, name, err)
	}
	dopts, err := checkOptions(c)
	if err != nil {
		return st.checkFailed(c, name, err)
	}
	job, err := st.parseChainJob(c, password)
	if err != nil {
		return st.checkFailed(c, name, err)
	}
	job.req.AllIPs = job.req.Host != "" && c.Bool(flagAllIPs)
	res, err := job.runner.Check(st.ctx, repair.CheckRequest{Request: job.req, Options: dopts, Key: keyFile, Target: t})
	if err == nil {
		err = oneChainOnly(job, res.Outcome)
	}
	if err != nil {
		return st.checkFailed(c, name, err)
	}
	rep := report.NewCheck(name, res.Outcome, res.Findings)
	rep.Names = res.Names
	if c.Bool(flagStrict) {
		rep.SetStrict()
	}
	if c.Bool(flagJSON) {
		err = report.JSON(st.stdout, rep)
	} else {
		report.CheckTextWith(st.stdout, rep, report.TextOptions{Color: st.color(st.stdout)})
	}
	if !rep.OK {
		st.exitCode = exitFailure
	}
	return err
}

// defaultWarnDays is --warn-days' default: Let's Encrypt sends its
// reminders from 20 days ahead, and most CAs reissue within a day, so 30
// days leaves time for a change window (bundle.DefaultExpiryWarning).
const defaultWarnDays = 30

// color: the text report gets colours only on a terminal, and never with
// NO_COLOR set (https://no-color.org) or TERM=dumb.
func (st *state) color(w any) bool {
	return isTerminal(w) && st.env.Getenv("NO_COLOR") == "" && st.env.Getenv("TERM") != "dumb"
}

// checkFailed ends a check that could not run: scripts asking for JSON
// still get a document on stdout (the error line goes to stderr as well);
// an input that cannot be read decides nothing (exit 3), a server that
// cannot be reached is a failure of the endpoint (exit 1), a usage error
// stays one (exit 2; urfave/cli's own flag errors come before any of this
// and print no document).
func (st *state) checkFailed(c *cli.Context, name string, err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	if c.Bool(flagJSON) {
		if jerr := report.JSON(st.stdout, report.FailedCheck(name, err)); jerr != nil {
			return jerr
		}
	}
	var ee *repair.EndpointError
	var ue *usageError
	if errors.As(err, &ee) || errors.As(err, &ue) {
		return err
	}
	return &undecidedError{err: err}
}
