package trust

import (
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fakeSecurity answers like macOS's security tool (and plutil) from canned
// files: find-certificate prints the PEM of a keychain, trust-settings-export
// writes a domain's plist to the file named last, or fails as security does
// for a domain without settings.
type fakeSecurity struct {
	keychains map[string]string // keychain path ("" = the search list) -> PEM file
	settings  map[string]string // "user" or "admin" -> plist file
	binary    bool              // trust-settings-export writes a binary plist; plutil converts
	calls     []string
}

func (f *fakeSecurity) run(t *testing.T) func(string, ...string) ([]byte, error) {
	return func(name string, args ...string) ([]byte, error) {
		f.calls = append(f.calls, name+" "+strings.Join(args, " "))
		read := func(p string) []byte {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		switch {
		case name == plutilTool && slices.Equal(args[:4], []string{"-convert", "xml1", "-o", "-"}):
			return read(strings.TrimSuffix(args[4], ".plist") + ".xml"), nil
		case name != securityTool:
			t.Fatalf("ran %s", name)
		case args[0] == "find-certificate":
			keychain := ""
			if len(args) == 4 {
				keychain = args[3]
			}
			file, ok := f.keychains[keychain]
			if !ok {
				return nil, errors.New("security: SecKeychainSearchCopyNext: The specified item could not be found in the keychain.")
			}
			return read(file), nil
		case args[0] == "trust-settings-export":
			domain := "user"
			if args[1] == "-d" {
				domain = "admin"
			}
			file, ok := f.settings[domain]
			if !ok {
				return nil, errors.New("exit status 1: SecTrustSettingsCreateExternalRepresentation: No Trust Settings were found.")
			}
			out := args[len(args)-1]
			data := read(file)
			if f.binary {
				// What plutil will be asked to convert.
				if err := os.WriteFile(strings.TrimSuffix(out, ".plist")+".xml", data, 0o600); err != nil {
					t.Fatal(err)
				}
				data = []byte("bplist00\x00\x01")
			}
			if err := os.WriteFile(out, data, 0o600); err != nil {
				t.Fatal(err)
			}
			return []byte("...Trust Settings exported successfully.\n"), nil
		}
		t.Fatalf("unexpected security %v", args)
		return nil, nil
	}
}

func testdataPath(parts ...string) string {
	return filepath.Join(append([]string{"..", "..", "testdata"}, parts...)...)
}

func names(certs []*x509.Certificate) []string {
	var out []string
	for _, c := range certs {
		out = append(out, c.Subject.CommonName)
	}
	slices.Sort(out)
	return out
}

// TestKeychainStore feeds the macOS store canned security output: the
// system roots stay unless distrusted, certificates of the System and
// login keychains count only as the trust settings say, and the other CA
// certificates there become intermediates.
func TestKeychainStore(t *testing.T) {
	dir := t.TempDir()
	systemKeychainPEM := filepath.Join(dir, "system.pem")
	var pemData []byte
	for _, f := range []string{testdataPath("pki", "root.pem"), testdataPath("private", "root.pem")} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		pemData = append(pemData, b...)
	}
	if err := os.WriteFile(systemKeychainPEM, pemData, 0o600); err != nil {
		t.Fatal(err)
	}
	keychains := map[string]string{
		systemRootsKeychain: testdataPath("cross", "roots.pem"),      // Modern Root X1, Legacy Root X3
		systemKeychain:      systemKeychainPEM,                       // Test Root R1, Example Corp Private Root
		"":                  testdataPath("pki", "intermediate.pem"), // the login keychain
	}
	settings := map[string]string{
		"admin": filepath.Join("testdata", "admin-trust-settings.plist"),
		"user":  filepath.Join("testdata", "user-trust-settings.plist"),
	}
	tests := []struct {
		name      string
		settings  map[string]string
		binary    bool
		wantRoots []string
		wantInts  []string
	}{
		{
			name:     "admin and user trust settings",
			settings: settings,
			// Legacy Root X3 is denied by the user; Test Root R1 trusted by
			// the admin for SSL; Example Corp Private Root only for one
			// host name, so not a root (and, self-issued, no intermediate).
			wantRoots: []string{"Chainfix Modern Root X1", "Chainfix Test Root R1"},
			wantInts:  []string{"Chainfix Test Intermediate I1"},
		},
		{
			name:      "binary plists converted by plutil",
			settings:  settings,
			binary:    true,
			wantRoots: []string{"Chainfix Modern Root X1", "Chainfix Test Root R1"},
			wantInts:  []string{"Chainfix Test Intermediate I1"},
		},
		{
			name:      "no trust settings in either domain: the system roots only",
			wantRoots: []string{"Chainfix Legacy Root X3", "Chainfix Modern Root X1"},
			wantInts:  []string{"Chainfix Test Intermediate I1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeSecurity{keychains: keychains, settings: tt.settings, binary: tt.binary}
			s, err := keychainStore(Options{Command: f.run(t)})
			if err != nil {
				t.Fatal(err)
			}
			if got := names(s.Anchors.All()); !slices.Equal(got, tt.wantRoots) {
				t.Errorf("roots %q, want %q", got, tt.wantRoots)
			}
			if got := names(s.Intermediates); !slices.Equal(got, tt.wantInts) {
				t.Errorf("intermediates %q, want %q", got, tt.wantInts)
			}
			if s.Name != macStoreName || (len(s.Intermediates) > 0 && s.IntermediatesFrom != macIntermediates) {
				t.Errorf("named %q / %q", s.Name, s.IntermediatesFrom)
			}
		})
	}
}

// TestKeychainStoreUnreadable: without the system roots keychain the store
// fails (System then falls back to /etc/ssl/cert.pem on macOS).
func TestKeychainStoreUnreadable(t *testing.T) {
	f := &fakeSecurity{}
	if _, err := keychainStore(Options{Command: f.run(t)}); err == nil || !strings.Contains(err.Error(), systemRootsKeychain) {
		t.Fatalf("error %v, want one naming %s", err, systemRootsKeychain)
	}
}

// TestEvaluateTrustSettings pins how one certificate's usage constraints
// are read for TLS (Chromium's rules on macOS).
func TestEvaluateTrustSettings(t *testing.T) {
	ssl := oidAppleSSL
	basic := []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x63, 0x64, 0x01, 0x02}
	d := func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name       string
		settings   []any
		selfIssued bool
		want       trustVerdict
	}{
		{"no constraints: a root is trusted", nil, true, verdictTrusted},
		{"no constraints: TrustRoot does not apply to a non-root", nil, false, verdictUnspecified},
		{"TrustAsRoot for an intermediate", []any{d("kSecTrustSettingsResult", int64(2))}, false, verdictTrusted},
		{"TrustAsRoot for a root", []any{d("kSecTrustSettingsResult", int64(2))}, true, verdictTrusted},
		{"deny", []any{d("kSecTrustSettingsResult", int64(3))}, true, verdictDenied},
		{"unspecified", []any{d("kSecTrustSettingsResult", int64(4))}, true, verdictUnspecified},
		{"SSL policy without a result: TrustRoot", []any{d("kSecTrustSettingsPolicy", ssl)}, true, verdictTrusted},
		{"SSL policy as a string", []any{d("kSecTrustSettingsPolicy", "1.2.840.113635.100.1.3")}, true, verdictTrusted},
		{"another policy only", []any{d("kSecTrustSettingsPolicy", basic)}, true, verdictUnspecified},
		{"denied for another policy only", []any{d("kSecTrustSettingsPolicy", basic, "kSecTrustSettingsResult", int64(3))}, true, verdictUnspecified},
		{"restricted to a host name", []any{d("kSecTrustSettingsPolicy", ssl, "kSecTrustSettingsPolicyString", "intranet.example.com")}, true, verdictUnspecified},
		{"restricted to an application", []any{d("kSecTrustSettingsApplication", []byte{1})}, true, verdictUnspecified},
		{"the first applicable constraint decides", []any{
			d("kSecTrustSettingsPolicy", basic, "kSecTrustSettingsResult", int64(3)),
			d("kSecTrustSettingsPolicy", ssl, "kSecTrustSettingsResult", int64(4)),
			d("kSecTrustSettingsPolicy", ssl, "kSecTrustSettingsResult", int64(3)),
			d("kSecTrustSettingsResult", int64(1)),
		}, true, verdictDenied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := evaluateTrustSettings(tt.settings, tt.selfIssued); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}

// TestParsePlistRefuses: what is not an XML property list of trust
// settings is an error, not a panic or an empty store.
func TestParsePlistRefuses(t *testing.T) {
	for name, data := range map[string]string{
		"empty":              "",
		"not XML":            "bplist00",
		"key without value":  `<plist><dict><key>trustList</key></dict></plist>`,
		"value without key":  `<plist><dict><string>x</string></dict></plist>`,
		"bad base64":         `<plist><dict><key>trustList</key><dict><key>AB</key><dict><key>issuerName</key><data>!!!</data></dict></dict></dict></plist>`,
		"no trustList":       `<plist><dict><key>trustVersion</key><integer>1</integer></dict></plist>`,
		"too deep":           "<plist>" + strings.Repeat("<array>", 40) + strings.Repeat("</array>", 40) + "</plist>",
		"unknown element":    `<plist><dict><key>trustList</key><set/></dict></plist>`,
		"bad integer":        `<plist><dict><key>trustList</key><dict/><key>v</key><integer>x</integer></dict></plist>`,
		"truncated document": `<plist><dict><key>trustList</key><dict>`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := parseTrustSettings([]byte(data)); !errors.Is(err, errPlist) {
				t.Errorf("error %v, want errPlist", err)
			}
		})
	}
}
