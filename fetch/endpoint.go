package fetch

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// maxHostLen is the longest DNS name (RFC 1035 section 2.3.4: 255 octets on
// the wire, 253 characters written out).
const maxHostLen = 253

// maxLabelLen is the longest DNS label (RFC 1035 section 2.3.4).
const maxLabelLen = 63

// recordLen is how many of the server's first bytes are kept to explain a
// failed handshake (enough for a status line or banner and a ServerHello
// header).
const recordLen = 80

// alertProtocolVersion is the TLS alert a server sends when it speaks none
// of the versions offered (RFC 8446 section 6.2).
const alertProtocolVersion = 70

// alertHandshakeFailure: no acceptable cipher suite or parameters (RFC 8446 section 6.2).
const alertHandshakeFailure = 40

// alertUnrecognizedName: the server knows no certificate for the SNI sent (RFC 6066 section 3).
const alertUnrecognizedName = 112

// SplitHostPort splits an endpoint as an admin types it into host and port:
// "example.com" (port 443), "example.com:8443", "192.0.2.1:443",
// "[2001:db8::1]:443", "[2001:db8::1]" and a bare "2001:db8::1" (port 443:
// an IPv6 address with a port needs brackets). The host comes back without
// brackets. URLs, empty parts, bad ports and names that are not DNS names
// are errors wrapping ErrBadAddress.
func SplitHostPort(s string) (host, port string, err error) {
	host, port, why := splitHostPort(s, "443")
	if why != "" {
		return "", "", fmt.Errorf("%w %q: %s", ErrBadAddress, s, why)
	}
	return host, port, nil
}

// splitHostPort is SplitHostPort with the default port given; why says
// what is wrong with s ("" when nothing is), for the caller to word.
func splitHostPort(s, defaultPort string) (host, port, why string) {
	s = strings.TrimSpace(s)
	bad := func(why string) (string, string, string) {
		return "", "", why
	}
	switch {
	case s == "":
		return bad("empty")
	case strings.Contains(s, "://"):
		return bad("a URL; give host or host:port")
	case strings.HasPrefix(s, "["):
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return bad("missing ]")
		}
		host, rest := s[1:end], s[end+1:]
		if a, err := netip.ParseAddr(host); err != nil || !a.Is6() {
			return bad("not an IPv6 address between [ ]")
		}
		switch {
		case rest == "":
			port = defaultPort
		case rest[0] == ':':
			port = rest[1:]
		default:
			return bad("unexpected text after ]")
		}
		if err := checkPort(port); err != nil {
			return bad(err.Error())
		}
		return host, port, ""
	case strings.Count(s, ":") > 1:
		if a, err := netip.ParseAddr(s); err != nil || !a.Is6() {
			return bad("not an IPv6 address (an IPv6 address with a port is written [2001:db8::1]:443)")
		}
		return s, defaultPort, ""
	}
	host, port = s, defaultPort
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		host, port = s[:i], s[i+1:]
	}
	if err := checkPort(port); err != nil {
		return bad(err.Error())
	}
	if err := checkHost(host); err != nil {
		return bad(err.Error())
	}
	return host, port, ""
}

