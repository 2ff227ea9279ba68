package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// Whole-process benchmarks of issue 9: what an admin's script pays when it
// runs chainfix once per certificate. Figures are reported, never
// asserted:
//
//	go test -run '^$' -bench 'BenchmarkStartup|BenchmarkProcessPerLeaf' -benchtime 1x .
//
// The binary is built as the release is (releaseBuildFlags, static).

// BenchmarkStartup: the median wall time of one process, over
// startupRuns runs of each, for an empty Go program (the floor), --version,
// an offline build with --roots, and the same with the system trust
// store, with each case's ratio to the empty program. The cases take turns
// run by run: this machine's speed drifts over minutes, and a ratio of
// medians taken minutes apart would measure the drift. Target: a build
// under 3 ms, at most 3 times the empty program.
func BenchmarkStartup(b *testing.B) {
	const startupRuns = 200
	bin := chainfixBinary(b)
	empty := emptyGoBinary(b)
	pki := filepath.Join("testdata", "pki")
	cases := []struct {
		name string
		argv []string
	}{
		{"empty", []string{empty}},
		{"version", []string{bin, "--version"}},
		{"build-roots", []string{bin, "build", "--offline", "--roots", filepath.Join(pki, "root.pem"), filepath.Join(pki, "leaf.pem"), filepath.Join(pki, "intermediate.pem")}},
		{"build-system-store", []string{bin, "build", "--offline", "--allow-untrusted", filepath.Join(pki, "leaf.pem"), filepath.Join(pki, "intermediate.pem")}},
	}
	env := append(os.Environ(), "XDG_CACHE_HOME="+b.TempDir())
	times := make([][]time.Duration, len(cases))
	for b.Loop() {
		for range startupRuns {
			for i, tc := range cases {
				cmd := exec.Command(tc.argv[0], tc.argv[1:]...)
				cmd.Env = env
				start := time.Now()
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("%v: %v\n%s", tc.argv, err, out)
				}
				times[i] = append(times[i], time.Since(start))
			}
		}
	}
	median := func(ts []time.Duration) float64 {
		ts = slices.Clone(ts)
		slices.Sort(ts)
		return float64(ts[len(ts)/2].Microseconds()) / 1000
	}
	floor := median(times[0])
	for i, tc := range cases {
		m := median(times[i])
		b.ReportMetric(m, tc.name+"-ms")
		if i > 0 {
			b.ReportMetric(m/floor, tc.name+"-x-empty")
		}
	}
}

// BenchmarkProcessPerLeaf: the scripted loop, one process per leaf for 500
// leaves under 25 intermediates behind a 20 ms AIA server, sharing a
// --cache-dir: cold (an empty cache: 25 requests in all) and warm (every
// answer cached). Targets: under 2.5 s cold and 2 s warm, measured where
// an empty Go program takes 1 ms; after each loop the same loop runs an
// empty Go program (untimed), for the ratio of the two.
func BenchmarkProcessPerLeaf(b *testing.B) {
	bin := chainfixBinary(b)
	empty := emptyGoBinary(b)
	f := newFleet(b, fleetOptions{upper: 5, issuing: 20, leaves: 500, delay: internetDelay, rsa: true})
	emptyLoop := func(b *testing.B) time.Duration {
		start := time.Now()
		for range f.files {
			if out, err := exec.Command(empty).CombinedOutput(); err != nil {
				b.Fatalf("%s: %v\n%s", empty, err, out)
			}
		}
		return time.Since(start)
	}
	loop := func(b *testing.B, cache string) {
		for _, leaf := range f.files {
			cmd := exec.Command(bin, "build", "--cache-dir", cache, "--roots", f.path("root.pem"), leaf)
			cmd.Env = append(os.Environ(), "HTTP_PROXY=", "HTTPS_PROXY=")
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("%s: %v\n%s", leaf, err, out)
			}
		}
	}
	for _, warm := range []bool{false, true} {
		b.Run(map[bool]string{false: "cold", true: "warm"}[warm], func(b *testing.B) {
			var cache string
			if warm {
				cache = b.TempDir()
				loop(b, cache)
			}
			start := f.requests.Load()
			var floor time.Duration
			for b.Loop() {
				if !warm {
					b.StopTimer()
					cache = b.TempDir()
					b.StartTimer()
				}
				loop(b, cache)
				b.StopTimer()
				floor += emptyLoop(b)
				b.StartTimer()
			}
			b.ReportMetric(float64(f.requests.Load()-start)/float64(b.N), "requests/op")
			b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N*len(f.files)), "ms/process")
			b.ReportMetric(floor.Seconds()*1000/float64(b.N*len(f.files)), "empty-ms/process")
			b.ReportMetric(b.Elapsed().Seconds()/floor.Seconds(), "x-empty")
		})
	}
}

// emptyGoBinary builds `package main; func main() {}` the same way.
func emptyGoBinary(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, []byte("package main\n\nfunc main() {}\n"), 0o644); err != nil {
		tb.Fatal(err)
	}
	return releaseBuild(tb, filepath.Join(dir, "empty"), src)
}
