package bundle

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"slices"
	"time"
)

type endKind int

// Ends of a candidate path, best first for untrusted paths.
const (
	endTrusted    endKind = iota // reached a trust anchor from Options.Roots
	endSelfSigned                // a self-signed certificate not in Roots
	endMissing                   // no issuer at hand for the top
	endLoop                      // every issuer of the top is already on the path
	endTooLong                   // MaxChainLength reached
)

// cand is one complete candidate path.
type cand struct {
	nodes     []*node
	certs     []*x509.Certificate
	end       endKind
	topSelf   bool              // the top is self-signed: its own signature is never checked
	topIsRoot bool              // the top is a root (IsRoot) above the leaf, not a certificate to send
	dateBad   *x509.Certificate // first certificate invalid at At, or nil
	early     *x509.Certificate // an intermediate expiring before the leaf
	minExp    time.Time         // earliest NotAfter among the intermediates
	minCert   *x509.Certificate // the certificate with minExp
	sum       [32]byte

	verified bool
	verr     error
}

func (c *cand) trusted() bool { return c.end == endTrusted }

func (c *cand) datesOK() bool { return c.dateBad == nil }

// intermediates are the certificates between the leaf and the top; the top
// counts as one unless it is a root (rules.go, intermediatesOf).
func (c *cand) intermediates() []*x509.Certificate {
	return intermediatesOf(c.certs, c.topIsRoot)
}

// search enumerates paths, asks the Source when nothing usable is at hand,
// and returns the chosen path (nil if none is usable or ctx is done).
// b.cands holds every path of the last enumeration, sorted best first.
func (b *builder) search(leaf *node) *cand {
	for {
		b.enumerate(leaf)
		if b.ctxErr != nil {
			return nil
		}
		if c := b.firstUsable(true); c != nil || b.ctxErr != nil {
			return c
		}
		// Nothing valid and trusted: ask for the issuers of every
		// certificate on the failed paths not asked yet (a stale cross-sign
		// in the input, a path to an untrusted root), best path first.
		if !b.askAlong() {
			break
		}
	}
	if b.opts.AllowUntrusted {
		return b.firstUsable(false)
	}
	return nil
}

func (b *builder) askAlong() bool {
	for _, c := range b.cands {
		for i, n := range c.nodes {
			if c.end == endTrusted && i == len(c.nodes)-1 {
				continue
			}
			if n.asked || b.selfSigned(n) {
				continue
			}
			if b.ask(n) {
				return true
			}
		}
	}
	return false
}

// ask queries Options.Source for n's issuers once; it reports whether that
// brought new certificates. A Source error is kept as it is: it names the
// certificate it was about (package fetch's do), and wrapping it again
// would name it twice.
func (b *builder) ask(n *node) bool {
	if b.opts.Source == nil || n.asked || b.calls >= maxSourceCalls {
		return false
	}
	n.asked = true
	if err := b.ctx.Err(); err != nil {
		b.srcErrs = append(b.srcErrs, err)
		return false
	}
	b.calls++
	certs, err := b.opts.Source.Issuers(b.ctx, n.cert)
	if err != nil {
		b.srcErrs = append(b.srcErrs, err)
	}
	added := false
	for _, c := range certs {
		if c == nil {
			continue
		}
		b.loadAnchors(c)
		if _, isNew := b.add(c, fromFetched); isNew {
			added = true
		}
	}
	return added
}

func (b *builder) enumerate(leaf *node) {
	b.cands = b.cands[:0]
	b.seen = make(map[[32]byte]bool)
	b.visits = 0
	b.walk([]*node{leaf})
	slices.SortStableFunc(b.cands, compareCands)
}

// anchorFor returns the trust anchor n stands for at position pos of a
// path: n itself when it is in Roots, or the anchor with n's subject and
// key when n is a copy of it (a cross-sign). A leaf given as a trust anchor
// is still the leaf (clients are not sent their own anchors, but they are
// sent the leaf): it ends the path only when it is self-signed.
func (b *builder) anchorFor(n *node, pos int) *node {
	if pos == 0 {
		if n.isRoot && b.selfSigned(n) {
			return n
		}
		return nil
	}
	if n.isRoot {
		return n
	}
	return b.rootByKey[nameKey{string(n.cert.RawSubject), n.key}]
}

func (b *builder) walk(path []*node) {
	if len(b.cands) >= maxPaths || b.visits >= maxVisits || b.ctxErr != nil {
		return
	}
	b.visits++
	if b.visits%ctxEvery == 0 && b.stopped() {
		return
	}
	top := path[len(path)-1]
	if a := b.anchorFor(top, len(path)-1); a != nil {
		full := append(path[:len(path)-1:len(path)-1], a)
		b.record(full, endTrusted)
		return
	}
	if b.selfSigned(top) {
		b.record(path, endSelfSigned)
		return
	}
	if len(path) >= MaxChainLength {
		b.record(path, endTooLong)
		return
	}
	issuers := b.issuersOf(top)
	if len(issuers) == 0 && b.ask(top) {
		issuers = b.issuersOf(top)
	}
	extended := 0
	for _, p := range issuers {
		if slices.ContainsFunc(path, func(q *node) bool { return sameKey(p, q) }) {
			continue // a loop, or another copy of a CA already on the path
		}
		extended++
		b.walk(append(path[:len(path):len(path)], p))
	}
	if extended == 0 {
		end := endMissing
		if len(issuers) > 0 {
			end = endLoop
		}
		b.record(path, end)
	}
}

func (b *builder) record(path []*node, end endKind) {
	h := sha256.New()
	for _, n := range path {
		h.Write(n.cert.Raw)
	}
	var sum [32]byte
	h.Sum(sum[:0])
	if b.seen[sum] {
		return
	}
	b.seen[sum] = true
	c := &cand{nodes: slices.Clone(path), end: end, sum: sum}
	for _, n := range path {
		c.certs = append(c.certs, n.cert)
		if c.dateBad == nil && !ValidAt(n.cert, b.at) {
			c.dateBad = n.cert
		}
	}
	top := path[len(path)-1]
	c.topSelf = (end == endTrusted || end == endSelfSigned) && b.selfSigned(top)
	c.topIsRoot = len(path) > 1 && c.topSelf && top.cert.IsCA // IsRoot
	c.minExp = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	leaf := path[0].cert
	for _, ic := range c.intermediates() {
		if ic.NotAfter.Before(c.minExp) {
			c.minExp, c.minCert = ic.NotAfter, ic
		}
		if c.early == nil && expiresBeforeLeaf(ic, leaf) {
			c.early = ic
		}
	}
	b.cands = append(b.cands, c)
}

// compareCands orders paths best first: trusted, valid dates, the better
// end (for untrusted paths: a self-signed top before a missing issuer), no
// intermediate expiring before the leaf, shorter, the latest
// earliest-expiring intermediate, then the lowest SHA-256 of the path's DER.
func compareCands(x, y *cand) int {
	if x.trusted() != y.trusted() {
		return boolFirst(x.trusted())
	}
	if x.datesOK() != y.datesOK() {
		return boolFirst(x.datesOK())
	}
	if x.end != y.end {
		return int(x.end) - int(y.end)
	}
	if (x.early == nil) != (y.early == nil) {
		return boolFirst(x.early == nil)
	}
	if len(x.nodes) != len(y.nodes) {
		return len(x.nodes) - len(y.nodes)
	}
	if c := y.minExp.Compare(x.minExp); c != 0 {
		return c
	}
	return bytes.Compare(x.sum[:], y.sum[:])
}
