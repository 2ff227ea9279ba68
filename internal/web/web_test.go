package web

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"chainfix/bundle"
	"chainfix/fetch"
	"chainfix/internal/repair"
	"chainfix/internal/report"
	"chainfix/internal/source"
	"chainfix/internal/trust"
	"chainfix/pem"
	"chainfix/pfx"
)

const testToken = "test-token-0123456789abcdefghijklmnop"

// at is the validation time of every test: the fixtures are valid then.
var at = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// fixture reads a file of the module's testdata.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// testServer is a Server on a real loopback listener, its log, and its
// address.
type testServer struct {
	*Server
	addr string
	url  string
	log  *bytes.Buffer
}

// newTestServer serves the committed test PKI offline (unless online),
// trusting its root, at the fixed time.
func newTestServer(t testing.TB, online bool) *testServer {
	t.Helper()
	roots, err := pem.Decode(fixture(t, "pki/root.pem"), pem.Options{})
	if err != nil {
		t.Fatal(err)
	}
	store := trust.NewStore("test", roots.Certificates)
	var logBuf bytes.Buffer
	log := logrus.New()
	log.SetOutput(&logBuf)
	log.SetLevel(logrus.TraceLevel)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{
		Addr:  ln.Addr().String(),
		Token: testToken,
		NewRunner: func(int) *repair.Runner {
			return repair.New(repair.Config{Trust: store, Log: log})
		},
		Request: repair.Request{Dial: fetch.DialOptions{ConnectTimeout: 5 * time.Second}},
		Now:     func() time.Time { return at },
		Offline: !online,
		Log:     log,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(s)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(func() {
		s.Close()
		srv.Close()
	})
	return &testServer{Server: s, addr: ln.Addr().String(), url: srv.URL, log: &logBuf}
}

// part is one part of a multipart form: a file when filename is set.
type part struct {
	name, filename string
	data           []byte
}

func file(name string, data []byte) part    { return part{name: "file", filename: name, data: data} }
func field(name, value string) part         { return part{name: name, data: []byte(value)} }
func keyPart(name string, data []byte) part { return part{name: "key", filename: name, data: data} }

func multipartBody(t testing.TB, parts ...part) (*bytes.Buffer, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, p := range parts {
		var w io.Writer
		var err error
		if p.filename != "" {
			w, err = mw.CreateFormFile(p.name, p.filename)
		} else {
			w, err = mw.CreateFormField(p.name)
		}
		if err != nil {
			t.Fatal(err)
		}
		w.Write(p.data)
	}
	mw.Close()
	return &b, mw.FormDataContentType()
}

// post sends a form with the bearer token, through the handler.
func (ts *testServer) post(t testing.TB, path string, parts ...part) *httptest.ResponseRecorder {
	t.Helper()
	body, ct := multipartBody(t, parts...)
	r := httptest.NewRequest(http.MethodPost, path, body)
	r.Host = ts.addr
	r.Header.Set("Content-Type", ct)
	r.Header.Set("Authorization", "Bearer "+testToken)
	w := httptest.NewRecorder()
	ts.ServeHTTP(w, r)
	return w
}

func exitOf(w *httptest.ResponseRecorder) string { return w.Header().Get(ExitHeader) }

// TestToken: every request needs the token; the query only on GET /,
// which sets the cookie.
func TestToken(t *testing.T) {
	ts := newTestServer(t, false)
	for _, tt := range []struct {
		name   string
		method string
		path   string
		setup  func(r *http.Request)
		want   int
	}{
		{"no token", "GET", "/", nil, 401},
		{"no token on the API", "POST", "/api/check", nil, 401},
		{"no token on a script", "GET", "/static/app.js", nil, 401},
		{"query token on the page", "GET", "/?token=" + testToken, nil, 200},
		{"wrong query token", "GET", "/?token=" + testToken + "x", nil, 401},
		{"query token on the API", "POST", "/api/check?token=" + testToken, nil, 401},
		{"query token on a script", "GET", "/static/app.js?token=" + testToken, nil, 401},
		{"bearer", "GET", "/static/app.js", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+testToken) }, 200},
		{"wrong bearer", "GET", "/", func(r *http.Request) { r.Header.Set("Authorization", "Bearer nope") }, 401},
		{"wrong bearer, right cookie", "GET", "/", func(r *http.Request) {
			r.Header.Set("Authorization", "Bearer nope")
			r.AddCookie(&http.Cookie{Name: CookieName, Value: testToken})
		}, 401},
		{"basic auth", "GET", "/", func(r *http.Request) { r.SetBasicAuth("chainfix", testToken) }, 401},
		{"cookie", "GET", "/static/app.css", func(r *http.Request) { r.AddCookie(&http.Cookie{Name: CookieName, Value: testToken}) }, 200},
		{"wrong cookie", "GET", "/", func(r *http.Request) { r.AddCookie(&http.Cookie{Name: CookieName, Value: "x"}) }, 401},
		{"a prefix of the token", "GET", "/", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+testToken[:20]) }, 401},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.path, nil)
			r.Host = ts.addr
			if tt.setup != nil {
				tt.setup(r)
			}
			w := httptest.NewRecorder()
			ts.ServeHTTP(w, r)
			if w.Code != tt.want {
				t.Errorf("%d, want %d: %s", w.Code, tt.want, w.Body)
			}
			cookie := w.Header().Get("Set-Cookie")
			if strings.Contains(tt.path, "?token=") && w.Code == 200 {
				for _, want := range []string{CookieName + "=" + testToken, "HttpOnly", "SameSite=Strict", "Path=/"} {
					if !strings.Contains(cookie, want) {
						t.Errorf("Set-Cookie %q lacks %q", cookie, want)
					}
				}
			} else if cookie != "" {
				t.Errorf("Set-Cookie %q without the token in the query", cookie)
			}
			if w.Code == 401 && strings.Contains(w.Body.String(), testToken) {
				t.Errorf("the refusal echoes the token")
			}
		})
	}
	if strings.Contains(ts.log.String(), testToken[:20]) {
		t.Errorf("the log holds the token:\n%s", ts.log)
	}
}

