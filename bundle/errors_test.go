package bundle

import (
	"context"
	"crypto/x509"
	"errors"
	"strings"
	"testing"

	"chainfix/internal/testpki"
)

// The CLI matches the prefix "no issuer found for <child>: intermediate
// <issuer> missing"; what follows it must stay on the same line.
func TestMissingIssuerErrorMessage(t *testing.T) {
	p := newPKI(t, wrongPKI)
	leaf, sib, other := p.certs["leaf"].Cert, p.certs["int-sibling"].Cert, p.certs["int-other"].Cert
	cause := errors.New("GET http://x/int.cer: 404 Not Found")
	const prefix = "no issuer found for CN=leaf: intermediate CN=Int,O=X missing"
	tests := []struct {
		name string
		err  *MissingIssuerError
		want string
	}{
		{"nothing with the issuer's name", &MissingIssuerError{Cert: leaf}, prefix},
		{"nothing with the issuer's name, with a cause", &MissingIssuerError{Cert: leaf, Cause: cause}, prefix + " (GET http://x/int.cer: 404 Not Found)"},
		{"one built by hand, origin unknown", &MissingIssuerError{Cert: leaf, Mismatched: []*x509.Certificate{sib}},
			prefix + "; CN=Int,O=X has the right name but did not sign CN=leaf (another key: a renewed or sibling CA, or a damaged copy)"},
		{"two from the same place, with a cause", &MissingIssuerError{Cert: leaf, Mismatched: []*x509.Certificate{sib, other}, mismatchedWhere: []string{"in the input", "in the input"}, Cause: cause},
			prefix + "; 2 certificates named CN=Int,O=X (in the input) have the right name but none signed CN=leaf (other keys: renewed or sibling CAs, or damaged copies) (GET http://x/int.cer: 404 Not Found)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.err.Error()
			if got != tt.want {
				t.Errorf("Error() =\n  %q\nwant\n  %q", got, tt.want)
			}
			if !strings.HasPrefix(got, prefix) || strings.Contains(got, "\n") {
				t.Errorf("Error() %q lost the prefix or is not one line", got)
			}
		})
	}
}

// Issue 7 item 5: an error names each certificate once.
func TestErrorsNameEachCertificateOnce(t *testing.T) {
	t.Run("invalid: the leaf at fault", func(t *testing.T) {
		p := newPKI(t, []spec{
			{label: "root", key: 1},
			{label: "int", issuer: "root", key: 2},
			{label: "leaf", issuer: "int", leaf: true, muts: []mut{expired}},
		})
		_, err := Build(context.Background(), p.get(t, "leaf", "int"), Options{Roots: p.get(t, "root"), At: testpki.Epoch})
		const want = "invalid chain: CN=leaf expired 2021-09-30 (checked at 2026-06-01)"
		if err == nil || err.Error() != want {
			t.Errorf("err = %v, want %q", err, want)
		}
	})
	t.Run("invalid: an intermediate at fault", func(t *testing.T) {
		p := newPKI(t, []spec{
			{label: "root", key: 1},
			{label: "int", issuer: "root", key: 2, muts: []mut{expired}},
			{label: "leaf", issuer: "int", leaf: true},
		})
		_, err := Build(context.Background(), p.get(t, "leaf", "int"), Options{Roots: p.get(t, "root"), At: testpki.Epoch})
		const want = "invalid chain for CN=leaf: CN=int expired 2021-09-30 (checked at 2026-06-01)"
		if err == nil || err.Error() != want {
			t.Errorf("err = %v, want %q", err, want)
		}
	})
	t.Run("missing issuer with a Source error that names the certificate", func(t *testing.T) {
		p := newPKI(t, basicPKI)
		src := sourceFunc(func(_ context.Context, c *x509.Certificate) ([]*x509.Certificate, error) {
			return nil, errors.New("no issuer of " + c.Subject.String() + " found via AIA: http://x/int.cer: status 404 Not Found")
		})
		_, err := Build(context.Background(), p.get(t, "leaf"), Options{Roots: p.get(t, "root"), At: testpki.Epoch, Source: src})
		const want = "no issuer found for CN=leaf: intermediate CN=int missing (no issuer of CN=leaf found via AIA: http://x/int.cer: status 404 Not Found)"
		if err == nil || err.Error() != want {
			t.Errorf("err = %v\nwant %q", err, want)
		}
	})
}
