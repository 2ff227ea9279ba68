package fetch

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	stdpem "encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sirupsen/logrus"
)

// The on-disk cache holds one file per AIA URL, named by the SHA-256 of the
// URL as written: every leaf issued by the same intermediate carries the
// same caIssuers URL, so one fetch serves them all. A file is canonical PEM
// (openssl reads it as is) after two comment lines naming the URL:
//
//	# chainfix AIA cache
//	# url: http://r3.i.lencr.org/
//	-----BEGIN CERTIFICATE-----
//	...
//
// Entries are written atomically (temporary file, then rename) and re-parsed
// on every read; anything odd makes the entry a miss, never a trusted answer.
// The certificates it holds are still checked against the child's signature
// like fresh answers; an entry that parses but holds no signer of the child,
// or only signers expired at Options.At, is stale and fetched again
// (Client.Issuers), so a wrong or renewed entry does not stick forever.
//
// The directory may be shared with other users' processes, or be where an
// attacker can write: an entry is opened without following a symbolic link
// and only if it is a regular file (a FIFO planted there must not hang the
// run), and on Unix a directory that others may write to (group- or
// world-writable, or owned by another user) is not used at all. The
// directory is bounded in age and size: each Client prunes it on its first
// write, and again whenever its writes may have passed the size cap.

const (
	cacheMagic  = "# chainfix AIA cache"
	cacheURLTag = "# url: "
	cacheSuffix = ".pem"
	// cacheFileMode: the cache holds public certificates only.
	cacheFileMode = 0o644
	// cacheDirMode: created on demand, readable like the files.
	cacheDirMode = 0o755
	// maxCacheEntry bounds what a cache read loads: an entry is at most a
	// DefaultMaxBody-sized answer re-encoded as PEM (4/3 plus line ends)
	// with headroom for a larger Options.MaxBody; a bigger file is not ours.
	maxCacheEntry = 4 << 20
	// maxCacheCerts bounds the certificates of one entry: an issuer answer
	// holds a handful; an answer with more is not written (it could not be
	// read back).
	maxCacheCerts = 100
	// maxCacheAge: entries older than this are removed when pruning. CAs
	// renew intermediates every year or few and replace the file at the
	// same URL; a month-old answer is still the usual one, and a stale
	// entry is caught anyway (Client.Issuers), so this only keeps the
	// directory from collecting what no run asks for any more.
	maxCacheAge = 30 * 24 * time.Hour
	// maxTempAge: a temporary file older than this is left over from a
	// crashed run (a write takes milliseconds) and is removed when pruning.
	maxTempAge = time.Hour
	// maxCacheBytes caps the directory's entries: 64 MiB holds some
	// 30 000 intermediates, far more than any run meets, and is little
	// enough to sit unnoticed in a user's cache directory.
	maxCacheBytes = 64 << 20
	// cacheTempPrefix starts the temporary files of atomic writes.
	cacheTempPrefix = ".tmp-"
)

var errCacheMiss = errors.New("not in the cache")

// cachePath names the entry of rawURL.
func cachePath(dir, rawURL string) string {
	sum := sha256.Sum256([]byte(rawURL))
	return filepath.Join(dir, hex.EncodeToString(sum[:])+cacheSuffix)
}

