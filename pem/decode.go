package pem

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"strings"
	"unicode/utf8"
)

// Format values of Contents.Format.
const (
	FormatPEM      = "pem"       // PEM text with certificate blocks (maybe PKCS7 blocks too)
	FormatDER      = "der"       // one or more concatenated DER certificates
	FormatPKCS7    = "pkcs7"     // a DER or BER PKCS#7 SignedData
	FormatPKCS7PEM = "pkcs7-pem" // PEM text whose certificates all came from PKCS7 blocks
)

// maxListed bounds how many things an ErrNoCertificates message lists, so a
// pool of a thousand CRLs gives a one-line error.
const maxListed = 3

// oidSignedData is PKCS#7 / CMS SignedData (RFC 5652 section 5).
var oidSignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}

// ASN.1 identifier octets the sniffer looks at.
const (
	tagSequence = 0x30
	tagOID      = 0x06
	tagInteger  = 0x02
)

// Decode reads the certificates in data, whatever shape they come in: PEM
// text (see Blocks for what is tolerated) with CERTIFICATE, X509 CERTIFICATE,
// TRUSTED CERTIFICATE (openssl's aux trust data after the certificate is
// ignored), PKCS7, PKCS #7 SIGNED DATA, CMS or CERTIFICATE CHAIN blocks; one
// or more concatenated DER certificates; a certs-only PKCS#7 SignedData in
// DER or BER. The format is decided on the raw bytes, never on a file name
// and before any text normalisation, because DER often contains CR LF bytes.
//
// Private-key blocks (labels ending in "PRIVATE KEY") and EC PARAMETERS go
// to Contents.Keys; other blocks are listed in Contents.Skipped. Duplicate
// certificates (same DER) are dropped, the first occurrence keeps its place.
//
// Errors are *Error values locating the block (or the DER certificate). A
// certificate that crypto/x509 refuses fails the whole decode unless
// opts.Lenient, which records it in Skipped instead. When the input holds no
// certificate, the error wraps ErrNoCertificates and says what the input held
// instead; in that case (only) Decode also returns the Contents it found, so
// a caller can still use its Keys.
func Decode(data []byte, opts Options) (*Contents, error) {
	if looksLikeDER(data) {
		d := newDecoder(opts)
		format, err := d.der(data, origin{})
		if err == nil || !bytes.Contains(data, []byte(beginMarker)) {
			if err != nil {
				return nil, err
			}
			d.c.Format = format
			return d.finish()
		}
		// Text that merely starts like DER (a line beginning "0"): read it as text.
	} else if err := truncatedDER(data); err != nil {
		return nil, err
	}
	return decodeText(data, opts)
}

func decodeText(data []byte, opts Options) (*Contents, error) {
	blocks, err := Blocks(data)
	if err != nil {
		return nil, err
	}
	d := newDecoder(opts)
	if len(blocks) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNoCertificates, describeNonPEM(data))
	}
	certBlocks, p7Blocks := 0, 0
	for _, b := range blocks {
		o := origin{block: b.Index, line: b.Line}
		switch {
		case b.Type == "CERTIFICATE" || b.Type == "X509 CERTIFICATE":
			certBlocks++
			if isPKCS7(b.Bytes) {
				// Microsoft CA web enrollment and some CA portals label a
				// base64 PKCS#7 as CERTIFICATE.
				if _, err := d.der(b.Bytes, o); err != nil {
					return nil, err
				}
				continue
			}
			if err := d.cert(b.Bytes, o); err != nil {
				return nil, err
			}
		case b.Type == "TRUSTED CERTIFICATE":
			// openssl's X509_AUX format: the certificate SEQUENCE, then
			// trust settings and an alias. Only the first SEQUENCE matters.
			certBlocks++
			var first asn1.RawValue
			if _, err := asn1.Unmarshal(b.Bytes, &first); err != nil {
				return nil, o.fail(fmt.Errorf("TRUSTED CERTIFICATE: %w", err))
			}
			if err := d.cert(first.FullBytes, o); err != nil {
				return nil, err
			}
		case b.Type == "PKCS7" || b.Type == "PKCS #7 SIGNED DATA" || b.Type == "CMS" || b.Type == "CERTIFICATE CHAIN":
			p7Blocks++
			if !looksLikeDER(b.Bytes) {
				return nil, o.fail(fmt.Errorf("%s block is not DER", b.Type))
			}
			if _, err := d.der(b.Bytes, o); err != nil {
				return nil, err
			}
		case strings.HasSuffix(b.Type, "PRIVATE KEY") || b.Type == "EC PARAMETERS":
			d.c.Keys = append(d.c.Keys, b)
		default:
			d.c.Skipped = append(d.c.Skipped, Skipped{Index: b.Index, Line: b.Line, What: b.Type + " block"})
		}
	}
	d.c.Format = FormatPEM
	if certBlocks == 0 && p7Blocks > 0 {
		d.c.Format = FormatPKCS7PEM
	}
	return d.finish()
}

