package report

import (
	"context"
	"crypto"
	"crypto/dsa" //nolint:staticcheck // only to describe DSA keys found in certificates
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"chainfix/bundle"
	"chainfix/fetch"
	"chainfix/internal/source"
	"chainfix/pfx"
)

// Inspect is inspect's product: every certificate of the input in detail,
// and the private keys found with them (a PFX), printed as text or JSON.
type Inspect struct {
	Target       string       `json:"target"`
	Address      string       `json:"address,omitempty"`
	TLSVersion   string       `json:"tls_version,omitempty"`
	At           time.Time    `json:"at"` // the time "days left" counts from
	Certificates []CertDetail `json:"certificates"`
	Keys         []KeyDetail  `json:"keys,omitempty"`
}

// CertDetail is one certificate, field by field, as an admin compares it
// with what openssl x509 -text, certmgr or a CA's portal shows.
type CertDetail struct {
	Subject   string    `json:"subject"` // RFC 2253
	Issuer    string    `json:"issuer"`
	Serial    string    `json:"serial"` // hex bytes, colon-separated, as openssl prints it
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	// DaysLeft counts whole days from At to NotAfter; negative once expired.
	DaysLeft           int       `json:"days_left"`
	DNSNames           []string  `json:"dns_names,omitempty"`
	IPAddresses        []string  `json:"ip_addresses,omitempty"`
	Emails             []string  `json:"emails,omitempty"`
	URIs               []string  `json:"uris,omitempty"`
	Key                KeyInfo   `json:"public_key"`
	SignatureAlgorithm string    `json:"signature_algorithm"`
	KeyUsage           []string  `json:"key_usage,omitempty"`
	ExtKeyUsage        []OIDName `json:"ext_key_usage,omitempty"`
	BasicConstraints   string    `json:"basic_constraints"` // "absent", "CA:FALSE", "CA:TRUE", "CA:TRUE, pathlen:0"
	IsCA               bool      `json:"is_ca"`
	PathLen            *int      `json:"path_len,omitempty"`
	SKI                string    `json:"subject_key_id,omitempty"`
	AKI                string    `json:"authority_key_id,omitempty"`
	CAIssuers          []string  `json:"ca_issuers,omitempty"`
	OCSP               []string  `json:"ocsp,omitempty"`
	CRL                []string  `json:"crl_distribution_points,omitempty"`
	Policies           []OIDName `json:"policies,omitempty"`
	Validation         string    `json:"validation,omitempty"` // DV, OV, IV or EV, by the CA/B Forum policy OID
	SCTs               int       `json:"embedded_scts"`
	SHA1               string    `json:"sha1"` // the Windows thumbprint
	SHA256             string    `json:"sha256"`
	SelfSigned         bool      `json:"self_signed"`
	raw                *x509.Certificate
}

// OIDName is an OID with its name, when known.
type OIDName struct {
	OID  string `json:"oid"`
	Name string `json:"name,omitempty"`
}

// KeyInfo describes a public key.
type KeyInfo struct {
	Type  string `json:"type"` // RSA, ECDSA, Ed25519, DSA, unknown
	Bits  int    `json:"bits,omitempty"`
	Curve string `json:"curve,omitempty"`
}

// KeyDetail is a private key found among the inputs (a PFX's).
type KeyDetail struct {
	From string  `json:"from"`
	Key  KeyInfo `json:"key"`
	// Matches names the certificate (Subject, SHA256) the key belongs to;
	// empty when it belongs to none of them.
	Matches string `json:"matches,omitempty"`
	SHA256  string `json:"matches_sha256,omitempty"`
	// Err says why the key could not be read (wrong password...).
	Err string `json:"error,omitempty"`
}

