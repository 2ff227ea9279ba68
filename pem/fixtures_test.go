package pem

// The fixture generator: `go test ./pem -run TestFixtures -update` rewrites
// the Go-made files of testdata/ (and testdata/golden/); without -update the
// same test checks that the committed files are exactly what the generator
// makes, so the fixtures stay byte-reproducible. The openssl-made fixtures
// are listed in testdata/README.md with the commands that produced them.

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"flag"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"chainfix/internal/testpki"
)

var update = flag.Bool("update", false, "rewrite the generated fixtures in testdata/")

// crlfSerial is the first serial (counting from 1) for which the "crlf
// leaf" certificate's DER contains the bytes 0x0d 0x0a; found by crlfLeaf.
const crlfSerialStart = 1

type pki struct {
	root, intermediate, leaf *testpki.Cert
	crlf                     *testpki.Cert // DER contains 0x0d 0x0a
	crlfSerial               int64
}

var (
	pkiOnce sync.Once
	testPKI pki
)

// chain returns the deterministic test chain (built once).
func chain() pki {
	pkiOnce.Do(func() {
		root := testpki.Issue(testpki.Template{CN: "Chainfix Test Root", O: "Chainfix", CA: true, Key: testpki.RSAKey(1), Serial: 1}, nil)
		inter := testpki.Issue(testpki.Template{CN: "Chainfix Test Intermediate", O: "Chainfix", CA: true, Key: testpki.RSAKey(2), Serial: 2,
			IssuerURL: []string{"http://pki.example/root.crt"}}, root)
		leaf := testpki.Issue(testpki.Template{CN: "www.example.com", Serial: 3, DNS: []string{"www.example.com", "example.com"},
			IssuerURL: []string{"http://pki.example/intermediate.crt"}}, inter)
		testPKI = pki{root: root, intermediate: inter, leaf: leaf}
		for s := int64(crlfSerialStart); ; s++ {
			c := testpki.Issue(testpki.Template{CN: "crlf.example.com", Serial: s, DNS: []string{"crlf.example.com"}}, inter)
			if bytes.Contains(c.DER(), []byte("\r\n")) {
				testPKI.crlf, testPKI.crlfSerial = c, s
				break
			}
		}
	})
	return testPKI
}

// chainCerts is leaf, intermediate, root.
func chainCerts() []*x509.Certificate {
	p := chain()
	return []*x509.Certificate{p.leaf.Cert, p.intermediate.Cert, p.root.Cert}
}

// negativeSerial re-signs a certificate issued by the intermediate with
// serial number -1, which crypto/x509 has refused since Go 1.23.
func negativeSerial() []byte {
	p := chain()
	orig := testpki.Issue(testpki.Template{CN: "negative.example.com", Serial: 99, DNS: []string{"negative.example.com"}}, p.intermediate)
	var cert struct {
		TBS    asn1.RawValue
		SigAlg asn1.RawValue
		Sig    asn1.BitString
	}
	mustUnmarshal(orig.DER(), &cert)
	var tbs asn1.RawValue
	mustUnmarshal(cert.TBS.FullBytes, &tbs)
	var fields []byte
	rest := tbs.Bytes
	for i := 0; len(rest) > 0; i++ {
		var f asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &f); err != nil {
			panic(err)
		}
		if i == 1 { // after [0] version: serialNumber
			fields = append(fields, 0x02, 0x01, 0xff) // INTEGER -1
			continue
		}
		fields = append(fields, f.FullBytes...)
	}
	newTBS := appendElement(nil, []byte{0x30}, fields)
	h := sha256.Sum256(newTBS)
	sig, err := rsa.SignPKCS1v15(nil, p.intermediate.Key.(*rsa.PrivateKey), crypto.SHA256, h[:])
	if err != nil {
		panic(err)
	}
	sigBits, _ := asn1.Marshal(asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)})
	body := append(append(newTBS, cert.SigAlg.FullBytes...), sigBits...)
	return appendElement(nil, []byte{0x30}, body)
}

func mustUnmarshal(der []byte, v any) {
	if _, err := asn1.Unmarshal(der, v); err != nil {
		panic(err)
	}
}

// toIndefinite rewrites the PKCS#7 envelope of DER (the constructed
// elements down to the children of SignedData) into BER indefinite-length
// form, as Windows and Java may write a .p7b. The certificates stay DER, as
// their signatures require; empty elements stay definite ("31 00").
func toIndefinite(der []byte) []byte { return toIndefiniteDepth(der, 0) }

