package trust

import (
	"crypto/sha256"
	"strings"
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
	for _, s := range stores {
		names = append(names, s.Name)
		for _, c := range s.Roots {
			if sum := sha256.Sum256(c.Raw); !seen[sum] {
				seen[sum] = true
				out.Roots = append(out.Roots, c)
			}
		}
	}
	for _, s := range stores {
		n := 0
		for _, c := range s.Intermediates {
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
