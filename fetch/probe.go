package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/netip"
	"sync"
)

// ProbedVersions are the TLS versions Probe tries, oldest first. SSL 3.0
// is left out: crypto/tls cannot speak it (and RFC 7568 forbids it).
var ProbedVersions = []uint16{tls.VersionTLS10, tls.VersionTLS11, tls.VersionTLS12, tls.VersionTLS13}

// VersionResult is the verdict on one TLS version.
type VersionResult struct {
	Version uint16
	// Accepted: a handshake limited to Version completed; CipherSuite is
	// the suite the server chose.
	Accepted    bool
	CipherSuite uint16
	// Err is why the handshake failed: refused by the server when Unknown
	// is false (an alert such as protocol_version, or a version or suite
	// the client cannot take), undecided when Unknown is true (the
	// connection itself failed: refused, timed out, not TLS).
	Err     error
	Unknown bool
}

// ProbeResult is what Probe found out about an endpoint.
type ProbeResult struct {
	// Versions holds one result per ProbedVersions entry, in that order.
	Versions []VersionResult
	// SNIChecked: the certificate was also fetched without SNI (not for an
	// IP address, to which clients send no SNI anyway).
	SNIChecked bool
	// WithSNI and WithoutSNI are the certificates the server sent with and
	// without a server name; WithoutSNIErr is why the handshake without SNI
	// failed, when it did.
	WithSNI, WithoutSNI []*x509.Certificate
	WithoutSNIErr       error
}

// SNIDiffers: the server sends another leaf (or nothing) to a client that
// sends no SNI, as old clients (Windows XP, Android 2, Java 6, some
// monitoring agents and load-balancer health checks) do.
func (p *ProbeResult) SNIDiffers() bool {
	if !p.SNIChecked || len(p.WithSNI) == 0 {
		return false
	}
	if p.WithoutSNIErr != nil || len(p.WithoutSNI) == 0 {
		return true
	}
	return !p.WithSNI[0].Equal(p.WithoutSNI[0])
}

// Accepted returns the versions the server accepted.
func (p *ProbeResult) Accepted() []uint16 {
	var vs []uint16
	for _, v := range p.Versions {
		if v.Accepted {
			vs = append(vs, v.Version)
		}
	}
	return vs
}

// Probe connects to hostport once per TLS version of ProbedVersions, all at
// once, each handshake limited to that version and offering every cipher
// suite crypto/tls can speak for it, legacy ones included (so a server
// that speaks only TLS 1.0 with RSA key exchange or 3DES is still
// detected), and once more without SNI. Each connection is bounded by
// opts.ConnectTimeout like Endpoint's. The error is non-nil only when no
// connection could be made at all; it is then the error of the first
// version's connection (which names the address, as Endpoint's do).
func Probe(ctx context.Context, hostport string, opts DialOptions) (*ProbeResult, error) {
	return probe(ctx, hostport, opts, dialTCP)
}

func probe(ctx context.Context, hostport string, opts DialOptions, dial dialFunc) (*ProbeResult, error) {
	res := &ProbeResult{Versions: make([]VersionResult, len(ProbedVersions))}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		best *Served // the newest version's handshake: what current clients get
	)
	for i, v := range ProbedVersions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			served, err := endpointWith(ctx, hostport, opts, dial, func(c *tls.Config) {
				c.MinVersion, c.MaxVersion = v, v
			})
			r := VersionResult{Version: v, Err: err}
			if err == nil {
				r.Accepted, r.CipherSuite = true, served.CipherSuite
				mu.Lock()
				if best == nil || served.Version > best.Version {
					best = served
				}
				mu.Unlock()
			} else {
				r.Unknown = !refusal(err)
			}
			res.Versions[i] = r // each goroutine writes its own element
		}()
	}
	// Clients send no SNI to an IP address (RFC 6066 section 3), so there
	// is nothing to compare unless --servername names one.
	host, _, why := splitHostPort(hostport, defaultPort(opts.StartTLS))
	_, ipErr := netip.ParseAddr(host)
	if why == "" && (opts.ServerName != "" || ipErr != nil) {
		res.SNIChecked = true
		wg.Add(1)
		go func() {
			defer wg.Done()
			served, err := endpointWith(ctx, hostport, opts, dial, func(c *tls.Config) { c.ServerName = "" })
			res.WithoutSNIErr = err
			if err == nil {
				res.WithoutSNI = served.Certificates
			}
		}()
	}
	wg.Wait()
	if best != nil {
		res.WithSNI = best.Certificates
	}
	for _, r := range res.Versions {
		if !r.Unknown {
			return res, nil
		}
	}
	return nil, res.Versions[0].Err
}

// refusal: the handshake failed because the server would not speak the
// offered version or suites (an alert, a version or suite the client
// refuses), not because no TLS connection could be made.
func refusal(err error) bool {
	return errors.Is(err, ErrProtocolVersion) || errors.Is(err, ErrHandshake)
}
