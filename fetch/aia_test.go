package fetch

import (
	"context"
	stdpem "encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"chainfix/pem"

	"github.com/sirupsen/logrus"
)

func TestIssuersFormats(t *testing.T) {
	p := newPKI()
	tests := []struct {
		name  string
		ctype string
		body  func(t *testing.T) []byte
		want  string // subjects, signers first
	}{
		{"DER as application/pkix-cert", "application/pkix-cert",
			func(*testing.T) []byte { return p.inter.DER() }, "CN=Test Int"},
		{"DER without content-type", "",
			func(*testing.T) []byte { return p.inter.DER() }, "CN=Test Int"},
		{"DER served as text/html", "text/html",
			func(*testing.T) []byte { return p.inter.DER() }, "CN=Test Int"},
		{"PEM one block", "application/x-pem-file",
			func(*testing.T) []byte { return pemOf(p.inter) }, "CN=Test Int"},
		{"PEM served as octet-stream", "application/octet-stream",
			func(*testing.T) []byte { return pemOf(p.inter) }, "CN=Test Int"},
		{"PEM two blocks root first", "text/plain",
			func(*testing.T) []byte { return pemOf(p.root, p.inter) }, "CN=Test Int, CN=Test Root"},
		{"PKCS7 DER with issuer and root", "application/pkcs7-mime",
			func(t *testing.T) []byte { return pkcs7Of(t, p.root, p.inter) }, "CN=Test Int, CN=Test Root"},
		{"PKCS7 DER with wrong content-type", "application/pkix-cert",
			func(t *testing.T) []byte { return pkcs7Of(t, p.inter, p.root) }, "CN=Test Int, CN=Test Root"},
		{"PKCS7 DER without content-type", "",
			func(t *testing.T) []byte { return pkcs7Of(t, p.wrong, p.inter) }, "CN=Test Int, CN=Wrong Int"},
		{"PKCS7 PEM", "text/plain",
			func(t *testing.T) []byte {
				return stdpem.EncodeToMemory(&stdpem.Block{Type: "PKCS7", Bytes: pkcs7Of(t, p.inter, p.root)})
			}, "CN=Test Int, CN=Test Root"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newAIAServer(t)
			srv.handle("/int.crt", serve(tt.ctype, tt.body(t)))
			leaf := p.leaf("leaf.example", srv.url("/int.crt"))
			c := New(Options{})
			got, err := c.Issuers(testCtx(t), leaf.Cert)
			if err != nil {
				t.Fatalf("Issuers: %v", err)
			}
			if s := subjects(got); s != tt.want {
				t.Errorf("got %q, want %q", s, tt.want)
			}
			if c.Requests() != 1 || srv.requests() != 1 {
				t.Errorf("requests: client %d, server %d, want 1", c.Requests(), srv.requests())
			}
		})
	}
}

func TestIssuersNoAIA(t *testing.T) {
	p := newPKI()
	c := New(Options{})
	got, err := c.Issuers(testCtx(t), p.leaf("no-aia.example").Cert)
	if got != nil || err != nil {
		t.Fatalf("got %v, %v; want nil, nil", got, err)
	}
	if c.Requests() != 0 {
		t.Errorf("requests = %d, want 0", c.Requests())
	}
}

