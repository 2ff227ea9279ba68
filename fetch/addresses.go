package fetch

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"
)

// MaxAddresses bounds how many addresses of one name EndpointAll connects
// to: large sites publish a handful per family; a name with hundreds is a
// misconfiguration, not a load balancer, and each address costs a
// handshake.
const MaxAddresses = 16

// AddressServed is what one address of a name served.
type AddressServed struct {
	Address string  // ip:port connected to
	Served  *Served // nil when Err is set
	Err     error
}

// lookupFunc resolves a host name to its addresses; tests replace it.
type lookupFunc func(ctx context.Context, host string) ([]netip.Addr, error)

func lookupIP(ctx context.Context, host string) ([]netip.Addr, error) {
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// EndpointAll resolves hostport's host to every address it has (IPv4 and
// IPv6, at most MaxAddresses, sorted) and fetches the chain from each, all
// at once, sending the host name as SNI (or opts.ServerName): the addresses
// of a load-balanced name may serve different chains, and a client gets
// whichever its resolver picks. An IP literal is its own one address. The
// error is non-nil only when the name cannot be resolved or parsed.
func EndpointAll(ctx context.Context, hostport string, opts DialOptions) ([]AddressServed, error) {
	return endpointAll(ctx, hostport, opts, lookupIP, dialTCP)
}

func endpointAll(ctx context.Context, hostport string, opts DialOptions, lookup lookupFunc, dial dialFunc) ([]AddressServed, error) {
	host, port, why := splitHostPort(hostport, defaultPort(opts.StartTLS))
	if why != "" {
		return nil, fmt.Errorf("%s: %w: %s", badAddressName(hostport), ErrBadAddress, why)
	}
	var addrs []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{ip}
	} else {
		timeout := opts.ConnectTimeout
		if timeout <= 0 {
			timeout = DefaultTimeout
		}
		lctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		if addrs, err = lookup(lctx, host); err != nil {
			return nil, fmt.Errorf("%s: %w: %v", net.JoinHostPort(host, port), ErrLookup, err)
		}
	}
	seen := map[netip.Addr]bool{}
	var uniq []netip.Addr
	for _, a := range addrs {
		a = a.Unmap()
		if !seen[a] {
			seen[a] = true
			uniq = append(uniq, a)
		}
	}
	slices.SortFunc(uniq, netip.Addr.Compare) // IPv4 first: stable reports
	if len(uniq) > MaxAddresses {
		uniq = uniq[:MaxAddresses]
	}
	if opts.ServerName == "" {
		if _, err := netip.ParseAddr(host); err != nil {
			opts.ServerName = host
		}
	}
	out := make([]AddressServed, len(uniq))
	var wg sync.WaitGroup
	for i, a := range uniq {
		address := net.JoinHostPort(a.String(), port)
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Connect to this address whatever the name resolves to next.
			to := func(ctx context.Context, _ string, timeout time.Duration) (net.Conn, error) {
				return dial(ctx, address, timeout)
			}
			served, err := endpointWith(ctx, hostport, opts, to, nil)
			out[i] = AddressServed{Address: address, Served: served, Err: err}
		}()
	}
	wg.Wait()
	return out, nil
}
