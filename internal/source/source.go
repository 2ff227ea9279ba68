package source

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/sirupsen/logrus"

	"chainfix/pem"
	"chainfix/pfx"
)

// MaxInputSize caps one input. A certificate is ~2 KiB and the largest
// trust stores are ~250 KiB; 16 MiB holds a pool of several thousand
// certificates and refuses a disk image or a log file given by mistake
// before it is read into memory.
const MaxInputSize = 16 << 20

// MaxWarningsPerInput bounds the warnings printed about one input's
// skipped blocks: a pool of 284,000 bad blocks once printed 284,351 lines.
// The rest are counted in one closing line.
const MaxWarningsPerInput = 5

// Input is one input's display name (as the user typed it; "stdin" for -)
// and bytes.
type Input struct {
	Name string
	Data []byte
}

// StdinName is how stdin is named in messages.
const StdinName = "stdin"

// ErrNoInput: there is nothing to read.
var ErrNoInput = errors.New("no input: give FILE, - for stdin, or --host")

// Read reads a named file, or stdin for "-". A directory, a file over
// MaxInputSize or an unreadable file is an error naming it.
func Read(name string, stdin io.Reader) (Input, error) {
	if name == "-" {
		if stdin == nil {
			return Input{}, fmt.Errorf("%s: %w", StdinName, ErrNoInput)
		}
		return readFrom(StdinName, stdin)
	}
	f, err := os.Open(name)
	if err != nil {
		return Input{}, fmt.Errorf("%s: %w", name, pathErr(err))
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return Input{}, fmt.Errorf("%s: is a directory, not a file", name)
	}
	return readFrom(name, f)
}

func readFrom(name string, r io.Reader) (Input, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxInputSize+1))
	if err != nil {
		return Input{}, fmt.Errorf("%s: %w", name, pathErr(err))
	}
	if len(data) > MaxInputSize {
		return Input{}, fmt.Errorf("%s: larger than %d MiB; not a certificate file", name, MaxInputSize>>20)
	}
	return Input{Name: name, Data: data}, nil
}

// ReadAll reads every name in order; "-" at most once.
func ReadAll(names []string, stdin io.Reader) ([]Input, error) {
	var out []Input
	for _, n := range names {
		in, err := Read(n, stdin)
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, nil
}

// pathErr drops the *os.PathError wrapper, whose path the caller names
// itself.
func pathErr(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// Set is what a set of inputs held.
type Set struct {
	// Certs holds every certificate, in input order, duplicates removed.
	Certs []*x509.Certificate
	// Given holds the same with duplicates kept: what a server would send,
	// for diagnosis.
	Given []*x509.Certificate
	// Keys are the private keys found (a PFX's key, key blocks in a PEM
	// file, a DER key file).
	Keys []Key
	// PFXWithoutKey names the PFX inputs that held certificates but no key.
	PFXWithoutKey []string
}

// Key is a key found among the inputs: already decoded (from a PFX), or the
// input that holds it, decoded on demand.
type Key struct {
	Signer crypto.Signer
	From   Input
}

// Decode returns the key, decoding it now if needed.
func (k Key) Decode(ctx context.Context, password pfx.PasswordFunc) (crypto.Signer, error) {
	if k.Signer != nil {
		return k.Signer, nil
	}
	key, err := pfx.ParseKeyContext(ctx, k.From.Data, password)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", k.From.Name, err)
	}
	return key, nil
}

// Options tune Decode.
type Options struct {
	// Lenient skips certificates crypto/x509 refuses and files without a
	// certificate, with a warning (for --pool and --roots: one odd root
	// must not abort the run).
	Lenient bool
	// Password opens PFX inputs; nil when none is available.
	Password pfx.PasswordFunc
	// Log receives the warnings; nil: discard.
	Log logrus.FieldLogger
}

// Decode decodes every input.
func Decode(ctx context.Context, inputs []Input, opts Options) (*Set, error) {
	log := opts.Log
	if log == nil {
		l := logrus.New()
		l.SetOutput(io.Discard)
		log = l
	}
	out := &Set{}
	seen := map[string]bool{}
	add := func(certs ...*x509.Certificate) {
		for _, c := range certs {
			if !seen[string(c.Raw)] {
				seen[string(c.Raw)] = true
				out.Certs = append(out.Certs, c)
			}
		}
	}
	var keyOnly error
	for _, in := range inputs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if pfx.IsPKCS12(in.Data) {
			c, err := pfx.DecodeContext(ctx, in.Data, opts.Password)
			if errors.Is(err, pfx.ErrMultipleKeys) && c != nil {
				// The chain is still usable (build, check); a command that
				// needs the key finds none and says so.
				log.Warnf("%s: %v; using its certificates only", in.Name, err)
				err = nil
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %w", in.Name, err)
			}
			add(c.Certificates...)
			out.Given = append(out.Given, c.Certificates...)
			if c.Key != nil {
				out.Keys = append(out.Keys, Key{Signer: c.Key, From: in})
			} else {
				out.PFXWithoutKey = append(out.PFXWithoutKey, in.Name)
			}
			log.Debugf("%s: PKCS#12 with %d certificates", in.Name, len(c.Certificates))
			continue
		}
		c, err := pem.Decode(in.Data, pem.Options{Lenient: opts.Lenient})
		if errors.Is(err, pem.ErrNoCertificates) && opts.Lenient {
			// A --pool or --roots file whose only certificate Go refuses
			// (e.g. one file per root in /etc/ssl/certs): warn, go on.
			log.Warnf("%s: skipped: %v", in.Name, err)
			continue
		}
		if errors.Is(err, pem.ErrNoCertificates) && (c == nil || len(c.Keys) == 0) && isDERKey(in.Data) {
			c = &pem.Contents{Keys: []pem.Block{{Type: "PRIVATE KEY (DER)"}}}
		}
		if errors.Is(err, pem.ErrNoCertificates) && c != nil && len(c.Keys) > 0 {
			// A key file among the inputs (chainfix pfx leaf.pem key.pem):
			// not an error unless no input holds a certificate at all.
			out.Keys = append(out.Keys, Key{From: in})
			if keyOnly == nil {
				keyOnly = fmt.Errorf("%s: %w", in.Name, err)
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", in.Name, err)
		}
		warnSkipped(log, in.Name, c.Skipped)
		add(c.Certificates...)
		out.Given = append(out.Given, c.All...)
		if len(c.Keys) > 0 {
			out.Keys = append(out.Keys, Key{From: in})
		}
		log.Debugf("%s: %s with %d certificates", in.Name, c.Format, len(c.Certificates))
	}
	if len(out.Certs) == 0 && keyOnly != nil {
		return nil, keyOnly
	}
	return out, nil
}

// warnSkipped reports skipped blocks, at most MaxWarningsPerInput of them,
// then one line counting the rest.
func warnSkipped(log logrus.FieldLogger, name string, skipped []pem.Skipped) {
	warned, more := 0, 0
	for _, s := range skipped {
		if s.Err == nil {
			log.Debugf("%s: skipped %s", name, s.What)
			continue
		}
		if warned == MaxWarningsPerInput {
			more++
			continue
		}
		warned++
		log.Warnf("%s: skipped %s: %v", name, s.What, s.Err)
	}
	if more > 0 {
		log.Warnf("%s: and %d more unreadable blocks like these, skipped", name, more)
	}
}

// isDERKey reports whether data is a binary private key, encrypted or not.
func isDERKey(data []byte) bool {
	_, err := pfx.ParseKey(data, nil)
	return err == nil || errors.Is(err, pfx.ErrPasswordRequired)
}