func checkPort(p string) error {
	if p == "" {
		return errors.New("empty port")
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 65535 || p[0] == '+' || p[0] == '-' {
		return fmt.Errorf("port %q is not a number from 1 to 65535", p)
	}
	return nil
}

// checkHost accepts an IPv4 address or a DNS name of letters, digits,
// hyphens and underscores (seen in internal names).
func checkHost(h string) error {
	if h == "" {
		return errors.New("empty host")
	}
	if a, err := netip.ParseAddr(h); err == nil && a.Is4() {
		return nil
	}
	if len(h) > maxHostLen+1 { // +1: a trailing dot
		return fmt.Errorf("host name longer than %d characters", maxHostLen)
	}
	name := strings.TrimSuffix(h, ".")
	for _, label := range strings.Split(name, ".") {
		if label == "" {
			return errors.New("empty label in host name")
		}
		if len(label) > maxLabelLen {
			return fmt.Errorf("host name label longer than %d characters", maxLabelLen)
		}
		for _, r := range label {
			switch {
			case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			case r > 0x7f:
				return errors.New("not an ASCII host name (use its xn-- form)")
			default:
				return fmt.Errorf("character %q not allowed in a host name", r)
			}
		}
	}
	return nil
}

// defaultPort is the port of a StartTLS protocol when none is given.
func defaultPort(startTLS string) string {
	switch startTLS {
	case "smtp":
		return "25"
	case "imap":
		return "143"
	case "pop3":
		return "110"
	case "ftp":
		return "21"
	case "postgres":
		return "5432"
	}
	return "443"
}

// Endpoint connects to hostport (see SplitHostPort; without a port, the
// StartTLS protocol's own port or 443), optionally upgrades with StartTLS,
// completes a TLS handshake and returns the certificates the server sent,
// exactly as sent: order and duplicates kept, nothing verified.
//
// ConnectTimeout bounds the TCP connect and, separately, the StartTLS
// exchange plus handshake. Errors wrap ErrConnectionRefused, ErrLookup,
// ErrTimeout, ErrNotTLS, ErrProtocolVersion, ErrHandshake, ErrStartTLS,
// ErrUnknownStartTLS or ErrBadAddress.
//
// Every error message starts with the address, exactly once, then ": ", so
// callers print it as is without adding the host: the address is host:port
// as given with the port made explicit ("example.com:443",
// "[2001:db8::1]:443"); once connected to a host given by name, the IP
// address connected to follows in parentheses ("example.com:443
// (192.0.2.7:443): TLS handshake: ..."), since a name may lead to several
// servers. When hostport cannot be parsed, the address is hostport as given,
// trimmed of spaces (quoted if empty or unprintable).
func Endpoint(ctx context.Context, hostport string, opts DialOptions) (*Served, error) {
	return endpoint(ctx, hostport, opts, dialTCP)
}

// dialFunc opens the TCP connection of Endpoint; tests replace it to
// produce failures loopback cannot (DNS errors, connect timeouts).
type dialFunc func(ctx context.Context, address string, timeout time.Duration) (net.Conn, error)

func dialTCP(ctx context.Context, address string, timeout time.Duration) (net.Conn, error) {
	d := net.Dialer{Timeout: timeout}
	return d.DialContext(ctx, "tcp", address)
}

// badAddressName names an unparsable hostport at the start of a message.
func badAddressName(hostport string) string {
	s := strings.TrimSpace(hostport)
	if s == "" || strings.ContainsFunc(s, func(r rune) bool { return !strconv.IsPrint(r) || r == ' ' }) {
		return strconv.Quote(s)
	}
	return s
}

func endpoint(ctx context.Context, hostport string, opts DialOptions, dial dialFunc) (*Served, error) {
	return endpointWith(ctx, hostport, opts, dial, nil)
}

// endpointWith is endpoint with a last say on the TLS configuration (the
// probes of probe.go limit the version or send no SNI).
func endpointWith(ctx context.Context, hostport string, opts DialOptions, dial dialFunc, tweak func(*tls.Config)) (*Served, error) {
	host, port, why := splitHostPort(hostport, defaultPort(opts.StartTLS))
	if why != "" {
		return nil, fmt.Errorf("%s: %w: %s", badAddressName(hostport), ErrBadAddress, why)
	}
	target := net.JoinHostPort(host, port)
	upgrade, err := startTLSFunc(opts.StartTLS)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", target, err)
	}
	timeout := opts.ConnectTimeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}

	raw, err := dial(ctx, target, timeout)
	if err != nil {
		return nil, describeDialError(ctx, target, timeout, err)
	}
	defer raw.Close()
	// Messages name the address once, in front: strip the "read tcp
	// local->remote" that net.OpError would add inside.
	conn := quietConn{raw}
	addr := raw.RemoteAddr().String()
	at := target // what every later message starts with
	if _, err := netip.ParseAddr(host); err != nil {
		at = target + " (" + addr + ")"
	}

	// One bound for the StartTLS exchange and the handshake: when it
	// passes, the connection's deadline is moved to the past, which
	// unblocks any read or write in progress.
	hctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	stop := context.AfterFunc(hctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	if upgrade != nil {
		if err := upgrade(conn); err != nil {
			if hctx.Err() != nil {
				return nil, describeTimeout(ctx, at, timeout, "StartTLS "+opts.StartTLS)
			}
			return nil, fmt.Errorf("%s: %s: %w", at, opts.StartTLS, err)
		}
	}

	sni := opts.ServerName
	if sni == "" {
		sni = host
	}
	rec := &recordingConn{Conn: conn}
	cfg := &tls.Config{
		ServerName: sni,
		// We only READ the chain the server sends: nothing secret goes over
		// this connection, and whether the chain is trusted is judged
		// later by package bundle with explicit roots and a pinned time.
		// Verifying here would hide exactly the broken chains chainfix is
		// meant to show.
		InsecureSkipVerify: true,
		// Offer TLS 1.0 to 1.3 and every suite Go has, even weak ones, so
		// that old servers still show their chain.
		MinVersion:   tls.VersionTLS10,
		MaxVersion:   tls.VersionTLS13,
		CipherSuites: allCipherSuites(),
	}
	if tweak != nil {
		tweak(cfg)
	}
	tc := tls.Client(rec, cfg)
	if err := tc.HandshakeContext(hctx); err != nil {
		if hctx.Err() != nil {
			return nil, describeTimeout(ctx, at, timeout, "TLS handshake")
		}
		return nil, describeHandshakeError(at, rec.recorded(), err)
	}
	state := tc.ConnectionState()
	served := &Served{
		Address:      addr,
		ServerName:   sni,
		Certificates: state.PeerCertificates,
		Version:      state.Version,
		CipherSuite:  state.CipherSuite,
	}
	// RFC 6066 section 3: no SNI for IP literals; crypto/tls sends none.
	if _, err := netip.ParseAddr(sni); err == nil {
		served.ServerName = ""
	}
	return served, nil
}

