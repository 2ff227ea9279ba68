package pfx

// go-pkcs12 decrypts every PKCS#12 scheme chainfix meets (PKCS#12 PBE with
// 3DES or RC2, PBES2 with AES), but its readers accept few file shapes:
// DecodeChain wants one or two AuthenticatedSafe items holding exactly one
// key and at least one certificate; DecodeTrustStore wants one item of
// certificates marked as Java trust anchors; ToPEM wants exactly two items
// and fails on Ed25519 keys and unknown attributes. A certificates-only
// file from `openssl pkcs12 -export -nokeys` fits none of them.
//
// Rather than re-implementing PKCS#12 decryption, chainfix hands
// go-pkcs12 one item at a time, inside a synthetic PFX whose other item
// holds placeholder bags so that DecodeChain's "one key, one certificate"
// rule is met, then drops the placeholders from the result. The item's
// bytes are copied unchanged, so go-pkcs12 decrypts it as it would in the
// original file. The synthetic file needs a MAC that go-pkcs12 accepts;
// it gets a PBMAC1 (RFC 9579) computed here with the same password. This
// MAC proves nothing: the original file's MAC has already been verified
// by go-pkcs12 (or the file has none).

import (
	"bytes"
	"crypto"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"

	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

// placeholderCertHex is a self-signed Ed25519 certificate,
// CN=chainfix placeholder, valid for one day in 2000; never returned.
const placeholderCertHex = "3081ea30819da003020102020101300506032b6570301f311d301b06035504031314636861696e66697820706c616365686f6c646572301e170d3030303130313030303030305a170d3030303130323030303030305a301f311d301b06035504031314636861696e66697820706c616365686f6c646572302a300506032b6570032100cf70637adf0785692059217dc0fe7b094f95e4a7103eaeb4174690f4180adea9300506032b6570034100d9b4ca1a037c35de10f51cf9506ee9ad7dbd5941aae039f5fddc99d3d8525d4a9353b0a2a3ca3695f383156ea1317456ae7d433b483253af14a3f959c374ba05"

// placeholderKeyHex is the PKCS#8 Ed25519 key of placeholderCertHex.
const placeholderKeyHex = "302e020100300506032b657004220420636861696e6669782070667820706c616365686f6c6465720000000000000000"

// synthMACIterations is the PBKDF2 count of the synthetic PBMAC1: the
// MAC only has to satisfy go-pkcs12, so one iteration is enough.
const synthMACIterations = 1

// synthMACCost is the key-derivation work of one synthetic PFX's MAC, for
// MaxTotalIterations: computed here, checked by go-pkcs12, and checked
// again when the password is empty (see pfxFile.macCheckCost).
const synthMACCost = 3 * synthMACIterations

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// der helpers: DER encodings built from already-encoded parts.

func derSeq(parts ...[]byte) []byte {
	return derRaw(asn1.ClassUniversal, asn1.TagSequence, true, bytes.Join(parts, nil))
}

func derExplicit0(inner []byte) []byte {
	return derRaw(asn1.ClassContextSpecific, 0, true, inner)
}

func derOctets(b []byte) []byte {
	return derRaw(asn1.ClassUniversal, asn1.TagOctetString, false, b)
}

func derRaw(class, tag int, compound bool, content []byte) []byte {
	out, err := asn1.Marshal(asn1.RawValue{Class: class, Tag: tag, IsCompound: compound, Bytes: content})
	if err != nil {
		panic(err) // only fails on impossible tags
	}
	return out
}

func derOID(o asn1.ObjectIdentifier) []byte {
	out, err := asn1.Marshal(o)
	if err != nil {
		panic(err)
	}
	return out
}

// dataItem is a plain Data ContentInfo holding bags.
func dataItem(bags ...[]byte) []byte {
	return derSeq(derOID(oidData), derExplicit0(derOctets(derSeq(bags...))))
}

func bag(id asn1.ObjectIdentifier, value []byte) []byte {
	return derSeq(derOID(id), derExplicit0(value))
}

func placeholderCertBag() []byte {
	return bag(oidCertBag, derSeq(derOID(oidX509Cert), derExplicit0(derOctets(mustHex(placeholderCertHex)))))
}

func placeholderKeyBag() []byte {
	return bag(oidKeyBag, mustHex(placeholderKeyHex))
}

// synthPFX builds a PFX from ContentInfo encodings, with a PBMAC1 over
// them keyed by password.
func synthPFX(password string, items ...[]byte) ([]byte, error) {
	authSafe := derSeq(items...)
	salt := []byte("chainfix-synthetic-pfx")
	macKey, err := pbkdf2.Key(sha256.New, password, salt, synthMACIterations, sha256.Size)
	if err != nil {
		return nil, err
	}
	h := hmac.New(sha256.New, macKey)
	h.Write(authSafe)
	null := asn1.RawValue{Tag: asn1.TagNull}
	kdf, err := asn1.Marshal(pbkdf2Params{
		Salt:       asn1.RawValue{Tag: asn1.TagOctetString, Bytes: salt},
		Iterations: synthMACIterations,
		KeyLength:  sha256.Size,
		PRF:        pkixAlg(oidHMACWithSHA256, null),
	})
	if err != nil {
		return nil, err
	}
	params, err := asn1.Marshal(pbmac1Params{
		KDF:    pkixAlg(oidPBKDF2, asn1.RawValue{FullBytes: kdf}),
		MacAlg: pkixAlg(oidHMACWithSHA256, null),
	})
	if err != nil {
		return nil, err
	}
	mac, err := asn1.Marshal(macData{
		Mac: digestInfo{
			Algorithm: pkixAlg(oidPBMAC1, asn1.RawValue{FullBytes: params}),
			Digest:    h.Sum(nil),
		},
		MacSalt:    salt,
		Iterations: synthMACIterations,
	})
	if err != nil {
		return nil, err
	}
	version, err := asn1.Marshal(3)
	if err != nil {
		return nil, err
	}
	outer := derSeq(derOID(oidData), derExplicit0(derOctets(authSafe)))
	return derSeq(version, outer, mac), nil
}

// readItem decrypts and reads one AuthenticatedSafe item through
// go-pkcs12 (see the comment at the top of this file). Each synthetic
// decoding is charged to s first; what names the item for messages.
func readItem(it pfxItem, password string, s *session, what string) ([]crypto.Signer, []*x509.Certificate, error) {
	withKey := func() ([]crypto.Signer, []*x509.Certificate, error) {
		if err := s.charge(synthMACCost+it.cost, what); err != nil {
			return nil, nil, err
		}
		// The placeholder key fills DecodeChain's one-key slot: the item
		// must hold no key of its own. It comes first, so that a key in
		// the item fails the call before go-pkcs12 decrypts that key.
		_, certs, err := decodeSynthetic(password, dataItem(placeholderKeyBag(), placeholderCertBag()), it.raw)
		return nil, certs, err
	}
	withoutKey := func() ([]crypto.Signer, []*x509.Certificate, error) {
		// A shrouded key inside an encrypted item is decrypted in the
		// same go-pkcs12 call as the item, so its cost cannot be known
		// (or checked against MaxIterations) beforehand: only the item's
		// is charged. Real exporters put the key in a plain item.
		if err := s.charge(synthMACCost+it.cost, what); err != nil {
			return nil, nil, err
		}
		key, certs, err := decodeSynthetic(password, it.raw, dataItem(placeholderCertBag()))
		if err != nil {
			return nil, nil, err
		}
		return []crypto.Signer{key}, certs, nil
	}
	if !it.encrypted {
		if it.keyBags == 0 {
			return withKey()
		}
		return withoutKey()
	}
	// An encrypted item's bags are unknown: certificates only (usual), or
	// a key as well.
	keys, certs, err := withKey()
	if err == nil || stopped(err) {
		return keys, certs, err
	}
	return withoutKey()
}

// decodeSynthetic runs DecodeChain on a synthetic PFX of items and
// returns its key and its certificates minus the placeholder.
func decodeSynthetic(password string, items ...[]byte) (crypto.Signer, []*x509.Certificate, error) {
	p, err := synthPFX(password, items...)
	if err != nil {
		return nil, nil, err
	}
	key, leaf, cas, err := pkcs12.DecodeChain(p, password)
	if err != nil {
		return nil, nil, err
	}
	placeholder := mustHex(placeholderCertHex)
	var certs []*x509.Certificate
	for _, c := range append([]*x509.Certificate{leaf}, cas...) {
		if !bytes.Equal(c.Raw, placeholder) {
			certs = append(certs, c)
		}
	}
	signer, err := asSigner(key)
	if err != nil {
		return nil, nil, err
	}
	return signer, certs, nil
}

// decryptShroudedKey decrypts an EncryptedPrivateKeyInfo that uses a
// PKCS#12 PBE scheme, by wrapping it in a synthetic PFX as a shrouded key
// bag. Its structure has been checked (checkPBE) and its cost charged, so
// a failure here means the decryption produced no key: a wrong password.
func decryptShroudedKey(der []byte, password string) (crypto.Signer, error) {
	key, _, err := decodeSynthetic(password, dataItem(bag(oidShroudedKeyBag, der), placeholderCertBag()))
	if errors.Is(err, ErrUnsupported) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("%w (PKCS#12 PBE decryption failed)", ErrIncorrectPassword)
	}
	return key, nil
}

func pkixAlg(o asn1.ObjectIdentifier, params asn1.RawValue) pkix.AlgorithmIdentifier {
	return pkix.AlgorithmIdentifier{Algorithm: o, Parameters: params}
}