// TestHostAndOrigin: DNS rebinding (a foreign Host) and CSRF (a foreign
// Origin, a cross-site fetch) are refused; no CORS header is ever sent.
func TestHostAndOrigin(t *testing.T) {
	ts := newTestServer(t, false)
	_, port, _ := net.SplitHostPort(ts.addr)
	jumbled := fixture(t, "jumbled.pem")
	for _, tt := range []struct {
		name   string
		method string
		path   string
		host   string
		hdr    map[string]string
		want   int
	}{
		{"the listening address", "GET", "/", ts.addr, nil, 200},
		{"localhost with the port", "GET", "/", "localhost:" + port, nil, 200},
		{"rebound name", "GET", "/", "evil.example:" + port, nil, 421},
		{"rebound name without port", "GET", "/", "evil.example", nil, 421},
		{"another port", "GET", "/", "127.0.0.1:1", nil, 421},
		{"another loopback address", "GET", "/", "127.0.0.2:" + port, nil, 421},
		{"empty Host", "GET", "/", "", nil, 421},
		{"same origin", "POST", "/api/check", ts.addr, map[string]string{"Origin": "http://" + ts.addr, "Sec-Fetch-Site": "same-origin"}, 200},
		{"foreign origin", "POST", "/api/check", ts.addr, map[string]string{"Origin": "http://evil.example"}, 403},
		{"foreign origin on our address with https", "POST", "/api/check", ts.addr, map[string]string{"Origin": "https://" + ts.addr}, 403},
		{"null origin", "POST", "/api/check", ts.addr, map[string]string{"Origin": "null"}, 403},
		{"cross-site fetch", "POST", "/api/check", ts.addr, map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"same-site fetch", "POST", "/api/check", ts.addr, map[string]string{"Sec-Fetch-Site": "same-site"}, 403},
		{"cross-site script", "GET", "/static/app.js", ts.addr, map[string]string{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"}, 403},
		{"cross-site navigation to the page", "GET", "/", ts.addr, map[string]string{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"}, 200},
		{"preflight", "OPTIONS", "/api/check", ts.addr, map[string]string{"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"}, 403},
		{"preflight, same origin", "OPTIONS", "/api/check", ts.addr, map[string]string{"Origin": "http://" + ts.addr}, 405},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body, ct := multipartBody(t, file("jumbled.pem", jumbled))
			r := httptest.NewRequest(tt.method, tt.path, body)
			r.Host = tt.host
			r.Header.Set("Content-Type", ct)
			r.Header.Set("Authorization", "Bearer "+testToken)
			for k, v := range tt.hdr {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			ts.ServeHTTP(w, r)
			if w.Code != tt.want {
				t.Errorf("%d, want %d: %s", w.Code, tt.want, w.Body)
			}
			for k := range w.Header() {
				if strings.HasPrefix(strings.ToLower(k), "access-control-") {
					t.Errorf("CORS header %s sent", k)
				}
			}
		})
	}
}

// TestUnspecifiedAddress: listening on 0.0.0.0, any IP literal with the
// port is this server, a name is not.
func TestUnspecifiedAddress(t *testing.T) {
	s := &Server{}
	if err := s.allowHosts("0.0.0.0:8443"); err != nil {
		t.Fatal(err)
	}
	for h, want := range map[string]bool{"192.168.1.7:8443": true, "[fe80::1]:8443": true, "localhost:8443": true,
		"192.168.1.7:8444": false, "intranet.example:8443": false, "192.168.1.7": false} {
		if got := s.hostOK(h); got != want {
			t.Errorf("hostOK(%q) = %v, want %v", h, got, want)
		}
	}
}

// TestSecurityHeaders: every answer, refusals included, carries them.
func TestSecurityHeaders(t *testing.T) {
	ts := newTestServer(t, false)
	for _, path := range []string{"/", "/static/app.js", "/static/app.css", "/nosuch", "/?token=" + testToken} {
		for _, auth := range []bool{true, false} {
			r := httptest.NewRequest("GET", path, nil)
			r.Host = ts.addr
			if auth {
				r.Header.Set("Authorization", "Bearer "+testToken)
			}
			w := httptest.NewRecorder()
			ts.ServeHTTP(w, r)
			h := w.Header()
			csp := h.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'none'", "script-src 'self'", "frame-ancestors 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("%s: CSP %q lacks %q", path, csp, want)
				}
			}
			if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
				t.Errorf("%s: CSP allows inline code: %q", path, csp)
			}
			for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY", "Cache-Control": "no-store"} {
				if got := h.Get(k); got != want {
					t.Errorf("%s: %s %q, want %q", path, k, got, want)
				}
			}
		}
	}
	// The page has no inline script: every script is a file of ours.
	w := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/?token="+testToken, nil)
	r.Host = ts.addr
	ts.ServeHTTP(w, r)
	page := w.Body.String()
	if n := strings.Count(page, "<script"); n != 1 || !strings.Contains(page, `<script src="/static/app.js" defer></script>`) {
		t.Errorf("the page has %d script elements, want the one of app.js", n)
	}
	for _, bad := range []string{" onclick=", " onload=", "style=", "http://", "https://"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page holds %q (inline code or a remote resource)", bad)
		}
	}
}