// CA/Browser Forum certificate policy OIDs (Baseline Requirements section
// 7.1.6.1, EV Guidelines section 9.7): the validation the CA did.
var cabfPolicies = map[string][2]string{
	"2.23.140.1.2.1": {"DV", "CA/B Forum domain validated"},
	"2.23.140.1.2.2": {"OV", "CA/B Forum organization validated"},
	"2.23.140.1.2.3": {"IV", "CA/B Forum individual validated"},
	"2.23.140.1.1":   {"EV", "CA/B Forum extended validation"},
	"2.5.29.32.0":    {"", "any policy"},
}

// oidSCTList is the embedded SCT list extension (RFC 6962 section 3.3).
var oidSCTList = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11129, 2, 4, 2}

// AddServed describes the chain a server sent (fetch.Endpoint), as of at:
// inspect --host, in the CLI and the web API.
func (r *Inspect) AddServed(served *fetch.Served, at time.Time) {
	r.Address, r.TLSVersion = served.Address, TLSVersionName(served.Version)
	for _, cert := range served.Certificates {
		r.Certificates = append(r.Certificates, NewCertDetail(cert, at))
	}
}

// AddDecoded describes the certificates and keys of decoded inputs, as of
// at; a key that password cannot open is described by its error.
func (r *Inspect) AddDecoded(ctx context.Context, set *source.Set, password pfx.PasswordFunc, at time.Time) {
	for _, cert := range set.Certs {
		r.Certificates = append(r.Certificates, NewCertDetail(cert, at))
	}
	for _, k := range set.Keys {
		key, err := k.Decode(ctx, password)
		if err != nil {
			r.Keys = append(r.Keys, KeyDetail{From: k.From.Name, Err: OneLine(err.Error())})
			continue
		}
		r.Keys = append(r.Keys, NewKeyDetail(k.From.Name, key, r.Certificates))
	}
}

// NewCertDetail describes c at time at.
func NewCertDetail(c *x509.Certificate, at time.Time) CertDetail {
	s256 := sha256.Sum256(c.Raw)
	d := CertDetail{
		Subject:            c.Subject.String(),
		Issuer:             c.Issuer.String(),
		Serial:             OpenSSLSerial(c),
		NotBefore:          c.NotBefore.UTC(),
		NotAfter:           c.NotAfter.UTC(),
		DaysLeft:           int(math.Floor(c.NotAfter.Sub(at).Hours() / 24)),
		DNSNames:           c.DNSNames,
		Emails:             c.EmailAddresses,
		Key:                KeyInfoOf(c.PublicKey),
		SignatureAlgorithm: c.SignatureAlgorithm.String(),
		KeyUsage:           keyUsageNames(c.KeyUsage),
		IsCA:               c.BasicConstraintsValid && c.IsCA,
		CAIssuers:          c.IssuingCertificateURL,
		OCSP:               c.OCSPServer,
		CRL:                c.CRLDistributionPoints,
		SHA1:               SHA1Thumbprint(c),
		SHA256:             hex.EncodeToString(s256[:]),
		SelfSigned:         bundle.IsSelfSigned(c),
		raw:                c,
	}
	for _, ip := range c.IPAddresses {
		d.IPAddresses = append(d.IPAddresses, ip.String())
	}
	for _, u := range c.URIs {
		d.URIs = append(d.URIs, u.String())
	}
	for _, u := range c.ExtKeyUsage {
		if name, oid, ok := bundle.EKUName(u); ok {
			d.ExtKeyUsage = append(d.ExtKeyUsage, OIDName{OID: oid, Name: name})
		} else {
			d.ExtKeyUsage = append(d.ExtKeyUsage, OIDName{OID: fmt.Sprintf("unknown (%d)", int(u))})
		}
	}
	for _, o := range c.UnknownExtKeyUsage {
		d.ExtKeyUsage = append(d.ExtKeyUsage, OIDName{OID: o.String()})
	}
	switch {
	case !c.BasicConstraintsValid:
		d.BasicConstraints = "absent"
	case !c.IsCA:
		d.BasicConstraints = "CA:FALSE"
	case c.MaxPathLen >= 0: // crypto/x509: -1 when no pathLenConstraint
		n := c.MaxPathLen
		d.PathLen = &n
		d.BasicConstraints = fmt.Sprintf("CA:TRUE, pathlen:%d", n)
	default:
		d.BasicConstraints = "CA:TRUE"
	}
	if len(c.SubjectKeyId) > 0 {
		d.SKI = colonHex(c.SubjectKeyId)
	}
	if len(c.AuthorityKeyId) > 0 {
		d.AKI = colonHex(c.AuthorityKeyId)
	}
	for _, p := range c.Policies {
		o := OIDName{OID: p.String()}
		if n, ok := cabfPolicies[o.OID]; ok {
			o.Name = n[1]
			if n[0] != "" && (d.Validation == "" || n[0] == "EV") {
				d.Validation = n[0]
			}
		}
		d.Policies = append(d.Policies, o)
	}
	for _, e := range c.Extensions {
		if e.Id.Equal(oidSCTList) {
			d.SCTs = countSCTs(e.Value)
		}
	}
	return d
}

