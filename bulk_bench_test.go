package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"chainfix/internal/testpki"
)

// The bulk benchmarks of issue 9, on loopback servers that wait 20 ms per
// request as servers on the internet do. Figures are reported, never
// asserted:
//
//	go test -run '^$' -bench BenchmarkBulk -benchtime 5x .
//
// ns/op is the wall time of one whole run (one process's work, in
// process); requests/op counts the AIA requests the run sent.

// internetDelay is what each loopback request or handshake waits.
const internetDelay = 20 * time.Millisecond

// runBench runs the app in-process like runCLI, for benchmarks.
func runBench(b *testing.B, args ...string) (int, string) {
	var errb bytes.Buffer
	env := mapEnv{"XDG_CACHE_HOME": b.TempDir()}
	code := run(append([]string{"chainfix"}, args...), strings.NewReader(""), io.Discard, &errb, env)
	return code, errb.String()
}

// BenchmarkBulkBuild500: `build --out-dir` of 500 leaves under 25
// intermediates (5 under the root, 20 issuing, 15 of them under those: 2
// and 3 levels) in one run, with RSA intermediates (as most public ones
// are) and with P-256 ones. Target: well under 0.3 s, exactly 25 requests.
//
// out=disk writes the bundles under the test's temporary directory;
// out=tmpfs under /dev/shm (when there is one), which takes the disk out of
// the figure: on a file system without a journal, as on the machine these
// figures were first taken on, ext4 scans past every inode deleted in the
// last minutes before it allocates one (fs/ext4/ialloc.c,
// find_inode_bit: check_recently_deleted = s_journal == NULL), and a test
// run deletes thousands of files.
func BenchmarkBulkBuild500(b *testing.B) {
	for _, keys := range []string{"rsa", "p256"} {
		f := newFleet(b, fleetOptions{upper: 5, issuing: 20, leaves: 500, delay: internetDelay, rsa: keys == "rsa"})
		b.Run("intermediates="+keys, func(b *testing.B) {
			b.Run("out=disk", func(b *testing.B) { benchBuild(b, f, b.TempDir()) })
			b.Run("out=tmpfs", func(b *testing.B) {
				if fi, err := os.Stat("/dev/shm"); err != nil || !fi.IsDir() {
					b.Skip("no /dev/shm")
				}
				dir, err := os.MkdirTemp("/dev/shm", "chainfix-bench")
				if err != nil {
					b.Skip(err)
				}
				b.Cleanup(func() { os.RemoveAll(dir) })
				benchBuild(b, f, dir)
			})
		})
	}
}

func benchBuild(b *testing.B, f *fleet, outBase string) {
	for _, jobs := range []string{"default", "8", "32"} {
		b.Run("jobs="+jobs, func(b *testing.B) {
			base := []string{"build", "--no-cache", "--roots", f.path("root.pem")}
			if jobs != "default" {
				base = append(base, "--jobs", jobs)
			}
			start := f.requests.Load()
			var network time.Duration
			for b.Loop() {
				b.StopTimer()
				out, err := os.MkdirTemp(outBase, "out")
				if err != nil {
					b.Fatal(err)
				}
				args := append(append(append([]string{}, base...), "--out-dir", out), f.files...)
				b.StartTimer()
				began := time.Now()
				if code, stderr := runBench(b, args...); code != 0 {
					b.Fatalf("exit %d: %.500s", code, stderr)
				}
				network += time.Unix(0, f.lastAnswer.Load()).Sub(began)
			}
			b.ReportMetric(float64(f.requests.Load()-start)/float64(b.N), "requests/op")
			// The part of the run until its last AIA answer: the network's
			// share of the wall time.
			b.ReportMetric(network.Seconds()*1000/float64(b.N), "ms-to-last-answer/op")
		})
	}
}

// BenchmarkBulkCheck200Hosts: `check --hosts-file` of 200 loopback TLS
// endpoints, each waiting 20 ms before its handshake, with the default
// jobs. Target: under 2 s.
func BenchmarkBulkCheck200Hosts(b *testing.B) {
	root := testpki.Issue(testpki.Template{CN: "Bench Root", CA: true, Key: testpki.RSAKey(8), Serial: 900}, nil)
	inter := testpki.Issue(testpki.Template{CN: "Bench Intermediate", CA: true, Key: testpki.RSAKey(9), Serial: 901}, root)
	dir := b.TempDir()
	var hosts strings.Builder
	for i := range 200 {
		name := fmt.Sprintf("h%03d.example.test", i)
		leaf := testpki.Issue(testpki.Template{CN: name, DNS: []string{name}, Serial: int64(1000 + i)}, inter)
		addr := tlsServerDelayed(b, leaf, internetDelay, leaf.DER(), inter.DER())
		fmt.Fprintf(&hosts, "%s name=%s\n", addr, name)
	}
	rootFile, hostsFile := filepath.Join(dir, "root.pem"), filepath.Join(dir, "hosts.txt")
	os.WriteFile(rootFile, root.PEM(), 0o644)
	os.WriteFile(hostsFile, []byte(hosts.String()), 0o644)
	for b.Loop() {
		if code, stderr := runBench(b, "check", "--no-cache", "--jsonl", "--roots", rootFile, "--hosts-file", hostsFile); code != 0 {
			b.Fatalf("exit %d: %.500s", code, stderr)
		}
	}
}
