package main

import (
	"crypto/elliptic"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"chainfix/internal/testpki"
)

// TestAIAPublicOnly: with --aia-public-only a certificate whose AIA URL
// points at loopback is not fetched (no request reaches the server) and
// the refusal is reported; by default loopback is allowed.
func TestAIAPublicOnly(t *testing.T) {
	var requests atomic.Int64
	root := testpki.Issue(testpki.Template{CN: "Guard Root", CA: true, Key: testpki.ECDSAKey(elliptic.P256(), "guard root"), Serial: 300}, nil)
	inter := testpki.Issue(testpki.Template{CN: "Guard Int", CA: true, Key: testpki.ECDSAKey(elliptic.P256(), "guard int"), Serial: 301}, root)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Write(inter.DER())
	}))
	defer srv.Close()
	leaf := testpki.Issue(testpki.Template{CN: "guard.example.test", DNS: []string{"guard.example.test"}, Serial: 302, IssuerURL: []string{srv.URL + "/int.cer"}}, inter)
	dir := t.TempDir()
	rootFile, leafFile := filepath.Join(dir, "root.pem"), filepath.Join(dir, "leaf.pem")
	os.WriteFile(rootFile, root.PEM(), 0o644)
	os.WriteFile(leafFile, leaf.PEM(), 0o644)

	code, _, stderr := runCLI(t, nil, "", "build", "--no-cache", "--aia-public-only", "--roots", rootFile, leafFile)
	if code != exitFailure || !strings.Contains(stderr, "refused") {
		t.Errorf("--aia-public-only: exit %d, stderr %s", code, stderr)
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("--aia-public-only sent %d requests to loopback", n)
	}
	if code, _, stderr := runCLI(t, nil, "", "build", "--no-cache", "--roots", rootFile, leafFile); code != 0 {
		t.Errorf("default policy refused loopback: exit %d: %s", code, stderr)
	}
}

// TestOutputToDevicesAndPipes: -o onto a character device or a FIFO
// writes into it; the device stays a device (as root, replacing
// /dev/null with a file would break the machine).
func TestOutputToDevicesAndPipes(t *testing.T) {
	_, f := fixtureDir(t)
	env := mapEnv{"SSL_CERT_FILE": f("pki/root.pem")}
	if _, err := os.Stat("/dev/null"); err == nil {
		code, _, stderr := runCLI(t, env, "", "build", "--offline", f("jumbled.pem"), "-o", "/dev/null")
		if code != 0 {
			t.Fatalf("-o /dev/null: exit %d: %s", code, stderr)
		}
		if fi, err := os.Stat("/dev/null"); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
			t.Fatalf("/dev/null is no longer a character device: %v %v", fi.Mode(), err)
		}
	}
	fifo := f("out.fifo")
	if err := mkfifo(fifo); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	got := make(chan string, 1)
	go func() {
		data, _ := os.ReadFile(fifo)
		got <- string(data)
	}()
	code, _, stderr := runCLI(t, env, "", "build", "--offline", f("jumbled.pem"), "-o", fifo)
	if code != 0 {
		t.Fatalf("-o FIFO: exit %d: %s", code, stderr)
	}
	if data := <-got; strings.Count(data, "BEGIN CERTIFICATE") != 2 {
		t.Errorf("the FIFO's reader got %q", data)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v", err)
	}
}

// TestWarningFlood: a pool with thousands of unreadable blocks prints a
// handful of warnings and one line counting the rest, not one per block.
func TestWarningFlood(t *testing.T) {
	_, f := fixtureDir(t)
	var b strings.Builder
	for range 5000 {
		b.WriteString("-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n")
	}
	pool := f("bad-pool.pem")
	pemRoot, _ := os.ReadFile(f("pki/intermediate.pem"))
	os.WriteFile(pool, append([]byte(b.String()), pemRoot...), 0o644)
	code, _, stderr := runCLI(t, mapEnv{"SSL_CERT_FILE": f("pki/root.pem")}, "", "build", "--offline", "--pool", pool, f("pki/leaf.pem"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if n := strings.Count(stderr, "\n"); n > 30 {
		t.Errorf("%d lines on stderr for 5,000 bad blocks", n)
	}
	if !strings.Contains(stderr, "more unreadable blocks like these") {
		t.Errorf("no summary of the skipped blocks: %s", stderr)
	}
}
