package repair

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"chainfix/bundle"
	"chainfix/fetch"
	"chainfix/internal/source"
	"chainfix/pfx"
)

// DiagnoseOptions tune Diagnose.
type DiagnoseOptions struct {
	// Name is the name clients use, checked against the leaf's SANs; with
	// a Host request the server name is used when Name and Names are empty.
	Name string
	// Names are more names clients use (check --name, repeatable): DNS
	// names or IP addresses, each checked against the leaf.
	Names []string
	// ExpiryWarning: warn when a certificate expires within this; 0 means
	// bundle.DefaultExpiryWarning.
	ExpiryWarning time.Duration
}

// Diagnose gathers the findings about an outcome: the builder's diagnosis
// of the chain as given, why the build failed if it did, and what only an
// endpoint shows (the TLS version).
func Diagnose(out *Outcome, opts DiagnoseOptions) []bundle.Finding {
	name := opts.Name
	if name == "" && len(opts.Names) == 0 && out.Served != nil {
		name = out.Served.ServerName
		if name == "" {
			name, _, _ = fetch.SplitHostPort(out.Request.Host)
		}
	}
	dopts := bundle.DiagnoseOptions{Host: strings.Trim(name, "[]"), Names: opts.Names, At: out.Request.At, KeyUsages: out.Request.KeyUsages, ExpiryWarning: opts.ExpiryWarning, Anchors: out.Anchors}
	var fs []bundle.Finding
	if out.Result != nil {
		fs = withFetchProblems(bundle.Diagnose(out.Given, out.Result, dopts), out.FetchProblems)
	}
	if out.Err != nil {
		fs = dropOK(append(fs, failureFindings(out, dopts)...))
	}
	if len(out.Addresses) > 1 {
		fs = dropOK(append(fs, AddressFindings(out.Addresses)...))
	}
	switch {
	case out.Probe != nil:
		fs = dropOK(append(fs, ProbeFindings(out.Probe)...))
	case out.Served != nil:
		fs = dropOK(append(fs, tlsFindings(out.Served)...))
	}
	return fs
}

// OK reports whether the findings hold no error.
func OK(fs []bundle.Finding) bool {
	for _, f := range fs {
		if f.Severity == bundle.SeverityError {
			return false
		}
	}
	return true
}

// failureFindings explains a failed build. A chain that crypto/x509
// refuses (expired, wrong EKU, SHA-1) is diagnosed certificate by
// certificate, as if it were trusted, so each fault gets its own finding
// and fix; any other failure becomes one finding with its fix.
func failureFindings(out *Outcome, dopts bundle.DiagnoseOptions) []bundle.Finding {
	var invalid *bundle.InvalidError
	if errors.As(out.Err, &invalid) && len(invalid.Path) > 0 {
		top := invalid.Path[len(invalid.Path)-1]
		self := bundle.IsSelfSigned(top)
		r := &bundle.Result{Leaf: invalid.Path[0], Path: invalid.Path, Trusted: self,
			TopIsRoot: len(invalid.Path) > 1 && self && top.IsCA}
		fs := bundle.Diagnose(out.Given, r, dopts)
		for _, f := range fs {
			if f.Severity == bundle.SeverityError {
				return fs
			}
		}
	}
	f := bundle.Finding{ID: IDBuildFailed, Severity: bundle.SeverityError, Message: out.Err.Error(), Fix: "see the message"}
	var about *x509.Certificate
	var missing *bundle.MissingIssuerError
	var untrusted *bundle.UntrustedError
	switch {
	case errors.As(out.Err, &missing) && len(missing.Mismatched) > 0:
		f.ID, about = bundle.IDChainWrongIntermediate, missing.Cert
		f.Fix = "replace the intermediate with the one that issued the certificate (chainfix build fetches it, or give it with --pool)"
	case errors.As(out.Err, &missing):
		f.ID, about = bundle.IDChainIncomplete, missing.Cert
		f.Message = missingMessage(missing, out.FetchProblems)
		f.Fix = "get the intermediate from your CA and give it with --pool, or let chainfix fetch it (without --offline); then upload what chainfix build writes"
	case errors.As(out.Err, &untrusted):
		f.ID = bundle.IDChainUntrustedRoot
		f.Fix = "if it is your own CA, pass its root with --roots (and install it on the clients); otherwise get a certificate from a publicly trusted CA"
	case errors.As(out.Err, &invalid):
		f.ID = IDInvalidChain
	case errors.Is(out.Err, bundle.ErrNoLeaf):
		f.ID = bundle.IDChainNoLeaf
		f.Fix = "give the server's own certificate (the leaf), not only CA certificates"
	}
	f.About(about)
	return []bundle.Finding{f}
}