// OpenSSLSerial is the serial number as `openssl x509 -text` prints a long
// one: the DER integer's bytes in lower-case hex, colon-separated (a
// leading 00 when the high bit is set).
func OpenSSLSerial(c *x509.Certificate) string {
	if c.SerialNumber == nil {
		return ""
	}
	b := c.SerialNumber.Bytes()
	if c.SerialNumber.Sign() < 0 {
		return "-" + colonHex(b)
	}
	if len(b) == 0 || b[0]&0x80 != 0 {
		b = append([]byte{0}, b...)
	}
	return colonHex(b)
}

func colonHex(b []byte) string {
	parts := make([]string, len(b))
	for i, x := range b {
		parts[i] = fmt.Sprintf("%02x", x)
	}
	return strings.Join(parts, ":")
}

// countSCTs counts the entries of an embedded SignedCertificateTimestampList
// (RFC 6962 section 3.3: an OCTET STRING holding a TLS vector of
// length-prefixed SCTs); -1 when it cannot be parsed.
func countSCTs(value []byte) int {
	var inner []byte
	if _, err := asn1.Unmarshal(value, &inner); err != nil || len(inner) < 2 {
		return -1
	}
	total := int(binary.BigEndian.Uint16(inner))
	list := inner[2:]
	if total != len(list) {
		return -1
	}
	n := 0
	for len(list) > 0 {
		if len(list) < 2 {
			return -1
		}
		l := int(binary.BigEndian.Uint16(list))
		if len(list) < 2+l {
			return -1
		}
		list = list[2+l:]
		n++
	}
	return n
}

// KeyInfoOf describes a public key (or a private key's public half).
func KeyInfoOf(pub crypto.PublicKey) KeyInfo {
	if s, ok := pub.(crypto.Signer); ok {
		pub = s.Public()
	}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return KeyInfo{Type: "RSA", Bits: k.N.BitLen()}
	case *ecdsa.PublicKey:
		return KeyInfo{Type: "ECDSA", Bits: k.Curve.Params().BitSize, Curve: k.Curve.Params().Name}
	case ed25519.PublicKey:
		return KeyInfo{Type: "Ed25519", Bits: 256}
	case *dsa.PublicKey:
		return KeyInfo{Type: "DSA", Bits: k.P.BitLen()}
	}
	return KeyInfo{Type: "unknown"}
}

func (k KeyInfo) String() string {
	switch {
	case k.Curve != "":
		return fmt.Sprintf("%s %s (%d bits)", k.Type, k.Curve, k.Bits)
	case k.Bits > 0:
		return fmt.Sprintf("%s %d bits", k.Type, k.Bits)
	}
	return k.Type
}

// NewKeyDetail describes a private key read from `from`, and which of
// details it belongs to.
func NewKeyDetail(from string, key crypto.Signer, details []CertDetail) KeyDetail {
	k := KeyDetail{From: from, Key: KeyInfoOf(key.Public())}
	for _, d := range details {
		if d.raw != nil && pfx.MatchKey(key.Public(), d.raw) {
			k.Matches, k.SHA256 = d.Subject, d.SHA256
			break
		}
	}
	return k
}