// TestCheck: /api/check answers check --json's document with check's
// exit status.
func TestCheck(t *testing.T) {
	ts := newTestServer(t, false)
	jumbled := fixture(t, "jumbled.pem")
	for _, tt := range []struct {
		name     string
		parts    []part
		exit     string
		ok       bool
		chain    int
		findings []string // ids that must be among the findings
	}{
		{"jumbled bundle", []part{file("jumbled.pem", jumbled)}, "1", false, 3, nil},
		{"good chain", []part{file("fullchain.pem", fixture(t, "golden/fullchain.pem"))}, "0", true, 3, nil},
		{"the key that matches", []part{file("jumbled.pem", jumbled), keyPart("leaf.key", fixture(t, "pki/leaf.key"))}, "1", false, 3, nil},
		{"another key", []part{file("jumbled.pem", jumbled), keyPart("other.key", fixture(t, "pki/other.key"))}, "1", false, 3, []string{bundle.IDKeyMismatch}},
		{"no certificate", []part{file("notes.txt", []byte("hello"))}, "3", false, 0, []string{repair.IDCheckFailed}},
		{"a name the leaf lacks", []part{file("fullchain.pem", fixture(t, "golden/fullchain.pem")), field("name", "other.example")}, "1", false, 3, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := ts.post(t, "/api/check", tt.parts...)
			if w.Code != 200 || exitOf(w) != tt.exit {
				t.Fatalf("%d, exit %q; want 200, exit %s: %s", w.Code, exitOf(w), tt.exit, w.Body)
			}
			var rep report.Check
			if err := json.Unmarshal(w.Body.Bytes(), &rep); err != nil {
				t.Fatal(err)
			}
			if rep.OK != tt.ok || len(rep.Chain) != tt.chain {
				t.Errorf("ok %v, chain of %d; want %v, %d: %s", rep.OK, len(rep.Chain), tt.ok, tt.chain, w.Body)
			}
			for _, id := range tt.findings {
				found := false
				for _, f := range rep.Findings {
					found = found || f.ID == id
				}
				if !found {
					t.Errorf("no %s finding: %s", id, w.Body)
				}
			}
		})
	}
}

// TestUsageErrors: a mistake in the request is exit status 2, HTTP 400,
// and a JSON error in the CLI's words.
func TestUsageErrors(t *testing.T) {
	ts := newTestServer(t, false)
	jumbled := file("jumbled.pem", fixture(t, "jumbled.pem"))
	for _, tt := range []struct {
		path  string
		parts []part
		want  string
	}{
		{"/api/check", nil, "no input"},
		{"/api/check", []part{jumbled, field("bogus", "1")}, `unknown field`},
		{"/api/check", []part{jumbled, field("host", "example.com")}, "not both"},
		{"/api/check", []part{field("host", "example.com")}, "--offline"},
		{"/api/check", []part{jumbled, field("servername", "x")}, "goes with host"},
		{"/api/check", []part{jumbled, field("for", "nosuch")}, "unknown target"},
		{"/api/check", []part{jumbled, field("password", "a"), field("password", "b")}, "given twice"},
		{"/api/build", []part{jumbled, field("format", "pdf")}, "want pem, der or p7b"},
		{"/api/build", []part{jumbled, field("format", "der")}, "holds one certificate"},
		{"/api/build", []part{jumbled, field("crlf", "1"), field("format", "p7b")}, "crlf goes with PEM"},
		{"/api/build", []part{jumbled, field("include_root", "maybe")}, "want 1 or 0"},
		{"/api/build", []part{jumbled, keyPart("leaf.key", fixture(t, "pki/leaf.key"))}, "key goes with for"},
		{"/api/build", []part{jumbled, field("for", "nginx"), field("format", "p7b")}, "decides the files"},
		{"/api/pfx", []part{jumbled}, "password"},
		{"/api/pfx", []part{jumbled, field("password", "x"), field("no_password", "1")}, "contradicts"},
		{"/api/pfx", []part{jumbled, field("password", "x"), field("encryption", "rc2")}, "encryption"},
		{"/api/bulk", []part{field("hosts", "example.com")}, "--offline"},
		{"/api/build", []part{file("www.pem", fixture(t, "pki/leaf.pem")), file("api.pem", fixture(t, "pki/other-leaf.pem")), file("int.pem", fixture(t, "pki/intermediate.pem"))}, "different sites"},
		{"/api/check", []part{file("www.pem", fixture(t, "pki/leaf.pem")), file("api.pem", fixture(t, "pki/other-leaf.pem")), file("int.pem", fixture(t, "pki/intermediate.pem"))}, "different sites"},
		{"/api/bulk", []part{jumbled}, `unknown field`},
		{"/api/inspect", []part{jumbled, keyPart("leaf.key", fixture(t, "pki/leaf.key"))}, `unknown field`},
	} {
		t.Run(tt.path+" "+tt.want, func(t *testing.T) {
			w := ts.post(t, tt.path, tt.parts...)
			if w.Code != 400 || exitOf(w) != "2" || !strings.Contains(w.Body.String(), tt.want) {
				t.Errorf("%d, exit %q, %s; want 400, exit 2, %q", w.Code, exitOf(w), w.Body, tt.want)
			}
		})
	}
	r := httptest.NewRequest("POST", "/api/check", strings.NewReader(`{"file": "x"}`))
	r.Host = ts.addr
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer "+testToken)
	w := httptest.NewRecorder()
	ts.ServeHTTP(w, r)
	if w.Code != http.StatusUnsupportedMediaType {
		t.Errorf("a JSON body: %d, want 415", w.Code)
	}
}

