package explain

import (
	"slices"
	"strings"
	"testing"

	"chainfix/bundle"
)

// TestMatch: the error texts issue 8 lists, as admins paste them, name the
// findings that cause them.
func TestMatch(t *testing.T) {
	tests := []struct {
		text   string
		errors []string // Mapping.Error of each match, in order
		has    string   // an id the first match must name
	}{
		{"Your connection is not private NET::ERR_CERT_AUTHORITY_INVALID", []string{"NET::ERR_CERT_AUTHORITY_INVALID"}, bundle.IDChainIncomplete},
		{"net::err_cert_common_name_invalid", []string{"NET::ERR_CERT_COMMON_NAME_INVALID"}, bundle.IDNameCNOnly},
		{"NET::ERR_CERT_DATE_INVALID", []string{"NET::ERR_CERT_DATE_INVALID"}, bundle.IDCertExpired},
		{"Error code: SEC_ERROR_UNKNOWN_ISSUER", []string{"SEC_ERROR_UNKNOWN_ISSUER"}, bundle.IDChainIncomplete},
		{"Error code: SSL_ERROR_BAD_CERT_DOMAIN", []string{"SSL_ERROR_BAD_CERT_DOMAIN"}, bundle.IDNameMismatch},
		{"SEC_ERROR_EXPIRED_CERTIFICATE", []string{"SEC_ERROR_EXPIRED_CERTIFICATE"}, bundle.IDCertExpired},
		{"verify error:num=20:unable to get local issuer certificate", []string{"unable to get local issuer certificate (20)"}, bundle.IDChainIncomplete},
		{"curl: (60) SSL certificate problem: self signed certificate in certificate chain",
			[]string{"curl: (60) SSL certificate problem", "self signed certificate in certificate chain (19)"}, bundle.IDChainUntrustedRoot},
		{"Error: self-signed certificate", []string{"self signed certificate (18)"}, bundle.IDLeafSelfSigned},
		{"Error: unable to verify the first certificate", []string{"unable to verify the first certificate (21)"}, bundle.IDChainIncomplete},
		{"Error: UNABLE_TO_VERIFY_LEAF_SIGNATURE", []string{"unable to verify the first certificate (21)"}, bundle.IDChainIncomplete},
		{"javax.net.ssl.SSLHandshakeException: sun.security.validator.ValidatorException: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target",
			[]string{"PKIX path building failed: unable to find valid certification path to requested target"}, bundle.IDChainIncomplete},
		{"A certificate chain processed, but terminated in a root certificate which is not trusted by the trust provider. (Exception from HRESULT: 0x800B0109)",
			[]string{"0x800B0109 CERT_E_UNTRUSTEDROOT"}, bundle.IDChainUntrustedRoot},
		{"0x800b0110", []string{"0x800B0110 CERT_E_WRONG_USAGE"}, bundle.IDEKUSGCOnly},
		{"CertificateException 0x800B010F", []string{"0x800B010F CERT_E_CN_NO_MATCH"}, bundle.IDNameMismatch},
		{"Keyset does not exist (Exception from HRESULT: 0x80090016)", []string{"0x80090016 NTE_BAD_KEYSET (Keyset does not exist)"}, bundle.IDPFXNoKey},
		{"The server certificate received is not trusted (SSL Error 61)", []string{"SSL Error 61"}, bundle.IDEKUSGCOnly},
		{`Get "https://x": tls: failed to verify certificate: x509: certificate signed by unknown authority`,
			[]string{"x509: certificate signed by unknown authority"}, bundle.IDChainIncomplete},
		{"x509: certificate has expired or is not yet valid: current time ...", []string{"x509: certificate has expired or is not yet valid"}, bundle.IDCertNotYetValid},
		{"x509: certificate relies on legacy Common Name field, use SANs instead", []string{"x509: certificate relies on legacy Common Name field, use SANs instead"}, bundle.IDNameCNOnly},
		{"The client and server cannot communicate, because they do not possess a common algorithm",
			[]string{"0x80090331 SEC_E_ALGORITHM_MISMATCH"}, bundle.IDTLSVersionRefused},
		{"everything is fine", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := Match(tt.text)
			var errs []string
			for _, m := range got {
				errs = append(errs, m.Error)
			}
			if !slices.Equal(errs, tt.errors) {
				t.Fatalf("matched %q, want %q", errs, tt.errors)
			}
			if tt.has != "" && !slices.Contains(got[0].IDs, tt.has) {
				t.Errorf("%s names %v, want %s among them", got[0].Error, got[0].IDs, tt.has)
			}
		})
	}
}

// TestTable: every mapping cites a source and names known ids; every id
// a client error points to has words.
func TestTable(t *testing.T) {
	for _, m := range Table {
		if m.Source == "" || m.Meaning == "" || len(m.IDs) == 0 || len(m.patterns) == 0 {
			t.Errorf("incomplete mapping %+v", m)
		}
		for _, p := range m.patterns {
			if p != strings.ToLower(p) {
				t.Errorf("%s: pattern %q is not lower-case", m.Error, p)
			}
		}
		for _, id := range m.IDs {
			if What[id] == "" {
				t.Errorf("%s: id %q has no words (unknown id?)", m.Error, id)
			}
		}
	}
	if len(ClientErrors(bundle.IDEKUSGCOnly)) < 3 {
		t.Errorf("eku-sgc-only: %d client errors", len(ClientErrors(bundle.IDEKUSGCOnly)))
	}
}
