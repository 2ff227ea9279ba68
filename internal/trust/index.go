package trust

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"chainfix/bundle"
	"chainfix/pem"
)

// A trust-store index lets a run find the roots of a PEM trust store
// without reading the store. Reading the 150 roots of a Unix store (220 KB
// of PEM, decoded) is about a tenth of a short process here, and a chain
// needs one or two roots. The index, kept in Options.IndexDir (the AIA
// cache directory), lists for each certificate of the store its subject
// and subject key identifier (what finding an issuer asks for), the
// SHA-256 of its DER and where its PEM block lies in the store; a root is
// read from the store itself, at that place, when a chain reaches it
// (bundle.AnchorsFromSources), and used only if it is the certificate the
// index describes. So a root always comes from the trust store: an index
// can at worst hide one, and anything odd in it makes it unused.
//
// An index is for one file as it was: it names the file and the file's
// device, inode, size, modification and change times (the change time no
// user can set), and is used only while all of them are the same. Any
// other file, or that file changed, is read whole and indexed again. The
// index is text, the lines
//
//	chainfix trust-store index 1
//	identity DEV INODE SIZE MTIME-NS CTIME-NS
//	store "PATH"
//	START END SHA256-HEX SUBJECT-BASE64 KEYID-BASE64-OR-DASH   (one per certificate)
//	end COUNT SHA256-HEX-OF-THE-LINES-ABOVE
//
// and it is written to a temporary file renamed into place, without an
// fsync: a file cut short by a crash fails its last line and is rebuilt.

const (
	indexMagic = "chainfix trust-store index 1"
	// maxIndexSize bounds what an index read loads: maxIndexEntries lines
	// of at most a few hundred bytes.
	maxIndexSize = 4 << 20
	// maxIndexEntries bounds the certificates an index lists; real stores
	// hold a few hundred.
	maxIndexEntries = 10000
	// maxIndexedBlock bounds the PEM text of one certificate read from
	// the store (a certificate is a few KB; 64 KB is far beyond any).
	maxIndexedBlock = 64 << 10
)

// indexEntry is one line of an index: the store's bytes [start, end) hold
// the PEM block of the certificate whose DER has SHA-256 sum.
type indexEntry struct {
	start, end     int64
	sum            [32]byte
	subject, keyID []byte
}

// indexPath is where the index of store is kept in dir: one index per
// file, whatever the directory a run starts in.
func indexPath(dir, store string) string {
	if abs, err := filepath.Abs(store); err == nil {
		store = abs
	}
	sum := sha256.Sum256([]byte(store))
	return filepath.Join(dir, "trust-"+hex.EncodeToString(sum[:12])+".idx")
}

// indexedAnchors reads the anchors of store through its index in dir,
// when there is a current one.
func indexedAnchors(dir, store string, fi os.FileInfo) (*bundle.Anchors, bool) {
	id, ok := fileIdentity(fi)
	if !ok {
		return nil, false
	}
	path := indexPath(dir, store)
	ifi, err := os.Stat(path)
	if err != nil || !ifi.Mode().IsRegular() || ifi.Size() > maxIndexSize {
		return nil, false
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	entries, err := parseIndex(data, store, id)
	if err != nil {
		return nil, false
	}
	rescan := &storeScan{store: store}
	srcs := make([]bundle.AnchorSource, len(entries))
	for i, e := range entries {
		srcs[i] = bundle.AnchorSource{Subject: e.subject, KeyID: e.keyID, Sum: e.sum, Load: blockReader(store, e, rescan)}
	}
	return bundle.AnchorsFromSources(srcs), true
}

// blockReader reads the certificate of e from the store. When the block
// there is not that certificate (the store changed since the run began: a
// long run, or a package update under it), the certificate is looked for
// in the store as it is now (rescan), and is missing when the store no
// longer holds it.
func blockReader(store string, e indexEntry, rescan *storeScan) func() ([]byte, error) {
	return func() ([]byte, error) {
		if der, err := readBlock(store, e.start, e.end); err == nil && sha256.Sum256(der) == e.sum {
			return der, nil
		}
		return rescan.find(e.sum)
	}
}

// storeScan is the store read whole once, when an index has misplaced a
// certificate, for every certificate the run asks for afterwards.
type storeScan struct {
	store string
	once  sync.Once
	bySum map[[32]byte][]byte
	err   error
}

func (s *storeScan) find(sum [32]byte) ([]byte, error) {
	s.once.Do(func() {
		fi, err := os.Stat(s.store)
		if err == nil && fi.Size() > maxBundleSize {
			err = fmt.Errorf("larger than %d MiB", maxBundleSize>>20)
		}
		var data []byte
		if err == nil {
			data, err = os.ReadFile(s.store)
		}
		var blocks []pem.Block
		if err == nil {
			blocks, err = pem.Blocks(data)
		}
		s.err = err
		s.bySum = make(map[[32]byte][]byte, len(blocks))
		for _, b := range blocks {
			if b.Type == "CERTIFICATE" {
				s.bySum[sha256.Sum256(b.Bytes)] = b.Bytes
			}
		}
	})
	if der, ok := s.bySum[sum]; ok {
		return der, nil
	}
	if s.err != nil {
		return nil, s.err
	}
	return nil, errors.New("no longer in the store")
}

// readBlock reads the one certificate in store's bytes [start, end).
func readBlock(store string, start, end int64) ([]byte, error) {
	f, err := os.Open(store)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	text := make([]byte, end-start)
	if _, err := f.ReadAt(text, start); err != nil {
		return nil, err
	}
	blocks, err := pem.Blocks(text)
	if err != nil {
		return nil, err
	}
	if len(blocks) != 1 || blocks[0].Type != "CERTIFICATE" {
		return nil, errors.New("not one certificate")
	}
	return blocks[0].Bytes, nil
}

// writeIndex indexes the certificates of anchors, read from the store
// data (whose PEM blocks are blocks) with the identity id, into dir. Best
// effort: a run that cannot write it is only slower the next time.
func writeIndex(dir, store, id string, data []byte, blocks []pem.Block, anchors *bundle.Anchors) error {
	if strings.ContainsAny(store, "\r\n") {
		return errors.New("the store's name holds a line break")
	}
	where := make(map[[32]byte]pem.Block, len(blocks))
	for _, b := range blocks {
		if b.End-b.Start > maxIndexedBlock || !bytes.HasPrefix(data[b.Start:], []byte("-----BEGIN ")) {
			return errors.New("a block the index cannot point to") // UTF-16 text, or a giant block
		}
		where[sha256.Sum256(b.Bytes)] = b
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "%s\nidentity %s\nstore %s\n", indexMagic, id, strconv.Quote(store))
	n := 0
	var missing error
	anchors.Each(func(subject, keyID, der []byte) {
		sum := sha256.Sum256(der)
		b, ok := where[sum]
		if !ok || der == nil {
			missing = errors.New("a certificate of the set is not a block of the store")
			return
		}
		kid := "-"
		if len(keyID) > 0 {
			kid = base64.StdEncoding.EncodeToString(keyID)
		}
		fmt.Fprintf(&buf, "%d %d %x %s %s\n", b.Start, b.End, sum, base64.StdEncoding.EncodeToString(subject), kid)
		n++
	})
	if missing != nil {
		return missing
	}
	if n > maxIndexEntries {
		return fmt.Errorf("more than %d certificates", maxIndexEntries)
	}
	fmt.Fprintf(&buf, "end %d %x\n", n, sha256.Sum256(buf.Bytes()))

	tmp, err := os.CreateTemp(dir, ".trust-*.idx")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(buf.Bytes())
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), indexPath(dir, store))
	}
	if werr != nil {
		os.Remove(tmp.Name())
	}
	return werr
}

