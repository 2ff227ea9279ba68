package repair

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"slices"
	"strings"
	"testing"

	"chainfix/bundle"
	"chainfix/fetch"
	"chainfix/internal/testpki"
)

func TestProbeFindings(t *testing.T) {
	root := testpki.Issue(testpki.Template{CN: "root", CA: true, Key: testpki.RSAKey(1)}, nil)
	site := testpki.Issue(testpki.Template{CN: "site.example", DNS: []string{"site.example"}}, root).Cert
	other := testpki.Issue(testpki.Template{CN: "default.example", DNS: []string{"default.example"}}, root).Cert
	refused := errors.New("refused")
	versions := func(accepted ...uint16) []fetch.VersionResult {
		var vs []fetch.VersionResult
		for _, v := range fetch.ProbedVersions {
			r := fetch.VersionResult{Version: v, Err: refused}
			if slices.Contains(accepted, v) {
				r = fetch.VersionResult{Version: v, Accepted: true, CipherSuite: tls.TLS_AES_128_GCM_SHA256}
			}
			vs = append(vs, r)
		}
		return vs
	}
	tests := []struct {
		name string
		p    fetch.ProbeResult
		want []string // id:severity
	}{
		{"modern only", fetch.ProbeResult{Versions: versions(tls.VersionTLS12, tls.VersionTLS13)}, nil},
		{"TLS 1.0 beside 1.2 and 1.3", fetch.ProbeResult{Versions: versions(tls.VersionTLS10, tls.VersionTLS12, tls.VersionTLS13)},
			[]string{"tls-legacy-version-accepted:warning"}},
		{"TLS 1.0 only (the IIS case)", fetch.ProbeResult{Versions: versions(tls.VersionTLS10)},
			[]string{"tls-legacy-version-accepted:error", "tls-version-refused:error"}},
		{"no TLS 1.3", fetch.ProbeResult{Versions: versions(tls.VersionTLS12)}, []string{"tls-version-refused:info"}},
		{"TLS 1.3 only", fetch.ProbeResult{Versions: versions(tls.VersionTLS13)}, []string{"tls-version-refused:info"}},
		{"another certificate without SNI", fetch.ProbeResult{Versions: versions(tls.VersionTLS12, tls.VersionTLS13), SNIChecked: true,
			WithSNI: []*x509.Certificate{site}, WithoutSNI: []*x509.Certificate{other}}, []string{"sni-mismatch:warning"}},
		{"the same certificate without SNI", fetch.ProbeResult{Versions: versions(tls.VersionTLS12, tls.VersionTLS13), SNIChecked: true,
			WithSNI: []*x509.Certificate{site}, WithoutSNI: []*x509.Certificate{site}}, nil},
		{"no handshake without SNI", fetch.ProbeResult{Versions: versions(tls.VersionTLS12, tls.VersionTLS13), SNIChecked: true,
			WithSNI: []*x509.Certificate{site}, WithoutSNIErr: refused}, []string{"sni-mismatch:warning"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range ProbeFindings(&tt.p) {
				got = append(got, f.ID+":"+f.Severity)
				if f.Message == "" || f.Severity != bundle.SeverityInfo && f.Fix == "" {
					t.Errorf("incomplete %+v", f)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAddressFindings(t *testing.T) {
	root := testpki.Issue(testpki.Template{CN: "root", CA: true, Key: testpki.RSAKey(1)}, nil)
	inter := testpki.Issue(testpki.Template{CN: "int", CA: true, Key: testpki.RSAKey(2)}, root)
	leaf := testpki.Issue(testpki.Template{CN: "www.example"}, inter).Cert
	full := &fetch.Served{Certificates: []*x509.Certificate{leaf, inter.Cert}}
	short := &fetch.Served{Certificates: []*x509.Certificate{leaf}}
	tests := []struct {
		name string
		as   []fetch.AddressServed
		want []string // addresses named, in order
	}{
		{"same chain everywhere", []fetch.AddressServed{{Address: "192.0.2.1:443", Served: full}, {Address: "[2001:db8::1]:443", Served: full}}, nil},
		{"one address without the intermediate", []fetch.AddressServed{{Address: "192.0.2.1:443", Served: full}, {Address: "192.0.2.2:443", Served: full}, {Address: "[::1]:443", Served: short}},
			[]string{"[::1]:443"}},
		{"one address does not answer", []fetch.AddressServed{{Address: "192.0.2.1:443", Served: full}, {Address: "[::1]:443", Err: errors.New("connection refused")}},
			[]string{"[::1]:443"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range AddressFindings(tt.as) {
				if f.ID != bundle.IDEndpointAddressMismatch || f.Severity != bundle.SeverityError || f.Fix == "" {
					t.Errorf("finding %+v", f)
				}
				for _, a := range tt.as {
					if strings.HasPrefix(f.Message, "the address "+a.Address+" ") {
						got = append(got, a.Address)
					}
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("named %v, want %v", got, tt.want)
			}
		})
	}
}
