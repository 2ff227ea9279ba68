package safefile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"

	"golang.org/x/sys/unix"
)

// openUnnamed opens an unnamed regular file in dir with O_TMPFILE (Linux
// 3.11+; not every file system): until linkTemp names it, a killed process
// leaves nothing behind. perm is subject to the umask, as with O_CREAT.
func openUnnamed(dir string, perm os.FileMode) (*os.File, error) {
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_WRONLY|unix.O_CLOEXEC, uint32(perm.Perm()))
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: dir, Err: err}
	}
	return os.NewFile(uintptr(fd), filepath.Join(dir, "(O_TMPFILE)")), nil
}

// linkTemp gives the complete unnamed file f a fresh temporary name in dir
// and returns it. linkat(2) through /proc/self/fd is the documented way
// (open(2), O_TMPFILE) that needs no CAP_DAC_READ_SEARCH; the name can
// only be new, so the rename that follows does the replacing.
func linkTemp(f *os.File, dir, base string) (string, error) {
	src := "/proc/self/fd/" + strconv.Itoa(int(f.Fd()))
	for {
		name := tempName(dir, base)
		err := unix.Linkat(unix.AT_FDCWD, src, unix.AT_FDCWD, name, unix.AT_SYMLINK_FOLLOW)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", &os.LinkError{Op: "linkat", Old: src, New: name, Err: err}
		}
		return name, nil
	}
}

// procFDDir matches a resolved /proc/self/fd (or /dev/fd, a link to it):
// its entries look like links but name open files, not paths.
// Compiled on first use.
var procFDDir = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^/proc/[0-9]+(/task/[0-9]+)?/fd$`) })

// isFDDir reports whether dir, resolved, is a process's fd directory.
func isFDDir(dir string) bool {
	abs, err := filepath.Abs(dir)
	return err == nil && procFDDir().MatchString(abs)
}