// TestDiagnose: the page's call has the check and the summary.
func TestDiagnose(t *testing.T) {
	ts := newTestServer(t, false)
	w := ts.post(t, "/api/diagnose", file("jumbled.pem", fixture(t, "jumbled.pem")))
	if w.Code != 200 || exitOf(w) != "1" {
		t.Fatalf("%d, exit %q: %s", w.Code, exitOf(w), w.Body)
	}
	var d Diagnosis
	if err := json.Unmarshal(w.Body.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	sum := strings.Join(d.Summary, "\n")
	for _, want := range []string{"chain for CN=www.example.test: 3 certificates", "reordered", "duplicate"} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum)
		}
	}
	if !d.At.Equal(at) || d.Check == nil || len(d.Check.Chain) != 3 {
		t.Errorf("at %v, check %+v", d.At, d.Check)
	}
}

// TestBuild: /api/build answers the bytes chainfix build writes (the
// golden files are build's output for jumbled.pem).
func TestBuild(t *testing.T) {
	ts := newTestServer(t, false)
	jumbled := file("jumbled.pem", fixture(t, "jumbled.pem"))
	for _, tt := range []struct {
		name   string
		parts  []part
		golden string
		file   string
	}{
		{"bundle", []part{jumbled}, "golden/fullchain.pem", "www.example.test-fullchain.pem"},
		{"with the root", []part{jumbled, field("include_root", "1")}, "golden/fullchain-root.pem", "www.example.test-fullchain.pem"},
		{"intermediates only", []part{jumbled, field("chain_only", "true")}, "golden/chain-only.pem", "www.example.test-chain.pem"},
		{"reversed, in two parts", []part{file("int.der", fixture(t, "pki/intermediate.der")), file("leaf.pem", fixture(t, "pki/leaf.pem"))}, "golden/fullchain.pem", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := ts.post(t, "/api/build", tt.parts...)
			if w.Code != 200 || exitOf(w) != "0" {
				t.Fatalf("%d, exit %q: %s", w.Code, exitOf(w), w.Body)
			}
			if want := fixture(t, tt.golden); !bytes.Equal(w.Body.Bytes(), want) {
				t.Errorf("body differs from %s:\n%s", tt.golden, w.Body)
			}
			if cd := w.Header().Get("Content-Disposition"); tt.file != "" && cd != `attachment; filename="`+tt.file+`"` {
				t.Errorf("Content-Disposition %q, want %s", cd, tt.file)
			}
		})
	}
	t.Run("crlf", func(t *testing.T) {
		w := ts.post(t, "/api/build", jumbled, field("crlf", "1"))
		want := bytes.ReplaceAll(fixture(t, "golden/fullchain.pem"), []byte("\n"), []byte("\r\n"))
		if !bytes.Equal(w.Body.Bytes(), want) {
			t.Errorf("not the bundle with CRLF:\n%q", w.Body)
		}
	})
	t.Run("p7b", func(t *testing.T) {
		w := ts.post(t, "/api/build", jumbled, field("format", "p7b"))
		c, err := pem.Decode(w.Body.Bytes(), pem.Options{})
		if err != nil || len(c.Certificates) != 2 || w.Header().Get("Content-Type") != "application/x-pkcs7-certificates" {
			t.Errorf("not a P7B of 2 certificates (%v, %s)", err, w.Header().Get("Content-Type"))
		}
	})
	t.Run("armored p7b", func(t *testing.T) {
		w := ts.post(t, "/api/build", jumbled, field("format", "p7b"), field("armor", "1"), field("crlf", "1"))
		if !bytes.HasPrefix(w.Body.Bytes(), []byte("-----BEGIN PKCS7-----\r\n")) {
			t.Errorf("not an armored P7B with CRLF: %q", w.Body.String()[:min(60, w.Body.Len())])
		}
	})
	t.Run("untrusted", func(t *testing.T) {
		intranet := []part{file("intranet.pem", fixture(t, "private/intranet-chain.pem")), file("root.pem", fixture(t, "private/root.pem"))}
		w := ts.post(t, "/api/build", intranet...)
		if w.Code != 422 || exitOf(w) != "1" || !strings.Contains(w.Body.String(), "--allow-untrusted") {
			t.Errorf("%d, exit %q: %s; want 422, exit 1 and the hint", w.Code, exitOf(w), w.Body)
		}
		w = ts.post(t, "/api/build", append(intranet, field("allow_untrusted", "1"))...)
		if w.Code != 200 {
			t.Errorf("allow_untrusted: %d: %s", w.Code, w.Body)
		}
	})
	t.Run("for nginx", func(t *testing.T) {
		w := ts.post(t, "/api/build", jumbled, keyPart("leaf.key", fixture(t, "pki/leaf.key")), field("for", "nginx"))
		if w.Code != 200 || w.Header().Get("Content-Type") != "application/zip" || exitOf(w) != "0" {
			t.Fatalf("%d %s: %s", w.Code, w.Header().Get("Content-Type"), w.Body)
		}
		files := unzip(t, w.Body.Bytes())
		if !bytes.Equal(files["www.example.test.chained.crt"], fixture(t, "golden/fullchain.pem")) {
			t.Errorf("the chained certificate is not the bundle: %v", keys(files))
		}
		if _, err := pfx.ParseKey(files["www.example.test.key"], nil); err != nil {
			t.Errorf("no key in the zip: %v (%v)", err, keys(files))
		}
	})
	t.Run("for a target that rejects it", func(t *testing.T) {
		w := ts.post(t, "/api/build", jumbled, field("for", "nginx"))
		if w.Code != 422 || !strings.Contains(w.Body.String(), "nothing written") && !strings.Contains(w.Body.String(), "key") {
			t.Errorf("%d: %s", w.Code, w.Body)
		}
	})
}

