package pfx

// A friendly name for the key entry, which go-pkcs12 cannot write
// (go-pkcs12#34): Java's keytool lists a PrivateKeyEntry under the
// friendlyName of its key bag, and shows "1" without one.
//
// Hand-written ASN.1, for this one missing feature only. EncodeWithAlias
// lets go-pkcs12 do all the cryptography (the key is shrouded by
// go-pkcs12's Encode, with the Encryption asked for), then rewrites the
// AuthenticatedSafe around it: the shrouded key bag gets a friendlyName
// attribute next to go-pkcs12's localKeyId, and the certificates move from
// go-pkcs12's encrypted item into a plain Data item whose leaf bag carries
// the same friendlyName and localKeyId (certificates are public; OpenSSL's
// `-certpbe NONE` writes the same shape, and Java, OpenSSL and go-pkcs12
// read it). Changing the AuthenticatedSafe invalidates the MAC, so it is
// recomputed with the file's own MAC algorithm, salt and iteration count
// (RFC 7292 appendix B). The result is decoded again by go-pkcs12 before it
// is returned. Self-contained on purpose: it uses only the exported Encode.

import (
	"bytes"
	"crypto"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
	"sort"
	"unicode/utf16"

	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

// ASN.1 object identifiers used by EncodeWithAlias (RFC 7292, RFC 2985).
var (
	aliasOIDData          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	aliasOIDShroudedKey   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
	aliasOIDCertBag       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 3}
	aliasOIDX509Cert      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 22, 1}
	aliasOIDFriendlyName  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 20}
	aliasOIDLocalKeyID    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 21}
	aliasOIDSHA1          = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	aliasOIDSHA256        = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	errAliasUnexpectedPFX = errors.New("unexpected go-pkcs12 output")
)

// maxAliasMACIterations bounds the MAC key derivation redone here; the
// input is Encode's own output (go-pkcs12 writes 1 or 2048 iterations), so
// anything larger means something unexpected.
const maxAliasMACIterations = 1_000_000

// maxAliasLen bounds the friendly name: keytool and Windows show it on one
// line, and a BMPString of this many characters stays small.
const maxAliasLen = 256

// aliasPFX, aliasContentInfo, aliasMacData and aliasSafeBag are RFC 7292
// sections 4 and 4.2, as go-pkcs12 writes them (DER).
type aliasPFX struct {
	Version  int
	AuthSafe aliasContentInfo
	MacData  aliasMacData `asn1:"optional"`
}

type aliasContentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"tag:0,explicit,optional"`
}

type aliasMacData struct {
	Mac struct {
		Algorithm pkix.AlgorithmIdentifier
		Digest    []byte
	}
	MacSalt    []byte
	Iterations int `asn1:"optional,default:1"`
}

type aliasSafeBag struct {
	ID         asn1.ObjectIdentifier
	Value      asn1.RawValue `asn1:"tag:0,explicit"`
	Attributes asn1.RawValue `asn1:"optional"`
}

// EncodeWithAlias is Encode plus a friendly name: the PKCS#9 friendlyName
// attribute (RFC 2985 section 5.5.1) on the key bag and on the leaf's
// certificate bag. Java's keytool lists the key entry under that alias
// (keytool lower-cases it), OpenSSL prints it in the bag attributes, and
// Windows shows it as the certificate's friendly name. The key must match
// the leaf, as for Encode. alias must be non-empty, at most 256
// characters, all in the Basic Multilingual Plane (BMPString).
//
// The certificates are stored unencrypted (see the comment at the top of
// alias.go); the key is shrouded with enc exactly as Encode does.
func EncodeWithAlias(key crypto.Signer, leaf *x509.Certificate, chain []*x509.Certificate, password string, enc Encryption, alias string) ([]byte, error) {
	name, err := aliasBMPString(alias)
	if err != nil {
		return nil, fmt.Errorf("PFX alias %q: %w", alias, err)
	}
	if len(alias) == 0 || len([]rune(alias)) > maxAliasLen {
		return nil, fmt.Errorf("PFX alias %q: must be 1 to %d characters", alias, maxAliasLen)
	}
	bmpPassword, err := aliasBMPString(password)
	if err != nil {
		return nil, fmt.Errorf("PFX password: %w", err)
	}
	der, err := Encode(key, leaf, chain, password, enc)
	if err != nil {
		return nil, err
	}
	out, err := addFriendlyName(der, append(bmpPassword, 0, 0), name, leaf, chain)
	if err != nil {
		return nil, fmt.Errorf("PFX alias: %w", err)
	}
	if err := aliasSelfCheck(out, key, leaf, chain, password); err != nil {
		return nil, fmt.Errorf("PFX alias self-check: %w", err)
	}
	return out, nil
}

// addFriendlyName rewrites go-pkcs12's output (see the top of this file).
// password is the BMPString with its two-byte terminator, as the PKCS#12
// MAC key derivation takes it.
func addFriendlyName(der, password, name []byte, leaf *x509.Certificate, chain []*x509.Certificate) ([]byte, error) {
	var p aliasPFX
	if rest, err := asn1.Unmarshal(der, &p); err != nil || len(rest) != 0 || !p.AuthSafe.ContentType.Equal(aliasOIDData) {
		return nil, errAliasUnexpectedPFX
	}
	var authSafe []byte
	if _, err := asn1.Unmarshal(p.AuthSafe.Content.Bytes, &authSafe); err != nil {
		return nil, errAliasUnexpectedPFX
	}
	var items []aliasContentInfo
	if _, err := asn1.Unmarshal(authSafe, &items); err != nil {
		return nil, errAliasUnexpectedPFX
	}

	friendlyName, err := aliasAttribute(aliasOIDFriendlyName, asn1.RawValue{Tag: asn1.TagBMPString, Bytes: name})
	if err != nil {
		return nil, err
	}
	sum := sha1.Sum(leaf.Raw)
	localKeyID, err := aliasAttribute(aliasOIDLocalKeyID, asn1.RawValue{Tag: asn1.TagOctetString, Bytes: sum[:]})
	if err != nil {
		return nil, err
	}

	// The key: go-pkcs12 writes it as the only bag of a plain Data item.
	var keyBag []byte
	for _, it := range items {
		if !it.ContentType.Equal(aliasOIDData) {
			continue // the encrypted certificates, rewritten below
		}
		var octets []byte
		if _, err := asn1.Unmarshal(it.Content.Bytes, &octets); err != nil {
			return nil, errAliasUnexpectedPFX
		}
		var bags []aliasSafeBag
		if _, err := asn1.Unmarshal(octets, &bags); err != nil || len(bags) != 1 || !bags[0].ID.Equal(aliasOIDShroudedKey) {
			return nil, errAliasUnexpectedPFX
		}
		attrs, err := aliasSplitSet(bags[0].Attributes)
		if err != nil {
			return nil, err
		}
		if keyBag, err = aliasBag(aliasOIDShroudedKey, bags[0].Value.Bytes, append(attrs, friendlyName)); err != nil {
			return nil, err
		}
	}
	if keyBag == nil {
		return nil, errAliasUnexpectedPFX
	}

	// The certificates: leaf first, with the alias and the key's id.
	var certBags [][]byte
	for i, c := range append([]*x509.Certificate{leaf}, chain...) {
		var attrs [][]byte
		if i == 0 {
			attrs = [][]byte{friendlyName, localKeyID}
		}
		value, err := asn1.Marshal(struct {
			ID    asn1.ObjectIdentifier
			Value []byte `asn1:"tag:0,explicit"`
		}{aliasOIDX509Cert, c.Raw})
		if err != nil {
			return nil, err
		}
		b, err := aliasBag(aliasOIDCertBag, value, attrs)
		if err != nil {
			return nil, err
		}
		certBags = append(certBags, b)
	}

	certItem, err := aliasDataItem(certBags)
	if err != nil {
		return nil, err
	}
	keyItem, err := aliasDataItem([][]byte{keyBag})
	if err != nil {
		return nil, err
	}
	newAuthSafe, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true,
		Bytes: append(certItem, keyItem...)})
	if err != nil {
		return nil, err
	}

	digest, err := aliasMAC(p.MacData, newAuthSafe, password)
	if err != nil {
		return nil, err
	}
	p.MacData.Mac.Digest = digest
	if p.AuthSafe.Content, err = aliasExplicitOctets(newAuthSafe); err != nil {
		return nil, err
	}
	return asn1.Marshal(p)
}

// aliasMAC recomputes the MAC of an AuthenticatedSafe with the algorithm,
// salt and iteration count the file already has: HMAC with a key from the
// PKCS#12 KDF (RFC 7292 appendix B.2, ID 3). go-pkcs12's Modern2023 uses
// SHA-256 and LegacyDES SHA-1; nothing else is expected here.
func aliasMAC(m aliasMacData, authSafe, password []byte) ([]byte, error) {
	var h func() hash.Hash
	switch alg := m.Mac.Algorithm.Algorithm; {
	case alg.Equal(aliasOIDSHA1):
		h = sha1.New
	case alg.Equal(aliasOIDSHA256):
		h = sha256.New
	default:
		return nil, fmt.Errorf("%w: MAC algorithm %s", errAliasUnexpectedPFX, alg)
	}
	if m.Iterations < 1 || m.Iterations > maxAliasMACIterations {
		return nil, fmt.Errorf("%w: %d MAC iterations", errAliasUnexpectedPFX, m.Iterations)
	}
	key := pkcs12KDF(h, m.MacSalt, password, m.Iterations, 3, h().Size())
	mac := hmac.New(h, key)
	mac.Write(authSafe)
	return mac.Sum(nil), nil
}

// pkcs12KDF is the key derivation of RFC 7292 appendix B.2 for hash
// functions with a 64-byte block (v = 512 bits: SHA-1, SHA-256). id is the
// purpose byte: 1 key material, 2 IV, 3 MAC key. password is the
// zero-terminated BMPString (an empty one is the two zero bytes).
func pkcs12KDF(h func() hash.Hash, salt, password []byte, iterations int, id byte, size int) []byte {
	const v = 64
	fill := func(b []byte) []byte {
		if len(b) == 0 {
			return nil
		}
		n := v * ((len(b) + v - 1) / v)
		out := make([]byte, n)
		for i := range out {
			out[i] = b[i%len(b)]
		}
		return out
	}
	d := bytes.Repeat([]byte{id}, v)
	i := append(fill(salt), fill(password)...)
	var out []byte
	for len(out) < size {
		a := h()
		a.Write(d)
		a.Write(i)
		sum := a.Sum(nil)
		for r := 1; r < iterations; r++ {
			a.Reset()
			a.Write(sum)
			sum = a.Sum(nil)
		}
		out = append(out, sum...)
		if len(out) >= size {
			break
		}
		// B = A repeated to v bytes; each v-byte block I_j of I becomes
		// (I_j + B + 1) mod 2^(8v).
		b := fill(sum)[:v]
		for j := 0; j < len(i); j += v {
			carry := 1
			for k := v - 1; k >= 0; k-- {
				s := int(i[j+k]) + int(b[k]) + carry
				i[j+k] = byte(s)
				carry = s >> 8
			}
		}
	}
	return out[:size]
}

// aliasBMPString encodes s as a BMPString (UCS-2, big-endian, RFC 7292
// appendix B.1), without a terminator.
func aliasBMPString(s string) ([]byte, error) {
	var out []byte
	for _, r := range s {
		if r > 0xFFFF || utf16.IsSurrogate(r) {
			return nil, fmt.Errorf("character %q is outside the Basic Multilingual Plane", r)
		}
		out = append(out, byte(r>>8), byte(r))
	}
	return out, nil
}

// aliasAttribute encodes an Attribute: SEQUENCE { OID, SET { value } }.
func aliasAttribute(id asn1.ObjectIdentifier, value asn1.RawValue) ([]byte, error) {
	v, err := asn1.Marshal(value)
	if err != nil {
		return nil, err
	}
	oid, err := asn1.Marshal(id)
	if err != nil {
		return nil, err
	}
	set, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: v})
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: append(oid, set...)})
}

// aliasSplitSet returns the encodings of the elements of a SET (an absent
// SET gives none).
func aliasSplitSet(set asn1.RawValue) ([][]byte, error) {
	var out [][]byte
	rest := set.Bytes
	for len(rest) > 0 {
		var el asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &el); err != nil {
			return nil, errAliasUnexpectedPFX
		}
		out = append(out, el.FullBytes)
	}
	return out, nil
}

// aliasBag encodes a SafeBag with its bagValue (the encoding inside the
// [0] EXPLICIT wrapper, which this adds: a RawValue ignores struct tags)
// and bagAttributes; the
// attributes are sorted as DER requires of a SET OF (X.690 section 11.6:
// by their encodings, the shorter padded with zero bytes).
func aliasBag(id asn1.ObjectIdentifier, value []byte, attrs [][]byte) ([]byte, error) {
	b := struct {
		ID         asn1.ObjectIdentifier
		Value      asn1.RawValue `asn1:"tag:0,explicit"`
		Attributes asn1.RawValue `asn1:"optional"`
	}{ID: id, Value: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: value}}
	if len(attrs) > 0 {
		sorted := append([][]byte(nil), attrs...)
		sort.Slice(sorted, func(i, j int) bool { return aliasDERLess(sorted[i], sorted[j]) })
		b.Attributes = asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: bytes.Join(sorted, nil)}
	}
	return asn1.Marshal(b)
}

func aliasDERLess(a, b []byte) bool {
	n := max(len(a), len(b))
	for i := range n {
		var x, y byte
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			return x < y
		}
	}
	return false
}

// aliasDataItem is a plain Data ContentInfo holding SafeContents of bags.
func aliasDataItem(bags [][]byte) ([]byte, error) {
	safeContents, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: bytes.Join(bags, nil)})
	if err != nil {
		return nil, err
	}
	content, err := aliasExplicitOctets(safeContents)
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(aliasContentInfo{ContentType: aliasOIDData, Content: content})
}

// aliasExplicitOctets is [0] EXPLICIT OCTET STRING, the content of a Data
// ContentInfo.
func aliasExplicitOctets(b []byte) (asn1.RawValue, error) {
	octets, err := asn1.Marshal(b)
	if err != nil {
		return asn1.RawValue{}, err
	}
	return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: octets}, nil
}

// aliasSelfCheck decodes the result with go-pkcs12 (which verifies the
// new MAC) and compares it with the inputs.
func aliasSelfCheck(der []byte, key crypto.Signer, leaf *x509.Certificate, chain []*x509.Certificate, password string) error {
	k, l, cas, err := pkcs12.DecodeChain(der, password)
	if err != nil {
		return fmt.Errorf("decoding the result: %w", err)
	}
	eq, ok := k.(interface{ Equal(crypto.PrivateKey) bool })
	if !ok || !eq.Equal(key) {
		return errors.New("the key read back differs from the key written")
	}
	if !bytes.Equal(l.Raw, leaf.Raw) || len(cas) != len(chain) {
		return errors.New("the certificates read back differ from those written")
	}
	for i := range cas {
		if !bytes.Equal(cas[i].Raw, chain[i].Raw) {
			return fmt.Errorf("chain certificate %d read back differs from the one written", i+1)
		}
	}
	return nil
}
