package fetch

import (
	"bytes"
	"crypto/x509"
	stdpem "encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"chainfix/internal/testpki"

	"github.com/sirupsen/logrus"
)

func TestCacheSecondClientMakesNoRequest(t *testing.T) {
	p := newPKI()
	srv := newAIAServer(t)
	srv.handle("/int.p7c", serve("application/pkcs7-mime", pkcs7Of(t, p.root, p.inter)))
	dir := filepath.Join(t.TempDir(), "created", "on-demand")
	leaf := p.leaf("leaf.example", srv.url("/int.p7c"))

	first := New(Options{CacheDir: dir})
	got, err := first.Issuers(testCtx(t), leaf.Cert)
	if err != nil || subjects(got) != "CN=Test Int, CN=Test Root" {
		t.Fatalf("first client: %q, %v", subjects(got), err)
	}
	entry := cachePath(dir, srv.url("/int.p7c"))
	checkMode(t, entry, 0o644)
	checkMode(t, dir, 0o755|os.ModeDir)

	// Another leaf by the same intermediate, another Client (another run).
	log, hook := newTestLogger()
	second := New(Options{CacheDir: dir, Logger: log})
	other := p.leaf("other.example", srv.url("/int.p7c"))
	got, err = second.Issuers(testCtx(t), other.Cert)
	if err != nil || subjects(got) != "CN=Test Int, CN=Test Root" {
		t.Fatalf("second client: %q, %v", subjects(got), err)
	}
	if second.Requests() != 0 || srv.requests() != 1 {
		t.Errorf("requests: second client %d, server %d; want 0 and 1", second.Requests(), srv.requests())
	}
	// The cache answered: the second client never made a transport.
	if second.budget.base.(*lazyTransport).rt != nil || first.budget.base.(*lazyTransport).rt == nil {
		t.Error("a transport is made only by a client that sends a request")
	}
	e := findEntry(hook, "AIA issuer from cache")
	if e == nil || e.Data["source"] != "cache" || e.Data["url"] != srv.url("/int.p7c") {
		t.Errorf("no cache log entry: %v", hook.AllEntries())
	}
}

func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode()&(os.ModePerm|os.ModeDir) != want {
		t.Errorf("%s: mode %v, want %v", path, fi.Mode(), want)
	}
}

