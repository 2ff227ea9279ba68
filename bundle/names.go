package bundle

import (
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Name is the short readable name chainfix uses for a certificate in every
// message: "CN=R3,O=Let's Encrypt" (the common name and the first
// organization, unescaped, for humans). A subject with neither falls back to
// its full RFC 2253 form, an empty subject to the serial number.
func Name(c *x509.Certificate) string {
	if c == nil {
		return "<nil>"
	}
	var parts []string
	if c.Subject.CommonName != "" {
		parts = append(parts, "CN="+c.Subject.CommonName)
	}
	if len(c.Subject.Organization) > 0 && c.Subject.Organization[0] != "" {
		parts = append(parts, "O="+c.Subject.Organization[0])
	}
	if len(parts) > 0 {
		return strings.Join(parts, ",")
	}
	if s := c.Subject.String(); s != "" {
		return s
	}
	if c.SerialNumber != nil {
		return "serial " + hex.EncodeToString(c.SerialNumber.Bytes())
	}
	return "<empty subject>"
}

// ekuNames gives the name and OID of each extended key usage crypto/x509
// knows, for messages like "lacks Server Authentication (1.3.6.1.5.5.7.3.1)".
var ekuNames = map[x509.ExtKeyUsage][2]string{
	x509.ExtKeyUsageAny:                            {"Any Extended Key Usage", "2.5.29.37.0"},
	x509.ExtKeyUsageServerAuth:                     {"Server Authentication", "1.3.6.1.5.5.7.3.1"},
	x509.ExtKeyUsageClientAuth:                     {"Client Authentication", "1.3.6.1.5.5.7.3.2"},
	x509.ExtKeyUsageCodeSigning:                    {"Code Signing", "1.3.6.1.5.5.7.3.3"},
	x509.ExtKeyUsageEmailProtection:                {"Email Protection", "1.3.6.1.5.5.7.3.4"},
	x509.ExtKeyUsageIPSECEndSystem:                 {"IPsec End System", "1.3.6.1.5.5.7.3.5"},
	x509.ExtKeyUsageIPSECTunnel:                    {"IPsec Tunnel", "1.3.6.1.5.5.7.3.6"},
	x509.ExtKeyUsageIPSECUser:                      {"IPsec User", "1.3.6.1.5.5.7.3.7"},
	x509.ExtKeyUsageTimeStamping:                   {"Time Stamping", "1.3.6.1.5.5.7.3.8"},
	x509.ExtKeyUsageOCSPSigning:                    {"OCSP Signing", "1.3.6.1.5.5.7.3.9"},
	x509.ExtKeyUsageMicrosoftServerGatedCrypto:     {"Microsoft Server Gated Crypto", "1.3.6.1.4.1.311.10.3.3"},
	x509.ExtKeyUsageNetscapeServerGatedCrypto:      {"Netscape Server Gated Crypto", "2.16.840.1.113730.4.1"},
	x509.ExtKeyUsageMicrosoftCommercialCodeSigning: {"Microsoft Commercial Code Signing", "1.3.6.1.4.1.311.2.1.22"},
	x509.ExtKeyUsageMicrosoftKernelCodeSigning:     {"Microsoft Kernel Code Signing", "1.3.6.1.4.1.311.61.1.1"},
}

func ekuName(u x509.ExtKeyUsage) string {
	if n, ok := ekuNames[u]; ok {
		return n[0] + " (" + n[1] + ")"
	}
	return fmt.Sprintf("extended key usage %d", int(u))
}

// ekuList names every extended key usage of c, known or not.
func ekuList(c *x509.Certificate) string {
	var parts []string
	for _, u := range c.ExtKeyUsage {
		parts = append(parts, ekuName(u))
	}
	for _, o := range c.UnknownExtKeyUsage {
		parts = append(parts, o.String())
	}
	return strings.Join(parts, ", ")
}

func usageList(us []x509.ExtKeyUsage) string {
	parts := make([]string, len(us))
	for i, u := range us {
		parts[i] = ekuName(u)
	}
	return strings.Join(parts, " or ")
}

// hasUsage reports whether c's own extended key usage allows one of want
// (no EKU extension at all allows everything, as in crypto/x509).
func hasUsage(c *x509.Certificate, want []x509.ExtKeyUsage) bool {
	if slices.Contains(want, x509.ExtKeyUsageAny) || len(c.ExtKeyUsage) == 0 && len(c.UnknownExtKeyUsage) == 0 {
		return true
	}
	for _, u := range c.ExtKeyUsage {
		if u == x509.ExtKeyUsageAny {
			return true
		}
		for _, w := range want {
			if u == w || w == x509.ExtKeyUsageAny {
				return true
			}
		}
	}
	return false
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

// EKUName gives the name and dotted OID of an extended key usage crypto/x509
// knows ("Server Authentication", "1.3.6.1.5.5.7.3.1"); ok is false for
// one it has no name for.
func EKUName(u x509.ExtKeyUsage) (name, oid string, ok bool) {
	n, ok := ekuNames[u]
	return n[0], n[1], ok
}
