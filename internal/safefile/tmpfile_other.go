//go:build !linux

package safefile

import (
	"errors"
	"os"
	"path/filepath"
)

var errNoUnnamed = errors.New("O_TMPFILE is Linux only")

// openUnnamed: O_TMPFILE is Linux only; a named temporary file is used.
func openUnnamed(dir string, perm os.FileMode) (*os.File, error) { return nil, errNoUnnamed }

// linkTemp is never reached without openUnnamed.
func linkTemp(f *os.File, dir, base string) (string, error) { return "", errNoUnnamed }

// isFDDir reports whether dir, resolved, is the BSDs' and macOS's /dev/fd,
// whose entries name the process's open files.
func isFDDir(dir string) bool {
	abs, err := filepath.Abs(dir)
	return err == nil && abs == "/dev/fd"
}