func unzip(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	return out
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestPFX: /api/pfx answers a PFX with the key, the leaf and the
// intermediate, under the password given, in either encryption.
func TestPFX(t *testing.T) {
	ts := newTestServer(t, false)
	jumbled := file("jumbled.pem", fixture(t, "jumbled.pem"))
	key := keyPart("leaf.key", fixture(t, "pki/leaf.key"))
	for _, enc := range []string{"modern", "legacy"} {
		t.Run(enc, func(t *testing.T) {
			w := ts.post(t, "/api/pfx", jumbled, key, field("password", "s3cret pass"), field("encryption", enc))
			if w.Code != 200 || exitOf(w) != "0" || w.Header().Get("Content-Type") != "application/x-pkcs12" {
				t.Fatalf("%d, exit %q: %s", w.Code, exitOf(w), w.Body)
			}
			c, err := pfx.Decode(w.Body.Bytes(), func() ([]byte, error) { return []byte("s3cret pass"), nil })
			if err != nil || c.Key == nil || len(c.Certificates) != 2 {
				t.Fatalf("decoding: %v, %+v", err, c)
			}
		})
	}
	t.Run("from a PFX with another password", func(t *testing.T) {
		old := ts.post(t, "/api/pfx", jumbled, key, field("password", "old"))
		w := ts.post(t, "/api/pfx", file("old.pfx", old.Body.Bytes()), field("password", "new"), field("in_password", "old"), field("include_root", "1"))
		c, err := pfx.Decode(w.Body.Bytes(), func() ([]byte, error) { return []byte("new"), nil })
		if err != nil || len(c.Certificates) != 2 {
			// The old PFX has no root to include: the root comes from the trust store.
			if err != nil || len(c.Certificates) != 3 {
				t.Fatalf("%d %v: %s", w.Code, err, w.Body)
			}
		}
		w = ts.post(t, "/api/pfx", file("old.pfx", old.Body.Bytes()), field("password", "new"))
		if w.Code != 422 || !strings.Contains(w.Body.String(), "in_password") {
			t.Errorf("the new password on the old PFX: %d %s; want the in_password hint", w.Code, w.Body)
		}
	})
	t.Run("the wrong key", func(t *testing.T) {
		w := ts.post(t, "/api/pfx", jumbled, keyPart("other.key", fixture(t, "pki/other.key")), field("password", "x"))
		if w.Code != 422 || exitOf(w) != "1" {
			t.Errorf("%d exit %q: %s", w.Code, exitOf(w), w.Body)
		}
	})
	t.Run("no key", func(t *testing.T) {
		w := ts.post(t, "/api/pfx", jumbled, field("password", "x"))
		if w.Code != 422 || !strings.Contains(w.Body.String(), "no private key") {
			t.Errorf("%d: %s", w.Code, w.Body)
		}
	})
}

// TestExplain: /api/explain answers explain --json; exit 1 when no
// known client error is in the text.
func TestExplain(t *testing.T) {
	ts := newTestServer(t, false)
	w := ts.post(t, "/api/explain", field("text", "curl: (60) SSL certificate problem: unable to get local issuer certificate"))
	var e report.Explained
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || w.Code != 200 || exitOf(w) != "0" || len(e.Matches) == 0 {
		t.Errorf("%d exit %q %v: %s", w.Code, exitOf(w), err, w.Body)
	}
	w = ts.post(t, "/api/explain", field("text", "the printer is on fire"))
	if w.Code != 200 || exitOf(w) != "1" || !strings.Contains(w.Body.String(), `"matches": []`) {
		t.Errorf("an unknown text: %d exit %q: %s", w.Code, exitOf(w), w.Body)
	}
	w = ts.post(t, "/api/explain", field("text", "  "))
	if w.Code != 400 || exitOf(w) != "2" {
		t.Errorf("no text: %d exit %q: %s", w.Code, exitOf(w), w.Body)
	}
}

// TestInspect: /api/inspect answers inspect --json: every certificate
// given, and a PFX's key with the certificate it belongs to.
func TestInspect(t *testing.T) {
	ts := newTestServer(t, false)
	jumbled := file("jumbled.pem", fixture(t, "jumbled.pem"))
	w := ts.post(t, "/api/inspect", jumbled)
	if w.Code != 200 || exitOf(w) != "0" {
		t.Fatalf("%d exit %q: %s", w.Code, exitOf(w), w.Body)
	}
	var rep report.Inspect
	if err := json.Unmarshal(w.Body.Bytes(), &rep); err != nil || len(rep.Certificates) != 3 || rep.Target != "jumbled.pem" || !rep.At.Equal(at) {
		t.Fatalf("%v: %s", err, w.Body)
	}
	pfxData := ts.post(t, "/api/pfx", jumbled, keyPart("leaf.key", fixture(t, "pki/leaf.key")), field("password", "pw")).Body.Bytes()
	w = ts.post(t, "/api/inspect", file("site.pfx", pfxData), field("password", "pw"))
	rep = report.Inspect{}
	if err := json.Unmarshal(w.Body.Bytes(), &rep); err != nil || len(rep.Keys) != 1 || rep.Keys[0].Matches == "" {
		t.Errorf("%v: %s", err, w.Body)
	}
	w = ts.post(t, "/api/inspect", file("notes.txt", []byte("hello")))
	if w.Code != 422 || exitOf(w) != "3" {
		t.Errorf("an input without certificates: %d exit %q: %s", w.Code, exitOf(w), w.Body)
	}
	w = ts.post(t, "/api/inspect", jumbled, field("for", "nginx"))
	if w.Code != 400 {
		t.Errorf("a field inspect does not take: %d %s", w.Code, w.Body)
	}
	// The page's diagnosis carries the same details of each certificate.
	w = ts.post(t, "/api/diagnose", jumbled)
	var d Diagnosis
	json.Unmarshal(w.Body.Bytes(), &d)
	for _, c := range d.Check.Chain {
		if d.Details[c.SHA256].Serial == "" {
			t.Errorf("no details for %s", c.Subject)
		}
	}
}

// TestSizeCaps: inputs are capped as the CLI's are, before they are held.
func TestSizeCaps(t *testing.T) {
	ts := newTestServer(t, false)
	big := bytes.Repeat([]byte("A"), source.MaxInputSize+1)
	w := ts.post(t, "/api/check", file("big.pem", big))
	if w.Code != http.StatusRequestEntityTooLarge || !strings.Contains(w.Body.String(), "big.pem: larger than 16 MiB") {
		t.Errorf("a file over the cap: %d %s", w.Code, w.Body)
	}
	w = ts.post(t, "/api/check", keyPart("big.key", big))
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("a key over the cap: %d %s", w.Code, w.Body)
	}
	w = ts.post(t, "/api/check", field("password", strings.Repeat("p", maxField+1)))
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("a field over the cap: %d %s", w.Code, w.Body)
	}
	parts := make([]part, MaxFiles+1)
	for i := range parts {
		parts[i] = file(fmt.Sprintf("f%d.pem", i), []byte("x"))
	}
	w = ts.post(t, "/api/check", parts...)
	if w.Code != 400 || !strings.Contains(w.Body.String(), "file parts") {
		t.Errorf("too many files: %d %s", w.Code, w.Body)
	}
	// The whole body: five files each just under the cap.
	chunk := bytes.Repeat([]byte("A"), source.MaxInputSize-10)
	w = ts.post(t, "/api/check", file("1", chunk), file("2", chunk), file("3", chunk), file("4", chunk), file("5", chunk))
	if w.Code != http.StatusRequestEntityTooLarge || !strings.Contains(w.Body.String(), "request larger than") {
		t.Errorf("a body over the cap: %d %.200s", w.Code, w.Body)
	}
}

