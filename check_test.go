package main

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"chainfix/internal/fixtures"
	"chainfix/internal/report"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/golden/check-*.txt and inspect-*.txt")

// checkEnv writes the fixtures into a temporary directory and returns a
// path helper and an environment trusting the test root.
func checkEnv(t *testing.T) (func(string) string, mapEnv) {
	t.Helper()
	dir := t.TempDir()
	if err := fixtures.Write(dir); err != nil {
		t.Fatal(err)
	}
	f := func(name string) string { return filepath.Join(dir, filepath.FromSlash(name)) }
	return f, mapEnv{"SSL_CERT_FILE": f("pki/root.pem"), "XDG_CACHE_HOME": f("cache")}
}

// TestCheckExitStatus: issue 8's split: 0 nothing wrong (warnings allowed
// unless --strict), 1 an error finding, 2 usage, 3 could not check at all;
// the same 3 for match when the key cannot be read.
func TestCheckExitStatus(t *testing.T) {
	f, env := checkEnv(t)
	os.WriteFile(f("garbage.pem"), []byte("hello\n"), 0o644)
	os.WriteFile(f("empty.txt"), []byte("\n"), 0o600)
	p := fixtures.Build()
	trustStore, err := pkcs12.Modern2023.EncodeTrustStore([]*x509.Certificate{p.Leaf.Cert, p.Intermediate.Cert}, "")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(f("nokey.pfx"), trustStore, 0o644)
	tests := []struct {
		name    string
		args    []string
		want    int
		stdout  string // must appear on stdout
		noStdio string // must not appear on stdout
	}{
		{"complete chain", []string{"check", "--offline", "--at", "2026-06-01", f("golden/fullchain.pem")}, exitOK, "verdict: OK", ""},
		{"unreadable file", []string{"check", "--offline", f("nosuch.pem")}, exitUndecided, "", ""},
		{"no certificate in the input", []string{"check", "--offline", f("garbage.pem")}, exitUndecided, "", ""},
		{"no certificate, JSON still printed", []string{"check", "--offline", "--json", f("garbage.pem")}, exitUndecided, `"id": "check-failed"`, ""},
		{"an error finding", []string{"check", "--offline", f("pki/leaf.pem")}, exitFailure, "chain-incomplete", ""},
		{"a warning passes", []string{"check", "--offline", "--at", "2045-12-20", f("golden/fullchain.pem")}, exitOK, "cert-expiring-soon: the leaf CN=www.example.test expires 2046-01-01, in 12 days", ""},
		{"a warning fails with --strict", []string{"check", "--offline", "--strict", "--at", "2045-12-20", f("golden/fullchain.pem")}, exitFailure, "strict: warnings fail", ""},
		{"--warn-days widens the window", []string{"check", "--offline", "--warn-days", "7300", "--at", "2026-06-01", f("golden/fullchain.pem")}, exitOK, "cert-expiring-soon", ""},
		{"--warn-days 0 never warns", []string{"check", "--offline", "--warn-days", "0", "--at", "2045-12-20", f("golden/fullchain.pem")}, exitOK, "", "cert-expiring-soon"},
		{"--warn-days negative", []string{"check", "--offline", "--warn-days", "-1", f("golden/fullchain.pem")}, exitUsage, "", ""},
		{"usage error, JSON still printed", []string{"check", "--offline", "--json", "--warn-days", "-1", f("golden/fullchain.pem")}, exitUsage, `"id": "check-failed"`, ""},
		{"--name covered", []string{"check", "--offline", "--name", "example.test", "--name", "WWW.example.test", f("golden/fullchain.pem")}, exitOK, "names: example.test, WWW.example.test", ""},
		{"--name not covered", []string{"check", "--offline", "--name", "www.example.test", "--name", "192.0.2.7", f("golden/fullchain.pem")}, exitFailure, "name-mismatch: the leaf CN=www.example.test is not valid for 192.0.2.7", ""},
		{"--name that is no name", []string{"check", "--offline", "--name", "http://x/", f("golden/fullchain.pem")}, exitUsage, "", ""},
		{"--key of another certificate", []string{"check", "--offline", "--key", f("pki/other.key"), f("golden/fullchain.pem")}, exitFailure, "key-mismatch", ""},
		{"--key that matches", []string{"check", "--offline", "--key", f("pki/leaf.key"), f("golden/fullchain.pem")}, exitOK, "", ""},
		{"--key file missing", []string{"check", "--offline", "--key", f("nosuch.key"), f("golden/fullchain.pem")}, exitUndecided, "", ""},
		{"--key unreadable", []string{"check", "--offline", "--key", f("garbage.pem"), f("golden/fullchain.pem")}, exitUndecided, "", ""},
		{"a PFX without its key", []string{"check", "--offline", f("nokey.pfx")}, exitFailure, "pfx-no-key", ""},
		{"match: no match", []string{"match", "--key", f("pki/other.key"), f("pki/leaf.pem")}, exitFailure, "", ""},
		{"match: unreadable key", []string{"match", "--key", f("garbage.pem"), f("pki/leaf.pem")}, exitUndecided, "", ""},
		{"match: key file missing", []string{"match", "--key", f("nosuch.key"), f("pki/leaf.pem")}, exitUndecided, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, env, "", tt.args...)
			if code != tt.want {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tt.want, stdout, stderr)
			}
			if !strings.Contains(stdout, tt.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.stdout, stdout)
			}
			if tt.noStdio != "" && strings.Contains(stdout, tt.noStdio) {
				t.Errorf("stdout has %q:\n%s", tt.noStdio, stdout)
			}
			if strings.Contains(stdout, "\x1b[") {
				t.Errorf("colour codes on a pipe:\n%q", stdout)
			}
		})
	}
}

