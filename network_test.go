package main

import (
	"crypto/tls"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"chainfix/internal/testpki"
)

// aiaPKI is a root -> intermediate -> leaf PKI whose AIA URLs point at a
// loopback test server that counts the requests it answers.
type aiaPKI struct {
	root, inter, leaf *testpki.Cert
	server            *httptest.Server
	requests          atomic.Int64
	dir               string
}

func newAIAPKI(t *testing.T) *aiaPKI {
	t.Helper()
	p := &aiaPKI{dir: t.TempDir()}
	mux := http.NewServeMux()
	p.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.requests.Add(1)
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(p.server.Close)
	p.root = testpki.Issue(testpki.Template{CN: "AIA Test Root", CA: true, Key: testpki.RSAKey(8), Serial: 100}, nil)
	p.inter = testpki.Issue(testpki.Template{CN: "AIA Test Intermediate", CA: true, Key: testpki.RSAKey(9), Serial: 101,
		IssuerURL: []string{p.server.URL + "/root.cer"}}, p.root)
	p.leaf = testpki.Issue(testpki.Template{CN: "aia.example.test", DNS: []string{"aia.example.test"}, Serial: 102,
		IssuerURL: []string{"ldap://directory.example.test/cn=int", p.server.URL + "/int.cer"}}, p.inter)
	mux.HandleFunc("/int.cer", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pkix-cert")
		w.Write(p.inter.DER())
	})
	mux.HandleFunc("/root.cer", func(w http.ResponseWriter, r *http.Request) {
		w.Write(p.root.PEM()) // PEM with the wrong content type, as some CAs serve it
	})
	p.write(t, "root.pem", p.root.PEM())
	p.write(t, "int.pem", p.inter.PEM())
	p.write(t, "leaf.pem", p.leaf.PEM())
	return p
}

func (p *aiaPKI) write(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(p.dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func (p *aiaPKI) path(name string) string { return filepath.Join(p.dir, name) }

// TestBuildFetchesMissingIntermediate: from the leaf alone, chainfix
// fetches the intermediate through AIA (past an ldap:// URL it must skip)
// and writes the same bytes as an offline build given the intermediate; a
// second run answers from the cache without a single request.
func TestBuildFetchesMissingIntermediate(t *testing.T) {
	p := newAIAPKI(t)
	cache := filepath.Join(p.dir, "cache")
	code, offline, stderr := runCLI(t, nil, "", "build", "--offline", "--roots", p.path("root.pem"), "--pool", p.path("int.pem"), p.path("leaf.pem"))
	if code != 0 {
		t.Fatalf("offline build: exit %d: %s", code, stderr)
	}
	code, fetched, stderr := runCLI(t, nil, "", "build", "--cache-dir", cache, "--roots", p.path("root.pem"), p.path("leaf.pem"))
	if code != 0 {
		t.Fatalf("build with AIA: exit %d: %s", code, stderr)
	}
	if fetched != offline {
		t.Errorf("the fetched chain differs from the offline one:\n%s\nvs\n%s", fetched, offline)
	}
	if !strings.Contains(stderr, "added CN=AIA Test Intermediate (from fetched)") {
		t.Errorf("stderr does not report the fetched intermediate: %s", stderr)
	}
	first := p.requests.Load()
	if first != 1 {
		t.Errorf("cold run made %d requests, want 1 (the intermediate; the root is in --roots)", first)
	}
	code, again, stderr := runCLI(t, nil, "", "build", "--cache-dir", cache, "--roots", p.path("root.pem"), p.path("leaf.pem"))
	if code != 0 || again != offline {
		t.Fatalf("warm run: exit %d, same output %v: %s", code, again == offline, stderr)
	}
	if n := p.requests.Load() - first; n != 0 {
		t.Errorf("warm run made %d requests, want 0", n)
	}
	// --offline with a warm cache works too; with a cold one it fails.
	if code, _, stderr := runCLI(t, nil, "", "build", "--offline", "--cache-dir", cache, "--roots", p.path("root.pem"), p.path("leaf.pem")); code != 0 {
		t.Errorf("offline with a warm cache: exit %d: %s", code, stderr)
	}
	if code, _, _ := runCLI(t, nil, "", "build", "--offline", "--cache-dir", filepath.Join(p.dir, "cold"), "--roots", p.path("root.pem"), p.path("leaf.pem")); code != exitFailure {
		t.Errorf("offline with a cold cache: exit %d, want 1", code)
	}
	if n := p.requests.Load() - first; n != 0 {
		t.Errorf("offline runs made %d requests", n)
	}
}

// tlsServer serves chain (DER, in the given order, leaf first with key) on
// loopback and returns its address.
func tlsServer(t *testing.T, key *testpki.Cert, chain ...[]byte) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // chainfix hangs up after the handshake, by design
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: chain, PrivateKey: key.Key}}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

