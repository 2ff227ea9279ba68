//go:build unix

package safefile

import (
	"fmt"
	"os"
	"syscall"
)

// noCTTY keeps a terminal opened as an output (-o /dev/tty) from becoming
// the controlling terminal of a process that has none.
const noCTTY = syscall.O_NOCTTY

// checkLink applies the rule of Linux's fs.protected_symlinks to link, a
// symbolic link in directory dir: in a sticky, world-writable directory a
// link is followed only when it belongs to us or to the directory's owner.
// The kernel enforces it on open(2), but we never open through the link
// (we rename over its target), so we check it here, on every platform.
func checkLink(link, dir string, fi os.FileInfo) error {
	di, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", link, unwrapPathError(err))
	}
	if di.Mode()&os.ModeSticky == 0 || di.Mode().Perm()&0o002 == 0 {
		return nil
	}
	ls, ok1 := fi.Sys().(*syscall.Stat_t)
	ds, ok2 := di.Sys().(*syscall.Stat_t)
	if !ok1 || !ok2 {
		return &SymlinkError{Link: link, Dir: dir} // cannot tell: refuse
	}
	if int(ls.Uid) == os.Geteuid() || ls.Uid == ds.Uid {
		return nil
	}
	return &SymlinkError{Link: link, Dir: dir}
}

// keepOwner gives f, a new file or directory, the owner and group of old,
// the one it replaces. It fails with ErrOwner when that is not allowed (we
// are not root and old belongs to another user or to a group we are not
// in): the caller then refuses the write rather than silently handing
// someone's file to us.
func keepOwner(f *os.File, old os.FileInfo) error {
	want, ok := old.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	have, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || (have.Uid == want.Uid && have.Gid == want.Gid) {
		return nil
	}
	if err := f.Chown(int(want.Uid), int(want.Gid)); err != nil {
		return fmt.Errorf("%w: it belongs to uid %d, gid %d and this process runs as uid %d; run as its owner or as root, or write to another file",
			ErrOwner, want.Uid, want.Gid, os.Geteuid())
	}
	return nil
}

// renameDir renames the directory tmp to final. syscall.Rename, not
// os.Rename: os.Rename refuses an existing directory as the new name, and
// replacing an empty directory in one rename(2) is what we want.
func renameDir(tmp, final string) error {
	if err := syscall.Rename(tmp, final); err != nil {
		return &os.LinkError{Op: "rename", Old: tmp, New: final, Err: err}
	}
	return nil
}

// fsyncDir flushes dir's entries to disk. Best effort: the rename is done
// and the destination complete either way, and some file systems refuse
// fsync on a directory.
func fsyncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		f.Sync()
		f.Close()
	}
}

// syncDirFile flushes an open directory's entries to disk.
func syncDirFile(f *os.File) error { return f.Sync() }
