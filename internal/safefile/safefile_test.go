package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// strategies runs f once per way of making a temporary file that this
// platform has: O_TMPFILE (Linux) and the named fallback.
func strategies(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	names := []string{"named"}
	if runtime.GOOS == "linux" {
		names = append(names, "O_TMPFILE")
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			testHookNoTmpfile = name == "named"
			t.Cleanup(func() { testHookNoTmpfile = false })
			f(t)
		})
	}
}

// setHook installs testHookBeforeCommit for one test.
func setHook(t *testing.T, hook func(tmp string) error) {
	t.Helper()
	testHookBeforeCommit = hook
	t.Cleanup(func() { testHookBeforeCommit = nil })
}

// reopenAfterCleanup undoes Cleanup's closing, for the tests that call it.
func reopenAfterCleanup(t *testing.T) {
	t.Cleanup(func() {
		inflight.mu.Lock()
		inflight.closed = false
		inflight.mu.Unlock()
	})
}

func readString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeString(t *testing.T, path, s string, perm os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, perm); err != nil { // past the umask
		t.Fatal(err)
	}
}

// listDir returns the names in dir, to show that nothing was left behind.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func noneInFlight(t *testing.T) {
	t.Helper()
	inflight.mu.Lock()
	defer inflight.mu.Unlock()
	if len(inflight.paths) != 0 {
		t.Errorf("temporary names still tracked: %v", inflight.paths)
	}
}

func TestWriteFileCreatesAndReplaces(t *testing.T) {
	strategies(t, func(t *testing.T) {
		dir := t.TempDir()
		p := filepath.Join(dir, "chain.pem")
		if err := WriteFile(p, []byte("new"), Public); err != nil {
			t.Fatal(err)
		}
		if got := readString(t, p); got != "new" {
			t.Errorf("after create: %q", got)
		}
		if err := WriteFile(p, []byte("newer"), Public); err != nil {
			t.Fatal(err)
		}
		if got := readString(t, p); got != "newer" {
			t.Errorf("after replace: %q", got)
		}
		if got := listDir(t, dir); !slices.Equal(got, []string{"chain.pem"}) {
			t.Errorf("directory holds %v, want only chain.pem", got)
		}
		noneInFlight(t)
	})
}

func TestWriteFileFailureKeepsOldFile(t *testing.T) {
	strategies(t, func(t *testing.T) {
		dir := t.TempDir()
		p := filepath.Join(dir, "site.pem")
		writeString(t, p, "old", 0o640)
		boom := errors.New("disk on fire")
		var sawTemp string
		setHook(t, func(tmp string) error {
			sawTemp = tmp
			if got := readString(t, tmp); got != "new" {
				t.Errorf("temporary file holds %q before the rename", got)
			}
			return boom
		})
		err := WriteFile(p, []byte("new"), Public)
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v, want the injected failure", err)
		}
		if sawTemp == "" || filepath.Dir(sawTemp) != dir {
			t.Errorf("temporary file %q not beside the destination", sawTemp)
		}
		if got := readString(t, p); got != "old" {
			t.Errorf("old file now holds %q", got)
		}
		if got := listDir(t, dir); !slices.Equal(got, []string{"site.pem"}) {
			t.Errorf("directory holds %v after the failure", got)
		}
		noneInFlight(t)
	})
}

func TestWriteFileRefusesDirectory(t *testing.T) {
	dir := t.TempDir()
	err := WriteFile(dir, []byte("x"), Public)
	if !errors.Is(err, ErrIsDirectory) || !strings.Contains(err.Error(), dir+" is a directory") {
		t.Fatalf("err = %v, want %q", err, dir+" is a directory")
	}
	if err := WriteFile(filepath.Join(dir, "missing", "x.pem"), []byte("x"), Public); err == nil {
		t.Error("a missing parent directory was accepted")
	}
	if got := listDir(t, dir); len(got) != 0 {
		t.Errorf("directory holds %v", got)
	}
}

func TestWriteFileRefusesBadMode(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x")
	if err := WriteFile(p, []byte("x"), os.ModeDir|0o755); err == nil {
		t.Error("a mode with type bits was accepted")
	}
}

