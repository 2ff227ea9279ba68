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
	"strings"
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
	// maxCacheCerts bounds the certificates of one entry, like an answer.
	maxCacheCerts = 100
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
	f, err := os.Open(cachePath(dir, rawURL))
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
	if strings.ContainsAny(rawURL, "\r\n") {
		// The URL goes on a header line; such a URL cannot come from a
		// parsed certificate, but do not write an entry we cannot read.
		return errors.New("URL contains a line break")
	}
	if err := os.MkdirAll(dir, cacheDirMode); err != nil {
		return fmt.Errorf("create cache directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*"+cacheSuffix)
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
	if _, err := tmp.Write(encodeCacheEntry(rawURL, certs)); err != nil {
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