func toIndefiniteDepth(der []byte, depth int) []byte {
	var out []byte
	for len(der) > 0 {
		h, err := readBERHeader(der)
		if err != nil {
			panic(err)
		}
		content := der[h.size : h.size+h.length]
		if h.constructed && h.length > 0 && depth < envelopeDepth {
			out = append(out, h.tag...)
			out = append(out, 0x80)
			out = append(out, toIndefiniteDepth(content, depth+1)...)
			out = append(out, 0, 0)
		} else {
			out = append(out, der[:h.size+h.length]...)
		}
		der = der[h.size+h.length:]
	}
	return out
}

func pemOf(label string, der []byte) string {
	return string(Armor(label, der, EncodeOptions{}))
}

func certPEM(c *testpki.Cert) string { return pemOf("CERTIFICATE", c.DER()) }

// wrap re-wraps the base64 lines of one canonical PEM block at width.
func wrap(block string, width int, indent string) string {
	lines := strings.Split(strings.TrimSuffix(block, "\n"), "\n")
	body := strings.Join(lines[1:len(lines)-1], "")
	var b strings.Builder
	b.WriteString(indent + lines[0] + "\n")
	for len(body) > 0 {
		n := min(width, len(body))
		b.WriteString(indent + body[:n] + "\n")
		body = body[n:]
	}
	b.WriteString(indent + lines[len(lines)-1] + "\n")
	return b.String()
}

