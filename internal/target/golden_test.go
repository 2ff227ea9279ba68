package target

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	stdpem "encoding/pem"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"chainfix/pfx"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// TestGolden builds every target for an ECDSA and an RSA leaf and compares
// the files with testdata/golden/<target>/<leaf>/. Byte-stable files are
// compared byte for byte; PFX files and encrypted keys (random salts and
// IVs) are compared through a description of what they decode to
// (<file>.txt). files.txt lists each file with its mode and field, and
// the findings of the build.
func TestGolden(t *testing.T) {
	for _, tg := range Targets() {
		for _, kind := range leafKinds {
			t.Run(tg.Name+"/"+kind, func(t *testing.T) {
				files, findings, err := tg.Build(goodInput(kind))
				if err != nil {
					t.Fatalf("Build: %v", err)
				}
				if len(errorsIn(findings)) > 0 {
					t.Fatalf("error findings on good input: %v", findings)
				}
				got := map[string][]byte{"files.txt": manifest(files, findings)}
				for _, f := range files {
					if d, ok := describe(t, f); ok {
						got[f.Name+".txt"] = d
					} else {
						got[f.Name] = f.Data
					}
				}
				compareGolden(t, filepath.Join("testdata", "golden", tg.Name, kind), got)
			})
		}
	}
}

func manifest(files []File, findings []Finding) []byte {
	var b bytes.Buffer
	for _, f := range files {
		mode := "0644"
		if f.Secret {
			mode = "0600"
		}
		fmt.Fprintf(&b, "%s\t%s\t%s\n", f.Name, mode, f.Field)
	}
	for _, f := range findings {
		fmt.Fprintf(&b, "finding\t%s\n", f)
	}
	return b.Bytes()
}

func compareGolden(t *testing.T, dir string, got map[string][]byte) {
	t.Helper()
	if *update {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, data := range got {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("%v (run go test -update to write the golden files)", err)
	}
	var have []string
	for _, e := range entries {
		have = append(have, e.Name())
	}
	var want []string
	for name := range got {
		want = append(want, name)
	}
	slices.Sort(want)
	if !slices.Equal(have, want) {
		t.Fatalf("golden files %v, built %v (go test -update rewrites them)", have, want)
	}
	for name, data := range got {
		golden, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(golden, data) {
			t.Errorf("%s differs from the golden file (go test -update rewrites it):\n--- golden\n%s\n--- built\n%s", name, golden, data)
		}
	}
}

// describe turns a randomized file into a stable description of what it
// holds; ok is false for byte-stable files.
func describe(t *testing.T, f File) ([]byte, bool) {
	t.Helper()
	switch {
	case pfx.IsPKCS12(f.Data):
		return describePFX(t, f.Data), true
	case bytes.Contains(f.Data, []byte("Proc-Type: 4,ENCRYPTED")):
		return describeEncryptedPEM(t, f.Data), true
	}
	return nil, false
}

func describePFX(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	info, err := readPFXInfo(data)
	if err != nil {
		t.Fatalf("reading the PFX structure: %v", err)
	}
	fmt.Fprintf(&b, "PKCS#12, protected with %s\n", info.summary())
	c, err := pfx.Decode(data, func() ([]byte, error) { return []byte(testPassword), nil })
	if err != nil {
		t.Fatalf("pfx.Decode: %v", err)
	}
	if c.Key == nil {
		t.Fatal("the PFX holds no key")
	}
	fmt.Fprintf(&b, "key: %s, public key SHA-256 %s\n", describeKey(c.Key.Public()), pfx.Fingerprint(c.Key.Public()))
	for i, cert := range c.Certificates {
		fmt.Fprintf(&b, "certificate %d: %s\n", i+1, certLine(cert))
	}
	if blocks, err := pkcs12.ToPEM(data, testPassword); err == nil {
		for _, blk := range blocks {
			if n := blk.Headers["friendlyName"]; n != "" {
				fmt.Fprintf(&b, "friendlyName on the %s bag: %s\n", strings.ToLower(blk.Type), n)
			}
		}
	}
	return b.Bytes()
}

// describeEncryptedPEM keeps the certificate blocks verbatim and replaces
// the encrypted key by what it decrypts to.
func describeEncryptedPEM(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	rest := data
	for {
		var blk *stdpem.Block
		blk, rest = stdpem.Decode(rest)
		if blk == nil {
			break
		}
		if blk.Type == "CERTIFICATE" {
			b.Write(stdpem.EncodeToMemory(blk))
			continue
		}
		key, err := pfx.ParseKey(stdpem.EncodeToMemory(blk), func() ([]byte, error) { return []byte(testPassword), nil })
		if err != nil {
			t.Fatalf("decrypting the key: %v", err)
		}
		fmt.Fprintf(&b, "(%s block, Proc-Type %s, DEK-Info %s: decrypts to a %s key, public key SHA-256 %s)\n",
			blk.Type, blk.Headers["Proc-Type"], strings.SplitN(blk.Headers["DEK-Info"], ",", 2)[0],
			describeKey(key.Public()), pfx.Fingerprint(key.Public()))
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		t.Fatalf("text after the last PEM block: %q", rest)
	}
	return b.Bytes()
}

func certLine(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return fmt.Sprintf("%s (SHA-256 %s)", c.Subject, hex.EncodeToString(sum[:8]))
}
