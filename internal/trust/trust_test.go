package trust

import (
	"path/filepath"
	"runtime"
	"testing"
)

// TestDefault pins where the roots come from: SSL_CERT_FILE when it names a
// readable bundle, the embedded Mozilla set when no store can be read.
func TestDefault(t *testing.T) {
	crossRoots := filepath.Join("..", "..", "testdata", "cross", "roots.pem")
	tests := []struct {
		name     string
		env      map[string]string
		wantName string
		check    func(t *testing.T, n int, hasISRG bool)
	}{
		{"SSL_CERT_FILE", map[string]string{"SSL_CERT_FILE": crossRoots}, crossRoots,
			func(t *testing.T, n int, _ bool) {
				if n != 2 {
					t.Errorf("%d roots, want 2", n)
				}
			}},
		{"no trust store: the embedded Mozilla set", map[string]string{"SSL_CERT_FILE": filepath.Join(t.TempDir(), "none.pem")}, "the embedded Mozilla root set",
			func(t *testing.T, n int, hasISRG bool) {
				if n < 100 || !hasISRG {
					t.Errorf("%d roots, ISRG Root X1 among them: %v", n, hasISRG)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if runtime.GOOS == "windows" && tt.env["SSL_CERT_FILE"] != crossRoots {
				t.Skip("Windows reads its own store")
			}
			s, err := Default(Options{Getenv: func(k string) string { return tt.env[k] }})
			if err != nil {
				t.Fatal(err)
			}
			if s.Name != tt.wantName {
				t.Errorf("roots from %q, want %q", s.Name, tt.wantName)
			}
			isrg := false
			for _, r := range s.Anchors.All() {
				isrg = isrg || r.Subject.CommonName == "ISRG Root X1"
			}
			tt.check(t, len(s.Anchors.All()), isrg)
		})
	}
}

// TestSystemSkipsUnusable: a store that is not a file of certificates (a
// directory, an empty file) is passed over, not fatal.
func TestSystemSkipsUnusable(t *testing.T) {
	dir := t.TempDir()
	_, err := System(Options{Getenv: func(k string) string {
		if k == "SSL_CERT_FILE" {
			return dir
		}
		return ""
	}})
	if err == nil {
		t.Fatal("a directory as SSL_CERT_FILE gave a store")
	}
}

// TestMerge: --roots system --roots FILE trusts both, each root once, and
// keeps the system's intermediates apart.
func TestMerge(t *testing.T) {
	cross, err := readBundle(testdataPath("cross", "roots.pem"), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	modern, err := readBundle(testdataPath("cross", "modern-root.pem"), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	inter, err := readBundle(testdataPath("pki", "intermediate.pem"), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	system := &Store{Name: "system", Anchors: cross, Intermediates: append(inter.All(), modern.All()...), IntermediatesFrom: "the CA store"}
	file := &Store{Name: "--roots modern.pem", Anchors: modern}
	m := Merge(system, file)
	if m.Name != "system + --roots modern.pem" || len(m.Anchors.All()) != 2 || len(m.Intermediates) != 1 || m.IntermediatesFrom != "the CA store" {
		t.Errorf("merged: %q, %d roots, %d intermediates from %q", m.Name, len(m.Anchors.All()), len(m.Intermediates), m.IntermediatesFrom)
	}
	if Merge(file) != file {
		t.Error("one store is not returned as it is")
	}
}