// generatedFixtures returns every Go-made fixture by file name.
func generatedFixtures() map[string][]byte {
	p := chain()
	leafPEM, interPEM, rootPEM := certPEM(p.leaf), certPEM(p.intermediate), certPEM(p.root)
	chainPEM := leafPEM + interPEM + rootPEM
	leafKey := p.leaf.Key.(*ecdsa.PrivateKey)
	pkcs8, err := x509.MarshalPKCS8PrivateKey(leafKey)
	if err != nil {
		panic(err)
	}
	sec1, err := x509.MarshalECPrivateKey(leafKey)
	if err != nil {
		panic(err)
	}
	ecParams, _ := asn1.Marshal(asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}) // prime256v1
	p7, err := EncodePKCS7(chainCerts())
	if err != nil {
		panic(err)
	}
	pub, _ := x509.MarshalPKIXPublicKey(p.leaf.Key.Public())
	crl, err := x509.CreateRevocationList(nil, &x509.RevocationList{
		Number: big.NewInt(1), ThisUpdate: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC),
		NextUpdate: time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC),
	}, p.intermediate.Cert, p.intermediate.Key)
	if err != nil {
		panic(err)
	}
	csr, err := x509.CreateCertificateRequest(nil, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: "csr.example.com"}, SignatureAlgorithm: x509.SHA256WithRSA,
	}, testpki.RSAKey(5))
	if err != nil {
		panic(err)
	}
	neg := negativeSerial()
	negPEM := pemOf("CERTIFICATE", neg)
	garbage := make([]byte, 0, 512)
	for seed := sha256.Sum256([]byte("garbage")); len(garbage) < 512; seed = sha256.Sum256(seed[:]) {
		garbage = append(garbage, seed[:]...)
	}
	garbage[0] = 0x8f // not a SEQUENCE, not text

	crlfLines := func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }
	indent := wrap(leafPEM, 64, "    ")
	indent = strings.ReplaceAll(indent, "\n", "  \t\n") // trailing spaces and tabs
	indent += wrap(interPEM, 64, "\t")
	// Odd wrapping: 76 columns (MIME), then ragged lines and blank lines.
	odd := wrap(leafPEM, 76, "")
	oddInter := strings.Split(wrap(interPEM, 40, ""), "\n")
	for i := 2; i < len(oddInter)-3; i += 5 {
		oddInter[i] += "\n\n"
	}
	odd += strings.Join(oddInter, "\n")
	odd = strings.TrimSuffix(odd, "\n") // and no final newline

	oneLine := strings.Join(strings.Split(strings.TrimSuffix(leafPEM, "\n"), "\n"), " ")
	jsonEscaped := fmt.Sprintf("{\"certificate\": %q, \"chain\": %q}\n", leafPEM, interPEM)

	// Each bag-attributes-like comment style admins keep in their files.
	comments := "# www.example.com, from the CA's e-mail\nsubject=CN = www.example.com\nissuer=O = Chainfix, CN = Chainfix Test Intermediate\n" +
		leafPEM + "\n; intermediate\nsubject=O = Chainfix, CN = Chainfix Test Intermediate\n" + interPEM + "-- end of file --\n"

	legacyKey := "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\n" +
		strings.Join(strings.Split(strings.TrimSuffix(pemOf("X", pkcs8), "\n"), "\n")[1:4], "\n") + "\n-----END RSA PRIVATE KEY-----\n"

	// Block 2 (the intermediate) gets a '!' on its 5th base64 line.
	badLines := strings.Split(interPEM, "\n")
	badLines[5] = badLines[5][:10] + "!" + badLines[5][11:]
	bad := leafPEM + strings.Join(badLines, "\n")

	files := map[string]string{
		"chain.pem":                     chainPEM,
		"leaf.pem":                      leafPEM,
		"intermediate.pem":              interPEM,
		"root.pem":                      rootPEM,
		"leaf-key.pem":                  pemOf("PRIVATE KEY", pkcs8),
		"key-and-cert.pem":              pemOf("EC PARAMETERS", ecParams) + pemOf("EC PRIVATE KEY", sec1) + leafPEM,
		"crlf-bom.pem":                  bom + crlfLines(chainPEM),
		"cr-only.pem":                   strings.ReplaceAll(chainPEM, "\n", "\r"),
		"indented.pem":                  indent,
		"odd-wrapping.pem":              odd,
		"comments.pem":                  comments,
		"x509-certificate.pem":          pemOf("X509 CERTIFICATE", p.leaf.DER()),
		"concatenated-no-newline.pem":   strings.TrimSuffix(leafPEM, "\n") + bom + strings.TrimSuffix(interPEM, "\n") + rootPEM,
		"one-line.pem":                  oneLine + "\n",
		"json-escaped.json":             jsonEscaped,
		"duplicates.pem":                leafPEM + interPEM + leafPEM + "\n" + crlfLines(interPEM) + rootPEM,
		"zeros-comment.pem":             "000000000000000000000000000000000000000000000000000000 ticket 0000\n" + leafPEM,
		"leaf.crt":                      string(p.leaf.DER()),
		"der-with-crlf-bytes.der":       string(p.crlf.DER()),
		"chain.der":                     string(p.leaf.DER()) + string(p.intermediate.DER()) + string(p.root.DER()),
		"chain.p7c":                     string(p7),
		"chain-ber.p7b":                 string(toIndefinite(p7)),
		"chain.p7b.pem":                 pemOf("PKCS7", p7),
		"negative-serial.pem":           negPEM,
		"negative-serial.der":           string(neg),
		"pool-with-negative-serial.pem": rootPEM + negPEM + interPEM,
		"legacy-encrypted-key.pem":      legacyKey,
		"csr-and-crl.pem":               pemOf("CERTIFICATE REQUEST", csr) + pemOf("X509 CRL", crl) + pemOf("PUBLIC KEY", pub),
		"bad-base64.pem":                bad,
		"begin-without-end.pem":         leafPEM + "subject=intermediate\n" + strings.Join(strings.Split(interPEM, "\n")[:8], "\n") + "\n" + rootPEM,
		"mismatched-end.pem":            leafPEM + strings.Replace(interPEM, "END CERTIFICATE", "END PRIVATE KEY", 1),
		"html-error-page.html":          "<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body>Not Found</body></html>\n",
		"empty.pem":                     "",
		"garbage.bin":                   string(garbage),
		"golden/chain-lf.pem":           string(Encode(chainCerts(), EncodeOptions{})),
		"golden/chain-crlf.pem":         string(Encode(chainCerts(), EncodeOptions{CRLF: true})),
	}
	out := make(map[string][]byte, len(files))
	for name, s := range files {
		out[name] = []byte(s)
	}
	return out
}

func TestFixtures(t *testing.T) {
	files := generatedFixtures()
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		path := filepath.Join("testdata", filepath.FromSlash(name))
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, files[name], 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./pem -run TestFixtures -update)", err)
		}
		if !bytes.Equal(got, files[name]) {
			t.Errorf("%s differs from what the generator makes (run go test ./pem -run TestFixtures -update)", path)
		}
	}
	t.Logf("crlf.example.com serial: %d", chain().crlfSerial)
}
