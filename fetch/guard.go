package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/net/idna"
)

// The address policy of AIA fetches. A caIssuers URL is written by whoever
// made the certificate, and certificates reach chainfix from anywhere (a
// server it was pointed at, a file someone handed over, a bulk run's
// uploads): following the URL makes chainfix send a GET to an address of a
// stranger's choosing, from inside the network it runs in (server-side
// request forgery). Some destinations are never an issuer repository and
// are refused always; with Options.PublicOnly, the internal ones too.
//
// The check is made where it cannot be dodged: on the IP address actually
// dialled (net.Dialer.Control runs after name resolution and before
// connect(2), so no packet is sent to a refused address), for the first
// request and for every redirect, whatever the DNS answered a moment
// before (DNS rebinding). Through a proxy the dial goes to the proxy and
// the proxy resolves the name, so the only checks left are on the URL
// itself (guardTransport): IP literals, host names ending in a number, and
// with PublicOnly "localhost" names.

// dialTimeout and dialKeepAlive are http.DefaultTransport's dialer
// settings, kept for the dialer that replaces it.
const (
	dialTimeout   = 30 * time.Second
	dialKeepAlive = 30 * time.Second
)

// Ranges of addressPolicy not covered by netip.Addr's predicates.
var (
	// nat64Prefix is the well-known NAT64 prefix (RFC 6052 section 2.1):
	// 64:ff9b::a9fe:a9fe reaches 169.254.169.254 through a NAT64 gateway,
	// so the embedded IPv4 address is judged.
	nat64Prefix = netip.MustParsePrefix("64:ff9b::/96")
	// sharedAddressSpace (100.64.0.0/10, RFC 6598) is carrier-grade NAT
	// and cloud-internal space: Alibaba Cloud's metadata service answers
	// at 100.100.100.200.
	sharedAddressSpace = netip.MustParsePrefix("100.64.0.0/10")
	// thisNetwork (0.0.0.0/8, RFC 1122 section 3.2.1.3) is "this host on
	// this network": a source address, never a destination.
	thisNetwork = netip.MustParsePrefix("0.0.0.0/8")
	// limitedBroadcast is 255.255.255.255 (RFC 919).
	limitedBroadcast = netip.MustParseAddr("255.255.255.255")
)

// metadataAddrs are cloud metadata services outside the ranges refused
// always (169.254.169.254 is link-local): they hand out credentials to
// whoever asks from inside the instance, and no CA publishes issuers there.
var metadataAddrs = map[netip.Addr]string{
	netip.MustParseAddr("fd00:ec2::254"):   "Amazon EC2's IPv6 metadata service",
	netip.MustParseAddr("100.100.100.200"): "Alibaba Cloud's metadata service",
	netip.MustParseAddr("168.63.129.16"):   "Azure's platform (WireServer) address",
}

// addressRefusal says why AIA fetches must not go to a: "" when they may.
// Always refused: unspecified, link-local, multicast and broadcast
// addresses and the cloud metadata services; with publicOnly also
// loopback, private (RFC 1918, IPv6 ULA fc00::/7) and shared (RFC 6598)
// addresses.
func addressRefusal(a netip.Addr, publicOnly bool) string {
	a = a.WithZone("")
	if a.Is4In6() {
		a = a.Unmap() // ::ffff:169.254.169.254 is 169.254.169.254
	}
	if nat64Prefix.Contains(a) {
		b := a.As16()
		v4 := netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
		if why := addressRefusal(v4, publicOnly); why != "" {
			return why + ", through the NAT64 prefix 64:ff9b::/96"
		}
		return ""
	}
	switch {
	case a.IsUnspecified() || thisNetwork.Contains(a):
		return "unspecified (0.0.0.0/8 or ::), which means this host"
	case a.IsLinkLocalUnicast():
		return "link-local (169.254.0.0/16 or fe80::/10), where cloud metadata services answer"
	case a.IsMulticast():
		return "multicast"
	case a == limitedBroadcast:
		return "the broadcast address"
	}
	if what, ok := metadataAddrs[a]; ok {
		return what
	}
	if !publicOnly {
		return ""
	}
	switch {
	case a.IsLoopback():
		return "loopback (this host), refused by the public-only policy"
	case a.IsPrivate():
		return "private (RFC 1918 or IPv6 ULA fc00::/7), refused by the public-only policy"
	case sharedAddressSpace.Contains(a):
		return "shared address space (100.64.0.0/10, RFC 6598), refused by the public-only policy"
	}
	return ""
}

// refusedError is a destination the policy refuses; it wraps
// ErrRefusedAddress.
type refusedError struct {
	what string // the address or host name
	why  string
}

func (e *refusedError) Error() string {
	return fmt.Sprintf("%v: %s is %s", ErrRefusedAddress, e.what, e.why)
}

func (e *refusedError) Unwrap() error { return ErrRefusedAddress }

