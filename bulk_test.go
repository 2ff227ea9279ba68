package main

import (
	"bufio"
	"bytes"
	"crypto"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"chainfix/internal/report"
	"chainfix/internal/testpki"
)

// fleet is a test estate: a root, "upper" intermediates under it, issuing
// intermediates (most under an upper one, the rest under the root), and
// leaves spread over the issuing ones. Every intermediate is served by a
// loopback AIA server that counts requests and can wait before answering,
// as a CA repository on the internet does; the root is trusted (--roots)
// and never fetched.
type fleet struct {
	root     *testpki.Cert
	upper    []*testpki.Cert
	issuing  []*testpki.Cert
	leaves   []*testpki.Cert
	server   *httptest.Server
	requests atomic.Int64
	// lastAnswer is when the latest AIA answer was sent (UnixNano).
	lastAnswer atomic.Int64
	dir        string
	files      []string // the leaves' files, in order
}

type fleetOptions struct {
	upper, issuing, leaves int
	// delay is added to every AIA answer.
	delay time.Duration
	// slowFirst is added to the answers for the first issuing
	// intermediate only (input order against completion order).
	slowFirst time.Duration
	// distinctURLs gives every leaf its own URL for its issuer (a query
	// string), so that nothing is shared: one request per leaf.
	distinctURLs bool
	// rsa gives the intermediates fresh RSA-2048 keys, as most public
	// intermediates have (their signatures verify several times faster
	// than P-256 ones); the default derives P-256 keys from seeds, which
	// costs no key generation.
	rsa bool
}

func newFleet(tb testing.TB, o fleetOptions) *fleet {
	tb.Helper()
	f := &fleet{dir: tb.TempDir()}
	mux := http.NewServeMux()
	f.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.requests.Add(1)
		d := o.delay
		if r.URL.Path == "/issuing-0.cer" {
			d += o.slowFirst
		}
		if d > 0 {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
				return
			}
		}
		mux.ServeHTTP(w, r)
		f.lastAnswer.Store(time.Now().UnixNano())
	}))
	tb.Cleanup(f.server.Close)
	serve := func(path string, c *testpki.Cert) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) { w.Write(c.DER()) })
	}
	f.root = testpki.Issue(testpki.Template{CN: "Fleet Root", O: "Fleet", CA: true, Key: testpki.RSAKey(8), Serial: 500}, nil)
	key := func(seed string) crypto.Signer {
		if !o.rsa {
			return testpki.ECDSAKey(elliptic.P256(), seed)
		}
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			tb.Fatal(err)
		}
		return k
	}
	for i := range o.upper {
		c := testpki.Issue(testpki.Template{CN: fmt.Sprintf("Fleet Upper %d", i), O: "Fleet", CA: true, Serial: int64(600 + i),
			Key: key(fmt.Sprintf("fleet upper %d", i)), IssuerURL: []string{f.server.URL + "/root.cer"}}, f.root)
		serve(fmt.Sprintf("/upper-%d.cer", i), c)
		f.upper = append(f.upper, c)
	}
	underUpper := o.issuing * 3 / 4
	if o.upper == 0 {
		underUpper = 0
	}
	for i := range o.issuing {
		parent, url := f.root, f.server.URL+"/root.cer"
		if i < underUpper {
			parent, url = f.upper[i%o.upper], fmt.Sprintf("%s/upper-%d.cer", f.server.URL, i%o.upper)
		}
		c := testpki.Issue(testpki.Template{CN: fmt.Sprintf("Fleet Issuing %d", i), O: "Fleet", CA: true, Serial: int64(700 + i),
			Key: key(fmt.Sprintf("fleet issuing %d", i)), IssuerURL: []string{url}}, parent)
		serve(fmt.Sprintf("/issuing-%d.cer", i), c)
		f.issuing = append(f.issuing, c)
	}
	if err := os.WriteFile(f.path("root.pem"), f.root.PEM(), 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.Mkdir(f.path("leaves"), 0o755); err != nil {
		tb.Fatal(err)
	}
	for n := range o.leaves {
		i := n % o.issuing
		url := fmt.Sprintf("%s/issuing-%d.cer", f.server.URL, i)
		if o.distinctURLs {
			url += fmt.Sprintf("?leaf=%d", n)
		}
		name := fmt.Sprintf("host%05d.example.test", n)
		leaf := testpki.Issue(testpki.Template{CN: name, DNS: []string{name}, Serial: int64(100000 + n), IssuerURL: []string{url}}, f.issuing[i])
		f.leaves = append(f.leaves, leaf)
		file := f.path(filepath.Join("leaves", fmt.Sprintf("leaf-%05d.pem", n)))
		if err := os.WriteFile(file, leaf.PEM(), 0o644); err != nil {
			tb.Fatal(err)
		}
		f.files = append(f.files, file)
	}
	return f
}

