package fetch

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"chainfix/internal/testpki"
)

// TestIssuersAsksEveryURL: every http URL is asked, and the signers of all
// answers come first (URL order, no duplicates), then the other
// certificates of the answers that held a signer. The builder needs the
// second URL's issuer when the first one's only gives an invalid path.
func TestIssuersAsksEveryURL(t *testing.T) {
	p := newPKI()
	s := newStalePKI(p) // same name and key as p.inter, expired at Epoch
	other := testpki.Issue(testpki.Template{CN: "Other Root", CA: true, Key: testpki.RSAKey(7)}, nil)
	tests := []struct {
		name   string
		routes map[string][]byte
		urls   []string
		want   [][]byte // DER, in order
		errs   []error  // per URL: nil, or a sentinel the attempt wraps
	}{
		{
			name:   "the first URL's issuer expired, the second's renewed",
			routes: map[string][]byte{"/old.crt": s.expired.DER(), "/new.crt": p.inter.DER()},
			urls:   []string{"/old.crt", "/new.crt"},
			want:   [][]byte{s.expired.DER(), p.inter.DER()},
			errs:   []error{nil, nil},
		},
		{
			name:   "the same issuer twice, and a root beside it",
			routes: map[string][]byte{"/int.p7c": pkcs7Of(t, p.root, p.inter), "/int.crt": p.inter.DER()},
			urls:   []string{"/int.p7c", "/int.crt"},
			want:   [][]byte{p.inter.DER(), p.root.DER()},
			errs:   []error{nil, nil},
		},
		{
			name:   "signers of later URLs come before candidates of earlier ones",
			routes: map[string][]byte{"/a.p7c": pkcs7Of(t, p.root, p.inter), "/b.p7c": pkcs7Of(t, other, s.expired)},
			urls:   []string{"/a.p7c", "/b.p7c"},
			want:   [][]byte{p.inter.DER(), s.expired.DER(), p.root.DER(), other.DER()},
			errs:   []error{nil, nil},
		},
		{
			name:   "a failing mirror is reported though another works",
			routes: map[string][]byte{"/int.crt": p.inter.DER()},
			urls:   []string{"ldap://dc.example/x", "/missing.crt", "/int.crt"},
			want:   [][]byte{p.inter.DER()},
			errs:   []error{ErrSkippedScheme, &HTTPStatusError{}, nil},
		},
		{
			name:   "an answer without a signer brings no candidates",
			routes: map[string][]byte{"/wrong.p7c": pkcs7Of(t, p.wrong, other), "/int.crt": p.inter.DER()},
			urls:   []string{"/wrong.p7c", "/int.crt"},
			want:   [][]byte{p.inter.DER()},
			errs:   []error{ErrNotIssuer, nil},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newAIAServer(t)
			for path, body := range tt.routes {
				srv.handle(path, serve("application/pkix-cert", body))
			}
			var urls []string
			for _, u := range tt.urls {
				if !strings.Contains(u, "://") {
					u = srv.url(u)
				}
				urls = append(urls, u)
			}
			leaf := p.leaf("leaf.example", urls...)
			c := New(Options{})
			got, err := c.Issuers(testCtx(t), leaf.Cert)
			if err != nil {
				t.Fatalf("Issuers: %v", err)
			}
			if !sameDER(got, tt.want) {
				t.Errorf("got %s, want %d certificates in order", describe(got), len(tt.want))
			}
			attempts := c.Attempts(leaf.Cert)
			if len(attempts) != len(urls) {
				t.Fatalf("Attempts = %v, want one per URL", attempts)
			}
			for i, a := range attempts {
				if a.URL != urls[i] || a.FromCache {
					t.Errorf("attempt %d = %v", i, a)
				}
				var se *HTTPStatusError
				switch want := tt.errs[i]; {
				case want == nil && a.Err != nil:
					t.Errorf("attempt %d: %v, want success", i, a.Err)
				case want == nil:
				case errors.As(want, &se):
					if !errors.As(a.Err, &se) || se.StatusCode != http.StatusNotFound {
						t.Errorf("attempt %d: %v, want a 404", i, a.Err)
					}
				case !errors.Is(a.Err, want):
					t.Errorf("attempt %d: %v, want %v", i, a.Err, want)
				}
			}
			if srv.requests() != len(tt.routes)+countMissing(tt.urls, tt.routes) {
				t.Errorf("server saw %d requests", srv.requests())
			}
		})
	}
}