// withFetchProblems adds to each chain-incomplete finding about a
// certificate whose issuer chainfix tried and failed to fetch why the
// fetch failed (the URL and the error), so the admin knows whether
// chainfix build can complete the chain.
func withFetchProblems(fs []bundle.Finding, problems []FetchProblem) []bundle.Finding {
	for i, f := range fs {
		if f.ID != bundle.IDChainIncomplete || f.Cert == nil {
			continue
		}
		for _, p := range problems {
			if p.Cert != nil && p.Cert.Equal(f.Cert) && !strings.Contains(f.Message, p.Err.Error()) {
				fs[i].Message += "; fetching it failed: " + p.Err.Error()
			}
		}
	}
	return fs
}

// missingMessage says which issuer is missing and, when chainfix tried to
// fetch it, why that failed.
func missingMessage(m *bundle.MissingIssuerError, problems []FetchProblem) string {
	msg := m.Error()
	for _, p := range problems {
		if p.Cert != nil && string(p.Cert.Raw) == string(m.Cert.Raw) && !strings.Contains(msg, p.Err.Error()) {
			msg += "; fetching it failed: " + p.Err.Error()
		}
	}
	if len(m.Cert.IssuingCertificateURL) == 0 {
		msg += "; the certificate names no AIA URL to fetch it from"
	}
	return msg
}

// Finding ids only this package reports (the documented ones are
// bundle's ID* constants). IDBuildFailed and IDInvalidChain are fallbacks
// for a failure no documented id describes (they should not occur: each is
// a gap in the diagnosis to close); IDCheckFailed is the one finding of a
// check that could not run at all because its input could not be read or
// held no certificate (exit status 3); a server that cannot be reached or
// spoken to is bundle.IDEndpointUnreachable instead.
const (
	IDBuildFailed  = "build-failed"
	IDInvalidChain = "invalid-chain"
	IDCheckFailed  = "check-failed"
)

// dropOK removes the "ok" finding once there is any other finding.
func dropOK(fs []bundle.Finding) []bundle.Finding {
	if len(fs) < 2 {
		return fs
	}
	var out []bundle.Finding
	for _, f := range fs {
		if f.ID != bundle.IDOK {
			out = append(out, f)
		}
	}
	return out
}

// tlsFindings judges the negotiated protocol: TLS 1.0 and 1.1 are
// deprecated (RFC 8996) and refused by current browsers and clients. An
// error, not a warning: chainfix offers up to TLS 1.3, so a server that
// settles on 1.0 or 1.1 can do nothing newer.
func tlsFindings(s *fetch.Served) []bundle.Finding {
	if s.Version != 0 && s.Version < tls.VersionTLS12 {
		return []bundle.Finding{{
			ID: bundle.IDTLSLegacyVersionAccepted, Severity: bundle.SeverityError,
			Message: fmt.Sprintf("the server negotiated %s, which current clients refuse (RFC 8996)", tls.VersionName(s.Version)),
			Fix:     "enable TLS 1.2 and 1.3 on the server and disable TLS 1.0/1.1",
		}}
	}
	return nil
}

