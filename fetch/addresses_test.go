package fetch

import (
	"context"
	"crypto/tls"
	"net"
	"net/netip"
	"strconv"
	"testing"
)

// serveTLSOn serves cert on ln until the test ends.
func serveTLSOn(t *testing.T, ln net.Listener, cert tls.Certificate) {
	t.Helper()
	tl := tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}})
	t.Cleanup(func() { tl.Close() })
	go func() {
		for {
			conn, err := tl.Accept()
			if err != nil {
				return
			}
			go func() {
				conn.(*tls.Conn).Handshake()
				conn.Close()
			}()
		}
	}()
}

// TestEndpointAll: a name that resolves to 127.0.0.1 and ::1, each serving
// another chain; EndpointAll reports each address's chain, with SNI.
func TestEndpointAll(t *testing.T) {
	c := newTLSChain()
	ln4, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln4.Addr().(*net.TCPAddr).Port
	ln6, err := net.Listen("tcp", net.JoinHostPort("::1", strconv.Itoa(port)))
	if err != nil {
		ln4.Close()
		t.Skipf("no IPv6 loopback on port %d: %v", port, err)
	}
	serveTLSOn(t, ln4, c.certificate(c.leaf, c.p.inter))
	serveTLSOn(t, ln6, c.certificate(c.leaf))
	lookup := func(_ context.Context, host string) ([]netip.Addr, error) {
		if host != "www.example.test" {
			t.Errorf("looked up %q", host)
		}
		return []netip.Addr{netip.MustParseAddr("::1"), netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::ffff:127.0.0.1")}, nil
	}
	got, err := endpointAll(testCtx(t), net.JoinHostPort("www.example.test", strconv.Itoa(port)), DialOptions{}, lookup, dialTCP)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Address != ln4.Addr().String() || got[1].Address != net.JoinHostPort("::1", strconv.Itoa(port)) {
		t.Fatalf("addresses %+v", got)
	}
	if got[0].Err != nil || got[1].Err != nil || len(got[0].Served.Certificates) != 2 || len(got[1].Served.Certificates) != 1 {
		t.Errorf("served %+v", got)
	}
	if got[0].Served.ServerName != "www.example.test" {
		t.Errorf("SNI %q", got[0].Served.ServerName)
	}
}