func countMissing(urls []string, routes map[string][]byte) int {
	n := 0
	for _, u := range urls {
		if _, ok := routes[u]; !ok && !strings.Contains(u, "://") {
			n++
		}
	}
	return n
}

func sameDER(got []*x509.Certificate, want [][]byte) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if !bytes.Equal(got[i].Raw, want[i]) {
			return false
		}
	}
	return true
}

func describe(certs []*x509.Certificate) string {
	var s []string
	for _, c := range certs {
		s = append(s, fmt.Sprintf("%s (serial %v)", c.Subject, c.SerialNumber))
	}
	return "[" + strings.Join(s, ", ") + "]"
}

// TestIssuersAsksURLsConcurrently: a certificate's URLs are in flight at
// the same time (each handler waits for the other), so a slow mirror does
// not delay the next one.
func TestIssuersAsksURLsConcurrently(t *testing.T) {
	p := newPKI()
	srv := newAIAServer(t)
	var arrived sync.WaitGroup
	arrived.Add(2)
	both := make(chan struct{})
	go func() { arrived.Wait(); close(both) }()
	for _, path := range []string{"/a.crt", "/b.crt"} {
		srv.handle(path, func(w http.ResponseWriter, r *http.Request) {
			arrived.Done()
			select {
			case <-both:
				w.Write(p.inter.DER())
			case <-time.After(hangGuard):
				http.Error(w, "the other request never came", http.StatusGatewayTimeout)
			}
		})
	}
	leaf := p.leaf("leaf.example", srv.url("/a.crt"), srv.url("/b.crt"))
	got, err := New(Options{}).Issuers(testCtx(t), leaf.Cert)
	if err != nil || subjects(got) != "CN=Test Int" {
		t.Fatalf("got %q, %v", subjects(got), err)
	}
}

// TestAttemptsFromCache: Attempts says which answers came from the cache.
func TestAttemptsFromCache(t *testing.T) {
	p := newPKI()
	srv := newAIAServer(t)
	srv.handle("/int.crt", serve("application/pkix-cert", p.inter.DER()))
	dir := t.TempDir()
	leaf := p.leaf("leaf.example", srv.url("/int.crt"), srv.url("/missing.crt"))
	if _, err := New(Options{CacheDir: dir}).Issuers(testCtx(t), leaf.Cert); err != nil {
		t.Fatal(err)
	}
	c := New(Options{CacheDir: dir})
	if got := c.Attempts(leaf.Cert); got != nil {
		t.Errorf("Attempts before Issuers = %v, want nil", got)
	}
	if _, err := c.Issuers(testCtx(t), leaf.Cert); err != nil {
		t.Fatal(err)
	}
	got := c.Attempts(leaf.Cert)
	if len(got) != 2 || !got[0].FromCache || got[0].Err != nil || got[1].FromCache || got[1].Err == nil {
		t.Fatalf("Attempts = %v", got)
	}
	if s := got[0].String(); s != srv.url("/int.crt")+": ok (cache)" {
		t.Errorf("String() = %q", s)
	}
	if s := got[1].String(); s != srv.url("/missing.crt")+": status 404 Not Found (text/plain; charset=utf-8)" {
		t.Errorf("String() = %q", s)
	}
	// Attempts returns a copy.
	got[0].URL = "changed"
	if c.Attempts(leaf.Cert)[0].URL == "changed" {
		t.Error("Attempts shares its slice")
	}
}

