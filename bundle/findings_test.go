package bundle

import (
	"crypto"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"chainfix/internal/testpki"
)

// Issue 8: each finding id with a certificate made to show it, and a
// certificate where it must not fire.

func noSANs(t *testpki.Template, _ *mutState) { t.DNS = nil }

func ipSAN(ips ...string) mut {
	return func(t *testpki.Template, _ *mutState) {
		for _, s := range ips {
			t.IPs = append(t.IPs, net.ParseIP(s))
		}
	}
}

func keyUsage(ku x509.KeyUsage) mut {
	return func(t *testpki.Template, _ *mutState) { t.KeyUsage = ku }
}

func leafIsCA(t *testpki.Template, _ *mutState) { t.LeafCA = true }

func withKey(k crypto.Signer) mut {
	return func(t *testpki.Template, _ *mutState) { t.Key = k }
}

func pathLenZero(t *testpki.Template, _ *mutState) { t.PathLenZero = true }

func ekus(us ...x509.ExtKeyUsage) mut {
	return func(t *testpki.Template, _ *mutState) { t.EKU = us }
}

var (
	rsa1024Once sync.Once
	rsa1024     crypto.Signer
)

// weakRSAKey is a 1024-bit RSA key, made once (not committed: only its
// size matters).
func weakRSAKey(t *testing.T) crypto.Signer {
	rsa1024Once.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 1024)
		if err != nil {
			t.Fatal(err)
		}
		rsa1024 = k
	})
	return rsa1024
}

