package safefile

import (
	"os"
	"path/filepath"
	"testing"
)

// TestWriteFilesModes: a certificate and its key written as one set keep
// their own modes, and the directory holding a secret is closed to others.
func TestWriteFilesModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "upload")
	err := WriteFiles(dir, []File{
		{Name: "tls.crt", Data: []byte("cert\n"), Mode: Public},
		{Name: "tls.key", Data: []byte("key\n"), Mode: Secret},
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]os.FileMode{"tls.key": 0o600, ".": 0o700} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s: mode %v, want %v", name, got, want)
		}
	}
	fi, err := os.Stat(filepath.Join(dir, "tls.crt"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm()&0o044 == 0 {
		t.Errorf("tls.crt: mode %v, want readable by others (public, umask applied)", fi.Mode().Perm())
	}
	if err := WriteFiles(filepath.Join(t.TempDir(), "x"), []File{{Name: "a", Mode: Public}, {Name: "a", Mode: Secret}}); err == nil {
		t.Error("a name given twice was accepted")
	}
}