func TestSymlinkFollowedAndKept(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	dir := t.TempDir()
	archive := filepath.Join(dir, "archive")
	live := filepath.Join(dir, "live")
	for _, d := range []string{archive, live} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	writeString(t, filepath.Join(archive, "cert1.pem"), "old", 0o644)
	writeString(t, filepath.Join(archive, "key1.pem"), "old", 0o600)
	writeString(t, filepath.Join(archive, "chain1.pem"), "old", 0o644)
	// certbot's layout: live/NAME -> ../archive/NAME1.
	must(os.Symlink("../archive/cert1.pem", filepath.Join(live, "cert.pem")))
	// A link to a link.
	must(os.Symlink("cert.pem", filepath.Join(live, "cert-again.pem")))
	// "sub/../x" where sub is a link: ".." is taken in sub's target
	// (archive/deep/..), not lexically (live/).
	must(os.Mkdir(filepath.Join(archive, "deep"), 0o755))
	must(os.Symlink("../archive/deep", filepath.Join(live, "sub")))
	must(os.Symlink("sub/../key1.pem", filepath.Join(live, "privkey.pem")))
	// An absolute link.
	must(os.Symlink(filepath.Join(archive, "chain1.pem"), filepath.Join(live, "chain.pem")))
	// A dangling link: the target is created.
	must(os.Symlink("../archive/fullchain1.pem", filepath.Join(live, "fullchain.pem")))

	tests := []struct {
		link, target string
	}{
		{"cert.pem", "cert1.pem"},
		{"cert-again.pem", "cert1.pem"},
		{"privkey.pem", "key1.pem"},
		{"chain.pem", "chain1.pem"},
		{"fullchain.pem", "fullchain1.pem"},
	}
	for _, tt := range tests {
		t.Run(tt.link, func(t *testing.T) {
			link := filepath.Join(live, tt.link)
			before, err := os.Readlink(link)
			must(err)
			must(WriteFile(link, []byte("new "+tt.link), Secret))
			fi, err := os.Lstat(link)
			must(err)
			if fi.Mode()&os.ModeSymlink == 0 {
				t.Fatalf("%s is no longer a link", link)
			}
			if after, _ := os.Readlink(link); after != before {
				t.Errorf("link now points to %q, was %q", after, before)
			}
			if got := readString(t, filepath.Join(archive, tt.target)); got != "new "+tt.link {
				t.Errorf("target holds %q", got)
			}
		})
	}
	if got := listDir(t, live); len(got) != 6 {
		t.Errorf("live/ holds %v, want the 6 links only", got)
	}
}

func TestSymlinkLoop(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	if err := os.Symlink("b", a); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("a", b); err != nil {
		t.Fatal(err)
	}
	err := WriteFile(a, []byte("x"), Public)
	if err == nil || !strings.Contains(err.Error(), "symbolic links") {
		t.Fatalf("err = %v, want a link loop error", err)
	}
	if fi, err := os.Lstat(a); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the looping link was replaced")
	}
}

func TestWriteDir(t *testing.T) {
	files := map[string][]byte{"01-leaf.pem": []byte("leaf"), "02-int.pem": []byte("int")}
	strategies(t, func(t *testing.T) {
		t.Run("new", func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "certs")
			if err := WriteDir(dir, files, Public); err != nil {
				t.Fatal(err)
			}
			if got := listDir(t, dir); !slices.Equal(got, []string{"01-leaf.pem", "02-int.pem"}) {
				t.Errorf("dir holds %v", got)
			}
			if got := readString(t, filepath.Join(dir, "02-int.pem")); got != "int" {
				t.Errorf("02-int.pem holds %q", got)
			}
			if got := listDir(t, parent); !slices.Equal(got, []string{"certs"}) {
				t.Errorf("parent holds %v", got)
			}
			noneInFlight(t)
		})
		t.Run("new, trailing slash", func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "certs") + string(filepath.Separator)
			if err := WriteDir(dir, files, Public); err != nil {
				t.Fatal(err)
			}
			if got := listDir(t, dir); len(got) != 2 {
				t.Errorf("dir holds %v", got)
			}
		})
		t.Run("link to an empty directory: filled, link kept", func(t *testing.T) {
			if runtime.GOOS == "windows" {
				t.Skip("symbolic links need privileges on Windows")
			}
			parent := t.TempDir()
			real := filepath.Join(parent, "real")
			if err := os.Mkdir(real, 0o755); err != nil {
				t.Fatal(err)
			}
			link := filepath.Join(parent, "certs")
			if err := os.Symlink("real", link); err != nil {
				t.Fatal(err)
			}
			if err := WriteDir(link, files, Public); err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
				t.Errorf("the link was replaced")
			}
			if got := listDir(t, real); len(got) != 2 {
				t.Errorf("target holds %v", got)
			}
		})
		t.Run("empty directory replaced", func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "certs")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := WriteDir(dir, files, Public); err != nil {
				t.Fatal(err)
			}
			if got := listDir(t, dir); len(got) != 2 {
				t.Errorf("dir holds %v", got)
			}
		})
	})
}

