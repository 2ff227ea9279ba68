//go:build !linux && !darwin

package trust

import "os"

// fileIdentity: without a change time that only the system sets, a file
// cannot be told unchanged for certain, and no trust-store index is used.
func fileIdentity(os.FileInfo) (string, bool) { return "", false }