func TestDiagnoseFindings(t *testing.T) {
	withLeaf := func(muts ...mut) []spec {
		return []spec{
			{label: "root", key: 1},
			{label: "int", issuer: "root", key: 2},
			{label: "leaf", issuer: "int", leaf: true, muts: muts},
		}
	}
	soon := testpki.Epoch.Add(5*24*time.Hour + time.Hour)
	tests := []struct {
		name   string
		specs  []spec
		served []string
		result string // "build" or "invalid", as in TestDiagnose
		host   string
		names  []string
		want   []string
		sev    string // severity of the first finding, when set
		about  string // label of the first finding's certificate
		msgHas string
	}{
		// name-cn-only
		{name: "name only in the CN", specs: withLeaf(noSANs), served: []string{"leaf", "int"}, result: "build", host: "leaf",
			want: []string{IDNameCNOnly}, about: "leaf", msgHas: "only in its subject CN"},
		{name: "name only in the CN, by a wildcard CN", specs: []spec{{label: "root", key: 1}, {label: "int", issuer: "root", key: 2},
			{label: "leaf", cn: "*.example", issuer: "int", leaf: true, muts: []mut{noSANs}}}, served: []string{"leaf", "int"}, result: "build",
			names: []string{"www.example"}, want: []string{IDNameCNOnly}},
		{name: "no SAN and the CN is another name: a mismatch", specs: withLeaf(noSANs), served: []string{"leaf", "int"}, result: "build", host: "other",
			want: []string{IDNameMismatch}},
		{name: "name in the SANs: neither", specs: withLeaf(), served: []string{"leaf", "int"}, result: "build", host: "leaf.example",
			want: []string{IDOK}},
		// name-mismatch with --name: every name, IP addresses too
		{name: "every --name is checked", specs: withLeaf(), served: []string{"leaf", "int"}, result: "build", names: []string{"leaf.example", "www.other"},
			want: []string{IDNameMismatch}, msgHas: "not valid for www.other; its names are: leaf.example"},
		{name: "an IP SAN covers the address", specs: withLeaf(ipSAN("192.0.2.7")), served: []string{"leaf", "int"}, result: "build", names: []string{"192.0.2.7", "[192.0.2.7]"},
			want: []string{IDOK}},
		{name: "an IP address not in the SANs", specs: withLeaf(ipSAN("192.0.2.7")), served: []string{"leaf", "int"}, result: "build", names: []string{"192.0.2.8"},
			want: []string{IDNameMismatch}, msgHas: "192.0.2.7"},
		// eku-sgc-only
		{name: "SGC usages only", specs: withLeaf(sgcOnly), served: []string{"leaf", "int"}, result: "invalid",
			want: []string{IDEKUSGCOnly}, sev: SeverityError, msgHas: `"SSL Error 61"`},
		{name: "SGC next to Server Authentication is fine", specs: withLeaf(ekus(x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageNetscapeServerGatedCrypto)),
			served: []string{"leaf", "int"}, result: "build", want: []string{IDOK}},
		{name: "no Server Authentication and no SGC: the plain EKU finding", specs: withLeaf(ekus(x509.ExtKeyUsageCodeSigning)),
			served: []string{"leaf", "int"}, result: "invalid", want: []string{IDEKUNoServerAuth}},
		// ku-mismatch
		{name: "ECDSA key without digitalSignature", specs: withLeaf(keyUsage(x509.KeyUsageKeyEncipherment)), served: []string{"leaf", "int"}, result: "build",
			want: []string{IDKUMismatch}, sev: SeverityWarning, msgHas: "without digitalSignature"},
		{name: "RSA key without keyEncipherment", specs: withLeaf(withKey(testpki.RSAKey(9)), keyUsage(x509.KeyUsageDigitalSignature)), served: []string{"leaf", "int"}, result: "build",
			want: []string{IDKUMismatch}, msgHas: "without keyEncipherment"},
		{name: "RSA key with both bits", specs: withLeaf(withKey(testpki.RSAKey(9))), served: []string{"leaf", "int"}, result: "build", want: []string{IDOK}},
		// ca-as-leaf
		{name: "server certificate with CA:TRUE", specs: withLeaf(leafIsCA), served: []string{"leaf", "int"}, result: "build",
			want: []string{IDCAAsLeaf}, sev: SeverityWarning, about: "leaf"},
		{name: "server certificate with keyCertSign", specs: withLeaf(keyUsage(x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign)), served: []string{"leaf", "int"}, result: "build",
			want: []string{IDCAAsLeaf}},
		{name: "an intermediate alone is no leaf, not a CA as leaf", specs: withLeaf(), served: []string{"int"}, result: "build",
			want: []string{IDChainNoLeaf}},
		// intermediate-not-ca
		{name: "intermediate without the CA bit", specs: []spec{{label: "root", key: 1}, {label: "int", issuer: "root", key: 2, muts: []mut{noCA}},
			{label: "leaf", issuer: "int", leaf: true}}, served: []string{"leaf", "int"}, result: "invalid",
			want: []string{IDIntermediateNotCA}, about: "int", msgHas: "not a CA certificate"},
		{name: "pathLenConstraint exceeded", specs: []spec{{label: "root", key: 1}, {label: "int1", issuer: "root", key: 2, muts: []mut{pathLenZero}},
			{label: "int2", issuer: "int1", key: 3}, {label: "leaf", issuer: "int2", leaf: true}}, served: []string{"leaf", "int2", "int1"}, result: "invalid",
			want: []string{IDIntermediateNotCA}, about: "int1", msgHas: "allows 0 intermediate(s) below it"},
		{name: "pathLenConstraint 0 with no intermediate below", specs: []spec{{label: "root", key: 1}, {label: "int", issuer: "root", key: 2, muts: []mut{pathLenZero}},
			{label: "leaf", issuer: "int", leaf: true}}, served: []string{"leaf", "int"}, result: "build", want: []string{IDOK}},
		// weak-key
		{name: "RSA key under 2048 bits", specs: withLeaf(withKey(weakRSAKey(t))), served: []string{"leaf", "int"}, result: "build",
			want: []string{IDWeakKey}, sev: SeverityError, msgHas: "1024-bit RSA key"},
		{name: "P-521 key", specs: withLeaf(withKey(testpki.ECDSAKey(elliptic.P521(), "p521"))), served: []string{"leaf", "int"}, result: "build",
			want: []string{IDWeakKey}, sev: SeverityWarning, msgHas: "P-521"},
		{name: "Ed25519 key", specs: withLeaf(withKey(testpki.Ed25519Key("ed"))), served: []string{"leaf", "int"}, result: "build",
			want: []string{IDWeakKey}, sev: SeverityWarning, msgHas: "Ed25519"},
		{name: "P-384 key is fine", specs: withLeaf(withKey(testpki.ECDSAKey(elliptic.P384(), "p384"))), served: []string{"leaf", "int"}, result: "build",
			want: []string{IDOK}},
		// cert-expiring-soon, for any certificate of the path
		{name: "intermediate expiring within 30 days", specs: []spec{{label: "root", key: 1}, {label: "int", issuer: "root", key: 2, muts: []mut{notAfter(soon)}},
			{label: "leaf", issuer: "int", leaf: true, muts: []mut{notAfter(soon.Add(-time.Hour))}}}, served: []string{"leaf", "int"}, result: "build",
			want: []string{IDCertExpiringSoon, IDCertExpiringSoon}, about: "leaf", msgHas: "in 5 days"},
		{name: "expiring in 40 days: no warning", specs: withLeaf(notAfter(testpki.Epoch.Add(40 * 24 * time.Hour))), served: []string{"leaf", "int"}, result: "build",
			want: []string{IDOK}},
		// chain-expired-cross-sign must not fire for a chain without it
		{name: "short chain without the expired cross-sign", specs: lePKI, served: []string{"leaf", "R3"}, result: "build", want: []string{IDOK}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPKI(t, tt.specs)
			served := p.get(t, tt.served...)
			rootLabel := "root"
			if _, ok := p.certs["X1"]; ok {
				rootLabel = "X1"
			}
			r := resultFor(t, served, Options{Roots: p.get(t, rootLabel), At: testpki.Epoch}, tt.result)
			got := Diagnose(served, r, DiagnoseOptions{At: testpki.Epoch, Host: tt.host, Names: tt.names})
			var ids []string
			for _, f := range got {
				ids = append(ids, f.ID)
				if f.Severity != SeverityInfo && f.Fix == "" {
					t.Errorf("finding %s has no fix", f.ID)
				}
				if f.Cert != nil {
					sum := sha256.Sum256(f.Cert.Raw)
					if f.SHA256 != hex.EncodeToString(sum[:]) || f.Subject != Name(f.Cert) {
						t.Errorf("finding %s: subject %q sha256 %q do not name its certificate", f.ID, f.Subject, f.SHA256)
					}
				}
			}
			if !slices.Equal(ids, tt.want) {
				for _, f := range got {
					t.Logf("%s %s: %s (%s)", f.Severity, f.ID, f.Message, f.Fix)
				}
				t.Fatalf("ids = %v, want %v", ids, tt.want)
			}
			if tt.sev != "" && got[0].Severity != tt.sev {
				t.Errorf("severity %s, want %s", got[0].Severity, tt.sev)
			}
			if tt.about != "" && (got[0].Cert == nil || p.label(got[0].Cert) != tt.about) {
				t.Errorf("first finding is about %q, want %s", got[0].Subject, tt.about)
			}
			if !strings.Contains(got[0].Message, tt.msgHas) {
				t.Errorf("message %q lacks %q", got[0].Message, tt.msgHas)
			}
		})
	}
}
