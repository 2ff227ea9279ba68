package trust

import (
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"

	"chainfix/bundle"
	"chainfix/pem"
)

// maxBundleSize caps a trust-store file: the largest real bundles are about
// 250 KiB; a larger file is not a trust store.
const maxBundleSize = 16 << 20

// readBundle reads a trust-store file: PEM certificates, parsed on demand
// (bundle.AnchorsFromDER), or anything else Decode reads, parsed now. With
// indexDir, a PEM store is found through its index there, and indexed
// when it has no current one (index.go).
func readBundle(name, indexDir string, log func(string, ...any)) (*bundle.Anchors, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file")
	}
	if fi.Size() > maxBundleSize {
		return nil, fmt.Errorf("larger than %d MiB", maxBundleSize>>20)
	}
	if indexDir != "" {
		if anchors, ok := indexedAnchors(indexDir, name, fi); ok {
			return anchors, nil
		}
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	if blocks := plainPEMCertificates(data); len(blocks) > 0 {
		ders := make([][]byte, len(blocks))
		for i, b := range blocks {
			ders[i] = b.Bytes
		}
		anchors := bundle.AnchorsFromDER(ders)
		if id, ok := fileIdentity(fi); ok && indexDir != "" {
			err := os.MkdirAll(indexDir, 0o755)
			if err == nil {
				err = writeIndex(indexDir, name, id, data, blocks, anchors)
			}
			if err != nil && log != nil {
				log("trust store %s: not indexed: %v", name, err)
			}
		}
		return anchors, nil
	}
	certs, err := parseBundle(data)
	if err != nil {
		return nil, err
	}
	return bundle.NewAnchors(certs), nil
}

// plainPEMCertificates returns data's blocks when data is PEM text whose
// every block is a CERTIFICATE (as the trust stores of Unix systems are),
// else nil.
func plainPEMCertificates(data []byte) []pem.Block {
	blocks, err := pem.Blocks(data)
	if err != nil {
		return nil
	}
	for _, b := range blocks {
		if b.Type != "CERTIFICATE" || len(b.Headers) > 0 {
			return nil
		}
	}
	return blocks
}

// parseBundle decodes the certificates of a PEM bundle leniently: one
// certificate crypto/x509 refuses is skipped, not fatal.
func parseBundle(data []byte) ([]*x509.Certificate, error) {
	c, err := pem.Decode(data, pem.Options{Lenient: true})
	if err != nil {
		return nil, err
	}
	if len(c.Certificates) == 0 {
		return nil, pem.ErrNoCertificates
	}
	return c.Certificates, nil
}

// unixStore reads $SSL_CERT_FILE or the first readable bundle of files,
// then the files of $SSL_CERT_DIR, as crypto/x509 does on Unix.
func unixStore(opts Options, files []string) (*Store, error) {
	if f := opts.getenv("SSL_CERT_FILE"); f != "" {
		files = []string{f}
	}
	for _, f := range files {
		anchors, err := readBundle(f, opts.IndexDir, opts.log().Debugf)
		if err != nil {
			opts.log().Debugf("trust store %s: unusable: %v", f, err)
			continue
		}
		return &Store{Name: f, Anchors: anchors}, nil
	}
	if dirs := opts.getenv("SSL_CERT_DIR"); dirs != "" {
		var sets []*bundle.Anchors
		for _, dir := range filepath.SplitList(dirs) {
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if a, err := readBundle(filepath.Join(dir, e.Name()), "", nil); err == nil {
					sets = append(sets, a)
				}
			}
		}
		if all := bundle.MergeAnchors(sets...); all.Len() > 0 {
			return &Store{Name: "SSL_CERT_DIR", Anchors: all}, nil
		}
	}
	return nil, ErrNoSystemStore
}
