package safefile

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"
)

// maxNamePart bounds what SafeName returns, so "NN-" + part + ".pem" stays
// short enough for any file system and readable in a listing.
const maxNamePart = 60

// maxName is NAME_MAX on Linux and the limit of NTFS and APFS: bytes on
// Linux, UTF-16 units elsewhere, so bytes is the strict reading.
const maxName = 255

// unsafeNameChars matches runs of what SafeName replaces: anything but
// ASCII letters, digits, '.', '_' and '-', which every file system accepts.
// Compiled on first use, as every regular expression here: a run that
// writes nothing should not pay for it at start-up.
var unsafeNameChars = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^A-Za-z0-9._-]+`) })

// SafeName turns arbitrary text, such as a certificate's common name, into
// a part of a file name that passes CheckName on every platform: '*'
// becomes "wildcard" ("*.example.com" -> "wildcard.example.com"), each run
// of other characters than ASCII letters, digits, '.', '_' and '-' becomes
// one '-', leading and trailing '-' and '.' are trimmed (no hidden files,
// nothing that looks like a flag, no trailing dot that Windows drops), the
// result is cut to 60 bytes, and a Windows device name ("CON", "nul.txt")
// gets a leading '_'. Empty text gives "certificate".
func SafeName(s string) string {
	name := unsafeNameChars().ReplaceAllString(strings.ReplaceAll(s, "*", "wildcard"), "-")
	name = strings.Trim(name, "-.")
	if len(name) > maxNamePart {
		name = strings.TrimRight(name[:maxNamePart], "-.")
	}
	if name == "" {
		return "certificate"
	}
	if isReservedName(name) {
		name = "_" + name
	}
	return name
}

// CheckName returns an error wrapping ErrBadName unless name is one plain
// file name that every platform accepts and that stays inside its
// directory: not empty, "." or "..", at most 255 bytes of valid UTF-8,
// without a path separator, any of <>:"|?* or a control character, not
// ending in a dot or a space (Windows drops them, so two names would
// collide), and not a Windows device name (CON, PRN, AUX, NUL, COM0-9,
// LPT0-9, CONIN$, CONOUT$, with or without an extension), which Windows
// opens as the device instead of a file.
func CheckName(name string) error {
	bad := func(why string) error { return fmt.Errorf("%w %q: %s", ErrBadName, name, why) }
	switch {
	case name == "":
		return fmt.Errorf("%w: the name is empty", ErrBadName)
	case name == "." || name == "..":
		return bad("it names a directory")
	case len(name) > maxName:
		return bad(fmt.Sprintf("it is longer than %d bytes", maxName))
	case !utf8.ValidString(name):
		return bad("it is not valid UTF-8")
	case strings.ContainsAny(name, `/\`):
		return bad("it contains a path separator")
	case strings.ContainsAny(name, `<>:"|?*`):
		return bad(`it contains one of <>:"|?*, which Windows refuses`)
	case strings.IndexFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0:
		return bad("it contains a control character")
	case strings.HasSuffix(name, ".") || strings.HasSuffix(name, " "):
		return bad("it ends in a dot or a space, which Windows drops")
	case isReservedName(name):
		return bad("it is a Windows device name")
	}
	return nil
}

// isReservedName reports whether Windows would open name as a device: the
// part before the first dot, trailing spaces dropped, is a device name
// (see "Naming Files, Paths, and Namespaces" in the Win32 docs; the
// superscript digits ¹²³ count as digits there).
func isReservedName(name string) bool {
	stem, _, _ := strings.Cut(name, ".")
	stem = strings.ToUpper(strings.TrimRight(stem, " "))
	switch stem {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if len(stem) > 3 && (strings.HasPrefix(stem, "COM") || strings.HasPrefix(stem, "LPT")) {
		switch stem[3:] {
		case "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "¹", "²", "³":
			return true
		}
	}
	return false
}