// TestSecretsNeverEchoed: neither the key nor a password appears in any
// answer or in the log (at trace level), whatever the outcome.
func TestSecretsNeverEchoed(t *testing.T) {
	ts := newTestServer(t, false)
	keyPEM := fixture(t, "pki/leaf.key")
	const password = "hunter2-the-secret-password"
	pfxBody := ts.post(t, "/api/pfx", file("jumbled.pem", fixture(t, "jumbled.pem")), keyPart("leaf.key", keyPEM), field("password", password)).Body.Bytes()
	jumbled := file("jumbled.pem", fixture(t, "jumbled.pem"))
	key := keyPart("leaf.key", keyPEM)
	pw := field("password", password)
	requests := []struct {
		path  string
		parts []part
	}{
		{"/api/check", []part{jumbled, key, pw}},
		{"/api/check", []part{jumbled, keyPart("leaf.key", keyPEM[:len(keyPEM)/2]), pw}}, // an unreadable key
		{"/api/check", []part{file("site.pfx", pfxBody), pw}},
		{"/api/check", []part{file("site.pfx", pfxBody), field("password", password+"-wrong")}},
		{"/api/diagnose", []part{jumbled, key, pw}},
		{"/api/build", []part{jumbled, key, pw, field("for", "nginx")}},
		{"/api/build", []part{jumbled, key, field("for", "haproxy"), field("out_password", password)}},
		{"/api/pfx", []part{jumbled, key, pw}},
		{"/api/pfx", []part{jumbled, keyPart("other.key", fixture(t, "pki/other.key")), pw}},
		{"/api/pfx", []part{file("site.pfx", pfxBody), field("password", password+"-new")}},
		{"/api/pfx", []part{file("key-as-cert.pem", keyPEM), pw}},
		{"/api/inspect", []part{file("site.pfx", pfxBody), pw}},
		{"/api/inspect", []part{file("site.pfx", pfxBody), field("password", password+"-wrong")}},
		{"/api/inspect", []part{jumbled, key, pw}}, // refused: inspect takes no key part
		{"/api/build", []part{file("key-as-cert.pem", keyPEM)}},
		{"/api/check", []part{file("key-as-cert.pem", keyPEM), field("bogus", password)}},
	}
	// The key's base64 lines; the PEM's first line is not secret.
	var secrets []string
	for _, line := range strings.Split(string(keyPEM), "\n") {
		if len(line) > 40 && !strings.HasPrefix(line, "-----") {
			secrets = append(secrets, line)
		}
	}
	secrets = append(secrets, password)
	for i, rq := range requests {
		w := ts.post(t, rq.path, rq.parts...)
		var answer strings.Builder
		for k, v := range w.Header() {
			fmt.Fprintf(&answer, "%s: %s\n", k, v)
		}
		answer.WriteString(w.Body.String())
		if w.Header().Get("Content-Type") == "application/zip" {
			// The key is in the zip, as asked; the rest of it must not hold
			// the password.
			answer.Reset()
		}
		for _, s := range secrets {
			if strings.Contains(answer.String(), s) {
				t.Errorf("request %d (%s): the answer (%d) holds a secret %.12q...", i, rq.path, w.Code, s)
			}
		}
	}
	for _, s := range secrets {
		if strings.Contains(ts.log.String(), s) {
			t.Errorf("the log holds a secret %.12q...", s)
		}
	}
	if !strings.Contains(ts.log.String(), "web: POST /api/pfx") {
		t.Errorf("the log has no request line:\n%s", ts.log)
	}
}

