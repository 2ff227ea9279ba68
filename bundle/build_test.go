package bundle

import (
	"context"
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"chainfix/internal/testpki"
)

// Shapes reused by several cases.
var (
	basicPKI = []spec{
		{label: "root", key: 1},
		{label: "int", issuer: "root", key: 2},
		{label: "leaf", issuer: "int", leaf: true},
	}
	// A leaf under CN=Int,O=X, and two other CAs with exactly that name and
	// other keys (a renewed intermediate, a sibling CA), plus a CA with the
	// root's name and another key.
	wrongPKI = []spec{
		{label: "root", key: 1},
		{label: "int", cn: "Int", issuer: "root", key: 2, muts: []mut{org("X")}},
		{label: "int-sibling", cn: "Int", issuer: "root", key: 6, muts: []mut{org("X")}},
		{label: "int-other", cn: "Int", issuer: "root", key: 7, muts: []mut{org("X")}},
		{label: "root-sibling", cn: "root", key: 8},
		{label: "leaf", issuer: "int", leaf: true},
	}
	// Let's Encrypt 2021-24: ISRG Root X1 self-signed and cross-signed by
	// DST Root CA X3 (expired 2021-09-30; the cross-sign 2024-09-30).
	lePKI = []spec{
		{label: "DST", cn: "DST Root CA X3", key: 3, muts: []mut{expired}},
		{label: "X1", cn: "ISRG Root X1", key: 4},
		{label: "X1-by-DST", cn: "ISRG Root X1", issuer: "DST", key: 4, muts: []mut{notBefore(time.Date(2021, 1, 20, 0, 0, 0, 0, time.UTC)), notAfter(time.Date(2024, 9, 30, 18, 14, 3, 0, time.UTC))}},
		{label: "R3", cn: "R3", issuer: "X1", key: 5, muts: []mut{org("Let's Encrypt")}},
		{label: "leaf", issuer: "R3", leaf: true, muts: []mut{notAfter(time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC))}},
	}
)

type buildTest struct {
	name           string
	specs          []spec
	roots, input   []string
	pool           []string
	leaf           string
	source         map[string][]string // nil: no Source
	sourceErr      error
	allowUntrusted bool
	usages         []x509.ExtKeyUsage

	want      string // path by label, "leaf -> int -> root"
	untrusted bool   // want Trusted false
	wantErr   string // "missing", "untrusted", "invalid", "noleaf"
	errHas    []string
	wantCalls int // Source calls, checked when source != nil
	check     func(t *testing.T, p *pki, r *Result, err error)
}

