// Package explain maps the error text a client shows (a browser's error
// code, an OpenSSL or curl message, a Java exception, a Windows HRESULT,
// Citrix's "SSL Error 61", a Go error) to the check findings (bundle ID*
// constants) that cause it. Each mapping cites where the client's text
// comes from: its own source or documentation, never a guess.
//
// It accepts any text (a pasted log line, a screenshot's words) and
// matches known error names, codes and messages in it, case-insensitively
// and whatever the spacing; a shorter text inside a longer one it already
// matched ("self signed certificate" inside "self signed certificate in
// certificate chain") does not count twice. It refuses nothing and knows
// only the texts below.
package explain

import (
	"sort"
	"strings"

	"chainfix/bundle"
)

// Mapping is one client error and the findings that cause it.
type Mapping struct {
	Client string `json:"client"` // "Chrome, Edge"
	Error  string `json:"error"`  // the name or code as the client shows it
	// Meaning says what the client is complaining about, in words.
	Meaning string `json:"meaning"`
	// IDs are the finding ids that cause it, most likely first.
	IDs []string `json:"ids"`
	// Source is where the client's text and meaning are taken from.
	Source string `json:"source"`
	// patterns are lower-case texts that identify the error.
	patterns []string
}

// Sources, cited once each.
const (
	srcChrome  = "Chromium net/base/net_error_list.h (NET_ERROR(CERT_..., -2xx) and SSL_VERSION_OR_CIPHER_MISMATCH -113)"
	srcNSS     = "NSS lib/util/secerr.h and lib/ssl/sslerr.h; Firefox browser/locales nsserrors.ftl (mozilla-l10n/firefox-l10n)"
	srcPKIX    = "Firefox security/manager/ssl (mozilla::pkix MOZILLA_PKIX_ERROR_* codes)"
	srcOpenSSL = "OpenSSL crypto/x509/x509_txt.c, X509_verify_cert_error_string() (also the codes Node.js and Python report)"
	srcCurl    = "curl include/curl/curl.h: CURLE_PEER_FAILED_VERIFICATION = 60; libcurl-errors(3) 'SSL peer certificate or SSH remote key was not OK'"
	srcJavaPB  = "OpenJDK sun.security.validator.PKIXValidator / sun.security.provider.certpath.SunCertPathBuilder"
	srcJavaEE  = "OpenJDK sun.security.validator.EndEntityChecker (which accepts the SGC OIDs as server authentication)"
	srcJavaHN  = "OpenJDK sun.security.util.HostnameChecker"
	srcWinCert = "Microsoft Learn, 'Certificate and trust return values' (winerror.h)"
	srcWinNTE  = "Microsoft Learn, 'NTE error codes' (winerror.h): 0x80090016 NTE_BAD_KEYSET, Keyset does not exist"
	srcWinSEC  = "winerror.h: SEC_E_ALGORITHM_MISMATCH 0x80090331, 'The client and server cannot communicate, because they do not possess a common algorithm'"
	srcCitrix  = "Citrix support article CTX101990, 'The server certificate received is not trusted (SSL Error 61)': a missing root/intermediate on the client, or an EKU with only the SGC OIDs"
	srcGo      = "Go src/crypto/x509/verify.go: UnknownAuthorityError, CertificateInvalidError, HostnameError"
)

var (
	untrusted = []string{bundle.IDChainIncomplete, bundle.IDChainUntrustedRoot, bundle.IDChainWrongIntermediate, bundle.IDLeafSelfSigned}
	names     = []string{bundle.IDNameMismatch, bundle.IDNameCNOnly}
	dates     = []string{bundle.IDCertExpired, bundle.IDCertNotYetValid}
	versions  = []string{bundle.IDTLSVersionRefused, bundle.IDTLSLegacyVersionAccepted}
)