// keyUsageNames names the Key Usage bits as openssl does.
func keyUsageNames(ku x509.KeyUsage) []string {
	names := []string{"Digital Signature", "Non Repudiation", "Key Encipherment", "Data Encipherment",
		"Key Agreement", "Certificate Sign", "CRL Sign", "Encipher Only", "Decipher Only"}
	var out []string
	for i, n := range names {
		if ku&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

// InspectText writes the report for a person; names from the certificates
// are made terminal-safe.
func InspectText(w io.Writer, rep *Inspect) {
	line := func(format string, args ...any) {
		io.WriteString(w, TermSafe(capLine(fmt.Sprintf(format, args...)))+"\n")
	}
	field := func(name string, value string) {
		if value != "" {
			line("  %-22s %s", name+":", value)
		}
	}
	head := "target: " + rep.Target
	if rep.Address != "" {
		head += fmt.Sprintf(" (%s, %s)", rep.Address, rep.TLSVersion)
	}
	line("%s", head)
	for i, d := range rep.Certificates {
		line("")
		line("certificate %d of %d", i+1, len(rep.Certificates))
		field("subject", d.Subject)
		field("issuer", d.Issuer)
		field("serial", d.Serial)
		left := fmt.Sprintf("%d days left", d.DaysLeft)
		if d.DaysLeft < 0 {
			left = fmt.Sprintf("expired %d days ago", -d.DaysLeft)
		}
		field("validity", fmt.Sprintf("%s to %s (%s)", d.NotBefore.Format(time.DateTime)+" UTC", d.NotAfter.Format(time.DateTime)+" UTC", left))
		var sans []string
		for _, n := range d.DNSNames {
			sans = append(sans, "DNS:"+n)
		}
		for _, n := range d.IPAddresses {
			sans = append(sans, "IP:"+n)
		}
		for _, n := range d.Emails {
			sans = append(sans, "email:"+n)
		}
		for _, n := range d.URIs {
			sans = append(sans, "URI:"+n)
		}
		field("subject alt names", strings.Join(sans, ", "))
		field("public key", d.Key.String())
		field("signature", d.SignatureAlgorithm)
		field("key usage", strings.Join(d.KeyUsage, ", "))
		field("extended key usage", joinOIDs(d.ExtKeyUsage))
		field("basic constraints", d.BasicConstraints)
		field("subject key id", d.SKI)
		field("authority key id", d.AKI)
		field("AIA caIssuers", strings.Join(d.CAIssuers, ", "))
		field("AIA OCSP", strings.Join(d.OCSP, ", "))
		field("CRL", strings.Join(d.CRL, ", "))
		pol := joinOIDs(d.Policies)
		if d.Validation != "" {
			pol += " -> " + d.Validation
		}
		field("policies", pol)
		scts := fmt.Sprint(d.SCTs)
		if d.SCTs < 0 {
			scts = "present but unreadable"
		}
		field("embedded SCTs", scts)
		if d.SelfSigned {
			field("self-signed", "yes")
		}
		field("SHA-1 thumbprint", d.SHA1)
		field("SHA-256", d.SHA256)
	}
	for i, k := range rep.Keys {
		line("")
		line("private key %d (from %s)", i+1, k.From)
		if k.Err != "" {
			field("error", k.Err)
			continue
		}
		field("key", k.Key.String())
		m := "no certificate above"
		if k.Matches != "" {
			m = "yes: " + k.Matches
		}
		field("matches", m)
	}
}

func joinOIDs(os []OIDName) string {
	parts := make([]string, len(os))
	for i, o := range os {
		parts[i] = o.OID
		if o.Name != "" {
			parts[i] = o.Name + " (" + o.OID + ")"
		}
	}
	return strings.Join(parts, ", ")
}
