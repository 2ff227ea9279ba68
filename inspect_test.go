package main

import (
	"encoding/asn1"
	"encoding/json"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"crypto/x509"
	"crypto/x509/pkix"

	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"chainfix/internal/fixtures"
	"chainfix/internal/report"
	"chainfix/internal/testpki"
)

// sctList is an embedded SCT list extension value holding n made-up SCTs
// (RFC 6962 section 3.3): only the count matters to inspect.
func sctList(n int) []byte {
	var list []byte
	for i := 0; i < n; i++ {
		sct := []byte{0, byte(i), 1, 2, 3}
		list = append(list, byte(len(sct)>>8), byte(len(sct)))
		list = append(list, sct...)
	}
	tls := append([]byte{byte(len(list) >> 8), byte(len(list))}, list...)
	der, err := asn1.Marshal(tls)
	if err != nil {
		panic(err)
	}
	return der
}

// richLeaf is a leaf with every field inspect shows.
func richLeaf(p *fixtures.PKI) *testpki.Cert {
	u, _ := url.Parse("spiffe://example.test/web")
	return testpki.Issue(testpki.Template{CN: "rich.example.test", O: "Example Org", Serial: 0x7fa1b2c3d4e5f607,
		DNS: []string{"rich.example.test", "*.rich.example.test"}, IPs: []net.IP{net.ParseIP("192.0.2.7"), net.ParseIP("2001:db8::7")},
		Emails: []string{"admin@example.test"}, URIs: []*url.URL{u},
		IssuerURL: []string{fixtures.AIABase + "i1.cer"}, OCSP: []string{"http://ocsp.example.test"}, CRL: []string{"http://crl.example.test/i1.crl"},
		Policies:   []asn1.ObjectIdentifier{{2, 23, 140, 1, 2, 2}, {1, 3, 6, 1, 4, 1, 99999, 1}},
		OtherEKU:   []asn1.ObjectIdentifier{{1, 3, 6, 1, 4, 1, 99999, 3, 1}},
		EKU:        []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		Extensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11129, 2, 4, 2}, Value: sctList(3)}},
		NotBefore:  testpki.Epoch.AddDate(0, -1, 0), NotAfter: testpki.Epoch.AddDate(0, 0, 90)}, p.Intermediate)
}

// TestInspect pins inspect's text report (golden) and checks its JSON and
// the key of a PFX.
func TestInspect(t *testing.T) {
	f, env := checkEnv(t)
	p := fixtures.Build()
	leaf := richLeaf(p)
	os.WriteFile(f("rich.pem"), append(leaf.PEM(), p.Intermediate.PEM()...), 0o644)
	pfxData, err := pkcs12.Modern2023.Encode(leaf.Key, leaf.Cert, []*x509.Certificate{p.Intermediate.Cert}, "")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(f("rich.pfx"), pfxData, 0o644)

	t.Run("golden", func(t *testing.T) {
		code, stdout, stderr := runCLI(t, env, "", "inspect", "--at", "2026-06-01", f("rich.pem"))
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		stdout = strings.ReplaceAll(stdout, f("")+string(filepath.Separator), "")
		path := filepath.Join("testdata", "golden", "inspect-rich.txt")
		if *updateGolden {
			os.WriteFile(path, []byte(stdout), 0o644)
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -run TestInspect -update-golden)", err)
		}
		if stdout != string(want) {
			t.Errorf("report differs from %s:\n%s", path, stdout)
		}
	})
	t.Run("json and the PFX key", func(t *testing.T) {
		code, stdout, stderr := runCLI(t, env, "", "inspect", "--json", "--at", "2026-06-01", f("rich.pfx"))
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var rep report.Inspect
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatal(err)
		}
		if len(rep.Certificates) != 2 || len(rep.Keys) != 1 {
			t.Fatalf("got %d certificates, %d keys:\n%s", len(rep.Certificates), len(rep.Keys), stdout)
		}
		c := rep.Certificates[0]
		checks := map[string]bool{
			"serial":     c.Serial == "7f:a1:b2:c3:d4:e5:f6:07",
			"days left":  c.DaysLeft == 90,
			"SANs":       len(c.DNSNames) == 2 && len(c.IPAddresses) == 2 && c.Emails[0] == "admin@example.test" && c.URIs[0] == "spiffe://example.test/web",
			"key":        c.Key.Type == "ECDSA" && c.Key.Curve == "P-256",
			"EKU":        len(c.ExtKeyUsage) == 2 && c.ExtKeyUsage[0].Name == "Server Authentication" && c.ExtKeyUsage[1].OID == "1.3.6.1.4.1.99999.3.1",
			"OV":         c.Validation == "OV",
			"SCTs":       c.SCTs == 3,
			"AIA":        c.OCSP[0] == "http://ocsp.example.test" && c.CAIssuers[0] == fixtures.AIABase+"i1.cer",
			"CRL":        c.CRL[0] == "http://crl.example.test/i1.crl",
			"thumbprint": len(c.SHA1) == 40 && len(c.SHA256) == 64,
			"int CA":     rep.Certificates[1].IsCA && rep.Certificates[1].BasicConstraints == "CA:TRUE",
			"key match":  rep.Keys[0].Matches == c.Subject && rep.Keys[0].Key.Type == "ECDSA",
		}
		for what, ok := range checks {
			if !ok {
				t.Errorf("%s wrong:\n%s", what, stdout)
			}
		}
	})
	t.Run("unreadable input", func(t *testing.T) {
		if code, _, _ := runCLI(t, env, "", "inspect", f("nosuch.pem")); code != exitUndecided {
			t.Errorf("exit %d, want %d", code, exitUndecided)
		}
	})
}

// TestInspectHost: inspect reads what a live server sends.
func TestInspectHost(t *testing.T) {
	p := newAIAPKI(t)
	addr := tlsServer(t, p.leaf, p.leaf.DER(), p.inter.DER())
	code, stdout, stderr := runCLI(t, nil, "", "inspect", "--json", "--host", addr, "--servername", "aia.example.test")
	var rep report.Inspect
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || code != 0 || len(rep.Certificates) != 2 || rep.Address != addr || rep.TLSVersion != "TLS 1.3" {
		t.Errorf("exit %d, %v\n%s\n%s", code, err, stdout, stderr)
	}
	if code, _, _ := runCLI(t, nil, "", "inspect", "--host", addr, "x.pem"); code != exitUsage {
		t.Errorf("files and --host: exit %d, want %d", code, exitUsage)
	}
}