// ProbeFindings judges what an endpoint accepts: TLS 1.0 and 1.1 are
// deprecated (RFC 8996) and refused by current browsers, a warning while
// something newer is accepted and an error when not; a refused TLS 1.3 or
// 1.2 names the clients that then fail (an error when neither is
// accepted: the IIS "client wants TLS 1.2, server speaks 1.0" case); a
// different certificate without SNI is a warning.
func ProbeFindings(p *fetch.ProbeResult) []bundle.Finding {
	var fs []bundle.Finding
	state := map[uint16]string{}
	var legacy []string
	for _, v := range p.Versions {
		switch {
		case v.Accepted:
			state[v.Version] = "accepted"
			if v.Version < tls.VersionTLS12 {
				legacy = append(legacy, tls.VersionName(v.Version))
			}
		case !v.Unknown:
			state[v.Version] = "refused"
		}
	}
	modern := state[tls.VersionTLS12] == "accepted" || state[tls.VersionTLS13] == "accepted"
	if len(legacy) > 0 {
		f := bundle.Finding{ID: bundle.IDTLSLegacyVersionAccepted, Severity: bundle.SeverityWarning,
			Message: fmt.Sprintf("the server accepts %s, deprecated by RFC 8996 and refused by current browsers; PCI DSS forbids it", strings.Join(legacy, " and ")),
			Fix:     "disable TLS 1.0 and 1.1 on the server (IIS: IIS Crypto or the SCHANNEL Protocols registry keys; nginx/Apache: ssl_protocols / SSLProtocol TLSv1.2 TLSv1.3)"}
		if !modern {
			f.Severity = bundle.SeverityError
			f.Message = fmt.Sprintf("the server accepts only %s, which current clients refuse (RFC 8996)", strings.Join(legacy, " and "))
			f.Fix = "enable TLS 1.2 and 1.3 on the server (Windows Server 2008 R2/2012: install the TLS 1.2 update and set the SCHANNEL registry keys), then disable TLS 1.0 and 1.1"
		}
		fs = append(fs, f)
	}
	switch {
	case state[tls.VersionTLS12] == "refused" && state[tls.VersionTLS13] == "refused":
		fs = append(fs, bundle.Finding{ID: bundle.IDTLSVersionRefused, Severity: bundle.SeverityError,
			Message: "the server refuses TLS 1.2 and TLS 1.3: every client that requires TLS 1.2 or newer (current browsers, .NET with TLS 1.2 enforced, Java 8u291 and newer, curl and Python with OpenSSL 3) fails the handshake",
			Fix:     "enable TLS 1.2 (and 1.3 where the server supports it)"})
	case state[tls.VersionTLS13] == "refused" && state[tls.VersionTLS12] == "accepted":
		fs = append(fs, bundle.Finding{ID: bundle.IDTLSVersionRefused, Severity: bundle.SeverityInfo,
			Message: "the server refuses TLS 1.3 and uses TLS 1.2: only clients configured for TLS 1.3 alone fail (curl --tlsv1.3 --tls-max 1.3, hardened Java or Go settings)",
			Fix:     "enable TLS 1.3 when the server supports it (Windows Server 2022, OpenSSL 1.1.1 and newer)"})
	case state[tls.VersionTLS12] == "refused" && state[tls.VersionTLS13] == "accepted":
		fs = append(fs, bundle.Finding{ID: bundle.IDTLSVersionRefused, Severity: bundle.SeverityInfo,
			Message: "the server refuses TLS 1.2 and speaks only TLS 1.3: clients without TLS 1.3 fail (Windows before 11 and Server 2022, Java 8 before 8u261, OpenSSL 1.0.2, Android 9 and older)",
			Fix:     "enable TLS 1.2 too unless every client is known to speak TLS 1.3"})
	}
	if p.SNIDiffers() {
		f := bundle.Finding{ID: bundle.IDSNIMismatch, Severity: bundle.SeverityWarning,
			Fix: "make the certificate for this name the server's default (IIS: a binding without \"Require Server Name Indication\"; nginx: default_server; Apache: the first VirtualHost)"}
		if p.WithoutSNIErr != nil {
			f.Message = "the server refuses clients that send no server name (SNI): " + p.WithoutSNIErr.Error() + "; old clients, some monitoring agents and load-balancer health checks fail"
		} else {
			f.Message = fmt.Sprintf("without SNI the server sends %s instead of %s: old clients, some monitoring agents and load-balancer health checks get the wrong certificate", bundle.Name(p.WithoutSNI[0]), bundle.Name(p.WithSNI[0]))
			f.About(p.WithoutSNI[0])
		}
		fs = append(fs, f)
	}
	return fs
}

