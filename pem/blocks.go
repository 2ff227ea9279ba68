package pem

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

const (
	beginMarker = "-----BEGIN "
	endMarker   = "-----END "
	dashes      = "-----"
	bom         = "\uFEFF"
)

// maxLabelLen bounds a BEGIN/END label. Real labels are short ("ENCRYPTED
// PRIVATE KEY" is the longest in common use); a bound keeps a BEGIN marker
// followed by a megabyte of text on one line from being read as a label.
const maxLabelLen = 64

// Blocks finds the PEM blocks of a text input, tolerating what admins' files
// really contain: text around the blocks (openssl "Bag Attributes",
// "subject=" lines, s_client transcripts, comments), a UTF-8 BOM anywhere
// before a BEGIN marker, CRLF or CR-only line ends, indentation, trailing
// spaces, blank lines and odd wrapping inside the base64 body, several blocks
// on one line (files concatenated without a final newline), JSON-style
// literal "\n" escapes inside the body, and UTF-16 text with a byte-order
// mark (Windows Notepad's "Unicode").
//
// RFC 1421 headers (Proc-Type, DEK-Info) at the start of a body go to
// Block.Headers. Any block that cannot be read (a BEGIN without its END, an
// END with another label, bad base64) stops the scan with an *Error naming
// the block and the line of its BEGIN. Text without any block gives no
// blocks and no error. Blocks works in time linear in the input size.
func Blocks(data []byte) ([]Block, error) {
	if text, ok := fromUTF16(data); ok {
		data = text
	}
	var (
		blocks []Block
		lines  = lineCounter{data: data, line: 1}
		pos    int
	)
	for {
		i := bytes.Index(data[pos:], []byte(beginMarker))
		if i < 0 {
			return blocks, nil
		}
		begin := pos + i
		index := len(blocks) + 1
		line := lines.at(begin)
		fail := func(format string, args ...any) error {
			return &Error{Block: index, Line: line, Err: fmt.Errorf(format, args...)}
		}
		label, afterBegin, ok := readLabel(data, begin+len(beginMarker))
		if !ok {
			return nil, fail("malformed BEGIN line (no closing %q)", dashes)
		}
		// The body runs to the next END marker; a BEGIN in between means
		// this block was never closed.
		endRel := bytes.Index(data[afterBegin:], []byte(endMarker))
		if endRel < 0 || bytes.Contains(data[afterBegin:afterBegin+endRel], []byte(beginMarker)) {
			return nil, fail("BEGIN %s without END", label)
		}
		end := afterBegin + endRel
		endLabel, afterEnd, ok := readLabel(data, end+len(endMarker))
		if !ok {
			return nil, fail("malformed END line at line %d (no closing %q)", lines.at(end), dashes)
		}
		if endLabel != label {
			return nil, fail("BEGIN %s ended by END %s at line %d", label, endLabel, lines.at(end))
		}
		body := data[afterBegin:end]
		headers, b64 := splitHeaders(body)
		der, err := decodeBase64(b64)
		if err != nil {
			var bad badByteError
			if errors.As(err, &bad) {
				offset := afterBegin + (len(body) - len(b64)) + bad.offset
				return nil, fail("bad base64 at line %d: unexpected %q", lines.at(offset), bad.b)
			}
			return nil, fail("bad base64: %v", err)
		}
		blocks = append(blocks, Block{Type: label, Headers: headers, Bytes: der, Index: index, Line: line, Start: begin, End: afterEnd})
		pos = afterEnd
	}
}

// readLabel reads "LABEL-----" at data[start:] on a single line and returns
// the label without surrounding spaces and the position after the dashes.
func readLabel(data []byte, start int) (label string, after int, ok bool) {
	rest := data[start:]
	if len(rest) > maxLabelLen+len(dashes) {
		rest = rest[:maxLabelLen+len(dashes)]
	}
	if eol := bytes.IndexAny(rest, "\r\n"); eol >= 0 {
		rest = rest[:eol]
	}
	i := bytes.Index(rest, []byte(dashes))
	if i < 0 {
		return "", 0, false
	}
	label = strings.TrimSpace(string(rest[:i]))
	if label == "" {
		return "", 0, false
	}
	return label, start + i + len(dashes), true
}

// splitHeaders separates RFC 1421 headers ("Proc-Type: 4,ENCRYPTED") from
// the base64 text of a body. Headers are recognised only when the first
// non-blank line contains a colon, which base64 never does.
func splitHeaders(body []byte) (map[string]string, []byte) {
	rest := body
	var headers map[string]string
	for len(rest) > 0 {
		line, next := cutLine(rest)
		trimmed := bytes.TrimSpace(line)
		if len(trimmed) == 0 {
			if headers != nil {
				return headers, next // the blank line that ends the headers
			}
			rest = next
			continue
		}
		key, value, found := bytes.Cut(trimmed, []byte(":"))
		if !found {
			break
		}
		if headers == nil {
			headers = make(map[string]string)
		}
		headers[string(bytes.TrimSpace(key))] = string(bytes.TrimSpace(value))
		rest = next
	}
	if headers == nil {
		return nil, body
	}
	return headers, rest
}

// cutLine returns the first line of b (without its line end) and the rest.
func cutLine(b []byte) (line, rest []byte) {
	i := bytes.IndexAny(b, "\r\n")
	if i < 0 {
		return b, nil
	}
	if b[i] == '\r' && i+1 < len(b) && b[i+1] == '\n' {
		return b[:i], b[i+2:]
	}
	return b[:i], b[i+1:]
}

