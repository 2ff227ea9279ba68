//go:build unix

package safefile

import (
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// withUmask sets the process umask for one test. Tests of this package do
// not run in parallel, so nothing else creates files meanwhile.
func withUmask(t *testing.T, mask int) {
	old := syscall.Umask(mask)
	t.Cleanup(func() { syscall.Umask(old) })
}

func perm(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func owner(t *testing.T, path string) (uid, gid uint32) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	return st.Uid, st.Gid
}

func needRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give files another owner")
	}
}

func TestModes(t *testing.T) {
	tests := []struct {
		name  string
		umask int
		old   os.FileMode // 0: no old file
		mode  os.FileMode
		want  os.FileMode
	}{
		{"new public honours umask 022", 0o022, 0, Public, 0o644},
		{"new public honours umask 027", 0o027, 0, Public, 0o640},
		{"new public honours umask 077", 0o077, 0, Public, 0o600},
		{"new secret is 0600 under umask 0", 0, 0, Secret, 0o600},
		{"new secret is 0600 under umask 0277", 0o277, 0, Secret, 0o600},
		{"secret over 0644 becomes 0600", 0o022, 0o644, Secret, 0o600},
		{"secret over 0640 becomes 0600", 0o022, 0o640, Secret, 0o600},
		{"secret over 0400 stays 0400", 0o022, 0o400, Secret, 0o400},
		{"secret over 0666 becomes 0600", 0, 0o666, Secret, 0o600},
		{"public over 0600 stays 0600", 0o022, 0o600, Public, 0o600},
		{"public over 0664 stays 0664", 0o022, 0o664, Public, 0o664},
		{"public over 0444 stays 0444", 0o022, 0o444, Public, 0o444},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			strategies(t, func(t *testing.T) {
				withUmask(t, tt.umask)
				p := filepath.Join(t.TempDir(), "out.pem")
				if tt.old != 0 {
					writeString(t, p, "old", tt.old)
				}
				// The mode must be in place before the first byte.
				setHook(t, func(tmp string) error {
					if got := perm(t, tmp); got != tt.want {
						t.Errorf("temporary file has mode %v before the rename", got)
					}
					return nil
				})
				if err := WriteFile(p, []byte("new"), tt.mode); err != nil {
					t.Fatal(err)
				}
				if got := perm(t, p); got != tt.want {
					t.Errorf("mode %v, want %v", got, tt.want)
				}
			})
		})
	}
}

func TestWriteDirModes(t *testing.T) {
	tests := []struct {
		name             string
		umask            int
		mode             os.FileMode
		wantDir, wantOne os.FileMode
	}{
		{"public honours umask 022", 0o022, Public, 0o755, 0o644},
		{"public honours umask 027", 0o027, Public, 0o750, 0o640},
		{"secret exact under umask 0", 0, Secret, 0o700, 0o600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			withUmask(t, tt.umask)
			dir := filepath.Join(t.TempDir(), "out")
			if err := WriteDir(dir, map[string][]byte{"a.pem": []byte("a")}, tt.mode); err != nil {
				t.Fatal(err)
			}
			if got := perm(t, dir); got != tt.wantDir {
				t.Errorf("directory mode %v, want %v", got, tt.wantDir)
			}
			if got := perm(t, filepath.Join(dir, "a.pem")); got != tt.wantOne {
				t.Errorf("file mode %v, want %v", got, tt.wantOne)
			}
		})
	}
	t.Run("empty directory keeps its mode", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "out")
		if err := os.Mkdir(dir, 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, 0o710); err != nil {
			t.Fatal(err)
		}
		if err := WriteDir(dir, map[string][]byte{"a.pem": []byte("a")}, Public); err != nil {
			t.Fatal(err)
		}
		if got := perm(t, dir); got != 0o710 {
			t.Errorf("directory mode %v, want 0710", got)
		}
	})
}

