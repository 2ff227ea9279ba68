package main

import (
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/crypto/x509roots/fallback/bundle"

	"chainfix/pem"
)

// systemRootFiles are the trust-store bundles of Unix systems, in the order
// crypto/x509 tries them (root_linux.go). crypto/x509 keeps the certificates
// of its system pool to itself, and chainfix needs them as certificates
// (to stop a path at the first trusted root and name it), so it reads the
// same files.
var systemRootFiles = []string{
	"/etc/ssl/certs/ca-certificates.crt",                // Debian/Ubuntu/Gentoo
	"/etc/pki/tls/certs/ca-bundle.crt",                  // Fedora/RHEL 6
	"/etc/ssl/ca-bundle.pem",                            // OpenSUSE
	"/etc/pki/tls/cacert.pem",                           // OpenELEC
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // CentOS/RHEL 7+
	"/etc/ssl/cert.pem",                                 // Alpine, macOS, BSDs
	"/usr/local/etc/ssl/cert.pem",                       // FreeBSD
}

// loadRoots resolves the trust anchors: the --roots files when given,
// otherwise the system trust store, otherwise the Mozilla set embedded from
// golang.org/x/crypto/x509roots/fallback (static binaries on minimal hosts,
// Windows, where the store is not a file).
func (st *state) loadRoots(files []string) ([]*x509.Certificate, string, error) {
	if len(files) > 0 {
		in, err := st.loadFiles(files, true, nil)
		if err != nil {
			return nil, "", err
		}
		if len(in.certs) == 0 {
			return nil, "", fmt.Errorf("--roots: no usable certificate in %s", strings.Join(files, ", "))
		}
		return in.certs, "--roots", nil
	}
	candidates := systemRootFiles
	if f := st.env.Getenv("SSL_CERT_FILE"); f != "" {
		candidates = []string{f}
	}
	if runtime.GOOS != "windows" {
		for _, f := range candidates {
			data, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			c, err := pem.Decode(data, pem.Options{Lenient: true})
			if err != nil || len(c.Certificates) == 0 {
				st.log.Debugf("trust store %s: unusable: %v", f, err)
				continue
			}
			return c.Certificates, f, nil
		}
		if dirs := st.env.Getenv("SSL_CERT_DIR"); dirs != "" {
			var certs []*x509.Certificate
			for _, dir := range filepath.SplitList(dirs) {
				entries, _ := os.ReadDir(dir)
				for _, e := range entries {
					data, err := os.ReadFile(filepath.Join(dir, e.Name()))
					if err != nil {
						continue
					}
					if c, err := pem.Decode(data, pem.Options{Lenient: true}); err == nil {
						certs = append(certs, c.Certificates...)
					}
				}
			}
			if len(certs) > 0 {
				return certs, "SSL_CERT_DIR", nil
			}
		}
	}
	certs, err := fallbackRoots()
	return certs, "the embedded Mozilla root set", err
}

// fallbackRoots returns the Mozilla roots embedded in the binary.
func fallbackRoots() ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for r := range bundle.Roots() {
		c, err := x509.ParseCertificate(r.Certificate)
		if err != nil {
			return nil, fmt.Errorf("embedded root set: %w", err)
		}
		certs = append(certs, c)
	}
	return certs, nil
}
