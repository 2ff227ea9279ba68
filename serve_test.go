package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"chainfix/internal/report"
	"chainfix/internal/testtool"
	"chainfix/pem"
)

// served is a `chainfix serve` running in-process.
type served struct {
	url    string // the one line on stdout
	stderr *syncBuffer
	stop   func() error // cancels the run's context, returns serve's error
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServe runs `chainfix serve args...` as run does, with a context the
// test cancels in place of SIGINT, and waits for the address on stdout.
func startServe(t *testing.T, env mapEnv, args ...string) *served {
	t.Helper()
	if env == nil {
		env = mapEnv{}
	}
	if env["XDG_CACHE_HOME"] == "" {
		env["XDG_CACHE_HOME"] = t.TempDir()
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	stderr := &syncBuffer{}
	voice := report.NewVoice(stderr)
	st := &state{ctx: ctx, stdin: strings.NewReader(""), stdout: pw, stderr: stderr, voice: voice, env: env, log: newLogger(voice)}
	done := make(chan error, 1)
	go func() {
		app := newApp(st)
		err := app.Run(append([]string{"chainfix"}, reorderArgs(app, append([]string{"serve"}, args...))...))
		pw.Close()
		done <- err
	}()
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	s := &served{stderr: stderr}
	select {
	case line, ok := <-lines:
		if !ok {
			cancel()
			t.Fatalf("serve printed no address: %v; stderr: %s", <-done, stderr)
		}
		s.url = line
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatalf("serve printed no address in 30s; stderr: %s", stderr)
	}
	var once sync.Once
	var err error
	s.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(15 * time.Second):
				err = context.DeadlineExceeded
			}
			for range lines {
				t.Errorf("serve wrote more than one line on stdout")
			}
		})
		return err
	}
	t.Cleanup(func() { s.stop() })
	return s
}

// TestServeCommand: one line on stdout, the address with its token; the
// page answers with the token only; the token never reaches stderr; the
// server stops cleanly when the run's context ends (SIGINT).
func TestServeCommand(t *testing.T) {
	_, f := fixtureDir(t)
	s := startServe(t, nil, "--offline", "--roots", f("pki/root.pem"), "-v")
	if !strings.HasPrefix(s.url, "http://127.0.0.1:") || !strings.Contains(s.url, "/?token=") {
		t.Fatalf("stdout line %q is not http://127.0.0.1:PORT/?token=TOKEN", s.url)
	}
	base, token, _ := strings.Cut(s.url, "/?token=")
	for _, tt := range []struct {
		url  string
		want int
	}{
		{s.url, http.StatusOK},
		{base + "/", http.StatusUnauthorized},
		{base + "/?token=" + token + "x", http.StatusUnauthorized},
	} {
		resp, err := http.Get(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("GET %s: %d, want %d", strings.Replace(tt.url, token, "TOKEN", 1), resp.StatusCode, tt.want)
		}
	}
	if err := s.stop(); err != nil {
		t.Errorf("serve after the context ended: %v, want nil (a clean shutdown)", err)
	}
	if strings.Contains(s.stderr.String(), token) {
		t.Errorf("the token is on stderr:\n%s", s.stderr)
	}
	if !strings.Contains(s.stderr.String(), "web: GET / 200") {
		t.Errorf("-v does not log the requests:\n%s", s.stderr)
	}
	if _, err := http.Get(base + "/"); err == nil {
		t.Errorf("the server still answers after the shutdown")
	}
}

// TestServeUsage: serve's own usage errors.
func TestServeUsage(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "leaf.pem"}, "serve takes no FILE"},
		{[]string{"serve", "--addr", "localhost"}, "want HOST:PORT"},
		{[]string{"serve", "--host", "example.com"}, "flag provided but not defined"},
	} {
		code, stdout, stderr := runCLI(t, nil, "", tt.args...)
		if code != exitUsage || !strings.Contains(stderr, tt.want) || stdout != "" {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want exit 2 and %q", tt.args, code, stderr, stdout, tt.want)
		}
	}
}

// TestServeAnyAddress: an address other than loopback is served with a
// warning, and still needs the token.
func TestServeAnyAddress(t *testing.T) {
	_, f := fixtureDir(t)
	s := startServe(t, nil, "--offline", "--roots", f("pki/root.pem"), "--addr", "0.0.0.0:0")
	if !strings.Contains(s.stderr.String(), "warning: listening on 0.0.0.0:") {
		t.Errorf("no warning about the address:\n%s", s.stderr)
	}
	base, _, _ := strings.Cut(s.url, "/?token=")
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET / without the token: %d, want 401", resp.StatusCode)
	}
}