// readCache returns the certificates cached for rawURL and the entry's size.
// A missing entry gives errCacheMiss; a corrupt one a describing error.
func readCache(dir, rawURL string) ([]*x509.Certificate, int, error) {
	f, err := openEntry(cachePath(dir, rawURL))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, errCacheMiss
	}
	if err != nil {
		return nil, 0, fmt.Errorf("read AIA cache: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxCacheEntry+1))
	if err != nil {
		return nil, 0, fmt.Errorf("read AIA cache %s: %w", f.Name(), err)
	}
	if len(data) > maxCacheEntry {
		return nil, 0, fmt.Errorf("AIA cache entry %s: larger than %d bytes", f.Name(), maxCacheEntry)
	}
	certs, err := parseCacheEntry(data, rawURL)
	if err != nil {
		return nil, 0, fmt.Errorf("AIA cache entry %s: %w", f.Name(), err)
	}
	return certs, len(data), nil
}

// parseCacheEntry parses an entry strictly: the header naming rawURL, then
// only well-formed CERTIFICATE blocks that crypto/x509 accepts, nothing
// after them. A truncated file loses its last END line and fails here.
func parseCacheEntry(data []byte, rawURL string) ([]*x509.Certificate, error) {
	header, rest, ok := cutLines(data, 2)
	if !ok || header[0] != cacheMagic {
		return nil, errors.New("not a chainfix cache entry")
	}
	if header[1] != cacheURLTag+rawURL {
		return nil, errors.New("entry is for another URL")
	}
	var certs []*x509.Certificate
	for len(bytes.TrimSpace(rest)) > 0 {
		var block *stdpem.Block
		block, rest = stdpem.Decode(rest)
		if block == nil {
			return nil, errors.New("truncated or garbled PEM")
		}
		if block.Type != "CERTIFICATE" || len(block.Headers) != 0 {
			return nil, fmt.Errorf("unexpected %q block", block.Type)
		}
		if len(certs) == maxCacheCerts {
			return nil, fmt.Errorf("more than %d certificates", maxCacheCerts)
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d: %w", len(certs)+1, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, errors.New("no certificate")
	}
	return certs, nil
}

// cutLines splits off the first n LF-terminated lines of data.
func cutLines(data []byte, n int) (lines []string, rest []byte, ok bool) {
	for range n {
		line, after, found := bytes.Cut(data, []byte("\n"))
		if !found {
			return nil, nil, false
		}
		lines = append(lines, string(line))
		data = after
	}
	return lines, data, true
}

// encodeCacheEntry is the canonical content of rawURL's entry.
func encodeCacheEntry(rawURL string, certs []*x509.Certificate) []byte {
	var b bytes.Buffer
	b.WriteString(cacheMagic + "\n")
	b.WriteString(cacheURLTag + rawURL + "\n")
	for _, c := range certs {
		_ = stdpem.Encode(&b, &stdpem.Block{Type: "CERTIFICATE", Bytes: c.Raw}) // writes to memory
	}
	return b.Bytes()
}

// writeCache stores certs as rawURL's entry, atomically: readers see the old
// entry or the new one, never a partial file.
func writeCache(dir, rawURL string, certs []*x509.Certificate) error {
	// Never write what readCache would refuse: it would be fetched again
	// on every run.
	if strings.ContainsAny(rawURL, "\r\n") {
		// The URL goes on a header line; such a URL cannot come from a
		// parsed certificate, but do not write an entry we cannot read.
		return errors.New("URL contains a line break")
	}
	switch {
	case len(certs) == 0:
		return errors.New("no certificate to cache")
	case len(certs) > maxCacheCerts:
		return fmt.Errorf("not cached: %d certificates, more than the %d an entry may hold", len(certs), maxCacheCerts)
	}
	data := encodeCacheEntry(rawURL, certs)
	if len(data) > maxCacheEntry {
		return fmt.Errorf("not cached: %d bytes, more than the %d an entry may hold", len(data), maxCacheEntry)
	}
	if err := os.MkdirAll(dir, cacheDirMode); err != nil {
		return fmt.Errorf("create cache directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, cacheTempPrefix+"*"+cacheSuffix)
	if err != nil {
		return fmt.Errorf("create cache entry: %w", err)
	}
	name := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(name)
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("write cache entry %s: %w", name, err)
	}
	if err := tmp.Chmod(cacheFileMode); err != nil {
		return fmt.Errorf("write cache entry %s: %w", name, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write cache entry %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write cache entry %s: %w", name, err)
	}
	final := cachePath(dir, rawURL)
	if err := os.Rename(name, final); err != nil {
		return fmt.Errorf("write cache entry %s: %w", final, err)
	}
	ok = true
	return nil
}

// errNoCacheDir: offline and the cache directory does not exist; nothing
// to read, nothing to write, nothing to warn about.
var errNoCacheDir = errors.New("no cache directory")

// cacheState is a Client's view of its cache directory.
type cacheState struct {
	once sync.Once
	dir  string // "" when the directory is refused or absent

	mu      sync.Mutex // serialises pruning
	scanned bool       // pruned once by this Client
	total   int64      // bytes in the directory at the last prune, plus writes since
}

// cacheDir returns the directory to use, "" for none: Options.CacheDir,
// checked (and created) on first use. A directory that fails the check is
// refused with one warning, and the Client runs uncached.
func (c *Client) cacheDir() string {
	if c.opts.CacheDir == "" {
		return ""
	}
	c.cache.once.Do(func() {
		err := prepareCacheDir(c.opts.CacheDir, c.opts.Offline)
		switch {
		case err == nil:
			c.cache.dir = c.opts.CacheDir
		case errors.Is(err, errNoCacheDir):
			c.log.WithField("dir", c.opts.CacheDir).Debug("offline and no AIA cache directory")
		default:
			c.log.WithError(err).WithField("dir", c.opts.CacheDir).Warn("AIA cache not used")
		}
	})
	return c.cache.dir
}

// prepareCacheDir creates dir (unless offline) and checks it is a directory
// only this user can write to.
func prepareCacheDir(dir string, offline bool) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if offline {
			return errNoCacheDir
		}
		if err := os.MkdirAll(dir, cacheDirMode); err != nil {
			return fmt.Errorf("create cache directory: %w", err)
		}
		fi, err = os.Stat(dir)
	}
	if err != nil {
		return fmt.Errorf("cache directory: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("cache directory %s: not a directory", dir)
	}
	return checkCacheDirOwner(dir, fi, os.Getuid())
}

// store writes rawURL's entry and prunes the directory on the Client's
// first write, and again when the writes since may have passed
// maxCacheBytes.
func (c *Client) store(dir, rawURL string, certs []*x509.Certificate) error {
	if err := writeCache(dir, rawURL, certs); err != nil {
		return err
	}
	path := cachePath(dir, rawURL)
	fi, err := os.Lstat(path)
	if err != nil {
		return nil // replaced or removed by another process meanwhile
	}
	c.cache.mu.Lock()
	defer c.cache.mu.Unlock()
	c.cache.total += fi.Size()
	if c.cache.scanned && c.cache.total <= maxCacheBytes {
		return nil
	}
	// The entry just written tells the time (the file system's clock): the
	// library reads no clock of its own.
	total, removed, err := pruneCache(dir, filepath.Base(path), fi.ModTime(), maxCacheBytes)
	if err != nil {
		return fmt.Errorf("prune cache: %w", err)
	}
	if removed > 0 {
		c.log.WithFields(logrus.Fields{"dir": dir, "removed": removed, "bytes": total}).Debug("AIA cache pruned")
	}
	c.cache.scanned, c.cache.total = true, total
	return nil
}

// pruneCache removes from dir the entries older than maxCacheAge, leftover
// temporary files older than maxTempAge, and then the oldest entries until
// the rest fit in maxBytes; keep (the entry just written) stays. now is the
// time ages are measured against. Only regular files named like entries or
// temporary files are looked at (never followed). It returns the bytes
// left and the files removed.
func pruneCache(dir, keep string, now time.Time, maxBytes int64) (total int64, removed int, err error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return 0, 0, err
	}
	type entry struct {
		name string
		size int64
		mod  time.Time
	}
	var entries []entry
	remove := func(name string) {
		if err := os.Remove(filepath.Join(dir, name)); err == nil || errors.Is(err, fs.ErrNotExist) {
			removed++
		}
	}
	for _, de := range des {
		name := de.Name()
		temp := strings.HasPrefix(name, cacheTempPrefix) && strings.HasSuffix(name, cacheSuffix)
		if !temp && !isEntryName(name) {
			continue
		}
		fi, err := de.Info() // Lstat: a planted link is not followed
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		age := now.Sub(fi.ModTime())
		switch {
		case temp:
			if age > maxTempAge {
				remove(name)
			}
		case name != keep && age > maxCacheAge:
			remove(name)
		default:
			entries = append(entries, entry{name, fi.Size(), fi.ModTime()})
			total += fi.Size()
		}
	}
	// Oldest first; the name breaks ties so that the order is stable.
	slices.SortFunc(entries, func(a, b entry) int {
		if c := a.mod.Compare(b.mod); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	for _, e := range entries {
		if total <= maxBytes {
			break
		}
		if e.name == keep {
			continue
		}
		remove(e.name)
		total -= e.size
	}
	return total, removed, nil
}

// isEntryName reports a cache entry's file name: 64 lower-case hex digits
// (a SHA-256) and cacheSuffix.
func isEntryName(name string) bool {
	hexPart, ok := strings.CutSuffix(name, cacheSuffix)
	if !ok || len(hexPart) != sha256.Size*2 {
		return false
	}
	for _, r := range hexPart {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}