// TestClientSharedByJobs: 8 goroutines (jobs sharing one Client) ask for
// certificates whose URLs overlap; every URL is requested exactly once.
// Run under -race.
func TestClientSharedByJobs(t *testing.T) {
	p := newPKI()
	s := newStalePKI(p)
	srv := newAIAServer(t)
	gate := make(chan struct{})
	slow := func(body []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			<-gate // keep the first request in flight while the others ask
			w.Write(body)
		}
	}
	srv.handle("/int.crt", slow(p.inter.DER()))
	srv.handle("/old.crt", slow(s.expired.DER()))
	srv.handle("/int.p7c", slow(pkcs7Of(t, p.root, p.inter)))
	paths := []string{"/int.crt", "/old.crt", "/int.p7c", "/missing.crt"}

	c := New(Options{})
	const jobs = 8
	var wg sync.WaitGroup
	results := make([]string, jobs)
	for j := range jobs {
		// Each job has its own leaf, listing the shared URLs in its own order.
		var urls []string
		for k := range paths {
			urls = append(urls, srv.url(paths[(j+k)%len(paths)]))
		}
		leaf := p.leaf(fmt.Sprintf("job%d.example", j), urls...)
		wg.Go(func() {
			got, err := c.Issuers(testCtx(t), leaf.Cert)
			if err != nil {
				results[j] = err.Error()
				return
			}
			results[j] = fmt.Sprintf("%d certificates, %d attempts", len(got), len(c.Attempts(leaf.Cert)))
		})
	}
	for srv.requests() < len(paths) {
		time.Sleep(time.Millisecond)
	}
	close(gate)
	wg.Wait()
	for j, r := range results {
		if r != "3 certificates, 4 attempts" {
			t.Errorf("job %d: %s", j, r)
		}
	}
	for _, path := range paths {
		if n := srv.hitsOf(path); n != 1 {
			t.Errorf("%s requested %d times, want once", path, n)
		}
	}
	if c.Requests() != len(paths) {
		t.Errorf("Requests() = %d, want %d", c.Requests(), len(paths))
	}
}

// TestMaxPerHost: at most MaxPerHost fetches are in flight to one host;
// another host is not held up by a busy one.
func TestMaxPerHost(t *testing.T) {
	if c := New(Options{}); c.opts.MaxPerHost != DefaultMaxPerHost {
		t.Errorf("default MaxPerHost = %d, want %d", c.opts.MaxPerHost, DefaultMaxPerHost)
	}
	p := newPKI()
	busy := newAIAServer(t)
	var mu sync.Mutex
	inFlight, most := 0, 0
	release := make(chan struct{})
	const urls = 6
	for i := range urls {
		busy.handle(fmt.Sprintf("/%d.crt", i), func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			inFlight++
			most = max(most, inFlight)
			mu.Unlock()
			<-release
			mu.Lock()
			inFlight--
			mu.Unlock()
			w.Write(p.inter.DER())
		})
	}
	other := newAIAServer(t)
	other.handle("/int.crt", serve("application/pkix-cert", p.inter.DER()))

	const limit = 2
	c := New(Options{MaxPerHost: limit})
	var wg sync.WaitGroup
	for i := range urls {
		leaf := p.leaf(fmt.Sprintf("host%d.example", i), busy.url(fmt.Sprintf("/%d.crt", i)))
		wg.Go(func() {
			if _, err := c.Issuers(testCtx(t), leaf.Cert); err != nil {
				t.Errorf("busy host: %v", err)
			}
		})
	}
	for busy.requests() < limit {
		time.Sleep(time.Millisecond)
	}
	// The busy host's slots are taken; the other host answers anyway.
	if _, err := c.Issuers(testCtx(t), p.leaf("other.example", other.url("/int.crt")).Cert); err != nil {
		t.Errorf("other host: %v", err)
	}
	time.Sleep(50 * time.Millisecond) // room for a request beyond the limit to show up
	if n := busy.requests(); n != limit {
		t.Errorf("%d requests in flight to one host, want %d", n, limit)
	}
	close(release)
	wg.Wait()
	if most != limit || busy.requests() != urls {
		t.Errorf("at most %d in flight (want %d), %d requests (want %d)", most, limit, busy.requests(), urls)
	}
}

