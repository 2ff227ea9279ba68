package main

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/term"
)

// File modes of what chainfix writes: certificates are public, keys and
// PFX files are secrets.
const (
	modePublic = 0o644
	modeSecret = 0o600
)

// writeOutput writes data to path atomically, or to stdout when path is ""
// or "-".
func (st *state) writeOutput(path string, data []byte, mode os.FileMode) error {
	if path == "" || path == "-" {
		_, err := st.stdout.Write(data)
		return err
	}
	return writeAtomic(path, data, mode)
}

// writeAtomic writes data to a temporary file in path's directory, syncs
// it and renames it over path, so a reader never sees half a file and a
// failed run leaves what was there untouched. The mode is set before any
// byte is written, so a secret is never readable by others, even briefly.
//
// When path is a symbolic link (certbot's live/ directory is all links),
// the file it points to is replaced and the link kept. When the file
// exists, its permissions are kept if they are at least as strict as mode
// (an admin's 0600 on a certificate stays 0600; a key never gets looser
// than 0600).
func writeAtomic(path string, data []byte, mode os.FileMode) (err error) {
	if resolved, err := filepath.EvalSymlinks(path); err == nil {
		path = resolved
	}
	if fi, err := os.Stat(path); err == nil {
		if fi.IsDir() {
			return fmt.Errorf("%s is a directory", path)
		}
		if fi.Mode().Perm()&^mode == 0 {
			mode = fi.Mode().Perm()
		}
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, unwrapPathError(err))
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(mode); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, unwrapPathError(err))
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, unwrapPathError(err))
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, unwrapPathError(err))
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, unwrapPathError(err))
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, unwrapPathError(err))
	}
	return nil
}

// writeDirAtomic writes files (name -> bytes) as a new directory dir: it
// fills a temporary directory beside it and renames it into place, so dir
// holds exactly this set or, after a failure, nothing new. An existing
// empty dir is replaced; a non-empty one is refused rather than mixed with
// files of an earlier run (an admin uploading "everything in the folder"
// would upload a stale root).
func writeDirAtomic(dir string, files map[string][]byte, mode os.FileMode) (err error) {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("%s is not empty; give a new or empty directory so old certificates do not mix with the new chain", dir)
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("cannot create %s: %w", dir, unwrapPathError(err))
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-*")
	if err != nil {
		return fmt.Errorf("cannot create %s: %w", dir, unwrapPathError(err))
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	for name, data := range files {
		if err := writeAtomic(filepath.Join(tmp, name), data, mode); err != nil {
			return err
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("cannot create %s: %w", dir, unwrapPathError(err))
	}
	os.Remove(dir) // an empty directory only; a non-empty one was refused above
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("cannot create %s: %w", dir, unwrapPathError(err))
	}
	return nil
}

// unwrapPathError drops the *os.PathError wrapper whose path is the
// temporary file's, which would only confuse: the message names the
// destination instead.
func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// isTerminal reports whether w or r is an interactive terminal.
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	return ok && term.IsTerminal(int(file.Fd()))
}
