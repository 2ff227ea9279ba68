package main

import (
	"crypto/sha1" // #nosec: the Windows thumbprint is SHA-1 by definition; used to name, not to secure
	"crypto/x509"
	"encoding/hex"
	"strings"
)

// sha1Thumbprint is the certificate's Windows thumbprint (certutil and IIS
// identify certificates by it), upper-case hex.
func sha1Thumbprint(c *x509.Certificate) string {
	h := sha1.Sum(c.Raw)
	return strings.ToUpper(hex.EncodeToString(h[:]))
}