func (f *fleet) path(name string) string { return filepath.Join(f.dir, name) }

// want is the bundle chainfix must write for leaf n: the leaf, its issuing
// intermediate and, for those under one, the upper intermediate.
func (f *fleet) want(n int) string {
	i := n % len(f.issuing)
	var b bytes.Buffer
	b.Write(f.leaves[n].PEM())
	b.Write(f.issuing[i].PEM())
	if parent := f.issuing[i].Cert.Issuer.CommonName; strings.HasPrefix(parent, "Fleet Upper") {
		for _, u := range f.upper {
			if u.Cert.Subject.CommonName == parent {
				b.Write(u.PEM())
			}
		}
	}
	return b.String()
}

// TestBulkRequestCount: jobs sharing intermediates make one request per
// unique URL, however many run at once; every bundle is complete.
func TestBulkRequestCount(t *testing.T) {
	f := newFleet(t, fleetOptions{upper: 2, issuing: 4, leaves: 24, delay: 5 * time.Millisecond})
	const unique = 2 + 4 // every upper and issuing intermediate, once
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"build --jobs 1", []string{"build", "--jobs", "1", "--each", "--out-dir", "OUT"}},
		{"build --jobs 8", []string{"build", "--jobs", "8", "--out-dir", "OUT"}},
		{"build default jobs", []string{"build", "--out-dir", "OUT"}},
		{"check --jobs 8", []string{"check", "--jobs", "8", "--each", "--jsonl"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "bundles")
			args := append([]string{}, tt.args...)
			for i, a := range args {
				if a == "OUT" {
					args[i] = out
				}
			}
			args = append(append(args, "--no-cache", "--roots", f.path("root.pem")), f.files...)
			before := f.requests.Load()
			code, _, stderr := runCLI(t, nil, "", args...)
			// check finds the leaves sent without their intermediates: exit 1.
			if want := map[string]int{"build": 0, "check": exitFailure}[args[0]]; code != want {
				t.Fatalf("exit %d, want %d\n%s", code, want, stderr)
			}
			if n := f.requests.Load() - before; n != unique {
				t.Errorf("%d AIA requests for %d jobs, want %d (one per unique intermediate)", n, len(f.files), unique)
			}
			if args[0] != "build" {
				return
			}
			for n := range f.leaves {
				got, err := os.ReadFile(filepath.Join(out, fmt.Sprintf("leaf-%05d.pem", n)))
				if err != nil || string(got) != f.want(n) {
					t.Errorf("bundle %d: %v\n%s", n, err, got)
				}
			}
			if !strings.Contains(stderr, fmt.Sprintf("%d built, 0 failed", len(f.files))) {
				t.Errorf("stderr lacks the summary:\n%s", stderr)
			}
		})
	}
}

