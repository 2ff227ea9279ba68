// Package trust resolves the trust anchors chainfix judges chains against:
// the machine's trust store, or the Mozilla root set embedded in the binary.
//
// The machine's store is, by platform (System):
//   - Linux and other Unix systems: $SSL_CERT_FILE or the first readable
//     distribution bundle, then $SSL_CERT_DIR, as crypto/x509 reads them.
//   - Windows: the ROOT and AuthRoot stores of the machine and the user
//     (with their Group Policy and enterprise copies) through CryptoAPI,
//     without the Disallowed stores; the CA stores become Intermediates.
//     $SSL_CERT_FILE wins when set.
//   - macOS: the system roots plus what the admin or user trust settings
//     trust in the System and login keychains, read with security(1);
//     /etc/ssl/cert.pem when the keychains cannot be read. $SSL_CERT_FILE
//     wins when set.
//
// Every store is returned as explicit certificates, never as a system
// x509.CertPool: crypto/x509 keeps the certificates of its system pool to
// itself, and chainfix needs them (to stop a path at the first trusted root
// and to name it). On Windows and macOS an x509.Verify with a nil or system
// pool also hands the decision to the operating system, which fetches
// missing intermediates on its own and would hide exactly the incomplete
// chain chainfix exists to find (PITFALLS.md).
//
// A PEM store is parsed on demand (bundle.Anchors), and with
// Options.IndexDir found through an index there without being read whole
// (index.go).
//
// The package reads no environment and no clock of its own: the caller
// passes a lookup function (Options.Getenv) and may pass the function that
// runs helper programs (Options.Command). A certificate that crypto/x509
// refuses (Go 1.23+ refuses negative serial numbers) is skipped, never
// fatal.
package trust
