package bundle

import (
	"context"
	"crypto/x509"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"chainfix/internal/testpki"
)

func TestDiagnose(t *testing.T) {
	withLeaf := func(muts ...mut) []spec {
		return []spec{
			{label: "root", key: 1},
			{label: "int", issuer: "root", key: 2},
			{label: "leaf", issuer: "int", leaf: true, muts: muts},
		}
	}
	tests := []struct {
		name           string
		specs          []spec
		served         []string
		roots, pool    []string
		allowUntrusted bool
		// result: "build" (Build must succeed), "invalid" (Build must fail
		// with *InvalidError; its path is diagnosed as a trusted one, as the
		// CLI does), "none" (r = nil).
		result  string
		host    string
		usages  []x509.ExtKeyUsage // for Build and Diagnose; nil = server
		want    []string           // codes, in order
		subject string             // label of the first finding's certificate, when set
		msgHas  string             // text in the first finding's message
		fixHas  string             // text in the first finding's fix
	}{
		{name: "complete chain in order", specs: basicPKI, served: []string{"leaf", "int"}, roots: []string{"root"},
			result: "build", host: "leaf.example", want: []string{IDOK}},
		{name: "missing intermediate", specs: basicPKI, served: []string{"leaf"}, roots: []string{"root"}, pool: []string{"int"},
			result: "build", want: []string{IDChainIncomplete}, subject: "int"},
		{name: "wrong order", specs: basicPKI, served: []string{"int", "leaf"}, roots: []string{"root"},
			result: "build", want: []string{IDChainOrder}, msgHas: "first sent: CN=int"},
		{name: "duplicate", specs: basicPKI, served: []string{"leaf", "int", "int"}, roots: []string{"root"},
			result: "build", want: []string{IDChainDuplicate}, subject: "int"},
		{name: "extra unrelated certificate", specs: append(clone(basicPKI), spec{label: "other", key: 7}),
			served: []string{"leaf", "int", "other"}, roots: []string{"root"},
			result: "build", want: []string{IDChainExtra}, subject: "other"},
		{name: "root sent is harmless", specs: basicPKI, served: []string{"leaf", "int", "root"}, roots: []string{"root"},
			result: "build", want: []string{IDChainRootIncluded, IDOK}, subject: "root"},
		{name: "expired cross-sign sent (long Let's Encrypt chain)", specs: lePKI,
			served: []string{"leaf", "R3", "X1-by-DST"}, roots: []string{"X1"},
			result: "build", want: []string{IDChainExpiredCrossSign}, subject: "X1-by-DST", msgHas: "expired 2024-09-30"},
		{name: "expired leaf", specs: withLeaf(expired), served: []string{"leaf", "int"}, roots: []string{"root"},
			result: "invalid", want: []string{IDCertExpired}, subject: "leaf", msgHas: "expired 2021-09-30"},
		{name: "leaf not yet valid", specs: withLeaf(notBefore(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))),
			served: []string{"leaf", "int"}, roots: []string{"root"},
			result: "invalid", want: []string{IDCertNotYetValid}, subject: "leaf"},
		{name: "leaf expires within 30 days", specs: withLeaf(notAfter(testpki.Epoch.Add(10 * 24 * time.Hour))),
			served: []string{"leaf", "int"}, roots: []string{"root"},
			result: "build", want: []string{IDCertExpiringSoon}, subject: "leaf", msgHas: "in 10 days"},
		{name: "host not in the SANs", specs: basicPKI, served: []string{"leaf", "int"}, roots: []string{"root"},
			result: "build", host: "www.other.example", want: []string{IDNameMismatch}, msgHas: "leaf.example"},
		{name: "leaf with only SGC usages", specs: withLeaf(sgcOnly), served: []string{"leaf", "int"}, roots: []string{"root"},
			result: "invalid", want: []string{IDEKUSGCOnly}, msgHas: "Netscape Server Gated Crypto (2.16.840.1.113730.4.1)"},
		{name: "self-signed leaf", specs: []spec{{label: "leaf", leaf: true}}, served: []string{"leaf"}, allowUntrusted: true,
			result: "build", want: []string{IDLeafSelfSigned}, subject: "leaf"},
		{name: "private root", specs: basicPKI, served: []string{"leaf", "int", "root"}, allowUntrusted: true,
			result: "build", want: []string{IDChainUntrustedRoot, IDChainRootIncluded}, subject: "root", msgHas: "private or unknown root"},
		{name: "issuer not found anywhere: the missing intermediate is named", specs: basicPKI, served: []string{"leaf"}, allowUntrusted: true,
			result: "build", want: []string{IDChainIncomplete}, subject: "leaf", msgHas: "the issuer of CN=leaf, CN=int, is not sent and could not be found (the certificate names no AIA URL"},
		{name: "client certificate judged for client authentication", specs: withLeaf(clientOnly), served: []string{"leaf", "int"}, roots: []string{"root"},
			result: "build", usages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, want: []string{IDOK}},
		{name: "server certificate judged for client authentication", specs: withLeaf(serverOnly), served: []string{"leaf", "int"}, roots: []string{"root"},
			result: "invalid", usages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, want: []string{IDEKUNoClientAuth}, msgHas: "1.3.6.1.5.5.7.3.2"},
		{name: "CA certificates only: no leaf", specs: basicPKI, served: []string{"int", "root"}, roots: []string{"root"},
			result: "build", want: []string{IDChainNoLeaf, IDChainRootIncluded}, subject: "int"},
		{name: "SHA-1 signed intermediate",
			specs: []spec{
				{label: "root", key: 1},
				{label: "int", issuer: "root", key: 2, muts: []mut{signedSHA1}},
				{label: "leaf", issuer: "int", leaf: true},
			},
			served: []string{"leaf", "int"}, roots: []string{"root"},
			result: "invalid", want: []string{IDWeakSignature}, subject: "int"},
		{name: "intermediate expires before the leaf",
			specs: []spec{
				{label: "root", key: 1},
				{label: "int", issuer: "root", key: 2, muts: []mut{notAfter(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))}},
				{label: "leaf", issuer: "int", leaf: true, muts: []mut{notAfter(time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC))}},
			},
			served: []string{"leaf", "int"}, roots: []string{"root"},
			result: "build", want: []string{IDChainIntermediateExpiresFirst}, subject: "int"},
		{name: "wrong intermediate served instead of the right one", specs: wrongPKI,
			served: []string{"leaf", "int-sibling"}, roots: []string{"root"}, pool: []string{"int"},
			result: "build", want: []string{IDChainWrongIntermediate, IDChainIncomplete}, subject: "int-sibling",
			msgHas: "CN=Int,O=X is sent as the issuer of CN=leaf (it has that name) but did not sign it",
			fixHas: "replace it with the intermediate that issued CN=leaf: chainfix build fetches or picks the right one"},
		{name: "wrong intermediate served next to the right one", specs: wrongPKI,
			served: []string{"leaf", "int", "int-sibling"}, roots: []string{"root"},
			result: "build", want: []string{IDChainWrongIntermediate}, subject: "int-sibling"},
		{name: "wrong intermediate served, no chain built", specs: wrongPKI,
			served: []string{"leaf", "int-sibling"},
			result: "none", want: []string{IDChainWrongIntermediate}, subject: "int-sibling", msgHas: "issuer of CN=leaf"},
		{name: "a CA with the root's name that did not sign the intermediate", specs: wrongPKI,
			served: []string{"leaf", "int", "root-sibling"}, roots: []string{"root"},
			result: "build", want: []string{IDChainWrongIntermediate}, subject: "root-sibling", msgHas: "issuer of CN=Int,O=X",
			fixHas: "the intermediate that issued CN=Int,O=X"},
		{name: "a valid cross-sign of the intermediate is an extra, not a wrong one",
			specs:  append(clone(basicPKI), spec{label: "root-b", key: 7}, spec{label: "int-by-b", cn: "int", issuer: "root-b", key: 2}),
			served: []string{"leaf", "int", "int-by-b"}, roots: []string{"root"},
			result: "build", want: []string{IDChainExtra}, subject: "int-by-b"},
		// Issue 7 item 4b: the misplaced certificate and its position are named.
		{name: "wrong order names the certificate sent before the leaf", specs: basicPKI, served: []string{"int", "leaf"}, roots: []string{"root"},
			result: "build", want: []string{IDChainOrder}, subject: "int",
			msgHas: "CN=int is sent at position 1, before the leaf CN=leaf (position 2)"},
		{name: "wrong order names the root sent before the intermediate", specs: basicPKI, served: []string{"leaf", "root", "int"}, roots: []string{"root"},
			result: "build", want: []string{IDChainOrder, IDChainRootIncluded}, subject: "root",
			msgHas: "CN=root is sent at position 2, before CN=int (position 3)"},
		// Issue 7 item 4a: what openssl req -x509 makes by default (a
		// self-signed certificate with CA:TRUE) is a self-signed leaf, once.
		{name: "self-signed CA certificate alone", specs: []spec{{label: "selfca", cn: "www", key: 3, muts: []mut{dns("www.example")}}},
			served: []string{"selfca"}, allowUntrusted: true,
			result: "build", want: []string{IDLeafSelfSigned}, subject: "selfca"},
		{name: "self-signed CA certificate alone, no chain built", specs: []spec{{label: "selfca", cn: "www", key: 3, muts: []mut{dns("www.example")}}},
			served: []string{"selfca"}, result: "none", want: []string{IDLeafSelfSigned}, subject: "selfca"},
		{name: "self-signed CA certificate alone, trusted", specs: []spec{{label: "selfca", cn: "www", key: 3, muts: []mut{dns("www.example")}}},
			served: []string{"selfca"}, roots: []string{"selfca"},
			result: "build", want: []string{IDLeafSelfSigned}, subject: "selfca"},
		// Issue 7 item 4c: a trust anchor that is not a root is an
		// intermediate clients must be sent; a leaf given as a root is the leaf.
		{name: "intermediate given as the trust anchor and not sent", specs: basicPKI, served: []string{"leaf"}, roots: []string{"int"},
			result: "build", want: []string{IDChainIncomplete}, subject: "int", msgHas: "the intermediate CN=int is not sent"},
		{name: "intermediate given as the trust anchor and sent", specs: basicPKI, served: []string{"leaf", "int"}, roots: []string{"int"},
			result: "build", want: []string{IDOK}},
		{name: "leaf given as a root next to the real root", specs: basicPKI, served: []string{"leaf", "int"}, roots: []string{"leaf", "root"},
			result: "build", want: []string{IDOK}},
		{name: "leaf given as the only root: the intermediate is still needed", specs: basicPKI, served: []string{"leaf", "int"}, roots: []string{"leaf"}, allowUntrusted: true,
			result: "build", want: []string{IDChainIncomplete}, subject: "int", msgHas: "the issuer of CN=int, CN=root, is not sent"},
		{name: "nothing served", specs: basicPKI, result: "none", want: []string{IDNoCertificates}},
		{name: "no result: served certificates judged alone",
			specs: []spec{
				{label: "root", key: 1},
				{label: "int", issuer: "root", key: 2, muts: []mut{expired}},
				{label: "leaf", issuer: "int", leaf: true},
			},
			served: []string{"leaf", "int"}, result: "none", want: []string{IDCertExpired}, subject: "int"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPKI(t, tt.specs)
			served := p.get(t, tt.served...)
			var r *Result
			if tt.result != "none" {
				r = resultFor(t, served, Options{Roots: p.get(t, tt.roots...), Pool: p.get(t, tt.pool...), At: testpki.Epoch, AllowUntrusted: tt.allowUntrusted, KeyUsages: tt.usages}, tt.result)
			}
			got := Diagnose(served, r, DiagnoseOptions{At: testpki.Epoch, Host: tt.host, KeyUsages: tt.usages})
			var codes []string
			for _, f := range got {
				codes = append(codes, f.ID)
				if f.Message == "" || f.Severity == "" {
					t.Errorf("finding %s lacks a message or severity", f.ID)
				}
				if f.Severity != SeverityInfo && f.Fix == "" {
					t.Errorf("finding %s has no fix", f.ID)
				}
				if strings.Contains(f.Message, "\n") {
					t.Errorf("finding %s message is not one line", f.ID)
				}
			}
			if !slices.Equal(codes, tt.want) {
				for _, f := range got {
					t.Logf("%s %s: %s (%s)", f.Severity, f.ID, f.Message, f.Fix)
				}
				t.Fatalf("codes = %v, want %v", codes, tt.want)
			}
			if tt.subject != "" {
				if got[0].Cert == nil || p.label(got[0].Cert) != tt.subject || got[0].Subject != Name(got[0].Cert) {
					t.Errorf("first finding is about %q (%v), want %s", got[0].Subject, got[0].Cert != nil, tt.subject)
				}
			}
			if !strings.Contains(got[0].Message, tt.msgHas) {
				t.Errorf("message %q lacks %q", got[0].Message, tt.msgHas)
			}
			if !strings.Contains(got[0].Fix, tt.fixHas) {
				t.Errorf("fix %q lacks %q", got[0].Fix, tt.fixHas)
			}
		})
	}
}

// resultFor builds served and returns what Diagnose is to judge: the
// Result when want is "build" (Build must succeed), or, when want is
// "invalid", the path crypto/x509 refused taken as trusted (Build must
// fail with an *InvalidError), as the CLI's check does.
func resultFor(t *testing.T, served []*x509.Certificate, opts Options, want string) *Result {
	t.Helper()
	r, err := Build(context.Background(), served, opts)
	var inv *InvalidError
	switch {
	case want == "build" && err != nil:
		t.Fatalf("Build: %v", err)
	case want == "invalid" && !errors.As(err, &inv):
		t.Fatalf("Build: %v, want an *InvalidError", err)
	case want == "invalid":
		r = &Result{Leaf: inv.Path[0], Path: inv.Path, Trusted: true}
	}
	return r
}