func TestOwnerKept(t *testing.T) {
	needRoot(t)
	const nobody = 65534
	strategies(t, func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "privkey.pem")
		writeString(t, p, "old", 0o640)
		if err := os.Chown(p, nobody, nobody); err != nil {
			t.Fatal(err)
		}
		setHook(t, func(tmp string) error {
			if uid, gid := owner(t, tmp); uid != nobody || gid != nobody {
				t.Errorf("temporary file owned by %d:%d before the rename", uid, gid)
			}
			return nil
		})
		if err := WriteFile(p, []byte("new"), Secret); err != nil {
			t.Fatal(err)
		}
		if uid, gid := owner(t, p); uid != nobody || gid != nobody {
			t.Errorf("owner %d:%d, want %d:%d", uid, gid, nobody, nobody)
		}
		if got := perm(t, p); got != 0o600 {
			t.Errorf("mode %v", got)
		}
	})
	t.Run("empty directory", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "out")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(dir, nobody, 0); err != nil {
			t.Fatal(err)
		}
		if err := WriteDir(dir, map[string][]byte{"a.pem": []byte("a")}, Public); err != nil {
			t.Fatal(err)
		}
		if uid, gid := owner(t, dir); uid != nobody || gid != 0 {
			t.Errorf("owner %d:%d, want %d:0", uid, gid, nobody)
		}
	})
}

// TestOwnerRefused runs writes as an unprivileged user (the test binary
// again, under uid/gid 65534) over files it cannot give their owner back.
func TestOwnerRefused(t *testing.T) {
	if dir := os.Getenv("SAFEFILE_TEST_OWNER_DIR"); dir != "" {
		ownerHelper(t, dir)
		return
	}
	needRoot(t)
	const nobody = 65534
	// A world-readable place for the binary and the files: t.TempDir is
	// 0700 and so is the go build cache.
	base, err := os.MkdirTemp("", "safefile-owner-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o777); err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	helper := filepath.Join(base, "safefile.test")
	if err := os.WriteFile(helper, bin, 0o755); err != nil {
		t.Fatal(err)
	}
	// Writable by everyone, so only the owner rule stops the helper.
	writeString(t, filepath.Join(base, "root.pem"), "root's", 0o666)
	writeString(t, filepath.Join(base, "mine-root-group.pem"), "mine, group root", 0o666)
	if err := os.Chown(filepath.Join(base, "mine-root-group.pem"), nobody, 0); err != nil {
		t.Fatal(err)
	}
	writeString(t, filepath.Join(base, "mine.pem"), "mine", 0o644)
	if err := os.Chown(filepath.Join(base, "mine.pem"), nobody, nobody); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(helper, "-test.run=^TestOwnerRefused$", "-test.v")
	cmd.Env = append(os.Environ(), "SAFEFILE_TEST_OWNER_DIR="+base)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		if strings.Contains(string(out), "--- FAIL") {
			t.Fatalf("helper failed:\n%s", out)
		}
		t.Skipf("cannot run a helper as uid %d: %v\n%s", nobody, err, out)
	}
	if !strings.Contains(string(out), "--- PASS: TestOwnerRefused") {
		t.Fatalf("helper did not run:\n%s", out)
	}
	want := map[string]string{"root.pem": "root's", "mine-root-group.pem": "mine, group root", "mine.pem": "new"}
	for name, content := range want {
		if got := readString(t, filepath.Join(base, name)); got != content {
			t.Errorf("%s holds %q, want %q", name, got, content)
		}
	}
	if uid, gid := owner(t, filepath.Join(base, "root.pem")); uid != 0 || gid != 0 {
		t.Errorf("root.pem now owned by %d:%d", uid, gid)
	}
}

