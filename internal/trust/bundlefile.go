package trust

import (
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"

	"chainfix/pem"
)

// maxBundleSize caps a trust-store file: the largest real bundles are about
// 250 KiB; a larger file is not a trust store.
const maxBundleSize = 16 << 20

func readBundle(name string) ([]*x509.Certificate, error) {
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
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return parseBundle(data)
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
		certs, err := readBundle(f)
		if err != nil {
			opts.log().Debugf("trust store %s: unusable: %v", f, err)
			continue
		}
		return &Store{Name: f, Roots: certs}, nil
	}
	if dirs := opts.getenv("SSL_CERT_DIR"); dirs != "" {
		var certs []*x509.Certificate
		for _, dir := range filepath.SplitList(dirs) {
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if c, err := readBundle(filepath.Join(dir, e.Name())); err == nil {
					certs = append(certs, c...)
				}
			}
		}
		if len(certs) > 0 {
			return &Store{Name: "SSL_CERT_DIR", Roots: certs}, nil
		}
	}
	return nil, ErrNoSystemStore
}