func TestBuild(t *testing.T) {
	tests := []buildTest{
		{
			name:  "complete chain in order needs no fetch",
			specs: basicPKI, roots: []string{"root"}, input: []string{"leaf", "int"},
			source: map[string][]string{}, wantCalls: 0,
			want: "leaf -> int -> root",
			check: func(t *testing.T, p *pki, r *Result, _ error) {
				if !r.InputInOrder || r.InputHadRoot {
					t.Errorf("InputInOrder=%v InputHadRoot=%v, want true false", r.InputInOrder, r.InputHadRoot)
				}
				wantAdded(t, p, r, map[string]string{"root": FromRoots})
				wantDropped(t, p, r, nil)
				if len(r.Rejected) != 0 || len(r.Notes) != 0 || leafText(r) != "" {
					t.Errorf("unexpected Rejected %v Notes %v LeafReason %q", r.Rejected, r.Notes, leafText(r))
				}
			},
		},
		{
			name:  "jumbled input gives the same path",
			specs: basicPKI, roots: []string{"root"}, input: []string{"root", "int", "leaf"},
			want: "leaf -> int -> root",
			check: func(t *testing.T, p *pki, r *Result, _ error) {
				if r.InputInOrder || !r.InputHadRoot {
					t.Errorf("InputInOrder=%v InputHadRoot=%v, want false true", r.InputInOrder, r.InputHadRoot)
				}
				wantAdded(t, p, r, nil)
			},
		},
		{
			name:  "input with root and an extra in order still counts as in order",
			specs: append(clone(basicPKI), spec{label: "other", key: 7}), roots: []string{"root"},
			input: []string{"other", "leaf", "int", "root"},
			want:  "leaf -> int -> root",
			check: func(t *testing.T, p *pki, r *Result, _ error) {
				if !r.InputInOrder || !r.InputHadRoot {
					t.Errorf("InputInOrder=%v InputHadRoot=%v, want true true", r.InputInOrder, r.InputHadRoot)
				}
				wantDropped(t, p, r, map[string]string{"other": "not on the path"})
			},
		},
		{
			name:  "duplicates are dropped",
			specs: basicPKI, roots: []string{"root"}, input: []string{"leaf", "int", "int", "leaf"},
			want: "leaf -> int -> root",
			check: func(t *testing.T, p *pki, r *Result, _ error) {
				if len(r.Dropped) != 2 {
					t.Fatalf("Dropped = %v, want two duplicates", r.Dropped)
				}
				for _, d := range r.Dropped {
					if !strings.HasPrefix(dropText(d), "duplicate") {
						t.Errorf("Dropped %s: %q, want a duplicate", p.label(d.Cert), dropText(d))
					}
				}
				if !r.InputInOrder {
					t.Error("InputInOrder = false, want true")
				}
			},
		},
		{
			name: "unrelated certificates are dropped",
			specs: append(clone(basicPKI),
				spec{label: "other-root", key: 7},
				spec{label: "other-int", issuer: "other-root", key: 8},
				spec{label: "other-leaf-ca", issuer: "other-int", key: 9}),
			roots: []string{"root"}, input: []string{"leaf", "other-int", "int", "other-leaf-ca"},
			want: "leaf -> int -> root",
			check: func(t *testing.T, p *pki, r *Result, _ error) {
				wantDropped(t, p, r, map[string]string{"other-int": "unrelated", "other-leaf-ca": "unrelated"})
				// A CA that issues nothing is no rival to the only non-CA.
				if leafText(r) != "" {
					t.Errorf("LeafReason = %q, want none: there was no choice", leafText(r))
				}
			},
		},
		{
			name:  "Options.Leaf overrides the rule",
			specs: append(clone(basicPKI), spec{label: "leaf2", issuer: "int", leaf: true}),
			roots: []string{"root"}, input: []string{"leaf2", "leaf", "int"}, leaf: "leaf",
			want: "leaf -> int -> root",
		},
		{
			name:  "input of CA certificates only: the lowest is the leaf",
			specs: basicPKI, roots: []string{"root"}, input: []string{"root", "int"},
			want: "int -> root",
			check: func(t *testing.T, p *pki, r *Result, _ error) {
				if !strings.Contains(leafText(r), "only CA certificates") {
					t.Errorf("LeafReason = %q", leafText(r))
				}
			},
		},
		{
			name:  "expired cross-sign in the input: the path stops at the trusted ISRG Root X1",
			specs: lePKI, roots: []string{"X1", "DST"}, input: []string{"leaf", "R3", "X1-by-DST"},
			pool:   []string{"DST"},
			source: map[string][]string{"X1-by-DST": {"DST"}}, wantCalls: 0,
			want: "leaf -> R3 -> X1",
			check: func(t *testing.T, p *pki, r *Result, _ error) {
				wantDropped(t, p, r, map[string]string{"X1-by-DST": "expired cross-sign"})
				wantAdded(t, p, r, map[string]string{"X1": FromRoots})
				if !r.InputInOrder {
					t.Error("InputInOrder = false")
				}
			},
		},
		{
			name:  "trust store with only the expired DST root: invalid, named",
			specs: lePKI, roots: []string{"DST"}, input: []string{"leaf", "R3", "X1-by-DST"},
			wantErr: "invalid", errHas: []string{"CN=ISRG Root X1 expired 2024-09-30"},
		},
		{
			name: "two roots, one trusted",
			specs: append(clone(basicPKI),
				spec{label: "root-b", key: 7},
				spec{label: "int-by-b", cn: "int", issuer: "root-b", key: 2}),
			roots: []string{"root"}, input: []string{"leaf", "int-by-b", "int"}, pool: []string{"root-b"},
			want: "leaf -> int -> root",
			check: func(t *testing.T, p *pki, r *Result, _ error) {
				wantRejected(t, p, r, "leaf -> int-by-b -> root-b", "untrusted root CN=root-b")
				wantDropped(t, p, r, map[string]string{"int-by-b": "another copy (cross-sign) of CN=int"})
			},
		},
		{
			name:  "missing intermediate",
			specs: basicPKI, roots: []string{"root"}, input: []string{"leaf"},
			wantErr: "missing", errHas: []string{"no issuer found for CN=leaf: intermediate CN=int missing"},
			check: func(t *testing.T, p *pki, _ *Result, err error) {
				var mi *MissingIssuerError
				if errors.As(err, &mi) && (p.label(mi.Cert) != "leaf" || err.Error() != "no issuer found for CN=leaf: intermediate CN=int missing") {
					t.Errorf("MissingIssuerError.Cert = %s, Error() = %q", p.label(mi.Cert), err)
				}
			},
		},
		{
			name:  "a same-named intermediate that did not sign the leaf is named in the error",
			specs: wrongPKI, roots: []string{"root"}, input: []string{"leaf", "int-sibling"},
			wantErr: "missing",
			check: func(t *testing.T, p *pki, _ *Result, err error) {
				const want = "no issuer found for CN=leaf: intermediate CN=Int,O=X missing; CN=Int,O=X in the input has the right name but did not sign CN=leaf (another key: a renewed or sibling CA, or a damaged copy)"
				if err.Error() != want {
					t.Errorf("Error() =\n  %q\nwant\n  %q", err, want)
				}
				wantMismatched(t, p, err, "int-sibling")
			},
		},
		{
			name:  "several same-named non-signers: counted, with where they came from",
			specs: wrongPKI, roots: []string{"root"}, input: []string{"int-sibling", "leaf"}, pool: []string{"int-other"},
			wantErr: "missing",
			errHas:  []string{"no issuer found for CN=leaf: intermediate CN=Int,O=X missing; 2 certificates named CN=Int,O=X (in the input, in the pool) have the right name but none signed CN=leaf (other keys: renewed or sibling CAs, or damaged copies)"},
			check: func(t *testing.T, p *pki, _ *Result, err error) {
				wantMismatched(t, p, err, "int-sibling", "int-other")
			},
		},
		{
			name:  "a fetched intermediate that did not sign the leaf is named in the error",
			specs: wrongPKI, roots: []string{"root"}, input: []string{"leaf"},
			source: map[string][]string{"leaf": {"int-sibling"}}, wantCalls: 1,
			wantErr: "missing",
			errHas:  []string{"intermediate CN=Int,O=X missing; CN=Int,O=X as fetched has the right name but did not sign CN=leaf"},
		},
		{
			name:  "wrong intermediate in the input, right one fetched: dropped as the wrong one",
			specs: wrongPKI, roots: []string{"root"}, input: []string{"leaf", "int-sibling"},
			source: map[string][]string{"leaf": {"int"}}, wantCalls: 1,
			want: "leaf -> int -> root",
			check: func(t *testing.T, p *pki, r *Result, _ error) {
				wantDropped(t, p, r, map[string]string{"int-sibling": "wrong intermediate: CN=Int,O=X has the name of the issuer of CN=leaf but did not sign it"})
				wantAdded(t, p, r, map[string]string{"int": FromFetched, "root": FromRoots})
			},
		},
		{
			name:  "a CA with the root's name that did not sign the intermediate is dropped as such",
			specs: wrongPKI, roots: []string{"root"}, input: []string{"leaf", "int", "root-sibling"},
			want: "leaf -> int -> root",
			check: func(t *testing.T, p *pki, r *Result, _ error) {
				wantDropped(t, p, r, map[string]string{"root-sibling": "wrong intermediate: CN=root has the name of the issuer of CN=Int,O=X but did not sign it"})
			},
		},
		{
			name:  "missing intermediate, Source fails: its error is kept",
			specs: basicPKI, roots: []string{"root"}, input: []string{"leaf"},
			source: map[string][]string{}, sourceErr: errFetch, wantCalls: 1,
			// Issue 7 item 5: the Source's error is kept as it is (package
			// fetch's errors name the certificate), so the leaf is named once.
			wantErr: "missing", errHas: []string{"no issuer found for CN=leaf: intermediate CN=int missing (GET http://x/int.cer: 404 Not Found)"},
			check: func(t *testing.T, _ *pki, _ *Result, err error) {
				if !errors.Is(err, errFetch) {
					t.Errorf("errors.Is(err, errFetch) = false for %v", err)
				}
				if n := strings.Count(err.Error(), "CN=leaf"); n != 1 {
					t.Errorf("error names CN=leaf %d times: %q", n, err)
				}
			},
		},
		{
			name:  "missing intermediate is fetched",
			specs: basicPKI, roots: []string{"root"}, input: []string{"leaf"},
			source: map[string][]string{"leaf": {"int"}}, wantCalls: 1,
			want: "leaf -> int -> root",
			check: func(t *testing.T, p *pki, r *Result, _ error) {
				wantAdded(t, p, r, map[string]string{"int": FromFetched, "root": FromRoots})
			},
		},
		{
			name:  "AIA leading past the modern root into the legacy cross-sign is cut off",
			specs: lePKI, roots: []string{"X1", "DST"}, input: []string{"leaf"},
			source: map[string][]string{"leaf": {"R3"}, "R3": {"X1-by-DST"}, "X1-by-DST": {"DST"}}, wantCalls: 1,
			want: "leaf -> R3 -> X1",
			check: func(t *testing.T, p *pki, r *Result, _ error) {
				wantAdded(t, p, r, map[string]string{"R3": FromFetched, "X1": FromRoots})
			},
		},
		{
			name: "path only to an untrusted root: the Source is asked and its trusted issuer wins",
			specs: append(clone(basicPKI),
				spec{label: "root-b", key: 7},
				spec{label: "int-by-b", cn: "int", issuer: "root-b", key: 2}),
			roots: []string{"root"}, input: []string{"leaf", "int-by-b"}, pool: []string{"root-b"},
			source: map[string][]string{"leaf": {"int"}}, wantCalls: 1,
			want: "leaf -> int -> root",
			check: func(t *testing.T, p *pki, r *Result, _ error) {
				wantDropped(t, p, r, map[string]string{"int-by-b": "another copy (cross-sign) of CN=int"})
			},
		},
		{
			name:  "missing intermediate taken from the pool",
			specs: basicPKI, roots: []string{"root"}, input: []string{"leaf"}, pool: []string{"int"},
			source: map[string][]string{}, wantCalls: 0,
			want: "leaf -> int -> root",
			check: func(t *testing.T, p *pki, r *Result, _ error) {
				wantAdded(t, p, r, map[string]string{"int": FromPool, "root": FromRoots})
			},
		},
		{
			name: "local intermediate is an expired cross-sign: the fetched valid one wins",
			specs: []spec{
				{label: "root", key: 1},
				{label: "old-root", key: 6},
				{label: "int-old", cn: "int", issuer: "old-root", key: 2, muts: []mut{expired}},
				{label: "int", issuer: "root", key: 2},
				{label: "leaf", issuer: "int", leaf: true},
			},
			roots: []string{"root", "old-root"}, input: []string{"leaf", "int-old"},
			source: map[string][]string{"leaf": {"int"}}, wantCalls: 1,
			want: "leaf -> int -> root",
			check: func(t *testing.T, p *pki, r *Result, _ error) {
				wantAdded(t, p, r, map[string]string{"int": FromFetched, "root": FromRoots})
				wantDropped(t, p, r, map[string]string{"int-old": "expired cross-sign"})
				wantRejected(t, p, r, "leaf -> int-old -> old-root", "expired at 2026-06-01: CN=int expired 2021-09-30")
			},
		},
		{
			name: "renewed intermediate with the same name and another key: the signature decides",
			specs: []spec{
				{label: "root", key: 1},
				{label: "int-2019", cn: "int", issuer: "root", key: 2},
				{label: "int-2025", cn: "int", issuer: "root", key: 6},
				{label: "leaf", issuer: "int-2025", leaf: true},
			},
			roots: []string{"root"}, input: []string{"leaf", "int-2019", "int-2025"},
			want: "leaf -> int-2025 -> root",
			check: func(t *testing.T, p *pki, r *Result, _ error) {
				wantDropped(t, p, r, map[string]string{"int-2019": "wrong intermediate: CN=int has the name of the issuer of CN=leaf but did not sign it (a renewed or sibling CA with another key, or a damaged copy), not on the path"})
			},
		},
		{
			name: "intermediate expiring before the leaf loses to one that does not",
			specs: []spec{
				{label: "root", key: 1},
				{label: "int-short", cn: "int", issuer: "root", key: 2, muts: []mut{notAfter(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))}},
				{label: "int-long", cn: "int", issuer: "root", key: 2, muts: []mut{notAfter(time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC))}},
				{label: "leaf", issuer: "int-long", leaf: true, muts: []mut{notAfter(time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC))}},
			},
			roots: []string{"root"}, input: []string{"leaf", "int-short", "int-long"},
			want: "leaf -> int-long -> root",
			check: func(t *testing.T, p *pki, r *Result, _ error) {
				wantRejected(t, p, r, "leaf -> int-short -> root", "intermediate expires before the leaf: CN=int expires 2027-01-01")
				if len(r.Notes) != 0 {
					t.Errorf("Notes = %v, want none", r.Notes)
				}
			},
		},
		{
			name: "only an intermediate expiring before the leaf: chosen, with a note",
			specs: []spec{
				{label: "root", key: 1},
				{label: "int", issuer: "root", key: 2, muts: []mut{notAfter(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))}},
				{label: "leaf", issuer: "int", leaf: true, muts: []mut{notAfter(time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC))}},
			},
			roots: []string{"root"}, input: []string{"leaf", "int"},
			want: "leaf -> int -> root",
			check: func(t *testing.T, p *pki, r *Result, _ error) {
				if len(r.Notes) != 1 || r.Notes[0].Code != NoteIntermediateExpiresBeforeLeaf || p.label(r.Notes[0].Cert) != "int" {
					t.Errorf("Notes = %+v, want chain-intermediate-expires-first for int", r.Notes)
				}
			},
		},
		{
			name: "shorter path wins over a longer cross-signed one",
			specs: append(clone(basicPKI),
				spec{label: "bridge", issuer: "root", key: 7},
				spec{label: "int-by-bridge", cn: "int", issuer: "bridge", key: 2}),
			roots: []string{"root"}, input: []string{"leaf", "int-by-bridge", "bridge", "int"},
			want: "leaf -> int -> root",
			check: func(t *testing.T, p *pki, r *Result, _ error) {
				wantRejected(t, p, r, "leaf -> int-by-bridge -> bridge -> root", "longer (4 certificates, the chosen path has 3)")
			},
		},
		{
			name: "leaf with only Server Gated Crypto usages is refused for serverAuth",
			specs: []spec{
				{label: "root", key: 1},
				{label: "int", issuer: "root", key: 2},
				{label: "leaf", issuer: "int", leaf: true, muts: []mut{sgcOnly}},
			},
			roots: []string{"root"}, input: []string{"leaf", "int"},
			wantErr: "invalid",
			errHas:  []string{"lacks Server Authentication (1.3.6.1.5.5.7.3.1)", "2.16.840.1.113730.4.1", "1.3.6.1.4.1.311.10.3.3"},
			check: func(t *testing.T, _ *pki, _ *Result, err error) {
				var inv x509.CertificateInvalidError
				if !errors.As(err, &inv) || inv.Reason != x509.IncompatibleUsage {
					t.Errorf("want the x509 IncompatibleUsage error inside, got %v", err)
				}
			},
		},
		{
			name: "leaf with only Server Gated Crypto passes with ExtKeyUsageAny",
			specs: []spec{
				{label: "root", key: 1},
				{label: "int", issuer: "root", key: 2},
				{label: "leaf", issuer: "int", leaf: true, muts: []mut{sgcOnly}},
			},
			roots: []string{"root"}, input: []string{"leaf", "int"}, usages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
			want: "leaf -> int -> root",
		},
		{
			name: "intermediate without the CA bit",
			specs: []spec{
				{label: "root", key: 1},
				{label: "int", issuer: "root", key: 2, muts: []mut{noCA}},
				{label: "leaf", issuer: "int", leaf: true},
			},
			roots: []string{"root"}, input: []string{"leaf", "int"},
			wantErr: "invalid", errHas: []string{"CN=int is not a CA certificate"},
		},
		{
			name: "SHA-1 signed intermediate is reported as such",
			specs: []spec{
				{label: "root", key: 1},
				{label: "int", issuer: "root", key: 2, muts: []mut{signedSHA1}},
				{label: "leaf", issuer: "int", leaf: true},
			},
			roots: []string{"root"}, input: []string{"leaf", "int"},
			wantErr: "invalid", errHas: []string{"CN=int is signed with SHA-1", "get a SHA-256 reissue"},
		},
		{
			name: "SHA-1 self-signed root (AAA Certificate Services shape) is a fine anchor",
			specs: []spec{
				{label: "AAA", cn: "AAA Certificate Services", key: 1, muts: []mut{signedSHA1}},
				{label: "int", issuer: "AAA", key: 2},
				{label: "leaf", issuer: "int", leaf: true},
			},
			roots: []string{"AAA"}, input: []string{"leaf", "int"},
			want: "leaf -> int -> AAA",
		},
		{
			name: "SHA-1 self-signed root not trusted is still recognised as self-signed",
			specs: []spec{
				{label: "AAA", cn: "AAA Certificate Services", key: 1, muts: []mut{signedSHA1}},
				{label: "int", issuer: "AAA", key: 2},
				{label: "leaf", issuer: "int", leaf: true},
			},
			input:   []string{"leaf", "int", "AAA"},
			wantErr: "untrusted", errHas: []string{"untrusted root CN=AAA Certificate Services: a private or unknown root"},
		},
		{
			name:  "AllowUntrusted: path to a private root",
			specs: basicPKI, input: []string{"leaf", "int", "root"}, allowUntrusted: true,
			want: "leaf -> int -> root", untrusted: true,
			check: func(t *testing.T, p *pki, r *Result, _ error) {
				if !r.InputHadRoot {
					t.Error("InputHadRoot = false")
				}
			},
		},
		{
			name:  "AllowUntrusted: path ends at the last intermediate when the root is missing",
			specs: basicPKI, input: []string{"int", "leaf"}, allowUntrusted: true,
			want: "leaf -> int", untrusted: true,
		},
		{
			name: "AllowUntrusted still prefers a trusted path",
			specs: append(clone(basicPKI),
				spec{label: "root-b", key: 7},
				spec{label: "int-by-b", cn: "int", issuer: "root-b", key: 2}),
			roots: []string{"root"}, input: []string{"leaf", "int-by-b", "root-b", "int"}, allowUntrusted: true,
			want: "leaf -> int -> root",
		},
		{
			name: "loop A -> B -> A terminates",
			specs: []spec{
				{label: "A0", cn: "A", key: 2},
				{label: "B", issuer: "A0", key: 3},
				{label: "A", issuer: "B", key: 2},
				{label: "leaf", issuer: "A", leaf: true},
			},
			input:   []string{"leaf", "A", "B"},
			wantErr: "untrusted", errHas: []string{"CN=B"},
		},
		// Issue 7 item 4c: trust anchors that are not self-signed CAs.
		{
			name:  "an intermediate given as a trust anchor stays on the path",
			specs: basicPKI, roots: []string{"int"}, input: []string{"leaf"},
			want: "leaf -> int",
			check: func(t *testing.T, p *pki, r *Result, _ error) {
				wantAdded(t, p, r, map[string]string{"int": FromRoots})
				if r.InputHadRoot || IsRoot(r.Path[1]) {
					t.Errorf("InputHadRoot %v, IsRoot(int) %v: the anchor is no root", r.InputHadRoot, IsRoot(r.Path[1]))
				}
			},
		},
		{
			name:  "a leaf given as a trust anchor is still the leaf",
			specs: basicPKI, roots: []string{"leaf", "root"}, input: []string{"leaf", "int"},
			want:  "leaf -> int -> root",
			check: func(t *testing.T, p *pki, r *Result, _ error) { wantDropped(t, p, r, nil) },
		},
		{
			name:  "a leaf given as the only trust anchor does not make the chain complete",
			specs: basicPKI, roots: []string{"leaf"}, input: []string{"leaf", "int"},
			wantErr: "missing", errHas: []string{"no issuer found for CN=int: intermediate CN=root missing"},
		},
		{
			name:    "empty input",
			specs:   basicPKI,
			wantErr: "noleaf",
		},
	}
	// Every case three times: the trust anchors as Roots, as lazily parsed
	// Anchors (a machine's trust store), and as Anchors also read on demand
	// (a trust store known by its index), which must all give the same
	// result.
	for _, tt := range tests {
		for _, mode := range []string{"", " (anchors)", " (anchor sources)"} {
			name := tt.name + mode
			t.Run(name, func(t *testing.T) {
				p := newPKI(t, tt.specs)
				opts := Options{
					Roots: p.get(t, tt.roots...), Pool: p.get(t, tt.pool...),
					At: testpki.Epoch, AllowUntrusted: tt.allowUntrusted, KeyUsages: tt.usages,
				}
				switch mode {
				case " (anchors)":
					var ders [][]byte
					for _, c := range opts.Roots {
						ders = append(ders, c.Raw)
					}
					opts.Roots, opts.Anchors = nil, AnchorsFromDER(ders)
				case " (anchor sources)":
					opts.Roots, opts.Anchors = nil, AnchorsFromSources(sourcesOf(opts.Roots))
				}
				if tt.leaf != "" {
					opts.Leaf = p.certs[tt.leaf].Cert
				}
				var src *fakeSource
				if tt.source != nil {
					src = &fakeSource{p: p, answers: tt.source, err: tt.sourceErr}
					opts.Source = src
				}
				r, err := Build(context.Background(), p.get(t, tt.input...), opts)
				if src != nil && src.calls != tt.wantCalls {
					t.Errorf("Source called %d times (for %v), want %d", src.calls, src.asked, tt.wantCalls)
				}
				if tt.wantErr != "" {
					checkErrKind(t, err, tt.wantErr)
					for _, s := range tt.errHas {
						if err != nil && !strings.Contains(err.Error(), s) {
							t.Errorf("error %q lacks %q", err, s)
						}
					}
					if err != nil && strings.Contains(err.Error(), "\n") {
						t.Errorf("error is not one line: %q", err)
					}
				} else {
					if err != nil {
						t.Fatalf("Build: %v", err)
					}
					if got := p.path(r.Path); got != tt.want {
						t.Errorf("path = %s, want %s", got, tt.want)
					}
					if r.Trusted == tt.untrusted {
						t.Errorf("Trusted = %v, want %v", r.Trusted, !tt.untrusted)
					}
					if r.Leaf != r.Path[0] {
						t.Errorf("Leaf %s is not Path[0]", p.label(r.Leaf))
					}
				}
				if tt.check != nil {
					tt.check(t, p, r, err)
				}
			})
		}
	}
}

