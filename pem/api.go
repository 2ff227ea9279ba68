package pem

import (
	"crypto/x509"
	"errors"
	"fmt"
)

// CONTRACT (shared with the CLI; keep these names and signatures).

// Block is one PEM block found in a text input.
type Block struct {
	Type    string            // the BEGIN label, e.g. "CERTIFICATE", "EC PRIVATE KEY"
	Headers map[string]string // RFC 1421 headers (Proc-Type, DEK-Info) of legacy encrypted keys
	Bytes   []byte            // the decoded body
	Index   int               // 1-based position among the blocks of the input
	Line    int               // 1-based line number of the BEGIN line
	// Start and End are the byte offsets of the block, from its BEGIN
	// marker to the end of its END line's dashes, in the text scanned: the
	// input itself, or its UTF-8 form when it was UTF-16.
	Start, End int
}

// Options tune Decode. The zero value is strict.
type Options struct {
	// Lenient skips a certificate that crypto/x509 refuses (e.g. a negative
	// serial number) and records it in Contents.Skipped, instead of failing.
	// For --pool and --roots files.
	Lenient bool
}

// Skipped is something Decode passed over without failing.
type Skipped struct {
	Index int    // block index (0 when the input was not PEM)
	Line  int    // line of the block's BEGIN (0 when not PEM)
	What  string // e.g. "EC PRIVATE KEY block", "certificate CN=x (serial -1)"
	Err   error  // why, when it was a parse failure; nil for expected skips
}

// Contents is what Decode found.
type Contents struct {
	Certificates []*x509.Certificate // input order, duplicates removed
	// All is every certificate in input order, duplicates kept: the chain
	// as a server configured with this file would send it (for diagnosis).
	All     []*x509.Certificate
	Keys    []Block // private-key blocks (and EC PARAMETERS), for package pfx
	Skipped []Skipped
	Format  string // "pem", "der", "pkcs7", "pkcs7-pem": what the input was
}

// ErrNoCertificates is returned (wrapped) when the input holds no certificate.
var ErrNoCertificates = errors.New("no certificate found")

// Error locates a decoding failure inside the input. Block and Line are 0
// when the input was not PEM.
type Error struct {
	Block int
	Line  int
	Err   error
}

func (e *Error) Error() string {
	if e.Block == 0 {
		return e.Err.Error()
	}
	return fmt.Sprintf("PEM block %d at line %d: %v", e.Block, e.Line, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// EncodeOptions tune the canonical encoders.
type EncodeOptions struct {
	CRLF bool // CRLF line ends instead of LF
}
