package report

import (
	"bytes"
	"strings"
	"testing"

	"chainfix/bundle"
)

// TestCheckTextColor: colour codes only when asked for, and never from the
// certificates' own text (an ESC in a subject is made harmless).
func TestCheckTextColor(t *testing.T) {
	rep := &Check{Target: "x.pem", Served: []Cert{{Subject: "CN=evil\x1b[2J", SHA1: "AB"}}, Findings: []bundle.Finding{
		{ID: bundle.IDChainIncomplete, Severity: bundle.SeverityError, Message: "m1 \x1b[31m", Fix: "f1"},
		{ID: bundle.IDChainDuplicate, Severity: bundle.SeverityWarning, Message: "m2", Fix: "f2"},
	}}
	var plain, color bytes.Buffer
	CheckTextWith(&plain, rep, TextOptions{})
	CheckTextWith(&color, rep, TextOptions{Color: true})
	if strings.Contains(plain.String(), "\x1b") {
		t.Errorf("plain report has an escape:\n%q", plain.String())
	}
	if !strings.Contains(color.String(), colorRed+"error  "+colorReset) || strings.Contains(color.String(), "\x1b[2J") || strings.Contains(color.String(), "m1 \x1b") {
		t.Errorf("colour report:\n%q", color.String())
	}
	for _, want := range []string{"errors (1):", "warnings (1):", "SHA-1 AB"} {
		if !strings.Contains(plain.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, plain.String())
		}
	}
}