// origin says where a piece of DER came from, for errors and Skipped.
type origin struct {
	block, line int    // PEM block and BEGIN line; 0 for raw DER
	what        string // e.g. "DER certificate 2 at byte 1234", "PKCS#7 certificate 3"
}

func (o origin) fail(err error) error {
	if o.what != "" {
		err = fmt.Errorf("%s: %w", o.what, err)
	}
	return &Error{Block: o.block, Line: o.line, Err: err}
}

func (o origin) within(what string) origin {
	if o.what != "" {
		what = o.what + ", " + what
	}
	return origin{block: o.block, line: o.line, what: what}
}

type decoder struct {
	opts Options
	c    *Contents
	seen map[string]bool
}

func newDecoder(opts Options) *decoder {
	return &decoder{opts: opts, c: &Contents{}, seen: make(map[string]bool)}
}

// cert parses one DER certificate and records it (or skips it when lenient).
func (d *decoder) cert(der []byte, o origin) error {
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		if !d.opts.Lenient {
			return o.fail(err)
		}
		what := describeCertificate(der)
		if o.what != "" {
			what += " (" + o.what + ")"
		}
		d.c.Skipped = append(d.c.Skipped, Skipped{Index: o.block, Line: o.line, What: what, Err: err})
		return nil
	}
	d.c.All = append(d.c.All, cert)
	if d.seen[string(cert.Raw)] {
		return nil
	}
	d.seen[string(cert.Raw)] = true
	d.c.Certificates = append(d.c.Certificates, cert)
	return nil
}

// der reads binary data: DER certificates or a PKCS#7 (DER or BER).
func (d *decoder) der(data []byte, o origin) (format string, err error) {
	h, err := readBERHeader(data)
	if err != nil {
		return "", o.fail(fmt.Errorf("not DER: %w", err))
	}
	switch firstChild(data, h) {
	case tagOID:
		return FormatPKCS7, d.pkcs7(data, o)
	case tagSequence:
		return FormatDER, d.derCertificates(data, o)
	case tagInteger:
		return "", o.fail(fmt.Errorf("%w: input is DER but neither a certificate nor PKCS#7 (a PFX/PKCS#12 file or a private key?)", ErrNoCertificates))
	}
	return "", o.fail(fmt.Errorf("%w: input is not PEM, DER or PKCS#7", ErrNoCertificates))
}

// firstChild returns the first identifier octet inside the element whose
// header is h, or 0.
func firstChild(data []byte, h berHeader) byte {
	if !h.constructed || h.size >= len(data) {
		return 0
	}
	return data[h.size]
}

// derCertificates reads concatenated DER certificates. Trailing whitespace
// or NUL padding (some tools add a newline) is ignored.
func (d *decoder) derCertificates(data []byte, o origin) error {
	for n, off := 1, 0; off < len(data) && !isPadding(data[off:]); n++ {
		var raw asn1.RawValue
		where := o.within(fmt.Sprintf("DER certificate %d at byte %d", n, off))
		if data[off] != tagSequence {
			return where.fail(fmt.Errorf("%d bytes of trailing data that are not a certificate", len(data)-off))
		}
		rest, err := asn1.Unmarshal(data[off:], &raw)
		if err != nil {
			return where.fail(err)
		}
		if o.what == "" && o.block == 0 && n == 1 && len(rest) == 0 {
			where = origin{} // a single DER certificate: nothing to locate
		}
		if err := d.cert(raw.FullBytes, where); err != nil {
			return err
		}
		off = len(data) - len(rest)
	}
	return nil
}