func TestIssuersURLs(t *testing.T) {
	p := newPKI()
	// Each case gets a fresh server and client; urls are paths on the
	// server unless they contain "://".
	tests := []struct {
		name     string
		setup    func(t *testing.T, srv *aiaServer)
		urls     []string
		opts     Options
		want     string   // subjects on success
		wantErr  []error  // sentinels the error must wrap
		wantMsg  []string // substrings of the error message
		notInMsg []string // answer bytes the message must not echo
		attempts int      // attempts listed in the error; 0: min(URLs, MaxURLs)
		requests int      // requests the server must have seen
	}{
		{
			name:     "404 mirror then a working one",
			setup:    func(t *testing.T, s *aiaServer) { s.handle("/good.crt", serve("application/pkix-cert", p.inter.DER())) },
			urls:     []string{"/missing.crt", "/good.crt"},
			want:     "CN=Test Int",
			requests: 2,
		},
		{
			name:     "ldap URL listed first is skipped",
			setup:    func(t *testing.T, s *aiaServer) { s.handle("/good.crt", serve("application/pkix-cert", p.inter.DER())) },
			urls:     []string{"ldap:///CN=Test%20Int,CN=AIA,CN=Public%20Key%20Services?cACertificate?base?objectClass=certificationAuthority", "/good.crt"},
			want:     "CN=Test Int",
			requests: 1,
		},
		{
			name:     "ftp URL only",
			urls:     []string{"ftp://127.0.0.1/int.crt"},
			wantErr:  []error{ErrSkippedScheme},
			wantMsg:  []string{"ftp://127.0.0.1/int.crt: not fetched: only http and https URLs are read"},
			requests: 0,
		},
		{
			name:     "unparsable URL then a working one",
			setup:    func(t *testing.T, s *aiaServer) { s.handle("/good.crt", serve("application/pkix-cert", p.inter.DER())) },
			urls:     []string{"http://bad host/int.crt", "/good.crt"},
			want:     "CN=Test Int",
			requests: 1,
		},
		{
			name:     "URL without host",
			urls:     []string{"http:///int.crt"},
			wantMsg:  []string{"http:///int.crt: bad URL: no host"},
			requests: 0,
		},
		{
			name: "path with %20 is sent as written",
			setup: func(t *testing.T, s *aiaServer) {
				s.handle("/My%20CA/%7Eint.crt", serve("application/pkix-cert", p.inter.DER()))
			},
			urls:     []string{"/My%20CA/%7Eint.crt"},
			want:     "CN=Test Int",
			requests: 1,
		},
		{
			name: "HTML error page with status 200",
			setup: func(t *testing.T, s *aiaServer) {
				s.handle("/int.crt", serve("text/html; charset=utf-8", []byte("<!DOCTYPE html>\n<html><body>Service unavailable</body></html>")))
			},
			urls:     []string{"/int.crt"},
			wantErr:  []error{ErrNotCertificate},
			wantMsg:  []string{"an HTML page (status 200 OK, content-type text/html; charset=utf-8, 61 bytes)"},
			notInMsg: []string{"Service unavailable", "DOCTYPE", "<"},
			requests: 1,
		},
		{
			name: "XML error document from a bucket",
			setup: func(t *testing.T, s *aiaServer) {
				s.handle("/int.crt", serve("application/xml", []byte(`<?xml version="1.0" encoding="UTF-8"?>`+"\n<Error><Code>AccessDenied</Code></Error>")))
			},
			urls:     []string{"/int.crt"},
			wantErr:  []error{ErrNotCertificate},
			wantMsg:  []string{"an XML document (status 200 OK, content-type application/xml, 79 bytes)"},
			notInMsg: []string{"AccessDenied", "<"},
			requests: 1,
		},
		{
			name:     "empty body",
			setup:    func(t *testing.T, s *aiaServer) { s.handle("/int.crt", serve("application/pkix-cert", nil)) },
			urls:     []string{"/int.crt"},
			wantErr:  []error{ErrNotCertificate},
			wantMsg:  []string{"an empty body (status 200 OK, content-type application/pkix-cert, 0 bytes)"},
			requests: 1,
		},
		{
			name: "garbage body",
			setup: func(t *testing.T, s *aiaServer) {
				s.handle("/int.crt", serve("application/pkix-cert", []byte("\x00\x01garbage")))
			},
			urls:     []string{"/int.crt"},
			wantErr:  []error{ErrNotCertificate, pem.ErrNoCertificates},
			wantMsg:  []string{"neither DER, PEM nor PKCS #7 certificates (status 200 OK, content-type application/pkix-cert, 9 bytes)"},
			notInMsg: []string{"garbage", `\x00`},
			requests: 1,
		},
		{
			name: "server error status",
			setup: func(t *testing.T, s *aiaServer) {
				s.handle("/int.crt", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", http.StatusInternalServerError) })
			},
			urls:     []string{"/int.crt"},
			wantMsg:  []string{"status 500 Internal Server Error (text/plain; charset=utf-8)"},
			requests: 1,
		},
		{
			name: "certificate that did not sign the child, then the right one",
			setup: func(t *testing.T, s *aiaServer) {
				s.handle("/wrong.crt", serve("application/pkix-cert", p.wrong.DER()))
				s.handle("/int.crt", serve("application/pkix-cert", p.inter.DER()))
			},
			urls:     []string{"/wrong.crt", "/int.crt"},
			want:     "CN=Test Int",
			requests: 2,
		},
		{
			name: "only a certificate that did not sign the child",
			setup: func(t *testing.T, s *aiaServer) {
				s.handle("/wrong.crt", serve("application/pkix-cert", p.wrong.DER()))
			},
			urls:     []string{"/wrong.crt"},
			wantErr:  []error{ErrNotIssuer},
			wantMsg:  []string{"/wrong.crt: answer did not sign the certificate: it holds CN=Wrong Int"},
			requests: 1,
		},
		{
			name: "one redirect",
			setup: func(t *testing.T, s *aiaServer) {
				s.handle("/old.crt", func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, "/new.crt", http.StatusMovedPermanently)
				})
				s.handle("/new.crt", serve("application/pkix-cert", p.inter.DER()))
			},
			urls:     []string{"/old.crt"},
			want:     "CN=Test Int",
			requests: 2,
		},
		{
			name:     "five redirects are allowed",
			setup:    func(t *testing.T, s *aiaServer) { redirectChain(s, 5, p.inter.DER()) },
			urls:     []string{"/r0"},
			want:     "CN=Test Int",
			requests: 6,
		},
		{
			name:     "six redirects are too many",
			setup:    func(t *testing.T, s *aiaServer) { redirectChain(s, 6, p.inter.DER()) },
			urls:     []string{"/r0"},
			wantErr:  []error{ErrTooManyRedirects},
			wantMsg:  []string{"too many redirects"},
			requests: 6,
		},
		{
			name: "redirect to file:// is not followed",
			setup: func(t *testing.T, s *aiaServer) {
				s.handle("/int.crt", func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Location", "file:///etc/passwd")
					w.WriteHeader(http.StatusFound)
				})
			},
			urls:     []string{"/int.crt"},
			wantErr:  []error{ErrBadRedirect},
			requests: 1,
		},
		{
			name:     "more URLs than MaxURLs",
			urls:     []string{"/1", "/2", "/3", "/4"},
			opts:     Options{MaxURLs: 3},
			wantMsg:  []string{"/3: status 404", "(1 more URLs not tried: limit 3 http URLs per certificate)"},
			requests: 3,
		},
		{
			// The Active Directory CS shape plus broken mirrors: the two
			// skipped URLs must not use up the limit of 5, or the good
			// URL (the sixth) is never tried.
			name: "skipped schemes do not count toward MaxURLs",
			setup: func(t *testing.T, s *aiaServer) {
				s.handle("/page", serve("text/html", []byte("<html>maintenance</html>")))
				s.handle("/wrong.crt", serve("application/pkix-cert", p.wrong.DER()))
				s.handle("/good.crt", serve("application/pkix-cert", p.inter.DER()))
			},
			urls: []string{
				"ldap:///CN=Test%20Int,CN=AIA,CN=Public%20Key%20Services?cACertificate?base?objectClass=certificationAuthority",
				"file:///etc/ssl/int.crt",
				"/missing.crt", "/page", "/wrong.crt", "/good.crt",
			},
			want:     "CN=Test Int",
			requests: 4,
		},
		{
			name:    "skipped schemes are listed but MaxURLs http URLs are still the limit",
			urls:    []string{"ldap://dc.example/x", "file:///x", "/1", "/2", "/3", "/4", "/5", "/6"},
			wantErr: []error{ErrSkippedScheme},
			wantMsg: []string{
				"ldap://dc.example/x: not fetched", "file:///x: not fetched", "/5: status 404",
				"(1 more URLs not tried: limit 5 http URLs per certificate)",
			},
			attempts: 7,
			requests: 5,
		},
		{
			name:     "a hostile list of skipped URLs is not walked to the end",
			urls:     append(slices.Repeat([]string{"ldap://dc.example/x"}, maxURLsScanned+5), "/never.crt"),
			wantErr:  []error{ErrSkippedScheme},
			wantMsg:  []string{"(6 more URLs not tried: limit 20 URLs looked at per certificate)"},
			attempts: maxURLsScanned,
			requests: 0,
		},
		{
			name:    "fetch budget",
			urls:    []string{"/1", "/2", "/3"},
			opts:    Options{MaxFetches: 2},
			wantErr: []error{ErrFetchBudget},
			// The URLs are asked concurrently: which one finds the
			// budget spent is not fixed.
			wantMsg:  []string{": fetch budget spent (2 requests)"},
			requests: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newAIAServer(t)
			if tt.setup != nil {
				tt.setup(t, srv)
			}
			var urls []string
			for _, u := range tt.urls {
				if !strings.Contains(u, "://") {
					u = srv.url(u)
				}
				urls = append(urls, u)
			}
			leaf := p.leaf("leaf.example", urls...)
			c := New(tt.opts)
			got, err := c.Issuers(testCtx(t), leaf.Cert)
			if n := srv.requests(); n != tt.requests || c.Requests() != n {
				t.Errorf("requests: server %d, client %d, want %d", n, c.Requests(), tt.requests)
			}
			if tt.want != "" {
				if err != nil {
					t.Fatalf("Issuers: %v", err)
				}
				if s := subjects(got); s != tt.want {
					t.Fatalf("got %q, want %q", s, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("got %q, want an error", subjects(got))
			}
			if got != nil {
				t.Errorf("got certificates %q with an error", subjects(got))
			}
			var ae *AIAError
			if !errors.As(err, &ae) {
				t.Fatalf("error %T %v is not an *AIAError", err, err)
			}
			wantAttempts := tt.attempts
			if wantAttempts == 0 {
				wantAttempts = min(len(urls), c.opts.MaxURLs)
			}
			if ae.Cert != leaf.Cert || len(ae.Attempts) != wantAttempts {
				t.Errorf("AIAError: cert %v, %d attempts, want %d", ae.Cert.Subject, len(ae.Attempts), wantAttempts)
			}
			for _, s := range tt.wantErr {
				if !errors.Is(err, s) {
					t.Errorf("error %q does not wrap %q", err, s)
				}
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "no issuer found via AIA: ") || strings.Contains(msg, "\n") {
				t.Errorf("message %q is not one line", msg)
			}
			// The caller names the certificate (one name per layer).
			if strings.Contains(msg, "leaf.example") {
				t.Errorf("message %q names the certificate", msg)
			}
			for _, s := range tt.wantMsg {
				if !strings.Contains(msg, s) {
					t.Errorf("message %q lacks %q", msg, s)
				}
			}
			for _, s := range tt.notInMsg {
				if strings.Contains(msg, s) {
					t.Errorf("message %q echoes the answer's %q", msg, s)
				}
			}
			if got := c.Attempts(leaf.Cert); len(got) != len(ae.Attempts) {
				t.Errorf("Attempts: %d, the error lists %d", len(got), len(ae.Attempts))
			}
		})
	}
}

