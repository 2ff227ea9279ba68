package bundle

import (
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrLeafNotInInput: Options.Leaf is not one of the input certificates.
var ErrLeafNotInInput = errors.New("the chosen leaf is not among the input certificates")

// ErrNoTime: Options.At (or DiagnoseOptions.At) is zero. Build never reads
// the clock, so the caller must say when the chain is to be valid.
var ErrNoTime = errors.New("validation time not set")

// ErrSignatureBudget is wrapped into the Cause of a failed Build when the
// search stopped because Options.MaxSignatureChecks was reached; the path
// it was looking for may exist beyond the budget.
var ErrSignatureBudget = errors.New("signature check budget exhausted")

// MissingIssuerError: the best path stops at Cert, which is not self-signed
// and whose issuer is neither in the input, the pool, the roots, nor (when
// a Source is set) obtainable from it.
type MissingIssuerError struct {
	Cert *x509.Certificate
	// Path is the partial path, leaf first, ending at Cert.
	Path []*x509.Certificate
	// Mismatched are certificates at hand (input first, then pool, fetched,
	// roots) that carry the name of Cert's issuer but whose key does not
	// verify Cert's signature: a renewed intermediate with a new key, a
	// sibling CA with the same name, or a damaged copy. Empty when nothing
	// with that name was found.
	Mismatched []*x509.Certificate
	// Cause holds what went wrong on the way (Source errors, an exhausted
	// budget), or nil. errors.Is/As see through it.
	Cause error

	mismatchedWhere []string // where each of Mismatched came from: "in the input", ...
}

// Error says which certificate lacks its issuer, on one line:
//
//	no issuer found for CN=leaf: intermediate CN=Int,O=X missing
//
// followed, when Mismatched is not empty, by
//
//	; CN=Int,O=X in the input has the right name but did not sign CN=leaf (another key: a renewed or sibling CA, or a damaged copy)
//
// or, for several, "; 2 certificates named CN=Int,O=X (in the input, in
// the pool) have the right name but none signed CN=leaf (...)".
func (e *MissingIssuerError) Error() string {
	issuer := Name(&x509.Certificate{Subject: e.Cert.Issuer})
	msg := "no issuer found for " + Name(e.Cert) + ": intermediate " + issuer + " missing"
	if len(e.Mismatched) > 0 {
		msg += "; " + e.mismatchText()
	}
	return withCause(msg, e.Cause)
}

func (e *MissingIssuerError) mismatchText() string {
	var where []string
	for i := range e.Mismatched {
		if i < len(e.mismatchedWhere) && !slices.Contains(where, e.mismatchedWhere[i]) {
			where = append(where, e.mismatchedWhere[i])
		}
	}
	name, child := Name(e.Mismatched[0]), Name(e.Cert)
	if len(e.Mismatched) == 1 {
		if len(where) > 0 {
			name += " " + where[0]
		}
		return name + " has the right name but did not sign " + child + " (another key: a renewed or sibling CA, or a damaged copy)"
	}
	named := fmt.Sprintf("%d certificates named %s", len(e.Mismatched), name)
	if len(where) > 0 {
		named += " (" + strings.Join(where, ", ") + ")"
	}
	return named + " have the right name but none signed " + child + " (other keys: renewed or sibling CAs, or damaged copies)"
}

// Unwrap returns Cause.
func (e *MissingIssuerError) Unwrap() error { return e.Cause }

// UntrustedError: the best path ends at a certificate that is not among
// Options.Roots: a self-signed root nobody passed as trusted (a private or
// unknown CA), or, rarely, a loop of cross-signed CAs or a path longer than
// MaxChainLength.
type UntrustedError struct {
	Path []*x509.Certificate
	// Cause holds Source errors or an exhausted budget, or nil.
	Cause error

	tooLong bool // the search stopped at MaxChainLength
}

// Error names the untrusted top of the path.
func (e *UntrustedError) Error() string {
	if len(e.Path) == 0 {
		return withCause("no trusted path", e.Cause)
	}
	top := e.Path[len(e.Path)-1]
	if e.tooLong {
		return withCause(fmt.Sprintf("no trusted root within %d certificates: the search stopped at %s", MaxChainLength, Name(top)), e.Cause)
	}
	if IsSelfSigned(top) {
		return withCause("untrusted root "+Name(top)+": a private or unknown root, not among the trusted roots", e.Cause)
	}
	return withCause("chain ends at "+Name(top)+", which is not among the trusted roots", e.Cause)
}

// Unwrap returns Cause.
func (e *UntrustedError) Unwrap() error { return e.Cause }

// InvalidError: a path to a root exists but crypto/x509 refuses it at
// Options.At (an expired certificate, a leaf without the wanted extended
// key usage, an intermediate signed with SHA-1, a CA without the CA bit...).
type InvalidError struct {
	Path []*x509.Certificate
	// Err is crypto/x509's error from Verify.
	Err error
	// Reason explains Err in an admin's words, naming the certificate at
	// fault and what to do, e.g. "CN=X is signed with SHA-1, ...".
	Reason string
	// Cert is the certificate at fault, when one can be named.
	Cert *x509.Certificate
	// Cause holds Source errors or an exhausted budget, or nil.
	Cause error
}

// Error says why crypto/x509 refuses the chain, naming the leaf unless
// the reason is about the leaf itself (which it names):
//
//	invalid chain for CN=www: CN=Int is signed with SHA-1, ...
//	invalid chain: CN=www expired 2021-09-30 (checked at 2026-06-01)
func (e *InvalidError) Error() string {
	reason := e.Reason
	if reason == "" && e.Err != nil {
		reason = e.Err.Error()
	}
	switch {
	case len(e.Path) == 0:
		return withCause("invalid chain: "+reason, e.Cause)
	case e.Cert != nil && e.Reason != "" && e.Cert.Equal(e.Path[0]):
		return withCause("invalid chain: "+reason, e.Cause)
	}
	return withCause("invalid chain for "+Name(e.Path[0])+": "+reason, e.Cause)
}

// Unwrap returns Err and Cause, for errors.Is/As on either.
func (e *InvalidError) Unwrap() []error {
	var errs []error
	for _, err := range []error{e.Err, e.Cause} {
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

func withCause(msg string, cause error) string {
	if cause == nil {
		return msg
	}
	return msg + " (" + cause.Error() + ")"
}

// causes joins errors on one line (errors.Join uses newlines, and every
// chainfix message is one line).
type causes []error

func (c causes) Error() string {
	parts := make([]string, len(c))
	for i, err := range c {
		parts[i] = err.Error()
	}
	return strings.Join(parts, "; ")
}

func (c causes) Unwrap() []error { return c }

func joinCauses(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return causes(append([]error(nil), errs...))
}
