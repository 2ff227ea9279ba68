//go:build linux || darwin || freebsd || openbsd || netbsd || dragonfly

// Windows has no FIFOs; package syscall has no Mkfifo on Solaris, illumos
// and AIX.

package secret

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestReadPasswordFileFIFO is the pipe case (a FIFO, or bash's <(...)):
// the writer sends the password in two writes with a pause between them.
// A single read(2) used to return only the first part ("S3cr").
func TestReadPasswordFileFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pw.fifo")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	written := make(chan error, 1)
	go func() {
		// Opening for writing waits for the reader, as the shell's does.
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			written <- err
			return
		}
		defer f.Close()
		if _, err := f.Write([]byte("S3cr")); err != nil {
			written <- err
			return
		}
		time.Sleep(100 * time.Millisecond)
		_, err = f.Write([]byte("et!\n"))
		written <- err
	}()
	type result struct {
		pw  []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		pw, err := ReadPasswordFile(path)
		done <- result{pw, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatal(r.err)
		}
		if string(r.pw) != "S3cret!" {
			t.Errorf("ReadPasswordFile = %q, want %q", r.pw, "S3cret!")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ReadPasswordFile did not return")
	}
	if err := <-written; err != nil {
		t.Fatalf("writer: %v", err)
	}
}
