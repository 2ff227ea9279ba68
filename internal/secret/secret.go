package secret

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// MaxPasswordFile is the largest password file ReadPasswordFile reads, in
// bytes. A password is one line; a file of kilobytes or megabytes is
// something else given by mistake (a certificate or a key:
// --password-file key.pem for --key key.pem), and a device such as
// /dev/zero must not be read forever.
const MaxPasswordFile = 4 << 10

// ReadPasswordFile returns the first line of the file at path, without
// its line end (see the package documentation). The caller owns the
// returned bytes and may clear them after use.
func ReadPasswordFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("password file %s: %w", path, unwrapPathError(err))
	}
	defer f.Close()
	// Checked after opening, on the file actually opened. A directory opens
	// fine on Unix and fails only when read, with a less clear error.
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("password file %s: is a directory", path)
	}
	return readPassword(f, path)
}

// readPassword reads all of r, at most MaxPasswordFile bytes, and returns
// its first line. name is the file's name, for errors.
func readPassword(r io.Reader, name string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxPasswordFile+1))
	if err != nil {
		clear(data)
		return nil, fmt.Errorf("password file %s: %w", name, unwrapPathError(err))
	}
	if len(data) > MaxPasswordFile {
		clear(data)
		return nil, fmt.Errorf("password file %s: longer than %d bytes, so not a password (a certificate or a key?); a password file holds one line",
			name, MaxPasswordFile)
	}
	line := bytes.Clone(firstLine(data))
	clear(data)
	return line, nil
}

// firstLine returns data up to its first CR or LF: the first line without
// its line end, whether that is LF, CRLF or a lone CR (old Mac editors).
func firstLine(data []byte) []byte {
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
		return data[:i]
	}
	return data
}

// unwrapPathError drops the *fs.PathError around err ("open PATH: ..."),
// whose path the caller's message already names.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
