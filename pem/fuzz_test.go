package pem

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecode: Decode and Blocks never panic; whenever Decode succeeds, its
// certificates survive Encode and EncodePKCS7 unchanged and Encode is a
// fixed point. Seeds: every fixture in testdata/ plus a few small inputs.
func FuzzDecode(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			continue // a directory
		}
		f.Add(data)
	}
	for _, s := range []string{
		"", bom, "-----BEGIN CERTIFICATE-----", "-----BEGIN -----\n-----END -----\n",
		"-----BEGIN X-----\nA: b\n\nAAAA\n-----END X-----", "\x30\x80\x06\x00\xa0\x80\x00\x00\x00\x00",
		"\x30\x84\xff\xff\xff\xff", "\xff\xfe-\x00", "0 s:CN=x\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := Blocks(data); err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Blocks error %T is not *Error: %v", err, err)
			}
		}
		for _, lenient := range []bool{false, true} {
			c, err := Decode(data, Options{Lenient: lenient})
			if err != nil {
				continue
			}
			if len(c.Certificates) == 0 {
				t.Fatal("Decode succeeded without certificates")
			}
			for _, crlf := range []bool{false, true} {
				enc := Encode(c.Certificates, EncodeOptions{CRLF: crlf})
				c2, err := Decode(enc, Options{})
				if err != nil {
					t.Fatalf("Decode(Encode(certs)): %v", err)
				}
				if !sameCerts(c2.Certificates, c.Certificates) {
					t.Fatalf("Decode(Encode(certs)) = [%s], want [%s]", subjects(c2.Certificates), subjects(c.Certificates))
				}
				if again := Encode(c2.Certificates, EncodeOptions{CRLF: crlf}); !bytes.Equal(again, enc) {
					t.Fatal("Encode is not a fixed point")
				}
			}
			p7, err := EncodePKCS7(c.Certificates)
			if err != nil {
				t.Fatalf("EncodePKCS7: %v", err)
			}
			c3, err := Decode(p7, Options{})
			if err != nil || !sameCerts(c3.Certificates, c.Certificates) {
				t.Fatalf("Decode(EncodePKCS7(certs)): %v", err)
			}
		}
	})
}

// FuzzDecodeBase64: decoding a body as it is, when encoding/base64 accepts
// it, gives what cleaning it first gives; otherwise the same error.
func FuzzDecodeBase64(f *testing.F) {
	for _, s := range []string{
		"", "AAAA", "AAAA\n", "AAAA\r\nAAAA\r\n", "AB==", "AB=\n=", "AB\n==\n", "ABC", "AB", "A",
		"AAAA AAAA", "AA\tAA", "AAAA\\nAAAA", bom + "AAAA", "AB==CD==", "AB==\nCD", "====", "=AAA",
		"TUlJQ\n", "MIIB\r\n\r\n", "\n\n\n", "AAAA\x00",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		got, err := decodeBase64(text)
		want, werr := decodeBase64Lenient(text)
		if (err == nil) != (werr == nil) || !bytes.Equal(got, want) || err != nil && err.Error() != werr.Error() {
			t.Fatalf("%q: as it is %x, %v; cleaned first %x, %v", text, got, err, want, werr)
		}
	})
}
