package bundle

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"slices"
)

type origin int

const (
	fromInput origin = iota
	fromRoots
	fromPool
	fromFetched
)

// where says where a certificate came from, for MissingIssuerError: "CN=X
// in the input has the right name but did not sign ...".
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

// rank orders origins for messages: what the admin gave first.
func (o origin) rank() int {
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

// node is one distinct certificate (by DER) among the candidates.
type node struct {
	cert     *x509.Certificate
	sum      [32]byte // SHA-256 of the DER
	key      [32]byte // SHA-256 of the SubjectPublicKeyInfo
	from     origin
	inputPos int  // index of its first occurrence in the input, or -1
	isRoot   bool // its DER is in Options.Roots: a trust anchor
	self     int8 // self-signed: 0 unknown, 1 yes, -1 no
	asked    bool // Options.Source was asked for its issuers

	// Set by issuersOf, valid while issuersGen == index.gen.
	issuers    []*node  // the certificates whose key verifies its signature
	signer     [32]byte // that key, when hasSigner
	hasSigner  bool
	issuersGen int // 0: never computed
}

// dup is a repeated input certificate.
type dup struct {
	cert *x509.Certificate
	of   *node
}

// bucket is a list of nodes sorted on first use after a change, what the
// admin gave first (input, pool, fetched, roots), then by SHA-256, so that
// candidates are tried in an order independent of the input's.
type bucket struct {
	nodes  []*node
	sorted bool
}

func (bk *bucket) list() []*node {
	if bk == nil {
		return nil
	}
	if !bk.sorted {
		slices.SortFunc(bk.nodes, func(x, y *node) int {
			if x.from != y.from {
				return x.from.rank() - y.from.rank()
			}
			return bytes.Compare(x.sum[:], y.sum[:])
		})
		bk.sorted = true
	}
	return bk.nodes
}

type nameSKI struct{ name, ski string }

type nameKey struct {
	name string
	key  [32]byte
}

// index holds every candidate once, by DER, with the lookups linking needs,
// so that a pool of thousands is never scanned linearly: by subject, by
// subject and SKI, by subject and key, by SKI alone (names that differ
// only in string encoding), and the subjects without SKI.
type index struct {
	byDER        map[[32]byte]*node
	bySubject    map[string]*bucket
	bySubjectSKI map[nameSKI]*bucket
	bySubjectKey map[nameKey]*bucket
	noSKI        map[string]*bucket
	bySKI        map[string]*bucket
	rootByKey    map[nameKey]*node // the first trust anchor of each subject and key
	gen          int               // bumped whenever a certificate is added

	// How many input certificates carry each subject, all of them and
	// those that are not CAs, for the leaf rule.
	inputNames      map[string]int
	inputNonCANames map[string]int
}

func newIndex() index {
	return index{
		byDER:           make(map[[32]byte]*node),
		bySubject:       make(map[string]*bucket),
		bySubjectSKI:    make(map[nameSKI]*bucket),
		bySubjectKey:    make(map[nameKey]*bucket),
		noSKI:           make(map[string]*bucket),
		bySKI:           make(map[string]*bucket),
		rootByKey:       make(map[nameKey]*node),
		inputNames:      make(map[string]int),
		inputNonCANames: make(map[string]int),
	}
}

func push[K comparable](m map[K]*bucket, k K, n *node) {
	bk := m[k]
	if bk == nil {
		bk = &bucket{}
		m[k] = bk
	}
	bk.nodes = append(bk.nodes, n)
	bk.sorted = false
}

// add indexes c; it returns the node and whether c was new.
func (x *index) add(c *x509.Certificate, from origin) (*node, bool) {
	sum := sha256.Sum256(c.Raw)
	if n, ok := x.byDER[sum]; ok {
		return n, false
	}
	n := &node{cert: c, sum: sum, key: sha256.Sum256(c.RawSubjectPublicKeyInfo), from: from, inputPos: -1}
	x.byDER[sum] = n
	subject := string(c.RawSubject)
	push(x.bySubject, subject, n)
	push(x.bySubjectKey, nameKey{subject, n.key}, n)
	if len(c.SubjectKeyId) > 0 {
		push(x.bySubjectSKI, nameSKI{subject, string(c.SubjectKeyId)}, n)
		push(x.bySKI, string(c.SubjectKeyId), n)
	} else {
		push(x.noSKI, subject, n)
	}
	if from == fromInput {
		x.inputNames[subject]++
		if !c.IsCA {
			x.inputNonCANames[subject]++
		}
	}
	x.gen++
	return n, true
}

// addRoot indexes a trust anchor.
func (x *index) addRoot(c *x509.Certificate) {
	n, _ := x.add(c, fromRoots)
	n.isRoot = true
	k := nameKey{string(c.RawSubject), n.key}
	if _, dup := x.rootByKey[k]; !dup {
		x.rootByKey[k] = n
	}
}

// sameKey: a and b are the same CA (same subject and key), e.g. a root and
// its cross-signed copy.
func sameKey(a, b *node) bool {
	return a.key == b.key && bytes.Equal(a.cert.RawSubject, b.cert.RawSubject)
}

// nodeOf returns the node of c, or nil.
func (x *index) nodeOf(c *x509.Certificate) *node {
	return x.byDER[sha256.Sum256(c.Raw)]
}
