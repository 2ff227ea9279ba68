package bundle

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"chainfix/internal/testpki"
)

func TestFindLeaf(t *testing.T) {
	p := newPKI(t, []spec{
		{label: "root", key: 1},
		{label: "int", issuer: "root", key: 2},
		{label: "www-old", cn: "www", issuer: "int", leaf: true, muts: []mut{notBefore(date(2025, 6, 2)), notAfter(date(2026, 6, 2))}},
		{label: "www-new", cn: "www", issuer: "int", leaf: true, muts: []mut{notBefore(date(2026, 5, 1)), notAfter(date(2027, 5, 1))}},
		{label: "www-twin", cn: "www", issuer: "int", leaf: true, muts: []mut{notBefore(date(2026, 5, 1)), notAfter(date(2027, 4, 1))}},
		{label: "www-future", cn: "www", issuer: "int", leaf: true, muts: []mut{notBefore(date(2026, 7, 1)), notAfter(date(2027, 7, 1))}},
		{label: "api", issuer: "int", leaf: true, muts: []mut{dns("api.example", "API2.example")}},
	})
	s256 := func(l string) string {
		h := sha256.Sum256(p.certs[l].Cert.Raw)
		return hex.EncodeToString(h[:])
	}
	colons := func(h string) string {
		var parts []string
		for i := 0; i+2 <= len(h); i += 2 {
			parts = append(parts, h[i:i+2])
		}
		return strings.Join(parts, ":")
	}
	tests := []struct {
		name    string
		input   []string
		by      string
		at      time.Time // zero: testpki.Epoch
		want    string    // label
		wantErr error
	}{
		{name: "by common name, any case", input: []string{"int", "api"}, by: "API", want: "api"},
		{name: "by DNS name, any case", input: []string{"int", "api"}, by: "api2.EXAMPLE", want: "api"},
		{name: "by SHA-256 prefix", input: []string{"www-old", "www-new"}, by: s256("www-old")[:8], want: "www-old"},
		{name: "by SHA-256 prefix with colons, upper case", input: []string{"www-old", "www-new"}, by: strings.ToUpper(colons(s256("www-new")[:16])), want: "www-new"},
		{name: "by SHA-1 thumbprint prefix", input: []string{"www-old", "www-new"}, by: SHA1Thumbprint(p.certs["www-old"].Cert)[:10], want: "www-old"},
		{name: "a renewal: the newest wins", input: []string{"www-new", "www-old"}, by: "www", want: "www-new"},
		{name: "the valid one before the newest", input: []string{"www-future", "www-old"}, by: "www", want: "www-old"},
		{name: "once the old one expired", input: []string{"www-old", "www-new"}, by: "www", at: date(2026, 7, 1), want: "www-new"},
		{name: "equally good: ambiguous", input: []string{"www-new", "www-twin"}, by: "www", wantErr: ErrLeafAmbiguous},
		{name: "nothing of that name", input: []string{"int", "api"}, by: "nosuch.example", wantErr: ErrLeafNotFound},
		{name: "7 hex digits are a name, not a fingerprint", input: []string{"www-old"}, by: s256("www-old")[:7], wantErr: ErrLeafNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at := tt.at
			if at.IsZero() {
				at = testpki.Epoch
			}
			got, err := FindLeaf(p.get(t, tt.input...), tt.by, at)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !strings.HasPrefix(err.Error(), `"`+tt.by+`": `) {
					t.Fatalf("err = %v, want %v beginning with the name quoted", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.label(got) != tt.want {
				t.Errorf("FindLeaf = %s, want %s", p.label(got), tt.want)
			}
		})
	}
	t.Run("ambiguity is counted", func(t *testing.T) {
		_, err := FindLeaf(p.get(t, "www-new", "www-twin", "www-old"), "www", testpki.Epoch)
		if err == nil || err.Error() != `"www": 2 input certificates match equally; give a SHA-256 fingerprint prefix instead` {
			t.Errorf("err = %v", err)
		}
	})
}

// One leaf rule: FindLeaf among a certificate and its renewals picks what
// Build's leaf choice picks among the same.
func TestFindLeafAgreesWithBuild(t *testing.T) {
	p := newPKI(t, []spec{
		{label: "root", key: 1},
		{label: "int", issuer: "root", key: 2},
		{label: "www-old", cn: "www", issuer: "int", leaf: true, muts: []mut{notBefore(date(2025, 6, 2)), notAfter(date(2026, 6, 2))}},
		{label: "www-new", cn: "www", issuer: "int", leaf: true, muts: []mut{notBefore(date(2026, 5, 1)), notAfter(date(2027, 5, 1))}},
		{label: "www-future", cn: "www", issuer: "int", leaf: true, muts: []mut{notBefore(date(2026, 7, 1)), notAfter(date(2027, 7, 1))}},
	})
	for _, at := range []time.Time{testpki.Epoch, date(2026, 7, 2), date(2025, 7, 1)} {
		for _, input := range [][]string{{"www-old", "www-new", "www-future"}, {"www-future", "www-new", "www-old"}} {
			certs := p.get(t, input...)
			found, err := FindLeaf(certs, "www", at)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Build(context.Background(), append(certs, p.certs["int"].Cert), Options{Roots: p.get(t, "root"), At: at, AllowUntrusted: true})
			var inv *InvalidError
			switch {
			case errors.As(err, &inv):
				if inv.Path[0] != found {
					t.Errorf("at %s, input %v: Build chose %s, FindLeaf %s", day(at), input, p.label(inv.Path[0]), p.label(found))
				}
			case err != nil:
				t.Fatal(err)
			case r.Leaf != found:
				t.Errorf("at %s, input %v: Build chose %s, FindLeaf %s", day(at), input, p.label(r.Leaf), p.label(found))
			}
		}
	}
}
