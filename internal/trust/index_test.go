package trust

import (
	"bytes"
	"context"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/x509roots/fallback/bundle"

	chainbundle "chainfix/bundle"
	"chainfix/internal/testpki"
)

// indexFixture is a PEM trust store of the Mozilla roots with a test root
// in the middle, in a temporary directory, and a leaf under that root.
type indexFixture struct {
	store, dir string
	root       *testpki.Cert
	leaf, int  *x509.Certificate
}

func newIndexFixture(t *testing.T) *indexFixture {
	t.Helper()
	root := testpki.Issue(testpki.Template{CN: "Index Root", CA: true, Key: testpki.ECDSAKey(elliptic.P256(), "index root")}, nil)
	inter := testpki.Issue(testpki.Template{CN: "Index Int", CA: true, Key: testpki.ECDSAKey(elliptic.P256(), "index int")}, root)
	leaf := testpki.Issue(testpki.Template{CN: "index.example.test", DNS: []string{"index.example.test"}}, inter)
	var buf bytes.Buffer
	i := 0
	for r := range bundle.Roots() {
		if i == 40 {
			buf.WriteString("# a comment line between certificates\n")
			buf.Write(root.PEM())
		}
		pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: r.Certificate})
		i++
	}
	dir := t.TempDir()
	f := &indexFixture{store: filepath.Join(dir, "ca-certificates.crt"), dir: filepath.Join(dir, "cache"), root: root, leaf: leaf.Cert, int: inter.Cert}
	if err := os.WriteFile(f.store, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// read is readBundle with the fixture's index directory.
func (f *indexFixture) read(t *testing.T) *chainbundle.Anchors {
	t.Helper()
	a, err := readBundle(f.store, f.dir, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// indexed is the set read through the index, and whether there was one.
func (f *indexFixture) indexed(t *testing.T) (*chainbundle.Anchors, bool) {
	t.Helper()
	fi, err := os.Stat(f.store)
	if err != nil {
		t.Fatal(err)
	}
	return indexedAnchors(f.dir, f.store, fi)
}

func (f *indexFixture) build(t *testing.T, anchors *chainbundle.Anchors) *chainbundle.Result {
	t.Helper()
	r, err := chainbundle.Build(context.Background(), []*x509.Certificate{f.leaf, f.int}, chainbundle.Options{Anchors: anchors, At: testpki.Epoch, AllowUntrusted: true})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestIndexServesTheStore: the first read indexes the store; through the
// index, the same certificates answer the same questions, and a chain is
// trusted as it is without it (bundle's TestAnchorsFromSources shows that
// only the root a chain reaches is read).
func TestIndexServesTheStore(t *testing.T) {
	needIndex(t)
	f := newIndexFixture(t)
	whole := f.read(t)
	if _, ok := f.indexed(t); !ok {
		t.Fatal("the first read left no index")
	}
	viaIndex, ok := f.indexed(t)
	if !ok || viaIndex.Len() != whole.Len() {
		t.Fatalf("through the index: %d certificates (ok %v), want %d", viaIndex.Len(), ok, whole.Len())
	}
	if again := f.read(t); again.Len() != whole.Len() {
		t.Errorf("the second read: %d certificates", again.Len())
	}
	r := f.build(t, viaIndex)
	if !r.Trusted || !r.Path[len(r.Path)-1].Equal(f.root.Cert) {
		t.Fatalf("through the index the chain is not trusted via the test root: %v", r.Path)
	}
	all, want := viaIndex.All(), whole.All()
	if len(all) != len(want) {
		t.Fatalf("All: %d certificates, want %d", len(all), len(want))
	}
	for i := range all {
		if !all[i].Equal(want[i]) {
			t.Errorf("certificate %d differs through the index", i)
		}
	}
	if !viaIndex.Contains(f.root.Cert) {
		t.Error("Contains misses the test root")
	}
}

// TestIndexFollowsTheStore: a store changed in any way is read whole and
// indexed again; the old index is not used for it.
func TestIndexFollowsTheStore(t *testing.T) {
	needIndex(t)
	for name, change := range map[string]func(t *testing.T, store string){
		"appended to": func(t *testing.T, store string) {
			other := testpki.Issue(testpki.Template{CN: "Later Root", CA: true, Key: testpki.ECDSAKey(elliptic.P256(), "later root")}, nil)
			fh, err := os.OpenFile(store, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			fh.Write(other.PEM())
			fh.Close()
		},
		"the test root removed, same size": func(t *testing.T, store string) {
			data, _ := os.ReadFile(store)
			i := bytes.Index(data, []byte("# a comment line"))
			j := i + bytes.Index(data[i:], []byte("-----END CERTIFICATE-----\n")) + len("-----END CERTIFICATE-----\n")
			os.WriteFile(store, append(append(data[:i:i], bytes.Repeat([]byte("#"), j-i-1)...), append([]byte("\n"), data[j:]...)...), 0o644)
		},
		"replaced by another file": func(t *testing.T, store string) {
			data, _ := os.ReadFile(store)
			os.WriteFile(store+".new", data, 0o644)
			os.Rename(store+".new", store)
		},
		"touched": func(t *testing.T, store string) {
			later := time.Now().Add(time.Hour)
			os.Chtimes(store, later, later)
		},
	} {
		t.Run(name, func(t *testing.T) {
			f := newIndexFixture(t)
			before := f.read(t)
			change(t, f.store)
			if _, ok := f.indexed(t); ok {
				t.Fatal("the index of the old store was used")
			}
			after := f.read(t)
			if name == "the test root removed, same size" {
				if after.Contains(f.root.Cert) || after.Len() != before.Len()-1 {
					t.Errorf("the removed root is still trusted (%d certificates, were %d)", after.Len(), before.Len())
				}
			}
			if viaIndex, ok := f.indexed(t); !ok || viaIndex.Len() != after.Len() {
				t.Errorf("the changed store was not indexed again")
			}
		})
	}
}

// TestIndexNeverAddsTrust: an index changed by someone (each change with a
// correct last line, as a careful attacker would write it) can at most
// hide a root: every certificate comes from the store and must be the one
// the index describes. A damaged index is not used at all.
func TestIndexNeverAddsTrust(t *testing.T) {
	needIndex(t)
	f := newIndexFixture(t)
	f.read(t)
	path := indexPath(f.dir, f.store)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rootLine := func(lines []string) int {
		subject := fmt.Sprint(" ", b64(f.root.Cert.RawSubject), " ")
		for i, l := range lines {
			if strings.Contains(l, subject) {
				return i
			}
		}
		t.Fatal("no line for the test root")
		return 0
	}
	// rewrite edits the entries and signs the result as writeIndex would.
	rewrite := func(edit func(lines []string) []string) []byte {
		lines := strings.Split(strings.TrimSuffix(string(good), "\n"), "\n")
		body := edit(lines[:len(lines)-1])
		text := strings.Join(body, "\n") + "\n"
		return []byte(fmt.Sprintf("%send %d %x\n", text, len(body)-3, sha256.Sum256([]byte(text))))
	}
	stranger := testpki.Issue(testpki.Template{CN: "Stranger Root", CA: true, Key: testpki.ECDSAKey(elliptic.P256(), "stranger root")}, nil)
	cases := []struct {
		name    string
		data    []byte
		ask     *x509.Certificate // the name asked for
		found   int               // how many certificates that name gives
		trusted bool              // whether the fixture's chain is trusted
	}{
		{"points the root's line at another block: the root is found in the store by its SHA-256", rewrite(func(lines []string) []string {
			i := rootLine(lines)
			other := strings.Fields(lines[i+1])
			fields := strings.Fields(lines[i])
			fields[0], fields[1] = other[0], other[1]
			lines[i] = strings.Join(fields, " ")
			return lines
		}), f.root.Cert, 1, true},
		{"drops the root and gives another root its subject", rewrite(func(lines []string) []string {
			i := rootLine(lines)
			fields := strings.Fields(lines[i+1])
			fields[3] = b64(f.root.Cert.RawSubject)
			lines[i+1] = strings.Join(fields, " ")
			return append(lines[:i], lines[i+1:]...)
		}), f.root.Cert, 0, false},
		{"claims a root the store does not hold", rewrite(func(lines []string) []string {
			fields := strings.Fields(lines[rootLine(lines)])
			return append(lines, fmt.Sprintf("%s %s %x %s %s", fields[0], fields[1], sha256.Sum256(stranger.Cert.Raw),
				b64(stranger.Cert.RawSubject), b64(stranger.Cert.SubjectKeyId)))
		}), stranger.Cert, 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(path, tc.data, 0o600); err != nil {
				t.Fatal(err)
			}
			a, ok := f.indexed(t)
			if !ok {
				t.Fatal("the index was refused; this test wants it read")
			}
			if got := a.Named(tc.ask.RawSubject); len(got) != tc.found || len(got) == 1 && !got[0].Equal(f.root.Cert) {
				t.Errorf("%s: %d certificates, want %d", tc.ask.Subject, len(got), tc.found)
			}
			if r := f.build(t, a); r.Trusted != tc.trusted {
				t.Errorf("the chain is trusted: %v, want %v", r.Trusted, tc.trusted)
			}
		})
	}
	for name, data := range map[string][]byte{
		"cut short":          good[:len(good)-20],
		"an entry changed":   bytes.Replace(good, []byte("\n0 "), []byte("\n1 "), 1),
		"another store":      bytes.Replace(good, []byte(filepath.Base(f.store)), []byte("other.crt"), 1),
		"empty":              nil,
		"another version":    bytes.Replace(good, []byte("index 1"), []byte("index 2"), 1),
		"an extra last line": append(bytes.Clone(good), "x\n"...),
	} {
		t.Run(name, func(t *testing.T) {
			os.WriteFile(path, data, 0o600)
			if _, ok := f.indexed(t); ok {
				t.Error("a damaged index was used")
			}
		})
	}
}

// FuzzParseIndex: parsing never panics, and what parses is in bounds; an
// index writeIndex made parses back to its entries.
func FuzzParseIndex(f *testing.F) {
	const id, store = "1 2 3 4 5", "/etc/ssl/cert.pem"
	subject := []byte("\x30\x0b\x31\x09\x30\x07\x06\x03\x55\x04\x03\x0c\x00")
	entry := fmt.Sprintf("0 100 %x %s -\n", sha256.Sum256(nil), b64(subject))
	head := fmt.Sprintf("%s\nidentity %s\nstore %q\n", indexMagic, id, store)
	for _, body := range []string{head, head + entry, head + entry + entry} {
		n := strings.Count(body, "\n") - 3
		f.Add([]byte(fmt.Sprintf("%send %d %x\n", body, n, sha256.Sum256([]byte(body)))))
	}
	f.Add([]byte(head))
	f.Add([]byte("end 0 00\n"))
	f.Add([]byte(entry))
	f.Add([]byte("0 1 00 AA== -\n5 9 " + strings.Repeat("ab", 32) + " AAAA AAAA\n"))
	check := func(t *testing.T, data []byte) {
		entries, err := parseIndex(data, store, id)
		if err != nil {
			return
		}
		if len(entries) > maxIndexEntries {
			t.Fatalf("%d entries", len(entries))
		}
		for _, e := range entries {
			if e.start < 0 || e.end <= e.start || e.end-e.start > maxIndexedBlock || len(e.subject) == 0 {
				t.Fatalf("entry out of bounds: %+v", e)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// As a whole index, and as the entries of one with a right
		// header and last line (which random bytes would hardly reach).
		check(t, data)
		body := head + string(data)
		if !strings.HasSuffix(body, "\n") {
			body += "\n"
		}
		n := strings.Count(body, "\n") - 3
		check(t, []byte(fmt.Sprintf("%send %d %x\n", body, n, sha256.Sum256([]byte(body)))))
	})
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// needIndex skips a test where no trust-store index is kept.
func needIndex(t *testing.T) {
	t.Helper()
	fi, err := os.Stat(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := fileIdentity(fi); !ok {
		t.Skip("no trust-store index on this platform")
	}
}

// TestIndexStoreChangedDuringRun: a set read through the index, whose
// store then changes (a package update during a long run), still finds a
// root the store holds, wherever it moved, and no longer one it dropped.
func TestIndexStoreChangedDuringRun(t *testing.T) {
	needIndex(t)
	for _, keep := range []bool{true, false} {
		t.Run(map[bool]string{true: "the root moved", false: "the root dropped"}[keep], func(t *testing.T) {
			f := newIndexFixture(t)
			f.read(t)
			a, ok := f.indexed(t)
			if !ok {
				t.Fatal("no index")
			}
			data, err := os.ReadFile(f.store)
			if err != nil {
				t.Fatal(err)
			}
			if !keep {
				data = bytes.Replace(data, f.root.PEM(), nil, 1)
			}
			other := testpki.Issue(testpki.Template{CN: "Newer Root", CA: true, Key: testpki.ECDSAKey(elliptic.P256(), "newer root")}, nil)
			if err := os.WriteFile(f.store, append(other.PEM(), data...), 0o644); err != nil {
				t.Fatal(err)
			}
			if r := f.build(t, a); r.Trusted != keep {
				t.Errorf("trusted: %v, want %v", r.Trusted, keep)
			}
			// Every other certificate moved too, and is found.
			want := a.Len()
			if !keep {
				want--
			}
			if n := len(a.All()); n != want {
				t.Errorf("All: %d certificates, want %d", n, want)
			}
		})
	}
}

// TestIndexNotWritable: a store whose index cannot be written is read as
// without one, and the debug log says why.
func TestIndexNotWritable(t *testing.T) {
	needIndex(t)
	f := newIndexFixture(t)
	var logged []string
	a, err := readBundle(f.store, filepath.Join(f.store, "not-a-dir"), func(format string, args ...any) {
		logged = append(logged, fmt.Sprintf(format, args...))
	})
	if err != nil || !a.Contains(f.root.Cert) {
		t.Fatalf("read: %v", err)
	}
	if len(logged) != 1 || !strings.Contains(logged[0], "not indexed") {
		t.Errorf("logged %q", logged)
	}
}
