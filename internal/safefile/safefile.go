package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// File modes of what chainfix writes: certificates are public, private
// keys and PFX files are secrets. Any mode without group or other bits is
// treated like Secret (exact on a new file, never loosened on an old one),
// any other like Public (umask on a new file, old mode kept).
const (
	Public os.FileMode = 0o644
	Secret os.FileMode = 0o600
)

// dirPublic and dirSecret are the modes of a directory made by WriteDir
// for Public and Secret files: a directory of secrets is closed to others
// too, since its listing says which keys exist.
const (
	dirPublic os.FileMode = 0o755
	dirSecret os.FileMode = 0o700
)

// maxLinks bounds a chain of symbolic links, as Linux's MAXSYMLINKS (40)
// does, so a loop of links ends in an error instead of running forever.
const maxLinks = 40

// maxTempBase bounds the part of a temporary name copied from the
// destination's name, so ".NAME.tmp-RANDOM" stays under NAME_MAX (255)
// even for a destination name that is itself near that limit.
const maxTempBase = 100

// Errors of this package, for errors.Is; the messages they end up in name
// the path and give a hint.
var (
	// ErrIsDirectory: WriteFile was given a directory.
	ErrIsDirectory = errors.New("is a directory")
	// ErrNotEmpty: WriteDir was given a directory that has files in it.
	ErrNotEmpty = errors.New("is not empty")
	// ErrNotDirectory: WriteDir was given a path where something other
	// than a directory (a file, a device) already is.
	ErrNotDirectory = errors.New("exists and is not a directory")
	// ErrOwner: the file to replace belongs to another user or group, and
	// this process cannot give the new file that owner.
	ErrOwner = errors.New("its owner and group cannot be kept")
	// ErrIsInput: CheckNotInput found the output among the inputs.
	ErrIsInput = errors.New("it is also an input")
	// ErrBadName: a file name given to WriteDir or CheckName is unsafe.
	ErrBadName = errors.New("unsafe file name")
	// ErrInterrupted: Cleanup ran (the process is being stopped), so the
	// write was abandoned and its temporary file removed.
	ErrInterrupted = errors.New("interrupted; temporary files removed")
)

// SymlinkError reports a symbolic link that is not followed because it
// sits in a sticky, world-writable directory and belongs to another user
// (the rule of Linux's fs.protected_symlinks; see the package doc).
type SymlinkError struct {
	Link string // the link, its directory resolved
	Dir  string // the sticky directory it sits in
}

func (e *SymlinkError) Error() string {
	return fmt.Sprintf("refusing to follow symlink %s in sticky world-writable directory %s owned by another user", e.Link, e.Dir)
}

// Test hooks, set only by tests: testHookBeforeCommit runs when a
// temporary file or directory is complete, just before it is renamed into
// place (an error it returns fails the write); testHookNoTmpfile forces
// the named temporary file used where O_TMPFILE is missing.
var (
	testHookBeforeCommit func(tmp string) error
	testHookNoTmpfile    bool
)

// WriteFile writes data to path without ever losing what was there: a
// regular file (or none) is replaced atomically, a device or pipe is
// written to, a directory is refused. Symbolic links are followed (the
// target is replaced, the link kept) unless the rule of
// fs.protected_symlinks forbids it. mode is Public or Secret; see the
// package doc for how it combines with an old file's mode and the umask.
func WriteFile(path string, data []byte, mode os.FileMode) error {
	if err := checkMode(mode); err != nil {
		return err
	}
	t, err := resolve(path)
	if err != nil {
		return err
	}
	switch {
	case t.viaFD:
		return writeInPlace(path, t.path, data, true)
	case t.info == nil:
		return replace(path, t.path, data, mode, nil)
	case t.info.IsDir():
		return fmt.Errorf("%s %w", path, ErrIsDirectory)
	case t.info.Mode().IsRegular():
		return replace(path, t.path, data, mode, t.info)
	default:
		return writeInPlace(path, t.path, data, false)
	}
}