// hostRefusal checks the host of a URL about to be requested: an IP
// literal against the address policy; a host name ending in a number
// (which WHATWG URL parsers, getaddrinfo and some proxies read as an IPv4
// address: 2852039166, 0xa9fea9fe, 169.254.169.254.); with publicOnly a
// localhost name (RFC 6761 section 6.3: always loopback, whoever resolves
// it). Host names are otherwise judged at dial time, by their addresses.
func hostRefusal(host string, publicOnly bool) error {
	if a, err := netip.ParseAddr(host); err == nil {
		if why := addressRefusal(a, publicOnly); why != "" {
			return &refusedError{what: a.String(), why: why}
		}
		return nil
	}
	name := strings.ToLower(strings.TrimSuffix(host, "."))
	last := name[strings.LastIndexByte(name, '.')+1:]
	if isNumericLabel(last) {
		return &refusedError{what: host, why: "a host name ending in a number, which resolvers and proxies may read as an IPv4 address"}
	}
	if publicOnly && (name == "localhost" || strings.HasSuffix(name, ".localhost")) {
		return &refusedError{what: host, why: "a localhost name (RFC 6761 section 6.3), refused by the public-only policy"}
	}
	return nil
}

// isNumericLabel reports a label the WHATWG URL standard's IPv4 parser
// takes as a number: decimal digits, or 0x followed by hex digits.
func isNumericLabel(s string) bool {
	if s == "" {
		return false
	}
	digits := "0123456789"
	if len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		s, digits = s[2:], "0123456789abcdefABCDEF"
	}
	for _, r := range s {
		if !strings.ContainsRune(digits, r) {
			return false
		}
	}
	return true
}

// guard applies the address policy to a Client's connections.
type guard struct {
	publicOnly bool
	// lookup, when set, resolves host names instead of the dialer (tests:
	// no DNS, and names that "resolve" to refused addresses).
	lookup func(ctx context.Context, host string) ([]netip.Addr, error)

	checked *net.Dialer // refuses at connect time (Control)
	plain   *net.Dialer // for the proxy the caller configured

	mu      sync.Mutex
	proxies map[string]bool // host:port of proxies Options.Proxy chose
}

func newGuard(publicOnly bool) *guard {
	g := &guard{publicOnly: publicOnly, proxies: make(map[string]bool)}
	g.checked = &net.Dialer{Timeout: dialTimeout, KeepAlive: dialKeepAlive, Control: g.control}
	g.plain = &net.Dialer{Timeout: dialTimeout, KeepAlive: dialKeepAlive}
	return g
}

// control runs for every socket the checked dialer opens, with the
// resolved address, before connecting.
func (g *guard) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot judge address %q", ErrRefusedAddress, address)
	}
	if why := addressRefusal(ap.Addr(), g.publicOnly); why != "" {
		return &refusedError{what: ap.Addr().String(), why: why}
	}
	return nil
}

// proxyFunc wraps the caller's Proxy to remember the proxies it picks: the
// dial to a proxy is exempt from the policy (the caller chose that host;
// the policy is about hosts certificates choose).
func (g *guard) proxyFunc(proxy func(*http.Request) (*url.URL, error)) func(*http.Request) (*url.URL, error) {
	if proxy == nil {
		return nil
	}
	return func(r *http.Request) (*url.URL, error) {
		u, err := proxy(r)
		if err == nil && u != nil {
			g.mu.Lock()
			g.proxies[proxyAddr(u)] = true
			g.mu.Unlock()
		}
		return u, err
	}
}

// proxyAddr is the host:port http.Transport dials for proxy u (its
// canonicalAddr: ASCII host, default port by scheme).
func proxyAddr(u *url.URL) string {
	host := u.Hostname()
	if a, err := idna.Lookup.ToASCII(host); err == nil {
		host = a
	}
	port := u.Port()
	if port == "" {
		switch u.Scheme {
		case "https":
			port = "443"
		case "socks5", "socks5h":
			port = "1080"
		default:
			port = "80"
		}
	}
	return net.JoinHostPort(host, port)
}

// dialContext is the Transport's DialContext.
func (g *guard) dialContext(ctx context.Context, network, address string) (net.Conn, error) {
	g.mu.Lock()
	isProxy := g.proxies[address]
	g.mu.Unlock()
	if isProxy {
		return g.plain.DialContext(ctx, network, address)
	}
	if g.lookup == nil {
		// The dialer resolves the name, tries its addresses (RFC 8305
		// fallback included) and calls control on each before connecting.
		return g.checked.DialContext(ctx, network, address)
	}
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	addrs := []netip.Addr{}
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = append(addrs, a)
	} else if addrs, err = g.lookup(ctx, host); err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: err}
	}
	var first error
	for _, a := range addrs {
		conn, err := g.checked.DialContext(ctx, network, net.JoinHostPort(a.String(), port))
		if err == nil {
			return conn, nil
		}
		if first == nil {
			first = err
		}
	}
	if first == nil {
		first = &net.OpError{Op: "dial", Net: network, Err: errors.New("no address")}
	}
	return nil, first
}

// guardTransport checks every request's URL (redirects included) before it
// is sent: the only check left when a proxy resolves the names.
type guardTransport struct {
	g    *guard
	base http.RoundTripper
}

func (t *guardTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := hostRefusal(req.URL.Hostname(), t.g.publicOnly); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	return t.base.RoundTrip(req)
}
