// Package bundle builds and orders certificate chains. Pure logic on
// []*x509.Certificate: it imports only the standard library.
//
// CONTRACT for implementers (in bundle/build.go, bundle/errors.go, bundle/diagnose.go):
//
//	func Build(ctx context.Context, input []*x509.Certificate, opts Options) (*Result, error)
//	Typed errors (errors.As), each with an admin-facing one-line Error():
//	  *MissingIssuerError{Cert *x509.Certificate}  "no issuer found for CN=R3,O=Let's Encrypt: intermediate missing"
//	  *UntrustedError{Path []*x509.Certificate}     the best path ends at a certificate not in Roots
//	  *InvalidError{Path []*x509.Certificate, Err error}  a path exists but crypto/x509 refuses it at At
//	                                                (expired, EKU, SHA-1 intermediate...); Err is the x509 error
//	func Diagnose(served []*x509.Certificate, r *Result, opts DiagnoseOptions) []Finding
//	  What is wrong with `served` (a file's or an endpoint's chain, in its order) compared with r:
//	  missing intermediates, wrong order, extra/duplicate certificates, root sent, leaf expired
//	  or expiring soon, name not in SANs (opts.Host), EKU without serverAuth (e.g. only SGC OIDs),
//	  self-signed leaf, untrusted root, SHA-1 signatures. Each Finding says what and the fix.
package bundle