func TestWriteDirRefusals(t *testing.T) {
	files := map[string][]byte{"01-leaf.pem": []byte("leaf")}
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) // makes dir
		want  error
	}{
		{"regular file", func(t *testing.T, dir string) { writeString(t, dir, "precious", 0o644) }, ErrNotDirectory},
		{"link to a regular file", func(t *testing.T, dir string) {
			if runtime.GOOS == "windows" {
				t.Skip("symbolic links need privileges on Windows")
			}
			writeString(t, dir+".real", "precious", 0o644)
			if err := os.Symlink(filepath.Base(dir)+".real", dir); err != nil {
				t.Fatal(err)
			}
		}, ErrNotDirectory},
		{"non-empty directory", func(t *testing.T, dir string) {
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			writeString(t, filepath.Join(dir, "old-root.pem"), "precious", 0o644)
		}, ErrNotEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "out")
			tt.setup(t, dir)
			before := snapshot(t, parent)
			err := WriteDir(dir, files, Public)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if after := snapshot(t, parent); !maps(before, after) {
				t.Errorf("disk changed:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
}

// snapshot maps every path under root to its content ("<dir>", "-> link").
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			dest, _ := os.Readlink(p)
			m[p] = "-> " + dest
		case fi.IsDir():
			m[p] = "<dir>"
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			m[p] = string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func maps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestWriteDirRefusesUnsafeNames(t *testing.T) {
	tests := []struct {
		name  string
		files map[string][]byte
	}{
		{"separator", map[string][]byte{"../escape.pem": nil}},
		{"backslash", map[string][]byte{`a\b.pem`: nil}},
		{"dot dot", map[string][]byte{"..": nil}},
		{"windows device", map[string][]byte{"nul.pem": nil}},
		{"differ only in case", map[string][]byte{"A.pem": nil, "a.pem": nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			err := WriteDir(filepath.Join(parent, "out"), tt.files, Public)
			if !errors.Is(err, ErrBadName) {
				t.Fatalf("err = %v, want ErrBadName", err)
			}
			if got := listDir(t, parent); len(got) != 0 {
				t.Errorf("parent holds %v", got)
			}
		})
	}
}

func TestWriteDirFailureLeavesNothing(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk on fire")
	setHook(t, func(tmp string) error {
		if got := listDir(t, tmp); len(got) != 1 {
			t.Errorf("temporary dir holds %v", got)
		}
		return boom
	})
	if err := WriteDir(dir, map[string][]byte{"a.pem": []byte("a")}, Public); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if got := listDir(t, parent); !slices.Equal(got, []string{"out"}) {
		t.Errorf("parent holds %v", got)
	}
	if got := listDir(t, dir); len(got) != 0 {
		t.Errorf("the empty directory now holds %v", got)
	}
	noneInFlight(t)
}

func TestCleanupRemovesTempFiles(t *testing.T) {
	write := func(t *testing.T, dir string) error {
		return WriteFile(filepath.Join(dir, "key.pem"), []byte("new secret"), Secret)
	}
	writeDir := func(t *testing.T, dir string) error {
		return WriteDir(filepath.Join(dir, "certs"), map[string][]byte{"a.pem": []byte("a")}, Public)
	}
	for name, do := range map[string]func(*testing.T, string) error{"WriteFile": write, "WriteDir": writeDir} {
		t.Run(name, func(t *testing.T) {
			strategies(t, func(t *testing.T) {
				reopenAfterCleanup(t)
				dir := t.TempDir()
				writeString(t, filepath.Join(dir, "key.pem"), "old secret", 0o600)
				paused, resume := make(chan string), make(chan struct{})
				setHook(t, func(tmp string) error {
					paused <- tmp
					<-resume
					return nil
				})
				done := make(chan error)
				go func() { done <- do(t, dir) }()
				tmp := <-paused
				if _, err := os.Lstat(tmp); err != nil {
					t.Fatalf("temporary %s missing mid-write: %v", tmp, err)
				}
				Cleanup()
				if _, err := os.Lstat(tmp); !os.IsNotExist(err) {
					t.Errorf("Cleanup left %s (%v)", tmp, err)
				}
				close(resume)
				if err := <-done; !errors.Is(err, ErrInterrupted) {
					t.Errorf("interrupted write returned %v, want ErrInterrupted", err)
				}
				if got := listDir(t, dir); !slices.Equal(got, []string{"key.pem"}) {
					t.Errorf("directory holds %v", got)
				}
				if got := readString(t, filepath.Join(dir, "key.pem")); got != "old secret" {
					t.Errorf("key.pem holds %q", got)
				}
				// Later writes fail too: the process is exiting.
				if err := do(t, dir); !errors.Is(err, ErrInterrupted) {
					t.Errorf("write after Cleanup returned %v", err)
				}
				noneInFlight(t)
			})
		})
	}
}

// TestAwaitHandler: with a handler awaited, no write makes a temporary
// name until it is in place, and every write goes through once it is.
func TestAwaitHandler(t *testing.T) {
	writes := map[string]func(dir string) error{
		"WriteFile": func(dir string) error {
			return WriteFile(filepath.Join(dir, "out.pem"), []byte("new"), Public)
		},
		"WriteDir": func(dir string) error {
			return WriteDir(filepath.Join(dir, "certs"), map[string][]byte{"a.pem": []byte("a")}, Public)
		},
	}
	for name, do := range writes {
		t.Run(name, func(t *testing.T) {
			strategies(t, func(t *testing.T) {
				ready := make(chan struct{})
				AwaitHandler(ready)
				t.Cleanup(func() { inflight.handler.Store(nil) })
				reached := make(chan string, 1)
				setHook(t, func(tmp string) error {
					reached <- tmp
					return nil
				})
				dir := t.TempDir()
				done := make(chan error, 1)
				go func() { done <- do(dir) }()
				select {
				case tmp := <-reached:
					t.Fatalf("%s was made before the handler was in place", tmp)
				case err := <-done:
					t.Fatalf("the write ended (%v) before the handler was in place", err)
				case <-time.After(50 * time.Millisecond):
				}
				if got := listDir(t, dir); len(got) != 0 {
					t.Fatalf("directory holds %v before the handler was in place", got)
				}
				close(ready)
				if err := <-done; err != nil {
					t.Fatal(err)
				}
				<-reached
				if got := listDir(t, dir); len(got) != 1 {
					t.Errorf("directory holds %v", got)
				}
				noneInFlight(t)
			})
		})
	}
}

func TestSameFile(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.pem")
	b := filepath.Join(dir, "b.pem")
	writeString(t, a, "a", 0o644)
	writeString(t, b, "a", 0o644) // same content, another file
	hard := filepath.Join(dir, "hard.pem")
	if err := os.Link(a, hard); err != nil {
		t.Fatal(err)
	}
	soft := filepath.Join(dir, "soft.pem")
	if runtime.GOOS != "windows" {
		if err := os.Symlink("a.pem", soft); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		x, y string
		want bool
	}{
		{"same path", a, a, true},
		{"other path spelling", a, filepath.Join(dir, ".", "a.pem"), true},
		{"hard link", a, hard, true},
		{"symbolic link", soft, a, runtime.GOOS != "windows"},
		{"same content, other file", a, b, false},
		{"missing", a, filepath.Join(dir, "missing.pem"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SameFile(tt.x, tt.y)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("SameFile(%s, %s) = %v", tt.x, tt.y, got)
			}
		})
	}
}

func TestCheckNotInput(t *testing.T) {
	dir := t.TempDir()
	site := filepath.Join(dir, "site.pfx")
	other := filepath.Join(dir, "other.pem")
	writeString(t, site, "pfx", 0o600)
	writeString(t, other, "pem", 0o644)
	hard := filepath.Join(dir, "hard.pfx")
	if err := os.Link(site, hard); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		out    string
		inputs []string
		refuse bool
	}{
		{"output is an input", site, []string{other, site}, true},
		{"output is a hard link to an input", hard, []string{site}, true},
		{"output is another file", other, []string{site}, false},
		{"output does not exist", filepath.Join(dir, "new.pem"), []string{site}, false},
		{"stdout", "-", []string{site}, false},
		{"no output", "", []string{site}, false},
		{"stdin and missing inputs ignored", site, []string{"-", "", filepath.Join(dir, "gone.pem")}, false},
		{"output is a device", os.DevNull, []string{os.DevNull}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckNotInput(tt.out, tt.inputs)
			if got := err != nil; got != tt.refuse {
				t.Fatalf("err = %v, want refusal %v", err, tt.refuse)
			}
			if tt.refuse {
				want := "refusing to write " + tt.out + ": it is also an input; write to another file"
				if !errors.Is(err, ErrIsInput) || err.Error() != want {
					t.Errorf("err = %q, want %q", err, want)
				}
			}
		})
	}
}

