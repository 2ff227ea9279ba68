package pem

import (
	"bytes"
	stdpem "encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"chainfix/internal/testtool"

	"crypto/x509"
)

func TestEncodeGolden(t *testing.T) {
	certs := chainCerts()
	tests := []struct {
		name   string
		opts   EncodeOptions
		golden string
	}{
		{"LF line ends", EncodeOptions{}, "golden/chain-lf.pem"},
		{"CRLF line ends", EncodeOptions{CRLF: true}, "golden/chain-crlf.pem"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Encode(certs, tt.opts)
			if want := readFixture(t, tt.golden); !bytes.Equal(got, want) {
				t.Errorf("Encode differs from %s:\n%s", tt.golden, got)
			}
		})
	}
	t.Run("LF output is what encoding/pem writes", func(t *testing.T) {
		var want []byte
		for _, c := range certs {
			want = append(want, stdpem.EncodeToMemory(&stdpem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
		}
		if got := Encode(certs, EncodeOptions{}); !bytes.Equal(got, want) {
			t.Error("Encode differs from encoding/pem")
		}
	})
	t.Run("CRLF output is LF output with CRLF", func(t *testing.T) {
		lf := Encode(certs, EncodeOptions{})
		crlf := Encode(certs, EncodeOptions{CRLF: true})
		if !bytes.Equal(crlf, bytes.ReplaceAll(lf, []byte("\n"), []byte("\r\n"))) {
			t.Error("CRLF output is not the LF output with CRLF line ends")
		}
	})
}

// TestEncodeSameBytesWhateverTheInput: every shape of the same chain gives
// byte-identical canonical output.
func TestEncodeSameBytesWhateverTheInput(t *testing.T) {
	want := readFixture(t, "golden/chain-lf.pem")
	for _, file := range []string{
		"chain.pem", "crlf-bom.pem", "cr-only.pem", "bag-attributes.pem", "s_client.txt",
		"concatenated-no-newline.pem", "duplicates.pem", "chain.der", "chain.p7c", "chain-ber.p7b",
		"chain.p7b.pem", "chain-openssl.p7b", "chain-openssl.p7b.pem",
	} {
		t.Run(file, func(t *testing.T) {
			c, err := Decode(readFixture(t, file), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := Encode(c.Certificates, EncodeOptions{}); !bytes.Equal(got, want) {
				t.Errorf("Encode(Decode(%s)) is not byte-identical to the clean chain:\n%s", file, got)
			}
		})
	}
}

func TestEncodeEdgeCases(t *testing.T) {
	if got := Encode(nil, EncodeOptions{}); len(got) != 0 {
		t.Errorf("Encode(nil) = %q", got)
	}
	leaf := chain().leaf.Cert
	if got, want := Encode([]*x509.Certificate{nil, leaf, nil}, EncodeOptions{}), chain().leaf.PEM(); !bytes.Equal(got, want) {
		t.Errorf("nil entries not ignored:\n%s", got)
	}
}

func TestArmor(t *testing.T) {
	tests := []struct {
		name  string
		label string
		der   []byte
		opts  EncodeOptions
		want  string
	}{
		{"empty body", "X509 CRL", nil, EncodeOptions{}, "-----BEGIN X509 CRL-----\n-----END X509 CRL-----\n"},
		{"exactly one full line", "PKCS7", bytes.Repeat([]byte{0xff}, 48), EncodeOptions{},
			"-----BEGIN PKCS7-----\n" + strings.Repeat("/", 64) + "\n-----END PKCS7-----\n"},
		{"a line and a bit, CRLF", "PKCS7", bytes.Repeat([]byte{0}, 49), EncodeOptions{CRLF: true},
			"-----BEGIN PKCS7-----\r\n" + strings.Repeat("A", 64) + "\r\nAA==\r\n-----END PKCS7-----\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(Armor(tt.label, tt.der, tt.opts)); got != tt.want {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
	t.Run("PKCS7 fixture", func(t *testing.T) {
		if got := Armor("PKCS7", readFixture(t, "chain.p7c"), EncodeOptions{}); !bytes.Equal(got, readFixture(t, "chain.p7b.pem")) {
			t.Error("Armor(PKCS7, chain.p7c) differs from chain.p7b.pem")
		}
	})
}

func TestEncodePKCS7RoundTrip(t *testing.T) {
	certs := chainCerts()
	reversed := []*x509.Certificate{certs[2], certs[1], certs[0]}
	for name, in := range map[string][]*x509.Certificate{"leaf first": certs, "root first": reversed, "one": certs[:1]} {
		t.Run(name, func(t *testing.T) {
			der, err := EncodePKCS7(in)
			if err != nil {
				t.Fatal(err)
			}
			c, err := Decode(der, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !sameCerts(c.Certificates, in) || c.Format != FormatPKCS7 {
				t.Errorf("got [%s] %s, want [%s]", subjects(c.Certificates), c.Format, subjects(in))
			}
		})
	}
	t.Run("no certificates", func(t *testing.T) {
		if _, err := EncodePKCS7(nil); !errors.Is(err, ErrNoCertificates) {
			t.Errorf("err = %v, want ErrNoCertificates", err)
		}
	})
}

func TestOpenSSLReadsPKCS7(t *testing.T) {
	openssl := testtool.Need(t, "openssl")
	certs := chainCerts()
	der, err := EncodePKCS7([]*x509.Certificate{certs[2], certs[0], certs[1]}) // deliberately unusual order
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	tests := []struct {
		name string
		args []string
		want []*x509.Certificate
	}{
		{"EncodePKCS7 output", []string{"-inform", "DER", "-in", write("ours.p7b", der)}, []*x509.Certificate{certs[2], certs[0], certs[1]}},
		{"Armor PKCS7 output", []string{"-in", write("ours.p7b.pem", Armor("PKCS7", der, EncodeOptions{CRLF: true}))}, []*x509.Certificate{certs[2], certs[0], certs[1]}},
		{"BER fixture", []string{"-inform", "DER", "-in", filepath.Join("testdata", "chain-ber.p7b")}, certs},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(openssl, append([]string{"pkcs7", "-print_certs"}, tt.args...)...)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("openssl pkcs7: %v", err)
			}
			c, err := Decode(out, Options{})
			if err != nil {
				t.Fatalf("Decode(openssl output): %v", err)
			}
			if !sameCerts(c.Certificates, tt.want) {
				t.Errorf("openssl printed [%s], want [%s]", subjects(c.Certificates), subjects(tt.want))
			}
		})
	}
	t.Run("openssl reads canonical CRLF PEM", func(t *testing.T) {
		path := write("chain-crlf.pem", Encode(certs, EncodeOptions{CRLF: true}))
		out, err := exec.Command(openssl, "crl2pkcs7", "-nocrl", "-certfile", path, "-outform", "DER").Output()
		if err != nil {
			t.Fatal(err)
		}
		c, err := Decode(out, Options{})
		if err != nil || !sameCerts(c.Certificates, certs) {
			t.Errorf("got [%v], %v", c, err)
		}
	})
}
