//go:build !unix

package safefile

import (
	"errors"
	"io/fs"
	"os"
)

// noCTTY: there are no controlling terminals here.
const noCTTY = 0

// checkLink: the sticky-directory rule is a Unix one; Windows only lets
// administrators (or developer mode) create symbolic links at all.
func checkLink(link, dir string, fi os.FileInfo) error { return nil }

// keepOwner: owners and ACLs are not kept here (see the package doc).
func keepOwner(f *os.File, old os.FileInfo) error { return nil }

// renameDir renames the directory tmp to final. Windows cannot rename over
// a directory, even an empty one: the empty one is removed first (os.Remove
// fails on a non-empty directory, which then stays), leaving a short window
// where final does not exist.
func renameDir(tmp, final string) error {
	err := os.Rename(tmp, final)
	if err == nil {
		return nil
	}
	if fi, serr := os.Lstat(final); serr != nil || !fi.IsDir() {
		return err
	}
	if rerr := os.Remove(final); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
		return err
	}
	return os.Rename(tmp, final)
}

// fsyncDir: directories cannot be synced here; NTFS journals the rename.
func fsyncDir(dir string) {}

// syncDirFile: Windows refuses to flush a directory handle ("Access
// denied"); NTFS journals the entries of a rename itself.
func syncDirFile(f *os.File) error { return nil }