var errFetch = errors.New("GET http://x/int.cer: 404 Not Found")

func checkErrKind(t *testing.T, err error, kind string) {
	t.Helper()
	var (
		mi  *MissingIssuerError
		ue  *UntrustedError
		inv *InvalidError
	)
	ok := false
	switch kind {
	case "missing":
		ok = errors.As(err, &mi)
	case "untrusted":
		ok = errors.As(err, &ue)
	case "invalid":
		ok = errors.As(err, &inv)
	case "noleaf":
		ok = errors.Is(err, ErrNoLeaf)
	}
	if !ok {
		t.Fatalf("err = %v (%T), want a %s error", err, err, kind)
	}
}

// wantMismatched checks err is a *MissingIssuerError whose Mismatched are
// exactly labels, in order.
func wantMismatched(t *testing.T, p *pki, err error, labels ...string) {
	t.Helper()
	var mi *MissingIssuerError
	if !errors.As(err, &mi) {
		t.Fatalf("err = %v, want a *MissingIssuerError", err)
	}
	var got []string
	for _, c := range mi.Mismatched {
		got = append(got, p.label(c))
	}
	if strings.Join(got, ",") != strings.Join(labels, ",") {
		t.Errorf("Mismatched = %v, want %v", got, labels)
	}
}

func clone(s []spec) []spec { return append([]spec(nil), s...) }

