package fetch

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
)

// maxLineLen bounds one line of a StartTLS exchange. RFC 5321 section
// 4.5.3.1.5 allows 512 octets per SMTP reply line; IMAP greetings carrying a
// capability list run longer. 4 KiB covers every real server and stops one
// that streams without line ends.
const maxLineLen = 4096

// maxReplyLines bounds a multi-line reply: an EHLO answer lists 10-20
// extensions, FTP banners a few dozen lines, IMAP a few untagged lines
// before the tagged one.
const maxReplyLines = 100

// ehloName is the name chainfix gives in EHLO: .invalid is reserved (RFC
// 2606) and says plainly that this is not a mail client.
const ehloName = "chainfix.invalid"

// postgresSSLRequest is the PostgreSQL SSLRequest message: length 8, code
// 80877103 (protocol documentation, "SSL Session Encryption").
const postgresSSLRequest = "\x00\x00\x00\x08\x04\xd2\x16\x2f"

// startTLSFunc returns the upgrade for a protocol name ("" = none).
func startTLSFunc(name string) (func(net.Conn) error, error) {
	switch name {
	case "":
		return nil, nil
	case "smtp":
		return lineUpgrade(smtpStartTLS), nil
	case "imap":
		return lineUpgrade(imapStartTLS), nil
	case "pop3":
		return lineUpgrade(pop3StartTLS), nil
	case "ftp":
		return lineUpgrade(ftpStartTLS), nil
	case "postgres":
		return postgresStartTLS, nil
	}
	return nil, fmt.Errorf("%w: %q", ErrUnknownStartTLS, name)
}

// lineConn reads bounded CRLF lines and writes commands.
type lineConn struct {
	r *bufio.Reader
	w io.Writer
}

// lineUpgrade runs a line protocol's upgrade, then makes sure the server
// sent nothing after its "go ahead": bytes read before the handshake would
// be taken as part of the TLS session (the STARTTLS command injection of
// CVE-2011-0411 works that way).
func lineUpgrade(f func(*lineConn) error) func(net.Conn) error {
	return func(conn net.Conn) error {
		lc := &lineConn{r: bufio.NewReaderSize(conn, maxLineLen), w: conn}
		if err := f(lc); err != nil {
			return err
		}
		if n := lc.r.Buffered(); n > 0 {
			return fmt.Errorf("%w: the server sent %d unexpected bytes after its answer", ErrStartTLS, n)
		}
		return nil
	}
}

// readLine returns one line without its CR LF.
func (l *lineConn) readLine() (string, error) {
	line, err := l.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		return "", fmt.Errorf("a line longer than %d bytes", maxLineLen)
	}
	if err != nil {
		if errors.Is(err, io.EOF) {
			if len(line) > 0 {
				return "", fmt.Errorf("the server closed the connection after %q", trimEOL(string(line)))
			}
			return "", errors.New("the server closed the connection")
		}
		return "", err
	}
	return trimEOL(string(line)), nil
}

func trimEOL(s string) string { return strings.TrimRight(s, "\r\n") }

func (l *lineConn) send(cmd string) error {
	_, err := io.WriteString(l.w, cmd+"\r\n")
	return err
}

// readCodeReply reads an SMTP or FTP reply: "ddd-text" lines continue it,
// "ddd text" (or "ddd") ends it. FTP (RFC 959 section 4.2) allows lines of
// any text in between.
func (l *lineConn) readCodeReply() (code string, text string, err error) {
	for i := 0; i < maxReplyLines; i++ {
		line, err := l.readLine()
		if err != nil {
			return "", "", err
		}
		if i == 0 {
			if len(line) < 3 || !isDigits(line[:3]) || (len(line) > 3 && line[3] != ' ' && line[3] != '-') {
				return "", "", fmt.Errorf("unexpected answer %q", line)
			}
			code, text = line[:3], line
		}
		if strings.HasPrefix(line, code) && (len(line) == 3 || line[3] == ' ') {
			return code, text, nil
		}
	}
	return "", "", fmt.Errorf("a reply longer than %d lines", maxReplyLines)
}

func isDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// expectCode reads a reply and checks its code.
func (l *lineConn) expectCode(what, want string) error {
	code, text, err := l.readCodeReply()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if code != want {
		return fmt.Errorf("%w: %s: %q", ErrStartTLS, what, text)
	}
	return nil
}