// WriteDir writes files (name -> bytes) as the new directory dir, every
// file with mode: it fills a temporary directory beside dir and renames it
// into place, so dir holds exactly this set or, after a failure, what it
// held before. A missing or empty dir is accepted (an empty one keeps its
// mode and owner); a non-empty directory is refused with ErrNotEmpty and
// anything else at that path with ErrNotDirectory, both left untouched.
// Every name must pass CheckName, and no two may differ only in case (they
// would collide on Windows and macOS). dir's parent must exist.
func WriteDir(dir string, files map[string][]byte, mode os.FileMode) error {
	set := make([]File, 0, len(files))
	for name, data := range files {
		set = append(set, File{Name: name, Data: data, Mode: mode})
	}
	return WriteFiles(dir, set)
}

// File is one file of a set written by WriteFiles.
type File struct {
	Name string
	Data []byte
	Mode os.FileMode // Public or Secret
}

// WriteFiles is WriteDir for files of different modes (a certificate and
// its key): the same rules, each file with its own mode; the directory is
// closed to others (0700) when any file is Secret.
func WriteFiles(dir string, files []File) (err error) {
	byName := map[string]File{}
	secretDir := false
	for _, f := range files {
		if err := checkMode(f.Mode); err != nil {
			return err
		}
		if _, dup := byName[f.Name]; dup {
			return fmt.Errorf("cannot write %s: %w: %q given twice", dir, ErrBadName, f.Name)
		}
		byName[f.Name] = f
		secretDir = secretDir || isSecret(f.Mode)
	}
	names := make([]string, 0, len(byName))
	for name := range byName {
		names = append(names, name)
	}
	sort.Strings(names)
	folded := map[string]string{}
	for _, name := range names {
		if err := CheckName(name); err != nil {
			return fmt.Errorf("cannot write %s: %w", dir, err)
		}
		key := strings.ToLower(name)
		if other, ok := folded[key]; ok {
			return fmt.Errorf("cannot write %s: %w: %q and %q differ only in case", dir, ErrBadName, other, name)
		}
		folded[key] = name
	}

	t, err := resolve(trimSeparators(dir)) // "certs/" names certs
	if err != nil {
		return err
	}
	hint := "give a new or empty directory so old certificates do not mix with the new ones"
	if t.viaFD || (t.info != nil && !t.info.IsDir()) {
		return fmt.Errorf("refusing to write into %s: %s %w; %s", dir, dir, ErrNotDirectory, hint)
	}
	old := t.info
	if old != nil {
		entries, err := os.ReadDir(t.path)
		if err != nil {
			return fmt.Errorf("cannot write %s: %w", dir, unwrapPathError(err))
		}
		if len(entries) > 0 {
			return fmt.Errorf("refusing to write into %s: %s %w; %s", dir, dir, ErrNotEmpty, hint)
		}
	}

	parent, base := filepath.Dir(t.path), filepath.Base(t.path)
	perm := dirPublic
	if secretDir {
		perm = dirSecret
	}
	tmp, err := track(func() (string, error) { return mkdirTemp(parent, base, perm) })
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", dir, unwrapPathError(err))
	}
	defer func() {
		if err != nil {
			discard(tmp)
		}
	}()
	for _, name := range names {
		if err := writeNew(filepath.Join(tmp, name), byName[name].Data, byName[name].Mode); err != nil {
			return fmt.Errorf("cannot write %s: %w", filepath.Join(dir, name), unwrapPathError(err))
		}
	}
	if err := finishDir(tmp, perm, secretDir, old); err != nil {
		if errors.Is(err, ErrOwner) {
			return fmt.Errorf("refusing to replace the empty directory %s: %w", dir, err)
		}
		return fmt.Errorf("cannot write %s: %w", dir, unwrapPathError(err))
	}
	if testHookBeforeCommit != nil {
		if err := testHookBeforeCommit(tmp); err != nil {
			return err
		}
	}
	if err := commit(tmp, t.path, renameDir); err != nil {
		return fmt.Errorf("cannot write %s: %w", dir, unwrapPathError(err))
	}
	syncDir(parent)
	return nil
}

// finishDir gives a complete temporary directory its final mode and, when
// it replaces an empty directory, that directory's owner and mode. It runs
// after the files are written, so a read-only old mode does not stop them.
func finishDir(tmp string, perm os.FileMode, secret bool, old os.FileInfo) error {
	f, err := os.Open(tmp)
	if err != nil {
		return err
	}
	defer f.Close()
	switch {
	case old != nil:
		if err := keepOwner(f, old); err != nil {
			return err
		}
		perm = old.Mode().Perm()
	case !secret:
		return syncDirFile(f) // created with 0755: the umask applied
	}
	if err := f.Chmod(perm); err != nil {
		return err
	}
	return syncDirFile(f)
}