// allCipherSuites lists every TLS 1.0-1.2 suite crypto/tls implements,
// secure ones first. TLS 1.3 suites are not configurable and always offered.
func allCipherSuites() []uint16 {
	var ids []uint16
	for _, s := range tls.CipherSuites() {
		ids = append(ids, s.ID)
	}
	for _, s := range tls.InsecureCipherSuites() {
		if !slicesContainsTLS13(s.SupportedVersions) {
			ids = append(ids, s.ID)
		}
	}
	return ids
}

func slicesContainsTLS13(vs []uint16) bool {
	for _, v := range vs {
		if v == tls.VersionTLS13 {
			return true
		}
	}
	return false
}

// describeDialError puts a connect failure in an admin's words, after the
// address.
func describeDialError(ctx context.Context, target string, timeout time.Duration, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%s: connect: %w", target, ctx.Err())
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		// dnsErr.Error() repeats the name and may name the DNS server;
		// its Err is the reason alone ("no such host").
		if dnsErr.IsTimeout {
			return fmt.Errorf("%s: %w: %w", target, ErrLookup, ErrTimeout)
		}
		return fmt.Errorf("%s: %w: %s", target, ErrLookup, dnsErr.Err)
	}
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("%s: %w (nothing listens there)", target, ErrConnectionRefused)
	case errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("%s: connect: %w: no answer within %v", target, ErrTimeout, timeout)
	}
	// Drop the "dial tcp 192.0.2.1:443: connect: " that *net.OpError and
	// *os.SyscallError put before the cause: the address is in front.
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		err = oe.Err
	}
	var se *os.SyscallError
	if errors.As(err, &se) && se.Err != nil {
		err = se.Err
	}
	return fmt.Errorf("%s: connect: %w", target, err)
}

// quietConn reports read and write errors without net.OpError's addresses
// (the cause, e.g. a *os.SyscallError for ECONNRESET or
// os.ErrDeadlineExceeded, is kept for errors.Is and net.Error).
type quietConn struct{ net.Conn }

func (c quietConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	return n, quiet(err)
}

func (c quietConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	return n, quiet(err)
}

func quiet(err error) error {
	if oe, ok := err.(*net.OpError); ok && oe.Err != nil {
		return oe.Err
	}
	return err
}

// describeTimeout reports a StartTLS exchange or handshake that did not
// finish in time, or the caller's cancellation.
func describeTimeout(ctx context.Context, addr string, timeout time.Duration, what string) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %s: %w", addr, what, ctx.Err())
	}
	return fmt.Errorf("%s: %s: %w: no answer within %v", addr, what, ErrTimeout, timeout)
}

