package trust

import (
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/sirupsen/logrus"
	"golang.org/x/crypto/x509roots/fallback/bundle"

	chainbundle "chainfix/bundle"
)

// Store is a set of trust anchors and where it came from.
type Store struct {
	// Name says where the roots came from, for the summary: a file name,
	// "SSL_CERT_DIR", "the Windows certificate stores", "the macOS
	// keychains", "the embedded Mozilla root set", "--roots a.pem".
	Name string
	// Anchors are the trust anchors. A store read from a PEM file (the
	// Unix stores, SSL_CERT_FILE, the embedded Mozilla set) parses a
	// certificate only when a chain reaches its name: parsing a machine's
	// 150 roots would cost every run about 2 ms (see bundle.Anchors).
	Anchors *chainbundle.Anchors
	// Intermediates are CA certificates the machine already holds but does
	// not trust as anchors (the Windows CA stores, the untrusted CA
	// certificates of the macOS keychains); callers may use them as a pool,
	// reported as such: a server must still send what chainfix found there.
	Intermediates []*x509.Certificate
	// IntermediatesFrom says where Intermediates came from, for the summary.
	IntermediatesFrom string
}

// NewStore is a store of parsed roots.
func NewStore(name string, roots []*x509.Certificate) *Store {
	return &Store{Name: name, Anchors: chainbundle.NewAnchors(roots)}
}

// Options tune System and Default. The zero value reads no environment
// and runs programs with os/exec.
type Options struct {
	// Getenv looks up SSL_CERT_FILE and SSL_CERT_DIR; nil: both unset.
	Getenv func(string) string
	// Log receives debug notes about stores that were passed over; nil:
	// discard.
	Log logrus.FieldLogger
	// Command runs a program with arguments and returns its standard
	// output (on macOS: /usr/bin/security, which reads the keychains).
	// nil: os/exec, bounded by commandTimeout. Tests feed canned output.
	Command func(name string, args ...string) ([]byte, error)
	// IndexDir is where the index of a PEM trust store is kept, so that a
	// run finds its roots without reading it all (index.go): the AIA
	// cache directory. "": none.
	IndexDir string
}

func (o Options) getenv(k string) string {
	if o.Getenv == nil {
		return ""
	}
	return o.Getenv(k)
}

func (o Options) log() logrus.FieldLogger {
	if o.Log == nil {
		l := logrus.New()
		l.SetLevel(logrus.PanicLevel)
		return l
	}
	return o.Log
}

func (o Options) command() func(string, ...string) ([]byte, error) {
	if o.Command == nil {
		return runCommand
	}
	return o.Command
}

// ErrNoSystemStore: the machine has no trust store chainfix can read.
var ErrNoSystemStore = errors.New("no system trust store found")

// Default is the machine's store when there is one, otherwise the embedded
// Mozilla set (static binaries on minimal hosts and containers).
func Default(opts Options) (*Store, error) {
	s, err := System(opts)
	if err == nil {
		return s, nil
	}
	if !errors.Is(err, ErrNoSystemStore) {
		return nil, err
	}
	opts.log().Debugf("%v; using the embedded Mozilla root set", err)
	return Mozilla()
}

// Mozilla returns the Mozilla root set embedded from
// golang.org/x/crypto/x509roots/fallback.
func Mozilla() (*Store, error) {
	var ders [][]byte
	for r := range bundle.Roots() {
		ders = append(ders, r.Certificate)
	}
	return &Store{Name: "the embedded Mozilla root set", Anchors: chainbundle.AnchorsFromDER(ders)}, nil
}

// envStore is the bundle SSL_CERT_FILE names, when it is set: on every
// platform it names the trust store explicitly and wins over the
// machine's own store. ok is false when the variable is unset.
func envStore(opts Options) (s *Store, ok bool, err error) {
	f := opts.getenv("SSL_CERT_FILE")
	if f == "" {
		return nil, false, nil
	}
	anchors, err := readBundle(f, opts.IndexDir, opts.log().Debugf)
	if err != nil {
		return nil, true, fmt.Errorf("SSL_CERT_FILE %s: %w", f, err)
	}
	return &Store{Name: f, Anchors: anchors}, true, nil
}