// checkMode accepts permission bits only.
func checkMode(mode os.FileMode) error {
	if mode&^os.ModePerm != 0 {
		return fmt.Errorf("safefile: mode %v is not a permission; use safefile.Public or safefile.Secret", mode)
	}
	return nil
}

// isSecret reports whether mode closes the file to group and others.
func isSecret(mode os.FileMode) bool { return mode&0o077 == 0 }

// target is what a path names once links are followed.
type target struct {
	path  string      // the final path, no link in its last component
	info  os.FileInfo // its Lstat; nil when nothing is there
	viaFD bool        // a /proc/self/fd or /dev/fd entry: write through it
}

// resolve follows the symbolic links of name's last component, checking
// each against the protected_symlinks rule, and resolves the directory of
// each hop with filepath.EvalSymlinks (so "dir/../x" in a link means what
// the kernel says it means). It stops at a /proc/self/fd or /dev/fd entry,
// whose "link" names an open file rather than a path.
func resolve(name string) (target, error) {
	if name == "" {
		return target{}, errors.New("cannot write a file with an empty name")
	}
	p := name
	for hops := 0; ; hops++ {
		dir, base := splitLast(p)
		if base == "" || base == "." || base == ".." {
			// A name that can only be a directory ("out/", "..").
			fi, err := os.Stat(p)
			if errors.Is(err, fs.ErrNotExist) {
				return target{}, fmt.Errorf("cannot write %s: %s does not exist", name, p)
			}
			if err != nil {
				return target{}, fmt.Errorf("cannot write %s: %w", name, unwrapPathError(err))
			}
			real, err := filepath.EvalSymlinks(p)
			if err != nil {
				return target{}, fmt.Errorf("cannot write %s: %w", name, unwrapPathError(err))
			}
			return target{path: real, info: fi}, nil
		}
		realDir, err := filepath.EvalSymlinks(dir)
		if err != nil {
			return target{}, fmt.Errorf("cannot write %s: directory %s: %w", name, dir, unwrapPathError(err))
		}
		p = filepath.Join(realDir, base)
		if isFDDir(realDir) {
			return target{path: p, viaFD: true}, nil
		}
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return target{path: p}, nil
		}
		if err != nil {
			return target{}, fmt.Errorf("cannot write %s: %w", name, unwrapPathError(err))
		}
		if fi.Mode()&os.ModeSymlink == 0 {
			return target{path: p, info: fi}, nil
		}
		if hops == maxLinks {
			return target{}, fmt.Errorf("cannot write %s: more than %d symbolic links in a row (a loop?)", name, maxLinks)
		}
		if err := checkLink(p, realDir, fi); err != nil {
			return target{}, err
		}
		dest, err := os.Readlink(p)
		if err != nil {
			return target{}, fmt.Errorf("cannot write %s: %w", name, unwrapPathError(err))
		}
		switch {
		case filepath.IsAbs(dest):
		case filepath.VolumeName(dest) == "" && dest != "" && os.IsPathSeparator(dest[0]):
			dest = filepath.VolumeName(realDir) + dest // Windows: rooted, no drive
		default:
			// No filepath.Join: it would clean "sub/../x" lexically,
			// which is wrong when sub is itself a link.
			dest = realDir + string(filepath.Separator) + dest
		}
		p = dest
	}
}

// trimSeparators drops trailing separators, but not a root's.
func trimSeparators(p string) string {
	vol := filepath.VolumeName(p)
	for len(p) > len(vol)+1 && os.IsPathSeparator(p[len(p)-1]) {
		p = p[:len(p)-1]
	}
	return p
}

// splitLast splits p after its last separator without cleaning it: dir
// keeps that separator ("." when there is none).
func splitLast(p string) (dir, base string) {
	vol := filepath.VolumeName(p)
	rest := p[len(vol):]
	for i := len(rest) - 1; i >= 0; i-- {
		if os.IsPathSeparator(rest[i]) {
			return vol + rest[:i+1], rest[i+1:]
		}
	}
	return vol + ".", rest
}