// Table is every known client error, by client.
var Table = []Mapping{
	// Chrome and Edge.
	{Client: "Chrome, Edge", Error: "NET::ERR_CERT_AUTHORITY_INVALID", Meaning: "the certificate is signed by an authority the browser does not trust (no path to a trusted root)",
		IDs: untrusted, Source: srcChrome, patterns: []string{"err_cert_authority_invalid"}},
	{Client: "Chrome, Edge", Error: "NET::ERR_CERT_COMMON_NAME_INVALID", Meaning: "the certificate's names do not include the address in the address bar",
		IDs: names, Source: srcChrome, patterns: []string{"err_cert_common_name_invalid"}},
	{Client: "Chrome, Edge", Error: "NET::ERR_CERT_DATE_INVALID", Meaning: "the certificate has expired or is not valid yet (by the computer's clock)",
		IDs: dates, Source: srcChrome, patterns: []string{"err_cert_date_invalid"}},
	{Client: "Chrome, Edge", Error: "NET::ERR_CERT_WEAK_SIGNATURE_ALGORITHM", Meaning: "a certificate is signed with SHA-1 or MD5",
		IDs: []string{bundle.IDWeakSignature}, Source: srcChrome, patterns: []string{"err_cert_weak_signature_algorithm"}},
	{Client: "Chrome, Edge", Error: "ERR_SSL_VERSION_OR_CIPHER_MISMATCH", Meaning: "no TLS version or cipher suite in common",
		IDs: versions, Source: srcChrome, patterns: []string{"err_ssl_version_or_cipher_mismatch"}},

	// Firefox (NSS, mozilla::pkix).
	{Client: "Firefox", Error: "SEC_ERROR_UNKNOWN_ISSUER", Meaning: "the issuer of the certificate is unknown: an intermediate is missing or the root is not trusted",
		IDs: []string{bundle.IDChainIncomplete, bundle.IDChainUntrustedRoot, bundle.IDChainWrongIntermediate}, Source: srcNSS, patterns: []string{"sec_error_unknown_issuer"}},
	{Client: "Firefox", Error: "MOZILLA_PKIX_ERROR_SELF_SIGNED_CERT", Meaning: "the certificate is self-signed",
		IDs: []string{bundle.IDLeafSelfSigned}, Source: srcPKIX, patterns: []string{"mozilla_pkix_error_self_signed_cert"}},
	{Client: "Firefox", Error: "SSL_ERROR_BAD_CERT_DOMAIN", Meaning: "the certificate is not valid for the name in the address bar",
		IDs: names, Source: srcNSS, patterns: []string{"ssl_error_bad_cert_domain"}},
	{Client: "Firefox", Error: "SEC_ERROR_EXPIRED_CERTIFICATE", Meaning: "the certificate has expired",
		IDs: []string{bundle.IDCertExpired}, Source: srcNSS, patterns: []string{"sec_error_expired_certificate"}},
	{Client: "Firefox", Error: "SEC_ERROR_EXPIRED_ISSUER_CERTIFICATE", Meaning: "an issuer (intermediate or cross-sign) has expired",
		IDs: []string{bundle.IDCertExpired, bundle.IDChainExpiredCrossSign}, Source: srcNSS, patterns: []string{"sec_error_expired_issuer_certificate"}},
	{Client: "Firefox", Error: "SEC_ERROR_INADEQUATE_KEY_USAGE", Meaning: "the certificate's key usage does not allow this use",
		IDs: []string{bundle.IDKUMismatch, bundle.IDEKUNoServerAuth, bundle.IDEKUSGCOnly}, Source: srcNSS, patterns: []string{"sec_error_inadequate_key_usage"}},
	{Client: "Firefox", Error: "SSL_ERROR_UNSUPPORTED_VERSION / SSL_ERROR_NO_CYPHER_OVERLAP", Meaning: "no TLS version or cipher suite in common",
		IDs: versions, Source: srcNSS, patterns: []string{"ssl_error_unsupported_version", "ssl_error_no_cypher_overlap"}},

	// OpenSSL, and what is built on it (curl, Postman/Node.js, Python, PHP).
	{Client: "OpenSSL, curl, Node.js, Python", Error: "unable to get local issuer certificate (20)", Meaning: "the issuer of a certificate is neither sent nor in the client's trust store",
		IDs: []string{bundle.IDChainIncomplete, bundle.IDChainUntrustedRoot}, Source: srcOpenSSL,
		patterns: []string{"unable to get local issuer certificate", "unable_to_get_issuer_cert_locally"}},
	{Client: "OpenSSL, curl, Node.js, Python", Error: "unable to get issuer certificate (2)", Meaning: "the issuer of a certificate could not be found",
		IDs: []string{bundle.IDChainIncomplete}, Source: srcOpenSSL, patterns: []string{"unable to get issuer certificate", "x509_v_err_unable_to_get_issuer_cert"}},
	{Client: "OpenSSL, curl, Postman/Node.js, Python", Error: "unable to verify the first certificate (21)", Meaning: "the server sent its certificate without the intermediate that issued it",
		IDs: []string{bundle.IDChainIncomplete, bundle.IDChainWrongIntermediate}, Source: srcOpenSSL,
		patterns: []string{"unable to verify the first certificate", "unable_to_verify_leaf_signature"}},
	{Client: "OpenSSL, curl, Node.js, Python", Error: "self signed certificate in certificate chain (19)", Meaning: "the chain ends at a root the client does not trust (a private CA)",
		IDs: []string{bundle.IDChainUntrustedRoot, bundle.IDChainRootIncluded}, Source: srcOpenSSL,
		patterns: []string{"self signed certificate in certificate chain", "self-signed certificate in certificate chain", "self_signed_cert_in_chain"}},
	{Client: "OpenSSL, curl, Node.js, Python", Error: "self signed certificate (18)", Meaning: "the server's certificate is self-signed",
		IDs: []string{bundle.IDLeafSelfSigned}, Source: srcOpenSSL, patterns: []string{"self signed certificate", "self-signed certificate", "depth_zero_self_signed_cert"}},
	{Client: "OpenSSL, curl, Node.js, Python", Error: "certificate has expired (10)", Meaning: "a certificate of the chain has expired",
		IDs: []string{bundle.IDCertExpired, bundle.IDChainExpiredCrossSign}, Source: srcOpenSSL, patterns: []string{"certificate has expired", "cert_has_expired"}},
	{Client: "OpenSSL, curl, Node.js, Python", Error: "certificate is not yet valid (9)", Meaning: "a certificate of the chain is not valid yet (or the clock is wrong)",
		IDs: []string{bundle.IDCertNotYetValid}, Source: srcOpenSSL, patterns: []string{"certificate is not yet valid", "cert_not_yet_valid"}},
	{Client: "OpenSSL, curl, Node.js, Python", Error: "unsupported certificate purpose (26)", Meaning: "the certificate's extended key usage does not allow TLS server authentication",
		IDs: []string{bundle.IDEKUNoServerAuth, bundle.IDEKUSGCOnly}, Source: srcOpenSSL, patterns: []string{"unsupported certificate purpose", "invalid_purpose"}},
	{Client: "OpenSSL, curl, Node.js, Python", Error: "invalid CA certificate (24) / path length constraint exceeded (25)", Meaning: "an intermediate is not a CA certificate, or the chain is longer than a CA allows",
		IDs: []string{bundle.IDIntermediateNotCA}, Source: srcOpenSSL, patterns: []string{"invalid ca certificate", "path length constraint exceeded", "x509_v_err_invalid_ca", "path_length_exceeded"}},
	{Client: "OpenSSL, curl, Node.js, Python", Error: "hostname mismatch (62)", Meaning: "the certificate is not valid for the name asked for",
		IDs: names, Source: srcOpenSSL, patterns: []string{"hostname mismatch", "err_tls_cert_altname_invalid"}},
	{Client: "curl", Error: "curl: (60) SSL certificate problem", Meaning: "curl could not verify the server's certificate; the text after 'SSL certificate problem:' is OpenSSL's reason",
		IDs: []string{bundle.IDChainIncomplete, bundle.IDChainUntrustedRoot, bundle.IDCertExpired, bundle.IDNameMismatch}, Source: srcCurl,
		patterns: []string{"curl: (60)", "curl error 60", "curle_peer_failed_verification", "ssl peer certificate or ssh remote key was not ok"}},

	// Java.
	{Client: "Java", Error: "PKIX path building failed: unable to find valid certification path to requested target", Meaning: "Java found no path from the certificate to a root in its trust store (cacerts)",
		IDs: []string{bundle.IDChainIncomplete, bundle.IDChainUntrustedRoot, bundle.IDChainWrongIntermediate}, Source: srcJavaPB,
		patterns: []string{"pkix path building failed", "unable to find valid certification path to requested target"}},
	{Client: "Java", Error: "No subject alternative DNS name matching ... found", Meaning: "the certificate's SANs do not include the host name",
		IDs: names, Source: srcJavaHN, patterns: []string{"no subject alternative dns name matching", "no subject alternative names matching", "no subject alternative names present", "no name matching"}},
	{Client: "Java", Error: "Extended key usage does not permit use for TLS server authentication", Meaning: "the certificate's EKU lacks Server Authentication",
		IDs: []string{bundle.IDEKUNoServerAuth}, Source: srcJavaEE, patterns: []string{"extended key usage does not permit use for tls server authentication"}},

	// Windows (SChannel, CryptoAPI, .NET, PowerShell, IIS).
	{Client: "Windows", Error: "0x800B0109 CERT_E_UNTRUSTEDROOT", Meaning: "the chain ends at a root that is not trusted",
		IDs: []string{bundle.IDChainUntrustedRoot, bundle.IDLeafSelfSigned, bundle.IDChainIncomplete}, Source: srcWinCert,
		patterns: []string{"800b0109", "cert_e_untrustedroot", "sec_e_untrusted_root", "-2146762487"}},
	{Client: "Windows", Error: "0x800B010A CERT_E_CHAINING", Meaning: "a chain to a trusted root could not be built",
		IDs: []string{bundle.IDChainIncomplete, bundle.IDChainWrongIntermediate}, Source: srcWinCert, patterns: []string{"800b010a", "cert_e_chaining", "-2146762486"}},
	{Client: "Windows", Error: "0x800B0101 CERT_E_EXPIRED", Meaning: "a certificate is expired or not valid yet",
		IDs: dates, Source: srcWinCert, patterns: []string{"800b0101", "cert_e_expired", "-2146762495"}},
	{Client: "Windows", Error: "0x800B010F CERT_E_CN_NO_MATCH", Meaning: "the certificate's name does not match the name asked for",
		IDs: names, Source: srcWinCert, patterns: []string{"800b010f", "cert_e_cn_no_match", "-2146762481"}},
	{Client: "Windows", Error: "0x800B0110 CERT_E_WRONG_USAGE", Meaning: "the certificate is not valid for the requested usage (server authentication)",
		IDs: []string{bundle.IDEKUSGCOnly, bundle.IDEKUNoServerAuth}, Source: srcWinCert, patterns: []string{"800b0110", "cert_e_wrong_usage", "-2146762480"}},
	{Client: "Windows", Error: "0x800B0104 CERT_E_PATHLENCONST / TRUST_E_BASIC_CONSTRAINTS", Meaning: "a path length constraint is violated, or an issuer is not a CA",
		IDs: []string{bundle.IDIntermediateNotCA}, Source: srcWinCert, patterns: []string{"800b0104", "cert_e_pathlenconst", "80096019", "trust_e_basic_constraints"}},
	{Client: "Windows, IIS", Error: "0x80090016 NTE_BAD_KEYSET (Keyset does not exist)", Meaning: "the certificate's private key is not there (a PFX without its key, or the key of another certificate)",
		IDs: []string{bundle.IDPFXNoKey, bundle.IDKeyMismatch}, Source: srcWinNTE, patterns: []string{"80090016", "nte_bad_keyset", "keyset does not exist"}},
	{Client: "Windows", Error: "0x80090331 SEC_E_ALGORITHM_MISMATCH", Meaning: "client and server have no TLS version or cipher suite in common (often: the client wants TLS 1.2, the server speaks 1.0)",
		IDs: versions, Source: srcWinSEC, patterns: []string{"80090331", "sec_e_algorithm_mismatch", "do not possess a common algorithm", "-2146893007"}},

	// Citrix.
	{Client: "Citrix Receiver, Workspace app", Error: "SSL Error 61", Meaning: "the server certificate received is not trusted: the root or an intermediate is missing on the client, or the certificate has only the Server Gated Crypto usages",
		IDs: []string{bundle.IDChainIncomplete, bundle.IDChainUntrustedRoot, bundle.IDEKUSGCOnly}, Source: srcCitrix, patterns: []string{"ssl error 61"}},

	// Go.
	{Client: "Go", Error: "x509: certificate signed by unknown authority", Meaning: "no path to a trusted root (an intermediate missing, a private root, a self-signed certificate)",
		IDs: untrusted, Source: srcGo, patterns: []string{"certificate signed by unknown authority"}},
	{Client: "Go", Error: "x509: certificate has expired or is not yet valid", Meaning: "a certificate of the chain is outside its validity period",
		IDs: dates, Source: srcGo, patterns: []string{"certificate has expired or is not yet valid"}},
	{Client: "Go", Error: "x509: certificate is valid for ..., not ...", Meaning: "the certificate's SANs do not include the name asked for",
		IDs: []string{bundle.IDNameMismatch}, Source: srcGo, patterns: []string{"x509: certificate is valid for", "x509: certificate is not valid for any names"}},
	{Client: "Go", Error: "x509: certificate relies on legacy Common Name field, use SANs instead", Meaning: "the name is only in the subject CN",
		IDs: []string{bundle.IDNameCNOnly}, Source: srcGo, patterns: []string{"relies on legacy common name field"}},
	{Client: "Go", Error: "x509: certificate specifies an incompatible key usage", Meaning: "the certificate's EKU lacks Server Authentication",
		IDs: []string{bundle.IDEKUNoServerAuth, bundle.IDEKUSGCOnly}, Source: srcGo, patterns: []string{"certificate specifies an incompatible key usage"}},
}

