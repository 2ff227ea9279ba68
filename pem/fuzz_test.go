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
