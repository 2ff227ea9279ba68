package bundle

import "sync"

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
}

// NewVerdicts makes an empty cache.
func NewVerdicts() *Verdicts { return &Verdicts{m: make(map[sigKey]sigState)} }

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