// Match returns the mappings whose error text occurs in text, in the order
// they occur; a match inside a longer one is dropped.
func Match(text string) []Mapping {
	t := strings.ToLower(strings.Join(strings.Fields(text), " "))
	type hit struct {
		m          int
		start, end int
	}
	var hits []hit
	for i, m := range Table {
		for _, p := range m.patterns {
			from := 0
			for {
				k := strings.Index(t[from:], p)
				if k < 0 {
					break
				}
				hits = append(hits, hit{i, from + k, from + k + len(p)})
				from += k + len(p)
			}
		}
	}
	var kept []hit
	for _, h := range hits {
		inside := false
		for _, o := range hits {
			if o.m != h.m && o.start <= h.start && h.end <= o.end && o.end-o.start > h.end-h.start {
				inside = true
				break
			}
		}
		if !inside {
			kept = append(kept, h)
		}
	}
	sort.SliceStable(kept, func(a, b int) bool { return kept[a].start < kept[b].start })
	var out []Mapping
	seen := map[int]bool{}
	for _, h := range kept {
		if !seen[h.m] {
			seen[h.m] = true
			out = append(out, Table[h.m])
		}
	}
	return out
}

// ClientErrors returns the client errors a finding id causes.
func ClientErrors(id string) []Mapping {
	var out []Mapping
	for _, m := range Table {
		for _, x := range m.IDs {
			if x == id {
				out = append(out, m)
			}
		}
	}
	return out
}