// badByteError reports a byte that is neither base64 nor ignorable, at an
// offset into the text given to decodeBase64.
type badByteError struct {
	offset int
	b      byte
}

func (e badByteError) Error() string { return fmt.Sprintf("unexpected %q", e.b) }

// decodeBase64 drops whitespace, BOMs and literal "\n"/"\r" escapes (a
// backslash is never base64) and decodes the rest with encoding/base64,
// accepting a body whose "=" padding was lost.
//
// A well-formed body (base64 in lines) is decoded as it is: encoding/base64
// skips "\r" and "\n" itself, and fails on any other byte it does not
// keep, so its success means the cleaning would have changed nothing but
// line ends. A trust store of 144 roots decodes three times faster so.
func decodeBase64(text []byte) ([]byte, error) {
	out := make([]byte, base64.StdEncoding.DecodedLen(len(text)))
	if n, err := base64.StdEncoding.Decode(out, text); err == nil {
		return out[:n], nil
	}
	return decodeBase64Lenient(text)
}

// decodeBase64Lenient is decodeBase64 for a body that is not plain base64
// lines.
func decodeBase64Lenient(text []byte) ([]byte, error) {
	clean := make([]byte, 0, len(text))
	for i := 0; i < len(text); i++ {
		if !base64Byte[text[i]] {
			if n := ignored(text, i); n > 0 {
				i += n - 1
				continue
			}
		}
		clean = append(clean, text[i])
	}
	out := make([]byte, base64.StdEncoding.DecodedLen(len(clean)))
	n, err := base64.StdEncoding.Decode(out, clean)
	if err != nil && len(clean)%4 != 0 && bytes.IndexByte(clean, '=') < 0 {
		out = make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
		n, err = base64.RawStdEncoding.Decode(out, clean)
	}
	if err != nil {
		var corrupt base64.CorruptInputError
		if errors.As(err, &corrupt) && int(corrupt) < len(clean) && !isBase64Byte(clean[corrupt]) {
			return nil, badByteError{offset: offsetOfKept(text, int(corrupt)), b: clean[corrupt]}
		}
		if len(clean)%4 != 0 {
			return nil, fmt.Errorf("truncated body (%d characters, not a multiple of 4)", len(clean))
		}
		return nil, fmt.Errorf("misplaced padding")
	}
	return out[:n], nil
}

// ignored is how many bytes at text[i] decodeBase64 drops: a whitespace
// byte, a literal "\n" or "\r", a BOM; 0 for a byte it keeps.
func ignored(text []byte, i int) int {
	switch c := text[i]; {
	case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f':
		return 1
	case c == '\\' && i+1 < len(text) && (text[i+1] == 'n' || text[i+1] == 'r'):
		return 2
	case c == bom[0] && bytes.HasPrefix(text[i:], []byte(bom)):
		return len(bom)
	}
	return 0
}

// offsetOfKept is the offset in text of the k-th byte decodeBase64 kept,
// to locate an error (so that the decoding itself keeps no map).
func offsetOfKept(text []byte, k int) int {
	for i := 0; i < len(text); i++ {
		if n := ignored(text, i); n > 0 {
			i += n - 1
			continue
		}
		if k == 0 {
			return i
		}
		k--
	}
	return len(text)
}

func isBase64Byte(c byte) bool { return base64Byte[c] }

// base64Byte tells the bytes of the standard base64 alphabet and "=".
var base64Byte = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '='
	}
	return t
}()

// lineCounter turns byte offsets into 1-based line numbers. Queries must come
// in non-decreasing order; the total work is linear in the input. A line ends
// at LF, CRLF or a lone CR.
type lineCounter struct {
	data []byte
	pos  int
	line int
	noCR int8 // 0: not looked yet; 1: data holds a CR; 2: it does not
}

func (c *lineCounter) at(offset int) int {
	if offset < c.pos {
		// Out of order: count again from the start (only on error paths).
		c.pos, c.line = 0, 1
	}
	if c.noCR == 0 {
		c.noCR = 1
		if bytes.IndexByte(c.data, '\r') < 0 {
			c.noCR = 2
		}
	}
	if c.noCR == 2 {
		// Lines end at LF only: count them at once (the common case; a
		// trust store is 3,000 lines).
		end := min(offset, len(c.data))
		if c.pos < end {
			c.line += bytes.Count(c.data[c.pos:end], []byte{'\n'})
			c.pos = end
		}
		return c.line
	}
	for ; c.pos < offset && c.pos < len(c.data); c.pos++ {
		switch c.data[c.pos] {
		case '\n':
			c.line++
		case '\r':
			if c.pos+1 >= len(c.data) || c.data[c.pos+1] != '\n' {
				c.line++
			}
		}
	}
	return c.line
}

// fromUTF16 converts UTF-16 text that starts with a byte-order mark to
// UTF-8. Line numbers are unchanged.
func fromUTF16(data []byte) ([]byte, bool) {
	if len(data) < 2 || len(data)%2 != 0 {
		return nil, false
	}
	var big bool
	switch {
	case data[0] == 0xfe && data[1] == 0xff:
		big = true
	case data[0] == 0xff && data[1] == 0xfe:
	default:
		return nil, false
	}
	units := make([]uint16, 0, len(data)/2-1)
	for i := 2; i < len(data); i += 2 {
		if big {
			units = append(units, uint16(data[i])<<8|uint16(data[i+1]))
		} else {
			units = append(units, uint16(data[i+1])<<8|uint16(data[i]))
		}
	}
	out := make([]byte, 0, len(units))
	for _, r := range utf16.Decode(units) {
		out = utf8.AppendRune(out, r)
	}
	return out, true
}
