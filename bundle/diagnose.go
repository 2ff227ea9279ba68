package bundle

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"slices"
	"strings"
	"time"
)

// DefaultExpiryWarning is how long before the leaf's expiry Diagnose starts
// warning: Let's Encrypt sends its reminders from 20 days ahead, and most
// CAs reissue within a day, so 30 days leaves time for a change window.
const DefaultExpiryWarning = 30 * 24 * time.Hour

// Severities of a Finding.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
	SeverityInfo    = "info"
)

// Codes of a Finding: stable, for JSON output and scripts.
const (
	CodeOK                       = "ok"
	CodeNoCertificates           = "no-certificates"
	CodeMissingIntermediate      = "missing-intermediate"
	CodeWrongOrder               = "wrong-order"
	CodeDuplicate                = "duplicate"
	CodeExtraCertificate         = "extra-certificate"
	CodeRootSent                 = "root-sent"
	CodeExpired                  = "expired"
	CodeNotYetValid              = "not-yet-valid"
	CodeExpiresSoon              = "expires-soon"
	CodeNameMismatch             = "name-mismatch"
	CodeNoServerAuth             = "no-server-auth"
	CodeNoClientAuth             = "no-client-auth"
	CodeNoLeaf                   = "no-leaf"
	CodeSelfSignedLeaf           = "self-signed-leaf"
	CodeUntrustedRoot            = "untrusted-root"
	CodeSHA1Signature            = "sha1-signature"
	CodeIntermediateExpiresFirst = "intermediate-expires-before-leaf"
	// CodeWrongIntermediate: a served certificate carries the name of the
	// issuer of the leaf (or of an intermediate) but its key did not sign
	// it: a renewed intermediate, a sibling CA with the same name, or a
	// damaged copy.
	CodeWrongIntermediate = "wrong-intermediate"
)

// maxDiagnoseSignatureChecks bounds the signature checks Diagnose makes to
// tell a wrong intermediate from the right one: a served chain holds a
// handful of certificates, but a file judged as "served" may hold a whole
// pool of same-named CAs.
const maxDiagnoseSignatureChecks = 256

