package fetch

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"chainfix/internal/testpki"
)

func TestSplitHostPort(t *testing.T) {
	tests := []struct {
		in, host, port string
		wantErr        string // substring of the error; "" = success
	}{
		{"example.com", "example.com", "443", ""},
		{"example.com:8443", "example.com", "8443", ""},
		{"  example.com  ", "example.com", "443", ""},
		{"example.com.", "example.com.", "443", ""},
		{"internal_host.corp:636", "internal_host.corp", "636", ""},
		{"192.0.2.1", "192.0.2.1", "443", ""},
		{"192.0.2.1:993", "192.0.2.1", "993", ""},
		{"[2001:db8::1]:443", "2001:db8::1", "443", ""},
		{"[2001:db8::1]:8443", "2001:db8::1", "8443", ""},
		{"[2001:db8::1]", "2001:db8::1", "443", ""},
		{"2001:db8::1", "2001:db8::1", "443", ""},
		{"::1", "::1", "443", ""},
		{"[fe80::1%eth0]:443", "fe80::1%eth0", "443", ""},
		{"", "", "", "empty"},
		{"   ", "", "", "empty"},
		{"https://example.com/", "", "", "a URL"},
		{"example.com:", "", "", "empty port"},
		{"example.com:0", "", "", "not a number from 1 to 65535"},
		{"example.com:65536", "", "", "not a number from 1 to 65535"},
		{"example.com:https", "", "", "not a number"},
		{"example.com:+443", "", "", "not a number"},
		{":443", "", "", "empty host"},
		{"[2001:db8::1", "", "", "missing ]"},
		{"[2001:db8::1]x", "", "", "unexpected text after ]"},
		{"[example.com]:443", "", "", "not an IPv6 address"},
		{"[192.0.2.1]:443", "", "", "not an IPv6 address"},
		{"2001:db8::zz", "", "", "not an IPv6 address"},
		{"exa mple.com", "", "", "not allowed"},
		{"user@example.com", "", "", "not allowed"},
		{"example..com", "", "", "empty label"},
		{"bücher.de", "", "", "xn--"},
		{strings.Repeat("a", 64) + ".com", "", "", "label longer than 63"},
		{strings.Repeat("a.", 127) + "com", "", "", "longer than 253"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			host, port, err := SplitHostPort(tt.in)
			if tt.wantErr != "" {
				if err == nil || !errors.Is(err, ErrBadAddress) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("SplitHostPort(%q) = %q, %q, %v; want error with %q", tt.in, host, port, err, tt.wantErr)
				}
				return
			}
			if err != nil || host != tt.host || port != tt.port {
				t.Fatalf("SplitHostPort(%q) = %q, %q, %v; want %q, %q", tt.in, host, port, err, tt.host, tt.port)
			}
		})
	}
}

func FuzzSplitHostPort(f *testing.F) {
	for _, s := range []string{"example.com", "example.com:8443", "[2001:db8::1]:443", "2001:db8::1", "[::1]", "1.2.3.4:5", "a:b:c", "[", "]:", "x:99999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		host, port, err := SplitHostPort(s)
		if err != nil {
			return
		}
		// What we accept round-trips through net.JoinHostPort.
		h2, p2, err := SplitHostPort(net.JoinHostPort(host, port))
		if err != nil || h2 != host || p2 != port {
			t.Fatalf("%q -> %q %q -> %q %q %v", s, host, port, h2, p2, err)
		}
	})
}

// tlsChain is what the endpoint tests serve: a leaf with its key, plus
// intermediates.
type tlsChain struct {
	p    *testPKI
	leaf *testpki.Cert
}

func newTLSChain() *tlsChain {
	p := newPKI()
	return &tlsChain{p: p, leaf: p.leaf("leaf.example")}
}