// redirectChain makes /r0 -> /r1 -> ... -> /rn, which serves body.
func redirectChain(s *aiaServer, n int, body []byte) {
	for i := range n {
		next := fmt.Sprintf("/r%d", i+1)
		s.handle(fmt.Sprintf("/r%d", i), func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, next, http.StatusFound)
		})
	}
	s.handle(fmt.Sprintf("/r%d", n), serve("application/pkix-cert", body))
}

func TestIssuersFileURLNotRead(t *testing.T) {
	p := newPKI()
	path := filepath.Join(t.TempDir(), "int.crt")
	if err := os.WriteFile(path, p.inter.DER(), 0o644); err != nil {
		t.Fatal(err)
	}
	log, hook := newTestLogger()
	c := New(Options{Logger: log})
	leaf := p.leaf("leaf.example", "file://"+path)
	got, err := c.Issuers(testCtx(t), leaf.Cert)
	if got != nil {
		t.Fatalf("the file's certificate was used: %q", subjects(got))
	}
	if !errors.Is(err, ErrSkippedScheme) || !strings.Contains(err.Error(), "file://"+path) {
		t.Fatalf("error = %v, want ErrSkippedScheme naming the URL", err)
	}
	e := findEntry(hook, "AIA URL skipped")
	if e == nil || e.Level.String() != "debug" || e.Data["url"] != "file://"+path {
		t.Errorf("no debug log entry for the skipped URL: %v", e)
	}
}

