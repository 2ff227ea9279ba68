package fetch

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
)

func TestAddressRefusal(t *testing.T) {
	tests := []struct {
		addr       string
		always     bool // refused by default
		publicOnly bool // refused with PublicOnly
	}{
		{"169.254.169.254", true, true},
		{"169.254.0.1", true, true},
		{"fe80::1", true, true},
		{"fe80::1%eth0", true, true},
		{"224.0.0.1", true, true},
		{"239.255.255.250", true, true},
		{"ff02::1", true, true},
		{"ff0e::1", true, true},
		{"0.0.0.0", true, true},
		{"0.1.2.3", true, true},
		{"::", true, true},
		{"255.255.255.255", true, true},
		{"::ffff:169.254.169.254", true, true},
		{"64:ff9b::a9fe:a9fe", true, true},
		{"fd00:ec2::254", true, true},
		{"100.100.100.200", true, true},
		{"168.63.129.16", true, true},
		{"127.0.0.1", false, true},
		{"127.1.2.3", false, true},
		{"::1", false, true},
		{"::ffff:127.0.0.1", false, true},
		{"10.1.2.3", false, true},
		{"172.16.0.1", false, true},
		{"172.31.255.255", false, true},
		{"192.168.1.1", false, true},
		{"fc00::1", false, true},
		{"fd12:3456::1", false, true},
		{"100.64.0.1", false, true},
		{"64:ff9b::a00:1", false, true}, // 10.0.0.1 through NAT64
		{"8.8.8.8", false, false},
		{"172.32.0.1", false, false},
		{"192.0.2.1", false, false},
		{"2001:4860:4860::8888", false, false},
		{"64:ff9b::808:808", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			a := netip.MustParseAddr(tt.addr)
			if got := addressRefusal(a, false) != ""; got != tt.always {
				t.Errorf("default policy: refused = %v, want %v", got, tt.always)
			}
			if got := addressRefusal(a, true) != ""; got != tt.publicOnly {
				t.Errorf("public-only policy: refused = %v, want %v", got, tt.publicOnly)
			}
		})
	}
}

func TestHostRefusal(t *testing.T) {
	tests := []struct {
		host       string
		always     bool
		publicOnly bool
	}{
		{"crt.sectigo.com", false, false},
		{"ca.intranet.example", false, false},
		{"2852039166", true, true}, // 169.254.169.254 as one number
		{"0xa9fea9fe", true, true}, // the same in hex
		{"0xa9.0xfe.0xa9.0xfe", true, true},
		{"169.254.169.254.", true, true}, // a trailing dot hides the literal
		{"169.254.169.254", true, true},
		{"fe80::1", true, true},
		{"127.0.0.1", false, true},
		{"localhost", false, true},
		{"LocalHost.", false, true},
		{"ca.localhost", false, true},
		{"localhost.example", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			if got := hostRefusal(tt.host, false) != nil; got != tt.always {
				t.Errorf("default policy: refused = %v, want %v", got, tt.always)
			}
			err := hostRefusal(tt.host, true)
			if got := err != nil; got != tt.publicOnly {
				t.Errorf("public-only policy: refused = %v, want %v", got, tt.publicOnly)
			}
			if err != nil && !errors.Is(err, ErrRefusedAddress) {
				t.Errorf("%v does not wrap ErrRefusedAddress", err)
			}
		})
	}
}

// guardedServer is a loopback AIA server that counts the connections it
// accepts: a refused destination must not even be connected to.
type guardedServer struct {
	*httptest.Server
	conns atomic.Int32
	port  string
}

func newGuardedServer(t *testing.T, h http.Handler) *guardedServer {
	s := &guardedServer{}
	s.Server = httptest.NewUnstartedServer(h)
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	_, s.port, _ = net.SplitHostPort(s.Listener.Addr().String())
	return s
}

// loopbackOnly makes sure no test packet leaves loopback even if the
// policy had a bug: a dial that passes the policy to any other address
// fails the test and is stopped before connecting.
func loopbackOnly(t *testing.T, c *Client) {
	t.Helper()
	check := c.guard.checked.Control
	c.guard.checked.Control = func(network, address string, rc syscall.RawConn) error {
		if err := check(network, address, rc); err != nil {
			return err
		}
		if ap, err := netip.ParseAddrPort(address); err != nil || !ap.Addr().IsLoopback() {
			t.Errorf("a dial to %s passed the policy", address)
			return errors.New("test: not loopback")
		}
		return nil
	}
}

// fakeDNS is a lookup hook: names resolve to the addresses given, in turn
// (the last one repeats), so a test can play DNS rebinding. Unknown names
// fail. Nothing is asked of a real resolver.
type fakeDNS struct {
	mu      sync.Mutex
	answers map[string][]string
	asked   map[string]int
}

func newFakeDNS(answers map[string][]string) *fakeDNS {
	return &fakeDNS{answers: answers, asked: map[string]int{}}
}