// AddressFindings compares what the addresses of one name serve (check
// --all-ips): another chain, or no answer, at one of them is an error,
// since a client gets whichever address its resolver picks.
func AddressFindings(as []fetch.AddressServed) []bundle.Finding {
	key := func(a fetch.AddressServed) string {
		if a.Err != nil || a.Served == nil {
			return ""
		}
		var b strings.Builder
		for _, c := range a.Served.Certificates {
			b.Write(c.Raw)
		}
		return b.String()
	}
	// The reference is the chain most addresses serve (the first on a tie).
	count := map[string]int{}
	ref := -1
	for i, a := range as {
		k := key(a)
		if k == "" {
			continue
		}
		count[k]++
		if ref < 0 || count[k] > count[key(as[ref])] {
			ref = i
		}
	}
	var fs []bundle.Finding
	for _, a := range as {
		f := bundle.Finding{ID: bundle.IDEndpointAddressMismatch, Severity: bundle.SeverityError,
			Fix: "install the same certificate and chain on every server behind the name (or remove the stale address from DNS)"}
		switch {
		case a.Err != nil:
			f.Message = fmt.Sprintf("the address %s of the name does not answer like the others: %s", a.Address, oneLine(a.Err.Error()))
		case ref >= 0 && key(a) != key(as[ref]):
			r := as[ref].Served
			f.Message = fmt.Sprintf("the address %s serves another chain (%s) than %s (%s): clients get one or the other", a.Address, chainWords(a.Served.Certificates), as[ref].Address, chainWords(r.Certificates))
			if len(a.Served.Certificates) > 0 {
				f.About(a.Served.Certificates[0])
			}
		default:
			continue
		}
		fs = append(fs, f)
	}
	return fs
}

// chainWords names a served chain briefly: "3 certificates, leaf CN=www".
func chainWords(certs []*x509.Certificate) string {
	if len(certs) == 0 {
		return "no certificate"
	}
	n := "1 certificate"
	if len(certs) > 1 {
		n = fmt.Sprintf("%d certificates", len(certs))
	}
	return n + ", leaf " + bundle.Name(certs[0])
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// FailedFinding is the one finding of a check that could not run at all
// (nothing listens, no TLS, unreadable file): scripts asking for JSON
// still get a document. A server that could not be reached or spoken to
// (an *EndpointError in err's chain) is IDEndpointUnreachable; anything
// else is IDCheckFailed.
func FailedFinding(err error) bundle.Finding {
	msg := strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
	var ee *EndpointError
	if errors.As(err, &ee) {
		return bundle.Finding{ID: bundle.IDEndpointUnreachable, Severity: bundle.SeverityError, Message: msg,
			Fix: "check that the server listens on that port and speaks TLS there (--starttls for mail and database ports), and that no firewall or proxy is in the way"}
	}
	return bundle.Finding{ID: IDCheckFailed, Severity: bundle.SeverityError, Message: msg,
		Fix: "make the input readable (a certificate file chainfix reads: PEM, DER, PKCS#7 or PFX, with its password), then check again"}
}

// Chain is what to write of the chosen path: the leaf unless chainOnly,
// and the top only when it is not a self-signed root, unless includeRoot
// (servers should not send the root: RFC 8446 section 4.4.2 lets them omit
// it, and clients use their own copy). A trust anchor that is not
// self-signed (an intermediate given with --roots) stays: clients need it.
func (o *Outcome) Chain(includeRoot, chainOnly bool) []*x509.Certificate {
	path := o.Result.Path
	if !includeRoot && o.Result.TopIsRoot {
		path = path[:len(path)-1]
	}
	if chainOnly {
		path = path[1:]
	}
	return path
}

// KeyFindings judges the key that goes with the chain (check --key): it
// must belong to the leaf (bundle.IDKeyMismatch). A key that cannot be read
// (bad form, wrong password) decides nothing: the error is returned, and
// wraps ErrKeyUnreadable.
func KeyFindings(ctx context.Context, out *Outcome, keyFile *source.Input, password pfx.PasswordFunc) ([]bundle.Finding, error) {
	var leaf *x509.Certificate
	switch {
	case out.Result != nil:
		leaf = out.Result.Leaf
	case len(out.Input) > 0:
		leaf = out.Input[0]
	default:
		return nil, nil
	}
	key, err := ChooseKey(ctx, keyFile, nil, nil, password)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKeyUnreadable, err)
	}
	if pfx.MatchKey(key.Public(), leaf) {
		return nil, nil
	}
	f := bundle.Finding{ID: bundle.IDKeyMismatch, Severity: bundle.SeverityError,
		Message: fmt.Sprintf("the private key %s does not belong to the leaf %s (its public key is %s, the key's %s)",
			keyFile.Name, bundle.Name(leaf), pfx.ShortFingerprint(pfx.Fingerprint(leaf.PublicKey)), pfx.ShortFingerprint(pfx.Fingerprint(key.Public()))),
		Fix: "find the key that was made with this certificate's request ('chainfix match --key KEY FILE...'), or reissue the certificate for this key"}
	f.About(leaf)
	return []bundle.Finding{f}, nil
}

