package main

// The man page chainfix.1 is generated from the command definitions by this
// test, so nothing of the generator is in the binary: `go generate` (or the
// command below) rewrites it, and TestManPage fails in CI when a flag or a
// command changed without the page.
//go:generate go test -run ^TestManPage$ -update-man .

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/cpuguy83/go-md2man/v2/md2man"
	"github.com/sirupsen/logrus"

	"chainfix/internal/report"
)

var updateMan = flag.Bool("update-man", false, "rewrite chainfix.1 from the command definitions")

// manPageFile is the committed man page.
const manPageFile = "chainfix.1"

// manExtra ends the page: what the command definitions do not say.
var manExtra = `
# EXIT STATUS

` + "```\n" + exitStatusLines() + "```" + `

# ENVIRONMENT

**SSL_CERT_FILE**, **SSL_CERT_DIR**
:   the trust store (a bundle; a directory of certificates on Unix), instead of the
    system's; SSL_CERT_FILE also on Windows and macOS. **--roots** overrides both.

**HTTP_PROXY**, **HTTPS_PROXY**, **NO_PROXY**
:   the proxy for AIA requests.

**XDG_CACHE_HOME**, **HOME**, **LocalAppData**
:   where the AIA cache lives (see FILES).

# FILES

*$XDG_CACHE_HOME/chainfix* or *~/.cache/chainfix* (Linux), *~/Library/Caches/chainfix* (macOS), *%LocalAppData%\chainfix* (Windows)
:   the AIA cache: issuers fetched before, keyed by URL (**--cache-dir**, **--no-cache**).

# TRUST STORES

Without **--roots**, chainfix trusts the system's store, as explicit certificates (never the
operating system's verifier, which would fetch missing intermediates itself): on Linux the
distribution bundle; on Windows the ROOT and AuthRoot stores of the machine and the user, with
their Group Policy and enterprise copies, less the Disallowed stores (the CA stores serve as a
pool of intermediates); on macOS the system roots plus what admin and user trust settings trust
in the System and login keychains. Where there is none, the Mozilla roots built into chainfix.
**--roots system**, **--roots mozilla** and **--roots** *FILE* choose explicitly (a file named
"system": ./system); **-v** says which store was used and how many roots it held.

# SEE ALSO

README.md in the chainfix source; **openssl-verify**(1).
`

// exitStatusLines is the root help's exit status table without its
// heading and indentation.
func exitStatusLines() string {
	var b strings.Builder
	for _, l := range strings.Split(rootHelpExtra, "\n") {
		if l = strings.TrimSpace(l); l != "" && l != "EXIT STATUS:" {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// manPage renders chainfix.1: urfave/cli's markdown of the command tree,
// with a title line and manExtra, through go-md2man (what ToMan uses).
func manPage() ([]byte, error) {
	l := logrus.New()
	l.SetOutput(&bytes.Buffer{})
	var out bytes.Buffer
	app := newApp(&state{stdout: &out, stderr: &out, voice: report.NewVoice(&out), env: mapEnv{}, log: l})
	md, err := app.ToMarkdown()
	if err != nil {
		return nil, err
	}
	return md2man.Render([]byte("% chainfix 1\n\n" + md + manExtra)), nil
}

// TestManPage: the committed chainfix.1 is what the command definitions
// give (-update-man rewrites it).
func TestManPage(t *testing.T) {
	got, err := manPage()
	if err != nil {
		t.Fatal(err)
	}
	if *updateMan {
		if err := os.WriteFile(manPageFile, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(manPageFile)
	if err != nil {
		t.Fatal(err)
	}
	// A Windows checkout may have turned LF into CRLF.
	want = bytes.ReplaceAll(want, []byte("\r\n"), []byte("\n"))
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		line := 0
		for line < len(gl) && line < len(wl) && gl[line] == wl[line] {
			line++
		}
		first := func(l []string) string {
			if line < len(l) {
				return l[line]
			}
			return "(end of file)"
		}
		t.Errorf("%s is not current (first difference at line %d: committed %q, generated %q); run go generate and commit it",
			manPageFile, line+1, first(wl), first(gl))
	}
}