func (d *fakeDNS) lookup(_ context.Context, host string) ([]netip.Addr, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	seq, ok := d.answers[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	i := min(d.asked[host], len(seq)-1)
	d.asked[host]++
	return []netip.Addr{netip.MustParseAddr(seq[i])}, nil
}

func (d *fakeDNS) count(host string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.asked[host]
}

func TestIssuersRefusedAddress(t *testing.T) {
	p := newPKI()
	tests := []struct {
		name       string
		publicOnly bool
		url        func(srv *guardedServer) string
		dns        map[string][]string
		redirect   string // the server redirects /int.crt there
		wantMsg    string
		asked      string // a name the lookup hook must have been asked
	}{
		{
			name:    "name resolving to the metadata address",
			url:     func(*guardedServer) string { return "http://metadata.test/latest/meta-data/" },
			dns:     map[string][]string{"metadata.test": {"169.254.169.254"}},
			wantMsg: "http://metadata.test/latest/meta-data/: address refused: 169.254.169.254 is link-local",
			asked:   "metadata.test",
		},
		{
			name:    "IP literal of the metadata service",
			url:     func(*guardedServer) string { return "http://169.254.169.254/latest/meta-data/" },
			wantMsg: "address refused: 169.254.169.254 is link-local (169.254.0.0/16 or fe80::/10), where cloud metadata services answer",
		},
		{
			name:    "IPv4-mapped IPv6 literal",
			url:     func(*guardedServer) string { return "http://[::ffff:169.254.169.254]/" },
			wantMsg: "address refused: ::ffff:169.254.169.254 is link-local",
		},
		{
			name:    "decimal IPv4 host name",
			url:     func(*guardedServer) string { return "http://2852039166/" },
			wantMsg: "address refused: 2852039166 is a host name ending in a number",
		},
		{
			name:    "multicast",
			url:     func(*guardedServer) string { return "http://mcast.test/" },
			dns:     map[string][]string{"mcast.test": {"239.255.255.250"}},
			wantMsg: "239.255.255.250 is multicast",
		},
		{
			name:    "unspecified",
			url:     func(*guardedServer) string { return "http://[::]/" },
			wantMsg: ":: is unspecified",
		},
		{
			name:       "public-only: loopback name",
			publicOnly: true,
			url:        func(s *guardedServer) string { return "http://ca.test:" + s.port + "/int.crt" },
			dns:        map[string][]string{"ca.test": {"127.0.0.1"}},
			wantMsg:    "127.0.0.1 is loopback (this host), refused by the public-only policy",
			asked:      "ca.test",
		},
		{
			name:       "public-only: loopback literal",
			publicOnly: true,
			url:        func(s *guardedServer) string { return s.URL + "/int.crt" },
			wantMsg:    "127.0.0.1 is loopback",
		},
		{
			name:       "public-only: private name",
			publicOnly: true,
			url:        func(*guardedServer) string { return "http://pki.corp.test/int.crt" },
			dns:        map[string][]string{"pki.corp.test": {"10.20.30.40"}},
			wantMsg:    "10.20.30.40 is private (RFC 1918 or IPv6 ULA fc00::/7)",
		},
		{
			name:       "public-only: IPv6 ULA",
			publicOnly: true,
			url:        func(*guardedServer) string { return "http://pki6.corp.test/int.crt" },
			dns:        map[string][]string{"pki6.corp.test": {"fd12:3456::1"}},
			wantMsg:    "fd12:3456::1 is private",
		},
		{
			name:     "redirect to the metadata address",
			url:      func(s *guardedServer) string { return s.URL + "/int.crt" },
			redirect: "http://169.254.169.254/latest/meta-data/iam/",
			wantMsg:  "address refused: 169.254.169.254 is link-local",
		},
		{
			name:     "redirect to a name resolving to the metadata address",
			url:      func(s *guardedServer) string { return s.URL + "/int.crt" },
			redirect: "http://metadata.test/",
			dns:      map[string][]string{"metadata.test": {"169.254.169.254"}},
			wantMsg:  "address refused: 169.254.169.254 is link-local",
			asked:    "metadata.test",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newGuardedServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.redirect != "" {
					http.Redirect(w, r, tt.redirect, http.StatusFound)
					return
				}
				w.Write(p.inter.DER())
			}))
			dns := newFakeDNS(tt.dns)
			c := New(Options{PublicOnly: tt.publicOnly})
			c.guard.lookup = dns.lookup
			loopbackOnly(t, c)
			rawURL := tt.url(srv)
			leaf := p.leaf("leaf.example", rawURL)
			got, err := c.Issuers(testCtx(t), leaf.Cert)
			if err == nil {
				t.Fatalf("got %q, want a refusal", subjects(got))
			}
			if !errors.Is(err, ErrRefusedAddress) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q: want ErrRefusedAddress and %q", err, tt.wantMsg)
			}
			if strings.Count(err.Error(), "address refused") != 1 || strings.Contains(err.Error(), "dial tcp") {
				t.Errorf("error %q is not worded once", err)
			}
			attempts := c.Attempts(leaf.Cert)
			if len(attempts) != 1 || attempts[0].URL != rawURL || !errors.Is(attempts[0].Err, ErrRefusedAddress) {
				t.Errorf("Attempts = %v", attempts)
			}
			wantConns := int32(0)
			if tt.redirect != "" {
				wantConns = 1 // the redirecting server itself
			}
			if n := srv.conns.Load(); n != wantConns {
				t.Errorf("the server accepted %d connections, want %d", n, wantConns)
			}
			if wantRequests := int(wantConns); c.Requests() != wantRequests {
				t.Errorf("Requests() = %d, want %d (a refused request is not sent)", c.Requests(), wantRequests)
			}
			if tt.asked != "" && dns.count(tt.asked) == 0 {
				t.Errorf("%s was never resolved: the refusal did not come from the dial", tt.asked)
			}
		})
	}
}

