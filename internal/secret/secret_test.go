package secret

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

// secretText is a password-like string no error may ever contain.
const secretText = "S3cr3t-hunter2"

func TestReadPasswordFile(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    string
	}{
		{"LF", secretText + "\n", secretText},
		{"CRLF (Windows editors)", secretText + "\r\n", secretText},
		{"lone CR (old Mac editors)", secretText + "\r", secretText},
		{"no final line end", secretText, secretText},
		{"a second line is ignored", secretText + "\nsecond line\n", secretText},
		{"spaces are part of the password", "  " + secretText + " \n", "  " + secretText + " "},
		{"only a line end: empty, the caller decides", "\n", ""},
		{"only CRLF", "\r\n", ""},
		{"empty file", "", ""},
		{"exactly MaxPasswordFile bytes", strings.Repeat("p", MaxPasswordFile-1) + "\n", strings.Repeat("p", MaxPasswordFile-1)},
		{"non-ASCII", "pässwörd\n", "pässwörd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "pw.txt")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := ReadPasswordFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("ReadPasswordFile = %q, want %q", got, tt.want)
			}
			if got == nil {
				t.Error("nil password, want an empty one at least")
			}
		})
	}
}

func TestReadPasswordFileRefusals(t *testing.T) {
	dir := t.TempDir()
	tooLarge := filepath.Join(dir, "cert.pem")
	big := secretText + "\n" + strings.Repeat("MIIB", MaxPasswordFile/4)
	if err := os.WriteFile(tooLarge, []byte(big), 0o600); err != nil {
		t.Fatal(err)
	}
	oneOver := filepath.Join(dir, "one-over.txt")
	if err := os.WriteFile(oneOver, bytes.Repeat([]byte("p"), MaxPasswordFile+1), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.txt")
	tests := []struct {
		name, path string
		msg        string
		is         error
	}{
		{"a directory", dir, "is a directory", nil},
		{"a certificate given by mistake", tooLarge, "longer than 4096 bytes", nil},
		{"one byte over the bound", oneOver, "longer than 4096 bytes", nil},
		{"a file that does not exist", missing, "no such file", fs.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadPasswordFile(tt.path)
			if err == nil {
				t.Fatalf("ReadPasswordFile = %q, want an error", got)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "password file "+tt.path+": ") || strings.Count(msg, tt.path) != 1 {
				t.Errorf("err = %q, want it to name the file once, first", msg)
			}
			if !strings.Contains(strings.ToLower(msg), tt.msg) {
				t.Errorf("err = %q, want it to say %q", msg, tt.msg)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("err = %v, want it to wrap %v", err, tt.is)
			}
			if strings.Contains(msg, secretText) || strings.Contains(msg, "MIIB") {
				t.Errorf("err = %q contains the file's content", msg)
			}
		})
	}
}

// TestReadPasswordReadError: a failing read is reported, wrapped once with
// the file's name, and the bytes read before the failure are not in it.
func TestReadPasswordReadError(t *testing.T) {
	boom := errors.New("input/output error")
	r := io.MultiReader(strings.NewReader(secretText[:4]), iotest.ErrReader(&fs.PathError{Op: "read", Path: "/run/pw", Err: boom}))
	got, err := readPassword(r, "/run/pw")
	if !errors.Is(err, boom) {
		t.Fatalf("readPassword = %q, %v; want an error wrapping %v", got, err, boom)
	}
	if want := "password file /run/pw: input/output error"; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
	if strings.Contains(err.Error(), secretText[:4]) {
		t.Errorf("err = %q contains the bytes read", err)
	}
}

// TestReadPasswordShortReads: a reader that returns a byte at a time (a
// pipe fed slowly) still gives the whole line.
func TestReadPasswordShortReads(t *testing.T) {
	got, err := readPassword(iotest.OneByteReader(strings.NewReader(secretText+"\r\n")), "pipe")
	if err != nil || string(got) != secretText {
		t.Fatalf("readPassword = %q, %v; want %q", got, err, secretText)
	}
}