// pkcs7 reads the certificates of a PKCS#7 / CMS SignedData (RFC 2315
// section 9.1, RFC 5652 section 5.1). Signatures, content and CRLs are
// ignored: this is the certs-only ".p7b" / ".p7c" use.
func (d *decoder) pkcs7(data []byte, o origin) error {
	fail := func(format string, args ...any) error {
		return o.within("PKCS#7").fail(fmt.Errorf(format, args...))
	}
	der, rest, err := berToDER(data)
	if err != nil {
		return fail("%w", err)
	}
	if !isPadding(rest) {
		return fail("%d bytes of trailing data", len(rest))
	}
	var info struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue `asn1:"explicit,optional,tag:0"`
	}
	if _, err := asn1.Unmarshal(der, &info); err != nil {
		return fail("%w", err)
	}
	if !info.ContentType.Equal(oidSignedData) {
		return fail("content type %v is not SignedData", info.ContentType)
	}
	var sd asn1.RawValue
	if _, err := asn1.Unmarshal(info.Content.Bytes, &sd); err != nil {
		return fail("SignedData: %w", err)
	}
	if sd.Class != asn1.ClassUniversal || sd.Tag != asn1.TagSequence {
		return fail("SignedData is not a SEQUENCE")
	}
	// SignedData ::= SEQUENCE { version, digestAlgorithms, contentInfo,
	//   certificates [0] IMPLICIT OPTIONAL, crls [1] IMPLICIT OPTIONAL, signerInfos }
	fields := sd.Bytes
	for len(fields) > 0 {
		var field asn1.RawValue
		fields, err = asn1.Unmarshal(fields, &field)
		if err != nil {
			return fail("SignedData: %w", err)
		}
		if field.Class != asn1.ClassContextSpecific || field.Tag != 0 {
			continue
		}
		certs := field.Bytes
		for n := 1; len(certs) > 0; n++ {
			var c asn1.RawValue
			certs, err = asn1.Unmarshal(certs, &c)
			if err != nil {
				return fail("certificate %d: %w", n, err)
			}
			where := o.within(fmt.Sprintf("PKCS#7 certificate %d", n))
			if c.Class != asn1.ClassUniversal || c.Tag != asn1.TagSequence {
				// An attribute or "other" certificate (RFC 5652 10.2.2).
				d.c.Skipped = append(d.c.Skipped, Skipped{Index: o.block, Line: o.line,
					What: fmt.Sprintf("%s: not an X.509 certificate (tag [%d])", where.what, c.Tag)})
				continue
			}
			if err := d.cert(c.FullBytes, where); err != nil {
				return err
			}
		}
	}
	return nil
}

// finish returns the contents, or an ErrNoCertificates error saying what
// the input held instead.
func (d *decoder) finish() (*Contents, error) {
	c := d.c
	if len(c.Certificates) > 0 {
		return c, nil
	}
	var held []string
	for _, k := range c.Keys {
		held = append(held, fmt.Sprintf("%s block", k.Type))
	}
	for _, s := range c.Skipped {
		if s.Err != nil {
			held = append(held, fmt.Sprintf("%s refused: %v", s.What, s.Err))
		} else {
			held = append(held, s.What)
		}
	}
	switch {
	case len(held) == 0 && (c.Format == FormatPKCS7 || c.Format == FormatPKCS7PEM):
		return c, fmt.Errorf("%w: the PKCS#7 holds no certificate", ErrNoCertificates)
	case len(held) == 0:
		return c, fmt.Errorf("%w: input holds nothing usable", ErrNoCertificates)
	case len(c.Keys) == 1 && len(c.Skipped) == 0 && strings.HasSuffix(c.Keys[0].Type, "PRIVATE KEY"):
		return c, fmt.Errorf("%w: input holds only a private key (%s)", ErrNoCertificates, held[0])
	case len(c.Skipped) == 0:
		return c, fmt.Errorf("%w: input holds only private keys (%s)", ErrNoCertificates, list(held))
	}
	return c, fmt.Errorf("%w: input holds only %s", ErrNoCertificates, list(held))
}

// list joins at most maxListed items.
func list(items []string) string {
	if len(items) <= maxListed {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:maxListed], ", "), len(items)-maxListed)
}

// looksLikeDER reports whether data starts with a constructed ASN.1
// SEQUENCE whose length fits in data, holding an element of a kind a
// certificate, PKCS#7 or PKCS#12 starts with. It is decided on the raw
// bytes: DER routinely contains CR LF pairs that text normalisation would
// destroy.
func looksLikeDER(data []byte) bool {
	if len(data) < 2 || data[0] != tagSequence {
		return false
	}
	h, err := readBERHeader(data)
	if err != nil {
		return false
	}
	switch firstChild(data, h) {
	case tagSequence, tagOID, tagInteger:
		return true
	}
	return false
}