// ErrKeyUnreadable: the key given to judge (check --key) could not be read
// or decrypted, so whether it matches is unknown.
var ErrKeyUnreadable = errors.New("cannot read the private key")

// PFXFindings reports the PFX inputs that hold certificates but no private
// key (bundle.IDPFXNoKey): IIS and Windows import them, then say "the
// certificate has no private key" and cannot bind it.
func PFXFindings(out *Outcome) []bundle.Finding {
	var fs []bundle.Finding
	for _, name := range out.PFXWithoutKey {
		f := bundle.Finding{ID: bundle.IDPFXNoKey, Severity: bundle.SeverityError,
			Message: fmt.Sprintf("the PFX %s holds certificates but no private key: IIS and Windows import it and then report that the certificate has no private key", name),
			Fix:     "export the PFX again with its private key (certmgr: \"Yes, export the private key\"), or build one: chainfix pfx --key KEY CHAIN -o site.pfx"}
		if out.Result != nil {
			f.About(out.Result.Leaf)
		}
		fs = append(fs, f)
	}
	return fs
}

// Tidy orders findings errors first, then warnings, then information, and
// drops the "ok" finding once there is any other.
func Tidy(fs []bundle.Finding) []bundle.Finding {
	fs = dropOK(fs)
	rank := map[string]int{bundle.SeverityError: 0, bundle.SeverityWarning: 1}
	slices.SortStableFunc(fs, func(a, b bundle.Finding) int {
		ra, ok := rank[a.Severity]
		if !ok {
			ra = 2
		}
		rb, ok := rank[b.Severity]
		if !ok {
			rb = 2
		}
		return ra - rb
	})
	return fs
}

// OtherSites returns the leaves of other sites found among the inputs (not
// renewals of the chosen leaf): several files read as pieces of one chain
// that hold leaves of different sites. The front ends refuse such a run
// rather than answer for the first site and silently drop the others.
func (o *Outcome) OtherSites() []*x509.Certificate {
	if o == nil || o.Result == nil {
		return nil
	}
	var others []*x509.Certificate
	for _, rv := range o.Result.LeafChoice.Rivals {
		if rv.Lost == bundle.LostInputOrder {
			others = append(others, rv.Cert)
		}
	}
	return others
}

// Names lists certificates' short names, "; "-separated.
func Names(certs []*x509.Certificate) string {
	names := make([]string, len(certs))
	for i, c := range certs {
		names[i] = bundle.Name(c)
	}
	return strings.Join(names, "; ")
}
