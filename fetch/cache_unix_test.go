//go:build unix

package fetch

import (
	"bytes"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestCacheEntryNotRegular: an entry that is a symbolic link (to a good
// entry elsewhere) or a FIFO is not read; the URL is fetched, the planted
// file replaced, and the link's target left alone. A FIFO must not hang
// the run waiting for a writer.
func TestCacheEntryNotRegular(t *testing.T) {
	p := newPKI()
	tests := []struct {
		name  string
		plant func(t *testing.T, path string, good []byte)
		why   string
	}{
		{"symbolic link to a good entry", func(t *testing.T, path string, good []byte) {
			target := filepath.Join(t.TempDir(), "elsewhere.pem")
			if err := os.WriteFile(target, good, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, path); err != nil {
				t.Fatal(err)
			}
		}, "symbolic link"},
		{"FIFO", func(t *testing.T, path string, _ []byte) {
			if err := syscall.Mkfifo(path, 0o644); err != nil {
				t.Skipf("mkfifo: %v", err)
			}
		}, "not a regular file"},
		{"directory", func(t *testing.T, path string, _ []byte) {
			if err := os.Mkdir(path, 0o755); err != nil {
				t.Fatal(err)
			}
		}, "not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newAIAServer(t)
			srv.handle("/int.crt", serve("application/pkix-cert", p.inter.DER()))
			rawURL := srv.url("/int.crt")
			dir := t.TempDir()
			good := encodeCacheEntry(rawURL, []*x509.Certificate{p.inter.Cert})
			path := cachePath(dir, rawURL)
			tt.plant(t, path, good)

			log, hook := newTestLogger()
			c := New(Options{CacheDir: dir, Logger: log})
			got, err := c.Issuers(testCtx(t), p.leaf("leaf.example", rawURL).Cert) // testCtx bounds a hang
			if err != nil || subjects(got) != "CN=Test Int" {
				t.Fatalf("got %q, %v", subjects(got), err)
			}
			if c.Requests() != 1 {
				t.Errorf("Requests() = %d, want 1: the planted entry was used", c.Requests())
			}
			e := findEntry(hook, "AIA cache entry ignored")
			if e == nil || !strings.Contains(e.Data["error"].(error).Error(), tt.why) {
				t.Errorf("no debug log saying %q: %v", tt.why, hook.AllEntries())
			}
			if tt.name == "directory" {
				return // rename cannot replace a directory: the entry stays unwritten
			}
			fi, err := os.Lstat(path)
			if err != nil || !fi.Mode().IsRegular() {
				t.Errorf("the planted file was not replaced by a regular entry: %v, %v", fi, err)
			}
		})
	}
}

// TestCacheDirWritableByOthers: a cache directory others may write to is
// not used; the run goes on uncached, with one warning.
func TestCacheDirWritableByOthers(t *testing.T) {
	p := newPKI()
	for _, mode := range []os.FileMode{0o777, 0o770, 0o1777} {
		t.Run(mode.String(), func(t *testing.T) {
			srv := newAIAServer(t)
			srv.handle("/a.crt", serve("application/pkix-cert", p.inter.DER()))
			srv.handle("/b.crt", serve("application/pkix-cert", p.inter.DER()))
			dir := t.TempDir()
			if err := os.Chmod(dir, mode); err != nil {
				t.Fatal(err)
			}
			// A planted entry that would otherwise be read.
			if err := writeCache(dir, srv.url("/a.crt"), []*x509.Certificate{p.inter.Cert}); err != nil {
				t.Fatal(err)
			}
			log, hook := newTestLogger()
			c := New(Options{CacheDir: dir, Logger: log})
			for _, u := range []string{"/a.crt", "/b.crt"} {
				if _, err := c.Issuers(testCtx(t), p.leaf("leaf.example", srv.url(u)).Cert); err != nil {
					t.Fatal(err)
				}
			}
			if c.Requests() != 2 {
				t.Errorf("Requests() = %d, want 2 (nothing from the cache)", c.Requests())
			}
			warnings := 0
			for _, e := range hook.AllEntries() {
				if e.Message == "AIA cache not used" {
					warnings++
					if e.Level.String() != "warning" || !strings.Contains(e.Data["error"].(error).Error(), "writable by others") {
						t.Errorf("warning %v", e.Data)
					}
				}
			}
			if warnings != 1 {
				t.Errorf("%d warnings, want 1", warnings)
			}
			if _, err := os.Stat(cachePath(dir, srv.url("/b.crt"))); err == nil {
				t.Error("an entry was written to the refused directory")
			}
		})
	}
}

func TestCheckCacheDirOwner(t *testing.T) {
	dir := t.TempDir()
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkCacheDirOwner(dir, fi, os.Getuid()); err != nil {
		t.Errorf("own private directory refused: %v", err)
	}
	err = checkCacheDirOwner(dir, fi, os.Getuid()+1)
	if err == nil || !strings.Contains(err.Error(), "owned by user") {
		t.Errorf("directory of another user: %v", err)
	}
}

// TestCacheSymlinkNotFollowedByPrune: pruning removes old regular entries
// only; a symbolic link named like an entry is neither followed nor
// counted.
func TestCacheSymlinkNotFollowedByPrune(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(t.TempDir(), "precious")
	if err := os.WriteFile(target, bytes.Repeat([]byte("x"), 1000), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, strings.Repeat("ab", 32)+cacheSuffix)
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	total, removed, err := pruneCache(dir, "", testNow, 10)
	if err != nil || total != 0 || removed != 0 {
		t.Errorf("pruneCache = %d, %d, %v", total, removed, err)
	}
	if _, err := os.Stat(target); err != nil {
		t.Errorf("the link's target: %v", err)
	}
}