// TestIssuersLogs: a good fetch is logged at info with its facts; a
// failure is returned (Attempts), not logged as well: only a debug trace
// of the exchange, which neither repeats the error nor quotes the answer.
func TestIssuersLogs(t *testing.T) {
	p := newPKI()
	srv := newAIAServer(t)
	srv.handle("/wrong.crt", serve("application/pkix-cert", p.wrong.DER()))
	srv.handle("/int.crt", serve("application/pkix-cert", p.inter.DER()))
	srv.handle("/page", serve("text/html", []byte("<html>\x1b[31mSECRET-TOKEN</html>")))
	log, hook := newTestLogger()
	c := New(Options{Logger: log, UserAgent: "chainfix/test"})
	leaf := p.leaf("leaf.example", srv.url("/missing"), srv.url("/wrong.crt"), srv.url("/page"), srv.url("/int.crt"))
	if _, err := c.Issuers(testCtx(t), leaf.Cert); err != nil {
		t.Fatal(err)
	}
	var fetches int
	for _, e := range hook.AllEntries() {
		line, _ := e.String()
		if strings.Contains(line, "SECRET-TOKEN") || strings.Contains(line, "did not sign") || strings.Contains(line, "Wrong Int") {
			t.Errorf("log entry repeats an error or quotes an answer: %s", line)
		}
		if _, ok := e.Data[logrus.ErrorKey]; ok {
			t.Errorf("log entry carries an error that is also returned: %s", line)
		}
		if e.Message == "AIA fetch" {
			fetches++
			if e.Level != logrus.InfoLevel || e.Data["source"] != "network" || e.Data["bytes"] == nil || e.Data["duration"] == nil || e.Data["url"] == nil {
				t.Errorf("fetch log entry lacks fields: %s", line)
			}
		}
	}
	if fetches != 2 {
		t.Errorf("%d fetch log entries, want 2 (/wrong.crt and /int.crt; the 404 and the page are not fetches)", fetches)
	}
	var trace *logrus.Entry
	for _, e := range hook.AllEntries() {
		if e.Message == "AIA request done" && e.Data["url"] == srv.url("/missing") {
			trace = e
		}
	}
	if trace == nil || trace.Level != logrus.DebugLevel || trace.Data["status"] != "404 Not Found" || trace.Data["duration"] == nil {
		t.Errorf("no debug trace of the 404: %v", trace)
	}
	for _, ua := range srv.agents {
		if ua != "chainfix/test" {
			t.Errorf("User-Agent %q", ua)
		}
	}
}

