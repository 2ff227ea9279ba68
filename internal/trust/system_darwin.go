package trust

// System on macOS: $SSL_CERT_FILE when set; otherwise the keychains, read
// with the security tool into explicit certificates (keychainStore says
// which and how trust settings count); otherwise, when the keychains
// cannot be read (no security tool, a sandbox), /etc/ssl/cert.pem.
//
// The decision is never handed to the macOS verifier: an x509.Verify with
// a nil or system pool on macOS calls SecTrustEvaluateWithError, which
// takes intermediates from the keychains and its caches and fetches
// missing ones, so a server's incomplete chain would look complete. That
// is exactly what chainfix exists to find.
//
// Limits: Apple's distrust of roots that is not expressed as trust
// settings (roots restricted by trustd's own rules, such as date cut-offs
// for a distrusted CA) is not seen; trust settings restricted by key usage
// or allowed errors count as plain trust.
func System(opts Options) (*Store, error) {
	if s, ok, err := envStore(opts); ok {
		return s, err
	}
	s, err := keychainStore(opts)
	if err == nil {
		return s, nil
	}
	opts.log().Debugf("macOS keychains: %v; reading %s instead", err, macFallbackBundle)
	return unixStore(opts, []string{macFallbackBundle})
}
