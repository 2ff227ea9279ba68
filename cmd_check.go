package main

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"chainfix/bundle"
	"chainfix/fetch"
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
private-CA certificates, SHA-1, old TLS versions; each with its fix.
Exit status 0 when nothing is wrong (warnings allowed), 1 when something is.

Examples:
   chainfix check fullchain.pem
   chainfix check --host example.com
   chainfix check --host mail.example.com:25 --starttls smtp --json`,
		Flags: append(chainFlags(),
			&cli.BoolFlag{Name: flagJSON, Usage: "print the report as JSON (for scripts)"},
		),
		Action: func(c *cli.Context) error { return st.runCheck(c) },
	}
}

// checkReport is check's product, printed as text or JSON.
type checkReport struct {
	Target     string           `json:"target"`
	Address    string           `json:"address,omitempty"`
	TLSVersion string           `json:"tls_version,omitempty"`
	Served     []certJSON       `json:"served"`
	Chain      []certJSON       `json:"chain,omitempty"`
	Trusted    bool             `json:"trusted"`
	OK         bool             `json:"ok"`
	Findings   []bundle.Finding `json:"findings"`
}

func (st *state) runCheck(c *cli.Context) error {
	job, err := st.parseChainJob(c, st.inputPassword(passwordFrom(c, "", "the input")))
	if err != nil {
		return err
	}
	job.allowBroken = true
	out, err := st.buildChain(job)
	if err != nil {
		var ue *usageError
		if c.Bool(flagJSON) && !errors.As(err, &ue) {
			// Scripts get a report even when the check could not run
			// (nothing listens, no TLS, unreadable file); the error line
			// goes to stderr as well.
			target := job.host
			if target == "" {
				target = strings.Join(job.files, ", ")
			}
			st.printJSON(&checkReport{Target: target, Served: []certJSON{}, Findings: []bundle.Finding{{
				Code: "check-failed", Severity: bundle.SeverityError, Message: oneLine(err.Error()),
				Fix: "make the input readable or the server reachable, then check again",
			}}})
		}
		return err
	}
	rep := st.makeReport(job, out)
	if c.Bool(flagJSON) {
		if err := st.printJSON(rep); err != nil {
			return err
		}
	} else {
		writeReportText(&lineWriter{w: st.stdout}, rep)
	}
	if !rep.OK {
		st.exitCode = exitFailure
	}
	return nil
}

// printJSON writes v to stdout as indented JSON.
func (st *state) printJSON(v any) error {
	enc := json.NewEncoder(st.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// makeReport gathers the findings: the builder's diagnosis of the chain as
// given, the build failure if any, and what only an endpoint shows (TLS
// version).
func (st *state) makeReport(job *chainJob, out *chainOutcome) *checkReport {
	rep := &checkReport{Target: strings.Join(job.files, ", "), Served: certsJSON(out.given)}
	host := ""
	if out.served != nil {
		rep.Target = job.host
		rep.Address = out.served.Address
		rep.TLSVersion = tlsVersionName(out.served.Version)
		host = out.served.ServerName
		if host == "" {
			host, _, _ = fetch.SplitHostPort(job.host)
		}
	}
	if rep.Target == "" {
		rep.Target = "stdin"
	}
	if out.result != nil {
		rep.Chain = certsJSON(out.result.Path)
		rep.Trusted = out.result.Trusted
		rep.Findings = bundle.Diagnose(out.given, out.result, bundle.DiagnoseOptions{Host: hostForSAN(host), At: job.at, KeyUsages: job.keyUsages})
	}
	if out.err != nil {
		rep.Findings = append(rep.Findings, st.failureFindings(out, host, job)...)
		rep.Findings = dropOK(rep.Findings)
	}
	if out.served != nil {
		rep.Findings = append(rep.Findings, tlsFindings(out.served)...)
		rep.Findings = dropOK(rep.Findings)
	}
	rep.OK = true
	for _, f := range rep.Findings {
		if f.Severity == "error" {
			rep.OK = false
		}
	}
	return rep
}

// failureFindings explains a failed build. A chain that crypto/x509
// refuses (expired, wrong EKU, SHA-1) is diagnosed certificate by
// certificate, as if it were trusted, so each fault gets its own finding
// and fix; any other failure becomes one finding with its hint.
func (st *state) failureFindings(out *chainOutcome, host string, job *chainJob) []bundle.Finding {
	var invalid *bundle.InvalidError
	if errors.As(out.err, &invalid) && len(invalid.Path) > 0 {
		top := invalid.Path[len(invalid.Path)-1]
		r := &bundle.Result{Leaf: invalid.Path[0], Path: invalid.Path, Trusted: bundle.IsSelfSigned(top)}
		fs := bundle.Diagnose(out.given, r, bundle.DiagnoseOptions{Host: hostForSAN(host), At: job.at, KeyUsages: job.keyUsages})
		for _, f := range fs {
			if f.Severity == bundle.SeverityError {
				return fs
			}
		}
	}
	fix := "see the message"
	switch errorCode(out.err) {
	case "wrong-intermediate":
		fix = "replace the intermediate with the one that issued the certificate (chainfix build fetches it, or give it with --pool)"
	case "missing-intermediate":
		fix = "get the intermediate from your CA and give it with --pool, or let chainfix fetch it (without --offline); then upload what chainfix build writes"
	case "untrusted-root":
		fix = "if it is your own CA, pass its root with --roots (and install it on the clients); otherwise get a certificate from a publicly trusted CA"
	case "no-leaf":
		fix = "give the server's own certificate (the leaf), not only CA certificates"
	}
	return []bundle.Finding{{Code: errorCode(out.err), Severity: bundle.SeverityError, Message: out.err.Error(), Fix: fix}}
}

// hostForSAN drops IP literals' brackets; an IP is checked against IP SANs
// by VerifyHostname all the same.
func hostForSAN(h string) string {
	return strings.Trim(h, "[]")
}

// dropOK removes the "ok" finding once there is any other finding.
func dropOK(fs []bundle.Finding) []bundle.Finding {
	if len(fs) < 2 {
		return fs
	}
	var out []bundle.Finding
	for _, f := range fs {
		if f.Code != "ok" {
			out = append(out, f)
		}
	}
	return out
}

// errorCode gives a build failure a stable code for JSON.
func errorCode(err error) string {
	var missing *bundle.MissingIssuerError
	var untrusted *bundle.UntrustedError
	var invalid *bundle.InvalidError
	switch {
	case errors.As(err, &missing) && len(missing.Mismatched) > 0:
		return "wrong-intermediate"
	case errors.As(err, &missing):
		return "missing-intermediate"
	case errors.As(err, &untrusted):
		return "untrusted-root"
	case errors.As(err, &invalid):
		return "invalid-chain"
	case errors.Is(err, bundle.ErrNoLeaf):
		return "no-leaf"
	}
	return "build-failed"
}

// tlsFindings judges the negotiated protocol: TLS 1.0 and 1.1 are
// deprecated (RFC 8996) and refused by current browsers and clients. An
// error, not a warning: chainfix offers up to TLS 1.3, so a server that
// settles on 1.0 or 1.1 can do nothing newer.
func tlsFindings(s *fetch.Served) []bundle.Finding {
	if s.Version != 0 && s.Version < tls.VersionTLS12 {
		return []bundle.Finding{{
			Code: "old-tls-version", Severity: bundle.SeverityError,
			Message: fmt.Sprintf("the server negotiated %s, which current clients refuse (RFC 8996)", tlsVersionName(s.Version)),
			Fix:     "enable TLS 1.2 and 1.3 on the server and disable TLS 1.0/1.1",
		}}
	}
	return nil
}

func writeReportText(w io.Writer, rep *checkReport) {
	fmt.Fprintf(w, "target: %s", rep.Target)
	if rep.Address != "" {
		fmt.Fprintf(w, " (%s, %s)", rep.Address, rep.TLSVersion)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "given: %s\n", certCount(len(rep.Served)))
	for i, c := range rep.Served {
		fmt.Fprintf(w, "  %d %s, issued by %s, expires %s\n", i, c.Subject, c.Issuer, c.NotAfter.Format("2006-01-02"))
	}
	if len(rep.Chain) > 0 {
		title := "correct chain (trusted):"
		if !rep.Trusted {
			title = "best chain found (NOT trusted: it reaches no trusted root):"
		}
		fmt.Fprintln(w, title)
		for i, c := range rep.Chain {
			fmt.Fprintf(w, "  %d %s, expires %s\n", i, c.Subject, c.NotAfter.Format("2006-01-02"))
		}
	}
	verdict := "OK"
	if !rep.OK {
		verdict = "PROBLEMS FOUND"
	}
	fmt.Fprintf(w, "verdict: %s\n", verdict)
	for _, f := range rep.Findings {
		fmt.Fprintf(w, "  %-7s %s: %s\n", f.Severity, f.Code, f.Message)
		if f.Fix != "" {
			fmt.Fprintf(w, "          fix: %s\n", f.Fix)
		}
	}
}

// printServedFindings tells a build --host user, on stderr, what was wrong
// with what the server sent.
func (st *state) printServedFindings(out *chainOutcome) {
	if st.quiet || out.result == nil {
		return
	}
	fmt.Fprintf(st.notes, "chainfix: the server sent %s:\n", certCount(len(out.served.Certificates)))
	for i, c := range out.served.Certificates {
		fmt.Fprintf(st.notes, "  %d %s, issued by %s\n", i, bundle.Name(c), issuerName(c))
	}
	host := out.served.ServerName
	for _, f := range bundle.Diagnose(out.served.Certificates, out.result, bundle.DiagnoseOptions{Host: hostForSAN(host), At: out.at, KeyUsages: out.keyUsages}) {
		if f.Code == "ok" {
			fmt.Fprintf(st.notes, "chainfix: the served chain is correct\n")
			continue
		}
		label := "problem with the served chain"
		if f.Severity == bundle.SeverityInfo {
			label = "note"
		}
		fmt.Fprintf(st.notes, "chainfix: %s: %s\n", label, f.Message)
	}
}