func TestSafeName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"www.example.com", "www.example.com"},
		{"*.example.com", "wildcard.example.com"},
		{"a:b", "a-b"},
		{"R3", "R3"},
		{"DigiCert Global Root G2", "DigiCert-Global-Root-G2"},
		{"  ..hidden..  ", "hidden"},
		{"-rf", "rf"},
		{"a/../../etc/passwd", "a-..-..-etc-passwd"},
		{`C:\Windows<>|?"`, "C-Windows"},
		{"tab\there\x00nul", "tab-here-nul"},
		{"Ελληνικά CA", "CA"},
		{"", "certificate"},
		{"***", "wildcardwildcardwildcard"},
		{"???", "certificate"},
		{"CON", "_CON"},
		{"nul.example", "_nul.example"},
		{"com1", "_com1"},
		{"CONSOLE", "CONSOLE"},
		{strings.Repeat("a", 59) + ".b", strings.Repeat("a", 59)},
		{strings.Repeat("x", 80), strings.Repeat("x", 60)},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := SafeName(tt.in)
			if got != tt.want {
				t.Errorf("SafeName(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if err := CheckName(got); err != nil {
				t.Errorf("SafeName(%q) = %q, which CheckName refuses: %v", tt.in, got, err)
			}
		})
	}
}