// isPKCS7 reports whether der starts like a ContentInfo (a SEQUENCE
// starting with an OID) rather than a certificate.
func isPKCS7(der []byte) bool {
	if !looksLikeDER(der) {
		return false
	}
	h, _ := readBERHeader(der)
	return firstChild(der, h) == tagOID
}

// truncatedDER returns an error when data starts like a DER certificate or
// PKCS#7 whose announced length runs past the end of the input (a partial
// download or copy), rather than calling it "not PEM, DER or PKCS#7".
func truncatedDER(data []byte) error {
	if len(data) < 4 || data[0] != tagSequence || bytes.Contains(data, []byte(beginMarker)) {
		return nil
	}
	l := data[1]
	if l < 0x81 || l > 0x84 || int(l&0x7f)+2 >= len(data) {
		return nil
	}
	n := 0
	for _, c := range data[2 : 2+int(l&0x7f)] {
		n = n<<8 | int(c)
	}
	size := 2 + int(l&0x7f) + n
	if first := data[2+int(l&0x7f)]; size <= len(data) || first != tagSequence && first != tagOID {
		return nil
	}
	return &Error{Err: fmt.Errorf("DER is truncated: %d bytes where the first element announces %d", len(data), size)}
}

// isPadding reports whether b is only whitespace and NUL bytes.
func isPadding(b []byte) bool {
	for _, c := range b {
		switch c {
		case 0, ' ', '\t', '\r', '\n':
		default:
			return false
		}
	}
	return true
}

// describeNonPEM says what an input without any PEM block looks like.
func describeNonPEM(data []byte) string {
	text := bytes.TrimSpace(bytes.ReplaceAll(data, []byte(bom), nil))
	switch {
	case len(text) == 0:
		return "input is empty"
	case !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0:
		return "input is not PEM, DER or PKCS#7"
	case text[0] == '<':
		return "input is HTML or XML, not a certificate"
	}
	return "input is text without any PEM block"
}

// describeCertificate names a certificate that crypto/x509 refused, as well
// as a lenient reading of its DER allows: "certificate CN=x (serial -1)".
func describeCertificate(der []byte) string {
	fallback := fmt.Sprintf("unparsable certificate (%d bytes)", len(der))
	var cert struct {
		TBS asn1.RawValue
	}
	var tbs asn1.RawValue
	if _, err := asn1.Unmarshal(der, &cert); err != nil {
		return fallback
	}
	if _, err := asn1.Unmarshal(cert.TBS.FullBytes, &tbs); err != nil {
		return fallback
	}
	var fields []asn1.RawValue
	for rest := tbs.Bytes; len(rest) > 0 && len(fields) < 6; {
		var f asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &f); err != nil {
			return fallback
		}
		if len(fields) == 0 && f.Class == asn1.ClassContextSpecific && f.Tag == 0 {
			continue // version
		}
		fields = append(fields, f)
	}
	// serialNumber, signature, issuer, validity, subject
	if len(fields) < 5 || fields[0].Tag != asn1.TagInteger || len(fields[0].Bytes) == 0 {
		return fallback
	}
	serial := new(big.Int).SetBytes(fields[0].Bytes)
	if fields[0].Bytes[0]&0x80 != 0 { // two's complement negative
		serial.Sub(serial, new(big.Int).Lsh(big.NewInt(1), uint(8*len(fields[0].Bytes))))
	}
	serialText := serial.String()
	if serial.BitLen() > 64 {
		serialText = "0x" + serial.Text(16)
	}
	name := func(f asn1.RawValue) string {
		var rdn pkix.RDNSequence
		if _, err := asn1.Unmarshal(f.FullBytes, &rdn); err != nil {
			return ""
		}
		var n pkix.Name
		n.FillFromRDNSequence(&rdn)
		return n.String()
	}
	if subject := name(fields[4]); subject != "" {
		return fmt.Sprintf("certificate %s (serial %s)", subject, serialText)
	}
	if issuer := name(fields[2]); issuer != "" {
		return fmt.Sprintf("certificate with empty subject issued by %s (serial %s)", issuer, serialText)
	}
	return fmt.Sprintf("certificate (serial %s)", serialText)
}