func ownerHelper(t *testing.T, dir string) {
	if os.Geteuid() == 0 {
		t.Fatal("helper runs as root")
	}
	for _, name := range []string{"root.pem", "mine-root-group.pem"} {
		err := WriteFile(filepath.Join(dir, name), []byte("new"), Public)
		if !errors.Is(err, ErrOwner) {
			t.Errorf("%s: err = %v, want ErrOwner", name, err)
		} else if !strings.HasPrefix(err.Error(), "refusing to replace ") {
			t.Errorf("%s: message %q", name, err)
		}
	}
	if err := WriteFile(filepath.Join(dir, "mine.pem"), []byte("new"), Public); err != nil {
		t.Errorf("mine.pem: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 4 {
		t.Errorf("directory holds %d entries, want 4 (no temporary file)", len(entries))
	}
}

func TestFailureKeepsOldFileNotWritableDir(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes into a read-only directory anyway")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "site.pem")
	writeString(t, p, "old", 0o644)
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	if err := WriteFile(p, []byte("new"), Public); err == nil {
		t.Fatal("write into a read-only directory succeeded")
	}
	if got := readString(t, p); got != "old" {
		t.Errorf("old file now holds %q", got)
	}
}

// TestFailureKeepsOldFileFileTooBig makes the write itself fail, as a full
// disk would, with a file size limit (RLIMIT_FSIZE: EFBIG; the Go runtime
// ignores SIGXFSZ). The limit is process-wide, so the test runs in a child
// process of its own, where nothing else (such as go test's log) writes.
func TestFailureKeepsOldFileFileTooBig(t *testing.T) {
	if os.Getenv("SAFEFILE_TEST_FSIZE") == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestFailureKeepsOldFileFileTooBig$", "-test.v")
		cmd.Env = append(os.Environ(), "SAFEFILE_TEST_FSIZE=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestFailureKeepsOldFileFileTooBig") {
			t.Fatalf("child: %v\n%s", err, out)
		}
		return
	}
	strategies(t, func(t *testing.T) {
		dir := t.TempDir()
		p := filepath.Join(dir, "chain.pem")
		writeString(t, p, "old", 0o644)
		var old syscall.Rlimit
		if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: 16, Max: old.Max}); err != nil {
			t.Skip(err)
		}
		err := WriteFile(p, []byte(strings.Repeat("new chain ", 10)), Public)
		syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old)
		if !errors.Is(err, syscall.EFBIG) {
			t.Fatalf("err = %v, want EFBIG", err)
		}
		if !strings.HasPrefix(err.Error(), "cannot write "+p+": ") {
			t.Errorf("message %q does not name the destination", err)
		}
		if got := readString(t, p); got != "old" {
			t.Errorf("old file now holds %q", got)
		}
		if got := listDir(t, dir); len(got) != 1 {
			t.Errorf("directory holds %v", got)
		}
		noneInFlight(t)
	})
}

// TestWriteToDevice writes to a character device. As root it uses a
// private copy of /dev/null (made with mknod in a temporary directory), so
// that a bug which renamed a file over the device could not break the
// machine's own /dev/null; otherwise /dev/null itself, which an
// unprivileged process cannot replace.
func TestWriteToDevice(t *testing.T) {
	dev := os.DevNull
	if os.Geteuid() == 0 {
		dev = filepath.Join(t.TempDir(), "null")
		if err := mknod(dev, syscall.S_IFCHR, 1, 3); err != nil {
			t.Skipf("cannot make a device node: %v", err)
		}
		if err := os.Chmod(dev, 0o666); err != nil {
			t.Fatal(err)
		}
		if f, err := os.OpenFile(dev, os.O_WRONLY, 0); err != nil {
			t.Skipf("cannot open a device node here (nodev mount?): %v", err)
		} else {
			f.Close()
		}
	}
	if err := WriteFile(dev, []byte("discarded"), Secret); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(dev)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("%s is no longer a character device: %v", dev, fi.Mode())
	}
	if got := fi.Mode().Perm(); got != 0o666 {
		t.Errorf("%s mode changed to %v", dev, got)
	}
}

// TestWriteToFIFO writes to a named pipe. The read end is opened first,
// non-blocking, so the write never waits and a bug that replaced the FIFO
// shows as an empty read instead of a hung test.
func TestWriteToFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := WriteFile(p, []byte("chain"), Public); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(r) // the writer is closed: data, then EOF
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "chain" {
		t.Errorf("reader got %q", b)
	}
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced by %v", fi.Mode())
	}
}

// TestWriteThroughFD covers -o /dev/stdout and -o /proc/self/fd/N: the
// process's own open file is written to, never replaced, and a regular
// file (a shell's ">>") is appended to.
func TestWriteThroughFD(t *testing.T) {
	fdDir := "/dev/fd"
	if _, err := os.Stat("/proc/self/fd"); err == nil {
		fdDir = "/proc/self/fd"
	}
	if _, err := os.Stat(fdDir); err != nil {
		t.Skip("no fd directory")
	}
	t.Run("pipe", func(t *testing.T) {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		got := make(chan string)
		go func() {
			b, _ := io.ReadAll(r)
			got <- string(b)
		}()
		err = WriteFile(filepath.Join(fdDir, strconv.Itoa(int(w.Fd()))), []byte("to the pipe"), Public)
		w.Close()
		if err != nil {
			t.Fatal(err)
		}
		if s := <-got; s != "to the pipe" {
			t.Errorf("pipe got %q", s)
		}
	})
	t.Run("appended regular file", func(t *testing.T) {
		dir := t.TempDir()
		p := filepath.Join(dir, "log")
		writeString(t, p, "earlier output\n", 0o644)
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		before, _ := os.Stat(p)
		if err := WriteFile(filepath.Join(fdDir, strconv.Itoa(int(f.Fd()))), []byte("chain\n"), Secret); err != nil {
			t.Fatal(err)
		}
		if got := readString(t, p); got != "earlier output\nchain\n" {
			t.Errorf("file holds %q", got)
		}
		after, _ := os.Stat(p)
		if !os.SameFile(before, after) {
			t.Error("the open file was replaced, not written to")
		}
		if got := listDir(t, dir); len(got) != 1 {
			t.Errorf("directory holds %v", got)
		}
	})
}

