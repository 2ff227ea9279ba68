package fetch

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
)

// readerConn reads through the bufio.Reader the fake used for its lines, so
// that no byte of the ClientHello is lost.
type readerConn struct {
	net.Conn
	r *bufio.Reader
}

func (c readerConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// expectLine reads one client line and checks it.
func expectLine(r *bufio.Reader, want string) error {
	line, err := r.ReadString('\n')
	if err != nil {
		return err
	}
	if got := strings.TrimRight(line, "\r\n"); got != want {
		return fmt.Errorf("client sent %q, want %q", got, want)
	}
	return nil
}

// script is a fake server's dialogue: alternately what to send and what the
// client must answer, as "S: ..." and "C: ..." lines. "S:" text is sent
// verbatim (include \r\n).
func script(steps ...string) func(net.Conn, *bufio.Reader) error {
	return func(c net.Conn, r *bufio.Reader) error {
		for _, s := range steps {
			switch {
			case strings.HasPrefix(s, "S: "):
				if _, err := io.WriteString(c, s[3:]); err != nil {
					return err
				}
			case strings.HasPrefix(s, "C: "):
				if err := expectLine(r, s[3:]); err != nil {
					return err
				}
			case strings.HasPrefix(s, "B: "): // raw bytes from the client
				want := []byte(s[3:])
				got := make([]byte, len(want))
				if _, err := io.ReadFull(r, got); err != nil {
					return err
				}
				if !bytes.Equal(got, want) {
					return fmt.Errorf("client sent %x, want %x", got, want)
				}
			default:
				panic("bad step " + s)
			}
		}
		return nil
	}
}

func TestStartTLS(t *testing.T) {
	chain := newTLSChain()
	cert := chain.certificate(chain.leaf, chain.p.inter)
	tests := []struct {
		proto    string
		name     string
		dialogue func(net.Conn, *bufio.Reader) error
		wantErr  error  // nil: the handshake must succeed
		wantMsg  string // substring of the error
	}{
		{"smtp", "multi-line greeting and EHLO", script(
			"S: 220-mail.example ESMTP\r\n220 ready\r\n",
			"C: EHLO chainfix.invalid",
			"S: 250-mail.example\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 STARTTLS\r\n",
			"C: STARTTLS",
			"S: 220 2.0.0 Ready to start TLS\r\n",
		), nil, ""},
		{"smtp", "STARTTLS refused", script(
			"S: 220 mail.example ESMTP\r\n",
			"C: EHLO chainfix.invalid",
			"S: 250 mail.example\r\n",
			"C: STARTTLS",
			"S: 454 4.7.0 TLS not available due to local problem\r\n",
		), ErrStartTLS, `STARTTLS: "454 4.7.0 TLS not available due to local problem"`},
		{"smtp", "session refused at greeting", script(
			"S: 554 no SMTP service here\r\n",
		), ErrStartTLS, `greeting: "554 no SMTP service here"`},
		{"smtp", "data injected after the go-ahead", script(
			"S: 220 mail.example ESMTP\r\n",
			"C: EHLO chainfix.invalid",
			"S: 250 mail.example\r\n",
			"C: STARTTLS",
			"S: 220 Ready\r\n250 injected\r\n",
		), ErrStartTLS, "unexpected bytes after its answer"},
		{"smtp", "greeting line too long", script(
			"S: 220 " + strings.Repeat("x", maxLineLen) + "\r\n",
		), nil, "a line longer than 4096 bytes"},
		{"smtp", "not an SMTP server", script(
			"S: SSH-2.0-OpenSSH_9.6\r\n",
		), nil, `unexpected answer "SSH-2.0-OpenSSH_9.6"`},
		{"imap", "untagged capability before OK", script(
			"S: * OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] Dovecot ready.\r\n",
			"C: a1 STARTTLS",
			"S: * CAPABILITY IMAP4rev1 STARTTLS\r\na1 OK Begin TLS negotiation now.\r\n",
		), nil, ""},
		{"imap", "STARTTLS refused", script(
			"S: * OK ready\r\n",
			"C: a1 STARTTLS",
			"S: a1 BAD unknown command\r\n",
		), ErrStartTLS, `STARTTLS: "a1 BAD unknown command"`},
		{"imap", "BYE greeting", script(
			"S: * BYE too many connections\r\n",
		), ErrStartTLS, `greeting: "* BYE too many connections"`},
		{"pop3", "STLS accepted", script(
			"S: +OK POP3 ready\r\n",
			"C: STLS",
			"S: +OK Begin TLS negotiation\r\n",
		), nil, ""},
		{"pop3", "STLS refused", script(
			"S: +OK POP3 ready\r\n",
			"C: STLS",
			"S: -ERR command not supported\r\n",
		), ErrStartTLS, `STLS: "-ERR command not supported"`},
		{"ftp", "multi-line banner with free text lines", script(
			"S: 220-Welcome to the FTP service\r\n  Please behave.\r\n220 ready\r\n",
			"C: AUTH TLS",
			"S: 234 AUTH TLS successful\r\n",
		), nil, ""},
		{"ftp", "120 then 220", script(
			"S: 120 ready in 1 minute\r\n220 ready\r\n",
			"C: AUTH TLS",
			"S: 234 Proceed with negotiation.\r\n",
		), nil, ""},
		{"ftp", "AUTH TLS refused", script(
			"S: 220 ready\r\n",
			"C: AUTH TLS",
			"S: 530 Please login with USER and PASS.\r\n",
		), ErrStartTLS, `AUTH TLS: "530 Please login with USER and PASS."`},
		{"postgres", "SSLRequest accepted", script(
			"B: "+postgresSSLRequest,
			"S: S",
		), nil, ""},
		{"postgres", "SSL off", script(
			"B: "+postgresSSLRequest,
			"S: N",
		), ErrStartTLS, "does not accept SSL"},
		{"postgres", "not PostgreSQL", script(
			"B: "+postgresSSLRequest,
			"S: HTTP/1.1 400 Bad Request\r\n",
		), ErrStartTLS, "unexpected answer 0x48"},
	}
	for _, tt := range tests {
		t.Run(tt.proto+"/"+tt.name, func(t *testing.T) {
			serverErr := make(chan error, 1)
			addr := fakeServer(t, func(c net.Conn) {
				r := bufio.NewReader(c)
				if err := tt.dialogue(c, r); err != nil {
					serverErr <- err
					return
				}
				if tt.wantErr != nil || tt.wantMsg != "" {
					serverErr <- nil
					io.Copy(io.Discard, c) // until the client hangs up
					return
				}
				serverErr <- tls.Server(readerConn{c, r}, &tls.Config{Certificates: []tls.Certificate{cert}}).Handshake()
			})
			served, err := Endpoint(testCtx(t), addr, DialOptions{StartTLS: tt.proto, ServerName: "leaf.example"})
			if tt.wantErr == nil && tt.wantMsg == "" {
				if err != nil {
					t.Fatalf("Endpoint: %v", err)
				}
				if len(served.Certificates) != 2 || !bytes.Equal(served.Certificates[1].Raw, chain.p.inter.DER()) {
					t.Errorf("got %d certificates", len(served.Certificates))
				}
			} else {
				if err == nil {
					t.Fatal("no error")
				}
				if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Errorf("error %q does not wrap %q", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantMsg) || !strings.Contains(err.Error(), addr+": "+tt.proto+": ") {
					t.Errorf("message %q lacks %q", err, tt.wantMsg)
				}
			}
			if err := <-serverErr; err != nil {
				t.Errorf("fake server: %v", err)
			}
		})
	}
}

func FuzzReadCodeReply(f *testing.F) {
	for _, s := range []string{
		"220 ready\r\n",
		"220-a\r\n220-b\r\n220 c\r\n",
		"220-Welcome\r\n free text\r\n220 ready\r\n",
		"250\r\n",
		"2x0 bad\r\n",
		"220-never ends\r\n",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l := &lineConn{r: bufio.NewReaderSize(bytes.NewReader(data), maxLineLen), w: io.Discard}
		code, text, err := l.readCodeReply()
		if err != nil {
			return
		}
		if len(code) != 3 || !isDigits(code) || !strings.HasPrefix(text, code) {
			t.Fatalf("code %q text %q", code, text)
		}
	})
}