// Diagnose says what is wrong with served (a file's or an endpoint's chain,
// in the order it came) compared with r, the path Build chose for it. r may
// be nil when Build failed: Diagnose then judges served alone, taking its
// first certificate as the leaf, and cannot name missing or extra
// certificates; it still follows the served certificates that sign, from
// the leaf up, and reports a served certificate that has the next issuer's
// name but did not sign (CodeWrongIntermediate). Findings come errors first, then warnings, then
// information; with no error or warning the list ends with one "ok".
func Diagnose(served []*x509.Certificate, r *Result, opts DiagnoseOptions) []Finding {
	d := &diag{at: opts.At, warn: opts.ExpiryWarning}
	if d.warn <= 0 {
		d.warn = DefaultExpiryWarning
	}
	served = slices.DeleteFunc(slices.Clone(served), func(c *x509.Certificate) bool { return c == nil })
	if len(served) == 0 && (r == nil || r.Leaf == nil) {
		d.add(CodeNoCertificates, SeverityError, nil, "no certificates were served", "configure the server with the leaf certificate followed by its intermediates")
		return d.list
	}

	var leaf *x509.Certificate
	var path []*x509.Certificate
	if r != nil && r.Leaf != nil {
		leaf, path = r.Leaf, r.Path
	} else {
		leaf = served[0]
	}
	if len(path) == 0 {
		path = []*x509.Certificate{leaf}
	}
	top := path[len(path)-1]
	topIsRoot := (r != nil && r.Trusted) || IsSelfSigned(top)
	inters := path[1:]
	if topIsRoot && len(path) > 1 {
		inters = path[1 : len(path)-1]
	}
	onPath := make(map[[32]byte]int)
	for i, c := range path {
		onPath[sha256.Sum256(c.Raw)] = i
	}
	wrong := wrongIssuers(served, path, topIsRoot, r != nil, onPath)

	// Served certificates: duplicates, extras, the root, the order.
	seen := make(map[[32]byte]bool)
	var order []int // path positions of served certificates, in served order
	for _, c := range served {
		sum := sha256.Sum256(c.Raw)
		if seen[sum] {
			d.add(CodeDuplicate, SeverityWarning, c, fmt.Sprintf("%s is sent more than once", Name(c)), "remove the extra copy from the chain file")
			continue
		}
		seen[sum] = true
		pos, ok := onPath[sum]
		if !ok {
			switch child := wrong[sum]; {
			case child != nil:
				d.add(CodeWrongIntermediate, SeverityError, c, fmt.Sprintf("%s is sent as the issuer of %s (it has that name) but did not sign it: it is another CA with the same name (a renewed or sibling intermediate with another key, or a damaged copy)", Name(c), Name(child)),
					"replace it with the intermediate that issued "+Name(child)+": chainfix build fetches or picks the right one")
			case r != nil:
				d.extra(c, r)
			}
			continue
		}
		order = append(order, pos)
		if pos == len(path)-1 && pos > 0 && topIsRoot {
			d.add(CodeRootSent, SeverityInfo, c, fmt.Sprintf("the root %s is sent; clients use their own copy, so it is unneeded (harmless, a few more bytes per handshake)", Name(c)), "leave the root out of the served chain")
		}
	}
	if r != nil {
		var missing []string
		for _, c := range inters {
			if !seen[sha256.Sum256(c.Raw)] {
				missing = append(missing, Name(c))
				d.add(CodeMissingIntermediate, SeverityError, c, fmt.Sprintf("the intermediate %s is not sent; clients that do not already have it (most phones, curl, Java, Go, Python) fail with an unknown-issuer error", Name(c)), "send it after the leaf: use the chain chainfix build writes")
			}
		}
		// An error, not a warning: RFC 8446 lets TLS 1.3 clients tolerate
		// disorder, but appliances (Citrix ADC) and TLS 1.2 stacks reject it.
		if len(served) > 0 && (!bytes.Equal(served[0].Raw, leaf.Raw) || !slices.IsSorted(order)) {
			d.add(CodeWrongOrder, SeverityError, nil, fmt.Sprintf("the chain is out of order (first sent: %s); TLS expects the leaf first, then each certificate's issuer", Name(served[0])), "send "+pathOrder(path, topIsRoot)+": chainfix build writes them in this order")
		}
		if !r.Trusted && len(path) > 0 {
			switch {
			case IsSelfSigned(top) && len(path) > 1:
				d.add(CodeUntrustedRoot, SeverityError, top, fmt.Sprintf("the chain ends at %s, a private or unknown root that clients do not trust", Name(top)), "if it is your own CA, install it on the clients and pass it with --roots; otherwise get a certificate from a publicly trusted CA")
			case !IsSelfSigned(top):
				issuer := Name(&x509.Certificate{Subject: top.Issuer})
				why := "could not be found"
				if len(top.IssuingCertificateURL) == 0 {
					why += " (the certificate names no AIA URL to fetch it from)"
				}
				d.add(CodeMissingIntermediate, SeverityError, top, fmt.Sprintf("the issuer of %s, %s, is not sent and %s, so the chain cannot be completed", Name(top), issuer, why),
					"get "+issuer+" from your CA and send it after "+Name(top)+" (chainfix build --pool FILE adds it; a private CA's root goes in --roots)")
			}
		}
	}

	// Dates, names, usages and signatures. Without r, every served
	// certificate is judged, since which ones matter is unknown.
	dated := path
	if r == nil {
		dated = uniq(served)
	}
	for i, c := range dated {
		what := "the intermediate " + Name(c)
		fix := "install the current intermediate from the CA"
		switch {
		case c == leaf:
			what, fix = "the leaf "+Name(c), "renew the certificate and install the new one"
		case r == nil:
			what, fix = Name(c), "replace or remove it"
		case i == len(path)-1 && topIsRoot:
			what, fix = "the root "+Name(c), "get a certificate that chains to a current root"
		}
		switch {
		case d.at.IsZero():
		case d.at.After(c.NotAfter):
			d.add(CodeExpired, SeverityError, c, fmt.Sprintf("%s expired %s", what, day(c.NotAfter)), fix)
		case d.at.Before(c.NotBefore):
			d.add(CodeNotYetValid, SeverityError, c, fmt.Sprintf("%s is not valid before %s", what, day(c.NotBefore)), "wait until then, or check the server's and the clients' clocks")
		}
	}
	if !d.at.IsZero() && !d.at.After(leaf.NotAfter) && leaf.NotAfter.Sub(d.at) < d.warn {
		days := int(leaf.NotAfter.Sub(d.at).Hours() / 24)
		d.add(CodeExpiresSoon, SeverityWarning, leaf, fmt.Sprintf("the leaf %s expires %s, in %d days", Name(leaf), day(leaf.NotAfter), days), "renew it now")
	}
	if opts.Host != "" {
		if err := leaf.VerifyHostname(opts.Host); err != nil {
			names := strings.Join(append(slices.Clone(leaf.DNSNames), ipStrings(leaf)...), ", ")
			msg := fmt.Sprintf("the leaf %s is not valid for %s; its names are: %s", Name(leaf), opts.Host, names)
			if names == "" {
				msg = fmt.Sprintf("the leaf %s is not valid for %s: it has no Subject Alternative Names, and clients ignore the CN", Name(leaf), opts.Host)
			}
			d.add(CodeNameMismatch, SeverityError, leaf, msg, "get a certificate whose Subject Alternative Names include "+opts.Host)
		}
	}
	usages := opts.KeyUsages
	if len(usages) == 0 {
		usages = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	if leaf.IsCA && len(served) > 0 && bytes.Equal(served[0].Raw, leaf.Raw) {
		d.add(CodeNoLeaf, SeverityError, leaf, fmt.Sprintf("there is no server certificate: %s is a CA certificate", Name(leaf)), "put the server's own certificate (the leaf) first, followed by its intermediates")
	} else if !hasUsage(leaf, usages) {
		switch {
		case slices.Contains(usages, x509.ExtKeyUsageClientAuth):
			d.add(CodeNoClientAuth, SeverityError, leaf, fmt.Sprintf("the leaf %s lacks Client Authentication (1.3.6.1.5.5.7.3.2) in its extended key usage; it has only %s", Name(leaf), ekuList(leaf)), "get a certificate issued for TLS client authentication")
		default:
			msg := fmt.Sprintf("the leaf %s lacks Server Authentication (1.3.6.1.5.5.7.3.1) in its extended key usage; it has only %s", Name(leaf), ekuList(leaf))
			if slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageNetscapeServerGatedCrypto) || slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageMicrosoftServerGatedCrypto) {
				msg += "; the old Server Gated Crypto usages no longer count as server authentication"
			}
			d.add(CodeNoServerAuth, SeverityError, leaf, msg, "get a certificate issued for TLS server authentication")
		}
	}
	if IsSelfSigned(leaf) {
		sev := SeverityError
		if r != nil && r.Trusted {
			sev = SeverityWarning
		}
		d.add(CodeSelfSignedLeaf, sev, leaf, fmt.Sprintf("the leaf %s is self-signed: only clients that have it installed will trust it", Name(leaf)), "get a certificate from a public CA or your internal CA, and serve it with its intermediates")
	}
	for i, c := range dated {
		if (r != nil && i == len(path)-1 && topIsRoot) || (r == nil && IsSelfSigned(c)) {
			continue // nobody checks a root's own signature
		}
		if h := weakHash(c); h != "" {
			d.add(CodeSHA1Signature, SeverityError, c, fmt.Sprintf("%s is signed with %s, which current browsers and crypto/x509 refuse", Name(c), h), "get a SHA-256 reissue of it from its CA")
		}
	}
	for _, c := range inters {
		if c.NotAfter.Before(leaf.NotAfter) && !d.at.After(c.NotAfter) {
			d.add(CodeIntermediateExpiresFirst, SeverityWarning, c, fmt.Sprintf("the intermediate %s expires %s, before the leaf (%s): the chain breaks then", Name(c), day(c.NotAfter), day(leaf.NotAfter)), "before then, install the CA's newer intermediate or renew the leaf under it")
		}
	}

	slices.SortStableFunc(d.list, func(x, y Finding) int { return sevRank(x.Severity) - sevRank(y.Severity) })
	if len(d.list) == 0 || d.list[0].Severity == SeverityInfo {
		msg := "the chain is complete, in order and valid"
		if r == nil {
			msg = "no problem found in the served certificates themselves (no chain was built, so completeness was not checked)"
		}
		d.add(CodeOK, SeverityInfo, leaf, msg, "")
	}
	return d.list
}

