package pem

import (
	"bytes"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/smallstep/pkcs7"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// subjects names certificates for test messages: "www.example.com, Chainfix Test Root".
func subjects(certs []*x509.Certificate) string {
	var s []string
	for _, c := range certs {
		s = append(s, c.Subject.CommonName)
	}
	return strings.Join(s, ", ")
}

func sameCerts(got, want []*x509.Certificate) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if !bytes.Equal(got[i].Raw, want[i].Raw) {
			return false
		}
	}
	return true
}

func TestDecodeForms(t *testing.T) {
	p := chain()
	full := chainCerts()
	leafInter := full[:2]
	leaf := full[:1]
	root := full[2:]
	tests := []struct {
		name     string
		file     string
		want     []*x509.Certificate
		format   string
		keys     []string // labels of Contents.Keys
		skipped  int
		lenient  bool
		keyLines []int
	}{
		{name: "clean PEM chain", file: "chain.pem", want: full, format: FormatPEM},
		{name: "openssl pkcs12 -nodes output with Bag Attributes and the key", file: "bag-attributes.pem", want: full, format: FormatPEM, keys: []string{"PRIVATE KEY"}, keyLines: []int{74}},
		{name: "s_client -showcerts transcript", file: "s_client.txt", want: full, format: FormatPEM},
		{name: "CRLF line ends after a UTF-8 BOM", file: "crlf-bom.pem", want: full, format: FormatPEM},
		{name: "CR-only line ends (classic Mac)", file: "cr-only.pem", want: full, format: FormatPEM},
		{name: "indented blocks with trailing spaces and tabs", file: "indented.pem", want: leafInter, format: FormatPEM},
		{name: "76-column and ragged base64 with blank lines, no final newline", file: "odd-wrapping.pem", want: leafInter, format: FormatPEM},
		{name: "comments and subject= lines around blocks", file: "comments.pem", want: leafInter, format: FormatPEM},
		{name: "X509 CERTIFICATE label", file: "x509-certificate.pem", want: leaf, format: FormatPEM},
		{name: "openssl TRUSTED CERTIFICATE with aux trust data", file: "trusted-certificate.pem", want: root, format: FormatPEM},
		{name: "files concatenated without final newline, BOM mid-line before BEGIN", file: "concatenated-no-newline.pem", want: full, format: FormatPEM},
		{name: "whole block on one line, newlines turned into spaces", file: "one-line.pem", want: leaf, format: FormatPEM},
		{name: "PEM inside a JSON string with literal \\n escapes", file: "json-escaped.json", want: leafInter, format: FormatPEM},
		{name: "duplicates removed, first occurrence kept", file: "duplicates.pem", want: full, format: FormatPEM},
		{name: "text starting with zeros that looks like a DER header", file: "zeros-comment.pem", want: leaf, format: FormatPEM},
		{name: "EC PARAMETERS and EC PRIVATE KEY before the certificate", file: "key-and-cert.pem", want: leaf, format: FormatPEM, keys: []string{"EC PARAMETERS", "EC PRIVATE KEY"}, keyLines: []int{1, 4}},
		{name: "DER certificate with a .crt name", file: "leaf.crt", want: leaf, format: FormatDER},
		{name: "concatenated DER certificates", file: "chain.der", want: full, format: FormatDER},
		{name: "DER PKCS#7 written by chainfix", file: "chain.p7c", want: full, format: FormatPKCS7},
		{name: "DER PKCS#7 written by openssl crl2pkcs7", file: "chain-openssl.p7b", want: full, format: FormatPKCS7},
		{name: "BER PKCS#7 with indefinite lengths (Windows, Java)", file: "chain-ber.p7b", want: full, format: FormatPKCS7},
		{name: "PEM PKCS7 block", file: "chain.p7b.pem", want: full, format: FormatPKCS7PEM},
		{name: "PEM PKCS7 block written by openssl crl2pkcs7", file: "chain-openssl.p7b.pem", want: full, format: FormatPKCS7PEM},
		{name: "lenient pool with a negative-serial certificate", file: "pool-with-negative-serial.pem", lenient: true,
			want: []*x509.Certificate{p.root.Cert, p.intermediate.Cert}, format: FormatPEM, skipped: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Decode(readFixture(t, tt.file), Options{Lenient: tt.lenient})
			if err != nil {
				t.Fatalf("Decode(%s): %v", tt.file, err)
			}
			if !sameCerts(c.Certificates, tt.want) {
				t.Errorf("certificates = [%s], want [%s]", subjects(c.Certificates), subjects(tt.want))
			}
			if c.Format != tt.format {
				t.Errorf("Format = %q, want %q", c.Format, tt.format)
			}
			var labels []string
			var lines []int
			for _, k := range c.Keys {
				labels = append(labels, k.Type)
				lines = append(lines, k.Line)
			}
			if strings.Join(labels, "|") != strings.Join(tt.keys, "|") {
				t.Errorf("Keys = %q, want %q", labels, tt.keys)
			}
			if tt.keyLines != nil && !equalInts(lines, tt.keyLines) {
				t.Errorf("key lines = %v, want %v", lines, tt.keyLines)
			}
			if len(c.Skipped) != tt.skipped {
				t.Errorf("Skipped = %+v, want %d entries", c.Skipped, tt.skipped)
			}
		})
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestDecodeDERWithCRLFBytes proves the DER/text decision is made on the raw
// bytes: this certificate's DER contains 0x0d 0x0a, which any line-ending
// normalisation would corrupt.
func TestDecodeDERWithCRLFBytes(t *testing.T) {
	data := readFixture(t, "der-with-crlf-bytes.der")
	if !bytes.Contains(data, []byte("\r\n")) {
		t.Fatal("fixture lost its CR LF bytes (was it checked out as text?)")
	}
	normalised := bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	if _, err := x509.ParseCertificate(normalised); err == nil {
		t.Fatal("normalised DER still parses; the fixture proves nothing")
	}
	c, err := Decode(data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !sameCerts(c.Certificates, []*x509.Certificate{chain().crlf.Cert}) || c.Format != FormatDER {
		t.Errorf("got [%s] format %q, want crlf.example.com as der", subjects(c.Certificates), c.Format)
	}
	// Also as a PEM-wrapped DER inside a CRLF file.
	c, err = Decode(Armor("CERTIFICATE", data, EncodeOptions{CRLF: true}), Options{})
	if err != nil || !sameCerts(c.Certificates, []*x509.Certificate{chain().crlf.Cert}) {
		t.Errorf("PEM of the same DER: %v", err)
	}
}

func TestDecodeInlineInputs(t *testing.T) {
	p := chain()
	leafPEM := string(p.leaf.PEM())
	leafDER := string(p.leaf.DER())
	utf16le := func(s string) []byte {
		out := []byte{0xff, 0xfe}
		for _, u := range utf16.Encode([]rune(s)) {
			out = append(out, byte(u), byte(u>>8))
		}
		return out
	}
	utf16be := func(s string) []byte {
		out := []byte{0xfe, 0xff}
		for _, u := range utf16.Encode([]rune(s)) {
			out = append(out, byte(u>>8), byte(u))
		}
		return out
	}
	tests := []struct {
		name  string
		input []byte
	}{
		{"BOM then indented block", []byte(bom + "  " + leafPEM)},
		{"BOM mid-line right before BEGIN", []byte("leaf: " + bom + leafPEM)},
		{"no final newline", []byte(strings.TrimSuffix(leafPEM, "\n"))},
		{"trailing newline after DER", []byte(leafDER + "\n")},
		{"trailing NUL padding after DER", []byte(leafDER + "\x00\x00\x00\x00")},
		{"s_client line starting with 0 before the block", []byte(" 0 s:CN = www.example.com\n" + leafPEM)},
		{"text starting with 0 s: at column 1", []byte("0 s:CN = www.example.com\n   i:CN = x\n" + leafPEM)},
		{"base64 without = padding", []byte(strings.ReplaceAll(leafPEM, "=", ""))},
		{"UTF-16LE text with BOM (Notepad Unicode)", utf16le(leafPEM)},
		{"UTF-16BE text with BOM", utf16be(strings.ReplaceAll(leafPEM, "\n", "\r\n"))},
		{"PKCS#7 under a CERTIFICATE label (Microsoft CA web enrollment)", Armor("CERTIFICATE", mustPKCS7(t, p.leaf.DER()), EncodeOptions{})},
		{"BEGIN label with extra spaces", []byte(strings.ReplaceAll(leafPEM, "-----BEGIN CERTIFICATE-----", "-----BEGIN  CERTIFICATE -----"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Decode(tt.input, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !sameCerts(c.Certificates, []*x509.Certificate{p.leaf.Cert}) {
				t.Errorf("got [%s], want the leaf", subjects(c.Certificates))
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	p := chain()
	leafDER := p.leaf.DER()
	p7, _ := EncodePKCS7(chainCerts())
	deep := make([]byte, 0, 400)
	for i := 0; i < 100; i++ {
		deep = append(deep, 0x30, 0x80)
	}
	deep = append([]byte{0x30, 0x80, 0x06, 0x01, 0x00, 0xa0, 0x80}, deep...)
	tests := []struct {
		name        string
		input       []byte
		file        string
		lenient     bool
		msg         string
		block, line int  // of the *Error, when one is expected
		noCert      bool // errors.Is(err, ErrNoCertificates)
	}{
		{name: "bad base64 names block, BEGIN line and bad line", file: "bad-base64.pem",
			msg: "PEM block 2 at line 19: bad base64 at line 24: unexpected '!'", block: 2, line: 19},
		{name: "BEGIN without END", file: "begin-without-end.pem",
			msg: "PEM block 2 at line 20: BEGIN CERTIFICATE without END", block: 2, line: 20},
		{name: "BEGIN without END at end of input", input: []byte("text\n" + bom + "-----BEGIN CERTIFICATE-----\nMIIB\n"),
			msg: "PEM block 1 at line 2: BEGIN CERTIFICATE without END", block: 1, line: 2},
		{name: "END with another label", file: "mismatched-end.pem",
			msg: "PEM block 2 at line 19: BEGIN CERTIFICATE ended by END PRIVATE KEY at line 39", block: 2, line: 19},
		{name: "BEGIN line without closing dashes", input: []byte("\r\r-----BEGIN CERTIFICATE\rMIIB\r-----END CERTIFICATE-----\r"),
			msg: `PEM block 1 at line 3: malformed BEGIN line (no closing "-----")`, block: 1, line: 3},
		{name: "truncated base64", input: []byte("-----BEGIN CERTIFICATE-----\nMIIBxyz=A\n-----END CERTIFICATE-----\n"),
			msg: "PEM block 1 at line 1: bad base64: truncated body (9 characters, not a multiple of 4)", block: 1, line: 1},
		{name: "strict negative serial names block and line", file: "pool-with-negative-serial.pem",
			msg: "PEM block 2 at line 20: x509: negative serial number", block: 2, line: 20},
		{name: "strict negative serial in DER", file: "negative-serial.der", msg: "x509: negative serial number"},
		{name: "lenient file holding only a refused certificate", file: "negative-serial.pem", lenient: true, noCert: true,
			msg: "no certificate found: input holds only certificate CN=negative.example.com (serial -1) refused: x509: negative serial number"},
		{name: "certificate block that is not a certificate", input: Armor("CERTIFICATE", []byte{0x30, 0x03, 0x02, 0x01, 0x01}, EncodeOptions{}),
			msg: "PEM block 1 at line 1: x509: malformed tbs certificate", block: 1, line: 1},
		{name: "empty input", file: "empty.pem", noCert: true, msg: "no certificate found: input is empty"},
		{name: "only whitespace and a BOM", input: []byte(bom + "\r\n \n"), noCert: true, msg: "no certificate found: input is empty"},
		{name: "only a private key", file: "leaf-key.pem", noCert: true, msg: "no certificate found: input holds only a private key (PRIVATE KEY block)"},
		{name: "only a legacy encrypted key", file: "legacy-encrypted-key.pem", noCert: true, msg: "no certificate found: input holds only a private key (RSA PRIVATE KEY block)"},
		{name: "CSR, CRL and public key", file: "csr-and-crl.pem", noCert: true,
			msg: "no certificate found: input holds only CERTIFICATE REQUEST block, X509 CRL block, PUBLIC KEY block"},
		{name: "many unwanted blocks are listed briefly", input: bytes.Repeat(Armor("X509 CRL", []byte{1}, EncodeOptions{}), 5), noCert: true,
			msg: "no certificate found: input holds only X509 CRL block, X509 CRL block, X509 CRL block and 2 more"},
		{name: "HTML error page from an AIA server", file: "html-error-page.html", noCert: true, msg: "no certificate found: input is HTML or XML, not a certificate"},
		{name: "plain text", input: []byte("hello\n"), noCert: true, msg: "no certificate found: input is text without any PEM block"},
		{name: "binary garbage", file: "garbage.bin", noCert: true, msg: "no certificate found: input is not PEM, DER or PKCS#7"},
		{name: "PKCS#12 file", file: "store.p12", noCert: true,
			msg: "no certificate found: input is DER but neither a certificate nor PKCS#7 (a PFX/PKCS#12 file or a private key?)"},
		{name: "truncated DER certificate", input: leafDER[:len(leafDER)-10], msg: "DER is truncated: 743 bytes where the first element announces 753"},
		{name: "second DER certificate truncated", input: append(append([]byte{}, leafDER...), leafDER[:100]...),
			msg: "DER certificate 2 at byte 753: asn1: syntax error: data truncated"},
		{name: "DER followed by junk", input: append(append([]byte{}, leafDER...), "junk"...),
			msg: "DER certificate 2 at byte 753: 4 bytes of trailing data that are not a certificate"},
		{name: "PKCS#7 with trailing data", input: append(append([]byte{}, p7...), "junk"...), msg: "PKCS#7: 4 bytes of trailing data"},
		{name: "PKCS#7 that is not SignedData", input: []byte{0x30, 0x0f, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01, 0xa0, 0x02, 0x05, 0x00},
			msg: "PKCS#7: content type 1.2.840.113549.1.7.1 is not SignedData"},
		{name: "PKCS#7 nested too deep", input: deep, msg: "PKCS#7: nested deeper than 64 levels"},
		{name: "PKCS7 block holding a bad PKCS#7", input: append([]byte("junk\n"), Armor("PKCS7", append(append([]byte{}, p7...), 1, 2), EncodeOptions{})...),
			msg: "PEM block 1 at line 2: PKCS#7: 2 bytes of trailing data", block: 1, line: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input := tt.input
			if tt.file != "" {
				input = readFixture(t, tt.file)
			}
			_, err := Decode(input, Options{Lenient: tt.lenient})
			if err == nil {
				t.Fatal("Decode succeeded")
			}
			if err.Error() != tt.msg {
				t.Errorf("error:\n got  %s\n want %s", err, tt.msg)
			}
			if errors.Is(err, ErrNoCertificates) != tt.noCert {
				t.Errorf("errors.Is(err, ErrNoCertificates) = %v, want %v", !tt.noCert, tt.noCert)
			}
			var perr *Error
			if tt.block != 0 {
				if !errors.As(err, &perr) || perr.Block != tt.block || perr.Line != tt.line {
					t.Errorf("error %#v, want *Error at block %d line %d", err, tt.block, tt.line)
				}
			}
		})
	}
}

func TestDecodeStrictAndLenient(t *testing.T) {
	p := chain()
	data := readFixture(t, "pool-with-negative-serial.pem")

	_, err := Decode(data, Options{})
	var perr *Error
	if !errors.As(err, &perr) || perr.Block != 2 || perr.Line != 20 {
		t.Fatalf("strict: got %v, want *Error for block 2 at line 20", err)
	}

	c, err := Decode(data, Options{Lenient: true})
	if err != nil {
		t.Fatal(err)
	}
	if !sameCerts(c.Certificates, []*x509.Certificate{p.root.Cert, p.intermediate.Cert}) {
		t.Errorf("lenient: got [%s]", subjects(c.Certificates))
	}
	if len(c.Skipped) != 1 {
		t.Fatalf("Skipped = %+v", c.Skipped)
	}
	s := c.Skipped[0]
	if s.Index != 2 || s.Line != 20 || s.What != "certificate CN=negative.example.com (serial -1)" || s.Err == nil ||
		s.Err.Error() != "x509: negative serial number" {
		t.Errorf("Skipped[0] = %+v", s)
	}

	// The same certificate inside a PKCS#7 and as concatenated DER.
	neg := readFixture(t, "negative-serial.der")
	p7 := mustPKCS7(t, append(append([]byte{}, p.root.DER()...), neg...))
	for name, input := range map[string][]byte{
		"pkcs7": p7,
		"der":   append(append([]byte{}, p.root.DER()...), neg...),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Decode(input, Options{}); err == nil || !strings.HasSuffix(err.Error(), "certificate 2: x509: negative serial number") &&
				!strings.HasSuffix(err.Error(), "at byte 801: x509: negative serial number") {
				t.Errorf("strict: %v", err)
			}
			c, err := Decode(input, Options{Lenient: true})
			if err != nil {
				t.Fatal(err)
			}
			if !sameCerts(c.Certificates, []*x509.Certificate{p.root.Cert}) || len(c.Skipped) != 1 ||
				!strings.HasPrefix(c.Skipped[0].What, "certificate CN=negative.example.com (serial -1) (") {
				t.Errorf("lenient: [%s] skipped %+v", subjects(c.Certificates), c.Skipped)
			}
		})
	}
}

func mustPKCS7(t *testing.T, concat []byte) []byte {
	t.Helper()
	der, err := pkcs7.DegenerateCertificate(concat)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestDecodeKeysOnlyStillReturnsKeys(t *testing.T) {
	c, err := Decode(readFixture(t, "legacy-encrypted-key.pem"), Options{})
	if !errors.Is(err, ErrNoCertificates) || c == nil || len(c.Keys) != 1 {
		t.Fatalf("got %+v, %v; want the key and ErrNoCertificates", c, err)
	}
	k := c.Keys[0]
	if k.Headers["Proc-Type"] != "4,ENCRYPTED" || k.Headers["DEK-Info"] != "AES-128-CBC,00112233445566778899AABBCCDDEEFF" {
		t.Errorf("Headers = %v", k.Headers)
	}
}

func TestBlocks(t *testing.T) {
	t.Run("bag attributes with key", func(t *testing.T) {
		blocks, err := Blocks(readFixture(t, "bag-attributes.pem"))
		if err != nil {
			t.Fatal(err)
		}
		want := []struct {
			typ         string
			index, line int
		}{{"CERTIFICATE", 1, 6}, {"CERTIFICATE", 2, 27}, {"CERTIFICATE", 3, 51}, {"PRIVATE KEY", 4, 74}}
		if len(blocks) != len(want) {
			t.Fatalf("got %d blocks", len(blocks))
		}
		for i, w := range want {
			b := blocks[i]
			if b.Type != w.typ || b.Index != w.index || b.Line != w.line || b.Headers != nil {
				t.Errorf("block %d = %s #%d line %d headers %v, want %s #%d line %d", i, b.Type, b.Index, b.Line, b.Headers, w.typ, w.index, w.line)
			}
		}
	})
	t.Run("line numbers with CR-only and CRLF line ends agree", func(t *testing.T) {
		for _, file := range []string{"chain.pem", "cr-only.pem", "crlf-bom.pem"} {
			blocks, err := Blocks(readFixture(t, file))
			if err != nil {
				t.Fatal(err)
			}
			if len(blocks) != 3 || blocks[0].Line != 1 || blocks[1].Line != 19 || blocks[2].Line != 40 {
				t.Errorf("%s: lines %d %d %d", file, blocks[0].Line, blocks[1].Line, blocks[2].Line)
			}
		}
	})
	t.Run("matches encoding/pem on clean input", func(t *testing.T) {
		blocks, err := Blocks(readFixture(t, "chain.pem"))
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range chainCerts() {
			if !bytes.Equal(blocks[i].Bytes, c.Raw) {
				t.Errorf("block %d bytes differ", i+1)
			}
		}
	})
	t.Run("a block's Start and End hold it alone", func(t *testing.T) {
		for _, file := range []string{"bag-attributes.pem", "chain.pem", "cr-only.pem"} {
			data := readFixture(t, file)
			blocks, err := Blocks(data)
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range blocks {
				one, err := Blocks(data[b.Start:b.End])
				if err != nil || len(one) != 1 || one[0].Type != b.Type || !bytes.Equal(one[0].Bytes, b.Bytes) {
					t.Errorf("%s block %d: [%d, %d) reads as %d blocks, %v", file, b.Index, b.Start, b.End, len(one), err)
				}
				if !bytes.HasPrefix(data[b.Start:], []byte(beginMarker)) || !bytes.HasSuffix(data[:b.End], []byte(dashes)) {
					t.Errorf("%s block %d: [%d, %d) is not BEGIN ... -----", file, b.Index, b.Start, b.End)
				}
			}
		}
	})
	t.Run("no blocks in plain text", func(t *testing.T) {
		blocks, err := Blocks([]byte("nothing here\n-----END CERTIFICATE-----\n"))
		if err != nil || len(blocks) != 0 {
			t.Errorf("got %v, %v", blocks, err)
		}
	})
}

// TestDecodePKCS7MatchesSmallstep cross-checks our PKCS#7 reader with
// github.com/smallstep/pkcs7 on every PKCS#7 fixture.
func TestDecodePKCS7MatchesSmallstep(t *testing.T) {
	for _, file := range []string{"chain.p7c", "chain-openssl.p7b", "chain-ber.p7b"} {
		t.Run(file, func(t *testing.T) {
			data := readFixture(t, file)
			p7, err := pkcs7.Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			c, err := Decode(data, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !sameCerts(c.Certificates, p7.Certificates) {
				t.Errorf("ours [%s], smallstep [%s]", subjects(c.Certificates), subjects(p7.Certificates))
			}
		})
	}
}

func TestBERToDER(t *testing.T) {
	p7 := readFixture(t, "chain.p7c")
	ber := readFixture(t, "chain-ber.p7b")
	if bytes.Equal(p7, ber) {
		t.Fatal("BER fixture is plain DER")
	}
	der, rest, err := berToDER(ber)
	if err != nil || len(rest) != 0 {
		t.Fatal(err, len(rest))
	}
	if !bytes.Equal(der, p7) {
		t.Error("BER -> DER does not give the original DER back")
	}
	// An empty SET in indefinite form (smallstep's ber2der refuses it).
	if der, _, err := berToDER([]byte{0x30, 0x80, 0x31, 0x80, 0, 0, 0x02, 0x01, 0x05, 0, 0}); err != nil ||
		!bytes.Equal(der, []byte{0x30, 0x05, 0x31, 0x00, 0x02, 0x01, 0x05}) {
		t.Errorf("empty indefinite SET: % x, %v", der, err)
	}
	// DER in, same DER out.
	if der, _, err := berToDER(p7); err != nil || !bytes.Equal(der, p7) {
		t.Error("DER is not a fixed point")
	}
}
