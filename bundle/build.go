package bundle

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

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

// Codes of Result.Notes.
const (
	NoteSHA1Signature                 = "sha1-signature"
	NoteIntermediateExpiresBeforeLeaf = "intermediate-expires-before-leaf"
)

// Values of Added.From.
const (
	FromPool    = "pool"
	FromRoots   = "roots"
	FromFetched = "fetched"
)

type origin int

const (
	fromInput origin = iota
	fromRoots
	fromPool
	fromFetched
)

// where says where a certificate came from, for messages: "CN=X in the
// input has the right name but did not sign ...".
func (o origin) where() string {
	switch o {
	case fromRoots:
		return "among the trusted roots"
	case fromPool:
		return "in the pool"
	case fromFetched:
		return "as fetched"
	}
	return "in the input"
}

func (o origin) String() string {
	switch o {
	case fromRoots:
		return FromRoots
	case fromPool:
		return FromPool
	case fromFetched:
		return FromFetched
	}
	return "input"
}

// node is one distinct certificate (by DER) among the candidates.
type node struct {
	cert     *x509.Certificate
	sum      [32]byte
	from     origin
	inputPos int  // index of its first occurrence in the input, or -1
	isRoot   bool // its DER is in Options.Roots
	self     int8 // self-signed: 0 unknown, 1 yes, -1 no
	asked    bool // Options.Source was asked for its issuers

	issuers    []*node // cached result of issuersOf
	mismatched []*node // name-matching candidates proven not to sign it, by issuersOf
	issuersGen int     // b.gen when issuers was computed (0: never)
}

type keyID struct{ subject, spki string }

func keyOf(c *x509.Certificate) keyID {
	return keyID{string(c.RawSubject), string(c.RawSubjectPublicKeyInfo)}
}

type endKind int

// Ends of a candidate path, best first for untrusted paths.
const (
	endTrusted    endKind = iota // reached a root from Options.Roots
	endSelfSigned                // a self-signed certificate not in Roots
	endMissing                   // no issuer at hand for the top
	endLoop                      // every issuer of the top is already on the path
	endTooLong                   // MaxChainLength reached
)

// cand is one complete candidate path.
type cand struct {
	nodes   []*node
	certs   []*x509.Certificate
	end     endKind
	datesOK bool
	dateBad *x509.Certificate // first certificate invalid at At
	early   *x509.Certificate // an intermediate expiring before the leaf
	minExp  time.Time         // earliest NotAfter among the intermediates
	minCert *x509.Certificate // the certificate with minExp
	sum     [32]byte

	verified bool
	verr     error
}

func (c *cand) trusted() bool { return c.end == endTrusted }

// intermediates are the certificates between the leaf and the top; the top
// counts as one when its issuer is missing.
func (c *cand) intermediates() []*x509.Certificate {
	n := len(c.certs)
	if n <= 1 {
		return nil
	}
	if c.end == endTrusted || c.end == endSelfSigned {
		return c.certs[1 : n-1]
	}
	return c.certs[1:]
}

type builder struct {
	opts      Options
	at        time.Time
	usages    []x509.ExtKeyUsage
	maxChecks int

	nodes     []*node
	byDER     map[[32]byte]*node
	bySubject map[string][]*node
	bySKI     map[string][]*node
	rootByKey map[keyID]*node
	gen       int // bumped whenever a certificate is added

	sigCache  map[[2][32]byte]sigState
	checks    int
	budgetHit bool

	calls   int
	srcErrs []error

	cands  []*cand
	seen   map[[32]byte]bool
	visits int
}

// Build finds the best path from a leaf in input to a trusted root; see the
// package documentation for the rules.
func Build(ctx context.Context, input []*x509.Certificate, opts Options) (*Result, error) {
	r, _, err := build(ctx, input, opts)
	return r, err
}