// TestBulk: a pasted host list is checked in the background; the events
// stream the results in input order, then the CSV and JSON are served.
func TestBulk(t *testing.T) {
	ts := newTestServer(t, true)
	// A TLS server sending the test leaf and intermediate.
	pair, err := tls.X509KeyPair(append(fixture(t, "pki/leaf.pem"), fixture(t, "pki/intermediate.pem")...), fixture(t, "pki/leaf.key"))
	if err != nil {
		t.Fatal(err)
	}
	tlsSrv := httptest.NewUnstartedServer(http.NotFoundHandler())
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the TLS probes' refused versions
	tlsSrv.TLS = &tls.Config{Certificates: []tls.Certificate{pair}}
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	good := strings.TrimPrefix(tlsSrv.URL, "https://")
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := closed.Addr().String()
	closed.Close()

	hosts := fmt.Sprintf("# estate\n%s name=www.example.test\n%s\n", good, dead)
	w := ts.post(t, "/api/bulk", field("hosts", hosts))
	if w.Code != http.StatusAccepted {
		t.Fatalf("%d: %s", w.Code, w.Body)
	}
	var started BulkStarted
	if err := json.Unmarshal(w.Body.Bytes(), &started); err != nil || started.Total != 2 {
		t.Fatalf("%v: %s", err, w.Body)
	}

	req, _ := http.NewRequest("GET", ts.url+started.Events, nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("events Content-Type %q", ct)
	}
	var results []BulkEvent
	var done report.BulkCounts
	sc := bufio.NewScanner(resp.Body)
	event := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: ") && event == "result":
			var ev BulkEvent
			json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev)
			results = append(results, ev)
		case strings.HasPrefix(line, "data: ") && event == "done":
			json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &done)
		}
	}
	if len(results) != 2 || results[0].Job != good || results[1].Job != dead || results[1].Verdict != report.VerdictFailed ||
		results[1].Worst != bundle.IDEndpointUnreachable {
		t.Fatalf("results %+v", results)
	}
	if results[0].Verdict == report.VerdictFailed || results[0].DaysLeft == nil {
		t.Errorf("the live host: %+v", results[0])
	}
	if done.Total != 2 || done.Failed != 1 {
		t.Errorf("counts %+v", done)
	}

	get := func(path string) *http.Response {
		req, _ := http.NewRequest("GET", ts.url+path, nil)
		req.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp = get(started.CSV)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Header.Get(ExitHeader) != "1" || !strings.HasPrefix(string(body), "host,verdict,worst_finding,days_left") || strings.Count(string(body), "\n") != 3 {
		t.Errorf("CSV (exit %q):\n%s", resp.Header.Get(ExitHeader), body)
	}
	resp = get(started.JSON)
	var doc struct {
		Results []report.Check    `json:"results"`
		Summary report.BulkCounts `json:"summary"`
	}
	err = json.NewDecoder(resp.Body).Decode(&doc)
	resp.Body.Close()
	if err != nil || len(doc.Results) != 2 || doc.Results[0].Target != good || doc.Summary.Failed != 1 {
		t.Errorf("JSON: %v %+v", err, doc)
	}
	if resp := get("/api/bulk/nosuch/events"); resp.StatusCode != 404 {
		t.Errorf("an unknown run: %d", resp.StatusCode)
	}
}

