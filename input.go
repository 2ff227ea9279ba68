package main

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"

	"chainfix/pem"
	"chainfix/pfx"
)

// maxInputSize caps one input file. A certificate is ~2 KiB and the largest
// trust stores are ~250 KiB; 16 MiB holds a pool of several thousand
// certificates and refuses a disk image or a log file given by mistake
// before it is read into memory.
const maxInputSize = 16 << 20

// source is one input's name (as the user typed it; "stdin" for -) and bytes.
type source struct {
	name string
	data []byte
}

// readSource reads a named input, or stdin for "-".
func (st *state) readSource(name string) (source, error) {
	var r io.Reader
	display := name
	if name == "-" {
		r, display = st.stdin, "stdin"
	} else {
		f, err := os.Open(name)
		if err != nil {
			return source{}, fmt.Errorf("%s: %w", name, unwrapPathError(err))
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil && fi.IsDir() {
			return source{}, fmt.Errorf("%s: is a directory, not a file", name)
		}
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxInputSize+1))
	if err != nil {
		return source{}, fmt.Errorf("%s: %w", display, unwrapPathError(err))
	}
	if len(data) > maxInputSize {
		return source{}, fmt.Errorf("%s: larger than %d MiB; not a certificate file", display, maxInputSize>>20)
	}
	return source{name: display, data: data}, nil
}

// loaded is what a set of inputs held.
type loaded struct {
	certs []*x509.Certificate // every certificate, input order, duplicates removed
	given []*x509.Certificate // the same with duplicates kept, for diagnosis
	// keys are private keys found in the inputs (a PFX's key, or key
	// blocks in a PEM file), for pfx when --key is not given.
	keys []foundKey
}

// foundKey is a key already decoded (from a PFX) or a file that holds key
// blocks, decoded only when a command needs the key: a password prompt must
// not appear for a key nobody asked for.
type foundKey struct {
	key crypto.Signer
	src source
}

// loadFiles decodes every named input. lenient skips certificates that
// crypto/x509 refuses (for --pool and --roots: one odd root must not abort
// the run), with a warning naming it. password opens PFX inputs and
// encrypted keys; nil when none is available.
func (st *state) loadFiles(names []string, lenient bool, password pfx.PasswordFunc) (*loaded, error) {
	out := &loaded{}
	seen := map[string]bool{}
	add := func(c *x509.Certificate) {
		if !seen[string(c.Raw)] {
			seen[string(c.Raw)] = true
			out.certs = append(out.certs, c)
		}
	}
	var keyOnly error
	for _, name := range names {
		src, err := st.readSource(name)
		if err != nil {
			return nil, err
		}
		if pfx.IsPKCS12(src.data) {
			c, err := pfx.Decode(src.data, password)
			if errors.Is(err, pfx.ErrMultipleKeys) && c != nil {
				// The chain is still usable (build, check); a command that
				// needs the key finds none and says so.
				st.log.Warnf("%s: %v; using its certificates only", src.name, err)
				err = nil
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %w", src.name, err)
			}
			for _, cert := range c.Certificates {
				add(cert)
			}
			out.given = append(out.given, c.Certificates...)
			if c.Key != nil {
				out.keys = append(out.keys, foundKey{key: c.Key, src: src})
			}
			st.log.Debugf("%s: PKCS#12 with %d certificates", src.name, len(c.Certificates))
			continue
		}
		c, err := pem.Decode(src.data, pem.Options{Lenient: lenient})
		if errors.Is(err, pem.ErrNoCertificates) && lenient {
			// A --pool or --roots file whose only certificate Go refuses
			// (e.g. one file per root in /etc/ssl/certs): warn, go on.
			st.log.Warnf("%s: skipped: %v", src.name, err)
			continue
		}
		if errors.Is(err, pem.ErrNoCertificates) && (c == nil || len(c.Keys) == 0) && isDERKey(src.data) {
			c = &pem.Contents{Keys: []pem.Block{{Type: "PRIVATE KEY (DER)"}}}
		}
		if errors.Is(err, pem.ErrNoCertificates) && c != nil && len(c.Keys) > 0 {
			// A key file among the inputs (chainfix pfx leaf.pem key.pem):
			// not an error unless no input holds a certificate at all.
			out.keys = append(out.keys, foundKey{src: src})
			if keyOnly == nil {
				keyOnly = fmt.Errorf("%s: %w", src.name, err)
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", src.name, err)
		}
		for _, s := range c.Skipped {
			if s.Err != nil {
				st.log.Warnf("%s: skipped %s: %v", src.name, s.What, s.Err)
			} else {
				st.log.Debugf("%s: skipped %s", src.name, s.What)
			}
		}
		for _, cert := range c.Certificates {
			add(cert)
		}
		out.given = append(out.given, c.All...)
		if len(c.Keys) > 0 {
			out.keys = append(out.keys, foundKey{src: src})
		}
		st.log.Debugf("%s: %s with %d certificates", src.name, c.Format, len(c.Certificates))
	}
	if len(out.certs) == 0 && keyOnly != nil {
		return nil, keyOnly
	}
	return out, nil
}

// errNoInput is returned when there is nothing to read.
var errNoInput = errors.New("no input: give FILE, - for stdin, or --host")

// isDERKey reports whether data is a binary private key (a key.der given
// among the inputs of pfx), encrypted or not.
func isDERKey(data []byte) bool {
	_, err := pfx.ParseKey(data, nil)
	return err == nil || errors.Is(err, pfx.ErrPasswordRequired)
}

// decodeKey returns the key k stands for, decoding it now if needed.
func decodeKey(k foundKey, password pfx.PasswordFunc) (crypto.Signer, error) {
	if k.key != nil {
		return k.key, nil
	}
	key, err := pfx.ParseKey(k.src.data, password)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", k.src.name, err)
	}
	return key, nil
}