// TestIssuersErrorNamesCertOnce: wrapped by its caller as package bundle
// does, a failing fetch names the certificate once in the final message.
func TestIssuersErrorNamesCertOnce(t *testing.T) {
	p := newPKI()
	srv := newAIAServer(t)
	srv.handle("/wrong.crt", serve("application/pkix-cert", p.wrong.DER()))
	srv.handle("/page", serve("text/html", []byte("<html>leaf.example is down</html>")))
	srv.handle("/slow.crt", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	tests := []struct {
		name string
		urls []string
		opts Options
	}{
		{"404", []string{"/missing"}, Options{}},
		{"not the issuer", []string{"/wrong.crt"}, Options{}},
		{"HTML page naming the host", []string{"/page"}, Options{}},
		{"timeout", []string{"/slow.crt"}, Options{Timeout: 50 * time.Millisecond}},
		{"all of them", []string{"/missing", "/wrong.crt", "/page", "ldap://dc.example/x"}, Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var urls []string
			for _, u := range tt.urls {
				if !strings.Contains(u, "://") {
					u = srv.url(u)
				}
				urls = append(urls, u)
			}
			leaf := p.leaf("leaf.example", urls...)
			_, err := New(tt.opts).Issuers(testCtx(t), leaf.Cert)
			if err == nil {
				t.Fatal("no error")
			}
			final := fmt.Errorf("fetching the issuer of %s: %w", leaf.Cert.Subject, err).Error()
			if n := strings.Count(final, "CN=leaf.example"); n != 1 {
				t.Errorf("%q names the certificate %d times, want once", final, n)
			}
		})
	}
}

func TestIssuersTimeout(t *testing.T) {
	p := newPKI()
	srv := newAIAServer(t)
	srv.handle("/slow.crt", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // never answers; returns when the client leaves
	})
	c := New(Options{Timeout: 200 * time.Millisecond})
	leaf := p.leaf("leaf.example", srv.url("/slow.crt"))
	_, err := c.Issuers(testCtx(t), leaf.Cert)
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("error = %v, want ErrTimeout", err)
	}
	if want := srv.url("/slow.crt") + ": timed out: no answer within 200ms"; !strings.Contains(err.Error(), want) {
		t.Errorf("message %q lacks %q", err, want)
	}
	// The failure is remembered: asking again sends nothing.
	if _, err := c.Issuers(testCtx(t), leaf.Cert); !errors.Is(err, ErrTimeout) || c.Requests() != 1 {
		t.Errorf("second call: %v, %d requests", err, c.Requests())
	}
}

