package pfx

import (
	"context"
	"errors"
	"fmt"
)

// MaxTotalIterations bounds the key-derivation work chainfix does for one
// input (one Decode or ParseKey call), in PBKDF2 / PKCS#12-KDF iterations
// summed over every derivation: the MAC, checked with the empty password
// and then with the real one; every encrypted item and every shrouded key,
// as often as it is decrypted; an encrypted PKCS#8 key.
//
// MaxIterations alone does not bound a file: 64 items at 1,000,000
// iterations each cost about 10 s of CPU. A real PFX has a MAC and two or
// three encrypted items (OpenSSL, Java and Windows write two), each far
// below MaxIterations (OpenSSL and go-pkcs12 write 2,048, Java 10,000), so
// four times MaxIterations reads every real file, even one with OWASP's
// 600,000 PBKDF2 iterations on every derivation (3,000,000 in all, the
// empty-password probe included), and caps a hostile one at about a
// second of CPU.
const MaxTotalIterations = 4 * MaxIterations

// ErrTooManyIterations is returned (wrapped, with the numbers) when an
// input needs more key-derivation work than MaxTotalIterations allows.
var ErrTooManyIterations = errors.New("too much key-derivation work")

// session is the state of reading one input: the password, asked for at
// most once (so a prompt is shown only when something turns out to be
// encrypted, and only once), and the key-derivation work done so far,
// bounded by MaxTotalIterations and by ctx.
type session struct {
	ctx   context.Context
	fn    PasswordFunc
	pw    []byte
	asked bool
	spent int64 // key-derivation iterations run (or about to run) so far
}

func newSession(ctx context.Context, password PasswordFunc) *session {
	return &session{ctx: ctx, fn: password}
}

func (s *session) password() ([]byte, error) {
	if s.asked {
		return s.pw, nil
	}
	if s.fn == nil {
		return nil, ErrPasswordRequired
	}
	pw, err := s.fn()
	if err != nil {
		return nil, fmt.Errorf("reading the password: %w", err)
	}
	// A prompt can take long, and Ctrl-C at a prompt is how a user gives
	// up: no derivation starts after it.
	if err := s.ctx.Err(); err != nil {
		return nil, fmt.Errorf("stopped while the password was asked for: %w", err)
	}
	s.pw, s.asked = pw, true
	return pw, nil
}

// charge is called before each piece of key-derivation work, with its
// cost in iterations (the most it can cost when that is not known
// exactly). It refuses the work once ctx is done or when it would take
// the input past MaxTotalIterations. what names the work for the message.
func (s *session) charge(cost int64, what string) error {
	if err := s.ctx.Err(); err != nil {
		return fmt.Errorf("stopped before %s: %w", what, err)
	}
	if cost > MaxTotalIterations-s.spent {
		return fmt.Errorf("%w: %s would bring the key derivations for this input to %d iterations; at most %d are run per input",
			ErrTooManyIterations, what, s.spent+cost, MaxTotalIterations)
	}
	s.spent += cost
	return nil
}

// refund gives back work charged but not done (a MAC check that failed
// before any decryption).
func (s *session) refund(cost int64) {
	s.spent -= cost
}

// stopped reports whether err ends the reading of an input outright: out
// of budget or cancelled. Such errors are passed on as they are, never
// taken for a wrong password or a damaged item.
func stopped(err error) bool {
	return errors.Is(err, ErrTooManyIterations) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