// TestBuildHostRepairs: a server that sends an incomplete, a misordered or
// a root-including chain; build --host writes the correct chain each time
// and says what was wrong.
func TestBuildHostRepairs(t *testing.T) {
	p := newAIAPKI(t)
	_, want, _ := runCLI(t, nil, "", "build", "--offline", "--roots", p.path("root.pem"), "--pool", p.path("int.pem"), p.path("leaf.pem"))
	tests := []struct {
		name    string
		chain   [][]byte
		finding string
	}{
		{"incomplete", [][]byte{p.leaf.DER()}, "is not sent"},
		{"misordered with root", [][]byte{p.leaf.DER(), p.root.DER(), p.inter.DER()}, "order"},
		{"root included", [][]byte{p.leaf.DER(), p.inter.DER(), p.root.DER()}, "root"},
		{"correct", [][]byte{p.leaf.DER(), p.inter.DER()}, "correct"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := tlsServer(t, p.leaf, tt.chain...)
			code, got, stderr := runCLI(t, nil, "", "build", "--no-cache", "--roots", p.path("root.pem"),
				"--host", addr, "--servername", "aia.example.test", "--connect-timeout", "5s")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if got != want {
				t.Errorf("repaired chain differs:\n%s\nwant\n%s", got, want)
			}
			if !strings.Contains(strings.ToLower(stderr), tt.finding) {
				t.Errorf("stderr does not mention %q:\n%s", tt.finding, stderr)
			}
		})
	}
}

// TestCheckHost: check reports an endpoint's problems on stdout, as text
// and as JSON, with exit 1 when something is wrong.
func TestCheckHost(t *testing.T) {
	p := newAIAPKI(t)
	addr := tlsServer(t, p.leaf, p.leaf.DER())
	code, out, stderr := runCLI(t, nil, "", "check", "--no-cache", "--roots", p.path("root.pem"), "--host", addr, "--servername", "aia.example.test")
	if code != exitFailure {
		t.Fatalf("check of an incomplete chain: exit %d, want 1\n%s\n%s", code, out, stderr)
	}
	if !strings.Contains(out, "chain-incomplete") || !strings.Contains(out, "fix:") {
		t.Errorf("report lacks the finding and its fix:\n%s", out)
	}
	code, out, _ = runCLI(t, nil, "", "check", "--json", "--no-cache", "--roots", p.path("root.pem"), "--host", addr, "--servername", "wrong.example.test")
	if code != exitFailure || !strings.Contains(out, `"ok": false`) || !strings.Contains(out, `"id":`) {
		t.Errorf("JSON report: exit %d\n%s", code, out)
	}
	good := tlsServer(t, p.leaf, p.leaf.DER(), p.inter.DER())
	code, out, stderr = runCLI(t, nil, "", "check", "--no-cache", "--roots", p.path("root.pem"), "--host", good, "--servername", "aia.example.test")
	if code != 0 {
		t.Errorf("check of a correct endpoint: exit %d\n%s\n%s", code, out, stderr)
	}
}

// TestAIATimeout: an AIA server that never answers costs at most the
// --timeout, and the error says so.
func TestAIATimeout(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(block); srv.Close() })
	root := testpki.Issue(testpki.Template{CN: "Slow Root", CA: true, Key: testpki.RSAKey(10), Serial: 200}, nil)
	inter := testpki.Issue(testpki.Template{CN: "Slow Intermediate", CA: true, Key: testpki.RSAKey(11), Serial: 201}, root)
	leaf := testpki.Issue(testpki.Template{CN: "slow.example.test", Serial: 202, IssuerURL: []string{srv.URL + "/int.cer"}}, inter)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "root.pem"), root.PEM(), 0o644)
	os.WriteFile(filepath.Join(dir, "leaf.pem"), leaf.PEM(), 0o644)
	start := time.Now()
	code, _, stderr := runCLI(t, nil, "", "build", "--no-cache", "--timeout", "300ms", "--roots", filepath.Join(dir, "root.pem"), filepath.Join(dir, "leaf.pem"))
	if code != exitFailure {
		t.Fatalf("exit %d, want 1: %s", code, stderr)
	}
	if !strings.Contains(stderr, "no issuer found for CN=slow.example.test") || !strings.Contains(stderr, "timed out") {
		t.Errorf("stderr does not explain: %s", stderr)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("took %v despite --timeout 300ms", d)
	}
}

