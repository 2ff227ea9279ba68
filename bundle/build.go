package bundle

import (
	"context"
	"crypto/x509"
	"fmt"
	"time"
)

// The builder is split by concern: index.go (the candidates, indexed),
// link.go (who signed whom), leaf.go (the leaf rule), paths.go (path
// enumeration and ranking), verify.go (crypto/x509's verdict and the
// errors), result.go (the Result and its reasons); rules.go holds the
// facts Build and Diagnose share.

// MaxChainLength bounds a path, leaf and root included. Public WebPKI chains
// have 2 to 5 certificates and appliances accept at most 10 (Citrix ADC:
// leaf + 9 intermediates); 8 leaves room for deep private PKIs while
// keeping a walk through a pool of cross-signs short.
const MaxChainLength = 8

// maxPaths bounds how many complete candidate paths one enumeration keeps:
// real PKIs offer a handful (cross-signs double them at each level), and
// every kept path may cost one crypto/x509 Verify.
const maxPaths = 64

// maxVisits bounds the steps of one depth-first enumeration, so a pool of
// mutually cross-signed CAs cannot make it exponential even when every
// signature is already cached (golang/go#78282 is the same trap in
// crypto/x509).
const maxVisits = 4096

// maxSourceCalls bounds how often one Build asks Options.Source; each call
// may be a network round trip (Chrome allows 5 AIA fetches per certificate
// and no chain legitimately needs more than a few).
const maxSourceCalls = 16

// maxNameCandidates bounds how many certificates carrying the name of a
// certificate's issuer are tried as that issuer, beyond those its AKI
// designates. A real CA has a handful of certificates per name (renewals,
// cross-signs); a pool holding thousands under one name is a dump of
// unrelated certificates, and trying each would make path building
// quadratic in them (issue 12: 20,000 same-named CAs took 90 s).
const maxNameCandidates = 256

// leafShare is the part of the signature budget the leaf choice may
// spend (one half): telling which input certificates issue others is
// worth less than finding the path, which must keep checks to spend. An
// input certificate left undecided counts as issuing nothing.
const leafShare = 2

// ctxEvery is how many cheap steps (walk visits, leaf-choice iterations) a
// loop takes between two looks at ctx.Err(); every signature check and
// every crypto/x509 Verify looks first.
const ctxEvery = 64

type builder struct {
	ctx  context.Context
	opts Options
	// anchorsLoaded are the Options.Anchors brought into the index, each
	// once (anchorSeen).
	anchorsLoaded []*x509.Certificate
	anchorSeen    map[*x509.Certificate]bool
	at            time.Time
	usages        []x509.ExtKeyUsage
	maxChecks     int

	index

	sigCache  map[sigKey]sigState
	checks    int
	limit     int // the budget in force: maxChecks, or its leafShare while choosing the leaf
	budgetHit bool
	refused   int   // checks not made for lack of budget or because ctx is done
	capHit    *node // a certificate whose same-named issuers were not all tried
	ctxErr    error // ctx's error once the search saw it done

	calls   int
	srcErrs []error

	cands  []*cand
	seen   map[[32]byte]bool
	visits int
}

// Build finds the best path from a leaf in input to a trusted root; see the
// package documentation for the rules. When ctx is done, Build stops at its
// next signature check or Verify and returns an error wrapping ctx.Err();
// it asks Options.Source nothing more (the context's error is kept as the
// Source's would be).
func Build(ctx context.Context, input []*x509.Certificate, opts Options) (*Result, error) {
	r, _, err := build(ctx, input, opts)
	return r, err
}

func build(ctx context.Context, input []*x509.Certificate, opts Options) (*Result, *builder, error) {
	if opts.At.IsZero() {
		return nil, nil, ErrNoTime
	}
	b := &builder{
		ctx:       ctx,
		opts:      opts,
		at:        opts.At,
		usages:    opts.KeyUsages,
		maxChecks: opts.MaxSignatureChecks,
		index:     newIndex(),
		sigCache:  make(map[sigKey]sigState),
	}
	if b.usages == nil {
		b.usages = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	if b.maxChecks <= 0 {
		b.maxChecks = DefaultMaxSignatureChecks
	}

	res := &Result{}
	var inputs []*node
	var dups []dup
	for i, c := range input {
		if c == nil {
			continue
		}
		n, isNew := b.add(c, fromInput)
		if !isNew {
			if n.inputPos >= 0 {
				dups = append(dups, dup{cert: c, of: n})
			}
			continue
		}
		n.inputPos = i
		inputs = append(inputs, n)
	}
	if len(inputs) == 0 {
		return nil, b, ErrNoLeaf
	}
	for _, c := range opts.Roots {
		if c != nil {
			b.addRoot(c)
		}
	}
	// The anchors a candidate could chain to, or be a copy of, join as
	// Roots do: after the input (an input that is an anchor stays input),
	// before the pool and fetched certificates (one of those that is an
	// anchor is the anchor).
	for _, n := range inputs {
		b.loadAnchors(n.cert)
	}
	for _, c := range opts.Pool {
		if c != nil {
			b.loadAnchors(c)
			b.add(c, fromPool)
		}
	}

	b.limit = b.maxChecks / leafShare
	leaf, choice, err := b.chooseLeaf(inputs)
	if err != nil {
		return nil, b, err
	}
	b.limit = b.maxChecks
	res.Leaf, res.LeafChoice = leaf.cert, choice

	chosen := b.search(leaf)
	if b.ctxErr != nil {
		return nil, b, b.stoppedError(leaf)
	}
	if chosen == nil {
		return nil, b, b.failure(leaf)
	}
	if err := b.finalVerify(chosen); err != nil {
		return nil, b, err
	}
	b.fill(res, chosen, inputs, dups)
	return res, b, nil
}

// stopped reports whether ctx is done, remembering its error.
func (b *builder) stopped() bool {
	if b.ctxErr == nil {
		b.ctxErr = b.ctx.Err()
	}
	return b.ctxErr != nil
}

// stoppedError is Build's error once ctx is done mid-search.
func (b *builder) stoppedError(leaf *node) error {
	if leaf == nil {
		return fmt.Errorf("choosing the leaf: %w", b.ctxErr)
	}
	return fmt.Errorf("building the chain of %s: %w", Name(leaf.cert), b.ctxErr)
}
