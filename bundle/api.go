package bundle

import (
	"context"
	"crypto/x509"
	"errors"
	"time"
)

// CONTRACT (shared with the CLI and package fetch; keep these names and signatures).

// IssuerSource supplies candidate issuers for a certificate whose issuer is
// not at hand. Package fetch satisfies it with AIA caIssuers. Candidates need
// not be verified: Build checks every signature itself.
type IssuerSource interface {
	Issuers(ctx context.Context, cert *x509.Certificate) ([]*x509.Certificate, error)
}

// Options tune Build, in the manner of x509.VerifyOptions.
type Options struct {
	// Roots are the trust anchors. Empty: nothing is trusted.
	Roots []*x509.Certificate
	// Pool holds more certificates to draw intermediates from; they are not
	// "input" (never reported as dropped).
	Pool []*x509.Certificate
	// At is the validation time. Required: Build never reads the clock.
	At time.Time
	// KeyUsages the leaf must allow; nil means ServerAuth,
	// x509.ExtKeyUsageAny accepts any.
	KeyUsages []x509.ExtKeyUsage
	// Source is asked for issuers that are not at hand; nil = offline.
	Source IssuerSource
	// AllowUntrusted returns the best path even when it reaches no root in
	// Roots (Result.Trusted false) instead of an *UntrustedError.
	AllowUntrusted bool
	// Leaf, when set, is the leaf to build for (it must be among the input).
	Leaf *x509.Certificate
	// MaxSignatureChecks bounds the work; 0 means DefaultMaxSignatureChecks.
	MaxSignatureChecks int
}

// Result is the chosen path and what Build did to get it.
type Result struct {
	Leaf       *x509.Certificate
	LeafReason string // how the leaf was chosen, when there was a choice
	// Path runs leaf -> intermediates -> top. When Trusted, the top is the
	// root certificate from Options.Roots.
	Path    []*x509.Certificate
	Trusted bool
	// InputHadRoot: the input (not the pool) contained the path's root.
	InputHadRoot bool
	// InputInOrder: the input's certificates that are on the path came in
	// path order, leaf first.
	InputInOrder bool
	Added        []Added    // path certificates that were not in the input
	Dropped      []Dropped  // input certificates left out, with the reason
	Rejected     []Rejected // other paths considered and why they lost
	Notes        []Note     // warnings about the chosen path
}

// Added is a certificate on the path that the input lacked.
type Added struct {
	Cert *x509.Certificate
	From string // "pool", "roots", "fetched"
}

// Dropped is an input certificate that is not on the path.
type Dropped struct {
	Cert   *x509.Certificate
	Reason string // e.g. "duplicate", "not on the path", "expired cross-sign"
}

// Rejected is a candidate path that lost to the chosen one.
type Rejected struct {
	Path   []*x509.Certificate
	Reason string
}

// Note is a warning about the chosen path, with an admin-facing fix.
type Note struct {
	Code    string // stable, for JSON: "sha1-signature", "intermediate-expires-first", ...
	Cert    *x509.Certificate
	Message string
}

// ErrNoLeaf: the input holds no certificate that could be a leaf.
var ErrNoLeaf = errors.New("no leaf certificate found")

// DefaultMaxSignatureChecks bounds signature checks per Build (see golang/go#78282).
const DefaultMaxSignatureChecks = 2000

// DiagnoseOptions tune Diagnose.
type DiagnoseOptions struct {
	Host          string        // the name clients use; checked against the leaf's SANs when set
	At            time.Time     // required
	ExpiryWarning time.Duration // warn when the leaf expires within this; 0 means 30 days
	// KeyUsages the leaf must allow, as in Options; nil means ServerAuth.
	KeyUsages []x509.ExtKeyUsage
}

// Finding is one problem (or one reassurance) about a chain.
type Finding struct {
	Code     string            `json:"code"`     // stable: "missing-intermediate", "wrong-order", "root-sent", ...
	Severity string            `json:"severity"` // "error", "warning", "info"
	Cert     *x509.Certificate `json:"-"`
	Subject  string            `json:"subject,omitempty"`
	Message  string            `json:"message"` // what is wrong, in admin words
	Fix      string            `json:"fix,omitempty"`
}
