package target

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"slices"
	"strings"
)

// readPFXInfo names the encryption algorithms of a PFX without decrypting
// anything: the algorithm of each EncryptedData item (the certificates,
// usually) and of each shrouded key bag in the plain items, and the MAC
// algorithm. It reads the outer structure of RFC 7292 section 4 only, so
// a check can tell whether a device that reads only 3DES can open the
// file. Decoding the contents is package pfx's job.

// pfxInfo is what a PFX is protected with: names such as "AES-256-CBC",
// "3DES", "RC2-40", and the MAC ("HMAC-SHA-256", "PBMAC1", "" for none).
type pfxInfo struct {
	encryption []string
	mac        string
}

func (p pfxInfo) usesAES() bool {
	return slices.ContainsFunc(p.encryption, func(s string) bool { return strings.HasPrefix(s, "AES") })
}

func (p pfxInfo) usesRC2() bool {
	return slices.ContainsFunc(p.encryption, func(s string) bool { return strings.HasPrefix(s, "RC2") })
}

func (p pfxInfo) summary() string {
	enc := slices.Compact(slices.Sorted(slices.Values(p.encryption)))
	s := strings.Join(enc, " and ")
	if s == "" {
		s = "no encryption"
	}
	if p.mac != "" {
		s += " (MAC " + p.mac + ")"
	}
	return s
}

var (
	pOIDData          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	pOIDEncryptedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 6}
	pOIDShroudedKey   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
	pOIDPBES2         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
)

// pbeNames are the PBE schemes of RFC 7292 appendix C and the PBES2
// ciphers of RFC 8018 appendix B.2 that PKCS#12 writers use.
var pbeNames = map[string]string{
	"1.2.840.113549.1.12.1.1": "RC4-128",
	"1.2.840.113549.1.12.1.2": "RC4-40",
	"1.2.840.113549.1.12.1.3": "3DES",
	"1.2.840.113549.1.12.1.4": "2-key 3DES",
	"1.2.840.113549.1.12.1.5": "RC2-128",
	"1.2.840.113549.1.12.1.6": "RC2-40",
	"2.16.840.1.101.3.4.1.2":  "AES-128-CBC",
	"2.16.840.1.101.3.4.1.22": "AES-192-CBC",
	"2.16.840.1.101.3.4.1.42": "AES-256-CBC",
	"1.2.840.113549.3.7":      "3DES",
	"1.3.14.3.2.26":           "HMAC-SHA-1",
	"2.16.840.1.101.3.4.2.1":  "HMAC-SHA-256",
	"2.16.840.1.101.3.4.2.2":  "HMAC-SHA-384",
	"2.16.840.1.101.3.4.2.3":  "HMAC-SHA-512",
	"1.2.840.113549.1.5.14":   "PBMAC1",
}

type pPFX struct {
	Version  int
	AuthSafe pContentInfo
	MacData  struct {
		Mac struct {
			Algorithm pkix.AlgorithmIdentifier
			Digest    []byte
		}
		MacSalt    []byte
		Iterations int `asn1:"optional,default:1"`
	} `asn1:"optional"`
}

type pContentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"tag:0,explicit,optional"`
}

type pSafeBag struct {
	ID         asn1.ObjectIdentifier
	Value      asn1.RawValue `asn1:"tag:0,explicit"`
	Attributes asn1.RawValue `asn1:"optional"`
}

var errPFXShape = errors.New("not a DER PKCS#12 file with password integrity (RFC 7292)")

// maxPFXItems bounds the items read; real files have one or two.
const maxPFXItems = 64

func readPFXInfo(der []byte) (pfxInfo, error) {
	var info pfxInfo
	var p pPFX
	if rest, err := asn1.Unmarshal(der, &p); err != nil || len(rest) != 0 || p.Version != 3 || !p.AuthSafe.ContentType.Equal(pOIDData) {
		return info, errPFXShape
	}
	if alg := p.MacData.Mac.Algorithm.Algorithm; len(alg) > 0 {
		info.mac = algName(alg)
	}
	var authSafe []byte
	if _, err := asn1.Unmarshal(p.AuthSafe.Content.Bytes, &authSafe); err != nil {
		return info, errPFXShape
	}
	var items []pContentInfo
	if _, err := asn1.Unmarshal(authSafe, &items); err != nil || len(items) > maxPFXItems {
		return info, errPFXShape
	}
	for _, it := range items {
		switch {
		case it.ContentType.Equal(pOIDEncryptedData):
			var ed struct {
				Version int
				Info    struct {
					ContentType asn1.ObjectIdentifier
					Algorithm   pkix.AlgorithmIdentifier
					Content     asn1.RawValue `asn1:"optional"`
				}
			}
			if _, err := asn1.Unmarshal(it.Content.Bytes, &ed); err != nil {
				return info, errPFXShape
			}
			info.encryption = append(info.encryption, pbeName(ed.Info.Algorithm))
		case it.ContentType.Equal(pOIDData):
			var octets []byte
			if _, err := asn1.Unmarshal(it.Content.Bytes, &octets); err != nil {
				return info, errPFXShape
			}
			var bags []pSafeBag
			if _, err := asn1.Unmarshal(octets, &bags); err != nil {
				return info, errPFXShape
			}
			for _, b := range bags {
				if !b.ID.Equal(pOIDShroudedKey) {
					continue
				}
				var epki struct {
					Algorithm pkix.AlgorithmIdentifier
					Data      []byte
				}
				if _, err := asn1.Unmarshal(b.Value.Bytes, &epki); err != nil {
					return info, errPFXShape
				}
				info.encryption = append(info.encryption, pbeName(epki.Algorithm))
			}
		default:
			info.encryption = append(info.encryption, "content type "+it.ContentType.String())
		}
	}
	return info, nil
}

// pbeName names a PBE algorithm; for PBES2, its cipher.
func pbeName(alg pkix.AlgorithmIdentifier) string {
	if alg.Algorithm.Equal(pOIDPBES2) {
		var params struct {
			KDF    pkix.AlgorithmIdentifier
			Scheme pkix.AlgorithmIdentifier
		}
		if _, err := asn1.Unmarshal(alg.Parameters.FullBytes, &params); err != nil {
			return "PBES2 (unreadable parameters)"
		}
		return algName(params.Scheme.Algorithm)
	}
	return algName(alg.Algorithm)
}

func algName(oid asn1.ObjectIdentifier) string {
	if n, ok := pbeNames[oid.String()]; ok {
		return n
	}
	return "algorithm " + oid.String()
}