// describeHandshakeError explains a failed handshake from the error and the
// first bytes the server sent.
func describeHandshakeError(addr string, first []byte, err error) error {
	var rh tls.RecordHeaderError
	if errors.As(err, &rh) && looksLikeText(first) {
		line := firstLine(first)
		return fmt.Errorf("%s: %w: %q%s", addr, ErrNotTLS, line, guessProtocol(line))
	}
	if code, ok := remoteAlert(err); ok {
		switch code {
		case alertProtocolVersion:
			return fmt.Errorf("%s: %w; the server refused them all (alert protocol_version)", addr, ErrProtocolVersion)
		case alertHandshakeFailure:
			return fmt.Errorf("%s: %w: the server sent alert handshake_failure (no cipher suite or parameters in common with TLS 1.0-1.3, or it wants a different server name)", addr, ErrHandshake)
		case alertUnrecognizedName:
			return fmt.Errorf("%s: %w: the server sent alert unrecognized_name (it has no certificate for the server name sent)", addr, ErrHandshake)
		}
		return fmt.Errorf("%s: %w: the server sent alert %v", addr, ErrHandshake, err)
	}
	if v, ok := serverHelloVersion(first); ok && v < tls.VersionTLS10 {
		return fmt.Errorf("%s: %w; the server chose %s", addr, ErrProtocolVersion, versionName(v))
	}
	if errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) {
		if len(first) == 0 {
			return fmt.Errorf("%s: %w: the server closed the connection without answering the TLS hello", addr, ErrHandshake)
		}
		return fmt.Errorf("%s: %w: the server closed the connection during the handshake", addr, ErrHandshake)
	}
	return fmt.Errorf("%s: %w: %v", addr, ErrHandshake, err)
}

// remoteAlert extracts the alert code a server sent. crypto/tls reports it
// as a *net.OpError "remote error" around an unexported uint8 type; reading
// its value by reflection avoids matching error strings.
func remoteAlert(err error) (uint8, bool) {
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Op != "remote error" || oe.Err == nil {
		return 0, false
	}
	v := reflect.ValueOf(oe.Err)
	if v.Kind() != reflect.Uint8 || v.Type().PkgPath() != "crypto/tls" {
		return 0, false
	}
	return uint8(v.Uint()), true
}

// serverHelloVersion reads the legacy version of a ServerHello at the start
// of the server's bytes (record header 5, handshake header 4, then version).
func serverHelloVersion(b []byte) (uint16, bool) {
	if len(b) < 11 || b[0] != 0x16 || b[5] != 0x02 {
		return 0, false
	}
	return uint16(b[9])<<8 | uint16(b[10]), true
}

// versionName names a protocol version for messages.
func versionName(v uint16) string {
	if v == 0x0300 {
		return "SSL 3.0"
	}
	if v == 0x0002 || v == 0x0200 {
		return "SSL 2.0"
	}
	return tls.VersionName(v)
}

// looksLikeText reports whether b starts with printable ASCII text.
func looksLikeText(b []byte) bool {
	line := firstLine(b)
	if len(line) == 0 {
		return false
	}
	for _, c := range []byte(line) {
		if c < 0x20 || c > 0x7e {
			if c != '\t' {
				return false
			}
		}
	}
	return true
}

func firstLine(b []byte) string {
	if i := bytes.IndexAny(b, "\r\n"); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// guessProtocol names what a plain-text answer looks like.
func guessProtocol(line string) string {
	switch {
	case strings.HasPrefix(line, "HTTP/"):
		return " (plain HTTP: this port does not speak TLS)"
	case strings.HasPrefix(line, "220"):
		return " (an SMTP or FTP greeting: use StartTLS smtp or ftp)"
	case strings.HasPrefix(line, "* OK"), strings.HasPrefix(line, "* PREAUTH"):
		return " (an IMAP greeting: use StartTLS imap)"
	case strings.HasPrefix(line, "+OK"):
		return " (a POP3 greeting: use StartTLS pop3)"
	case strings.HasPrefix(line, "SSH-"):
		return " (an SSH server)"
	}
	return ""
}

// recordingConn keeps the first recordLen bytes the server sends, to
// explain a failed handshake.
type recordingConn struct {
	net.Conn
	mu  sync.Mutex
	buf []byte
}

func (c *recordingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.mu.Lock()
		if room := recordLen - len(c.buf); room > 0 {
			c.buf = append(c.buf, p[:min(n, room)]...)
		}
		c.mu.Unlock()
	}
	return n, err
}

func (c *recordingConn) recorded() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Clone(c.buf)
}