// TestIssuersLoopbackAllowedByDefault: enterprise CAs publish AIA on
// intranets, and the tests serve AIA on loopback: both are allowed unless
// PublicOnly.
func TestIssuersLoopbackAllowedByDefault(t *testing.T) {
	p := newPKI()
	srv := newGuardedServer(t, serve("application/pkix-cert", p.inter.DER()))
	c := New(Options{})
	c.guard.lookup = newFakeDNS(map[string][]string{"ca.test": {"127.0.0.1"}}).lookup
	loopbackOnly(t, c)
	for _, u := range []string{srv.URL + "/int.crt", "http://ca.test:" + srv.port + "/int.crt"} {
		got, err := c.Issuers(testCtx(t), p.leaf("leaf.example", u).Cert)
		if err != nil || subjects(got) != "CN=Test Int" {
			t.Errorf("%s: %q, %v", u, subjects(got), err)
		}
	}
}

// TestIssuersDNSRebinding: the address is judged at every dial, so a name
// that resolved to an allowed address a moment ago cannot be turned to the
// metadata service for the next connection.
func TestIssuersDNSRebinding(t *testing.T) {
	p := newPKI()
	srv := newGuardedServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close") // every request dials again
		w.Write(p.inter.DER())
	}))
	dns := newFakeDNS(map[string][]string{"rebind.test": {"127.0.0.1", "169.254.169.254"}})
	c := New(Options{})
	c.guard.lookup = dns.lookup
	loopbackOnly(t, c)
	base := "http://rebind.test:" + srv.port
	if got, err := c.Issuers(testCtx(t), p.leaf("one.example", base+"/a.crt").Cert); err != nil || subjects(got) != "CN=Test Int" {
		t.Fatalf("first fetch: %q, %v", subjects(got), err)
	}
	_, err := c.Issuers(testCtx(t), p.leaf("two.example", base+"/b.crt").Cert)
	if !errors.Is(err, ErrRefusedAddress) || !strings.Contains(err.Error(), "169.254.169.254") {
		t.Fatalf("after rebinding: %v, want the metadata address refused", err)
	}
	if n := srv.conns.Load(); n != 1 {
		t.Errorf("the server accepted %d connections, want 1", n)
	}
	if dns.count("rebind.test") != 2 {
		t.Errorf("rebind.test resolved %d times, want 2", dns.count("rebind.test"))
	}
}

// TestPublicOnlyThroughProxy: the proxy the caller configured may sit on a
// private or loopback address (it is the caller's choice, not the
// certificate's); through it, only what the URL itself shows can be
// judged: IP literals and localhost names, refused before sending.
func TestPublicOnlyThroughProxy(t *testing.T) {
	p := newPKI()
	var mu sync.Mutex
	var seen []string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.String())
		mu.Unlock()
		w.Write(p.inter.DER())
	}))
	t.Cleanup(proxy.Close)
	proxyURL, _ := url.Parse(proxy.URL)
	c := New(Options{PublicOnly: true, Proxy: http.ProxyURL(proxyURL)})
	c.guard.lookup = newFakeDNS(nil).lookup // nothing may be resolved here
	loopbackOnly(t, c)

	const public = "http://crt.ca.example/int.crt"
	if got, err := c.Issuers(testCtx(t), p.leaf("leaf.example", public).Cert); err != nil || subjects(got) != "CN=Test Int" {
		t.Fatalf("through the loopback proxy: %q, %v", subjects(got), err)
	}
	for _, u := range []string{"http://169.254.169.254/latest/", "http://127.0.0.1/int.crt", "http://localhost/int.crt", "http://2852039166/"} {
		_, err := c.Issuers(testCtx(t), p.leaf("leaf.example", u).Cert)
		if !errors.Is(err, ErrRefusedAddress) {
			t.Errorf("%s through the proxy: %v, want ErrRefusedAddress", u, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 1 || seen[0] != public {
		t.Errorf("the proxy saw %q, want only %s", seen, public)
	}
}

func TestProxyAddr(t *testing.T) {
	for raw, want := range map[string]string{
		"http://proxy.corp:3128":  "proxy.corp:3128",
		"http://proxy.corp":       "proxy.corp:80",
		"https://proxy.corp":      "proxy.corp:443",
		"socks5://127.0.0.1":      "127.0.0.1:1080",
		"http://[::1]:8080":       "[::1]:8080",
		"http://bücher.example:1": "xn--bcher-kva.example:1",
	} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := proxyAddr(u); got != want {
			t.Errorf("proxyAddr(%s) = %q, want %q", raw, got, want)
		}
	}
}
