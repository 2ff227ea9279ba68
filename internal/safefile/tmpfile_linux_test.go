package safefile

import (
	"golang.org/x/sys/unix"
	"os"
	"path/filepath"
	"testing"
)

// TestUnnamedTempFile checks that the O_TMPFILE path really is unnamed
// until complete, so a killed process leaves nothing behind.
func TestUnnamedTempFile(t *testing.T) {
	dir := t.TempDir()
	f, err := openUnnamed(dir, 0o600)
	if err != nil {
		t.Skipf("no O_TMPFILE on this file system: %v", err)
	}
	defer f.Close()
	if _, err := f.Write([]byte("complete")); err != nil {
		t.Fatal(err)
	}
	if got := listDir(t, dir); len(got) != 0 {
		t.Fatalf("the unnamed file is visible as %v", got)
	}
	name, err := linkTemp(f, dir, "chain.pem")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(name) != dir {
		t.Errorf("named %s, outside %s", name, dir)
	}
	if got := readString(t, name); got != "complete" {
		t.Errorf("linked file holds %q", got)
	}
	os.Remove(name)
}

func TestIsFDDir(t *testing.T) {
	for dir, want := range map[string]bool{
		"/proc/1/fd":          true,
		"/proc/12/task/13/fd": true,
		"/proc/1/fdinfo":      false,
		"/dev/fd":             false, // a link: resolve evaluates it first
		"/tmp/proc/1/fd":      false,
	} {
		if got := isFDDir(dir); got != want {
			t.Errorf("isFDDir(%s) = %v", dir, got)
		}
	}
}

// mknod makes a device node of type typ (S_IFCHR, S_IFBLK).
func mknod(path string, typ, major, minor uint32) error {
	return unix.Mknod(path, typ|0o600, int(unix.Mkdev(major, minor)))
}
