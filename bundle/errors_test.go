package bundle

import (
	"crypto/x509"
	"errors"
	"strings"
	"testing"
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