func TestIssuersCallerCancelIsNotRemembered(t *testing.T) {
	p := newPKI()
	srv := newAIAServer(t)
	block := make(chan struct{})
	srv.handle("/int.crt", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
			w.Write(p.inter.DER())
		case <-r.Context().Done():
		}
	})
	c := New(Options{})
	leaf := p.leaf("leaf.example", srv.url("/int.crt"))
	ctx, cancel := context.WithCancel(testCtx(t))
	go func() {
		for srv.requests() == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	if _, err := c.Issuers(ctx, leaf.Cert); !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	close(block)
	got, err := c.Issuers(testCtx(t), leaf.Cert)
	if err != nil || subjects(got) != "CN=Test Int" {
		t.Fatalf("after cancel: %q, %v", subjects(got), err)
	}
	if c.Requests() != 2 {
		t.Errorf("requests = %d, want 2", c.Requests())
	}
}

func TestIssuersBodyTooLarge(t *testing.T) {
	const huge = 50 << 20
	p := newPKI()
	tests := []struct {
		name          string
		contentLength bool
	}{
		{"streamed without length", false},
		{"announced in Content-Length", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newAIAServer(t)
			var written int64
			done := make(chan struct{})
			srv.handle("/huge.crt", func(w http.ResponseWriter, r *http.Request) {
				defer close(done)
				if tt.contentLength {
					w.Header().Set("Content-Length", fmt.Sprint(huge))
				}
				chunk := make([]byte, 32<<10)
				for written < huge {
					n, err := w.Write(chunk)
					written += int64(n)
					if err != nil {
						return
					}
					w.(http.Flusher).Flush()
				}
			})
			c := New(Options{})
			leaf := p.leaf("leaf.example", srv.url("/huge.crt"))
			_, err := c.Issuers(testCtx(t), leaf.Cert)
			if !errors.Is(err, ErrBodyTooLarge) {
				t.Fatalf("error = %v, want ErrBodyTooLarge", err)
			}
			select {
			case <-done:
			case <-time.After(hangGuard):
				t.Fatal("the server is still sending: the client did not hang up")
			}
			if written >= huge {
				t.Errorf("the server sent all %d bytes: the refusal was not early", written)
			}
		})
	}
}

func TestIssuersConcurrentSameURL(t *testing.T) {
	p := newPKI()
	srv := newAIAServer(t)
	release := make(chan struct{})
	srv.handle("/int.crt", func(w http.ResponseWriter, r *http.Request) {
		<-release
		w.Write(p.inter.DER())
	})
	c := New(Options{})
	const n = 10
	var wg sync.WaitGroup
	errs := make([]error, n)
	got := make([]string, n)
	for i := range n {
		// Different leaves under the same intermediate carry the same URL.
		leaf := p.leaf(fmt.Sprintf("host%d.example", i), srv.url("/int.crt"))
		wg.Add(1)
		go func() {
			defer wg.Done()
			certs, err := c.Issuers(testCtx(t), leaf.Cert)
			got[i], errs[i] = subjects(certs), err
		}()
	}
	for srv.requests() == 0 {
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	for i := range n {
		if errs[i] != nil || got[i] != "CN=Test Int" {
			t.Errorf("goroutine %d: %q, %v", i, got[i], errs[i])
		}
	}
	if srv.hitsOf("/int.crt") != 1 || c.Requests() != 1 {
		t.Errorf("requests: server %d, client %d, want exactly 1", srv.hitsOf("/int.crt"), c.Requests())
	}
}

// TestIssuersSHA1Child: the fetched issuer is accepted by its signature
// over the child with the child's own algorithm, even SHA-1 (which
// CheckSignatureFrom refuses).
func TestIssuersSHA1Child(t *testing.T) {
	p := newPKI()
	srv := newAIAServer(t)
	srv.handle("/int.crt", serve("application/pkix-cert", p.inter.DER()))
	child := sha1Child(t, p.inter, srv.url("/int.crt"))
	got, err := New(Options{}).Issuers(testCtx(t), child)
	if err != nil || subjects(got) != "CN=Test Int" {
		t.Fatalf("got %q, %v", subjects(got), err)
	}
}