func TestCacheCorruptEntryIsRefetchedAndRepaired(t *testing.T) {
	p := newPKI()
	tests := []struct {
		name    string
		corrupt func(good []byte) []byte
	}{
		{"truncated in the middle", func(good []byte) []byte { return good[:len(good)/2] }},
		{"truncated before the last END line", func(good []byte) []byte { return good[:len(good)-10] }},
		{"garbage", func([]byte) []byte { return []byte("\x00\xffnot a cache entry at all") }},
		{"empty", func([]byte) []byte { return nil }},
		{"header only", func(good []byte) []byte { h, _, _ := cutLines(good, 2); return []byte(h[0] + "\n" + h[1] + "\n") }},
		{"entry of another URL", func(good []byte) []byte {
			return bytes.Replace(good, []byte("/int.crt"), []byte("/xyz.crt"), 1)
		}},
		{"bad base64 in the certificate", func(good []byte) []byte {
			b := bytes.Clone(good)
			b[bytes.Index(b, []byte("-----BEGIN CERTIFICATE-----\n"))+40] = '!'
			return b
		}},
		{"certificate DER cut short", func(good []byte) []byte {
			var b bytes.Buffer
			h, _, _ := cutLines(good, 2)
			b.WriteString(h[0] + "\n" + h[1] + "\n")
			stdpem.Encode(&b, &stdpem.Block{Type: "CERTIFICATE", Bytes: p.inter.DER()[:100]})
			return b.Bytes()
		}},
		{"private key block", func(good []byte) []byte {
			return append(bytes.Clone(good), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"...)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newAIAServer(t)
			srv.handle("/int.crt", serve("application/pkix-cert", p.inter.DER()))
			dir := t.TempDir()
			rawURL := srv.url("/int.crt")
			good := encodeCacheEntry(rawURL, []*x509.Certificate{p.inter.Cert})
			path := cachePath(dir, rawURL)
			if err := os.WriteFile(path, tt.corrupt(good), 0o644); err != nil {
				t.Fatal(err)
			}
			log, hook := newTestLogger()
			c := New(Options{CacheDir: dir, Logger: log})
			got, err := c.Issuers(testCtx(t), p.leaf("leaf.example", rawURL).Cert)
			if err != nil || subjects(got) != "CN=Test Int" {
				t.Fatalf("got %q, %v", subjects(got), err)
			}
			if c.Requests() != 1 {
				t.Errorf("requests = %d, want 1 (refetch)", c.Requests())
			}
			if e := findEntry(hook, "AIA cache entry ignored"); e == nil || e.Level.String() != "debug" {
				t.Errorf("no debug log about the corrupt entry: %v", hook.AllEntries())
			}
			repaired, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(repaired, good) {
				t.Errorf("entry not repaired:\n%s", repaired)
			}
		})
	}
}

func TestCacheOffline(t *testing.T) {
	p := newPKI()
	srv := newAIAServer(t)
	srv.handle("/int.crt", serve("application/pkix-cert", p.inter.DER()))
	rawURL := srv.url("/int.crt")
	leaf := p.leaf("leaf.example", rawURL)

	t.Run("warm cache", func(t *testing.T) {
		dir := t.TempDir()
		if err := writeCache(dir, rawURL, []*x509.Certificate{p.inter.Cert}); err != nil {
			t.Fatal(err)
		}
		before := srv.requests()
		c := New(Options{CacheDir: dir, Offline: true})
		got, err := c.Issuers(testCtx(t), leaf.Cert)
		if err != nil || subjects(got) != "CN=Test Int" {
			t.Fatalf("got %q, %v", subjects(got), err)
		}
		if c.Requests() != 0 || srv.requests() != before {
			t.Errorf("offline client sent %d requests", c.Requests())
		}
	})
	t.Run("cold cache", func(t *testing.T) {
		log, hook := newTestLogger()
		before := srv.requests()
		c := New(Options{CacheDir: t.TempDir(), Offline: true, Logger: log})
		got, err := c.Issuers(testCtx(t), leaf.Cert)
		if got != nil || err != nil {
			t.Fatalf("got %q, %v; want nil, nil", subjects(got), err)
		}
		if c.Requests() != 0 || srv.requests() != before {
			t.Errorf("offline client sent %d requests", c.Requests())
		}
		if e := findEntry(hook, "offline: not fetching URL"); e == nil || e.Level.String() != "debug" || e.Data["url"] != rawURL {
			t.Errorf("no debug log entry: %v", hook.AllEntries())
		}
	})
	t.Run("no cache directory", func(t *testing.T) {
		c := New(Options{Offline: true})
		if got, err := c.Issuers(testCtx(t), leaf.Cert); got != nil || err != nil || c.Requests() != 0 {
			t.Fatalf("got %q, %v, %d requests", subjects(got), err, c.Requests())
		}
	})
	t.Run("cached certificate that did not sign the child", func(t *testing.T) {
		dir := t.TempDir()
		if err := writeCache(dir, rawURL, []*x509.Certificate{p.wrong.Cert}); err != nil {
			t.Fatal(err)
		}
		before := srv.requests()
		log, hook := newTestLogger()
		c := New(Options{CacheDir: dir, Offline: true, Logger: log})
		_, err := c.Issuers(testCtx(t), leaf.Cert)
		want := rawURL + ": answer did not sign the certificate: the cached answer holds CN=Wrong Int (offline: not fetched again)"
		if !errors.Is(err, ErrNotIssuer) || !strings.Contains(err.Error(), want) {
			t.Fatalf("error = %v, want one containing %q", err, want)
		}
		if c.Requests() != 0 || srv.requests() != before {
			t.Errorf("offline client sent %d requests", c.Requests())
		}
		if e := findEntry(hook, "AIA cache entry stale, but offline"); e == nil || e.Level != logrus.DebugLevel || e.Data["url"] != rawURL {
			t.Errorf("no debug log entry about the stale entry: %v", hook.AllEntries())
		}
	})
	t.Run("cached signer expired at At is still used", func(t *testing.T) {
		s := newStalePKI(p)
		dir := t.TempDir()
		if err := writeCache(dir, rawURL, []*x509.Certificate{s.expired.Cert}); err != nil {
			t.Fatal(err)
		}
		before := srv.requests()
		c := New(Options{CacheDir: dir, Offline: true, At: testpki.Epoch})
		got, err := c.Issuers(testCtx(t), leaf.Cert)
		if err != nil || len(got) != 1 || !bytes.Equal(got[0].Raw, s.expired.DER()) {
			t.Fatalf("got %q, %v; want the expired cached intermediate", subjects(got), err)
		}
		if c.Requests() != 0 || srv.requests() != before {
			t.Errorf("offline client sent %d requests", c.Requests())
		}
	})
}

// stalePKI adds to testPKI the intermediate before its renewal: same name
// and key as p.inter (so it verifies the same leaves), expired at Epoch.
type stalePKI struct {
	expired *testpki.Cert
}

func newStalePKI(p *testPKI) *stalePKI {
	expired := testpki.Issue(testpki.Template{
		CN: "Test Int", CA: true, Key: testpki.RSAKey(2), Serial: 7001,
		NotBefore: testpki.Epoch.AddDate(-3, 0, 0),
		NotAfter:  testpki.Epoch.AddDate(0, -1, 0),
	}, p.root)
	return &stalePKI{expired: expired}
}

// TestCacheStaleEntry: a cache entry that parses but cannot serve the
// child (a certificate that did not sign it, or a signer expired at
// Options.At) is a miss: the URL is fetched again and the entry replaced.
func TestCacheStaleEntry(t *testing.T) {
	p := newPKI()
	s := newStalePKI(p)
	if !bytes.Equal(p.inter.Cert.RawSubjectPublicKeyInfo, s.expired.Cert.RawSubjectPublicKeyInfo) || bytes.Equal(p.inter.DER(), s.expired.DER()) {
		t.Fatal("the expired intermediate must be another certificate with the same key")
	}
	tests := []struct {
		name     string
		cached   *testpki.Cert
		at       time.Time
		serve    bool          // false: the server answers 404
		want     *testpki.Cert // the signer returned; nil: an error
		wantErr  error
		requests int
		entry    *testpki.Cert // what the cache entry holds afterwards
	}{
		{"entry holds a certificate that did not sign the child", p.wrong, time.Time{}, true, p.inter, nil, 1, p.inter},
		{"cached signer expired at At (the CA renewed it)", s.expired, testpki.Epoch, true, p.inter, nil, 1, p.inter},
		{"cached signer expired but At not set", s.expired, time.Time{}, true, s.expired, nil, 0, s.expired},
		{"cached signer valid at At", p.inter, testpki.Epoch, true, p.inter, nil, 0, p.inter},
		{"cached signer expires exactly at At", s.expired, s.expired.Cert.NotAfter, true, s.expired, nil, 0, s.expired},
		{"expired cached signer and the refetch fails", s.expired, testpki.Epoch, false, s.expired, nil, 1, s.expired},
		{"non-signer cached and the refetch fails", p.wrong, time.Time{}, false, nil, ErrNotCertificate, 1, p.wrong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newAIAServer(t)
			if tt.serve {
				srv.handle("/int.crt", serve("application/pkix-cert", p.inter.DER()))
			} else {
				srv.handle("/int.crt", serve("text/html", []byte("<html>gone</html>")))
			}
			rawURL := srv.url("/int.crt")
			dir := t.TempDir()
			if err := writeCache(dir, rawURL, []*x509.Certificate{tt.cached.Cert}); err != nil {
				t.Fatal(err)
			}
			c := New(Options{CacheDir: dir, At: tt.at})
			// Two leaves by the same intermediate: the stale entry is
			// fetched again once, not once per leaf.
			for _, cn := range []string{"one.example", "two.example"} {
				got, err := c.Issuers(testCtx(t), p.leaf(cn, rawURL).Cert)
				if tt.want == nil {
					if !errors.Is(err, tt.wantErr) {
						t.Fatalf("%s: got %q, %v; want %v", cn, subjects(got), err, tt.wantErr)
					}
					continue
				}
				if err != nil || len(got) != 1 || !bytes.Equal(got[0].Raw, tt.want.DER()) {
					t.Fatalf("%s: got %q, %v; want %v (serial %v)", cn, subjects(got), err, tt.want.Cert.Subject, tt.want.Cert.SerialNumber)
				}
			}
			if c.Requests() != tt.requests || srv.requests() != tt.requests {
				t.Errorf("requests: client %d, server %d, want %d", c.Requests(), srv.requests(), tt.requests)
			}
			entry, err := os.ReadFile(cachePath(dir, rawURL))
			if want := encodeCacheEntry(rawURL, []*x509.Certificate{tt.entry.Cert}); err != nil || !bytes.Equal(entry, want) {
				t.Errorf("cache entry holds:\n%s\nwant %v (serial %v)", entry, tt.entry.Cert.Subject, tt.entry.Cert.SerialNumber)
			}
			// The next run reads the repaired entry and sends nothing.
			if tt.serve && tt.requests > 0 {
				next := New(Options{CacheDir: dir, At: tt.at})
				if _, err := next.Issuers(testCtx(t), p.leaf("three.example", rawURL).Cert); err != nil || next.Requests() != 0 {
					t.Errorf("next run: %v, %d requests", err, next.Requests())
				}
			}
		})
	}
}