func FuzzSafeName(f *testing.F) {
	for _, s := range []string{"*.example.com", "a:b", "", "CON", "nul.x", "..", "é/\\\x00", strings.Repeat("-.", 40)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := SafeName(s)
		if err := CheckName(got); err != nil {
			t.Fatalf("SafeName(%q) = %q: %v", s, got, err)
		}
		if err := CheckName("01-" + got + ".pem"); err != nil {
			t.Fatalf("SafeName(%q) = %q in a file name: %v", s, got, err)
		}
		if len(got) > maxNamePart+1 {
			t.Fatalf("SafeName(%q) = %q: %d bytes", s, got, len(got))
		}
	})
}

func TestCheckName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"01-leaf.pem", true},
		{"wildcard.example.com.pem", true},
		{"ü.pem", true},
		{"CONSOLE.pem", true},
		{"", false},
		{".", false},
		{"..", false},
		{"a/b", false},
		{`a\b`, false},
		{"a:b", false},
		{"a*b", false},
		{"a?b", false},
		{`a"b`, false},
		{"a<b", false},
		{"a|b", false},
		{"a\nb", false},
		{"a\x7fb", false},
		{"trailing.", false},
		{"trailing ", false},
		{"CON", false},
		{"con.pem", false},
		{"Lpt9.txt", false},
		{"COM¹", false},
		{"AUX .pem", false},
		{"CONOUT$", false},
		{"\xff.pem", false},
		{strings.Repeat("a", 256), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckName(tt.name)
			if (err == nil) != tt.ok {
				t.Fatalf("CheckName(%q) = %v, want ok %v", tt.name, err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrBadName) {
				t.Errorf("error %v does not wrap ErrBadName", err)
			}
		})
	}
}
