package bundle

import (
	"crypto/x509"
	"slices"
)

// fill reports the chosen path and what Build did, as data.
func (b *builder) fill(res *Result, chosen *cand, inputs []*node, dups []dup) {
	res.Path = chosen.certs
	res.Trusted = chosen.trusted()
	onPath := make(map[*node]bool)
	for _, n := range chosen.nodes {
		onPath[n] = true
	}
	top := chosen.nodes[len(chosen.nodes)-1]
	res.TopIsRoot = chosen.topIsRoot
	res.InputHadRoot = chosen.topIsRoot && top.inputPos >= 0

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

	// Why each other input certificate is left out, in input order (a
	// duplicate at the place of its first copy).
	type placed struct {
		d   Dropped
		pos int
	}
	var drops []placed
	for _, d := range dups {
		drops = append(drops, placed{Dropped{Cert: d.cert, Kind: DropDuplicate, Index: d.of.inputPos}, d.of.inputPos})
	}
	rivals := make(map[*x509.Certificate]*LeafRival)
	if res.LeafChoice.Kind == LeafRanked {
		for i := range res.LeafChoice.Rivals {
			rivals[res.LeafChoice.Rivals[i].Cert] = &res.LeafChoice.Rivals[i]
		}
	}
	// Every other path with the rule it lost on, and the best of them each
	// certificate is on.
	onRejected := make(map[*node]int)
	for _, c := range b.cands {
		if c == chosen {
			continue
		}
		res.Rejected = append(res.Rejected, b.rejected(c, chosen))
		for _, n := range c.nodes {
			if _, ok := onRejected[n]; !ok {
				onRejected[n] = len(res.Rejected) - 1
			}
		}
	}
	for _, n := range inputs {
		if onPath[n] {
			continue
		}
		d := b.dropped(n, chosen, rivals[n.cert])
		if i, ok := onRejected[n]; ok && d.Kind == DropUnrelated {
			d.Kind, d.Rejected = DropOnRejectedPath, &res.Rejected[i]
		}
		drops = append(drops, placed{d, n.inputPos})
	}
	slices.SortStableFunc(drops, func(x, y placed) int { return x.pos - y.pos })
	for _, p := range drops {
		res.Dropped = append(res.Dropped, p.d)
	}
	res.Notes = notesFor(chosen.certs, chosen.topSelf, chosen.topIsRoot)
}

// notesFor warns about the chosen path: a weak signature clients check,
// an intermediate expiring before the leaf.
func notesFor(path []*x509.Certificate, topSelf, topIsRoot bool) []Note {
	var notes []Note
	for _, c := range signedBy(path, topSelf) {
		if h := weakHash(c); h != "" {
			notes = append(notes, Note{Code: NoteWeakSignature, Cert: c, Hash: h})
		}
	}
	leaf := path[0]
	for _, c := range intermediatesOf(path, topIsRoot) {
		if expiresBeforeLeaf(c, leaf) {
			notes = append(notes, Note{Code: NoteIntermediateExpiresBeforeLeaf, Cert: c, Leaf: leaf})
		}
	}
	return notes
}

// dropped says why input certificate n is not on the chosen path; rival
// is set when n lost the leaf choice. DropUnrelated may still turn into
// DropOnRejectedPath (fill knows the rejected paths).
func (b *builder) dropped(n *node, chosen *cand, rival *LeafRival) Dropped {
	d := Dropped{Cert: n.cert}
	if rival != nil {
		d.Kind, d.Other, d.Rival = DropOtherLeaf, chosen.certs[0], rival
		return d
	}
	validity := ValidityAt(n.cert, b.at)
	last := len(chosen.nodes) - 1
	for i, p := range chosen.nodes {
		if !sameKey(n, p) {
			continue
		}
		d.Other = p.cert
		atAnchor := i == last && chosen.end == endTrusted
		switch {
		case validity == Expired:
			d.Kind, d.OfRoot = DropExpiredCrossSign, atAnchor
		case atAnchor:
			d.Kind = DropCrossSignOfRoot
		default:
			d.Kind = DropCrossSignCopy
		}
		return d
	}
	if child := b.mismatchedChild(n, chosen); child != nil {
		d.Kind, d.Other = DropWrongIntermediate, child.cert
		return d
	}
	switch validity {
	case Expired:
		d.Kind = DropExpired
	case NotYetValid:
		d.Kind = DropNotYetValid
	default:
		d.Kind = DropUnrelated
	}
	return d
}

// mismatchedChild returns the certificate on the chosen path (its root or
// anchor aside) whose issuer's name n carries without having signed it,
// or nil.
func (b *builder) mismatchedChild(n *node, chosen *cand) *node {
	children := chosen.nodes
	if chosen.end == endTrusted || chosen.end == endSelfSigned {
		children = children[:len(children)-1]
	}
	for _, c := range children {
		if b.notSigner(n, c) {
			return c
		}
	}
	return nil
}

// rejected says on which rule x lost to chosen (compareCands' order).
func (b *builder) rejected(x, chosen *cand) Rejected {
	r := Rejected{Path: x.certs}
	top := x.certs[len(x.certs)-1]
	switch {
	case !x.datesOK():
		r.Cert, r.At = x.dateBad, b.at
		r.Kind = RejectExpired
		if ValidityAt(x.dateBad, b.at) == NotYetValid {
			r.Kind = RejectNotYetValid
		}
	case x.verified && x.verr != nil:
		reason, culprit := explain(x.certs, x.verr, b.at, b.usages)
		r.Kind, r.Cert = RejectRefused, culprit
		r.Err = &InvalidError{Path: x.certs, Err: x.verr, Reason: reason, Cert: culprit}
	case (chosen.trusted() && !x.trusted() || x.end != chosen.end) && x.end != endTrusted:
		r.Cert = top
		switch x.end {
		case endSelfSigned:
			r.Kind = RejectUntrustedRoot
		case endMissing:
			r.Kind = RejectMissingIssuer
		case endLoop:
			r.Kind = RejectLoop
		default:
			r.Kind = RejectTooLong
		}
	case x.early != nil && chosen.early == nil:
		r.Kind, r.Cert = RejectIntermediateExpiresFirst, x.early
	case len(x.nodes) > len(chosen.nodes):
		r.Kind, r.ChosenLength = RejectLonger, len(chosen.nodes)
	case x.minExp.Before(chosen.minExp):
		r.Kind, r.Cert, r.Other = RejectEarlierExpiry, x.minCert, chosen.minCert
	default:
		r.Kind = RejectTie
	}
	return r
}
