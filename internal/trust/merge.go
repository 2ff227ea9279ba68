package trust

import (
	"crypto/sha256"
	"strings"

	"chainfix/bundle"
)

// Merge combines stores into one (--roots system --roots corp-root.pem):
// the roots of all, each certificate once, in order; the intermediates of
// all that are not also roots; the names joined with " + ". One store is
// returned as it is.
func Merge(stores ...*Store) *Store {
	if len(stores) == 1 {
		return stores[0]
	}
	out := &Store{}
	seen := map[[32]byte]bool{}
	var names, intsFrom []string
	sets := make([]*bundle.Anchors, 0, len(stores))
	for _, s := range stores {
		names = append(names, s.Name)
		sets = append(sets, s.Anchors)
	}
	out.Anchors = bundle.MergeAnchors(sets...)
	for _, s := range stores {
		n := 0
		for _, c := range s.Intermediates {
			if out.Anchors.Contains(c) {
				continue // an intermediate that is also a root is a root
			}
			if sum := sha256.Sum256(c.Raw); !seen[sum] {
				seen[sum] = true
				out.Intermediates = append(out.Intermediates, c)
				n++
			}
		}
		if n > 0 {
			intsFrom = append(intsFrom, s.IntermediatesFrom)
		}
	}
	out.Name = strings.Join(names, " + ")
	out.IntermediatesFrom = strings.Join(intsFrom, " + ")
	return out
}