// writeInPlace writes data to a character device, a FIFO, or (viaFD) a
// /proc/self/fd or /dev/fd entry, without creating or truncating anything.
// It refuses what must not be written in place: a block device (a disk),
// a directory, a socket, and a regular file not reached through an fd
// entry (replace handles those).
func writeInPlace(name, path string, data []byte, viaFD bool) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", name, unwrapPathError(err))
	}
	if err := checkInPlace(name, fi, viaFD); err != nil {
		return err
	}
	flag := os.O_WRONLY | noCTTY
	if viaFD {
		// The process's own stdout may be a file opened with ">>": write
		// after what is there, as writing to fd 1 would.
		flag |= os.O_APPEND
	}
	f, err := os.OpenFile(path, flag, 0)
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", name, unwrapPathError(err))
	}
	// What was opened may not be what was checked (it was swapped in
	// between): check the open file again before writing a byte.
	if fi, err = f.Stat(); err == nil {
		err = checkInPlace(name, fi, viaFD)
	}
	if err == nil {
		_, err = f.Write(data)
		if err != nil {
			err = fmt.Errorf("cannot write %s: %w", name, unwrapPathError(err))
		}
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("cannot write %s: %w", name, unwrapPathError(cerr))
	}
	return err
}

// checkInPlace says whether a file of fi's type may be written in place.
func checkInPlace(name string, fi os.FileInfo, viaFD bool) error {
	m := fi.Mode()
	switch {
	case m.IsDir():
		return fmt.Errorf("%s %w", name, ErrIsDirectory)
	case m&os.ModeSocket != 0:
		return fmt.Errorf("cannot write %s: it is a socket, which cannot be opened by name; write to standard output instead", name)
	case m&os.ModeDevice != 0 && m&os.ModeCharDevice == 0:
		return fmt.Errorf("refusing to write %s: it is a block device (a disk); write to a file", name)
	case m&os.ModeCharDevice != 0, m&os.ModeNamedPipe != 0:
		return nil
	case m.IsRegular() && viaFD:
		return nil
	case m.IsRegular():
		return fmt.Errorf("cannot write %s: it was replaced by a regular file while being opened; try again", name)
	default:
		return fmt.Errorf("refusing to write %s: it is not a regular file, a character device or a pipe (mode %v)", name, m)
	}
}

// replace writes data to a temporary file beside final and renames it over
// final; old is final's Lstat, nil when final does not exist. name is the
// path as the caller gave it, for messages.
func replace(name, final string, data []byte, mode os.FileMode, old os.FileInfo) error {
	// Public new files are created with mode and get the umask from the
	// kernel; everything else is created 0600 and set exactly with fchmod
	// before the first byte.
	perm, create, chmod := mode, mode, false
	switch {
	case old != nil && isSecret(mode):
		perm, create, chmod = old.Mode().Perm()&mode, 0o600, true
	case old != nil:
		perm, create, chmod = old.Mode().Perm(), 0o600, true
	case isSecret(mode):
		create, chmod = 0o600, true
	}
	dir, base := filepath.Dir(final), filepath.Base(final)
	tmp, err := writeTemp(dir, base, data, create, perm, chmod, old, !testHookNoTmpfile)
	if errors.Is(err, errNoTmpfile) {
		tmp, err = writeTemp(dir, base, data, create, perm, chmod, old, false)
	}
	if err != nil {
		if errors.Is(err, ErrOwner) {
			return fmt.Errorf("refusing to replace %s: %w", name, err)
		}
		return fmt.Errorf("cannot write %s: %w", name, unwrapPathError(err))
	}
	if testHookBeforeCommit != nil {
		if err := testHookBeforeCommit(tmp); err != nil {
			discard(tmp)
			return err
		}
	}
	if err := commit(tmp, final, os.Rename); err != nil {
		discard(tmp)
		return fmt.Errorf("cannot write %s: %w", name, unwrapPathError(err))
	}
	syncDir(dir)
	return nil
}

// errNoTmpfile says that an unnamed temporary file could not be made or
// named (no O_TMPFILE, no /proc): the caller falls back to a named one.
var errNoTmpfile = errors.New("O_TMPFILE unavailable")