// TestServeBrowser drives the page in headless Chromium: it uploads the
// jumbled bundle, sees the findings, downloads the repaired bundle (the
// same bytes as `chainfix build` writes for the same input and flags), then
// a PFX, which openssl opens with the password typed on the page.
func TestServeBrowser(t *testing.T) {
	testtool.Need(t, "chromium")
	testtool.Need(t, "openssl")
	dir, f := fixtureDir(t)
	flags := []string{"--offline", "--roots", f("pki/root.pem"), "--at", "2026-06-01"}
	code, want, stderr := runCLI(t, nil, "", append(append([]string{"build"}, flags...), f("jumbled.pem"))...)
	if code != 0 {
		t.Fatalf("chainfix build: exit %d: %s", code, stderr)
	}
	s := startServe(t, nil, flags...)

	ctx := newBrowser(t)
	downloads := t.TempDir()

	if err := chromedp.Do(ctx,
		chromedp.Navigate(s.url),
		chromedp.WaitVisible(chromedp.ID("input-form")),
	); err != nil {
		t.Fatalf("loading the page: %v", err)
	}
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err != nil || strings.Contains(loc, "token") {
		t.Errorf("the address bar still holds the token: %q (%v)", loc, err)
	}
	if ms, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`performance.getEntriesByType('navigation')[0].loadEventEnd`)); err == nil {
		t.Logf("page loaded in %.1f ms (navigation to the load event, a new browser)", ms)
	}
	base, _, _ := strings.Cut(s.url, "/?token=")
	for range 3 {
		if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("input-form"))); err != nil {
			t.Fatal(err)
		}
	}
	if ms, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`performance.getEntriesByType('navigation')[0].loadEventEnd`)); err == nil {
		t.Logf("page loaded in %.1f ms (navigation to the load event, with the cookie, 4th load)", ms)
	}

	// Upload and diagnose.
	if err := chromedp.Do(ctx,
		chromedp.SetUploadFiles(chromedp.ID("files"), []string{f("jumbled.pem")}),
		chromedp.WaitVisible(chromedp.CSS("#file-list li")),
		chromedp.Click(chromedp.ID("diagnose")),
		chromedp.WaitVisible(chromedp.ID("result")),
	); err != nil {
		t.Fatalf("diagnosing: %v", err)
	}
	verdict, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("verdict")))
	if err != nil || !strings.Contains(verdict, "Problems found") {
		t.Errorf("verdict %q (%v), want problems found (the bundle is jumbled)", verdict, err)
	}
	errorsShown, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#findings .finding.error').length`))
	if err != nil || errorsShown == 0 {
		t.Errorf("no error finding shown (%v)", err)
	}
	chainShown, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#chain li').length`))
	if err != nil || chainShown != 3 {
		t.Errorf("the chain shows %d certificates (%v), want 3 (leaf, intermediate, root)", chainShown, err)
	}
	summary, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("summary")))
	if err != nil || !strings.Contains(summary, "reordered") {
		t.Errorf("the summary does not say the input was reordered: %q (%v)", summary, err)
	}

	// Downloads go to a directory of the test, named by their GUID.
	setDownloadDir(t, ctx, downloads)
	download := func(button string) []byte { return browserDownload(t, ctx, downloads, button, "dl-status") }
	if got := download("dl-pem"); string(got) != want {
		t.Errorf("the page's bundle differs from chainfix build's:\n%s\nwant:\n%s", got, want)
	}

	// A PFX with the key, under a password typed on the page.
	if err := chromedp.Do(ctx,
		chromedp.SetUploadFiles(chromedp.ID("key"), []string{f("pki/leaf.key")}),
		chromedp.SendKeys(chromedp.ID("pfx-password"), "s3cret pass"),
	); err != nil {
		t.Fatal(err)
	}
	pfxData := download("dl-pfx")
	pfxFile := filepath.Join(dir, "page.pfx")
	if err := os.WriteFile(pfxFile, pfxData, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := testtool.Run(t, dir, "openssl", "pkcs12", "-in", pfxFile, "-passin", "pass:s3cret pass", "-nodes")
	if err != nil {
		t.Fatalf("openssl cannot open the page's PFX: %v\n%s", err, out)
	}
	for _, w := range []string{"PRIVATE KEY", "CN=www.example.test", "CN=Chainfix Test Intermediate I1"} {
		if !bytes.Contains(bytes.ReplaceAll(out, []byte(" = "), []byte("=")), []byte(w)) {
			t.Errorf("openssl's view of the PFX lacks %q:\n%s", w, out)
		}
	}

	// The leaf's details (what inspect shows) with its thumbprint; Escape
	// closes them.
	leaf, err := pem.Decode(fixtureBytes(t, f("pki/leaf.pem")), pem.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#chain li button")),
		chromedp.WaitVisible(chromedp.ID("details-list")),
	); err != nil {
		t.Fatal(err)
	}
	details, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("details-list")))
	if err != nil || !strings.Contains(details, report.SHA1Thumbprint(leaf.Certificates[0])) || !strings.Contains(details, "Subject key id") {
		t.Errorf("the leaf's details lack its thumbprint or inspect's fields (%v):\n%s", err, details)
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape)); err != nil {
		t.Fatal(err)
	}
	if open, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('details').open`)); err != nil || open {
		t.Errorf("Escape did not close the details (%v)", err)
	}

	// The explain box.
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("explain-text"), "NET::ERR_CERT_AUTHORITY_INVALID"),
		chromedp.Click(chromedp.ID("explain-btn")),
		chromedp.WaitVisible(chromedp.CSS("#explain-out .finding")),
	); err != nil {
		t.Fatalf("explaining: %v", err)
	}
	if text, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("explain-out"))); err != nil || !strings.Contains(text, "Caused by") {
		t.Errorf("the explain box shows %q (%v)", text, err)
	}
}

func fixtureBytes(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// newBrowser starts headless Chromium for a test, with the flags this
// machine needs and a new empty profile. Every script error and every
// error the browser logs (a refused resource, a Content-Security-Policy
// violation) fails the test; on failure a screenshot of the page is saved
// under the test's temp dir.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	chromium := testtool.Need(t, "chromium")
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1600),
	)
	t.Cleanup(cancelAlloc)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(cancelCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancelTimeout)
	// Cleanups run last first: the screenshot is taken, and the browser's
	// errors reported before it, while the browser is still open.
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Logf("no screenshot: %v", err)
			return
		}
		p := filepath.Join(t.TempDir(), "serve-page.png")
		if err := os.WriteFile(p, shot, 0o644); err == nil {
			t.Logf("screenshot of the page: %s", p)
		}
	})
	var mu sync.Mutex
	var problems []string
	if err := chromedp.Listen(ctx, func(ev any) {
		msg := ""
		switch e := ev.(type) {
		case *cdpruntime.EventExceptionThrown:
			msg = "exception: " + e.ExceptionDetails.Text
			if e.ExceptionDetails.Exception != nil {
				msg += " " + e.ExceptionDetails.Exception.Description
			}
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.EntryLevelError {
				msg = string(e.Entry.Source) + ": " + e.Entry.Text + " " + e.Entry.URL
			}
		}
		if msg != "" {
			mu.Lock()
			problems = append(problems, msg)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, p := range problems {
			t.Errorf("in the browser: %s", p)
		}
	})
	return ctx
}

// browserDownload clicks button and returns the file the browser saved
// into dir (set up with browser.SetDownloadBehavior).
func browserDownload(t *testing.T, ctx context.Context, dir, button, status string) []byte {
	t.Helper()
	events := chromedp.BrowserEvents(ctx, browser.DownloadProgress)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID(button))); err != nil {
		t.Fatalf("clicking %s: %v", button, err)
	}
	for ev, err := range events {
		if err != nil {
			said, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID(status)))
			t.Fatalf("waiting for the download of %s: %v (page says %q)", button, err, said)
		}
		switch ev.State {
		case browser.DownloadProgressStateCompleted:
			data, err := os.ReadFile(filepath.Join(dir, ev.GUID))
			if err != nil {
				t.Fatalf("reading the download: %v", err)
			}
			return data
		case browser.DownloadProgressStateCanceled:
			t.Fatalf("the download of %s was cancelled", button)
		}
	}
	return nil
}

func setDownloadDir(t *testing.T, ctx context.Context, dir string) {
	t.Helper()
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: new(true),
	}); err != nil {
		t.Fatalf("setting the download directory: %v", err)
	}
}

// TestServeBrowserBulk: the page's bulk check of a pasted host list, with
// its progress, its table and its CSV download.
func TestServeBrowserBulk(t *testing.T) {
	_, f := fixtureDir(t)
	pair, err := tls.LoadX509KeyPair(f("golden/fullchain.pem"), f("pki/leaf.key"))
	if err != nil {
		t.Fatal(err)
	}
	tlsSrv := httptest.NewUnstartedServer(http.NotFoundHandler())
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0)
	tlsSrv.TLS = &tls.Config{Certificates: []tls.Certificate{pair}}
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	good := strings.TrimPrefix(tlsSrv.URL, "https://")
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := closed.Addr().String()
	closed.Close()

	s := startServe(t, nil, "--roots", f("pki/root.pem"), "--at", "2026-06-01", "--no-cache", "--connect-timeout", "5s")
	ctx := newBrowser(t)
	downloads := t.TempDir()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(s.url),
		chromedp.WaitVisible(chromedp.ID("hosts")),
		chromedp.SendKeys(chromedp.ID("hosts"), good+" name=www.example.test\n"+dead+"\n"),
		chromedp.Click(chromedp.ID("bulk-start")),
		chromedp.WaitVisible(chromedp.ID("bulk-csv")),
	); err != nil {
		t.Fatalf("bulk check: %v", err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#bulk-table tbody")))
	if err != nil || !strings.Contains(rows, good) || !strings.Contains(rows, "FAILED") {
		t.Errorf("the table: %q (%v)", rows, err)
	}
	status, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("bulk-status")))
	if !strings.Contains(status, "1 could not be checked") {
		t.Errorf("status %q", status)
	}
	setDownloadDir(t, ctx, downloads)
	csv := browserDownload(t, ctx, downloads, "bulk-csv", "bulk-status")
	lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "host,verdict") || !strings.HasPrefix(lines[1], good+",") {
		t.Errorf("the CSV:\n%s", csv)
	}
}