// TestIssuersRunDeadline: the run's deadline (the caller's context) ends a
// fetch with a message in words, still context.DeadlineExceeded for
// errors.Is; it is not the per-request Options.Timeout.
func TestIssuersRunDeadline(t *testing.T) {
	p := newPKI()
	srv := newAIAServer(t)
	srv.handle("/slow.crt", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	rawURL := srv.url("/slow.crt")
	c := New(Options{Timeout: time.Minute})
	leaf := p.leaf("leaf.example", rawURL)

	ctx, cancel := context.WithTimeout(testCtx(t), 300*time.Millisecond)
	defer cancel()
	// A second job waits for the same URL: it gives up in words too.
	waiterErr := make(chan error, 1)
	go func() {
		_, err := c.Issuers(ctx, p.leaf("other.example", rawURL).Cert)
		waiterErr <- err
	}()
	_, err := c.Issuers(ctx, leaf.Cert)
	for _, err := range []error{err, <-waiterErr} {
		if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrTimeout) {
			t.Errorf("error %v: want context.DeadlineExceeded, not ErrTimeout", err)
		}
		var de *DeadlineError
		if !errors.As(err, &de) || de.URL != rawURL || de.Waited < 200*time.Millisecond {
			t.Errorf("error %v: want a *DeadlineError for %s after about 300ms", err, rawURL)
		}
		msg := err.Error()
		if !regexp.MustCompile(`gave up after [0-9.]+m?s waiting for ` + regexp.QuoteMeta(rawURL) + `: the run's time limit`).MatchString(msg) {
			t.Errorf("message %q is not in words", msg)
		}
		if strings.Contains(msg, "context deadline exceeded") || strings.Count(msg, rawURL) != 1 {
			t.Errorf("message %q: want the URL once and no Go jargon", msg)
		}
	}

	// Asked after the deadline: nothing is fetched.
	_, err = c.Issuers(ctx, leaf.Cert)
	if want := "did not fetch " + rawURL + ": the run's time limit was reached"; !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), want) {
		t.Errorf("after the deadline: %v, want %q", err, want)
	}
	if c.Requests() != 1 {
		t.Errorf("Requests() = %d, want 1", c.Requests())
	}
}

func TestRoundWait(t *testing.T) {
	for d, want := range map[time.Duration]string{
		60*time.Second + 300*time.Millisecond:     "1m0s",
		12*time.Second + 400*time.Millisecond:     "12s",
		2*time.Second + 449*time.Millisecond:      "2.4s",
		301*time.Millisecond + 7*time.Microsecond: "301ms",
	} {
		if got := roundWait(d).String(); got != want {
			t.Errorf("roundWait(%v) = %s, want %s", d, got, want)
		}
	}
}

// TestSubjectNamePrintable: a fetched certificate's subject is a
// stranger's text: messages show it escaped and bounded.
func TestSubjectNamePrintable(t *testing.T) {
	evil := testpki.Issue(testpki.Template{CN: "Evil\x1b[2J\r\nCA" + strings.Repeat("x", 400)}, nil)
	got := subjectName(evil.Cert)
	if strings.ContainsAny(got, "\x1b\r\n") || !strings.HasPrefix(got, `CN=Evil\x1b[2J\r\nCA`) || len(got) > maxNameShown+20 {
		t.Errorf("subjectName = %q", got)
	}
}

// TestAttemptStringPrintable: a caIssuers URL is a stranger's text too.
func TestAttemptStringPrintable(t *testing.T) {
	a := Attempt{URL: "http://ca.example/\x1b[2J\r\nforged", Err: ErrNotIssuer}
	if s := a.String(); strings.ContainsAny(s, "\x1b\r\n") || !strings.HasPrefix(s, `http://ca.example/\x1b[2J\r\nforged: `) {
		t.Errorf("String() = %q", s)
	}
	d := &DeadlineError{URL: a.URL}
	if strings.ContainsAny(d.Error(), "\x1b\r\n") {
		t.Errorf("DeadlineError = %q", d.Error())
	}
}

// TestSignedOption: Options.Signed is the one signature check the client
// makes (the builder shares its verdicts through it), and its answer
// decides: a signer it refuses is not the issuer.
func TestSignedOption(t *testing.T) {
	p := newPKI()
	srv := newAIAServer(t)
	srv.handle("/int.crt", serve("application/pkix-cert", p.inter.DER()))
	leaf := p.leaf("signed.example", srv.url("/int.crt"))
	for _, accept := range []bool{true, false} {
		var calls int
		c := New(Options{Signed: func(parent, child *x509.Certificate) bool {
			calls++
			if !parent.Equal(p.inter.Cert) || !child.Equal(leaf.Cert) {
				t.Errorf("asked about %s signing %s", parent.Subject, child.Subject)
			}
			return accept
		}})
		got, err := c.Issuers(testCtx(t), leaf.Cert)
		if calls == 0 {
			t.Errorf("accept=%v: Options.Signed was not asked", accept)
		}
		switch {
		case accept && (err != nil || len(got) != 1 || !got[0].Equal(p.inter.Cert)):
			t.Errorf("accepted: Issuers = %s, %v", subjects(got), err)
		case !accept && (err == nil || !errors.Is(err, ErrNotIssuer)):
			t.Errorf("refused: Issuers = %s, %v; want ErrNotIssuer", subjects(got), err)
		}
	}
}
