package repair

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"chainfix/bundle"
	"chainfix/fetch"
	"chainfix/internal/source"
	"chainfix/internal/trust"
	"chainfix/pfx"
)

// A run's network work (AIA and --host) is bounded, so that a chain of slow
// servers cannot keep an upload script waiting: at least MinDeadline, or
// deadlineRequests times the per-request timeout when that is longer (a
// handful of slow fetches up a 3-level chain).
const (
	MinDeadline      = 60 * time.Second
	deadlineRequests = 6
)

// DeadlineFor is the run's time budget for a per-request timeout.
func DeadlineFor(perRequest time.Duration) time.Duration {
	return max(MinDeadline, deadlineRequests*perRequest)
}

// Config is what a Runner is built with, once per process.
type Config struct {
	// Trust is the trust store; required.
	Trust *trust.Store
	// Pool holds more certificates to draw intermediates from (--pool).
	Pool []*x509.Certificate
	// Fetch fetches missing issuers; nil: offline.
	Fetch *fetch.Client
	// Deadline bounds one Run; 0 means MinDeadline.
	Deadline time.Duration
	// Log receives info and debug notes; nil: discard.
	Log logrus.FieldLogger
	// Verdicts are the signature verdicts the Runner's chains share; nil:
	// a new set. Give the fetch client the same (fetch.Options.Signed =
	// Verdicts.Signed) and the signature it checks to tell an AIA answer's
	// signer is not checked again by the Build that follows.
	Verdicts *bundle.Verdicts
}

// Runner runs chain requests; see the package documentation.
type Runner struct {
	cfg Config
	log logrus.FieldLogger
	// verdicts shares signature checks between the Runner's chains: a
	// bulk run checks each intermediate's signature once.
	verdicts *bundle.Verdicts
}

// New makes a Runner.
func New(cfg Config) *Runner {
	if cfg.Deadline <= 0 {
		cfg.Deadline = MinDeadline
	}
	log := cfg.Log
	if log == nil {
		l := logrus.New()
		l.SetOutput(io.Discard)
		log = l
	}
	verdicts := cfg.Verdicts
	if verdicts == nil {
		verdicts = bundle.NewVerdicts()
	}
	return &Runner{cfg: cfg, log: log, verdicts: verdicts}
}

// Trust returns the Runner's trust store.
func (r *Runner) Trust() *trust.Store { return r.cfg.Trust }

// Request is one chain to repair or check.
type Request struct {
	// Inputs are the certificates (and keys) given, already read; ignored
	// with Host.
	Inputs []source.Input
	// Host, when set, is HOST[:PORT] of a live server whose chain is the
	// input.
	Host string
	Dial fetch.DialOptions
	// At is the validation time; required.
	At time.Time
	// KeyUsages the leaf must allow; nil means ServerAuth.
	KeyUsages []x509.ExtKeyUsage
	// LeafName picks the leaf by CN, DNS name or fingerprint prefix
	// (bundle.FindLeaf) when the input holds several.
	LeafName string
	// AllowUntrusted accepts a best path that reaches no trusted root.
	AllowUntrusted bool
	// Diagnose returns an Outcome even when no chain can be built (Err
	// says why), for check.
	Diagnose bool
	// Password opens encrypted inputs; nil when none is available.
	Password pfx.PasswordFunc
	// ProbeTLS, with Host, also probes every TLS version and the
	// certificate sent without SNI (fetch.Probe): Outcome.Probe.
	ProbeTLS bool
	// AllIPs, with Host, also fetches the chain from every address the
	// name resolves to (fetch.EndpointAll): Outcome.Addresses.
	AllIPs bool
}

// Outcome is what a Run produced.
type Outcome struct {
	Request *Request
	// Input holds the certificates given, in order, without duplicates;
	// Given the same with duplicates: what a server would send.
	Input, Given []*x509.Certificate
	// Served is what the server sent, with Request.Host.
	Served *fetch.Served
	// Probe is what the server accepts (Request.ProbeTLS); nil when the
	// probe could not connect at all.
	Probe *fetch.ProbeResult
	// Addresses is what each address of the name served (Request.AllIPs).
	Addresses []fetch.AddressServed
	// Keys are the private keys found among the inputs.
	Keys []source.Key
	// PFXWithoutKey names PFX inputs that held no private key.
	PFXWithoutKey []string
	// Result is the chosen chain; nil when Err is set.
	Result *bundle.Result
	// Err says why no chain could be built (only with Request.Diagnose).
	Err error
	// Anchors are the trust anchors the chain was judged against, and
	// TrustName says where they came from (trust.Store.Name).
	Anchors   *bundle.Anchors
	TrustName string
	// FetchProblems are the AIA fetches that failed during the run, even
	// when the chain was completed otherwise.
	FetchProblems []FetchProblem
}

// FetchProblem is one failed attempt to fetch a certificate's issuer.
type FetchProblem struct {
	Cert *x509.Certificate
	Err  error
}

// ErrNoCertificate: the server sent no certificate.
var ErrNoCertificate = errors.New("the server sent no certificate")

