// Package safefile writes chainfix's outputs without ever losing a user's
// data: a certificate chain, a private key or a PFX file lands complete or
// not at all, and nothing that was on disk before is destroyed by a run
// that fails or is interrupted.
//
// # What it accepts
//
// WriteFile writes one file. What happens depends on what the path names
// once symbolic links are followed:
//
//   - Nothing, or a regular file: the data goes to a temporary file in the
//     same directory, which is synced and renamed over the path (rename(2)
//     is atomic within a directory, so a reader sees the old file or the
//     new one, never half of either). On Linux the temporary file is first
//     an unnamed O_TMPFILE inode that gets a name only once it is complete,
//     so a process killed by SIGKILL or a power cut leaves nothing behind;
//     where O_TMPFILE or /proc is missing, a hidden named file
//     (".NAME.tmp-RANDOM") is used instead. Both are removed on failure.
//     After the rename the directory is synced, so that the new name
//     survives a crash; writes that finish together share one directory
//     sync (dirsync.go).
//   - A character device, a FIFO (named pipe) or a /dev/fd, /proc/self/fd
//     entry (-o /dev/stdout, -o /dev/null, -o /proc/self/fd/1): the path is
//     opened for writing (never created, never truncated) and the data
//     written to it. Renaming a regular file over /dev/null would break
//     the whole system; replacing a pipe would leave its reader waiting.
//     A regular file reached through a /proc/self/fd or /dev/fd entry is the
//     process's own open file (a shell redirection, maybe ">>"): it is
//     appended to, never replaced.
//   - A directory, a block device (a disk) or a socket: refused with an
//     error, nothing is written.
//
// WriteDir writes a set of files as one new directory: it fills a
// temporary directory beside the destination and renames it into place, so
// the destination holds exactly the new set or, after a failure, what it
// held before. An existing empty directory is replaced (its mode and owner
// kept); a non-empty directory is refused rather than mixed with the files
// of an earlier run (an admin who uploads "everything in the folder" would
// upload a stale root); anything else already at that path (a regular
// file, a link to one, a device) is refused and left untouched. File names
// are checked by CheckName so that no name escapes the directory or is
// refused by Windows; SafeName turns a certificate's subject into such a
// name. Missing parent directories are not created: a failed run would
// leave them behind.
//
// # Symbolic links
//
// A link is followed and the file it points to is replaced, the link kept:
// certbot's live/ directory is all links into archive/, and replacing the
// link by a file would detach it from renewals. Every link in the chain of
// the last path component (a link to a link) is checked against the rule
// of Linux's fs.protected_symlinks (see the kernel's
// Documentation/admin-guide/sysctl/fs.rst): a link that sits in a sticky,
// world-writable directory such as /tmp and whose owner is neither the
// effective user nor the directory's owner is not followed, because another
// user could point it at a file of ours (the classic /tmp symlink attack).
// We apply the rule ourselves because we never open through the link (we
// rename over its target), so the kernel's own check never runs; a
// *SymlinkError reports it. At most 40 links are followed (Linux's
// MAXSYMLINKS), so a loop of links ends in an error.
//
// # Owner and mode
//
// Files are written with one of two modes. Public (0644) is for
// certificates: a new file honours the umask (the temporary file is created
// with 0644 and the kernel applies the umask, exactly as for open(2) with
// O_CREAT, so the umask never has to be read or changed); a replaced file
// keeps its old permission bits (an admin's 0600 on a certificate stays
// 0600). Secret (0600) is for private keys and PFX files: a new file is
// exactly 0600, whatever the umask; a replaced file gets the stricter of its
// old mode and 0600 (old & 0600). The mode is set on the temporary file
// before any byte is written, so a secret is never readable by others, even
// briefly.
//
// A replaced file keeps its owner and group: the temporary file is given
// them (fchown) before the rename, because a key that a service reads as
// group ssl-cert must not silently become root:root. When that is not
// allowed (we are not root and the file belongs to someone else, or to a
// group we are not in) the write is refused with ErrOwner and the old file
// left as it was; writing in place instead would not be atomic and would
// lose the old content on a failure. When the old file is ours, nothing
// changes owner and the write goes on.
//
// # Inputs
//
// An output must never replace one of the inputs (chainfix build -o
// site.pem site.pem would otherwise read the file and then replace it; a
// failure in between, or an output that drops a certificate, destroys the
// only copy). CheckNotInput refuses that, comparing files by identity
// (device and inode, via SameFile), so a symbolic link or a hard link to an
// input is caught too.
//
// # Interruption
//
// Temporary names in flight are tracked in one process-wide set (the one
// piece of package state: a process has one set of signals). The CLI's
// SIGINT/SIGTERM handler must call Cleanup before it exits, which removes
// them; writes that have not yet renamed their temporary file into place
// then fail with ErrInterrupted, and so do later writes. Without Cleanup a
// named temporary file (the fallback where O_TMPFILE is missing, or a
// temporary directory of WriteDir) could be left behind by Ctrl-C. A CLI
// that installs its handler beside its first work says so with
// AwaitHandler: writes then wait for the handler before they make a name.
//
// # Limits
//
// Replacing a file gives it a new inode: other hard links to the old file
// keep the old content, and extended attributes, POSIX ACLs and SELinux
// labels of the old file are not copied (the new file gets the directory's
// defaults). On Windows, owners and ACLs are not kept, permission bits are
// reduced to the read-only flag, an empty directory is removed just before
// the new one is renamed into place (Windows cannot rename over a
// directory), and the symlink rule does not apply. A socket cannot be
// opened by name: write to standard output instead.
package safefile