type diag struct {
	at   time.Time
	warn time.Duration
	list []Finding
}

func (d *diag) add(code, sev string, c *x509.Certificate, msg, fix string) {
	f := Finding{Code: code, Severity: sev, Cert: c, Message: msg, Fix: fix}
	if c != nil {
		f.Subject = Name(c)
	}
	d.list = append(d.list, f)
}

// wrongIssuers finds the served certificates that are not on the path and
// carry the issuer name of a certificate below the root on it (the leaf or
// an intermediate) without having signed it; it maps each one's SHA-256 to
// that certificate. With withResult false the path is only the leaf: the
// chain is followed through the served certificates that sign, from the
// leaf up, and stops at the first certificate whose issuer's name only
// non-signers carry.
func wrongIssuers(served, path []*x509.Certificate, topIsRoot, withResult bool, onPath map[[32]byte]int) map[[32]byte]*x509.Certificate {
	wrong := make(map[[32]byte]*x509.Certificate)
	checks := 0
	verdict := func(parent, child *x509.Certificate) sigState {
		if checks >= maxDiagnoseSignatureChecks {
			return sigUnknown
		}
		checks++
		return signatureVerdict(parent, child)
	}
	// judge sorts the served certificates named as child's issuer into a
	// signer (the first found) and the proven non-signers.
	judge := func(child *x509.Certificate) (signer *x509.Certificate, bad [][32]byte) {
		for _, s := range served {
			sum := sha256.Sum256(s.Raw)
			if _, on := onPath[sum]; (on && withResult) || s == child || !namesIssuerOf(s, child) {
				continue
			}
			switch verdict(s, child) {
			case sigValid:
				if signer == nil {
					signer = s
				}
			case sigInvalid:
				bad = append(bad, sum)
			}
		}
		return signer, bad
	}
	mark := func(child *x509.Certificate, bad [][32]byte) {
		for _, sum := range bad {
			if wrong[sum] == nil {
				wrong[sum] = child
			}
		}
	}
	if withResult {
		children := path
		if topIsRoot && len(path) > 1 {
			children = path[:len(path)-1]
		}
		for _, c := range children {
			_, bad := judge(c)
			mark(c, bad)
		}
		return wrong
	}
	c := path[0]
	for range MaxChainLength {
		if IsSelfSigned(c) {
			break
		}
		signer, bad := judge(c)
		if signer == nil {
			mark(c, bad)
			break
		}
		c = signer
	}
	return wrong
}

