package fetch

import (
	"bytes"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	stdpem "encoding/pem"
)

// The fuzz targets' seeds live in testdata/fuzz/<target>/, written from the
// lists below by
//
//	go test ./fetch -run TestFuzzSeeds -write-fuzz-seeds
//
// (the certificates are deterministic, so rewriting changes nothing);
// without the flag, TestFuzzSeeds checks the committed files are current.
var writeFuzzSeeds = flag.Bool("write-fuzz-seeds", false, "rewrite fetch/testdata/fuzz from the seed lists")

// fuzzSeed is one committed seed: a file name saying what it shows, and
// the target's arguments.
type fuzzSeed struct {
	name string
	args []any
}

func decodeBodySeeds(t testing.TB) []fuzzSeed {
	p := newPKI()
	return []fuzzSeed{
		{"der-intermediate", []any{p.inter.DER()}},
		{"pem-root-then-intermediate", []any{pemOf(p.root, p.inter)}},
		{"p7c-root-and-intermediate", []any{pkcs7Of(t, p.root, p.inter)}},
		{"pem-pkcs7-block", []any{stdpem.EncodeToMemory(&stdpem.Block{Type: "PKCS7", Bytes: pkcs7Of(t, p.inter)})}},
		{"html-error-page", []any{[]byte("<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head><body>down</body></html>\n")}},
		{"xml-bucket-error", []any{[]byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>")}},
		{"der-truncated", []any{p.inter.DER()[:200]}},
	}
}

// startTLSProtocols indexes the protocols FuzzStartTLS drives.
var startTLSProtocols = []string{"smtp", "imap", "pop3", "ftp", "postgres"}

func startTLSSeeds() []fuzzSeed {
	proto := func(name string) uint8 { return uint8(slices.Index(startTLSProtocols, name)) }
	return []fuzzSeed{
		{"smtp-multiline-ok", []any{proto("smtp"), []byte("220-mail.example ESMTP\r\n220 ready\r\n250-mail.example\r\n250-PIPELINING\r\n250 STARTTLS\r\n220 2.0.0 Ready to start TLS\r\n")}},
		{"smtp-injected-after-go-ahead", []any{proto("smtp"), []byte("220 mail.example ESMTP\r\n250 mail.example\r\n220 Ready\r\n250 injected\r\n")}},
		{"smtp-refused", []any{proto("smtp"), []byte("220 mail.example\r\n250 mail.example\r\n454 4.7.0 TLS not available\r\n")}},
		{"imap-capability-then-ok", []any{proto("imap"), []byte("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n* CAPABILITY IMAP4rev1 STARTTLS\r\na1 OK Begin TLS negotiation now.\r\n")}},
		{"imap-bye", []any{proto("imap"), []byte("* BYE too many connections\r\n")}},
		{"pop3-ok", []any{proto("pop3"), []byte("+OK POP3 ready\r\n+OK Begin TLS negotiation\r\n")}},
		{"pop3-refused", []any{proto("pop3"), []byte("+OK POP3 ready\r\n-ERR command not supported\r\n")}},
		{"ftp-120-then-220", []any{proto("ftp"), []byte("120 ready in 1 minute\r\n220 ready\r\n234 Proceed with negotiation.\r\n")}},
		{"ftp-banner-free-text", []any{proto("ftp"), []byte("220-Welcome\r\n  Please behave.\r\n220 ready\r\n530 Please login with USER and PASS.\r\n")}},
		{"postgres-ok", []any{proto("postgres"), []byte("S")}},
		{"postgres-ssl-off", []any{proto("postgres"), []byte("N")}},
		{"postgres-http", []any{proto("postgres"), []byte("HTTP/1.1 400 Bad Request\r\n")}},
	}
}

func parseCacheEntrySeeds() []fuzzSeed {
	p := newPKI()
	good := encodeCacheEntry(fuzzCacheURL, []*x509.Certificate{p.inter.Cert, p.root.Cert})
	return []fuzzSeed{
		{"entry-two-certificates", []any{good}},
		{"entry-truncated", []any{good[:len(good)/2]}},
		{"entry-other-url", []any{encodeCacheEntry(fuzzCacheURL+"x", []*x509.Certificate{p.inter.Cert})}},
	}
}

// fuzzCacheURL is the URL FuzzParseCacheEntry parses entries for.
const fuzzCacheURL = "http://ca.example/int.crt"

// TestFuzzSeeds keeps testdata/fuzz in step with the seed lists.
func TestFuzzSeeds(t *testing.T) {
	targets := map[string][]fuzzSeed{
		"FuzzDecodeBody":      decodeBodySeeds(t),
		"FuzzStartTLS":        startTLSSeeds(),
		"FuzzParseCacheEntry": parseCacheEntrySeeds(),
	}
	for target, seeds := range targets {
		dir := filepath.Join("testdata", "fuzz", target)
		for _, s := range seeds {
			path := filepath.Join(dir, s.name)
			want := marshalSeed(s.args...)
			if *writeFuzzSeeds {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, want, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			got, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s is missing or stale (%v); run go test ./fetch -run TestFuzzSeeds -write-fuzz-seeds", path, err)
			}
		}
	}
}

// marshalSeed writes a corpus file in the "go test fuzz v1" format for
// []byte and uint8 arguments.
func marshalSeed(args ...any) []byte {
	var b bytes.Buffer
	b.WriteString("go test fuzz v1\n")
	for _, a := range args {
		switch v := a.(type) {
		case []byte:
			fmt.Fprintf(&b, "[]byte(%s)\n", strconv.Quote(string(v)))
		case uint8:
			fmt.Fprintf(&b, "uint8(%d)\n", v)
		default:
			panic(fmt.Sprintf("marshalSeed: %T", a))
		}
	}
	return b.Bytes()
}

// describeBodyMessage is the whole of what describeBody may say: fixed
// words, the status and content type given, and the size. Nothing of the
// body itself.
var describeBodyMessage = regexp.MustCompile(`^answer holds no certificate: (an empty body|an HTML page|an XML document|neither DER, PEM nor PKCS #7 certificates) \(status 200 OK, content-type application/pkix-cert, [0-9]+ bytes\)$`)

// FuzzDecodeBody: any AIA answer decodes without panic; on success the
// certificates survive a round trip through PEM; on failure the message
// quotes nothing of the answer.
func FuzzDecodeBody(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		certs, err := decodeBody(body)
		if err != nil {
			e := describeBody(body, "200 OK", "application/pkix-cert", err)
			if !errors.Is(e, ErrNotCertificate) || !errors.Is(e, err) {
				t.Fatalf("describeBody lost a sentinel: %v", e)
			}
			if !describeBodyMessage.MatchString(e.Error()) {
				t.Fatalf("message %q says more than status, type and size", e)
			}
			return
		}
		if len(certs) == 0 {
			t.Fatal("success without certificates")
		}
		var enc bytes.Buffer
		for _, c := range certs {
			stdpem.Encode(&enc, &stdpem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
		}
		again, err := decodeBody(enc.Bytes())
		if err != nil || len(again) != len(certs) {
			t.Fatalf("re-encoded answer: %d certificates, %v; want %d", len(again), err, len(certs))
		}
		for i := range certs {
			if !bytes.Equal(again[i].Raw, certs[i].Raw) {
				t.Fatalf("certificate %d changed in the round trip", i)
			}
		}
	})
}

// startTLSFuzzLimit bounds one FuzzStartTLS exchange: every exchange ends
// as soon as the fake server's bytes are consumed (it then hangs up), so
// reaching it means the client hung.
const startTLSFuzzLimit = 5 * time.Second

// FuzzStartTLS: whatever a server replies during a StartTLS upgrade, the
// client neither panics nor hangs, and it only goes ahead on a reply that
// says so.
func FuzzStartTLS(f *testing.F) {
	f.Fuzz(func(t *testing.T, which uint8, reply []byte) {
		proto := startTLSProtocols[int(which)%len(startTLSProtocols)]
		upgrade, err := startTLSFunc(proto)
		if err != nil {
			t.Fatal(err)
		}
		client, server := net.Pipe()
		client.SetDeadline(time.Now().Add(startTLSFuzzLimit))
		var wg sync.WaitGroup
		wg.Go(func() { io.Copy(io.Discard, server) }) // the client's commands
		wg.Go(func() {
			server.Write(reply) // returns once read, or when the client hangs up
			server.Close()
		})
		err = upgrade(client)
		client.Close()
		wg.Wait()
		if errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("%s: the client hung on %q", proto, reply)
		}
		if err != nil {
			return
		}
		want := map[string]string{"smtp": "\n220", "imap": "\na1 ok", "pop3": "\n+ok", "ftp": "234", "postgres": "S"}[proto]
		if !strings.Contains("\n"+strings.ToLower(string(reply)), strings.ToLower(want)) {
			t.Fatalf("%s: went ahead on %q", proto, reply)
		}
		if proto == "postgres" && (len(reply) == 0 || reply[0] != 'S') {
			t.Fatalf("postgres: went ahead on %q", reply)
		}
	})
}