// TestCacheKeepsFailuresOut: a failed fetch writes no entry.
func TestCacheKeepsFailuresOut(t *testing.T) {
	p := newPKI()
	srv := newAIAServer(t)
	srv.handle("/page", serve("text/html", []byte("<html>oops</html>")))
	dir := t.TempDir()
	c := New(Options{CacheDir: dir})
	if _, err := c.Issuers(testCtx(t), p.leaf("leaf.example", srv.url("/page"), srv.url("/404")).Cert); err == nil {
		t.Fatal("no error")
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 0 {
		t.Errorf("cache holds %v (%v)", entries, err)
	}
}

// TestCacheEntryLimits: an entry is written only if it can be read back,
// so an answer with more certificates than an entry may hold is fetched
// again each run rather than written and never read.
func TestCacheEntryLimits(t *testing.T) {
	p := newPKI()
	const rawURL = "http://ca.example/many.p7c"
	many := make([]*x509.Certificate, maxCacheCerts+1)
	for i := range many {
		many[i] = p.inter.Cert
	}
	dir := t.TempDir()
	if err := writeCache(dir, rawURL, many[:maxCacheCerts]); err != nil {
		t.Fatalf("writing %d certificates: %v", maxCacheCerts, err)
	}
	if certs, _, err := readCache(dir, rawURL); err != nil || len(certs) != maxCacheCerts {
		t.Fatalf("reading %d certificates back: %d, %v", maxCacheCerts, len(certs), err)
	}
	err := writeCache(dir, rawURL, many)
	if err == nil || !strings.Contains(err.Error(), "more than the 100 an entry may hold") {
		t.Fatalf("writing %d certificates: %v", len(many), err)
	}
	if certs, _, err := readCache(dir, rawURL); err != nil || len(certs) != maxCacheCerts {
		t.Errorf("the refused write touched the entry: %d, %v", len(certs), err)
	}
	if err := writeCache(dir, "http://ca.example/none", nil); err == nil {
		t.Error("an entry without certificates was written")
	}
}

// testNow is a fixed time for pruning tests.
var testNow = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

func TestPruneCache(t *testing.T) {
	dir := t.TempDir()
	entry := func(n int) string { return fmt.Sprintf("%064x", n) + cacheSuffix }
	files := []struct {
		name string
		size int
		age  time.Duration
		kept bool
	}{
		{entry(1), 100, 31 * 24 * time.Hour, false}, // older than maxCacheAge
		{entry(2), 100, 29 * 24 * time.Hour, false}, // the oldest beyond the size cap
		{entry(3), 100, 28 * 24 * time.Hour, true},
		{entry(4), 100, time.Hour, true},
		{entry(5), 100, 40 * 24 * time.Hour, true}, // keep: the entry just written
		{cacheTempPrefix + "123" + cacheSuffix, 100, 2 * time.Hour, false},
		{cacheTempPrefix + "456" + cacheSuffix, 100, time.Minute, true}, // being written
		{"README", 5000, 365 * 24 * time.Hour, true},                    // not ours
		{"ABCDEF" + entry(6)[6:], 100, 365 * 24 * time.Hour, true},      // upper case: not an entry name
	}
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		if err := os.WriteFile(path, bytes.Repeat([]byte("x"), f.size), 0o644); err != nil {
			t.Fatal(err)
		}
		mod := testNow.Add(-f.age)
		if err := os.Chtimes(path, mod, mod); err != nil {
			t.Fatal(err)
		}
	}
	total, removed, err := pruneCache(dir, entry(5), testNow, 300)
	if err != nil || total != 300 || removed != 3 {
		t.Errorf("pruneCache = %d bytes, %d removed, %v; want 300, 3", total, removed, err)
	}
	for _, f := range files {
		_, err := os.Stat(filepath.Join(dir, f.name))
		if kept := err == nil; kept != f.kept {
			t.Errorf("%s: kept = %v, want %v", f.name, kept, f.kept)
		}
	}
}