// smtpStartTLS: RFC 3207. Greeting 220, EHLO, STARTTLS answered 220.
func smtpStartTLS(l *lineConn) error {
	if err := l.expectCode("greeting", "220"); err != nil {
		return err
	}
	if err := l.send("EHLO " + ehloName); err != nil {
		return err
	}
	if err := l.expectCode("EHLO", "250"); err != nil {
		return err
	}
	if err := l.send("STARTTLS"); err != nil {
		return err
	}
	return l.expectCode("STARTTLS", "220")
}

// ftpStartTLS: RFC 4217 section 4. Greeting 220 (after an optional 120
// "ready in n minutes"), AUTH TLS answered 234.
func ftpStartTLS(l *lineConn) error {
	code, text, err := l.readCodeReply()
	if err != nil {
		return fmt.Errorf("greeting: %w", err)
	}
	if code == "120" {
		code, text, err = l.readCodeReply()
		if err != nil {
			return fmt.Errorf("greeting: %w", err)
		}
	}
	if code != "220" {
		return fmt.Errorf("%w: greeting: %q", ErrStartTLS, text)
	}
	if err := l.send("AUTH TLS"); err != nil {
		return err
	}
	return l.expectCode("AUTH TLS", "234")
}

// pop3StartTLS: RFC 2595 section 4. Greeting +OK, STLS answered +OK.
func pop3StartTLS(l *lineConn) error {
	line, err := l.readLine()
	if err != nil {
		return fmt.Errorf("greeting: %w", err)
	}
	if !strings.HasPrefix(line, "+OK") {
		return fmt.Errorf("%w: greeting: %q", ErrStartTLS, line)
	}
	if err := l.send("STLS"); err != nil {
		return err
	}
	line, err = l.readLine()
	if err != nil {
		return fmt.Errorf("STLS: %w", err)
	}
	if !strings.HasPrefix(line, "+OK") {
		return fmt.Errorf("%w: STLS: %q", ErrStartTLS, line)
	}
	return nil
}

// imapTag tags chainfix's one IMAP command.
const imapTag = "a1"

// imapStartTLS: RFC 3501 section 6.2.1. Greeting "* OK" (or PREAUTH),
// "a1 STARTTLS" answered "a1 OK" after any untagged lines.
func imapStartTLS(l *lineConn) error {
	line, err := l.readLine()
	if err != nil {
		return fmt.Errorf("greeting: %w", err)
	}
	if !hasPrefixFold(line, "* OK") && !hasPrefixFold(line, "* PREAUTH") {
		return fmt.Errorf("%w: greeting: %q", ErrStartTLS, line)
	}
	if err := l.send(imapTag + " STARTTLS"); err != nil {
		return err
	}
	for range maxReplyLines {
		line, err := l.readLine()
		if err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
		if strings.HasPrefix(line, "* ") {
			continue // untagged data, e.g. a CAPABILITY
		}
		if hasPrefixFold(line, imapTag+" OK") {
			return nil
		}
		return fmt.Errorf("%w: STARTTLS: %q", ErrStartTLS, line)
	}
	return fmt.Errorf("STARTTLS: a reply longer than %d lines", maxReplyLines)
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// postgresStartTLS sends SSLRequest and expects the single byte 'S'; 'N'
// means the server has SSL off. Exactly one byte is read so nothing the
// server might send after it is mistaken for TLS data.
func postgresStartTLS(conn net.Conn) error {
	if _, err := io.WriteString(conn, postgresSSLRequest); err != nil {
		return err
	}
	var b [1]byte
	if _, err := io.ReadFull(conn, b[:]); err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("the server closed the connection after SSLRequest")
		}
		return err
	}
	switch b[0] {
	case 'S':
		return nil
	case 'N':
		return fmt.Errorf("%w: the server does not accept SSL (ssl = off)", ErrStartTLS)
	case 'E':
		return fmt.Errorf("%w: the server answered SSLRequest with an error (a very old server, or not PostgreSQL)", ErrStartTLS)
	}
	return fmt.Errorf("%w: unexpected answer 0x%02x to SSLRequest (not PostgreSQL?)", ErrStartTLS, b[0])
}
