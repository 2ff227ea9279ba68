//go:build linux

package main

import (
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkBulkRSS10k runs the built binary over 10,000 leaves (25
// intermediates, fetched from a loopback AIA server) and reports its peak
// resident memory: results are streamed, so it must stay far under the
// 200 MB of issue 9. The leaves are passed as one directory
// (--recursive), so 10,000 paths meet no argument-length limit.
//
// The peak is measured by /usr/bin/time (%M): the rusage Go's os/exec
// returns counts the test process's own memory, which the child shares
// until it execs (Linux records the larger high-water mark).
//
//	go test -run '^$' -bench BenchmarkBulkRSS10k -benchtime 1x .
func BenchmarkBulkRSS10k(b *testing.B) {
	timeTool, err := exec.LookPath("/usr/bin/time")
	if err != nil {
		b.Skip("no /usr/bin/time to measure the peak RSS")
	}
	bin := chainfixBinary(b)
	f := newFleet(b, fleetOptions{upper: 5, issuing: 20, leaves: 10_000})
	for _, mode := range []string{"build", "check"} {
		b.Run(mode, func(b *testing.B) {
			var peakKiB int
			for b.Loop() {
				args := []string{"-f", "%M", bin, mode, "--no-cache", "--roots", f.path("root.pem"), "-r", f.path("leaves")}
				if mode == "build" {
					out, _ := os.MkdirTemp(b.TempDir(), "out")
					args = append(args, "--out-dir", out)
				} else {
					args = append(args, "--jsonl")
				}
				cmd := exec.Command(timeTool, args...)
				cmd.Env = append(os.Environ(), "HTTP_PROXY=", "HTTPS_PROXY=", "XDG_CACHE_HOME="+b.TempDir())
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				cmd.Run()
				if code := cmd.ProcessState.ExitCode(); code != 0 && !(mode == "check" && code == exitFailure) {
					b.Fatalf("exit %d: %.1000s", code, stderr.String())
				}
				lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
				kib, err := strconv.Atoi(strings.TrimSpace(lines[len(lines)-1]))
				if err != nil {
					b.Fatalf("no peak RSS from time: %q", lines[len(lines)-1])
				}
				peakKiB = max(peakKiB, kib)
			}
			b.ReportMetric(float64(peakKiB)/1024, "maxRSS-MiB")
		})
	}
}