// parseIndex reads an index strictly: the header for store and identity
// id, well-formed entries, and the last line's count and checksum; any
// deviation is an error (the index is then not used). It runs in every
// process that uses an index, so it reads the bytes in place and decodes
// every subject and key id into one buffer.
func parseIndex(data []byte, store, id string) ([]indexEntry, error) {
	endAt := bytes.LastIndexByte(bytes.TrimSuffix(data, []byte("\n")), '\n') + 1
	if !bytes.HasSuffix(data, []byte("\n")) || endAt <= 0 {
		return nil, errors.New("truncated")
	}
	body, last := data[:endAt], data[endAt:len(data)-1]
	rest := body
	for _, want := range []string{indexMagic, "identity " + id, "store " + strconv.Quote(store)} {
		line, after, _ := bytes.Cut(rest, []byte("\n"))
		if string(line) != want {
			return nil, errors.New("another index")
		}
		rest = after
	}
	n := bytes.Count(rest, []byte("\n"))
	if n > maxIndexEntries {
		return nil, errors.New("too many entries")
	}
	if string(last) != fmt.Sprintf("end %d %x", n, sha256.Sum256(body)) {
		return nil, errors.New("count or checksum")
	}
	entries := make([]indexEntry, 0, n)
	buf := make([]byte, 0, len(rest)*3/4) // the decoded names and ids
	for len(rest) > 0 {
		var line []byte
		line, rest, _ = bytes.Cut(rest, []byte("\n"))
		e, b, err := parseIndexLine(line, buf)
		if err != nil {
			return nil, err
		}
		entries, buf = append(entries, e), b
	}
	return entries, nil
}

// parseIndexLine reads one entry, decoding its subject and key id at the
// end of buf (which has room: the base64 is longer).
func parseIndexLine(line, buf []byte) (indexEntry, []byte, error) {
	var e indexEntry
	var f [5][]byte
	for i := range f {
		var ok bool
		f[i], line, ok = bytes.Cut(line, []byte(" "))
		if ok != (i < len(f)-1) {
			return e, buf, errors.New("an entry without its 5 fields")
		}
	}
	var err error
	if e.start, err = strconv.ParseInt(string(f[0]), 10, 64); err != nil || e.start < 0 {
		return e, buf, errors.New("bad start")
	}
	if e.end, err = strconv.ParseInt(string(f[1]), 10, 64); err != nil || e.end <= e.start || e.end-e.start > maxIndexedBlock {
		return e, buf, errors.New("bad end")
	}
	if len(f[2]) != hex.EncodedLen(len(e.sum)) {
		return e, buf, errors.New("bad checksum")
	}
	if _, err := hex.Decode(e.sum[:], f[2]); err != nil {
		return e, buf, errors.New("bad checksum")
	}
	decode := func(b64 []byte) ([]byte, bool) {
		at := len(buf)
		out := buf[at : at+base64.StdEncoding.DecodedLen(len(b64))]
		n, err := base64.StdEncoding.Decode(out, b64)
		if err != nil || n == 0 {
			return nil, false
		}
		buf = buf[:at+n]
		return buf[at : at+n : at+n], true
	}
	var ok bool
	if e.subject, ok = decode(f[3]); !ok {
		return e, buf, errors.New("bad subject")
	}
	if string(f[4]) != "-" {
		if e.keyID, ok = decode(f[4]); !ok {
			return e, buf, errors.New("bad key id")
		}
	}
	return e, buf, nil
}