// TestBulkFetchBudget: a bulk run's fetch budget grows with its jobs: 60
// leaves each naming its own URL need 60 requests, more than the 50 of
// one chain's run, and all are built.
func TestBulkFetchBudget(t *testing.T) {
	f := newFleet(t, fleetOptions{issuing: 2, leaves: 60, distinctURLs: true})
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := runCLI(t, nil, "", append([]string{"build", "--no-cache", "--out-dir", out, "--roots", f.path("root.pem")}, f.files...)...)
	if code != 0 || !strings.Contains(stderr, "60 built, 0 failed") {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	if n := f.requests.Load(); n != 60 {
		t.Errorf("%d requests, want 60", n)
	}
}

// TestBulkFilesBadAmongGood: a bad file (damaged, missing) among good
// ones fails alone, in its place in the output; the others are written.
func TestBulkFilesBadAmongGood(t *testing.T) {
	dir, f := fixtureDir(t)
	env := mapEnv{"SSL_CERT_FILE": f("pki/root.pem")}
	broken := f("broken.pem")
	if err := os.WriteFile(broken, []byte("-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	code, stdout, stderr := runCLI(t, env, "", "build", "--offline", "--pool", f("pki/intermediate.pem"), "--out-dir", out,
		f("pki/leaf.pem"), broken, f("missing.pem"), f("pki/other-leaf.pem"))
	if code != exitFailure || stdout != "" {
		t.Fatalf("exit %d, want 1; stdout %q\n%s", code, stdout, stderr)
	}
	golden, _ := os.ReadFile(f("golden/fullchain.pem"))
	if got, _ := os.ReadFile(filepath.Join(out, "leaf.pem")); string(got) != string(golden) {
		t.Errorf("out/leaf.pem is not the golden chain:\n%s", got)
	}
	if _, err := os.Stat(filepath.Join(out, "other-leaf.pem")); err != nil {
		t.Error(err)
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 2 {
		t.Errorf("out holds %d files, want the 2 good bundles", len(entries))
	}
	lines := nonEmptyLines(stderr)
	missing := "error: " + f("missing.pem") + ": no such file"
	if runtime.GOOS == "windows" {
		missing = "error: " + f("missing.pem") + ": " // Windows words it otherwise
	}
	wantOrder := []string{"built " + filepath.Join(out, "leaf.pem"), "error: " + broken, missing, "built " + filepath.Join(out, "other-leaf.pem"), "2 built, 2 failed"}
	if len(lines) != len(wantOrder) {
		t.Fatalf("stderr has %d lines, want %d:\n%s", len(lines), len(wantOrder), stderr)
	}
	for i, w := range wantOrder {
		if !strings.Contains(lines[i], w) {
			t.Errorf("stderr line %d = %q, want it to contain %q", i+1, lines[i], w)
		}
	}
	// -q keeps the errors only.
	code, _, stderr = runCLI(t, env, "", "-q", "build", "--offline", "--pool", f("pki/intermediate.pem"), "--out-dir", filepath.Join(dir, "quiet"), f("pki/leaf.pem"), broken)
	if code != exitFailure || len(nonEmptyLines(stderr)) != 1 || !strings.Contains(stderr, "error: "+broken) {
		t.Errorf("-q: exit %d, stderr:\n%s", code, stderr)
	}
}

func nonEmptyLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// TestBulkRecursive: a directory with --recursive gives one job per
// certificate-bearing file, in sorted order, hidden files and keys left
// out, a damaged certificate file reported; names collide and are
// numbered in input order.
func TestBulkRecursive(t *testing.T) {
	dir, f := fixtureDir(t)
	env := mapEnv{"SSL_CERT_FILE": f("pki/root.pem")}
	tree := filepath.Join(dir, "tree")
	put := func(name string, data []byte) {
		p := filepath.Join(tree, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	read := func(name string) []byte {
		b, err := os.ReadFile(f(name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	put("a/site.pem", read("pki/leaf.pem"))
	put("b/SITE.crt", read("pki/other-leaf.pem")) // collides with site.pem ignoring case
	put("b/site.key", read("pki/leaf.key"))       // a key: not a job
	put("c/leaf.der", read("pki/leaf.der"))       // DER, found by its bytes
	put("c/notes.txt", []byte("renew in May\n"))  // text: not a job
	put("d/broken.pem", []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
	put(".git/leaf.pem", read("pki/leaf.pem"))     // hidden: not a job
	put("a/.site.pem.tmp-1", read("pki/leaf.pem")) // an interrupted write: not a job
	out := filepath.Join(dir, "out")
	code, _, stderr := runCLI(t, env, "", "build", "--offline", "--pool", f("pki/intermediate.pem"), "-r", tree, "--out-dir", out)
	if code != exitFailure {
		t.Fatalf("exit %d, want 1 (broken.pem):\n%s", code, stderr)
	}
	want := map[string]string{"site.pem": "www.example.test", "SITE-2.pem": "api.example.test", "leaf.pem": "www.example.test"}
	entries, _ := os.ReadDir(out)
	if len(entries) != len(want) {
		t.Errorf("out holds %d files, want %d:\n%s", len(entries), len(want), stderr)
	}
	for name, cn := range want {
		data, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		line := ""
		for _, l := range nonEmptyLines(stderr) {
			if strings.Contains(l, "built "+filepath.Join(out, name)+" from ") {
				line = l
			}
		}
		if !bytes.Contains(data, []byte("BEGIN CERTIFICATE")) || !strings.Contains(line, ": CN="+cn+",") {
			t.Errorf("%s: not the bundle for %s:\n%s", name, cn, stderr)
		}
	}
	if !strings.Contains(stderr, "error: "+filepath.Join(tree, "d", "broken.pem")) || !strings.Contains(stderr, "3 built, 1 failed") {
		t.Errorf("stderr:\n%s", stderr)
	}
	// The order is the sorted order of the tree.
	a, b := strings.Index(stderr, filepath.Join("a", "site.pem")), strings.Index(stderr, filepath.Join("b", "SITE.crt"))
	c, d := strings.Index(stderr, filepath.Join("c", "leaf.der")), strings.Index(stderr, filepath.Join("d", "broken.pem"))
	if a < 0 || !(a < b && b < c && c < d) {
		t.Errorf("jobs not in sorted order:\n%s", stderr)
	}
	// A second run replaces the bundles with the same names.
	code, _, stderr = runCLI(t, env, "", "build", "--offline", "--pool", f("pki/intermediate.pem"), "-r", filepath.Join(tree, "a"), filepath.Join(tree, "b"), "--out-dir", out)
	if code != 0 || !strings.Contains(stderr, "built "+filepath.Join(out, "SITE-2.pem")) {
		t.Errorf("second run: exit %d\n%s", code, stderr)
	}
	// A directory without --recursive, or an --out-dir inside the tree,
	// is a usage error.
	if code, _, stderr := runCLI(t, env, "", "build", "--offline", "--each", tree, "--out-dir", filepath.Join(dir, "x")); code != exitUsage || !strings.Contains(stderr, "--recursive") {
		t.Errorf("directory without --recursive: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, env, "", "build", "--offline", "-r", tree, "--out-dir", filepath.Join(tree, "fixed")); code != exitUsage || !strings.Contains(stderr, "inside the input directory") {
		t.Errorf("--out-dir inside the tree: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(tree, "fixed")); err == nil {
		t.Error("the refused --out-dir was created")
	}
}

// TestBulkHosts: --hosts-file (comments, name=SNI) and repeated --host;
// a host that never answers times out alone; reports come in input order
// whatever the order the jobs end in.
func TestBulkHosts(t *testing.T) {
	p := newAIAPKI(t)
	good := tlsServer(t, p.leaf, p.leaf.DER(), p.inter.DER())
	incomplete := tlsServer(t, p.leaf, p.leaf.DER())
	silent, err := net.Listen("tcp", "127.0.0.1:0") // accepts, never speaks TLS
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { silent.Close() })
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	hosts := p.write(t, "hosts.txt", []byte(fmt.Sprintf("# the estate\n%s name=aia.example.test\n\n%s   # times out\n%s name=aia.example.test # incomplete\n", good, silent.Addr(), incomplete)))
	code, stdout, stderr := runCLI(t, nil, "", "check", "--no-cache", "--roots", p.path("root.pem"), "--connect-timeout", "500ms",
		"--hosts-file", hosts, "--host", good, "--jsonl")
	if code != exitFailure {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, stdout, stderr)
	}
	lines := nonEmptyLines(stdout)
	// --host first, then the hosts file (README "Many certificates at once").
	wantTargets := []string{good, good, silent.Addr().String(), incomplete}
	if len(lines) != len(wantTargets) {
		t.Fatalf("%d JSON lines, want %d:\n%s", len(lines), len(wantTargets), stdout)
	}
	for i, l := range lines {
		var rep report.Check
		if err := json.Unmarshal([]byte(l), &rep); err != nil {
			t.Fatalf("line %d does not parse: %v\n%s", i+1, err, l)
		}
		if rep.Target != wantTargets[i] {
			t.Errorf("line %d is for %s, want %s (input order)", i+1, rep.Target, wantTargets[i])
		}
		switch i {
		case 0:
			// No SNI: the name check fails on 127.0.0.1, the chain is fine.
			if rep.OK || len(rep.Chain) != 3 {
				t.Errorf("good host without SNI: %+v", rep)
			}
		case 1:
			if !rep.OK || rep.Address == "" {
				t.Errorf("good host with its SNI from the hosts file: %+v", rep)
			}
		case 2:
			if rep.OK || len(rep.Findings) != 1 || !strings.Contains(rep.Findings[0].Message, "timed out") {
				t.Errorf("silent host: %+v", rep.Findings)
			}
		case 3:
			if rep.OK {
				t.Errorf("incomplete chain judged OK")
			}
		}
	}
	if !strings.Contains(stderr, "4 checked: 1 OK, 2 with problems, 1 could not be checked") {
		t.Errorf("stderr lacks the counts:\n%s", stderr)
	}

	// build --hosts-file --out-dir: bundles named after the hosts.
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr = runCLI(t, nil, "", "build", "--no-cache", "--roots", p.path("root.pem"), "--connect-timeout", "500ms",
		"--hosts-file", hosts, "--out-dir", out)
	if code != exitFailure || !strings.Contains(stderr, "2 built, 1 failed") {
		t.Fatalf("build: exit %d\n%s", code, stderr)
	}
	for _, h := range []string{good, incomplete} {
		name := strings.NewReplacer(":", "-").Replace(h) + ".pem"
		data, err := os.ReadFile(filepath.Join(out, name))
		if err != nil || strings.Count(string(data), "BEGIN CERTIFICATE") != 2 {
			t.Errorf("%s: %v\n%s", name, err, data)
		}
	}
}

// TestBulkCheckOutputs: text reports then the table; one JSON document;
// JSON lines; always in input order, even when the first job is the slowest.
func TestBulkCheckOutputs(t *testing.T) {
	f := newFleet(t, fleetOptions{issuing: 3, leaves: 9, slowFirst: 300 * time.Millisecond})
	args := append([]string{"check", "--no-cache", "--roots", f.path("root.pem"), "--each"}, f.files...)
	code, stdout, stderr := runCLI(t, nil, "", append(args, "--jsonl")...)
	if code != exitFailure { // the leaves' DNS names are not checked, the chains are sent incomplete
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	lines := nonEmptyLines(stdout)
	if len(lines) != len(f.files) {
		t.Fatalf("%d lines for %d jobs", len(lines), len(f.files))
	}
	for i, l := range lines {
		var rep report.Check
		if err := json.Unmarshal([]byte(l), &rep); err != nil || rep.Target != f.files[i] || len(rep.Chain) != 3 {
			t.Errorf("line %d: %v: %.200s", i+1, err, l)
		}
	}

	_, stdout, _ = runCLI(t, nil, "", append(args, "--json")...)
	var doc struct {
		Results []report.Check    `json:"results"`
		Summary report.BulkCounts `json:"summary"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("--json is not one document: %v\n%.500s", err, stdout)
	}
	if len(doc.Results) != len(f.files) || doc.Summary.Total != len(f.files) || doc.Summary.Problems != len(f.files) {
		t.Errorf("document: %d results, summary %+v", len(doc.Results), doc.Summary)
	}
	for i, r := range doc.Results {
		if r.Target != f.files[i] {
			t.Errorf("result %d is %s, want %s", i, r.Target, f.files[i])
		}
	}

	_, stdout, _ = runCLI(t, nil, "", args...)
	if n := strings.Count(stdout, "verdict: "); n != len(f.files) {
		t.Errorf("%d text reports, want %d", n, len(f.files))
	}
	table := stdout[strings.Index(stdout, "JOB "):]
	rows := nonEmptyLines(table)
	if len(rows) != len(f.files)+2 {
		t.Fatalf("table:\n%s", table)
	}
	row := regexp.MustCompile(`^(\S+)\s+(OK|WARNINGS|PROBLEMS|FAILED)\s+(\S+)\s+(-?\d+|-)$`)
	for i, r := range rows[1 : len(rows)-1] {
		m := row.FindStringSubmatch(r)
		if m == nil || m[1] != f.files[i] || m[2] != report.VerdictProblems {
			t.Errorf("table row %d: %q", i+1, r)
		}
	}
	if want := fmt.Sprintf("%d checked: 0 OK, %d with problems, 0 could not be checked", len(f.files), len(f.files)); rows[len(rows)-1] != want {
		t.Errorf("last line %q, want %q", rows[len(rows)-1], want)
	}
}

// TestBulkUsage: mistakes in a bulk command line are usage errors (exit
// 2) said on one line, before any work.
func TestBulkUsage(t *testing.T) {
	dir, f := fixtureDir(t)
	env := mapEnv{"SSL_CERT_FILE": f("pki/root.pem")}
	badHosts := filepath.Join(dir, "bad-hosts.txt")
	os.WriteFile(badHosts, []byte("example.test\nexample.test sni=x\n"), 0o644)
	hosts := filepath.Join(dir, "hosts.txt")
	os.WriteFile(hosts, []byte("a.example.test\nb.example.test\n"), 0o644)
	out := filepath.Join(dir, "out")
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"two leaves in two FILEs: build", []string{"build", "--offline", f("pki/leaf.pem"), f("pki/other-leaf.pem"), f("pki/intermediate.pem")}, "add --each"},
		{"two leaves in two FILEs: check", []string{"check", "--offline", f("pki/leaf.pem"), f("pki/other-leaf.pem"), f("pki/intermediate.pem")}, "different sites"},
		{"--jobs without --each", []string{"check", "--offline", "--jobs", "4", f("pki/leaf.pem")}, "add --each"},
		{"--jobs 0", []string{"check", "--offline", "--each", "--jobs", "0", f("pki/leaf.pem")}, "--jobs 0"},
		{"build --each without --out-dir", []string{"build", "--offline", "--each", f("pki/leaf.pem")}, "--out-dir"},
		{"--out-dir and -o", []string{"build", "--offline", "--out-dir", out, "-o", f("x.pem"), f("pki/leaf.pem")}, "contradicts --out"},
		{"--out-dir and --split", []string{"build", "--offline", "--out-dir", out, "--split", f("x"), f("pki/leaf.pem")}, "contradicts --split"},
		{"--out-dir with --format der", []string{"build", "--offline", "--out-dir", out, "--format", "der", f("pki/leaf.pem")}, "--format der"},
		{"--out-dir holding the inputs", []string{"build", "--offline", "--out-dir", f("pki"), f("pki/leaf.pem")}, "holds the input"},
		{"--json and --jsonl", []string{"check", "--offline", "--each", "--json", "--jsonl", f("pki/leaf.pem")}, "choose one"},
		{"stdin as a job", []string{"check", "--offline", "--each", "-", f("pki/leaf.pem")}, "stdin"},
		{"a hosts file with an unknown field", []string{"check", "--hosts-file", badHosts}, "bad-hosts.txt:2"},
		{"hosts and --offline", []string{"check", "--offline", "--hosts-file", hosts}, "--offline"},
		{"one --servername for several hosts", []string{"check", "--hosts-file", hosts, "--servername", "x.example.test"}, "name=SNI"},
		{"--servername without hosts", []string{"check", "--offline", "--each", "--servername", "x.example.test", f("pki/leaf.pem")}, "--servername goes with --host"},
		{"a one-chain flag in a bulk run", []string{"build", "--offline", "--out-dir", out, "--key", f("pki/leaf.key"), f("pki/leaf.pem")}, "--key is about one chain"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, env, "", tt.args...)
			if code != exitUsage || !strings.Contains(stderr, tt.want) || len(nonEmptyLines(stderr)) != 1 || !strings.HasPrefix(stderr, "chainfix: error: ") {
				t.Errorf("exit %d, want 2 with %q on one line:\n%s", code, tt.want, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout: %q", stdout)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%s was created", out)
			}
		})
	}
	// --leaf-cn picks one of the two leaves in one chain: no error.
	if code, _, stderr := runCLI(t, env, "", "build", "--offline", "--leaf-cn", "api.example.test", f("pki/leaf.pem"), f("pki/other-leaf.pem"), f("pki/intermediate.pem")); code != 0 {
		t.Errorf("--leaf-cn with two leaves: exit %d: %s", code, stderr)
	}
	// pfx reads one server.
	if code, _, stderr := runCLI(t, env, "", "pfx", "--no-password", "--host", "a.example.test", "--host", "b.example.test", "-o", f("x.pfx")); code != exitUsage || !strings.Contains(stderr, "--host given 2 times") {
		t.Errorf("pfx with two hosts: exit %d: %s", code, stderr)
	}
}

// TestBulkNoProgressOffTerminal: nothing of the progress bar reaches a
// stderr that is not a terminal; on a terminal-like writer the bar shows
// jobs done of the total.
func TestBulkNoProgressOffTerminal(t *testing.T) {
	f := newFleet(t, fleetOptions{issuing: 2, leaves: 2 * progressMinJobs})
	code, _, stderr := runCLI(t, nil, "", append([]string{"build", "--no-cache", "--roots", f.path("root.pem"), "--out-dir", filepath.Join(t.TempDir(), "o")}, f.files...)...)
	if code != 0 || strings.ContainsAny(stderr, "\r\x1b") || strings.Contains(stderr, "jobs/s") {
		t.Errorf("exit %d; stderr has progress output:\n%q", code, stderr)
	}
	var b bytes.Buffer
	bar := &progress{what: "building", bar: newProgressBar(&b, 20, "building")}
	bar.update(5, 1)
	time.Sleep(progressRedraw + 50*time.Millisecond) // past the throttle
	bar.update(6, 1)
	bar.finish()
	if !strings.Contains(b.String(), "6/20") || !strings.Contains(b.String(), "1 failed") {
		t.Errorf("progress bar output: %q", b.String())
	}
}

// chainfixBinary builds the command into a temporary directory of the
// test, for the tests that need a real process (signals, memory); the go
// build cache makes the second build cheap.
func chainfixBinary(tb testing.TB) string {
	tb.Helper()
	return releaseBuild(tb, filepath.Join(tb.TempDir(), "chainfix"), ".")
}

// releaseBuild builds pkg into bin as the release is built: static, with
// releaseBuildFlags.
func releaseBuild(tb testing.TB, bin, pkg string) string {
	tb.Helper()
	gotool, err := exec.LookPath("go")
	if err != nil {
		tb.Skip("no go tool to build the binary")
	}
	cmd := exec.Command(gotool, append(append([]string{"build"}, releaseBuildFlags...), "-o", bin, pkg)...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// releaseBuildFlags are the flags of the release build (.ci/run, the
// README's install line): a static binary without urfave/cli's markdown
// and man-page renderer (its build tag), which costs every run 0.3 ms of
// package initialisation and about 60 page faults; the man page is made
// by a test, built without the tag.
var releaseBuildFlags = []string{"-tags", "urfave_cli_no_docs", "-trimpath"}

// TestBulkSIGINT: SIGINT during a bulk build starts no new job, lets the
// running ones finish, and ends with status 130 and a summary; every
// bundle in the output directory is complete and no temporary file is
// left. A second SIGINT ends the process at once, also leaving nothing
// partial.
func TestBulkSIGINT(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT to send on Windows")
	}
	bin := chainfixBinary(t)
	f := newFleet(t, fleetOptions{issuing: 2, leaves: 40, delay: 400 * time.Millisecond, distinctURLs: true})
	for _, signals := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d SIGINT", signals), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			cmd := exec.Command(bin, append([]string{"build", "--no-cache", "--jobs", "2", "--roots", f.path("root.pem"), "--out-dir", out}, f.files...)...)
			cmd.Env = append(os.Environ(), "HTTP_PROXY=", "HTTPS_PROXY=", "XDG_CACHE_HOME="+t.TempDir())
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Wait for the first bundle: jobs are running.
			deadline := time.Now().Add(20 * time.Second)
			for {
				if entries, _ := os.ReadDir(out); len(entries) > 0 || time.Now().After(deadline) {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			time.Sleep(100 * time.Millisecond) // two new jobs are fetching now
			for range signals {
				cmd.Process.Signal(os.Interrupt)
				time.Sleep(20 * time.Millisecond)
			}
			err := cmd.Wait()
			code := cmd.ProcessState.ExitCode()
			if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				t.Fatalf("killed by %v, not exited: %v", ws.Signal(), err)
			}
			if code != exitInterrupted {
				t.Fatalf("exit %d, want 130\n%s", code, stderr.String())
			}
			entries, _ := os.ReadDir(out)
			if len(entries) == 0 || len(entries) == len(f.files) {
				t.Errorf("%d bundles written of %d: the run was not cut short", len(entries), len(f.files))
			}
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), ".") {
					t.Errorf("temporary file left: %s", e.Name())
					continue
				}
				var n int
				fmt.Sscanf(e.Name(), "leaf-%05d.pem", &n)
				if got, _ := os.ReadFile(filepath.Join(out, e.Name())); string(got) != f.want(n) {
					t.Errorf("%s is not the complete bundle", e.Name())
				}
			}
			if signals == 1 {
				s := stderr.String()
				if !strings.Contains(s, "interrupted: starting no new job") || !strings.Contains(s, "not started") ||
					!strings.Contains(s, fmt.Sprintf("%d built, 0 failed", len(entries))) {
					t.Errorf("stderr lacks the summary:\n%s", s)
				}
			}
		})
	}
}

// tlsServerDelayed serves chain on loopback after waiting delay on each
// connection, as a distant server does; it returns its address.
func tlsServerDelayed(tb testing.TB, key *testpki.Cert, delay time.Duration, chain ...[]byte) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{{Certificate: chain, PrivateKey: key.Key}}}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				time.Sleep(delay)
				tc := tls.Server(c, cfg)
				tc.SetDeadline(time.Now().Add(10 * time.Second))
				if tc.Handshake() == nil {
					bufio.NewReader(tc).ReadByte() // until the client hangs up
				}
			}()
		}
	}()
	tb.Cleanup(func() { ln.Close() })
	return ln.Addr().String()
}