// Run runs decode -> fetch -> build for one request.
func (r *Runner) Run(ctx context.Context, req Request) (*Outcome, error) {
	if req.At.IsZero() {
		return nil, bundle.ErrNoTime
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Deadline)
	defer cancel()
	out := &Outcome{Request: &req, Anchors: r.cfg.Trust.Anchors, TrustName: r.cfg.Trust.Name}

	if req.Host != "" {
		// The probe (five more handshakes, all at once) runs while the
		// chain is fetched; its failure alone is not fatal.
		var probeDone chan struct{}
		if req.ProbeTLS {
			probeDone = make(chan struct{})
			go func() {
				defer close(probeDone)
				if p, err := fetch.Probe(ctx, req.Host, req.Dial); err == nil {
					out.Probe = p
				}
			}()
		}
		var allDone chan struct{}
		if req.AllIPs {
			allDone = make(chan struct{})
			go func() {
				defer close(allDone)
				if as, err := fetch.EndpointAll(ctx, req.Host, req.Dial); err == nil {
					out.Addresses = as
				}
			}()
		}
		served, err := fetch.Endpoint(ctx, req.Host, req.Dial)
		if probeDone != nil {
			<-probeDone
		}
		if allDone != nil {
			<-allDone
		}
		if err != nil {
			return nil, &EndpointError{Host: req.Host, Err: withDeadline(ctx, r.cfg.Deadline, err)}
		}
		out.Served = served
		out.Input = dedupe(served.Certificates)
		out.Given = served.Certificates
		r.log.Infof("%s (%s) sent %d certificate(s) over %s", req.Host, served.Address, len(served.Certificates), tls.VersionName(served.Version))
		if len(served.Certificates) == 0 {
			return nil, fmt.Errorf("%s: %w", req.Host, ErrNoCertificate)
		}
	} else {
		if len(req.Inputs) == 0 {
			return nil, source.ErrNoInput
		}
		set, err := source.Decode(ctx, req.Inputs, source.Options{Password: req.Password, Log: r.log})
		if err != nil {
			return nil, err
		}
		out.Input, out.Given, out.Keys, out.PFXWithoutKey = set.Certs, set.Given, set.Keys, set.PFXWithoutKey
	}

	opts := bundle.Options{
		Anchors:        r.cfg.Trust.Anchors,
		Pool:           append(append([]*x509.Certificate(nil), r.cfg.Pool...), r.cfg.Trust.Intermediates...),
		At:             req.At,
		KeyUsages:      req.KeyUsages,
		AllowUntrusted: req.AllowUntrusted || req.Diagnose,
		Verdicts:       r.verdicts,
	}
	var rec *recorder
	if r.cfg.Fetch != nil {
		rec = &recorder{src: r.cfg.Fetch}
		opts.Source = rec
	}
	if req.LeafName != "" {
		leaf, err := bundle.FindLeaf(out.Input, req.LeafName, req.At)
		if err != nil {
			return nil, fmt.Errorf("--leaf-cn: %w", err)
		}
		opts.Leaf = leaf
	}
	res, err := bundle.Build(ctx, out.Input, opts)
	if rec != nil {
		out.FetchProblems = rec.problems()
	}
	if err != nil {
		err = withDeadline(ctx, r.cfg.Deadline, err)
		if req.Diagnose && !errors.Is(err, context.Canceled) {
			out.Err = err
			return out, nil
		}
		return nil, err
	}
	out.Result = res
	return out, nil
}

// withDeadline puts a run that ran out of time in words, unless the
// error already does (fetch says which URL it gave up on).
func withDeadline(ctx context.Context, d time.Duration, err error) error {
	var fd *fetch.DeadlineError
	if errors.As(err, &fd) {
		return err
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &DeadlineError{After: d, Err: err}
	}
	return err
}

// EndpointError: the server of Request.Host could not be reached or
// spoken to (refused, timed out, not TLS, a TLS alert). Its message is the
// fetch error's, which names the address already.
type EndpointError struct {
	Host string
	Err  error
}

func (e *EndpointError) Error() string { return e.Err.Error() }

func (e *EndpointError) Unwrap() error { return e.Err }

// DeadlineError: the run's time budget ran out.
type DeadlineError struct {
	After time.Duration
	Err   error
}

func (e *DeadlineError) Error() string {
	return fmt.Sprintf("gave up after %s (the run's time limit): %v", e.After.Round(time.Second), e.Err)
}

func (e *DeadlineError) Unwrap() error { return e.Err }

// recorder passes issuer requests to the fetch client and keeps the
// failures, so that check can say why an intermediate could not be fetched.
type recorder struct {
	src  bundle.IssuerSource
	mu   sync.Mutex
	list []FetchProblem
}

func (r *recorder) Issuers(ctx context.Context, cert *x509.Certificate) ([]*x509.Certificate, error) {
	certs, err := r.src.Issuers(ctx, cert)
	if err != nil {
		r.mu.Lock()
		r.list = append(r.list, FetchProblem{Cert: cert, Err: err})
		r.mu.Unlock()
	}
	return certs, err
}

func (r *recorder) problems() []FetchProblem {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]FetchProblem(nil), r.list...)
}

// dedupe drops repeated certificates, keeping the first of each.
func dedupe(certs []*x509.Certificate) []*x509.Certificate {
	seen := map[string]bool{}
	var out []*x509.Certificate
	for _, c := range certs {
		if !seen[string(c.Raw)] {
			seen[string(c.Raw)] = true
			out = append(out, c)
		}
	}
	return out
}
