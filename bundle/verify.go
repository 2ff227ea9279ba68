package bundle

import (
	"crypto/x509"
	"fmt"
	"slices"
)

// firstUsable returns the best path among the trusted (or untrusted) ones
// whose dates hold and that crypto/x509 accepts; nil if none, or once ctx
// is done.
func (b *builder) firstUsable(trusted bool) *cand {
	for _, c := range b.cands {
		if c.trusted() != trusted || !c.datesOK() {
			continue
		}
		if !c.verified && b.stopped() {
			return nil
		}
		b.verifyCand(c)
		if c.verr == nil {
			return c
		}
	}
	return nil
}

// verifyCand runs crypto/x509 on exactly this path: its intermediates and
// its top as the only root.
func (b *builder) verifyCand(c *cand) {
	if c.verified {
		return
	}
	c.verified = true
	c.verr = verifyPath(c.certs, b.at, b.usages, b.opts.Verdicts)
}

// verify runs crypto/x509 on path with roots.
func (b *builder) verify(path []*x509.Certificate, roots *x509.CertPool) error {
	return verifyWith(path, roots, b.at, b.usages)
}

// finalVerify checks the chosen path once more, against every root in
// Options.Roots (or its own top when untrusted).
func (b *builder) finalVerify(c *cand) error {
	if c.verified && c.verr == nil {
		// verifyCand proved the path with its own top as the only root;
		// more roots in the pool cannot undo that (Verify succeeds when
		// any chain is valid), so crypto/x509's verdict stands.
		return nil
	}
	if err := b.verify(c.certs, b.rootsFor(c)); err != nil {
		return b.invalid(c.certs, err)
	}
	return nil
}

// rootsFor is the pool a path is verified against for the record: every
// trust anchor when it is trusted, its own top otherwise.
func (b *builder) rootsFor(c *cand) *x509.CertPool {
	roots := onlyRoot(c.certs[len(c.certs)-1])
	if c.trusted() {
		for _, r := range b.opts.Roots {
			if r != nil {
				roots.AddCert(r)
			}
		}
		// Every anchor named like a path certificate's issuer is loaded:
		// all that crypto/x509 would look at in the whole set.
		for _, r := range b.anchorsLoaded {
			roots.AddCert(r)
		}
	}
	return roots
}

// invalid is the *InvalidError for path, which crypto/x509 refused with err.
func (b *builder) invalid(path []*x509.Certificate, err error) *InvalidError {
	reason, culprit := explain(path, err, b.at, b.usages)
	return &InvalidError{Path: path, Err: err, Reason: reason, Cert: culprit, Cause: b.cause()}
}

// cause gathers what went wrong on the way: the Source's errors, as they
// are, and an exhausted budget.
func (b *builder) cause() error {
	errs := slices.Clone(b.srcErrs)
	if b.budgetHit {
		errs = append(errs, fmt.Errorf("%w after %d checks", ErrSignatureBudget, b.checks))
	}
	if b.capHit != nil {
		errs = append(errs, fmt.Errorf("%w: only %d of the certificates named %s were tried", ErrSignatureBudget, maxNameCandidates, Name(&x509.Certificate{Subject: b.capHit.cert.Issuer})))
	}
	return joinCauses(errs)
}

// failure builds the error when no path is usable.
func (b *builder) failure(leaf *node) error {
	if b.ctxErr != nil {
		return b.stoppedError(leaf)
	}
	if len(b.cands) == 0 {
		// Only when the bounds cut the walk short before any path.
		return fmt.Errorf("no path found: %w", joinCauses(append(b.srcErrs, ErrSignatureBudget)))
	}
	best := b.cands[0]
	if best.trusted() || b.opts.AllowUntrusted {
		// A trusted path exists but crypto/x509 refuses it; or the
		// caller accepts untrusted paths and the best one is refused.
		return b.invalid(best.certs, b.verify(best.certs, b.rootsFor(best)))
	}
	if best.end == endMissing {
		top := best.nodes[len(best.nodes)-1]
		mis, where := b.mismatchedOf(top)
		return &MissingIssuerError{Cert: top.cert, Path: best.certs, Mismatched: mis, mismatchedWhere: where, Cause: b.cause()}
	}
	return &UntrustedError{Path: best.certs, Cause: b.cause(), tooLong: best.end == endTooLong}
}
