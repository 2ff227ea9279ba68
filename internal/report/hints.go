package report

import (
	"errors"
	"fmt"

	"chainfix/bundle"
)

// BuildError adds the hint an admin needs to a failed build: where the
// missing certificate can come from, how to trust a private root.
func BuildError(err error, offline bool) error {
	var missing *bundle.MissingIssuerError
	var untrusted *bundle.UntrustedError
	switch {
	case errors.As(err, &missing):
		hint := "give it with --pool (a private root: with --roots)"
		if offline {
			hint += "; offline: nothing was fetched"
		}
		return fmt.Errorf("%w; %s", err, hint)
	case errors.As(err, &untrusted):
		return fmt.Errorf("%w; if this is your private CA, pass its root with --roots, or use --allow-untrusted", err)
	case errors.Is(err, bundle.ErrNoLeaf):
		return fmt.Errorf("%w in the input", err)
	}
	return err
}