func TestRefusesSocketAndBlockDevice(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "s.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Skip(err)
	}
	defer l.Close()
	if err := WriteFile(sock, []byte("x"), Public); err == nil || !strings.Contains(err.Error(), "socket") {
		t.Errorf("socket: err = %v", err)
	}
	if fi, err := os.Lstat(sock); err != nil || fi.Mode()&os.ModeSocket == 0 {
		t.Error("the socket was replaced")
	}

	blk := filepath.Join(dir, "disk")
	if err := mknod(blk, syscall.S_IFBLK, 7, 0); err != nil { // loop0
		t.Skipf("cannot make a block device node: %v", err)
	}
	if err := WriteFile(blk, []byte("x"), Public); err == nil || !strings.Contains(err.Error(), "block device") {
		t.Errorf("block device: err = %v", err)
	}
	if fi, err := os.Lstat(blk); err != nil || fi.Mode()&os.ModeDevice == 0 {
		t.Error("the block device was replaced")
	}
}

// TestStickyDirectoryRule checks the fs.protected_symlinks rule: in a
// sticky world-writable directory owned by uid 1000, a link is followed
// only when it belongs to us (root) or to uid 1000.
func TestStickyDirectoryRule(t *testing.T) {
	needRoot(t)
	const dirOwner, stranger = 1000, 65534
	tests := []struct {
		name      string
		dirMode   os.FileMode
		linkOwner int
		refuse    bool
	}{
		{"sticky world-writable, link of another user", os.ModeSticky | 0o777, stranger, true},
		{"sticky world-writable, link of the directory owner", os.ModeSticky | 0o777, dirOwner, false},
		{"sticky world-writable, our own link", os.ModeSticky | 0o777, 0, false},
		{"sticky, not world-writable", os.ModeSticky | 0o775, stranger, false},
		{"world-writable, not sticky", 0o777, stranger, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			target := filepath.Join(base, "target.pem")
			writeString(t, target, "precious", 0o644)
			sticky := filepath.Join(base, "tmp")
			if err := os.Mkdir(sticky, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(sticky, tt.dirMode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chown(sticky, dirOwner, dirOwner); err != nil {
				t.Fatal(err)
			}
			link := filepath.Join(sticky, "out.pem")
			if err := os.Symlink(target, link); err != nil {
				t.Fatal(err)
			}
			if err := os.Lchown(link, tt.linkOwner, tt.linkOwner); err != nil {
				t.Fatal(err)
			}
			// A link of ours to that link: every hop is checked.
			viaOurs := filepath.Join(base, "via-ours.pem")
			if err := os.Symlink(link, viaOurs); err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{link, viaOurs} {
				err := WriteFile(p, []byte("attacker's choice"), Public)
				var se *SymlinkError
				if tt.refuse {
					if !errors.As(err, &se) {
						t.Fatalf("%s: err = %v, want a SymlinkError", p, err)
					}
					want := "refusing to follow symlink " + link + " in sticky world-writable directory " + sticky + " owned by another user"
					if err.Error() != want {
						t.Errorf("message %q, want %q", err, want)
					}
					if got := readString(t, target); got != "precious" {
						t.Errorf("target holds %q", got)
					}
				} else if err != nil {
					t.Fatalf("%s: %v", p, err)
				}
			}
			if err := WriteDir(link, map[string][]byte{"a.pem": nil}, Public); tt.refuse && !errors.As(err, new(*SymlinkError)) {
				t.Errorf("WriteDir: err = %v, want a SymlinkError", err)
			}
		})
	}
}
