package pfx

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"

	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

// maxItems bounds the ContentInfos of an AuthenticatedSafe chainfix reads.
// Real files have two (OpenSSL, Java, Windows) or one (certificates only);
// each item costs key derivations, so a hostile file must not hold
// thousands.
const maxItems = 64

// reexportHint is how to turn a PFX go-pkcs12 cannot read into one it can.
const reexportHint = "re-export it with: openssl pkcs12 -in old.pfx -nodes | openssl pkcs12 -export -out new.pfx"

// ASN.1 object identifiers of RFC 7292 and PKCS#7 used below.
var (
	oidData          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidEnvelopedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 3}
	oidEncryptedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 6}

	oidKeyBag         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 1}
	oidShroudedKeyBag = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
	oidCertBag        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 3}
	oidX509Cert       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 22, 1}

	oidSHA1   = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA512 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	oidPBMAC1 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 14}
)

// pfxPDU is RFC 7292 section 4.
type pfxPDU struct {
	Version  int
	AuthSafe contentInfo
	MacData  macData `asn1:"optional"`
}

type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"tag:0,explicit,optional"`
}

type macData struct {
	Mac        digestInfo
	MacSalt    []byte
	Iterations int `asn1:"optional,default:1"`
}

type digestInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	Digest    []byte
}

type pbmac1Params struct {
	KDF    pkix.AlgorithmIdentifier
	MacAlg pkix.AlgorithmIdentifier
}

type safeBag struct {
	ID         asn1.ObjectIdentifier
	Value      asn1.RawValue `asn1:"tag:0,explicit"`
	Attributes asn1.RawValue `asn1:"optional"`
}

type encryptedData struct {
	Version              int
	EncryptedContentInfo encryptedContentInfo
}

type encryptedContentInfo struct {
	ContentType                asn1.ObjectIdentifier
	ContentEncryptionAlgorithm pkix.AlgorithmIdentifier
	EncryptedContent           []byte `asn1:"tag:0,optional"`
}

// pfxFile is the outer structure of a PFX, parsed without decrypting.
type pfxFile struct {
	hasMAC  bool
	macCost int64 // key-derivation iterations of one MAC check
	items   []pfxItem
}

// pfxItem is one ContentInfo of the AuthenticatedSafe.
type pfxItem struct {
	raw       []byte // the ContentInfo's DER, copied as is into synthetic PFX files
	encrypted bool   // an EncryptedData item: its bags are unknown until decrypted
	keyBags   int    // key bags of a plain Data item
	shrouded  bool   // a plain Data item holding an encrypted key
	// cost is the key-derivation work of reading the item, in iterations:
	// decrypting an EncryptedData item (a key inside it is unknown until
	// then), or the shrouded keys of a Data item.
	cost int64
}

func (f *pfxFile) needsPassword() bool {
	for _, it := range f.items {
		if it.encrypted || it.shrouded {
			return true
		}
	}
	return false
}

// IsPKCS12 reports whether data looks like a PKCS#12 file: a DER or BER
// SEQUENCE whose first element is INTEGER 3 followed by a PKCS#7
// ContentInfo. It reads a few header bytes only; file names and extensions
// play no part.
func IsPKCS12(data []byte) bool {
	tag, hl, _, ok := readHeader(data)
	if !ok || tag != 0x30 {
		return false
	}
	b := data[hl:]
	if !bytes.HasPrefix(b, []byte{0x02, 0x01, 0x03}) {
		return false
	}
	b = b[3:]
	tag, hl, _, ok = readHeader(b)
	if !ok || tag != 0x30 {
		return false
	}
	b = b[hl:]
	// OBJECT IDENTIFIER pkcs7-data or pkcs7-signedData.
	data7 := []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07}
	return bytes.HasPrefix(b, data7) && len(b) > len(data7) && (b[len(data7)] == 0x01 || b[len(data7)] == 0x02)
}

// readHeader reads a BER tag and length. n is -1 for an indefinite length.
// Only single-byte tags are handled, which is all PKCS#12 uses.
func readHeader(b []byte) (tag byte, hdrLen, n int, ok bool) {
	if len(b) < 2 || b[0]&0x1f == 0x1f {
		return 0, 0, 0, false
	}
	tag = b[0]
	l := b[1]
	switch {
	case l < 0x80:
		return tag, 2, int(l), true
	case l == 0x80:
		return tag, 2, -1, true
	}
	k := int(l & 0x7f)
	if k > 4 || len(b) < 2+k {
		return 0, 0, 0, false
	}
	for _, c := range b[2 : 2+k] {
		n = n<<8 | int(c)
	}
	if n < 0 {
		return 0, 0, 0, false
	}
	return tag, 2 + k, n, true
}

// maxBERDepth bounds the recursion of looksBER; the PKCS#12 structures
// that some exporters write in BER are within a few levels of the top.
const maxBERDepth = 8

// looksBER reports whether b uses an encoding DER forbids: an indefinite
// length, a constructed OCTET STRING, or a non-minimal length.
func looksBER(b []byte, depth int) bool {
	for len(b) > 0 && depth < maxBERDepth {
		tag, hl, n, ok := readHeader(b)
		if !ok {
			return false
		}
		if n < 0 || tag == 0x24 {
			return true
		}
		if hl > 2 && (n < 0x80 || n < 1<<(8*(hl-3))) {
			return true // non-minimal length encoding
		}
		if hl+n > len(b) {
			return false
		}
		content := b[hl : hl+n]
		if tag&0x20 != 0 && looksBER(content, depth+1) {
			return true
		}
		if tag == 0x04 && len(content) > 0 && content[0] == 0x30 && looksBER(content, depth+1) {
			return true
		}
		b = b[hl+n:]
	}
	return false
}

// unmarshalAll is asn1.Unmarshal refusing trailing data.
func unmarshalAll(b []byte, v any) error {
	rest, err := asn1.Unmarshal(b, v)
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return errors.New("trailing data")
	}
	return nil
}

// parsePFX reads the outer structure of a PFX (RFC 7292 section 4) without
// decrypting anything, and checks the bounds and algorithms up front.
func parsePFX(data []byte) (*pfxFile, error) {
	var pdu pfxPDU
	if err := unmarshalAll(data, &pdu); err != nil {
		if looksBER(data, 0) {
			return nil, fmt.Errorf("%w: the PFX is BER-encoded, which go-pkcs12 cannot read; %s", ErrUnsupported, reexportHint)
		}
		return nil, fmt.Errorf("malformed PFX: %v", err)
	}
	if pdu.Version != 3 {
		return nil, fmt.Errorf("%w: PFX version %d (only 3 exists)", ErrUnsupported, pdu.Version)
	}
	if pdu.AuthSafe.ContentType.Equal(oidSignedData) {
		return nil, fmt.Errorf("%w: the PFX uses public-key integrity mode (signed); %s", ErrUnsupported, reexportHint)
	}
	if !pdu.AuthSafe.ContentType.Equal(oidData) {
		return nil, fmt.Errorf("malformed PFX: content type %s", pdu.AuthSafe.ContentType)
	}
	var authSafe []byte
	if err := unmarshalAll(pdu.AuthSafe.Content.Bytes, &authSafe); err != nil {
		return nil, fmt.Errorf("malformed PFX content: %v", err)
	}
	f := &pfxFile{hasMAC: len(pdu.MacData.Mac.Algorithm.Algorithm) > 0}
	if f.hasMAC {
		cost, err := checkMAC(pdu.MacData)
		if err != nil {
			return nil, err
		}
		f.macCost = cost
	}
	var cis []asn1.RawValue
	if err := unmarshalAll(authSafe, &cis); err != nil {
		return nil, fmt.Errorf("malformed PFX authenticated safe: %v", err)
	}
	if len(cis) > maxItems {
		return nil, fmt.Errorf("%w: the PFX has %d content items (at most %d are read)", ErrUnsupported, len(cis), maxItems)
	}
	for i, raw := range cis {
		it, err := parseItem(raw.FullBytes)
		if err != nil {
			return nil, fmt.Errorf("PFX item %d of %d: %w", i+1, len(cis), err)
		}
		f.items = append(f.items, it)
	}
	return f, nil
}

// checkMAC refuses MAC algorithms go-pkcs12 cannot verify, so that a
// password is never used unchecked, and bounds the iteration count. cost
// is the work of one MAC check: one PKCS#12-KDF or PBKDF2 derivation.
func checkMAC(m macData) (cost int64, err error) {
	alg := m.Mac.Algorithm.Algorithm
	switch {
	case alg.Equal(oidSHA1), alg.Equal(oidSHA256), alg.Equal(oidSHA512):
		if err := checkIterations(m.Iterations); err != nil {
			return 0, err
		}
		return int64(m.Iterations), nil
	case alg.Equal(oidPBMAC1):
		// go-pkcs12 takes the count from the PBKDF2 parameters and
		// ignores macData.Iterations, as RFC 9579 asks.
		var p pbmac1Params
		var k pbkdf2Params
		if unmarshalAll(m.Mac.Algorithm.Parameters.FullBytes, &p) != nil || unmarshalAll(p.KDF.Parameters.FullBytes, &k) != nil {
			return 0, errors.New("malformed PFX PBMAC1 parameters")
		}
		if err := checkIterations(k.Iterations); err != nil {
			return 0, err
		}
		return int64(k.Iterations), nil
	default:
		return 0, fmt.Errorf("%w: PFX MAC algorithm %s (SHA-1, SHA-256, SHA-512 and PBMAC1 are supported); %s -macalg sha256",
			ErrUnsupported, alg, reexportHint)
	}
}

func parseItem(raw []byte) (pfxItem, error) {
	it := pfxItem{raw: raw}
	var ci contentInfo
	if err := unmarshalAll(raw, &ci); err != nil {
		return it, fmt.Errorf("malformed content info: %v", err)
	}
	switch {
	case ci.ContentType.Equal(oidData):
		var octets []byte
		if err := unmarshalAll(ci.Content.Bytes, &octets); err != nil {
			return it, fmt.Errorf("malformed data: %v", err)
		}
		var bags []safeBag
		if err := unmarshalAll(octets, &bags); err != nil {
			return it, fmt.Errorf("malformed safe contents: %v", err)
		}
		for _, bag := range bags {
			switch {
			case bag.ID.Equal(oidKeyBag):
				it.keyBags++
			case bag.ID.Equal(oidShroudedKeyBag):
				it.keyBags++
				it.shrouded = true
				var enc encryptedPrivateKeyInfo
				if err := unmarshalAll(bag.Value.Bytes, &enc); err != nil {
					return it, fmt.Errorf("malformed encrypted key: %v", err)
				}
				cost, err := checkPBE(enc.Algorithm, len(enc.EncryptedData))
				if err != nil {
					return it, fmt.Errorf("encrypted key: %w", err)
				}
				it.cost += cost
			}
		}
	case ci.ContentType.Equal(oidEncryptedData):
		it.encrypted = true
		var ed encryptedData
		if err := unmarshalAll(ci.Content.Bytes, &ed); err != nil {
			return it, fmt.Errorf("malformed encrypted data: %v", err)
		}
		info := ed.EncryptedContentInfo
		cost, err := checkPBE(info.ContentEncryptionAlgorithm, len(info.EncryptedContent))
		if err != nil {
			return it, fmt.Errorf("encrypted data: %w", err)
		}
		it.cost = cost
	case ci.ContentType.Equal(oidEnvelopedData):
		return it, fmt.Errorf("%w: public-key privacy mode (enveloped data); %s", ErrUnsupported, reexportHint)
	default:
		return it, fmt.Errorf("%w: content type %s", ErrUnsupported, ci.ContentType)
	}
	return it, nil
}

// Decode reads a PKCS#12 (PFX) file: its private key (if any) and every
// certificate, in file order.
//
// The empty password is tried first, but only through the file's MAC:
// when the MAC does not verify with it, password is called. A wrong
// password gives an error wrapping ErrIncorrectPassword. A file without a
// MAC (openssl -nomac) asks for the password only when something in it is
// encrypted; a wrong one then shows only as a decryption failure.
//
// Shapes go-pkcs12's DecodeChain refuses are read item by item (see
// readItem): certificates only (openssl -nokeys, Java trust stores), a
// single-item or many-item AuthenticatedSafe. Several (encrypted) keys give
// an error wrapping ErrMultipleKeys, returned together with Contents that
// hold the certificates and no key, so a caller that needs only the chain
// can go on. BER-encoded files and public-key modes give an
// error wrapping ErrUnsupported that says how to re-export the file.
//
// The key derivations of the MAC checks and decryptions together are
// bounded by MaxTotalIterations: a file needing more gives an error
// wrapping ErrTooManyIterations, before any derivation when its visible
// parameters already ask for more.
//
// Decode is DecodeContext with context.Background().
func Decode(data []byte, password PasswordFunc) (*Contents, error) {
	return DecodeContext(context.Background(), data, password)
}

// DecodeContext is Decode bounded by ctx as well: ctx is checked on entry
// and before every key derivation (a MAC check, an item or key
// decryption), and an error wrapping ctx.Err() is returned once it is
// done. A derivation already running is not interrupted; each is bounded
// by MaxIterations.
func DecodeContext(ctx context.Context, data []byte, password PasswordFunc) (*Contents, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("reading the PFX: %w", err)
	}
	return decode(data, newSession(ctx, password))
}

func decode(data []byte, s *session) (*Contents, error) {
	if !IsPKCS12(data) {
		return nil, errors.New("not a PKCS#12 (PFX) file")
	}
	f, err := parsePFX(data)
	if err != nil {
		return nil, err
	}
	// Refuse up front, before the password is asked for, what cannot be
	// read within the bound: one MAC check and one decryption of each
	// item is the least any reading costs.
	if need := f.leastCost(); need > MaxTotalIterations-s.spent {
		return nil, fmt.Errorf("%w: the PFX needs at least %d key-derivation iterations %s; at most %d are run per input; %s",
			ErrTooManyIterations, s.spent+need, f.describeCost(), MaxTotalIterations, reexportHint)
	}
	if f.hasMAC {
		c, err := f.decodeWith(data, "", s)
		if !errors.Is(err, pkcs12.ErrIncorrectPassword) {
			return c, err
		}
		password, err := s.password()
		if err != nil {
			return nil, fmt.Errorf("PFX: %w", err)
		}
		c, err = f.decodeWith(data, string(password), s)
		if errors.Is(err, pkcs12.ErrIncorrectPassword) {
			return nil, fmt.Errorf("PFX: %w (the MAC does not verify)", ErrIncorrectPassword)
		}
		return c, err
	}
	if !f.needsPassword() {
		return f.decodeWith(data, "", s)
	}
	password, err := s.password()
	if err != nil {
		return nil, fmt.Errorf("PFX: %w", err)
	}
	c, err := f.decodeWith(data, string(password), s)
	var ie *itemError
	if errors.As(err, &ie) {
		return nil, fmt.Errorf("PFX: %w, or the file is damaged (it has no MAC to tell which): %v", ErrIncorrectPassword, ie.err)
	}
	return c, err
}

// leastCost is the key-derivation work any reading of f takes with the
// right password: one MAC check and one decryption of every item and
// shrouded key.
func (f *pfxFile) leastCost() int64 {
	var n int64
	if f.hasMAC {
		n = f.macCost
	}
	for _, it := range f.items {
		n += it.cost
	}
	return n
}

// describeCost says what leastCost is made of, for the error message.
func (f *pfxFile) describeCost() string {
	enc := 0
	for _, it := range f.items {
		if it.cost > 0 {
			enc++
		}
	}
	if f.hasMAC {
		return fmt.Sprintf("for its MAC and %d encrypted items", enc)
	}
	return fmt.Sprintf("for its %d encrypted items", enc)
}

// macCheckCost is the most go-pkcs12's MAC check with password can cost.
// With the empty password it checks the MAC twice when the first check
// fails: with RFC 7292 appendix B.1's encoding (two zero bytes), then with
// no bytes at all, as some writers encode it.
func (f *pfxFile) macCheckCost(password string) int64 {
	switch {
	case !f.hasMAC:
		return 0
	case password == "":
		return 2 * f.macCost
	}
	return f.macCost
}

// decodeChainCost is the most DecodeChain on the file itself can cost:
// the MAC check and, for the one or two items it accepts, every item and
// shrouded key (go-pkcs12 decrypts them all before judging the shape).
func (f *pfxFile) decodeChainCost(password string) int64 {
	n := f.macCheckCost(password)
	if len(f.items) >= 1 && len(f.items) <= 2 {
		for _, it := range f.items {
			n += it.cost
		}
	}
	return n
}

// itemError is a failure of go-pkcs12 to decrypt or parse one item.
type itemError struct {
	item, of int
	err      error
}

func (e *itemError) Error() string {
	return fmt.Sprintf("PFX item %d of %d: %v", e.item, e.of, e.err)
}

func (e *itemError) Unwrap() error { return e.err }

// decodeWith decodes with one password. It returns an error wrapping
// pkcs12.ErrIncorrectPassword when the MAC does not verify.
func (f *pfxFile) decodeWith(data []byte, password string, s *session) (*Contents, error) {
	if f.hasMAC || password == "" {
		cost := f.decodeChainCost(password)
		if err := s.charge(cost, "the PFX MAC check and decryption"); err != nil {
			return nil, err
		}
		key, leaf, cas, err := pkcs12.DecodeChain(data, password)
		if errors.Is(err, pkcs12.ErrIncorrectPassword) {
			// Only the MAC was checked; nothing was decrypted.
			s.refund(cost - f.macCheckCost(password))
			return nil, err
		}
		if err == nil {
			signer, err := asSigner(key)
			if err != nil {
				return nil, fmt.Errorf("PFX key: %w", err)
			}
			return assemble([]crypto.Signer{signer}, append([]*x509.Certificate{leaf}, cas...))
		}
		// The MAC verified (go-pkcs12 checks it first), but DecodeChain
		// refuses the shape: read the items one by one.
	}
	plainKeys := 0
	for _, it := range f.items {
		plainKeys += it.keyBags
	}
	if plainKeys > 1 {
		// Read the certificates of the items without keys (a Java
		// keystore's usual layout) for callers that need only the chain.
		c := &Contents{}
		for i, it := range f.items {
			if it.keyBags > 0 {
				continue
			}
			_, cs, err := readItem(it, password, s, itemName(i, len(f.items)))
			if stopped(err) {
				return nil, err
			}
			if err == nil {
				c.Certificates = append(c.Certificates, cs...)
			}
		}
		c, _ = assemble(nil, c.Certificates)
		return c, fmt.Errorf("%w: the PFX holds %d private keys; give one (extract it first, e.g. keytool -importkeystore -srckeystore IN.pfx -srcstoretype PKCS12 -srcalias ALIAS -destkeystore ONE.pfx -deststoretype PKCS12)", ErrMultipleKeys, plainKeys)
	}
	var keys []crypto.Signer
	var certs []*x509.Certificate
	for i, it := range f.items {
		k, cs, err := readItem(it, password, s, itemName(i, len(f.items)))
		if stopped(err) {
			return nil, err
		}
		if err != nil {
			return nil, &itemError{item: i + 1, of: len(f.items), err: err}
		}
		keys = append(keys, k...)
		certs = append(certs, cs...)
	}
	return assemble(keys, certs)
}

// itemName names item i (from 0) of n for messages, as itemError does.
func itemName(i, n int) string {
	return fmt.Sprintf("PFX item %d of %d", i+1, n)
}

// assemble builds Contents: certificates in file order without exact
// duplicates, and the leaf matching the key.
func assemble(keys []crypto.Signer, certs []*x509.Certificate) (*Contents, error) {
	c := &Contents{}
	for _, cert := range certs {
		dup := false
		for _, have := range c.Certificates {
			if bytes.Equal(have.Raw, cert.Raw) {
				dup = true
				break
			}
		}
		if !dup {
			c.Certificates = append(c.Certificates, cert)
		}
	}
	if len(keys) > 1 {
		return c, fmt.Errorf("%w: the PFX holds %d private keys; give one (extract it first, e.g. keytool -importkeystore -srckeystore IN.pfx -srcstoretype PKCS12 -srcalias ALIAS -destkeystore ONE.pfx -deststoretype PKCS12)", ErrMultipleKeys, len(keys))
	}
	if len(keys) == 1 {
		c.Key = keys[0]
		for _, cert := range c.Certificates {
			if MatchKey(c.Key.Public(), cert) {
				c.Leaf = cert
				break
			}
		}
	}
	return c, nil
}

// String returns "modern" or "legacy", the names ParseEncryption accepts.
func (e Encryption) String() string {
	switch e {
	case Modern:
		return "modern"
	case Legacy:
		return "legacy"
	}
	return fmt.Sprintf("Encryption(%d)", int(e))
}

// ParseEncryption parses "modern" or "legacy" (case-insensitive), as the
// CLI's flag value.
func ParseEncryption(s string) (Encryption, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "modern":
		return Modern, nil
	case "legacy":
		return Legacy, nil
	}
	return 0, fmt.Errorf("unknown PFX encryption %q; choose modern (AES-256, OpenSSL 1.1.1+, Java 12+, Windows Server 2019+) or legacy (3DES, older Windows and Java)", s)
}

func (e Encryption) encoder() (*pkcs12.Encoder, error) {
	switch e {
	case Modern:
		return pkcs12.Modern2023, nil
	case Legacy:
		// LegacyDES, never LegacyRC2: OpenSSL 3 cannot read RC2 without -legacy.
		return pkcs12.LegacyDES, nil
	}
	return nil, fmt.Errorf("unknown PFX encryption %d", int(e))
}

// Encode writes a PFX holding key, leaf and chain (in that order) under
// password, with the algorithms of enc. The key must match the leaf (the
// error names both public-key fingerprints). The result is decoded again
// and compared with the inputs before it is returned (self-check).
//
// go-pkcs12 sets no friendly name on the key entry (go-pkcs12#34): Java
// shows its alias as "1".
func Encode(key crypto.Signer, leaf *x509.Certificate, chain []*x509.Certificate, password string, enc Encryption) ([]byte, error) {
	if key == nil {
		return nil, errors.New("PFX: no private key")
	}
	if leaf == nil {
		return nil, errors.New("PFX: no certificate")
	}
	for i, c := range chain {
		if c == nil {
			return nil, fmt.Errorf("PFX: chain certificate %d is missing", i+1)
		}
	}
	if !MatchKey(key.Public(), leaf) {
		return nil, fmt.Errorf("PFX: the key (public key SHA-256 %s) does not match the certificate %q (public key SHA-256 %s)",
			Fingerprint(key.Public()), leaf.Subject.String(), Fingerprint(leaf.PublicKey))
	}
	encoder, err := enc.encoder()
	if err != nil {
		return nil, err
	}
	der, err := encoder.Encode(key, leaf, chain, password)
	if err != nil {
		return nil, fmt.Errorf("PFX: encoding: %w", err)
	}
	if err := selfCheck(der, key, leaf, chain, password); err != nil {
		return nil, fmt.Errorf("PFX self-check: %w", err)
	}
	return der, nil
}

// selfCheck decodes a freshly encoded PFX and compares it with the inputs.
func selfCheck(der []byte, key crypto.Signer, leaf *x509.Certificate, chain []*x509.Certificate, password string) error {
	k, l, cas, err := pkcs12.DecodeChain(der, password)
	if err != nil {
		return fmt.Errorf("decoding the result: %w", err)
	}
	eq, ok := k.(interface{ Equal(crypto.PrivateKey) bool })
	if !ok || !eq.Equal(key) {
		return errors.New("the key read back differs from the key written")
	}
	if !bytes.Equal(l.Raw, leaf.Raw) {
		return errors.New("the certificate read back differs from the one written")
	}
	if len(cas) != len(chain) {
		return fmt.Errorf("%d chain certificates read back, %d written", len(cas), len(chain))
	}
	for i := range cas {
		if !bytes.Equal(cas[i].Raw, chain[i].Raw) {
			return fmt.Errorf("chain certificate %d read back differs from the one written", i+1)
		}
	}
	return nil
}
