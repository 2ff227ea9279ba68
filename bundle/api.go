package bundle

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"time"
)

// CONTRACT (shared with the CLI and package fetch; keep these names and signatures).

// IssuerSource supplies candidate issuers for a certificate whose issuer is
// not at hand. Package fetch satisfies it with AIA caIssuers. Candidates need
// not be verified: Build checks every signature itself. An error should name
// the certificate it was about: Build keeps it as it is.
type IssuerSource interface {
	Issuers(ctx context.Context, cert *x509.Certificate) ([]*x509.Certificate, error)
}

// Options tune Build, in the manner of x509.VerifyOptions.
type Options struct {
	// Roots are the trust anchors. Empty: nothing is trusted. A trust
	// anchor that is not a self-signed CA (an intermediate, or a leaf given
	// by mistake) is still trusted, but it stays on the path as a
	// certificate clients must be sent; a leaf is never its own anchor
	// unless it is self-signed.
	Roots []*x509.Certificate
	// Anchors are more trust anchors, parsed only when a path reaches
	// their name (a machine's trust store; see Anchors). Trusted as Roots.
	Anchors *Anchors
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
	// Leaf, when set, is the leaf to build for (it must be among the input;
	// FindLeaf picks it by name).
	Leaf *x509.Certificate
	// MaxSignatureChecks bounds the work; 0 means DefaultMaxSignatureChecks.
	MaxSignatureChecks int
	// Verdicts, when set, shares signature verdicts between Builds (a
	// bulk run's chains share their intermediates and roots); nil: each
	// Build checks every signature itself.
	Verdicts *Verdicts
}

// Result is the chosen path and what Build did to get it. It holds data,
// not sentences: package internal/report words the reasons.
type Result struct {
	Leaf *x509.Certificate
	// LeafChoice says how the leaf was chosen, when there was a choice.
	LeafChoice LeafChoice
	// Path runs leaf -> intermediates -> top. When Trusted, the top is the
	// trust anchor from Options.Roots.
	Path    []*x509.Certificate
	Trusted bool
	// InputHadRoot: the input (not the pool) contained the path's root, a
	// self-signed CA above the leaf.
	InputHadRoot bool
	// TopIsRoot: the top of Path is a root (IsRoot) above the leaf, which
	// a bundle leaves out unless asked; Root returns it.
	TopIsRoot bool
	// InputInOrder: the input's certificates that are on the path came in
	// path order, leaf first.
	InputInOrder bool
	Added        []Added    // path certificates that were not in the input
	Dropped      []Dropped  // input certificates left out, in input order, with the reason
	Rejected     []Rejected // other paths considered and why they lost, best first
	Notes        []Note     // warnings about the chosen path
}

// Root is the top of the path when it is a root (TopIsRoot), else nil. It
// is IsRoot of that certificate, decided once by Build: IsRoot checks the
// self-signature each time, and a bulk run asks for every chain.
func (r *Result) Root() *x509.Certificate {
	if !r.TopIsRoot {
		return nil
	}
	return r.Path[len(r.Path)-1]
}

// Added is a certificate on the path that the input lacked.
type Added struct {
	Cert *x509.Certificate
	From string // FromPool, FromRoots, FromFetched
}

// Values of Added.From.
const (
	FromPool    = "pool"
	FromRoots   = "roots"
	FromFetched = "fetched"
)

// ErrNoLeaf: the input holds no certificate that could be a leaf.
var ErrNoLeaf = errors.New("no leaf certificate found")

// DefaultMaxSignatureChecks bounds signature checks per Build (see
// golang/go#78282). A real chain needs a handful; 2,000 ECDSA or RSA checks
// take about 0.1 to 0.3 s.
const DefaultMaxSignatureChecks = 2000

// DiagnoseOptions tune Diagnose.
type DiagnoseOptions struct {
	Host string // the name clients use; checked against the leaf's SANs when set
	// Names are more names clients use (check --name: DNS names or IP
	// addresses), each checked like Host.
	Names         []string
	At            time.Time     // required
	ExpiryWarning time.Duration // warn when a certificate of the path expires within this; 0 means 30 days
	// KeyUsages the leaf must allow, as in Options; nil means ServerAuth.
	KeyUsages []x509.ExtKeyUsage
	// Roots are the trust anchors the chain was built against, as in
	// Options: with them Diagnose tells an expired cross-sign that the
	// only trusted path needs (an error) from one a valid path does
	// without (a warning).
	Roots []*x509.Certificate
	// Anchors are more trust anchors, as in Options.
	Anchors *Anchors
}

// Finding is one problem (or one reassurance) about a chain. Its JSON form
// is the documented interface of check --json (README "Finding ids").
type Finding struct {
	// ID is stable (the ID* constants): "chain-incomplete", "chain-order", ...
	ID       string            `json:"id"`
	Severity string            `json:"severity"` // "error", "warning", "info"
	Cert     *x509.Certificate `json:"-"`
	// Subject and SHA256 name the certificate the finding is about (Name
	// and the hex SHA-256 of its DER), when it is about one.
	Subject string `json:"subject,omitempty"`
	SHA256  string `json:"sha256,omitempty"`
	Message string `json:"message"` // what is wrong, in admin words, one line
	// Fix says what to do; empty only for information.
	Fix string `json:"fix"`
}

// About sets the certificate a finding is about: Cert, Subject and SHA256.
func (f *Finding) About(c *x509.Certificate) {
	f.Cert, f.Subject, f.SHA256 = c, "", ""
	if c != nil {
		sum := sha256.Sum256(c.Raw)
		f.Subject, f.SHA256 = Name(c), hex.EncodeToString(sum[:])
	}
}