// writeTemp writes a complete temporary file in dir: created with create,
// given old's owner, chmod'ed to perm, filled, synced, closed. It returns
// the temporary name, tracked for Cleanup; on error nothing is left.
// unnamed asks for an O_TMPFILE that gets its name only once complete.
func writeTemp(dir, base string, data []byte, create, perm os.FileMode, chmod bool, old os.FileInfo, unnamed bool) (string, error) {
	var (
		f    *os.File
		name string // tracked once it exists
		err  error
	)
	if unnamed {
		if f, err = openUnnamed(dir, create); err != nil {
			return "", errNoTmpfile
		}
	} else {
		name, err = track(func() (string, error) {
			file, n, err := createTemp(dir, base, create)
			f = file
			return n, err
		})
		if err != nil {
			return "", err
		}
	}
	fail := func(err error) (string, error) {
		f.Close()
		if name != "" {
			discard(name)
		}
		return "", err
	}
	if old != nil {
		if err := keepOwner(f, old); err != nil {
			return fail(err)
		}
	}
	if chmod {
		if err := f.Chmod(perm); err != nil {
			return fail(err)
		}
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if unnamed {
		name, err = track(func() (string, error) { return linkTemp(f, dir, base) })
		if errors.Is(err, ErrInterrupted) {
			return fail(err)
		}
		if err != nil {
			return fail(errNoTmpfile)
		}
	}
	if err := f.Close(); err != nil {
		discard(name)
		return "", err
	}
	return name, nil
}

// tempName is a fresh hidden name beside base in dir.
func tempName(dir, base string) string {
	if len(base) > maxTempBase {
		base = base[:maxTempBase]
	}
	return filepath.Join(dir, "."+base+".tmp-"+strconv.FormatUint(rand.Uint64(), 36))
}

// createTemp creates and opens a new empty file with perm (the umask
// applies) under a fresh temporary name.
func createTemp(dir, base string, perm os.FileMode) (*os.File, string, error) {
	for {
		name := tempName(dir, base)
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, "", err
		}
		return f, name, nil
	}
}

// mkdirTemp creates a new directory with perm (the umask applies) under a
// fresh temporary name and returns that name.
func mkdirTemp(dir, base string, perm os.FileMode) (string, error) {
	for {
		name := tempName(dir, base)
		err := os.Mkdir(name, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		return name, nil
	}
}

// writeNew writes a new file inside a temporary directory: Public honours
// the umask, a secret is set exactly before the first byte.
func writeNew(path string, data []byte, mode os.FileMode) (err error) {
	create := mode
	if isSecret(mode) {
		create = 0o600
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, create)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	if isSecret(mode) {
		if err := f.Chmod(mode); err != nil {
			return err
		}
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.Sync()
}

// SameFile reports whether a and b name the same existing file once links
// are followed (same device and inode, per os.SameFile), so a symbolic
// link or a hard link to a file is the same file. It is false, without
// error, when either does not exist.
func SameFile(a, b string) (bool, error) {
	fa, err := os.Stat(a)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	fb, err := os.Stat(b)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return os.SameFile(fa, fb), nil
}

// CheckNotInput returns an error wrapping ErrIsInput when out is the same
// file as one of inputs, which a write would replace. "" and "-" (stdin,
// stdout) are ignored, and so is an out that is not a regular file: a
// device or a pipe is written to, not replaced (reading /dev/stdin and
// writing /dev/stdout on one terminal is fine), and WriteFile refuses a
// directory itself.
func CheckNotInput(out string, inputs []string) error {
	if out == "" || out == "-" {
		return nil
	}
	fo, err := os.Stat(out)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", out, unwrapPathError(err))
	}
	if !fo.Mode().IsRegular() {
		return nil
	}
	for _, in := range inputs {
		if in == "" || in == "-" {
			continue
		}
		fi, err := os.Stat(in)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("cannot read %s: %w", in, unwrapPathError(err))
		}
		if os.SameFile(fo, fi) {
			return fmt.Errorf("refusing to write %s: %w; write to another file", out, ErrIsInput)
		}
	}
	return nil
}

// unwrapPathError drops an *os.PathError or *os.LinkError wrapper whose
// path is a temporary name, which would only confuse: messages name the
// destination instead.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
