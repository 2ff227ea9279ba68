//go:build unix && !linux

package safefile

import "errors"

// mknod: device numbers are encoded differently on every BSD; the tests
// that need a private device node skip here.
func mknod(path string, typ, major, minor uint32) error {
	return errors.New("mknod not supported by these tests here")
}
