//go:build unix

package fetch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// openEntry opens a cache entry for reading without following a symbolic
// link (O_NOFOLLOW) and only if it is a regular file. O_NONBLOCK makes the
// open of a FIFO return at once instead of waiting for a writer; the mode
// is then checked on the open file (no race with a swap), and on a regular
// file O_NONBLOCK changes nothing.
func openEntry(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		// ELOOP on Linux and macOS, EMLINK on FreeBSD.
		if isSymlinkRefusal(err) {
			return nil, fmt.Errorf("%s: a symbolic link, not followed", path)
		}
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s: not a regular file (%v)", path, fi.Mode().Type())
	}
	return f, nil
}

// isSymlinkRefusal reports the error open(2) gives for O_NOFOLLOW on a
// symbolic link.
func isSymlinkRefusal(err error) bool {
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Err {
	case syscall.ELOOP, syscall.EMLINK:
		return true
	}
	return false
}

// checkCacheDirOwner refuses a cache directory that another user could
// write to: group- or world-writable (even with the sticky bit, as /tmp
// is: another user could then plant entries named after URLs), or owned by
// someone other than uid.
func checkCacheDirOwner(dir string, fi fs.FileInfo, uid int) error {
	if perm := fi.Mode().Perm(); perm&0o022 != 0 {
		return fmt.Errorf("cache directory %s is writable by others (mode %v); run chmod go-w on it", dir, perm)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if int64(st.Uid) != int64(uid) {
		return fmt.Errorf("cache directory %s is owned by user %d, not by this user (%d)", dir, st.Uid, uid)
	}
	return nil
}
