//go:build !windows && !darwin

package trust

// systemRootFiles are the trust-store bundles of Unix systems, in the order
// crypto/x509 tries them (root_linux.go).
var systemRootFiles = []string{
	"/etc/ssl/certs/ca-certificates.crt",                // Debian/Ubuntu/Gentoo
	"/etc/pki/tls/certs/ca-bundle.crt",                  // Fedora/RHEL 6
	"/etc/ssl/ca-bundle.pem",                            // OpenSUSE
	"/etc/pki/tls/cacert.pem",                           // OpenELEC
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // CentOS/RHEL 7+
	"/etc/ssl/cert.pem",                                 // Alpine, BSDs
	"/usr/local/etc/ssl/cert.pem",                       // FreeBSD
}

// System reads the machine's trust store: $SSL_CERT_FILE or the first
// readable bundle of systemRootFiles, then the files of $SSL_CERT_DIR, as
// crypto/x509 does on Unix.
func System(opts Options) (*Store, error) {
	return unixStore(opts, systemRootFiles)
}