// certificate builds the tls.Certificate a server presents: the leaf's key
// with exactly the given DER list (possibly broken on purpose).
func (c *tlsChain) certificate(chain ...*testpki.Cert) tls.Certificate {
	var ders [][]byte
	for _, x := range chain {
		ders = append(ders, x.DER())
	}
	return tls.Certificate{Certificate: ders, PrivateKey: c.leaf.Key}
}

// startTLSServer serves cfg on 127.0.0.1 and records the SNI it receives.
func startTLSServer(t *testing.T, cfg *tls.Config) (addr string, sni func() string) {
	t.Helper()
	var mu sync.Mutex
	var got string
	cfg.GetConfigForClient = func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
		mu.Lock()
		got = hello.ServerName
		mu.Unlock()
		return nil, nil
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	srv.TLS = cfg
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String(), func() string { mu.Lock(); defer mu.Unlock(); return got }
}

func TestEndpointServedChainAsSent(t *testing.T) {
	c := newTLSChain()
	p := c.p
	tests := []struct {
		name  string
		chain []*testpki.Cert
	}{
		{"leaf only (incomplete)", []*testpki.Cert{c.leaf}},
		{"leaf and intermediate", []*testpki.Cert{c.leaf, p.inter}},
		{"misordered: root before intermediate", []*testpki.Cert{c.leaf, p.root, p.inter}},
		{"root included", []*testpki.Cert{c.leaf, p.inter, p.root}},
		{"duplicate intermediate", []*testpki.Cert{c.leaf, p.inter, p.inter}},
		{"wrong intermediate", []*testpki.Cert{c.leaf, p.wrong}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, sni := startTLSServer(t, &tls.Config{Certificates: []tls.Certificate{c.certificate(tt.chain...)}})
			served, err := Endpoint(testCtx(t), addr, DialOptions{ServerName: "leaf.example"})
			if err != nil {
				t.Fatal(err)
			}
			if len(served.Certificates) != len(tt.chain) {
				t.Fatalf("got %d certificates, want %d", len(served.Certificates), len(tt.chain))
			}
			for i := range tt.chain {
				if !bytes.Equal(served.Certificates[i].Raw, tt.chain[i].DER()) {
					t.Errorf("certificate %d is %v, want %v", i, served.Certificates[i].Subject, tt.chain[i].Cert.Subject)
				}
			}
			if served.Address != addr || served.ServerName != "leaf.example" || sni() != "leaf.example" {
				t.Errorf("address %q, server name %q, server saw SNI %q", served.Address, served.ServerName, sni())
			}
			if served.Version != tls.VersionTLS13 || served.CipherSuite == 0 {
				t.Errorf("version %x, cipher suite %x", served.Version, served.CipherSuite)
			}
		})
	}
}

func TestEndpointNoSNIForIPLiteral(t *testing.T) {
	c := newTLSChain()
	addr, sni := startTLSServer(t, &tls.Config{Certificates: []tls.Certificate{c.certificate(c.leaf)}})
	served, err := Endpoint(testCtx(t), addr, DialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if served.ServerName != "" || sni() != "" {
		t.Errorf("server name %q, server saw SNI %q; want none", served.ServerName, sni())
	}
}

func TestEndpointVersions(t *testing.T) {
	c := newTLSChain()
	tests := []struct {
		name     string
		min, max uint16
	}{
		{"TLS 1.3 only", tls.VersionTLS13, tls.VersionTLS13},
		{"TLS 1.2 only", tls.VersionTLS12, tls.VersionTLS12},
		{"TLS 1.0 only (an old server)", tls.VersionTLS10, tls.VersionTLS10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, _ := startTLSServer(t, &tls.Config{
				Certificates: []tls.Certificate{c.certificate(c.leaf, c.p.inter)},
				MinVersion:   tt.min,
				MaxVersion:   tt.max,
			})
			served, err := Endpoint(testCtx(t), addr, DialOptions{ServerName: "leaf.example"})
			if err != nil {
				t.Fatal(err)
			}
			if served.Version != tt.max || len(served.Certificates) != 2 {
				t.Errorf("version %s, %d certificates", tls.VersionName(served.Version), len(served.Certificates))
			}
		})
	}
}

