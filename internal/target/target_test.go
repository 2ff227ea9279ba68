package target

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"chainfix/internal/testpki"
	"chainfix/pfx"
)

func TestLookup(t *testing.T) {
	want := []string{"apache", "apache-legacy", "aws-acm", "azure-app-service", "azure-key-vault", "cisco-wlc", "citrix-adc",
		"f5", "haproxy", "iis", "java", "kubernetes", "nginx", "ruckus", "windows-p7b"}
	if got := Names(); !slices.Equal(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
	for _, n := range want {
		tg, err := Lookup(strings.ToUpper(n))
		if err != nil || tg.Name != n {
			t.Errorf("Lookup(%q) = %v, %v", n, tg, err)
		}
	}
	_, err := Lookup("nginxx")
	if !errors.Is(err, ErrUnknownTarget) || !strings.Contains(err.Error(), "aws-acm, azure-app-service") {
		t.Errorf("Lookup(unknown) = %v, want ErrUnknownTarget listing the names", err)
	}
}

// TestTargetsAreDocumented: every target and rule names a source, and every
// source either cites an address or says none was found.
func TestTargetsAreDocumented(t *testing.T) {
	for _, tg := range Targets() {
		if tg.Title == "" || tg.Source == "" || tg.Files == nil || len(tg.Rules) == 0 {
			t.Errorf("%s: title, source, files and rules are all required", tg.Name)
		}
		if tg.Source != NoSource && !strings.Contains(tg.Source, "http") {
			t.Errorf("%s: source %q has no address", tg.Name, tg.Source)
		}
		seen := map[string]bool{}
		for _, r := range tg.Rules {
			if r.Name == "" || r.Source == "" || r.Check == nil {
				t.Errorf("%s: rule %+v incomplete", tg.Name, r.Name)
			}
			if seen[r.Name] {
				t.Errorf("%s: rule %s twice", tg.Name, r.Name)
			}
			seen[r.Name] = true
		}
		if tg.NeedsKey != seen["key-match"] {
			t.Errorf("%s: a target that takes a key checks that it matches (key-match), and only such a target", tg.Name)
		}
	}
}

// TestCheckGoodSets: a correct file set for each target breaks no rule.
func TestCheckGoodSets(t *testing.T) {
	for _, tg := range Targets() {
		for _, kind := range leafKinds {
			t.Run(tg.Name+"/"+kind, func(t *testing.T) {
				in := goodInput(kind)
				in = asBuilt(t, tg, in)
				if fs := tg.Check(in); len(errorsIn(fs)) > 0 || hasFinding(fs, "key-match", Warning) {
					t.Errorf("findings on a good set: %v", fs)
				}
			})
		}
	}
}

// asBuilt is in as the file set Build writes for tg: its root policy, its
// key encryption, its PFX.
func asBuilt(t *testing.T, tg *Target, in Input) Input {
	t.Helper()
	switch tg.Root {
	case RootOmit, RootOnRequest:
		in.Root = nil
	}
	in.KeyEncrypted = tg.KeyEncrypted
	files, _, err := tg.Build(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if pfx.IsPKCS12(f.Data) {
			in.PFX = f.Data
		}
	}
	return in
}

// TestCheckFindsProblems: each rule fires on a set that breaks it, with the
// severity its source gives it.
func TestCheckFindsProblems(t *testing.T) {
	p := pki()
	good := goodInput("ecdsa")
	noRoot := func(in Input) Input { in.Root = nil; return in }

	p521 := leafWithKey(t, "p521.example.test", testpki.ECDSAKey(elliptic.P521(), "p521"))
	p384 := leafWithKey(t, "p384.example.test", testpki.ECDSAKey(elliptic.P384(), "p384"))
	ed := leafWithKey(t, "ed25519.example.test", testpki.Ed25519Key("ed25519"))
	rsa1024Key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	rsa1024 := leafWithKey(t, "rsa1024.example.test", rsa1024Key)
	// A leaf whose certificate carries an RSA-8192 key: only the key-type
	// rules read it, so the certificate need not be signed.
	big8192 := &x509.Certificate{Raw: p.Leaf.Cert.Raw, RawIssuer: p.Leaf.Cert.RawIssuer, Subject: p.Leaf.Cert.Subject,
		NotBefore: p.Leaf.Cert.NotBefore, NotAfter: p.Leaf.Cert.NotAfter,
		PublicKey: &rsa.PublicKey{N: new(big.Int).Lsh(big.NewInt(1), 8191), E: 65537}}
	long, longIntermediates := longChain(t, 10)
	huge, hugeIntermediates := longChain(t, 16)
	p12aes, err := pfx.Encode(good.Key, good.Leaf, good.Intermediates, testPassword, pfx.Modern)
	if err != nil {
		t.Fatal(err)
	}
	p12des, err := pfx.Encode(good.Key, good.Leaf, good.Intermediates, testPassword, pfx.Legacy)
	if err != nil {
		t.Fatal(err)
	}

	with := func(in Input, f func(*Input)) Input { f(&in); return in }
	tests := []struct {
		name   string
		target string
		in     Input
		rule   string
		sev    Severity
	}{
		// Rules every key-taking target has.
		{"key of another certificate", "nginx", with(good, func(in *Input) { in.Key = p.OtherKeyLeaf.Key }), "key-match", Error},
		{"key of another certificate", "kubernetes", with(good, func(in *Input) { in.Key = p.OtherKeyLeaf.Key }), "key-match", Error},
		{"key of another certificate", "java", with(good, func(in *Input) { in.Key = p.OtherKeyLeaf.Key }), "key-match", Error},
		{"no key given", "haproxy", with(good, func(in *Input) { in.Key = nil }), "key-match", Warning},
		{"expired leaf", "nginx", with(good, func(in *Input) { in.Leaf, in.Key = p.ExpiredLeaf.Cert, p.ExpiredLeaf.Key }), "validity", Warning},
		{"not yet valid", "nginx", with(good, func(in *Input) { in.At = date(2025, 6, 1) }), "validity", Warning},
		{"intermediates reversed", "nginx", with(good, func(in *Input) {
			in.Leaf, in.Key, in.Root = long.Cert, long.Key, nil
			in.Intermediates = []*x509.Certificate{longIntermediates[1], longIntermediates[0]}
		}), "chain-order", Error},
		{"root before the intermediate", "apache", with(good, func(in *Input) { in.Intermediates = []*x509.Certificate{p.Root.Cert}; in.Root = p.Intermediate.Cert }), "chain-order", Error},
		{"encrypted key", "apache", with(good, func(in *Input) { in.KeyEncrypted = true }), "key-passphrase", Warning},

		// AWS Certificate Manager.
		{"expired leaf", "aws-acm", with(good, func(in *Input) { in.Leaf, in.Key = p.ExpiredLeaf.Cert, p.ExpiredLeaf.Key }), "validity", Error},
		{"encrypted key", "aws-acm", with(good, func(in *Input) { in.KeyEncrypted = true }), "key-unencrypted", Error},
		{"Ed25519 key", "aws-acm", with(good, func(in *Input) { in.Leaf, in.Key = ed.Cert, ed.Key }), "key-type", Error},
		{"RSA 8192 key", "aws-acm", with(good, func(in *Input) { in.Leaf, in.Key = big8192, nil }), "key-type", Error},
		{"P-521 key: imported, but not by CloudFront", "aws-acm", with(good, func(in *Input) { in.Leaf, in.Key = p521.Cert, p521.Key }), "key-type", Warning},
		{"P-384 key: imported, but not by CloudFront", "aws-acm", with(good, func(in *Input) { in.Leaf, in.Key = p384.Cert, p384.Key }), "key-type", Warning},
		{"no chain for a CA-issued leaf", "aws-acm", with(good, func(in *Input) { in.Intermediates, in.Root = nil, nil }), "chain-required", Error},
		{"chain out of order", "aws-acm", with(good, func(in *Input) { in.Intermediates = []*x509.Certificate{p.Root.Cert} }), "chain-order", Error},

		// Azure App Service.
		{"no password", "azure-app-service", with(good, func(in *Input) { in.Password = nil }), "pfx-password", Error},
		{"RSA 1024 key", "azure-app-service", with(good, func(in *Input) { in.Leaf, in.Key = rsa1024.Cert, rsa1024.Key }), "key-type", Error},
		{"AES-encrypted PFX", "azure-app-service", with(noRoot(good), func(in *Input) { in.PFX = p12aes }), "pfx-encryption", Error},
		{"client authentication only", "azure-app-service", with(good, func(in *Input) { in.Leaf, in.Key = p.ClientLeaf.Cert, p.ClientLeaf.Key }), "server-auth", Error},

		// IIS.
		{"AES PFX for Windows Server 2016", "iis", with(noRoot(good), func(in *Input) { in.PFX, in.Windows = p12aes, "2016" }), "pfx-encryption", Error},
		{"unknown Windows release", "iis", with(good, func(in *Input) { in.Windows = "vista" }), "windows-version", Error},

		// Kubernetes.
		{"encrypted key", "kubernetes", with(good, func(in *Input) { in.KeyEncrypted = true }), "key-unencrypted", Error},
		{"name kubectl refuses", "kubernetes", with(good, func(in *Input) { in.Name = "My_Site" }), "secret-name", Error},

		// F5 BIG-IP.
		{"Ed25519 key", "f5", with(good, func(in *Input) { in.Leaf, in.Key = ed.Cert, ed.Key }), "key-type", Error},

		// Citrix ADC.
		{"root in the set", "citrix-adc", good, "root-excluded", Error},
		{"ten intermediates", "citrix-adc", with(good, func(in *Input) {
			in.Leaf, in.Key, in.Intermediates, in.Root = long.Cert, long.Key, longIntermediates, nil
		}), "chain-length", Warning},
		{"RSA 8192 key", "citrix-adc", with(noRoot(good), func(in *Input) { in.Leaf, in.Key = big8192, nil }), "key-type", Error},

		// Cisco WLC.
		{"no root", "cisco-wlc", with(noRoot(good), func(in *Input) { in.KeyEncrypted = true }), "root-included", Error},
		{"unencrypted key", "cisco-wlc", good, "key-encrypted", Error},
		{"chain over 10 KB", "cisco-wlc", with(good, func(in *Input) {
			in.Leaf, in.Key, in.Intermediates, in.KeyEncrypted = huge.Cert, huge.Key, hugeIntermediates, true
		}), "chain-size", Warning},
		{"two intermediates", "cisco-wlc", with(good, func(in *Input) {
			in.Leaf, in.Key, in.Intermediates, in.KeyEncrypted = long.Cert, long.Key, longIntermediates, true
		}), "chain-length", Warning},
	}
	for _, tt := range tests {
		t.Run(tt.target+"/"+tt.name, func(t *testing.T) {
			fs := mustLookup(t, tt.target).Check(tt.in)
			if !hasFinding(fs, tt.rule, tt.sev) {
				t.Fatalf("findings %q, want %s:%s", rules(fs), tt.rule, tt.sev)
			}
			for _, f := range fs {
				if f.Rule == tt.rule && (f.Message == "" || f.Source == "" || strings.HasSuffix(f.Message, ".")) {
					t.Errorf("finding %+v: want a message without a final period and a source", f)
				}
			}
		})
	}

	// OpenSSL's legacy default (RC2-40 certificates, 3DES key): Windows
	// Server 2016 reads it, App Service asks for triple DES.
	rc2, err := os.ReadFile(filepath.Join("..", "..", "pfx", "testdata", "openssl-legacy-rc2.p12"))
	if err != nil {
		t.Fatal(err)
	}
	in := noRoot(good)
	in.PFX, in.Windows = rc2, "2016"
	if fs := mustLookup(t, "azure-app-service").Check(in); !hasFinding(fs, "pfx-encryption", Error) {
		t.Errorf("azure-app-service: an RC2 PFX passes: %v", fs)
	}
	if fs := mustLookup(t, "iis").Check(in); hasFinding(fs, "pfx-encryption", Error) {
		t.Errorf("iis 2016: an RC2 PFX is refused: %v", fs)
	}

	// The same PFX in 3DES passes where AES fails.
	for _, name := range []string{"iis", "azure-app-service"} {
		in := noRoot(good)
		in.PFX, in.Windows = p12des, "2016"
		if fs := mustLookup(t, name).Check(in); hasFinding(fs, "pfx-encryption", Error) {
			t.Errorf("%s: a 3DES PFX is refused: %v", name, fs)
		}
	}
}

// TestBuildRefuses: an error finding means no files and ErrRejected.
func TestBuildRefuses(t *testing.T) {
	p := pki()
	good := goodInput("rsa")
	tests := []struct {
		name, target string
		in           Input
		rule         string
	}{
		{"key of another certificate", "aws-acm", func() Input { in := good; in.Key = p.OtherKeyLeaf.Key; return in }(), "key-match"},
		{"no key", "haproxy", func() Input { in := good; in.Key = nil; return in }(), "key-match"},
		{"expired leaf", "aws-acm", func() Input { in := good; in.Leaf, in.Key = p.ExpiredLeaf.Cert, p.ExpiredLeaf.Key; return in }(), "validity"},
		{"no password for the key", "cisco-wlc", func() Input { in := good; in.Password = nil; return in }(), "key-encrypted"},
		{"no root", "cisco-wlc", func() Input { in := good; in.Root = nil; return in }(), "root-included"},
		{"no password for the PFX", "azure-app-service", func() Input { in := good; in.Password = nil; return in }(), "pfx-password"},
	}
	for _, tt := range tests {
		t.Run(tt.target+"/"+tt.name, func(t *testing.T) {
			files, fs, err := mustLookup(t, tt.target).Build(tt.in)
			if !errors.Is(err, ErrRejected) || files != nil || !hasFinding(fs, tt.rule, Error) {
				t.Fatalf("Build = %d files, %q, %v; want no files, %s:error and ErrRejected", len(files), rules(fs), err, tt.rule)
			}
			if !strings.Contains(err.Error(), tt.target) {
				t.Errorf("error %q does not name the target", err)
			}
		})
	}
}

// TestBuildShapes: what Build writes follows the target, whatever the
// input holds.
func TestBuildShapes(t *testing.T) {
	p := pki()
	in := goodInput("ecdsa")
	in.IncludeRoot = true

	t.Run("citrix-adc leaves out a root asked for", func(t *testing.T) {
		files, fs, err := mustLookup(t, "citrix-adc").Build(in)
		if err != nil || !hasFinding(fs, "root-omitted", Warning) {
			t.Fatalf("Build: %v, %q", err, rules(fs))
		}
		if s := fs[0].String(); !strings.HasPrefix(s, "warning: the root") || !strings.Contains(s, "[root-omitted; source: Install, link, and update certificates") {
			t.Errorf("finding prints as %q", s)
		}
		for _, f := range files {
			if strings.Contains(string(f.Data), string(pemCerts(p.Root.Cert))) {
				t.Errorf("%s holds the root", f.Name)
			}
		}
	})
	t.Run("nginx writes the root only when asked", func(t *testing.T) {
		files, _, err := mustLookup(t, "nginx").Build(in)
		if err != nil || string(files[0].Data) != string(pemCerts(in.Leaf, p.Intermediate.Cert, p.Root.Cert)) {
			t.Fatalf("with IncludeRoot: %v\n%s", err, files[0].Data)
		}
		in := in
		in.IncludeRoot = false
		files, _, err = mustLookup(t, "nginx").Build(in)
		if err != nil || string(files[0].Data) != string(pemCerts(in.Leaf, p.Intermediate.Cert)) {
			t.Fatalf("without IncludeRoot: %v\n%s", err, files[0].Data)
		}
	})
	t.Run("iis on Windows Server 2016 writes 3DES", func(t *testing.T) {
		for windows, want := range map[string]bool{"2016": false, "2012 R2": false, "": true, "2019": true, "Windows Server 2022": true} {
			in := in
			in.Windows = windows
			files, _, err := mustLookup(t, "iis").Build(in)
			if err != nil {
				t.Fatalf("%q: %v", windows, err)
			}
			info, err := readPFXInfo(files[0].Data)
			if err != nil || info.usesAES() != want {
				t.Errorf("windows %q: PFX protected with %s", windows, info.summary())
			}
		}
	})
	t.Run("azure-app-service always writes 3DES", func(t *testing.T) {
		files, _, err := mustLookup(t, "azure-app-service").Build(in)
		if err != nil {
			t.Fatal(err)
		}
		if info, _ := readPFXInfo(files[0].Data); info.usesAES() || !slices.Contains(info.encryption, "3DES") {
			t.Errorf("PFX protected with %s, want 3DES", info.summary())
		}
	})
	t.Run("java takes the alias asked for", func(t *testing.T) {
		in := in
		in.Alias = "Tomcat"
		files, _, err := mustLookup(t, "java").Build(in)
		if err != nil || !strings.Contains(files[0].Field, `alias "tomcat"`) {
			t.Fatalf("%v, %q", err, files[0].Field)
		}
	})
	t.Run("windows-p7b refuses an empty chain", func(t *testing.T) {
		in := goodInput("ecdsa")
		in.Intermediates, in.Root = nil, nil
		// The leaf is not self-signed: only the empty p7b is wrong.
		if _, _, err := mustLookup(t, "windows-p7b").Build(in); err == nil || !strings.Contains(err.Error(), "no intermediate") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a name is a base name, not a path", func(t *testing.T) {
		in := goodInput("ecdsa")
		in.Name = "../etc/passwd"
		if _, _, err := mustLookup(t, "nginx").Build(in); err == nil {
			t.Fatal("a path was accepted as the name")
		}
	})
	t.Run("default names", func(t *testing.T) {
		for cn, want := range map[string]string{"*.Example.com": "wildcard.example.com", "Shop Site": "shop-site", "": "certificate"} {
			c := &x509.Certificate{}
			c.Subject.CommonName = cn
			if got, err := baseName(Input{Leaf: c}); err != nil || got != want {
				t.Errorf("baseName(CN=%q) = %q, %v; want %q", cn, got, err, want)
			}
		}
	})
	t.Run("cisco-wlc refuses an Ed25519 key it cannot encrypt", func(t *testing.T) {
		ed := leafWithKey(t, "ed.example.test", testpki.Ed25519Key("cisco"))
		in := goodInput("ecdsa")
		in.Leaf, in.Key = ed.Cert, ed.Key
		if _, _, err := mustLookup(t, "cisco-wlc").Build(in); err == nil || !strings.Contains(err.Error(), "RSA or ECDSA") {
			t.Fatalf("err = %v", err)
		}
	})
}

// TestKeyTypes checks the key judgements against the documented lists.
func TestKeyTypes(t *testing.T) {
	rsaOf := func(bits int) *rsa.PublicKey {
		return &rsa.PublicKey{N: new(big.Int).Lsh(big.NewInt(1), uint(bits-1)), E: 65537}
	}
	ec := func(c elliptic.Curve) *ecdsa.PublicKey { return &ecdsa.PublicKey{Curve: c} }
	edPub := ed25519.PublicKey(make([]byte, ed25519.PublicKeySize))
	tests := []struct {
		name string
		pub  any
		sev  Severity
	}{
		{"RSA 1024", rsaOf(1024), ""},
		{"RSA 2048", rsaOf(2048), ""},
		{"RSA 3072", rsaOf(3072), ""},
		{"RSA 4096", rsaOf(4096), ""},
		{"RSA 1536", rsaOf(1536), Error},
		{"RSA 8192", rsaOf(8192), Error},
		{"P-256", ec(elliptic.P256()), ""},
		{"P-384", ec(elliptic.P384()), Warning},
		{"P-521", ec(elliptic.P521()), Warning},
		{"P-224", ec(elliptic.P224()), Error},
		{"Ed25519", edPub, Error},
	}
	for _, tt := range tests {
		if sev, _ := acmKeyType(tt.pub); sev != tt.sev {
			t.Errorf("aws-acm %s: %q, want %q", tt.name, sev, tt.sev)
		}
	}
}

func TestWindowsRelease(t *testing.T) {
	for in, want := range map[string]int{"": 0, "2016": 2016, "2012r2": 2012, "2012 R2": 2012, "Windows Server 2019": 2019, "server 2025": 2025} {
		if got, err := windowsRelease(in); err != nil || got != want {
			t.Errorf("windowsRelease(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"vista", "16", "2016sp1", "3000"} {
		if _, err := windowsRelease(in); err == nil {
			t.Errorf("windowsRelease(%q) accepted", in)
		}
	}
}
