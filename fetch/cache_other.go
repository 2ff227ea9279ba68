//go:build !unix

package fetch

import (
	"fmt"
	"io/fs"
	"os"
)

// openEntry opens a cache entry for reading only if it is a regular file,
// not a symbolic link (or another reparse point). Without O_NOFOLLOW the
// check is made before opening, then again on the open file.
func openEntry(path string) (*os.File, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file (%v)", path, fi.Mode().Type())
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	return f, nil
}

// checkCacheDirOwner: Windows ACLs do not map onto Unix modes and owners;
// the user's profile directory (the default cache) is private already.
func checkCacheDirOwner(string, fs.FileInfo, int) error { return nil }
