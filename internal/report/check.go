package report

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"chainfix/bundle"
	"chainfix/internal/repair"
)

// Check is check's product, printed as text or JSON. Its JSON form is
// documented in the README ("check --json", "Finding ids"); a document
// read back into it (json.Unmarshal) gives the same report, less the
// findings' parsed certificates.
type Check struct {
	Target      string `json:"target"`
	Address     string `json:"address,omitempty"`
	TLSVersion  string `json:"tls_version,omitempty"`
	CipherSuite string `json:"cipher_suite,omitempty"`
	// TLSVersions says which versions the endpoint accepts (--host).
	TLSVersions []TLSVersion `json:"tls_versions,omitempty"`
	// Addresses is what each address of the name served (--all-ips).
	Addresses []AddressReport `json:"addresses,omitempty"`
	// Names are the names the leaf was checked against (--name, or the
	// host); empty when none was.
	Names   []string `json:"names,omitempty"`
	Served  []Cert   `json:"served"`
	Chain   []Cert   `json:"chain,omitempty"`
	Trusted bool     `json:"trusted"`
	// OK: no finding of severity error (with Strict, of severity warning
	// either); the exit status is 0 exactly when OK.
	OK       bool             `json:"ok"`
	Strict   bool             `json:"strict,omitempty"`
	Findings []bundle.Finding `json:"findings"`
}

// AddressReport is what one address of the name served.
type AddressReport struct {
	Address string `json:"address"`
	Served  []Cert `json:"served,omitempty"`
	Error   string `json:"error,omitempty"`
}

// TLSVersion is one probed TLS version.
type TLSVersion struct {
	Version string `json:"version"` // "TLS 1.2"
	// Result is "accepted", "refused" or "unknown" (the connection failed).
	Result      string `json:"result"`
	CipherSuite string `json:"cipher_suite,omitempty"`
}

// SetStrict makes warnings fail the check (check --strict).
func (c *Check) SetStrict() {
	c.Strict = true
	for _, f := range c.Findings {
		if f.Severity == bundle.SeverityWarning {
			c.OK = false
		}
	}
}

// NewCheck makes the report of a check of target from its outcome and
// findings (repair.Diagnose).
func NewCheck(target string, out *repair.Outcome, findings []bundle.Finding) *Check {
	rep := &Check{Target: target, Served: Certs(out.Given), Findings: findings, OK: repair.OK(findings)}
	if out.Served != nil {
		rep.Address = out.Served.Address
		rep.TLSVersion = TLSVersionName(out.Served.Version)
		rep.CipherSuite = tls.CipherSuiteName(out.Served.CipherSuite)
	}
	for _, a := range out.Addresses {
		ar := AddressReport{Address: a.Address}
		if a.Err != nil {
			ar.Error = OneLine(a.Err.Error())
		} else {
			ar.Served = Certs(a.Served.Certificates)
		}
		rep.Addresses = append(rep.Addresses, ar)
	}
	if out.Probe != nil {
		for _, v := range out.Probe.Versions {
			tv := TLSVersion{Version: TLSVersionName(v.Version), Result: "refused"}
			switch {
			case v.Accepted:
				tv.Result, tv.CipherSuite = "accepted", tls.CipherSuiteName(v.CipherSuite)
			case v.Unknown:
				tv.Result = "unknown"
			}
			rep.TLSVersions = append(rep.TLSVersions, tv)
		}
	}
	if out.Result != nil {
		rep.Chain = Certs(out.Result.Path)
		rep.Trusted = out.Result.Trusted
	}
	return rep
}

// FailedCheck is the report of a check that could not run at all.
func FailedCheck(target string, err error) *Check {
	return &Check{Target: target, Served: []Cert{}, Findings: []bundle.Finding{repair.FailedFinding(err)}}
}

// JSON writes v as indented JSON.
func JSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// CheckText writes the report for a person, without colour.
func CheckText(w io.Writer, rep *Check) { CheckTextWith(w, rep, TextOptions{}) }

// TextOptions tune the text reports.
type TextOptions struct {
	// Color marks severities and the verdict with ANSI colours; the CLI
	// sets it only for a terminal and never with NO_COLOR set
	// (https://no-color.org).
	Color bool
}