// fakeServer accepts one connection on loopback and runs serve on it.
func fakeServer(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		serve(conn)
	}()
	t.Cleanup(func() {
		ln.Close()
		select {
		case <-done:
		case <-time.After(hangGuard):
			t.Error("fake server did not finish")
		}
	})
	return ln.Addr().String()
}

// sslv3ServerHello is a well-formed ServerHello choosing SSL 3.0 with
// TLS_RSA_WITH_AES_128_CBC_SHA.
func sslv3ServerHello() []byte {
	body := []byte{0x03, 0x00}               // version
	body = append(body, make([]byte, 32)...) // random
	body = append(body, 0x00, 0x00, 0x2f, 0x00)
	hs := append([]byte{0x02, 0x00, 0x00, byte(len(body))}, body...)
	return append([]byte{0x16, 0x03, 0x00, 0x00, byte(len(hs))}, hs...)
}

// TestEndpointErrors: every failure is put in an admin's words, on one
// line, starting with the address exactly once (callers print it as is).
func TestEndpointErrors(t *testing.T) {
	tests := []struct {
		name    string
		addr    func(t *testing.T) string
		opts    DialOptions
		dial    dialFunc // nil: a real TCP dial
		prefix  string   // the address the message starts with; "": addr
		wantErr error
		wantMsg []string
	}{
		{
			name: "connection refused",
			addr: func(t *testing.T) string {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				addr := ln.Addr().String()
				ln.Close()
				return addr
			},
			wantErr: ErrConnectionRefused,
			wantMsg: []string{"connection refused (nothing listens there)"},
		},
		{
			name:    "host name not found",
			addr:    func(*testing.T) string { return "no-such-host.example" },
			dial:    failDial(&net.DNSError{Err: "no such host", Name: "no-such-host.example", Server: "127.0.0.53:53", IsNotFound: true}),
			prefix:  "no-such-host.example:443",
			wantErr: ErrLookup,
			wantMsg: []string{"no-such-host.example:443: host name lookup failed: no such host"},
		},
		{
			name:    "host name lookup timed out",
			addr:    func(*testing.T) string { return "slow-dns.example:8443" },
			dial:    failDial(&net.DNSError{Err: "i/o timeout", Name: "slow-dns.example", IsTimeout: true}),
			wantErr: ErrTimeout,
			wantMsg: []string{"slow-dns.example:8443: host name lookup failed: timed out"},
		},
		{
			name:    "connect timed out",
			addr:    func(*testing.T) string { return "192.0.2.1" },
			opts:    DialOptions{ConnectTimeout: 3 * time.Second},
			dial:    failDial(os.ErrDeadlineExceeded),
			prefix:  "192.0.2.1:443",
			wantErr: ErrTimeout,
			wantMsg: []string{"192.0.2.1:443: connect: timed out: no answer within 3s"},
		},
		{
			name:    "network unreachable",
			addr:    func(*testing.T) string { return "[2001:db8::1]:993" },
			dial:    failDial(os.NewSyscallError("connect", syscall.ENETUNREACH)),
			wantErr: syscall.ENETUNREACH,
			wantMsg: []string{"[2001:db8::1]:993: connect: network is unreachable"},
		},
		{
			name:    "bare IPv6 address refused",
			addr:    func(*testing.T) string { return "2001:db8::1" },
			dial:    failDial(os.NewSyscallError("connect", syscall.ECONNREFUSED)),
			prefix:  "[2001:db8::1]:443",
			wantErr: ErrConnectionRefused,
		},
		{
			name: "host given by name: the IP connected to follows",
			addr: func(t *testing.T) string {
				_, port, _ := net.SplitHostPort(fakeServer(t, func(c net.Conn) {}))
				return "server.example:" + port
			},
			dial:    loopbackDial,
			wantErr: ErrHandshake,
			wantMsg: []string{" (127.0.0.1:", "): TLS handshake failed: the server closed the connection without answering"},
		},
		{
			// The client speaks first in PostgreSQL, so the reset comes
			// once it is connected and waiting for the answer.
			name: "connection reset during StartTLS",
			addr: func(t *testing.T) string {
				return fakeServer(t, func(c net.Conn) {
					io.ReadFull(c, make([]byte, len(postgresSSLRequest)))
					c.(*net.TCPConn).SetLinger(0) // Close sends RST
				})
			},
			opts:    DialOptions{StartTLS: "postgres"},
			wantErr: syscall.ECONNRESET,
			wantMsg: []string{": postgres: read: connection reset by peer"},
		},
		{
			name: "StartTLS refused",
			addr: func(t *testing.T) string {
				return fakeServer(t, func(c net.Conn) {
					io.WriteString(c, "554 no SMTP service here\r\n")
					io.Copy(io.Discard, c)
				})
			},
			opts:    DialOptions{StartTLS: "smtp"},
			wantErr: ErrStartTLS,
			wantMsg: []string{`: smtp: StartTLS failed: greeting: "554 no SMTP service here"`},
		},
		{
			name: "plain HTTP port",
			addr: func(t *testing.T) string {
				srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
				t.Cleanup(srv.Close)
				return srv.Listener.Addr().String()
			},
			wantErr: ErrNotTLS,
			wantMsg: []string{"no TLS: the server answered plain text", `"HTTP/1.1 400 Bad Request"`, "plain HTTP"},
		},
		{
			name: "SMTP server without StartTLS",
			addr: func(t *testing.T) string {
				return fakeServer(t, func(c net.Conn) {
					io.WriteString(c, "220 mail.example ESMTP ready\r\n")
					io.Copy(io.Discard, c)
				})
			},
			wantErr: ErrNotTLS,
			wantMsg: []string{`"220 mail.example ESMTP ready"`, "use StartTLS smtp or ftp"},
		},
		{
			name: "server refuses every version we offer",
			addr: func(t *testing.T) string {
				return fakeServer(t, func(c net.Conn) {
					c.Read(make([]byte, 1024)) // the ClientHello
					c.Write([]byte{0x15, 0x03, 0x01, 0x00, 0x02, 0x02, alertProtocolVersion})
				})
			},
			wantErr: ErrProtocolVersion,
			wantMsg: []string{"no protocol version in common: chainfix offers TLS 1.0 to 1.3; the server refused them all (alert protocol_version)"},
		},
		{
			name: "server chooses SSL 3.0",
			addr: func(t *testing.T) string {
				return fakeServer(t, func(c net.Conn) {
					c.Read(make([]byte, 1024))
					c.Write(sslv3ServerHello())
					io.Copy(io.Discard, c)
				})
			},
			wantErr: ErrProtocolVersion,
			wantMsg: []string{"chainfix offers TLS 1.0 to 1.3; the server chose SSL 3.0"},
		},
		{
			name: "handshake failure alert",
			addr: func(t *testing.T) string {
				return fakeServer(t, func(c net.Conn) {
					c.Read(make([]byte, 1024))
					c.Write([]byte{0x15, 0x03, 0x01, 0x00, 0x02, 0x02, alertHandshakeFailure})
				})
			},
			wantErr: ErrHandshake,
			wantMsg: []string{"alert handshake_failure"},
		},
		{
			name: "server closes at once",
			addr: func(t *testing.T) string {
				return fakeServer(t, func(c net.Conn) {})
			},
			wantErr: ErrHandshake,
			wantMsg: []string{"closed the connection without answering"},
		},
		{
			name: "server never answers",
			addr: func(t *testing.T) string {
				return fakeServer(t, func(c net.Conn) { io.Copy(io.Discard, c) })
			},
			opts:    DialOptions{ConnectTimeout: 200 * time.Millisecond},
			wantErr: ErrTimeout,
			wantMsg: []string{"TLS handshake: timed out: no answer within 200ms"},
		},
		{
			name: "SMTP server that never greets",
			addr: func(t *testing.T) string {
				return fakeServer(t, func(c net.Conn) { io.Copy(io.Discard, c) })
			},
			opts:    DialOptions{StartTLS: "smtp", ConnectTimeout: 200 * time.Millisecond},
			wantErr: ErrTimeout,
			wantMsg: []string{"StartTLS smtp: timed out: no answer within 200ms"},
		},
		{
			name:    "unknown StartTLS",
			addr:    func(*testing.T) string { return "127.0.0.1:1" },
			opts:    DialOptions{StartTLS: "xmpp"},
			wantErr: ErrUnknownStartTLS,
			wantMsg: []string{`127.0.0.1:1: unknown StartTLS protocol (want smtp, imap, pop3, ftp or postgres): "xmpp"`},
		},
		{
			name:    "bad address",
			addr:    func(*testing.T) string { return "https://example.com/" },
			wantErr: ErrBadAddress,
			wantMsg: []string{"https://example.com/: bad address: a URL; give host or host:port"},
		},
		{
			name:    "bad address with spaces around it",
			addr:    func(*testing.T) string { return "  example.com:0 " },
			prefix:  "example.com:0",
			wantErr: ErrBadAddress,
			wantMsg: []string{`example.com:0: bad address: port "0" is not a number from 1 to 65535`},
		},
		{
			name:    "empty address",
			addr:    func(*testing.T) string { return " " },
			prefix:  `""`,
			wantErr: ErrBadAddress,
			wantMsg: []string{`"": bad address: empty`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := tt.addr(t)
			dial := tt.dial
			if dial == nil {
				dial = dialTCP
			}
			served, err := endpoint(testCtx(t), addr, tt.opts, dial)
			if err == nil {
				t.Fatalf("got %d certificates, want an error", len(served.Certificates))
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("error %q does not wrap %q", err, tt.wantErr)
			}
			msg := err.Error()
			for _, s := range tt.wantMsg {
				if !strings.Contains(msg, s) {
					t.Errorf("message %q lacks %q", msg, s)
				}
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("message %q is not one line", msg)
			}
			prefix := tt.prefix
			if prefix == "" {
				prefix = addr
			}
			if !strings.HasPrefix(msg, prefix+": ") && !strings.HasPrefix(msg, prefix+" (") {
				t.Errorf("message %q does not start with %q", msg, prefix)
			}
			host := prefix
			if h, _, err := net.SplitHostPort(prefix); err == nil {
				host = h
			}
			if n := strings.Count(msg, host); n != 1 {
				t.Errorf("message %q names %q %d times, want once", msg, host, n)
			}
		})
	}
}

// failDial is a dialFunc failing as net.Dialer does: a *net.OpError
// naming the address (when it is an IP address) around cause.
func failDial(cause error) dialFunc {
	return func(_ context.Context, address string, _ time.Duration) (net.Conn, error) {
		var addr net.Addr
		if ap, err := netip.ParseAddrPort(address); err == nil {
			addr = net.TCPAddrFromAddrPort(ap)
		}
		return nil, &net.OpError{Op: "dial", Net: "tcp", Addr: addr, Err: cause}
	}
}

// loopbackDial resolves every host name to 127.0.0.1, without DNS.
func loopbackDial(ctx context.Context, address string, timeout time.Duration) (net.Conn, error) {
	_, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	return dialTCP(ctx, net.JoinHostPort("127.0.0.1", port), timeout)
}

func TestDefaultPort(t *testing.T) {
	for proto, want := range map[string]string{"": "443", "smtp": "25", "imap": "143", "pop3": "110", "ftp": "21", "postgres": "5432"} {
		if got := defaultPort(proto); got != want {
			t.Errorf("defaultPort(%q) = %q, want %q", proto, got, want)
		}
	}
}