func wantAdded(t *testing.T, p *pki, r *Result, want map[string]string) {
	t.Helper()
	got := make(map[string]string)
	for _, a := range r.Added {
		got[p.label(a.Cert)] = a.From
	}
	if len(got) != len(want) {
		t.Errorf("Added = %v, want %v", got, want)
		return
	}
	for l, from := range want {
		if got[l] != from {
			t.Errorf("Added = %v, want %v", got, want)
			return
		}
	}
}

// wantDropped checks each dropped label's reason contains the wanted text.
func wantDropped(t *testing.T, p *pki, r *Result, want map[string]string) {
	t.Helper()
	got := make(map[string]string)
	for _, d := range r.Dropped {
		got[p.label(d.Cert)] = dropText(d)
	}
	if len(got) != len(want) {
		t.Errorf("Dropped = %v, want %v", got, want)
		return
	}
	for l, reason := range want {
		if !strings.Contains(got[l], reason) {
			t.Errorf("Dropped %s: %q, want it to contain %q", l, got[l], reason)
		}
	}
}

func wantRejected(t *testing.T, p *pki, r *Result, path, reason string) {
	t.Helper()
	var seen []string
	for _, rj := range r.Rejected {
		if p.path(rj.Path) == path {
			if !strings.Contains(rejectText(rj), reason) {
				t.Errorf("Rejected %s: %q, want it to contain %q", path, rejectText(rj), reason)
			}
			return
		}
		seen = append(seen, p.path(rj.Path)+": "+rejectText(rj))
	}
	t.Errorf("path %s not rejected; Rejected: %q", path, seen)
}