// namesIssuerOf: s carries the name of c's issuer, byte for byte, or up to
// string encoding with its SKI equal to c's AKI (the builder's linking rule).
func namesIssuerOf(s, c *x509.Certificate) bool {
	if bytes.Equal(s.RawSubject, c.RawIssuer) {
		return true
	}
	return len(c.AuthorityKeyId) > 0 && bytes.Equal(s.SubjectKeyId, c.AuthorityKeyId) && s.Subject.String() == c.Issuer.String()
}

// extra reports a served certificate that is not on the path.
func (d *diag) extra(c *x509.Certificate, r *Result) {
	msg := fmt.Sprintf("%s is sent but is not part of the chain", Name(c))
	if top := r.Path[len(r.Path)-1]; IsSelfSigned(c) && !IsSelfSigned(top) && !r.Trusted {
		// Most likely the chain's own root, out of reach because an
		// intermediate is missing (reported on its own).
		d.add(CodeExtraCertificate, SeverityWarning, c, fmt.Sprintf("the root %s is sent, but the chain does not reach it: the intermediate between is missing; servers need not send the root", Name(c)), "send the missing intermediate and leave the root out")
		return
	}
	for _, dr := range r.Dropped {
		if bytes.Equal(dr.Cert.Raw, c.Raw) {
			msg = fmt.Sprintf("%s is sent but is not part of the chain: %s", Name(c), dr.Reason)
			break
		}
	}
	if d.at.After(c.NotAfter) && !strings.Contains(msg, "expired") {
		msg += fmt.Sprintf(" (it expired %s)", day(c.NotAfter))
	}
	d.add(CodeExtraCertificate, SeverityWarning, c, msg, "remove it from the served chain")
}

func sevRank(s string) int {
	switch s {
	case SeverityError:
		return 0
	case SeverityWarning:
		return 1
	}
	return 2
}

func pathOrder(path []*x509.Certificate, topIsRoot bool) string {
	var names []string
	for i, c := range path {
		if i == len(path)-1 && topIsRoot && i > 0 {
			break
		}
		names = append(names, Name(c))
	}
	return strings.Join(names, ", then ")
}

func ipStrings(c *x509.Certificate) []string {
	var s []string
	for _, ip := range c.IPAddresses {
		s = append(s, ip.String())
	}
	return s
}

func uniq(certs []*x509.Certificate) []*x509.Certificate {
	seen := make(map[[32]byte]bool)
	var out []*x509.Certificate
	for _, c := range certs {
		sum := sha256.Sum256(c.Raw)
		if !seen[sum] {
			seen[sum] = true
			out = append(out, c)
		}
	}
	return out
}