// ANSI colours of the severities.
const (
	colorReset = "\x1b[0m"
	colorRed   = "\x1b[1;31m"
	colorYel   = "\x1b[33m"
	colorCyan  = "\x1b[36m"
	colorGreen = "\x1b[32m"
)

// severityGroups are the headings of the findings, most severe first.
var severityGroups = []struct{ sev, title, color string }{
	{bundle.SeverityError, "errors", colorRed},
	{bundle.SeverityWarning, "warnings", colorYel},
	{bundle.SeverityInfo, "information", colorCyan},
}

// CheckTextWith writes the report for a person: the certificates with the
// SHA-1 thumbprint Windows shows (certmgr, IIS, certutil), the verdict,
// and the findings grouped by severity, each with its fix. Text from the
// certificates is made terminal-safe; colour codes are added around it.
func CheckTextWith(w io.Writer, rep *Check, opts TextOptions) {
	paint := func(color, s string) string {
		if !opts.Color {
			return s
		}
		return color + s + colorReset
	}
	// line writes one line: raw (our own words and colours) then text
	// (which may hold names from outside), cut and made terminal-safe.
	line := func(raw, format string, args ...any) {
		io.WriteString(w, raw+TermSafe(capLine(fmt.Sprintf(format, args...)))+"\n")
	}
	head := "target: " + rep.Target
	if rep.Address != "" {
		head += fmt.Sprintf(" (%s, %s)", rep.Address, rep.TLSVersion)
		if rep.CipherSuite != "" {
			head = strings.TrimSuffix(head, ")") + ", " + rep.CipherSuite + ")"
		}
	}
	line("", "%s", head)
	if len(rep.TLSVersions) > 0 {
		var vs []string
		for _, v := range rep.TLSVersions {
			vs = append(vs, v.Version+" "+v.Result)
		}
		line("", "TLS versions: %s", strings.Join(vs, ", "))
	}
	for _, a := range rep.Addresses {
		switch {
		case a.Error != "":
			line("", "address %s: %s", a.Address, a.Error)
		case len(a.Served) > 0:
			line("", "address %s: %s, leaf %s, SHA-1 %s", a.Address, CertCount(len(a.Served)), a.Served[0].Subject, a.Served[0].SHA1)
		default:
			line("", "address %s: no certificate", a.Address)
		}
	}
	if len(rep.Names) > 0 {
		line("", "names: %s", strings.Join(rep.Names, ", "))
	}
	line("", "given: %s", CertCount(len(rep.Served)))
	for i, c := range rep.Served {
		line("", "  %d %s, issued by %s, expires %s, SHA-1 %s", i, c.Subject, c.Issuer, c.NotAfter.Format("2006-01-02"), c.SHA1)
	}
	if len(rep.Chain) > 0 {
		title := "correct chain (trusted):"
		if !rep.Trusted {
			title = "best chain found (NOT trusted: it reaches no trusted root):"
		}
		line("", "%s", title)
		for i, c := range rep.Chain {
			line("", "  %d %s, expires %s, SHA-1 %s", i, c.Subject, c.NotAfter.Format("2006-01-02"), c.SHA1)
		}
	}
	verdict := paint(colorGreen, "OK")
	if !rep.OK {
		verdict = paint(colorRed, "PROBLEMS FOUND")
	}
	if rep.Strict {
		verdict += " (strict: warnings fail)"
	}
	line("verdict: "+verdict, "")
	known := map[string]bool{}
	for _, g := range severityGroups {
		known[g.sev] = true
	}
	for _, g := range severityGroups {
		var fs []bundle.Finding
		for _, f := range rep.Findings {
			if f.Severity == g.sev || g.sev == bundle.SeverityInfo && !known[f.Severity] {
				fs = append(fs, f)
			}
		}
		if len(fs) == 0 {
			continue
		}
		line(fmt.Sprintf("%s (%d):", g.title, len(fs)), "")
		for _, f := range fs {
			line("  "+paint(g.color, fmt.Sprintf("%-7s", f.Severity))+" ", "%s: %s", f.ID, f.Message)
			if f.Fix != "" {
				line("", "          fix: %s", f.Fix)
			}
		}
	}
}
