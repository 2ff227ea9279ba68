package main

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"chainfix/bundle"
	"chainfix/internal/explain"
)

// The README's tables of client errors are generated from
// internal/explain's Table, so they cannot drift: this test fails when
// they differ, and rewrites them with -update-golden.

const (
	explainStart = "<!-- explain-table: generated from internal/explain by TestREADMEExplainTables -->\n"
	explainEnd   = "<!-- explain-table end -->\n"
	causesStart  = "<!-- causes-table: generated from internal/explain by TestREADMEExplainTables -->\n"
	causesEnd    = "<!-- causes-table end -->\n"
)

// documentedIDs are the finding ids of the README table, in its order.
var documentedIDs = []string{
	bundle.IDChainIncomplete, bundle.IDChainOrder, bundle.IDChainDuplicate, bundle.IDChainExtra, bundle.IDChainRootIncluded,
	bundle.IDChainUntrustedRoot, bundle.IDChainWrongIntermediate, bundle.IDChainExpiredCrossSign, bundle.IDChainIntermediateExpiresFirst,
	bundle.IDChainNoLeaf, bundle.IDLeafSelfSigned, bundle.IDCertExpired, bundle.IDCertNotYetValid, bundle.IDCertExpiringSoon,
	bundle.IDNameMismatch, bundle.IDNameCNOnly, bundle.IDEKUNoServerAuth, bundle.IDEKUNoClientAuth, bundle.IDEKUSGCOnly,
	bundle.IDKUMismatch, bundle.IDCAAsLeaf, bundle.IDIntermediateNotCA, bundle.IDWeakSignature, bundle.IDWeakKey,
	bundle.IDKeyMismatch, bundle.IDPFXNoKey, bundle.IDTLSLegacyVersionAccepted, bundle.IDTLSVersionRefused, bundle.IDSNIMismatch,
	bundle.IDEndpointUnreachable, bundle.IDEndpointAddressMismatch,
}

func explainTable() string {
	var b strings.Builder
	b.WriteString("| client | error | finding ids | source |\n|---|---|---|---|\n")
	for _, m := range explain.Table {
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s |\n", m.Client, strings.ReplaceAll(m.Error, "|", "/"), "`"+strings.Join(m.IDs, "`, `")+"`", m.Source)
	}
	return b.String()
}

func causesTable() string {
	var b strings.Builder
	b.WriteString("| finding id | client errors it causes |\n|---|---|\n")
	for _, id := range documentedIDs {
		var errs []string
		for _, m := range explain.ClientErrors(id) {
			errs = append(errs, m.Client+": `"+strings.ReplaceAll(m.Error, "|", "/")+"`")
		}
		if len(errs) == 0 {
			errs = []string{"none that names it (clients may fail later, or warn)"}
		}
		fmt.Fprintf(&b, "| `%s` | %s |\n", id, strings.Join(errs, "; "))
	}
	return b.String()
}

func TestREADMEExplainTables(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	for _, blk := range []struct{ start, end, body string }{
		{explainStart, explainEnd, explainTable()},
		{causesStart, causesEnd, causesTable()},
	} {
		i, j := strings.Index(readme, blk.start), strings.Index(readme, blk.end)
		if i < 0 || j < i {
			t.Fatalf("README.md lacks the block %q ... %q", blk.start, blk.end)
		}
		got := readme[i+len(blk.start) : j]
		if got == blk.body {
			continue
		}
		if !*updateGolden {
			t.Errorf("README.md's table after %q is not what internal/explain says; run go test -run TestREADMEExplainTables -update-golden", blk.start)
			continue
		}
		readme = readme[:i+len(blk.start)] + blk.body + readme[j:]
	}
	if *updateGolden {
		if err := os.WriteFile("README.md", []byte(readme), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