// What says in a few words what each finding id is about.
var What = map[string]string{
	bundle.IDChainIncomplete:               "an intermediate is not sent",
	bundle.IDChainOrder:                    "the chain is out of order",
	bundle.IDChainDuplicate:                "a certificate is sent twice",
	bundle.IDChainExtra:                    "a certificate not on the path is sent",
	bundle.IDChainRootIncluded:             "the root is sent",
	bundle.IDChainUntrustedRoot:            "the chain ends at a private or unknown root",
	bundle.IDChainWrongIntermediate:        "a same-named intermediate that did not sign the certificate is sent",
	bundle.IDChainExpiredCrossSign:         "an expired cross-sign is sent",
	bundle.IDChainIntermediateExpiresFirst: "an intermediate expires before the leaf",
	bundle.IDChainNoLeaf:                   "only CA certificates are given",
	bundle.IDLeafSelfSigned:                "the certificate is self-signed",
	bundle.IDCertExpired:                   "a certificate has expired",
	bundle.IDCertNotYetValid:               "a certificate is not valid yet",
	bundle.IDCertExpiringSoon:              "a certificate expires soon",
	bundle.IDNameMismatch:                  "the name is not in the certificate's SANs",
	bundle.IDNameCNOnly:                    "the name is only in the subject CN",
	bundle.IDEKUNoServerAuth:               "the EKU lacks Server Authentication",
	bundle.IDEKUNoClientAuth:               "the EKU lacks Client Authentication",
	bundle.IDEKUSGCOnly:                    "the EKU holds only the Server Gated Crypto OIDs",
	bundle.IDKUMismatch:                    "the Key Usage lacks what the key needs",
	bundle.IDCAAsLeaf:                      "the leaf is a CA certificate",
	bundle.IDIntermediateNotCA:             "an issuer is not a CA, or a pathLen is exceeded",
	bundle.IDWeakSignature:                 "a SHA-1 or MD5 signature",
	bundle.IDWeakKey:                       "a weak or unusual key",
	bundle.IDKeyMismatch:                   "the private key belongs to another certificate",
	bundle.IDPFXNoKey:                      "the PFX holds no private key",
	bundle.IDTLSLegacyVersionAccepted:      "the server speaks TLS 1.0/1.1",
	bundle.IDTLSVersionRefused:             "the server refuses TLS 1.2 or 1.3",
	bundle.IDSNIMismatch:                   "another certificate is sent without SNI",
	bundle.IDEndpointUnreachable:           "the server cannot be reached",
	bundle.IDEndpointAddressMismatch:       "the addresses of the name serve different chains",
}