// TestCSVFormulas: a cell a spreadsheet would run is quoted.
func TestCSVFormulas(t *testing.T) {
	run := &bulkRun{rows: []report.BulkRow{{Job: "=HYPERLINK(\"x\")", Verdict: "OK"}}, reports: []*report.Check{{}}}
	var b bytes.Buffer
	writeCSV(&b, run)
	if !strings.Contains(b.String(), `"'=HYPERLINK(""x"")"`) {
		t.Errorf("formula not quoted:\n%s", b.String())
	}
}

// TestStaticFiles: the page's files are embedded and typed.
func TestStaticFiles(t *testing.T) {
	ts := newTestServer(t, false)
	for name, ctype := range staticTypes {
		r := httptest.NewRequest("GET", "/static/"+name, nil)
		r.Host = ts.addr
		r.Header.Set("Authorization", "Bearer "+testToken)
		w := httptest.NewRecorder()
		ts.ServeHTTP(w, r)
		if w.Code != 200 || w.Header().Get("Content-Type") != ctype || w.Body.Len() == 0 {
			t.Errorf("%s: %d %s", name, w.Code, w.Header().Get("Content-Type"))
		}
	}
	js, _ := static.ReadFile("static/app.js")
	if bytes.Contains(js, []byte("innerHTML")) || bytes.Contains(js, []byte("eval(")) {
		t.Errorf("app.js uses innerHTML or eval")
	}
}

// TestServeShutdown: when the context ends (SIGINT), Serve stops taking
// requests, ends the bulk runs' event streams and returns nil.
func TestServeShutdown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t, true) // for its options
	opts := ts.opts
	opts.Addr = ln.Addr().String()
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	base := "http://" + ln.Addr().String()

	// A bulk run on a host that accepts and never answers keeps its
	// stream open.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	body, ct := multipartBody(t, field("hosts", silent.Addr().String()))
	req, _ := http.NewRequest("POST", base+"/api/bulk", body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var started BulkStarted
	json.NewDecoder(resp.Body).Decode(&started)
	resp.Body.Close()
	req, _ = http.NewRequest("GET", base+started.Events, nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	stream, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Body.Close()
	streamDone := make(chan struct{})
	go func() {
		io.Copy(io.Discard, stream.Body)
		close(streamDone)
	}()

	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve: %v, want nil", err)
		}
	case <-time.After(shutdownGrace + 5*time.Second):
		t.Fatal("Serve did not return after the context ended")
	}
	select {
	case <-streamDone:
	case <-time.After(5 * time.Second):
		t.Error("the event stream is still open after the shutdown")
	}
	if _, err := http.Get(base + "/"); err == nil {
		t.Error("the server still answers")
	}
}

// TestCheckHost: with `host` the chain is what a live server sends, with
// `servername` as SNI; a server that is not there is exit status 1.
func TestCheckHost(t *testing.T) {
	ts := newTestServer(t, true)
	pair, err := tls.X509KeyPair(fixture(t, "golden/fullchain.pem"), fixture(t, "pki/leaf.key"))
	if err != nil {
		t.Fatal(err)
	}
	tlsSrv := httptest.NewUnstartedServer(http.NotFoundHandler())
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the TLS probes' refused versions
	tlsSrv.TLS = &tls.Config{Certificates: []tls.Certificate{pair}}
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	host := strings.TrimPrefix(tlsSrv.URL, "https://")

	w := ts.post(t, "/api/check", field("host", host), field("servername", "www.example.test"))
	var rep report.Check
	if err := json.Unmarshal(w.Body.Bytes(), &rep); err != nil || w.Code != 200 {
		t.Fatalf("%d %v: %s", w.Code, err, w.Body)
	}
	if rep.Target != host || rep.Address == "" || len(rep.Served) != 2 || len(rep.Names) != 1 || rep.Names[0] != "www.example.test" {
		t.Errorf("report %+v", rep)
	}
	w = ts.post(t, "/api/diagnose", field("host", host), field("servername", "www.example.test"))
	var d Diagnosis
	json.Unmarshal(w.Body.Bytes(), &d)
	if !strings.Contains(strings.Join(d.Summary, "\n"), "the server sent 2 certificates") {
		t.Errorf("summary %q", d.Summary)
	}
	w = ts.post(t, "/api/inspect", field("host", host))
	var in report.Inspect
	if err := json.Unmarshal(w.Body.Bytes(), &in); err != nil || len(in.Certificates) != 2 || in.Address == "" {
		t.Errorf("inspect %d %v: %s", w.Code, err, w.Body)
	}

	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := closed.Addr().String()
	closed.Close()
	w = ts.post(t, "/api/check", field("host", dead))
	if w.Code != 200 || exitOf(w) != "1" || !strings.Contains(w.Body.String(), bundle.IDEndpointUnreachable) {
		t.Errorf("an unreachable host: %d exit %q: %s", w.Code, exitOf(w), w.Body)
	}
	w = ts.post(t, "/api/build", field("host", host), field("servername", "www.example.test"))
	if w.Code != 200 || !bytes.Equal(w.Body.Bytes(), fixture(t, "golden/fullchain.pem")) {
		t.Errorf("build from the host: %d %s", w.Code, w.Body)
	}
}