// TestCachePrunedOnWrite: a Client's first write prunes entries older than
// maxCacheAge, measured against the entry it just wrote.
func TestCachePrunedOnWrite(t *testing.T) {
	p := newPKI()
	srv := newAIAServer(t)
	srv.handle("/int.crt", serve("application/pkix-cert", p.inter.DER()))
	dir := t.TempDir()
	old := "http://ca.example/old.crt"
	if err := writeCache(dir, old, []*x509.Certificate{p.root.Cert}); err != nil {
		t.Fatal(err)
	}
	long := time.Now().Add(-maxCacheAge - 24*time.Hour) // tests may read the clock
	if err := os.Chtimes(cachePath(dir, old), long, long); err != nil {
		t.Fatal(err)
	}
	c := New(Options{CacheDir: dir})
	if _, err := c.Issuers(testCtx(t), p.leaf("leaf.example", srv.url("/int.crt")).Cert); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(cachePath(dir, old)); err == nil {
		t.Error("the old entry was not pruned")
	}
	if _, err := os.Stat(cachePath(dir, srv.url("/int.crt"))); err != nil {
		t.Errorf("the new entry: %v", err)
	}
}

// TestCacheOfflineMissingDir: offline, a cache directory that does not
// exist is not created and not warned about.
func TestCacheOfflineMissingDir(t *testing.T) {
	p := newPKI()
	dir := filepath.Join(t.TempDir(), "absent")
	log, hook := newTestLogger()
	c := New(Options{CacheDir: dir, Offline: true, Logger: log})
	if got, err := c.Issuers(testCtx(t), p.leaf("leaf.example", "http://ca.example/int.crt").Cert); got != nil || err != nil {
		t.Fatalf("got %q, %v", subjects(got), err)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("offline run created the cache directory")
	}
	for _, e := range hook.AllEntries() {
		if e.Level <= logrus.WarnLevel {
			t.Errorf("log entry %q at %v", e.Message, e.Level)
		}
	}
}

func FuzzParseCacheEntry(f *testing.F) {
	p := newPKI()
	const rawURL = fuzzCacheURL
	good := encodeCacheEntry(rawURL, []*x509.Certificate{p.inter.Cert, p.root.Cert})
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte(cacheMagic + "\n" + cacheURLTag + rawURL + "\n"))
	f.Add([]byte(cacheMagic + "\n" + cacheURLTag + rawURL + "\n-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		certs, err := parseCacheEntry(data, rawURL)
		if err != nil {
			return
		}
		if len(certs) == 0 {
			t.Fatal("success without certificates")
		}
		// Re-encoding is canonical and a fixed point.
		enc := encodeCacheEntry(rawURL, certs)
		again, err := parseCacheEntry(enc, rawURL)
		if err != nil || len(again) != len(certs) {
			t.Fatalf("re-encoded entry: %d certs, %v", len(again), err)
		}
		if !bytes.Equal(encodeCacheEntry(rawURL, again), enc) {
			t.Fatal("encoding is not a fixed point")
		}
	})
}
