package bundle

import (
	"context"
	"strings"
	"testing"
	"time"

	"chainfix/internal/testpki"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// The leaf rule: among the input certificates that issue no other, a non-CA
// before a CA, valid at At before not, a renewal before the certificate it
// replaces, then input order.
func TestBuildLeafChoice(t *testing.T) {
	// www-old and www-new: a certificate and its renewal (same subject and
	// names, same intermediate), as a renewal script leaves them in one file.
	base := []spec{
		{label: "root", key: 1},
		{label: "int", issuer: "root", key: 2},
		{label: "other-root", key: 7},
		{label: "other-int", issuer: "other-root", key: 8},
		{label: "www-old", cn: "www", issuer: "int", leaf: true, muts: []mut{notBefore(date(2025, 6, 2)), notAfter(date(2026, 6, 2))}},
		{label: "www-new", cn: "www", issuer: "int", leaf: true, muts: []mut{notBefore(date(2026, 5, 1)), notAfter(date(2027, 5, 1))}},
		{label: "www-same-day", cn: "www", issuer: "int", leaf: true, muts: []mut{notBefore(date(2026, 5, 1)), notAfter(date(2027, 4, 1))}},
		{label: "www-more-names", cn: "www", issuer: "int", leaf: true, muts: []mut{notBefore(date(2026, 5, 1)), notAfter(date(2027, 5, 1)), dns("www.example", "www2.example")}},
		{label: "www-future", cn: "www", issuer: "int", leaf: true, muts: []mut{notBefore(date(2026, 7, 1)), notAfter(date(2027, 7, 1))}},
		{label: "www-elsewhere", cn: "www", issuer: "int", leaf: true, muts: []mut{notBefore(date(2026, 5, 1)), dns("www.elsewhere.example")}},
		{label: "a", issuer: "int", leaf: true},
		{label: "a-expired", cn: "a", issuer: "int", leaf: true, muts: []mut{expired}},
		{label: "b", issuer: "int", leaf: true, muts: []mut{notBefore(date(2026, 5, 1))}},
	}
	const renewalReason = "chose CN=www (valid until 2027-05-01, issued 2026-05-01) over CN=www (valid until 2026-06-02, issued 2025-06-02: older)"
	tests := []struct {
		name    string
		input   []string
		at      time.Time // zero: testpki.Epoch
		want    string    // the leaf's label
		reason  string    // the leaf choice in words (report.LeafReason), exactly
		dropped map[string]string
	}{
		{
			name: "renewal later in the file wins", input: []string{"www-old", "www-new", "int"},
			want: "www-new", reason: renewalReason,
			dropped: map[string]string{"www-old": "another leaf certificate, not the one chosen (CN=www): older"},
		},
		{
			name: "renewal earlier in the file wins too", input: []string{"www-new", "int", "www-old"},
			want: "www-new", reason: renewalReason,
		},
		{
			name: "renewal that adds a name is still a renewal", input: []string{"www-old", "www-more-names", "int"},
			want: "www-more-names", reason: renewalReason,
		},
		{
			name: "after the old one expires the valid renewal is chosen", input: []string{"www-old", "www-new", "int"},
			at:   date(2026, 7, 1),
			want: "www-new", reason: "chose CN=www (valid until 2027-05-01, issued 2026-05-01) over CN=www (expired 2026-06-02)",
			dropped: map[string]string{"www-old": "another leaf certificate, not the one chosen (CN=www): expired 2026-06-02"},
		},
		{
			name: "expired first one loses to a valid second", input: []string{"a-expired", "b", "int"},
			want: "b", reason: "chose CN=b (valid until 2049-12-31, issued 2026-05-01) over CN=a (expired 2021-09-30)",
		},
		{
			name: "renewal not yet valid: the current certificate stays", input: []string{"www-future", "www-old", "int"},
			want: "www-old", reason: "chose CN=www (valid until 2026-06-02, issued 2025-06-02) over CN=www (not valid before 2026-07-01)",
		},
		{
			name: "two issues on the same day: input order", input: []string{"www-same-day", "www-new", "int"},
			want: "www-same-day", reason: "chose CN=www (valid until 2027-04-01, issued 2026-05-01) over CN=www (valid until 2027-05-01, issued 2026-05-01: issued at the same time, later in the input)",
		},
		{
			name: "two different sites keep input order although the second is newer", input: []string{"a", "b", "int"},
			want: "a", reason: "chose CN=a (valid until 2049-12-31, issued 2025-01-01) over CN=b (valid until 2049-12-31, issued 2026-05-01: listed after CN=a)",
			dropped: map[string]string{"b": "another leaf certificate, not the one chosen (CN=a): listed after CN=a"},
		},
		{
			name: "two different sites in the other order", input: []string{"b", "a", "int"},
			want: "b", reason: "chose CN=b (valid until 2049-12-31, issued 2026-05-01) over CN=a (valid until 2049-12-31, issued 2025-01-01: listed after CN=b)",
		},
		{
			name: "same subject without a name in common is another site", input: []string{"www-old", "www-elsewhere", "int"},
			want: "www-old", reason: "chose CN=www (valid until 2026-06-02, issued 2025-06-02) over CN=www (valid until 2049-12-31, issued 2026-05-01: listed after CN=www)",
		},
		{
			name: "a renewal placed after another site still beats the old one", input: []string{"www-old", "a", "www-new", "int"},
			want:   "www-new",
			reason: "chose CN=www (valid until 2027-05-01, issued 2026-05-01) over CN=www (valid until 2026-06-02, issued 2025-06-02: older), CN=a (valid until 2049-12-31, issued 2025-01-01: listed after CN=www)",
		},
		{
			name: "stray CA certificates are never listed as candidates", input: []string{"other-root", "www-old", "other-int", "www-new", "int"},
			want: "www-new", reason: renewalReason,
			dropped: map[string]string{
				"other-root": "unrelated", "other-int": "unrelated",
				"www-old": "another leaf certificate",
			},
		},
		{
			name: "one leaf and a stray root: no choice to explain", input: []string{"other-root", "a", "int"},
			want: "a", reason: "",
		},
		{
			name: "CA-only input still works", input: []string{"root", "int"},
			want: "int", reason: "the input holds only CA certificates; CN=int is the one that issues no other",
		},
		{
			name: "CA-only input with two candidates: input order", input: []string{"int", "other-int"},
			want: "int", reason: "the input holds only CA certificates; chose CN=int (valid until 2049-12-31, issued 2025-01-01) over CN=other-int (valid until 2049-12-31, issued 2025-01-01: listed after CN=int)",
		},
	}
	p := newPKI(t, base)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at := tt.at
			if at.IsZero() {
				at = testpki.Epoch
			}
			r, err := Build(context.Background(), p.get(t, tt.input...), Options{Roots: p.get(t, "root"), At: at})
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			if got := p.label(r.Leaf); got != tt.want {
				t.Errorf("leaf = %s, want %s (LeafReason %q)", got, tt.want, leafText(r))
			}
			if leafText(r) != tt.reason {
				t.Errorf("LeafReason =\n  %q\nwant\n  %q", leafText(r), tt.reason)
			}
			caOnly := strings.HasPrefix(leafText(r), "the input holds only CA")
			if !caOnly && (strings.Contains(leafText(r), "other-root") || strings.Contains(leafText(r), "other-int")) {
				t.Errorf("LeafReason %q lists a CA while a non-CA candidate exists", leafText(r))
			}
			for label, want := range tt.dropped {
				found := false
				for _, d := range r.Dropped {
					if p.label(d.Cert) == label {
						found = true
						if !strings.Contains(dropText(d), want) {
							t.Errorf("Dropped %s: %q, want it to contain %q", label, dropText(d), want)
						}
					}
				}
				if !found {
					t.Errorf("%s not dropped; Dropped = %v", label, r.Dropped)
				}
			}
		})
	}
}
