package pem

import (
	"errors"
	"fmt"
)

// maxBERDepth bounds the nesting of a BER structure. A certs-only PKCS#7
// nests about a dozen levels (ContentInfo, SignedData, certificates, and the
// certificate's own extensions); the bound keeps crafted input from driving
// the recursive converter into a huge stack.
const maxBERDepth = 64

// maxTagBytes bounds a high-tag-number tag (X.690 8.1.2.4). Real tags fit
// in one or two bytes.
const maxTagBytes = 4

// maxLengthBytes bounds a long-form length: four bytes describe up to 4 GiB,
// far more than any input the CLI lets through.
const maxLengthBytes = 4

// envelopeDepth is the nesting depth at which a certs-only PKCS#7 holds its
// certificates: ContentInfo (0), [0] (1), SignedData (2), certificates [0]
// (3), each certificate (4). Definite-length elements from this depth on are
// copied as they are, never re-encoded: a certificate's bytes are signed,
// and crypto/x509 accepts constructed-looking tags in places (name values,
// extensions) whose content is not a TLV series.
const envelopeDepth = 4

var errTruncated = errors.New("truncated")

// berHeader describes the identifier and length octets of one element.
type berHeader struct {
	tag         []byte // identifier octets, as found
	constructed bool
	indefinite  bool
	length      int // content length when definite
	size        int // bytes taken by the identifier and length octets
}

// readBERHeader reads the header of the element at the start of b.
func readBERHeader(b []byte) (berHeader, error) {
	var h berHeader
	if len(b) < 2 {
		return h, errTruncated
	}
	h.constructed = b[0]&0x20 != 0
	i := 1
	if b[0]&0x1f == 0x1f {
		for {
			if i >= len(b) {
				return h, errTruncated
			}
			if i > maxTagBytes {
				return h, errors.New("tag number too long")
			}
			i++
			if b[i-1]&0x80 == 0 {
				break
			}
		}
	}
	h.tag = b[:i]
	if i >= len(b) {
		return h, errTruncated
	}
	l := b[i]
	i++
	switch {
	case l < 0x80:
		h.length = int(l)
	case l == 0x80:
		if !h.constructed {
			return h, errors.New("indefinite length on a primitive element")
		}
		h.indefinite = true
	default:
		n := int(l & 0x7f)
		if n > maxLengthBytes {
			return h, errors.New("length too long")
		}
		if i+n > len(b) {
			return h, errTruncated
		}
		for _, c := range b[i : i+n] {
			h.length = h.length<<8 | int(c)
		}
		i += n
	}
	h.size = i
	if !h.indefinite && (h.length < 0 || h.length > len(b)-i) {
		return h, errTruncated
	}
	return h, nil
}

// berToDER converts the first BER element of b to DER length encoding
// (definite, minimal lengths) and returns it with the bytes that follow it.
// Windows and Java write certs-only PKCS#7 with indefinite lengths, which
// encoding/asn1 refuses. Tags and primitive contents are kept as they are,
// and so are definite-length elements at envelopeDepth and below. The work
// is linear in len(b) times the nesting depth.
func berToDER(b []byte) (der, rest []byte, err error) {
	out, n, err := convertBER(b, 0)
	if err != nil {
		return nil, nil, err
	}
	return out, b[n:], nil
}

func convertBER(b []byte, depth int) (out []byte, n int, err error) {
	if depth > maxBERDepth {
		return nil, 0, fmt.Errorf("nested deeper than %d levels", maxBERDepth)
	}
	h, err := readBERHeader(b)
	if err != nil {
		return nil, 0, err
	}
	if !h.indefinite && depth >= envelopeDepth {
		end := h.size + h.length
		return b[:end], end, nil
	}
	if !h.constructed {
		end := h.size + h.length
		return appendElement(nil, h.tag, b[h.size:end]), end, nil
	}
	var content []byte
	pos := h.size
	limit := len(b)
	if !h.indefinite {
		limit = h.size + h.length
	}
	for {
		if h.indefinite {
			if pos+2 > limit {
				return nil, 0, errors.New("indefinite length without end-of-contents")
			}
			if b[pos] == 0 && b[pos+1] == 0 {
				pos += 2
				break
			}
		} else if pos >= limit {
			break
		}
		child, m, err := convertBER(b[pos:limit], depth+1)
		if err != nil {
			return nil, 0, err
		}
		content = append(content, child...)
		pos += m
	}
	return appendElement(nil, h.tag, content), pos, nil
}

// appendElement appends tag, the DER length of content, and content.
func appendElement(out, tag, content []byte) []byte {
	out = append(out, tag...)
	n := len(content)
	switch {
	case n < 0x80:
		out = append(out, byte(n))
	default:
		var lb []byte
		for v := n; v > 0; v >>= 8 {
			lb = append([]byte{byte(v)}, lb...)
		}
		out = append(out, 0x80|byte(len(lb)))
		out = append(out, lb...)
	}
	return append(out, content...)
}