// TestCheckJSONRoundTrip: the JSON document reads back into report.Check,
// the documented struct, and writes out the same bytes.
func TestCheckJSONRoundTrip(t *testing.T) {
	f, env := checkEnv(t)
	code, stdout, stderr := runCLI(t, env, "", "check", "--offline", "--json", "--at", "2026-06-01", "--name", "www.example.test", f("jumbled.pem"))
	if code != exitFailure {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var rep report.Check
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rep); err != nil {
		t.Fatalf("decode: %v\n%s", err, stdout)
	}
	if len(rep.Findings) == 0 || rep.OK || len(rep.Served) != 4 || !reflect.DeepEqual(rep.Names, []string{"www.example.test"}) {
		t.Fatalf("decoded %+v", rep)
	}
	for _, fd := range rep.Findings {
		if fd.ID == "" || fd.Severity == "" || fd.Message == "" || (fd.Severity != "info" && fd.Fix == "") {
			t.Errorf("incomplete finding %+v", fd)
		}
		if fd.Subject != "" && len(fd.SHA256) != 64 {
			t.Errorf("finding %s names %s without its SHA-256", fd.ID, fd.Subject)
		}
	}
	var again bytes.Buffer
	if err := report.JSON(&again, &rep); err != nil {
		t.Fatal(err)
	}
	if again.String() != stdout {
		t.Errorf("round trip differs:\n%s\nwant\n%s", again.String(), stdout)
	}
}

// TestCheckGolden pins the text report byte for byte (run with
// -update-golden to rewrite the files after an intended change).
func TestCheckGolden(t *testing.T) {
	f, env := checkEnv(t)
	tests := []struct {
		golden string
		args   []string
	}{
		{"check-jumbled.txt", []string{"check", "--offline", "--at", "2026-06-01", "jumbled.pem"}},
		{"check-expiring.txt", []string{"check", "--offline", "--at", "2045-12-20", "--name", "example.test", "--name", "api.example.test", "golden/fullchain.pem"}},
		{"check-sgc.txt", []string{"check", "--offline", "--at", "2026-06-01", "--pool", "pki/intermediate.pem", "pki/sgc-only-eku-leaf.pem"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			args := append([]string(nil), tt.args...)
			last := len(args) - 1
			args[last] = f(args[last])
			for i, a := range args {
				if i > 0 && args[i-1] == "--pool" {
					args[i] = f(a)
				}
			}
			_, stdout, _ := runCLI(t, env, "", args...)
			stdout = strings.ReplaceAll(stdout, f("")+string(filepath.Separator), "")
			if runtime.GOOS == "windows" {
				// The reports name inputs with the platform's separator.
				stdout = strings.ReplaceAll(stdout, `\`, "/")
			}
			path := filepath.Join("testdata", "golden", tt.golden)
			if *updateGolden {
				if err := os.WriteFile(path, []byte(stdout), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestCheckGolden -update-golden)", err)
			}
			if stdout != string(want) {
				t.Errorf("report differs from %s:\n%s", path, stdout)
			}
		})
	}
}
