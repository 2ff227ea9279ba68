package main

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"chainfix/internal/testtool"

	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"chainfix/internal/fixtures"
)

// runTool runs an interop tool and fails the test if it fails.
func runTool(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := testtool.Run(t, "", name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func fixtureDir(t *testing.T) (string, func(string) string) {
	t.Helper()
	dir := t.TempDir()
	if err := fixtures.Write(dir); err != nil {
		t.Fatal(err)
	}
	return dir, func(name string) string { return filepath.Join(dir, name) }
}

// TestPFXInterop: the PFX chainfix writes, with either encryption, is read
// by openssl and by Java's keytool with the key and the whole chain.
func TestPFXInterop(t *testing.T) {
	_, f := fixtureDir(t)
	env := mapEnv{"SSL_CERT_FILE": f("pki/root.pem"), "PFX_PASS": "s3cret pass"}
	for _, enc := range []string{"modern", "legacy"} {
		t.Run(enc, func(t *testing.T) {
			out := f("site-" + enc + ".pfx")
			code, stdout, stderr := runCLI(t, env, "", "pfx", "--offline", "--key", f("pki/leaf.key"), f("jumbled.pem"),
				"-o", out, "--password-env", "PFX_PASS", "--encryption", enc)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout not empty with -o: %q", stdout)
			}
			if strings.Contains(stderr, "s3cret") {
				t.Errorf("the password leaked to stderr")
			}
			fi, err := os.Stat(out)
			if err != nil {
				t.Fatal(err)
			}
			// Windows has no Unix permission bits: the file gets its
			// directory's ACL.
			if fi.Mode().Perm() != 0o600 && runtime.GOOS != "windows" {
				t.Errorf("PFX mode %v, want 0600", fi.Mode().Perm())
			}
			args := []string{"pkcs12", "-in", out, "-passin", "pass:s3cret pass", "-nodes"}
			o := runTool(t, "openssl", args...)
			if strings.Count(o, "BEGIN CERTIFICATE") != 2 || !strings.Contains(o, "PRIVATE KEY") {
				t.Errorf("openssl did not find the key and 2 certificates:\n%s", o)
			}
			k := runTool(t, "keytool", "-list", "-v", "-storetype", "PKCS12", "-keystore", out, "-storepass", "s3cret pass")
			if !strings.Contains(k, "PrivateKeyEntry") || !strings.Contains(k, "Certificate chain length: 2") {
				t.Errorf("keytool did not see a key entry with a 2-certificate chain:\n%s", k)
			}
		})
	}
}

// TestPFXRepairRoundTrip: a PFX holding the key and a broken chain (the
// leaf and an unrelated certificate) comes out with the same key and the
// right chain; the key can then be taken out and matched.
func TestPFXRepairRoundTrip(t *testing.T) {
	_, f := fixtureDir(t)
	p := fixtures.Build()
	broken, err := pkcs12.Modern2023.Encode(p.Leaf.Key, p.Leaf.Cert, []*x509.Certificate{p.PrivateRoot.Cert}, "pw")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(f("broken.pfx"), broken, 0o600)
	os.WriteFile(f("pw.txt"), []byte("pw\n"), 0o600)
	env := mapEnv{"SSL_CERT_FILE": f("pki/root.pem")}
	code, _, stderr := runCLI(t, env, "", "pfx", "--offline", "--in", f("broken.pfx"), "--pool", f("pki/intermediate.pem"),
		"--password-file", f("pw.txt"), "-o", f("fixed.pfx"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	data, _ := os.ReadFile(f("fixed.pfx"))
	key, leaf, cas, err := pkcs12.DecodeChain(data, "pw")
	if err != nil {
		t.Fatal(err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok || !p.Leaf.Key.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(signer.Public()) {
		t.Error("the repaired PFX holds another key")
	}
	if !leaf.Equal(p.Leaf.Cert) || len(cas) != 1 || !cas[0].Equal(p.Intermediate.Cert) {
		t.Errorf("repaired chain: leaf %s, CAs %d", leaf.Subject, len(cas))
	}

	// The key comes out of the PFX, mode 0600, and matches the leaf.
	code, _, stderr = runCLI(t, env, "", "key", "--in", f("fixed.pfx"), "--password-file", f("pw.txt"), "-o", f("out.key"))
	if code != 0 {
		t.Fatalf("key: exit %d: %s", code, stderr)
	}
	if fi, _ := os.Stat(f("out.key")); fi.Mode().Perm() != 0o600 && runtime.GOOS != "windows" {
		t.Errorf("key mode %v, want 0600", fi.Mode().Perm())
	}
	code, out, _ := runCLI(t, env, "", "match", "--key", f("out.key"), f("pki/leaf.pem"))
	if code != 0 || !strings.Contains(out, "match: the key belongs to CN=www.example.test") {
		t.Errorf("match: exit %d: %s", code, out)
	}

	// A wrong password is a clear error, and the output file is untouched.
	os.WriteFile(f("bad.txt"), []byte("nope\n"), 0o600)
	before, _ := os.ReadFile(f("fixed.pfx"))
	code, _, stderr = runCLI(t, env, "", "pfx", "--offline", "--in", f("broken.pfx"), "--pool", f("pki/intermediate.pem"),
		"--password-file", f("bad.txt"), "-o", f("fixed.pfx"))
	if code != exitFailure || !strings.Contains(stderr, "password") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("wrong password: exit %d, stderr %q", code, stderr)
	}
	after, _ := os.ReadFile(f("fixed.pfx"))
	if !bytes.Equal(before, after) {
		t.Error("a failed run changed the existing output file")
	}
}

// TestPFXFromKeyInInput: a PEM holding the chain and the key needs no --key.
func TestPFXFromKeyInInput(t *testing.T) {
	_, f := fixtureDir(t)
	combined := append(readFile(t, f("jumbled.pem")), readFile(t, f("pki/leaf.key"))...)
	os.WriteFile(f("combined.pem"), combined, 0o600)
	env := mapEnv{"SSL_CERT_FILE": f("pki/root.pem")}
	code, _, stderr := runCLI(t, env, "", "pfx", "--offline", "--no-password", f("combined.pem"), "-o", f("c.pfx"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, _, cas, err := pkcs12.DecodeChain(readFile(t, f("c.pfx")), ""); err != nil || len(cas) != 1 {
		t.Errorf("decode: %v, %d CA certificates", err, len(cas))
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestPFXWithTwoKeys: a Java keystore with two key entries still gives its
// certificates to build and check, which need no key; pfx, which does,
// says how to pick one.
func TestPFXWithTwoKeys(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "pw.txt"), []byte("secret\n"), 0o600)
	keystore := filepath.Join("pfx", "testdata", "java-two-keys.p12")
	code, out, stderr := runCLI(t, nil, "", "check", "--offline", "--json", "--password-file", filepath.Join(dir, "pw.txt"), keystore)
	if strings.Contains(out, "check-failed") || !strings.Contains(stderr, "using its certificates only") {
		t.Errorf("check: exit %d\n%s\n%s", code, out, stderr)
	}
	code, _, stderr = runCLI(t, nil, "", "pfx", "--offline", "--allow-untrusted", "--password-file", filepath.Join(dir, "pw.txt"), keystore, "-o", filepath.Join(dir, "out.pfx"))
	if code != exitFailure || !strings.Contains(stderr, "no private key among the inputs") {
		t.Errorf("pfx: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "out.pfx")); err == nil {
		t.Error("pfx wrote a file")
	}
}
