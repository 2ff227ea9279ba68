package bundle

import (
	"bytes"
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"chainfix/internal/testpki"
)

func TestName(t *testing.T) {
	tests := []struct {
		name    string
		subject pkix.Name
		want    string
	}{
		{"common name and organization", pkix.Name{CommonName: "R3", Organization: []string{"Let's Encrypt", "Other"}}, "CN=R3,O=Let's Encrypt"},
		{"common name only", pkix.Name{CommonName: "leaf"}, "CN=leaf"},
		{"organization only", pkix.Name{Organization: []string{"Starfield Technologies, Inc."}}, "O=Starfield Technologies, Inc."},
		{"neither: the full subject", pkix.Name{OrganizationalUnit: []string{"Go Daddy Class 2"}, Country: []string{"US"}}, "OU=Go Daddy Class 2,C=US"},
		{"empty subject: the serial", pkix.Name{}, "serial 2a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &x509.Certificate{Subject: tt.subject, SerialNumber: big.NewInt(42)}
			if got := Name(c); got != tt.want {
				t.Errorf("Name = %q, want %q", got, tt.want)
			}
		})
	}
	if got := Name(nil); got != "<nil>" {
		t.Errorf("Name(nil) = %q", got)
	}
}

// A chain deeper than MaxChainLength is cut there and reported, not walked
// forever.
func TestBuildStopsAtMaxChainLength(t *testing.T) {
	specs := []spec{{label: "c0", key: 1}}
	for i := 1; i <= MaxChainLength+1; i++ {
		specs = append(specs, spec{label: fmt.Sprintf("c%d", i), issuer: fmt.Sprintf("c%d", i-1), key: i + 1})
	}
	specs = append(specs, spec{label: "leaf", issuer: fmt.Sprintf("c%d", MaxChainLength+1), leaf: true})
	p := newPKI(t, specs)
	var input []string
	for _, s := range specs {
		input = append(input, s.label)
	}
	_, err := Build(context.Background(), p.get(t, input[1:]...), Options{Roots: p.get(t, "c0"), At: testpki.Epoch})
	var ue *UntrustedError
	if !errors.As(err, &ue) || len(ue.Path) != MaxChainLength || !strings.Contains(err.Error(), "no trusted root within 8 certificates") {
		t.Fatalf("err = %v, want an UntrustedError for a path cut at %d", err, MaxChainLength)
	}
}

func TestIsSelfSigned(t *testing.T) {
	p := newPKI(t, []spec{
		{label: "root", key: 1},
		{label: "sha1-root", cn: "AAA Certificate Services", key: 3, muts: []mut{signedSHA1}},
		{label: "int", issuer: "root", key: 2},
		// Self-issued, not self-signed: subject and issuer are both CN=root,
		// but the root's key 1 signed this certificate for key 4 (a CA key
		// rollover certificate).
		{label: "rollover", cn: "root", issuer: "root", key: 4},
		{label: "leaf", issuer: "int", leaf: true},
		{label: "self-signed-leaf", leaf: true},
	})
	if c := p.certs["rollover"].Cert; !bytes.Equal(c.RawSubject, c.RawIssuer) {
		t.Fatal("fixture: the rollover certificate is not self-issued")
	}
	if c := p.certs["sha1-root"].Cert; c.SignatureAlgorithm != x509.SHA1WithRSA {
		t.Fatalf("fixture: sha1-root is signed with %v", c.SignatureAlgorithm)
	}
	tests := []struct {
		label string
		want  bool
	}{
		{"root", true},
		{"sha1-root", true},
		{"int", false},
		{"rollover", false},
		{"leaf", false},
		{"self-signed-leaf", true},
	}
	for _, tt := range tests {
		t.Run(tt.label, func(t *testing.T) {
			if got := IsSelfSigned(p.certs[tt.label].Cert); got != tt.want {
				t.Errorf("IsSelfSigned(%s) = %v, want %v", tt.label, got, tt.want)
			}
		})
	}
	t.Run("nil", func(t *testing.T) {
		if IsSelfSigned(nil) {
			t.Error("IsSelfSigned(nil) = true")
		}
	})
}
