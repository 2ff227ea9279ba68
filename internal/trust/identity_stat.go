//go:build linux || darwin

package trust

import (
	"fmt"
	"os"
	"syscall"
)

// fileIdentity is what a trust-store index is valid for (index.go): the
// file's device, inode, size, modification and change times.
func fileIdentity(fi os.FileInfo) (string, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return "", false
	}
	return fmt.Sprintf("%d %d %d %d %d", st.Dev, st.Ino, fi.Size(), fi.ModTime().UnixNano(), ctimeNano(st)), true
}
