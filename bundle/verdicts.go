package bundle

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"sync"
)

// MaxVerdicts bounds a Verdicts cache: one entry is about 100 bytes, so
// 100,000 (10 MB) hold the links of any estate's chains many times over;
// past it, new verdicts are simply not shared.
const MaxVerdicts = 100_000

// Verdicts shares signature verdicts between Builds, safe for concurrent
// use. A verdict depends only on the signer's public key and the signed
// certificate's bytes, so it holds for every chain and every time: a bulk
// run of 500 leaves under 25 intermediates checks each intermediate's
// signature once, not 500 times. Build still counts only the checks it
// makes itself against its budget.
type Verdicts struct {
	mu sync.RWMutex
	m  map[sigKey]sigState
	// uppers are the upper parts of paths crypto/x509 accepted (see
	// compose.go), by upperKey.
	uppers map[[32]byte]struct{}
}

// NewVerdicts makes an empty cache.
func NewVerdicts() *Verdicts {
	return &Verdicts{m: make(map[sigKey]sigState), uppers: make(map[[32]byte]struct{})}
}

func (v *Verdicts) get(k sigKey) (sigState, bool) {
	if v == nil {
		return sigUnknown, false
	}
	v.mu.RLock()
	defer v.mu.RUnlock()
	s, ok := v.m[k]
	return s, ok
}

// put keeps a definite verdict (valid or invalid); an unknown one (an
// algorithm crypto/x509 refuses) is not worth sharing.
func (v *Verdicts) put(k sigKey, s sigState) {
	if v == nil || s == sigUnknown {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.m) < MaxVerdicts {
		v.m[k] = s
	}
}

// Len is the number of verdicts kept.
func (v *Verdicts) Len() int {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return len(v.m)
}

// IsRoot is IsRoot, with the verdict on c's self-signature kept: loading
// --roots checks it, and the Build that reaches c as its top needs it.
func (v *Verdicts) IsRoot(c *x509.Certificate) bool {
	return c != nil && c.IsCA && bytes.Equal(c.RawSubject, c.RawIssuer) && v.Signed(c, c)
}

// Signed reports whether parent's key verifies child's signature, from the
// cache when this pair (by key, not by certificate) was judged before, and
// keeps the verdict for the Builds that follow. It is the check
// fetch.Options.Signed asks for: the fetcher tells an AIA answer's signer
// with it, and the Build that follows finds the verdict made. An
// unknown verdict (an algorithm crypto/x509 refuses) is false.
func (v *Verdicts) Signed(parent, child *x509.Certificate) bool {
	k := sigKey{sha256.Sum256(parent.RawSubjectPublicKeyInfo), sha256.Sum256(child.Raw)}
	s, ok := v.get(k)
	if !ok {
		s = signatureVerdict(parent, child)
		v.put(k, s)
	}
	return s == sigValid
}
