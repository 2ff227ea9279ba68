package target

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"chainfix/internal/testpki"
	"chainfix/internal/testtool"
	"chainfix/pfx"
)

// writeSet builds tg for in and writes the files into a new directory.
func writeSet(t *testing.T, tg *Target, in Input) (string, []File) {
	t.Helper()
	files, _, err := tg.Build(in)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir, files
}

func openssl(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := testtool.Run(t, dir, "openssl", args...)
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestOpenSSLReadsEverySet: OpenSSL reads every file of every target:
// each PEM file's certificates and key (with the password where the key
// is encrypted), each PFX (with -legacy only if OpenSSL 3 needs it), the
// p7b; and the certificates of each PEM set verify as a chain for TLS
// servers at the fixtures' time.
func TestOpenSSLReadsEverySet(t *testing.T) {
	testtool.Need(t, "openssl")
	attime := strconv.FormatInt(testpki.Epoch.Unix(), 10)
	pass := "pass:" + testPassword
	for _, tg := range Targets() {
		for _, kind := range leafKinds {
			t.Run(tg.Name+"/"+kind, func(t *testing.T) {
				dir, files := writeSet(t, tg, goodInput(kind))
				var certs [][]byte
				for _, f := range files {
					switch {
					case pfx.IsPKCS12(f.Data):
						args := []string{"pkcs12", "-in", f.Name, "-passin", pass, "-info", "-nokeys"}
						out, err := testtool.Run(t, dir, "openssl", args...)
						if err != nil {
							out = []byte(openssl(t, dir, append(args, "-legacy")...))
						}
						if n := bytes.Count(out, []byte("BEGIN CERTIFICATE")); n != 2 {
							t.Errorf("%s: openssl finds %d certificates, want 2:\n%s", f.Name, n, out)
						}
						if !bytes.Contains(out, []byte("MAC: ")) && !bytes.Contains(out, []byte("MAC:")) {
							t.Errorf("%s: openssl shows no MAC:\n%s", f.Name, out)
						}
					case strings.HasSuffix(f.Name, ".p7b"):
						out := openssl(t, dir, "pkcs7", "-inform", "DER", "-in", f.Name, "-print_certs", "-noout")
						if n := strings.Count(out, "subject="); n != 1 {
							t.Errorf("%s: openssl finds %d certificates, want 1:\n%s", f.Name, n, out)
						}
					case strings.HasSuffix(f.Name, ".yaml"):
						// TestKubernetesManifest reads it.
					default:
						// storeutl lists every object of the file (OpenSSL 3.0
						// fails its -certs filter on files that hold a key too).
						wantCerts := bytes.Count(f.Data, []byte("-----BEGIN CERTIFICATE-----"))
						wantKeys := bytes.Count(f.Data, []byte("PRIVATE KEY-----\n")) / 2
						out := openssl(t, dir, "storeutl", "-noout", "-passin", pass, f.Name)
						if got := strings.Count(out, ": Certificate"); got != wantCerts {
							t.Errorf("%s: openssl finds %d certificates, want %d:\n%s", f.Name, got, wantCerts, out)
						}
						if got := strings.Count(out, ": Pkey") + strings.Count(out, ": Private key"); got != wantKeys {
							t.Errorf("%s: openssl finds %d keys, want %d:\n%s", f.Name, got, wantKeys, out)
						}
						if wantKeys > 0 {
							openssl(t, dir, "pkey", "-in", f.Name, "-passin", pass, "-noout")
						}
						certs = append(certs, certBlocks(f.Data)...)
					}
				}
				if len(certs) >= 2 {
					verifyChain(t, dir, certs, attime)
				}
			})
		}
	}
}

// certBlocks returns the CERTIFICATE blocks of PEM data, each with its
// END line.
func certBlocks(data []byte) [][]byte {
	var out [][]byte
	for _, m := range regexp.MustCompile(`(?s)-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----\n`).FindAll(data, -1) {
		out = append(out, m)
	}
	return out
}

// verifyChain runs openssl verify on the leaf (the first certificate) with
// the others as untrusted intermediates and the fixtures' root trusted.
func verifyChain(t *testing.T, dir string, certs [][]byte, attime string) {
	t.Helper()
	var untrusted []byte
	for _, c := range certs[1:] {
		untrusted = append(untrusted, c...)
	}
	for name, data := range map[string][]byte{"v-leaf.pem": certs[0], "v-untrusted.pem": untrusted, "v-root.pem": pemCerts(pki().Root.Cert)} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := openssl(t, dir, "verify", "-attime", attime, "-purpose", "sslserver", "-CAfile", "v-root.pem", "-untrusted", "v-untrusted.pem", "v-leaf.pem")
	if !strings.Contains(out, ": OK") {
		t.Errorf("openssl verify: %s", out)
	}
}

// TestHAProxyCombinedFile: OpenSSL reads the one haproxy file as the chain
// plus a key, and the key is the leaf's (HAProxy takes the first
// certificate as the one the key belongs to).
func TestHAProxyCombinedFile(t *testing.T) {
	testtool.Need(t, "openssl")
	for _, kind := range leafKinds {
		t.Run(kind, func(t *testing.T) {
			dir, files := writeSet(t, mustLookup(t, "haproxy"), goodInput(kind))
			f := files[0].Name
			out := openssl(t, dir, "storeutl", "-noout", f)
			if !strings.Contains(out, "Total found: 3") || strings.Count(out, ": Certificate") != 2 || strings.Count(out, ": Pkey")+strings.Count(out, ": Private key") != 1 {
				t.Errorf("openssl storeutl, want 2 certificates and a private key:\n%s", out)
			}
			fromCert := openssl(t, dir, "x509", "-in", f, "-noout", "-pubkey")
			fromKey := openssl(t, dir, "pkey", "-in", f, "-pubout")
			if fromCert != fromKey {
				t.Errorf("the key's public key differs from the first certificate's:\n%s\n%s", fromKey, fromCert)
			}
		})
	}
}

// TestKeytoolSeesAlias: Java's keytool lists the java target's keystore
// entry under its alias (not "1"), as a key entry with its chain.
func TestKeytoolSeesAlias(t *testing.T) {
	testtool.Need(t, "keytool")
	for _, enc := range []pfx.Encryption{pfx.Modern, pfx.Legacy} {
		t.Run(enc.String(), func(t *testing.T) {
			in := goodInput("ecdsa")
			in.Encryption = enc
			dir, files := writeSet(t, mustLookup(t, "java"), in)
			out, err := testtool.Run(t, dir, "keytool", "-list", "-v", "-keystore", files[0].Name, "-storetype", "PKCS12", "-storepass", testPassword)
			if err != nil {
				t.Fatalf("keytool: %v\n%s", err, out)
			}
			if !regexp.MustCompile(`(?m)^Alias name: www\.example\.test\s*$`).Match(out) {
				t.Errorf("keytool does not list the alias www.example.test:\n%s", out)
			}
			if !bytes.Contains(out, []byte("Entry type: PrivateKeyEntry")) || !regexp.MustCompile(`Certificate chain length: 2\b`).Match(out) {
				t.Errorf("keytool does not see the key entry with its chain:\n%s", out)
			}
		})
	}
}

// TestKubernetesManifest: the Secret manifest is YAML of a kubernetes.io/tls
// Secret whose data decodes to tls.crt and tls.key byte for byte.
func TestKubernetesManifest(t *testing.T) {
	for _, name := range []string{"", "web-tls", "123", "1.5"} {
		t.Run("name "+name, func(t *testing.T) {
			in := goodInput("rsa")
			in.Name = name
			files, _, err := mustLookup(t, "kubernetes").Build(in)
			if err != nil {
				t.Fatal(err)
			}
			byName := map[string][]byte{}
			for _, f := range files {
				byName[f.Name] = f.Data
			}
			var secret struct {
				APIVersion string            `yaml:"apiVersion"`
				Kind       string            `yaml:"kind"`
				Type       string            `yaml:"type"`
				Metadata   map[string]any    `yaml:"metadata"`
				Data       map[string]string `yaml:"data"`
			}
			dec := yaml.NewDecoder(bytes.NewReader(byName["secret.yaml"]))
			dec.KnownFields(true)
			if err := dec.Decode(&secret); err != nil {
				t.Fatalf("secret.yaml is not YAML of a Secret: %v\n%s", err, byName["secret.yaml"])
			}
			wantName := name
			if name == "" {
				wantName = "rsa.example.test"
			}
			if secret.APIVersion != "v1" || secret.Kind != "Secret" || secret.Type != "kubernetes.io/tls" || secret.Metadata["name"] != wantName || len(secret.Metadata) != 1 {
				t.Errorf("manifest header: %+v", secret)
			}
			if len(secret.Data) != 2 {
				t.Errorf("data keys: %v", secret.Data)
			}
			for _, k := range []string{"tls.crt", "tls.key"} {
				got, err := base64.StdEncoding.DecodeString(secret.Data[k])
				if err != nil || !bytes.Equal(got, byName[k]) {
					t.Errorf("data[%q] does not decode to %s: %v", k, k, err)
				}
			}
		})
	}
}
