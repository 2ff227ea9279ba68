package bundle

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"time"
)

// explain turns crypto/x509's verdict on path into a sentence an admin can
// act on, naming the certificate at fault. crypto/x509 reports several of
// these as "certificate signed by unknown authority", which sends people
// looking for a missing intermediate that is not missing.
func explain(path []*x509.Certificate, err error, at time.Time, usages []x509.ExtKeyUsage) (string, *x509.Certificate) {
	for _, c := range path {
		switch ValidityAt(c, at) {
		case Expired:
			return fmt.Sprintf("%s expired %s (checked at %s)", Name(c), day(c.NotAfter), day(at)), c
		case NotYetValid:
			return fmt.Sprintf("%s is not valid before %s (checked at %s)", Name(c), day(c.NotBefore), day(at)), c
		}
	}
	// Verify checks every signature on the path but the anchor's own.
	for _, c := range signedBy(path, true) {
		if h := weakHash(c); h != "" {
			return fmt.Sprintf("%s is signed with %s, which crypto/x509 (like current browsers) cannot verify; get a SHA-256 reissue", Name(c), h), c
		}
	}
	if c, child := issuerNotCA(path[:len(path)-1]); c != nil {
		return fmt.Sprintf("%s is not a CA certificate (basicConstraints without cA), so clients refuse it as the issuer of %s", Name(c), Name(child)), c
	}
	for i := 0; i+1 < len(path); i++ {
		if !bytes.Equal(path[i].RawIssuer, path[i+1].RawSubject) {
			return fmt.Sprintf("the issuer name in %s matches the subject of %s only up to string encoding; crypto/x509 compares names byte for byte, so the CA must reissue one of them", Name(path[i]), Name(path[i+1])), path[i]
		}
	}
	var inv x509.CertificateInvalidError
	if errors.As(err, &inv) {
		switch inv.Reason {
		case x509.IncompatibleUsage:
			leaf := path[0]
			if !hasUsage(leaf, usages) {
				has := ekuList(leaf)
				return fmt.Sprintf("%s lacks %s in its extended key usage; it has only %s", Name(leaf), usageList(usages), has), leaf
			}
			for _, c := range path[1:] {
				if !hasUsage(c, usages) {
					return fmt.Sprintf("CA %s limits its extended key usage to %s, which excludes %s", Name(c), ekuList(c), usageList(usages)), c
				}
			}
		case x509.TooManyIntermediates:
			return fmt.Sprintf("%s allows at most %d intermediates below it (pathLenConstraint), and this path has more", Name(inv.Cert), inv.Cert.MaxPathLen), inv.Cert
		case x509.CANotAuthorizedForThisName:
			return fmt.Sprintf("a name constraint of a CA excludes a name of %s: %v", Name(inv.Cert), inv.Detail), inv.Cert
		}
	}
	if err == nil {
		return "", nil
	}
	return "crypto/x509 refuses the chain: " + err.Error(), nil
}