// TestBuildThroughProxy: HTTP_PROXY from the run's environment carries the
// AIA request for a leaf whose URL names a real CA host; the loopback proxy
// answers it, so nothing leaves the machine.
func TestBuildThroughProxy(t *testing.T) {
	root := testpki.Issue(testpki.Template{CN: "Proxy Test Root", CA: true, Key: testpki.RSAKey(10), Serial: 300}, nil)
	inter := testpki.Issue(testpki.Template{CN: "Proxy Test Intermediate", CA: true, Key: testpki.RSAKey(11), Serial: 301}, root)
	const aiaURL = "http://crt.sectigo.com/SectigoRSADomainValidationSecureServerCA.crt"
	leaf := testpki.Issue(testpki.Template{CN: "proxied.example.test", Serial: 302, IssuerURL: []string{aiaURL}}, inter)
	var seen atomic.Value
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Store(r.URL.String() + " " + r.Header.Get("User-Agent"))
		if r.URL.String() != aiaURL {
			http.NotFound(w, r)
			return
		}
		w.Write(inter.DER())
	}))
	t.Cleanup(proxy.Close)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "root.pem"), root.PEM(), 0o644)
	os.WriteFile(filepath.Join(dir, "leaf.pem"), leaf.PEM(), 0o644)
	env := mapEnv{"HTTP_PROXY": proxy.URL}
	code, out, stderr := runCLI(t, env, "", "build", "--no-cache", "--roots", filepath.Join(dir, "root.pem"), filepath.Join(dir, "leaf.pem"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Count(out, "BEGIN CERTIFICATE") != 2 {
		t.Errorf("want leaf and intermediate, got:\n%s", out)
	}
	got, _ := seen.Load().(string)
	if !strings.HasPrefix(got, aiaURL+" chainfix/") {
		t.Errorf("the proxy saw %q, want the absolute AIA URL and a chainfix User-Agent", got)
	}
	// NO_PROXY for that host sends the request direct, which fails here (no
	// network): the proxy must not see it.
	seen.Store("")
	env["NO_PROXY"] = "crt.sectigo.com"
	if code, _, _ := runCLI(t, env, "", "build", "--no-cache", "--timeout", "2s", "--roots", filepath.Join(dir, "root.pem"), filepath.Join(dir, "leaf.pem")); code != exitFailure {
		t.Errorf("with NO_PROXY: exit %d, want 1", code)
	}
	if got, _ := seen.Load().(string); got != "" {
		t.Errorf("NO_PROXY ignored: the proxy saw %q", got)
	}
}

// TestCheckOldTLS: an endpoint that speaks only TLS 1.0 is reported.
func TestCheckOldTLS(t *testing.T) {
	p := newAIAPKI(t)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.TLS = &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{p.leaf.DER(), p.inter.DER()}, PrivateKey: p.leaf.Key}},
		MinVersion:   tls.VersionTLS10, MaxVersion: tls.VersionTLS10,
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	code, out, stderr := runCLI(t, nil, "", "check", "--json", "--no-cache", "--roots", p.path("root.pem"),
		"--host", srv.Listener.Addr().String(), "--servername", "aia.example.test")
	if code != exitFailure || !strings.Contains(out, `"tls-legacy-version-accepted"`) || !strings.Contains(out, `"tls_version": "TLS 1.0"`) || !strings.Contains(out, `"ok": false`) {
		t.Errorf("exit %d; report lacks the old TLS version:\n%s\n%s", code, out, stderr)
	}
}

// TestHostOffline: --offline fetches no AIA, but --host still connects to
// the host: the server is the input.
func TestHostOffline(t *testing.T) {
	p := newAIAPKI(t)
	addr := tlsServer(t, p.leaf, p.leaf.DER())
	code, stdout, stderr := runCLI(t, nil, "", "check", "--offline", "--no-cache", "--roots", p.path("root.pem"), "--host", addr)
	if code != exitFailure || !strings.Contains(stdout, "chain-incomplete") {
		t.Errorf("check --offline --host of a server sending the leaf alone: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if n := p.requests.Load(); n != 0 {
		t.Errorf("--offline made %d AIA requests", n)
	}
}