func build(ctx context.Context, input []*x509.Certificate, opts Options) (*Result, *builder, error) {
	if opts.At.IsZero() {
		return nil, nil, ErrNoTime
	}
	b := &builder{
		opts:      opts,
		at:        opts.At,
		usages:    opts.KeyUsages,
		maxChecks: opts.MaxSignatureChecks,
		byDER:     make(map[[32]byte]*node),
		bySubject: make(map[string][]*node),
		bySKI:     make(map[string][]*node),
		rootByKey: make(map[keyID]*node),
		sigCache:  make(map[[2][32]byte]sigState),
	}
	if b.usages == nil {
		b.usages = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	if b.maxChecks <= 0 {
		b.maxChecks = DefaultMaxSignatureChecks
	}

	res := &Result{}
	var inputs []*node
	for i, c := range input {
		if c == nil {
			continue
		}
		n, isNew := b.add(c, fromInput)
		if !isNew {
			if n.inputPos >= 0 {
				res.Dropped = append(res.Dropped, Dropped{Cert: c, Reason: fmt.Sprintf("duplicate of input certificate %d (%s)", n.inputPos+1, Name(c))})
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
		if c == nil {
			continue
		}
		n, _ := b.add(c, fromRoots)
		n.isRoot = true
		if _, dup := b.rootByKey[keyOf(c)]; !dup {
			b.rootByKey[keyOf(c)] = n
		}
	}
	for _, c := range opts.Pool {
		if c != nil {
			b.add(c, fromPool)
		}
	}

	leaf, others, err := b.chooseLeaf(inputs, res)
	if err != nil {
		return nil, b, err
	}
	res.Leaf = leaf.cert

	chosen := b.search(ctx, leaf)
	if chosen == nil {
		return nil, b, b.failure()
	}
	if err := b.finalVerify(chosen); err != nil {
		return nil, b, err
	}
	b.fill(res, chosen, inputs, others)
	return res, b, nil
}

// add indexes c; it returns the node and whether c was new.
func (b *builder) add(c *x509.Certificate, from origin) (*node, bool) {
	sum := sha256.Sum256(c.Raw)
	if n, ok := b.byDER[sum]; ok {
		return n, false
	}
	n := &node{cert: c, sum: sum, from: from, inputPos: -1}
	b.nodes = append(b.nodes, n)
	b.byDER[sum] = n
	b.bySubject[string(c.RawSubject)] = append(b.bySubject[string(c.RawSubject)], n)
	if len(c.SubjectKeyId) > 0 {
		b.bySKI[string(c.SubjectKeyId)] = append(b.bySKI[string(c.SubjectKeyId)], n)
	}
	b.gen++
	return n, true
}

// signs reports whether parent's key verifies child's signature.
func (b *builder) signs(parent, child *node) bool {
	return b.check(parent, child) == sigValid
}

// check judges child's signature with parent's key. Verdicts are cached; at
// most maxChecks fresh checks are made per Build, after which the answer is
// sigUnknown.
func (b *builder) check(parent, child *node) sigState {
	k := [2][32]byte{parent.sum, child.sum}
	if v, ok := b.sigCache[k]; ok {
		return v
	}
	if b.checks >= b.maxChecks {
		b.budgetHit = true
		return sigUnknown
	}
	b.checks++
	v := signatureVerdict(parent.cert, child.cert)
	b.sigCache[k] = v
	return v
}

// sigState is the verdict on one signature.
type sigState int8

const (
	// sigUnknown: not checked (the budget ran out) or not checkable (MD5,
	// an algorithm or key type crypto/x509 does not support).
	sigUnknown sigState = iota
	// sigValid: parent's key verifies child's signature.
	sigValid
	// sigInvalid: it does not; parent holds another key.
	sigInvalid
)

// signatureVerdict checks child's signature with parent's key.
// CheckSignature, not child.CheckSignatureFrom(parent): the latter refuses
// SHA-1 and checks the CA bit, and we want the raw fact here (crypto/x509
// judges the policy in Verify).
func signatureVerdict(parent, child *x509.Certificate) sigState {
	err := parent.CheckSignature(child.SignatureAlgorithm, child.RawTBSCertificate, child.Signature)
	var insecure x509.InsecureAlgorithmError
	switch {
	case err == nil:
		return sigValid
	case errors.As(err, &insecure), errors.Is(err, x509.ErrUnsupportedAlgorithm):
		return sigUnknown
	}
	return sigInvalid
}

func (b *builder) selfSigned(n *node) bool {
	if n.self == 0 {
		n.self = -1
		if bytes.Equal(n.cert.RawSubject, n.cert.RawIssuer) && b.signs(n, n) {
			n.self = 1
		}
	}
	return n.self == 1
}

// sameKey: a and b are the same CA (same subject and key), e.g. a root and
// its cross-signed copy.
func sameKey(a, b *node) bool {
	return bytes.Equal(a.cert.RawSubject, b.cert.RawSubject) &&
		bytes.Equal(a.cert.RawSubjectPublicKeyInfo, b.cert.RawSubjectPublicKeyInfo)
}

// issuersOf returns the certificates whose key verifies child's signature,
// found by name (RawIssuer == RawSubject) and by AKI == SKI when the names
// differ only in their string encoding. Candidates whose SKI matches the
// child's AKI (or that lack either) are checked first; the others only when
// none of those signed it.
//
// It also sets child.mismatched: the candidates found by name that did not
// sign child (a renewed intermediate with a new key, a sibling CA with the
// same name, a damaged copy), so that errors and reasons can name them
// instead of calling the issuer missing or the certificate unrelated. A
// candidate left unchecked because of the budget or a refused algorithm is
// not counted; one left unchecked because another candidate signed counts
// when its key differs from every signer's (a signature verifies under one
// key only).
func (b *builder) issuersOf(child *node) []*node {
	if child.issuersGen == b.gen {
		return child.issuers
	}
	aki := child.cert.AuthorityKeyId
	var pref, rest []*node
	for _, p := range b.bySubject[string(child.cert.RawIssuer)] {
		if p == child {
			continue
		}
		if len(aki) > 0 && len(p.cert.SubjectKeyId) > 0 && !bytes.Equal(aki, p.cert.SubjectKeyId) {
			rest = append(rest, p)
		} else {
			pref = append(pref, p)
		}
	}
	if len(aki) > 0 {
		issuerName := child.cert.Issuer.String()
		for _, p := range b.bySKI[string(aki)] {
			if p != child && !bytes.Equal(p.cert.RawSubject, child.cert.RawIssuer) && p.cert.Subject.String() == issuerName {
				pref = append(pref, p)
			}
		}
	}
	bySum := func(x, y *node) int { return bytes.Compare(x.sum[:], y.sum[:]) }
	slices.SortFunc(pref, bySum)
	slices.SortFunc(rest, bySum)
	var out, bad []*node
	judge := func(ps []*node) {
		for _, p := range ps {
			switch b.check(p, child) {
			case sigValid:
				out = append(out, p)
			case sigInvalid:
				bad = append(bad, p)
			}
		}
	}
	judge(pref)
	if len(out) == 0 {
		judge(rest)
	} else {
		for _, p := range rest {
			if !slices.ContainsFunc(out, func(s *node) bool {
				return bytes.Equal(s.cert.RawSubjectPublicKeyInfo, p.cert.RawSubjectPublicKeyInfo)
			}) {
				bad = append(bad, p)
			}
		}
	}
	child.issuers, child.mismatched, child.issuersGen = out, bad, b.gen
	return out
}

// mismatchedOf returns child's mismatched candidates (see issuersOf), input
// certificates first in input order, then the pool, fetched certificates
// and roots, and where each came from.
func (b *builder) mismatchedOf(child *node) ([]*x509.Certificate, []string) {
	b.issuersOf(child)
	ms := slices.Clone(child.mismatched)
	slices.SortStableFunc(ms, func(x, y *node) int {
		if x.from != y.from {
			return originRank(x.from) - originRank(y.from)
		}
		if x.inputPos != y.inputPos {
			return x.inputPos - y.inputPos
		}
		return bytes.Compare(x.sum[:], y.sum[:])
	})
	var certs []*x509.Certificate
	var where []string
	for _, m := range ms {
		certs = append(certs, m.cert)
		where = append(where, m.from.where())
	}
	return certs, where
}

// originRank orders origins for messages: what the admin gave first.
func originRank(o origin) int {
	switch o {
	case fromInput:
		return 0
	case fromPool:
		return 1
	case fromFetched:
		return 2
	}
	return 3
}

// anchorFor returns the trusted root n stands for: n itself when it is in
// Roots, or the root with n's subject and key when n is a cross-signed copy
// of it (not for the leaf position, which must stay the leaf).
func (b *builder) anchorFor(n *node, pos int) *node {
	if n.isRoot {
		return n
	}
	if pos == 0 {
		return nil
	}
	return b.rootByKey[keyOf(n.cert)]
}

// ask queries Options.Source for n's issuers once; it reports whether that
// brought new certificates.
func (b *builder) ask(ctx context.Context, n *node) bool {
	if b.opts.Source == nil || n.asked || b.calls >= maxSourceCalls {
		return false
	}
	n.asked = true
	if err := ctx.Err(); err != nil {
		b.srcErrs = append(b.srcErrs, fmt.Errorf("fetching the issuer of %s: %w", Name(n.cert), err))
		return false
	}
	b.calls++
	certs, err := b.opts.Source.Issuers(ctx, n.cert)
	if err != nil {
		b.srcErrs = append(b.srcErrs, fmt.Errorf("fetching the issuer of %s: %w", Name(n.cert), err))
	}
	added := false
	for _, c := range certs {
		if c == nil {
			continue
		}
		if _, isNew := b.add(c, fromFetched); isNew {
			added = true
		}
	}
	return added
}

// chooseLeaf applies the leaf rule: Options.Leaf if set; otherwise the
// input certificates that issue no other input certificate (by signature)
// are the candidates, ranked by rankLeaves. It returns the leaf and, for
// each other non-CA candidate, why it lost (for Result.Dropped).
func (b *builder) chooseLeaf(inputs []*node, res *Result) (*node, map[*node]string, error) {
	if b.opts.Leaf != nil {
		n, ok := b.byDER[sha256.Sum256(b.opts.Leaf.Raw)]
		if !ok || n.inputPos < 0 {
			return nil, nil, fmt.Errorf("%w: %s", ErrLeafNotInInput, Name(b.opts.Leaf))
		}
		return n, nil, nil
	}
	issues := make(map[*node]bool)
	for _, d := range inputs {
		for _, p := range b.issuersOf(d) {
			if p.inputPos >= 0 && !sameKey(p, d) {
				issues[p] = true
			}
		}
	}
	var cands, nonCA []*node
	for _, n := range inputs {
		if issues[n] {
			continue
		}
		cands = append(cands, n)
		if !n.cert.IsCA {
			nonCA = append(nonCA, n)
		}
	}
	switch {
	case len(nonCA) == 1:
		return nonCA[0], nil, nil
	case len(nonCA) > 1:
		// CA candidates (a stray root, an unrelated intermediate) are not
		// listed: a non-CA always wins over them.
		leaf, lost := b.rankLeaves(nonCA)
		res.LeafReason = b.leafReason(leaf, nonCA, lost)
		others := make(map[*node]string)
		for _, n := range nonCA {
			if n != leaf {
				others[n] = lost[n]
			}
		}
		return leaf, others, nil
	case len(cands) == 1:
		res.LeafReason = fmt.Sprintf("the input holds only CA certificates; %s is the one that issues no other", Name(cands[0].cert))
		return cands[0], nil, nil
	case len(cands) > 1:
		leaf, lost := b.rankLeaves(cands)
		res.LeafReason = "the input holds only CA certificates; " + b.leafReason(leaf, cands, lost)
		return leaf, nil, nil
	}
	res.LeafReason = fmt.Sprintf("every input certificate issues another (a loop of cross-signs); took the first, %s", Name(inputs[0].cert))
	return inputs[0], nil, nil
}

// rankLeaves picks the leaf among cands (all non-CA, or all CA, in input
// order): one valid at Options.At before one that is not; among those, the
// first in input order names the site, and the renewal of it with the
// newest NotBefore wins (a renewal beats the certificate it replaces; a
// certificate for another site keeps its place in the input order). It
// returns the winner and why each other candidate lost.
func (b *builder) rankLeaves(cands []*node) (*node, map[*node]string) {
	best := slices.Clone(cands)
	slices.SortStableFunc(best, func(x, y *node) int {
		if vx, vy := b.validAt(x.cert), b.validAt(y.cert); vx != vy {
			return boolFirst(vx)
		}
		return 0
	})
	site, leaf := best[0], best[0]
	for _, n := range best[1:] {
		if b.validAt(n.cert) == b.validAt(site.cert) && renewalOf(n.cert, site.cert) && n.cert.NotBefore.After(leaf.cert.NotBefore) {
			leaf = n
		}
	}
	lost := make(map[*node]string)
	for _, n := range cands {
		switch {
		case n == leaf:
		case b.validAt(n.cert) != b.validAt(leaf.cert):
			lost[n] = b.validity(n.cert)
		case renewalOf(n.cert, site.cert) && n.cert.NotBefore.Before(leaf.cert.NotBefore):
			lost[n] = "older"
		case renewalOf(n.cert, site.cert):
			lost[n] = "issued at the same time, later in the input"
		default:
			lost[n] = "listed after " + Name(site.cert)
		}
	}
	return leaf, lost
}

// leafReason says which candidate was chosen over which, and why:
// "chose CN=x (valid until 2027-05-01, issued 2026-05-01) over CN=x (valid
// until 2026-06-02, issued 2025-05-01: older)".
func (b *builder) leafReason(leaf *node, cands []*node, lost map[*node]string) string {
	var over []string
	for _, n := range cands {
		if n == leaf {
			continue
		}
		if b.validAt(n.cert) != b.validAt(leaf.cert) {
			over = append(over, fmt.Sprintf("%s (%s)", Name(n.cert), lost[n])) // lost on its dates, which say it all
			continue
		}
		over = append(over, fmt.Sprintf("%s (%s, issued %s: %s)", Name(n.cert), b.validity(n.cert), day(n.cert.NotBefore), lost[n]))
	}
	return fmt.Sprintf("chose %s (%s, issued %s) over %s", Name(leaf.cert), b.validity(leaf.cert), day(leaf.cert.NotBefore), strings.Join(over, ", "))
}

func (b *builder) validAt(c *x509.Certificate) bool {
	return !b.at.Before(c.NotBefore) && !b.at.After(c.NotAfter)
}

// validity describes c's dates relative to Options.At: "valid until D",
// "expired D" or "not valid before D".
func (b *builder) validity(c *x509.Certificate) string {
	switch {
	case b.at.After(c.NotAfter):
		return "expired " + day(c.NotAfter)
	case b.at.Before(c.NotBefore):
		return "not valid before " + day(c.NotBefore)
	}
	return "valid until " + day(c.NotAfter)
}

// renewalOf: a and b are issues of the same certificate (a renewal and the
// one it replaces): the same subject, and a name in common (DNS name, IP
// address, e-mail address or URI) unless neither has any. A renewal may add
// or drop names, so the name sets need not be equal.
func renewalOf(a, b *x509.Certificate) bool {
	if !bytes.Equal(a.RawSubject, b.RawSubject) {
		return false
	}
	na, nb := sanSet(a), sanSet(b)
	if len(na) == 0 && len(nb) == 0 {
		return true
	}
	for n := range na {
		if nb[n] {
			return true
		}
	}
	return false
}

func sanSet(c *x509.Certificate) map[string]bool {
	set := make(map[string]bool)
	for _, d := range c.DNSNames {
		set["dns:"+strings.ToLower(d)] = true
	}
	for _, ip := range c.IPAddresses {
		set["ip:"+ip.String()] = true
	}
	for _, e := range c.EmailAddresses {
		set["email:"+strings.ToLower(e)] = true
	}
	for _, u := range c.URIs {
		set["uri:"+u.String()] = true
	}
	return set
}

// search enumerates paths, asks the Source when nothing usable is at hand,
// and returns the chosen path (nil if none is usable). b.cands holds every
// path of the last enumeration, sorted best first.
func (b *builder) search(ctx context.Context, leaf *node) *cand {
	for {
		b.enumerate(ctx, leaf)
		if c := b.firstUsable(true); c != nil {
			return c
		}
		// Nothing valid and trusted: ask for the issuers of every
		// certificate on the failed paths not asked yet (a stale cross-sign
		// in the input, a path to an untrusted root), best path first.
		if !b.askAlong(ctx) {
			break
		}
	}
	if b.opts.AllowUntrusted {
		return b.firstUsable(false)
	}
	return nil
}

func (b *builder) askAlong(ctx context.Context) bool {
	for _, c := range b.cands {
		for i, n := range c.nodes {
			if c.end == endTrusted && i == len(c.nodes)-1 {
				continue
			}
			if n.asked || b.selfSigned(n) {
				continue
			}
			if b.ask(ctx, n) {
				return true
			}
		}
	}
	return false
}

func (b *builder) enumerate(ctx context.Context, leaf *node) {
	b.cands = b.cands[:0]
	b.seen = make(map[[32]byte]bool)
	b.visits = 0
	b.walk(ctx, []*node{leaf})
	slices.SortStableFunc(b.cands, compareCands)
}

func (b *builder) walk(ctx context.Context, path []*node) {
	if len(b.cands) >= maxPaths || b.visits >= maxVisits {
		return
	}
	b.visits++
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
	if len(issuers) == 0 && b.ask(ctx, top) {
		issuers = b.issuersOf(top)
	}
	extended := 0
	for _, p := range issuers {
		if slices.ContainsFunc(path, func(q *node) bool { return sameKey(p, q) }) {
			continue // a loop, or another copy of a CA already on the path
		}
		extended++
		b.walk(ctx, append(path[:len(path):len(path)], p))
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
	c := &cand{nodes: slices.Clone(path), end: end, sum: sum, datesOK: true}
	for _, n := range path {
		c.certs = append(c.certs, n.cert)
		if c.datesOK && (b.at.Before(n.cert.NotBefore) || b.at.After(n.cert.NotAfter)) {
			c.datesOK, c.dateBad = false, n.cert
		}
	}
	c.minExp = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	leaf := path[0].cert
	for _, ic := range c.intermediates() {
		if ic.NotAfter.Before(c.minExp) {
			c.minExp, c.minCert = ic.NotAfter, ic
		}
		if ic.NotAfter.Before(leaf.NotAfter) && c.early == nil {
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
	if x.datesOK != y.datesOK {
		return boolFirst(x.datesOK)
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

func boolFirst(x bool) int {
	if x {
		return -1
	}
	return 1
}

// firstUsable returns the best path among the trusted (or untrusted) ones
// whose dates hold and that crypto/x509 accepts.
func (b *builder) firstUsable(trusted bool) *cand {
	for _, c := range b.cands {
		if c.trusted() != trusted || !c.datesOK {
			continue
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
	roots := x509.NewCertPool()
	roots.AddCert(c.certs[len(c.certs)-1])
	c.verr = b.verify(c.certs, roots)
}

func (b *builder) verify(path []*x509.Certificate, roots *x509.CertPool) error {
	inter := x509.NewCertPool()
	if len(path) > 2 {
		for _, c := range path[1 : len(path)-1] {
			inter.AddCert(c)
		}
	}
	// Roots is always an explicit pool: with nil, Verify on Windows and
	// macOS hands the decision to the OS, which fetches intermediates on
	// its own and would hide an incomplete chain.
	_, err := path[0].Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: inter,
		CurrentTime:   b.at,
		KeyUsages:     b.usages,
	})
	return err
}

// finalVerify checks the chosen path once more, against every root in
// Options.Roots (or its own top when untrusted).
func (b *builder) finalVerify(c *cand) error {
	roots := x509.NewCertPool()
	if c.trusted() {
		for _, r := range b.opts.Roots {
			if r != nil {
				roots.AddCert(r)
			}
		}
	} else {
		roots.AddCert(c.certs[len(c.certs)-1])
	}
	if err := b.verify(c.certs, roots); err != nil {
		reason, culprit := explain(c.certs, err, b.at, b.usages)
		return &InvalidError{Path: c.certs, Err: err, Reason: reason, Cert: culprit, Cause: b.cause()}
	}
	return nil
}

func (b *builder) cause() error {
	errs := slices.Clone(b.srcErrs)
	if b.budgetHit {
		errs = append(errs, fmt.Errorf("%w after %d checks", ErrSignatureBudget, b.checks))
	}
	return joinCauses(errs)
}

// failure builds the error when no path is usable.
func (b *builder) failure() error {
	if len(b.cands) == 0 {
		// Only when the bounds cut the walk short before any path.
		return fmt.Errorf("no path found: %w", joinCauses(append(b.srcErrs, ErrSignatureBudget)))
	}
	best := b.cands[0]
	if best.trusted() || b.opts.AllowUntrusted {
		// A trusted path exists but crypto/x509 refuses it; or the
		// caller accepts untrusted paths and the best one is refused.
		roots := x509.NewCertPool()
		roots.AddCert(best.certs[len(best.certs)-1])
		if best.trusted() {
			for _, r := range b.opts.Roots {
				if r != nil {
					roots.AddCert(r)
				}
			}
		}
		err := b.verify(best.certs, roots)
		reason, culprit := explain(best.certs, err, b.at, b.usages)
		return &InvalidError{Path: best.certs, Err: err, Reason: reason, Cert: culprit, Cause: b.cause()}
	}
	if best.end == endMissing {
		mis, where := b.mismatchedOf(best.nodes[len(best.nodes)-1])
		return &MissingIssuerError{Cert: best.certs[len(best.certs)-1], Path: best.certs, Mismatched: mis, mismatchedWhere: where, Cause: b.cause()}
	}
	return &UntrustedError{Path: best.certs, Cause: b.cause(), tooLong: best.end == endTooLong}
}

// fill reports the chosen path and what Build did.
func (b *builder) fill(res *Result, chosen *cand, inputs []*node, otherLeaves map[*node]string) {
	res.Path = chosen.certs
	res.Trusted = chosen.trusted()
	onPath := make(map[*node]bool)
	for _, n := range chosen.nodes {
		onPath[n] = true
	}
	top := chosen.nodes[len(chosen.nodes)-1]
	res.InputHadRoot = top.inputPos >= 0 && (chosen.end == endTrusted || chosen.end == endSelfSigned)

	res.InputInOrder = true
	last := -1
	for _, n := range chosen.nodes {
		if n.inputPos < 0 {
			res.Added = append(res.Added, Added{Cert: n.cert, From: n.from.String()})
			continue
		}
		if n.inputPos < last {
			res.InputInOrder = false
		}
		last = n.inputPos
	}

	// Why each other input certificate is left out.
	for _, n := range inputs {
		if onPath[n] {
			continue
		}
		res.Dropped = append(res.Dropped, Dropped{Cert: n.cert, Reason: b.dropReason(n, chosen, otherLeaves)})
	}
	slices.SortStableFunc(res.Dropped, func(x, y Dropped) int { return inputIndex(b, x.Cert) - inputIndex(b, y.Cert) })

	for _, c := range b.cands {
		if c == chosen {
			continue
		}
		res.Rejected = append(res.Rejected, Rejected{Path: c.certs, Reason: b.rejectReason(c, chosen)})
	}

	for i, c := range chosen.certs {
		if i == len(chosen.certs)-1 && (chosen.end == endTrusted || chosen.end == endSelfSigned) {
			break // a root's own signature is never checked by clients
		}
		if h := weakHash(c); h != "" {
			res.Notes = append(res.Notes, Note{Code: NoteSHA1Signature, Cert: c,
				Message: fmt.Sprintf("%s is signed with %s, which current clients refuse; get a SHA-256 reissue from its CA", Name(c), h)})
		}
	}
	leaf := chosen.certs[0]
	for _, c := range chosen.intermediates() {
		if c.NotAfter.Before(leaf.NotAfter) {
			res.Notes = append(res.Notes, Note{Code: NoteIntermediateExpiresBeforeLeaf, Cert: c,
				Message: fmt.Sprintf("intermediate %s expires %s, before the leaf (%s); the chain breaks then unless its CA's newer intermediate is installed", Name(c), day(c.NotAfter), day(leaf.NotAfter))})
		}
	}
}

func inputIndex(b *builder, c *x509.Certificate) int {
	n := b.byDER[sha256.Sum256(c.Raw)]
	if n == nil {
		return -1
	}
	return n.inputPos
}

func (b *builder) dropReason(n *node, chosen *cand, otherLeaves map[*node]string) string {
	if why, ok := otherLeaves[n]; ok {
		return fmt.Sprintf("another leaf certificate, not the one chosen (%s): %s", Name(chosen.certs[0]), why)
	}
	expired := b.at.After(n.cert.NotAfter)
	for i, p := range chosen.nodes {
		if !sameKey(n, p) {
			continue
		}
		switch {
		case i == len(chosen.nodes)-1 && chosen.end == endTrusted && expired:
			return fmt.Sprintf("expired cross-sign: %s expired %s; the path ends at the trusted root itself", Name(n.cert), day(n.cert.NotAfter))
		case i == len(chosen.nodes)-1 && chosen.end == endTrusted:
			return fmt.Sprintf("cross-signed copy of the trusted root %s; the path ends at the root itself", Name(n.cert))
		case expired:
			return fmt.Sprintf("expired cross-sign: %s expired %s; a valid copy is on the path", Name(n.cert), day(n.cert.NotAfter))
		default:
			return fmt.Sprintf("another copy (cross-sign) of %s, not needed on the chosen path", Name(n.cert))
		}
	}
	if child := b.mismatchedChild(n, chosen); child != nil {
		return fmt.Sprintf("wrong intermediate: %s has the name of the issuer of %s but did not sign it (a renewed or sibling CA with another key, or a damaged copy), not on the path", Name(n.cert), Name(child.cert))
	}
	if expired {
		return fmt.Sprintf("expired: %s expired %s, not on the path", Name(n.cert), day(n.cert.NotAfter))
	}
	if b.at.Before(n.cert.NotBefore) {
		return fmt.Sprintf("not yet valid: %s is valid from %s, not on the path", Name(n.cert), day(n.cert.NotBefore))
	}
	for _, c := range b.cands {
		if c != chosen && slices.Contains(c.nodes, n) {
			return "on a rejected path: " + b.rejectReason(c, chosen)
		}
	}
	return "not on the path (unrelated to the leaf)"
}

// mismatchedChild returns the certificate on the chosen path (its root
// aside) whose issuer's name n carries without having signed it, or nil.
func (b *builder) mismatchedChild(n *node, chosen *cand) *node {
	children := chosen.nodes
	if chosen.end == endTrusted || chosen.end == endSelfSigned {
		children = children[:len(children)-1]
	}
	for _, c := range children {
		b.issuersOf(c)
		if slices.Contains(c.mismatched, n) {
			return c
		}
	}
	return nil
}

func (b *builder) rejectReason(x, chosen *cand) string {
	switch {
	case !x.datesOK:
		return dateReason(x.dateBad, b.at)
	case x.verified && x.verr != nil:
		reason, _ := explain(x.certs, x.verr, b.at, b.usages)
		return "refused by crypto/x509: " + reason
	case chosen.trusted() && !x.trusted(), x.end != chosen.end:
		return endReason(x)
	case x.early != nil && chosen.early == nil:
		return fmt.Sprintf("intermediate expires before the leaf: %s expires %s", Name(x.early), day(x.early.NotAfter))
	case len(x.nodes) > len(chosen.nodes):
		return fmt.Sprintf("longer (%d certificates, the chosen path has %d)", len(x.nodes), len(chosen.nodes))
	case x.minExp.Before(chosen.minExp):
		return fmt.Sprintf("its earliest-expiring intermediate %s expires %s, before the chosen path's (%s)", Name(x.minCert), day(x.minExp), day(chosen.minExp))
	}
	return "as good as the chosen path; tie broken by the SHA-256 of the paths"
}

func endReason(x *cand) string {
	top := x.certs[len(x.certs)-1]
	switch x.end {
	case endSelfSigned:
		return "untrusted root " + Name(top)
	case endMissing:
		return "no issuer found for " + Name(top)
	case endLoop:
		return "loop: every issuer of " + Name(top) + " is already on the path"
	case endTooLong:
		return fmt.Sprintf("longer than %d certificates", MaxChainLength)
	}
	return "trusted"
}

func dateReason(c *x509.Certificate, at time.Time) string {
	if at.After(c.NotAfter) {
		return fmt.Sprintf("expired at %s: %s expired %s", day(at), Name(c), day(c.NotAfter))
	}
	return fmt.Sprintf("not yet valid at %s: %s is valid from %s", day(at), Name(c), day(c.NotBefore))
}
