package repair

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"

	"chainfix/internal/source"
	"chainfix/pfx"
)

// Key returns the private key for the outcome's leaf: from keyFile when
// given, otherwise among the keys found in the inputs (pfx.ChooseKey: the
// only one, or the one that matches the leaf). It does not check that the
// key matches; callers do, to say so in their own words.
func (o *Outcome) Key(ctx context.Context, keyFile *source.Input, password pfx.PasswordFunc) (crypto.Signer, error) {
	return ChooseKey(ctx, keyFile, o.Keys, o.Result.Leaf, password)
}

// ChooseKey decodes keyFile when given, else every found key, and lets
// pfx.ChooseKey pick the one for leaf (nil leaf: there must be one key).
func ChooseKey(ctx context.Context, keyFile *source.Input, found []source.Key, leaf *x509.Certificate, password pfx.PasswordFunc) (crypto.Signer, error) {
	if keyFile != nil {
		key, err := pfx.ParseKeyContext(ctx, keyFile.Data, password)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", keyFile.Name, err)
		}
		return key, nil
	}
	var keys []crypto.Signer
	var first error
	for _, k := range found {
		key, err := k.Decode(ctx, password)
		if err != nil {
			if first == nil {
				first = err
			}
			continue
		}
		keys = append(keys, key)
	}
	if len(keys) == 0 && first != nil {
		return nil, first
	}
	key, err := pfx.ChooseKey(keys, leaf)
	if len(keys) == 0 && errors.Is(err, pfx.ErrNoKey) {
		return nil, ErrNoKeyInInputs
	}
	return key, err
}

// ErrNoKeyInInputs: no --key was given and no input holds a private key.
var ErrNoKeyInInputs = errors.New("no private key among the inputs: give it with --key KEY, or an input (PFX or PEM) that holds it")
