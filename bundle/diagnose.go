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

// DefaultExpiryWarning is how long before a certificate's expiry Diagnose starts
// warning: Let's Encrypt sends its reminders from 20 days ahead, and most
// CAs reissue within a day, so 30 days leaves time for a change window.
const DefaultExpiryWarning = 30 * 24 * time.Hour

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
// name but did not sign (IDChainWrongIntermediate). Findings come errors
// first, then warnings, then information; with no error or warning the
// list ends with one "ok".
//
// The top of r.Path is a root, left out of what a server sends, only when
// IsRoot says so: a trust anchor that is not a self-signed CA is an
// intermediate clients must be sent (IDChainIncomplete when it is
// not), as Build keeps it in the bundle.
func Diagnose(served []*x509.Certificate, r *Result, opts DiagnoseOptions) []Finding {
	d := &diag{at: opts.At, warn: opts.ExpiryWarning, roots: opts.Roots, anchors: opts.Anchors}
	if d.warn <= 0 {
		d.warn = DefaultExpiryWarning
	}
	served = slices.DeleteFunc(slices.Clone(served), func(c *x509.Certificate) bool { return c == nil })
	if len(served) == 0 && (r == nil || r.Leaf == nil) {
		d.add(IDNoCertificates, SeverityError, nil, "no certificates were served", "configure the server with the leaf certificate followed by its intermediates")
		return d.list
	}
	sums := make([][32]byte, len(served))
	for i, c := range served {
		sums[i] = sha256.Sum256(c.Raw)
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
	topSelf := IsSelfSigned(top)
	topIsRoot := len(path) > 1 && topSelf && top.IsCA // IsRoot
	inters := intermediatesOf(path, topIsRoot)
	onPath := make(map[[32]byte]int)
	for i, c := range path {
		onPath[sha256.Sum256(c.Raw)] = i
	}
	children := path // the certificates whose issuer matters
	if (r != nil && r.Trusted) || topSelf {
		children = path[:len(path)-1]
	}
	if r == nil {
		children = nil
	}
	wrong := wrongIssuers(served, sums, leaf, path, children, onPath)

	// Served certificates: duplicates, extras, the root, the order.
	seen := make(map[[32]byte]bool)
	var dropped map[[32]byte]Dropped
	var order []int // path positions of served certificates, in served order
	var orderAt []int
	for i, c := range served {
		sum := sums[i]
		if seen[sum] {
			d.add(IDChainDuplicate, SeverityWarning, c, fmt.Sprintf("%s is sent more than once", Name(c)), "remove the extra copy from the chain file")
			continue
		}
		seen[sum] = true
		pos, ok := onPath[sum]
		if !ok {
			switch child := wrong[sum]; {
			case child != nil:
				d.add(IDChainWrongIntermediate, SeverityError, c, fmt.Sprintf("%s is sent as the issuer of %s (it has that name) but did not sign it: it is another CA with the same name (a renewed or sibling intermediate with another key, or a damaged copy)", Name(c), Name(child)),
					"replace it with the intermediate that issued "+Name(child)+": chainfix build fetches or picks the right one")
			case r != nil:
				if dropped == nil {
					dropped = droppedBySum(r)
				}
				d.extra(c, r, dropped[sum], topSelf)
			}
			continue
		}
		order, orderAt = append(order, pos), append(orderAt, i)
		if pos == len(path)-1 && topIsRoot {
			d.add(IDChainRootIncluded, SeverityInfo, c, fmt.Sprintf("the root %s is sent; clients use their own copy, so it is unneeded (harmless, a few more bytes per handshake)", Name(c)), "leave the root out of the served chain")
		}
	}
	if r != nil {
		for _, c := range inters {
			if !seen[sha256.Sum256(c.Raw)] {
				d.add(IDChainIncomplete, SeverityError, c, fmt.Sprintf("the intermediate %s is not sent; clients that do not already have it (most phones, curl, Java, Go, Python) fail with an unknown-issuer error%s", Name(c), foundWhere(r, c)), "send it after the leaf: use the chain chainfix build writes")
			}
		}
		if len(served) > 0 {
			d.order(served, leaf, path, order, orderAt, topIsRoot)
		}
		if !r.Trusted {
			switch {
			case topSelf && len(path) > 1:
				d.add(IDChainUntrustedRoot, SeverityError, top, fmt.Sprintf("the chain ends at %s, a private or unknown root that clients do not trust", Name(top)), "if it is your own CA, install it on the clients and pass it with --roots; otherwise get a certificate from a publicly trusted CA")
			case !topSelf:
				issuer := Name(&x509.Certificate{Subject: top.Issuer})
				why := "could not be found"
				if len(top.IssuingCertificateURL) == 0 {
					why += " (the certificate names no AIA URL to fetch it from)"
				}
				d.add(IDChainIncomplete, SeverityError, top, fmt.Sprintf("the issuer of %s, %s, is not sent and %s, so the chain cannot be completed", Name(top), issuer, why),
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
		if d.at.IsZero() {
			continue
		}
		switch ValidityAt(c, d.at) {
		case Expired:
			d.add(IDCertExpired, SeverityError, c, fmt.Sprintf("%s expired %s", what, day(c.NotAfter)), fix)
		case NotYetValid:
			d.add(IDCertNotYetValid, SeverityError, c, fmt.Sprintf("%s is not valid before %s", what, day(c.NotBefore)), "wait until then, or check the server's and the clients' clocks")
		default:
			if left := c.NotAfter.Sub(d.at); left < d.warn {
				d.soon = append(d.soon, expiring{c, what, int(left.Hours() / 24)})
			}
		}
	}
	for _, e := range d.soon {
		fix := "renew it now"
		if e.c != leaf {
			fix = "install the CA's newer certificate in its place (or renew the leaf under a newer intermediate) before then"
		}
		d.add(IDCertExpiringSoon, SeverityWarning, e.c, fmt.Sprintf("%s expires %s, in %d days", e.what, day(e.c.NotAfter), e.days), fix)
	}
	for _, name := range hostNames(opts) {
		if err := leaf.VerifyHostname(name); err == nil {
			continue
		}
		if cnOnly(leaf, name) {
			d.add(IDNameCNOnly, SeverityError, leaf, fmt.Sprintf("the leaf %s names %s only in its subject CN and has no Subject Alternative Names: current clients ignore the CN (Chrome since 58, Go since 1.15, iOS since 13)", Name(leaf), name),
				"reissue it with "+name+" as a Subject Alternative Name (DNS, or IP for an address)")
			continue
		}
		names := strings.Join(append(slices.Clone(leaf.DNSNames), ipStrings(leaf)...), ", ")
		msg := fmt.Sprintf("the leaf %s is not valid for %s; its names are: %s", Name(leaf), name, names)
		if names == "" {
			msg = fmt.Sprintf("the leaf %s is not valid for %s: it has no Subject Alternative Names, and clients ignore the CN", Name(leaf), name)
		}
		d.add(IDNameMismatch, SeverityError, leaf, msg, "get a certificate whose Subject Alternative Names include "+name)
	}
	d.usage(leaf, served, path, opts.KeyUsages)
	if r != nil {
		if c, child := issuerNotCA(path); c != nil {
			d.add(IDIntermediateNotCA, SeverityError, c, fmt.Sprintf("%s is used as the issuer of %s but is not a CA certificate (no basicConstraints cA:TRUE): clients refuse the chain", Name(c), Name(child)),
				"get the CA's real intermediate certificate; a certificate without the CA flag cannot issue others")
		} else if c, below := pathLenExceeded(path); c != nil {
			d.add(IDIntermediateNotCA, SeverityError, c, fmt.Sprintf("%s allows %d intermediate(s) below it (pathLenConstraint) and this chain has %d: clients refuse it", Name(c), c.MaxPathLen, below),
				"get a chain from the CA that respects the constraint (a shorter path, or another intermediate)")
		}
	}
	leafSelf := leaf == top && topSelf || leaf != top && IsSelfSigned(leaf)
	if leafSelf {
		sev := SeverityError
		if r != nil && r.Trusted {
			sev = SeverityWarning
		}
		d.add(IDLeafSelfSigned, sev, leaf, fmt.Sprintf("the leaf %s is self-signed: only clients that have it installed will trust it", Name(leaf)), "get a certificate from a public CA or your internal CA, and serve it with its intermediates")
	}
	signed := signedBy(path, topSelf)
	if r == nil {
		signed = slices.DeleteFunc(slices.Clone(dated), IsSelfSigned)
	}
	for _, c := range signed {
		if h := weakHash(c); h != "" {
			d.add(IDWeakSignature, SeverityError, c, fmt.Sprintf("%s is signed with %s, which current browsers and crypto/x509 refuse", Name(c), h), "get a SHA-256 reissue of it from its CA")
		}
	}
	for _, c := range dated {
		switch sev, what := weakKey(c); sev {
		case SeverityError:
			d.add(IDWeakKey, sev, c, fmt.Sprintf("%s has %s", Name(c), what), "reissue it with a 2048-bit (or larger) RSA key or an ECDSA P-256 key")
		case SeverityWarning:
			d.add(IDWeakKey, sev, c, fmt.Sprintf("%s has %s", Name(c), what), "for the widest support, use an RSA 2048-bit or ECDSA P-256/P-384 key")
		}
	}
	for _, c := range inters {
		if expiresBeforeLeaf(c, leaf) && ValidityAt(c, d.at) != Expired {
			d.add(IDChainIntermediateExpiresFirst, SeverityWarning, c, fmt.Sprintf("the intermediate %s expires %s, before the leaf (%s): the chain breaks then", Name(c), day(c.NotAfter), day(leaf.NotAfter)), "before then, install the CA's newer intermediate or renew the leaf under it")
		}
	}

	slices.SortStableFunc(d.list, func(x, y Finding) int { return sevRank(x.Severity) - sevRank(y.Severity) })
	if len(d.list) == 0 || d.list[0].Severity == SeverityInfo {
		msg := "the chain is complete, in order and valid"
		if r == nil {
			msg = "no problem found in the served certificates themselves (no chain was built, so completeness was not checked)"
		}
		d.add(IDOK, SeverityInfo, leaf, msg, "")
	}
	return d.list
}

// usage judges the leaf: a CA certificate sent as the leaf (a plain
// self-signed CA certificate alone, what openssl req -x509 makes, is a
// self-signed leaf instead), or one without the wanted extended key usage.
func (d *diag) usage(leaf *x509.Certificate, served, path []*x509.Certificate, usages []x509.ExtKeyUsage) {
	if len(usages) == 0 {
		usages = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	alone := len(path) == 1 && IsSelfSigned(leaf)
	// A CA certificate with a name a server answers to (a SAN) is a server
	// certificate made as a CA (ca-as-leaf below); without one, the input
	// holds no leaf at all.
	if leaf.IsCA && !alone && !hasSANs(leaf) && len(served) > 0 && bytes.Equal(served[0].Raw, leaf.Raw) {
		d.add(IDChainNoLeaf, SeverityError, leaf, fmt.Sprintf("there is no server certificate: %s is a CA certificate", Name(leaf)), "put the server's own certificate (the leaf) first, followed by its intermediates")
		return
	}
	if caAsLeaf(leaf) && !alone && !IsSelfSigned(leaf) {
		d.add(IDCAAsLeaf, SeverityWarning, leaf, fmt.Sprintf("the leaf %s says it is a CA (basicConstraints cA:TRUE or keyCertSign): some clients (Java, Windows, NSS) refuse a CA certificate as a server certificate", Name(leaf)),
			"reissue it as an end-entity certificate (cA:FALSE, no keyCertSign)")
	}
	// A CA certificate's Key Usage is a CA's: it is reported as a CA
	// (ca-as-leaf, leaf-self-signed), once.
	if lacks := keyUsageLacks(leaf); len(lacks) > 0 && !caAsLeaf(leaf) {
		d.add(IDKUMismatch, SeverityWarning, leaf, fmt.Sprintf("the leaf %s has a Key Usage without %s, which its key type needs for TLS: strict clients (Windows SChannel, Java, OpenSSL for the affected key exchange) refuse the handshake", Name(leaf), strings.Join(lacks, " and ")),
			"reissue it with Key Usage digitalSignature (and keyEncipherment for an RSA key)")
	}
	if hasUsage(leaf, usages) {
		return
	}
	if onlySGC(leaf) && slices.Contains(usages, x509.ExtKeyUsageServerAuth) {
		// Citrix CTX101990 ("The server certificate received is not
		// trusted (SSL Error 61)"): certificates whose EKU holds only the
		// two SGC OIDs violate RFC 3280 section 4.2.1.13 and are rejected
		// by the ICA client; Microsoft's "Certificate and trust return
		// values" (winerror.h) lists CERT_E_WRONG_USAGE 0x800B0110, "the
		// certificate is not valid for the requested usage".
		d.add(IDEKUSGCOnly, SeverityError, leaf, fmt.Sprintf("the leaf %s has only the old Server Gated Crypto usages (%s) in its extended key usage, no Server Authentication (1.3.6.1.5.5.7.3.1): Citrix clients report this as \"SSL Error 61\" (the server certificate received is not trusted) and Windows as 0x800b0110 (CERT_E_WRONG_USAGE)", Name(leaf), ekuList(leaf)),
			"reissue the certificate with Server Authentication (1.3.6.1.5.5.7.3.1) in its extended key usage")
		return
	}
	if slices.Contains(usages, x509.ExtKeyUsageClientAuth) {
		d.add(IDEKUNoClientAuth, SeverityError, leaf, fmt.Sprintf("the leaf %s lacks Client Authentication (1.3.6.1.5.5.7.3.2) in its extended key usage; it has only %s", Name(leaf), ekuList(leaf)), "get a certificate issued for TLS client authentication")
		return
	}
	msg := fmt.Sprintf("the leaf %s lacks Server Authentication (1.3.6.1.5.5.7.3.1) in its extended key usage; it has only %s", Name(leaf), ekuList(leaf))
	if slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageNetscapeServerGatedCrypto) || slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageMicrosoftServerGatedCrypto) {
		msg += "; the old Server Gated Crypto usages no longer count as server authentication"
	}
	d.add(IDEKUNoServerAuth, SeverityError, leaf, msg, "get a certificate issued for TLS server authentication")
}

type diag struct {
	at      time.Time
	warn    time.Duration
	roots   []*x509.Certificate
	anchors *Anchors
	list    []Finding
	soon    []expiring
}

// expiring is a certificate that expires within the warning window.
type expiring struct {
	c    *x509.Certificate
	what string
	days int
}

// hostNames are the names clients use: opts.Host and opts.Names, each once.
func hostNames(opts DiagnoseOptions) []string {
	var names []string
	for _, n := range append([]string{opts.Host}, opts.Names...) {
		n = strings.Trim(n, "[]")
		if n != "" && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return names
}

// foundWhere says where Build found intermediate c, which was not sent, so
// the admin knows chainfix build can supply it.
func foundWhere(r *Result, c *x509.Certificate) string {
	for _, a := range r.Added {
		if a.Cert.Equal(c) {
			switch a.From {
			case FromFetched:
				return "; chainfix build fetched it through AIA"
			case FromPool:
				return "; chainfix build found it in --pool"
			case FromRoots:
				return "; chainfix build found it among the trusted certificates"
			}
		}
	}
	return ""
}

func (d *diag) add(code, sev string, c *x509.Certificate, msg, fix string) {
	f := Finding{ID: code, Severity: sev, Message: msg, Fix: fix}
	f.About(c)
	d.list = append(d.list, f)
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
