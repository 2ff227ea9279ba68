package main

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"chainfix/bundle"
)

// printSummary tells the admin, on stderr, what the chain is and what
// chainfix did to the input: the path, what was reordered, dropped and
// added, and whether the root was written.
func (st *state) printSummary(out *chainOutcome, includeRoot bool) {
	if st.quiet || out.result == nil {
		return
	}
	w := st.notes
	r := out.result
	trust := "NOT trusted: no trusted root reached"
	if r.Trusted {
		trust = "trusted via " + bundle.Name(r.Path[len(r.Path)-1])
	}
	fmt.Fprintf(w, "chainfix: chain for %s: %s, %s\n", bundle.Name(r.Leaf), certCount(len(r.Path)), trust)
	if r.LeafReason != "" {
		fmt.Fprintf(w, "chainfix: leaf: %s\n", r.LeafReason)
	}
	for i, c := range r.Path {
		role := "intermediate"
		note := ""
		switch {
		case i == 0:
			role = "leaf"
		case i == len(r.Path)-1 && isRoot(c):
			role = "root"
			if !includeRoot {
				note = " (left out; --include-root adds it)"
			}
		case i == len(r.Path)-1 && r.Trusted:
			note = " (trusted as given with --roots; kept in the bundle)"
		}
		fmt.Fprintf(w, "  %d %-12s %s, issued by %s, expires %s%s\n", i, role, bundle.Name(c), issuerName(c), c.NotAfter.UTC().Format("2006-01-02"), note)
	}
	if n := len(out.given) - len(out.input); n > 0 && out.served == nil {
		fmt.Fprintf(w, "chainfix: removed %d duplicate certificate(s)\n", n)
	}
	if !r.InputInOrder && out.served == nil {
		fmt.Fprintf(w, "chainfix: reordered: the input was not in leaf -> intermediates -> root order\n")
	}
	for _, a := range r.Added {
		if isRoot(a.Cert) && !includeRoot {
			continue // the root from the trust store, not written
		}
		fmt.Fprintf(w, "chainfix: added %s (from %s)\n", bundle.Name(a.Cert), a.From)
	}
	for _, d := range r.Dropped {
		fmt.Fprintf(w, "chainfix: dropped %s: %s\n", bundle.Name(d.Cert), d.Reason)
	}
	for _, rej := range r.Rejected {
		fmt.Fprintf(w, "chainfix: not chosen: %s: %s\n", pathString(rej.Path), rej.Reason)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "chainfix: warning: %s\n", n.Message)
	}
	if !r.Trusted {
		fmt.Fprintf(w, "chainfix: warning: the chain does not reach a trusted root (--allow-untrusted); clients that do not trust %s will refuse it\n", bundle.Name(r.Path[len(r.Path)-1]))
	}
}

// issuerName is the issuer in the same short form as bundle.Name.
func issuerName(c *x509.Certificate) string {
	return bundle.Name(&x509.Certificate{Subject: c.Issuer})
}

// pathString renders a path as "CN=leaf -> CN=int -> CN=root".
func pathString(path []*x509.Certificate) string {
	names := make([]string, len(path))
	for i, c := range path {
		names[i] = bundle.Name(c)
	}
	return strings.Join(names, " -> ")
}

// certJSON is one certificate in JSON reports.
type certJSON struct {
	Subject   string    `json:"subject"`
	Issuer    string    `json:"issuer"`
	Serial    string    `json:"serial"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	SHA256    string    `json:"sha256"`
	SHA1      string    `json:"sha1"` // the thumbprint Windows and IIS show
	DNSNames  []string  `json:"dns_names,omitempty"`
	IsCA      bool      `json:"is_ca"`
}

func toJSON(c *x509.Certificate) certJSON {
	s256 := sha256.Sum256(c.Raw)
	return certJSON{
		Subject:   bundle.Name(c),
		Issuer:    issuerName(c),
		Serial:    c.SerialNumber.Text(16),
		NotBefore: c.NotBefore.UTC(),
		NotAfter:  c.NotAfter.UTC(),
		SHA256:    hex.EncodeToString(s256[:]),
		SHA1:      sha1Thumbprint(c),
		DNSNames:  c.DNSNames,
		IsCA:      c.IsCA,
	}
}

func certsJSON(certs []*x509.Certificate) []certJSON {
	out := make([]certJSON, 0, len(certs))
	for _, c := range certs {
		out = append(out, toJSON(c))
	}
	return out
}

// tlsVersionName names a TLS version as admins know it.
func tlsVersionName(v uint16) string {
	if v == 0 {
		return "unknown TLS version"
	}
	return tls.VersionName(v)
}

// certCount says "1 certificate", "3 certificates".
func certCount(n int) string {
	if n == 1 {
		return "1 certificate"
	}
	return fmt.Sprintf("%d certificates", n)
}
