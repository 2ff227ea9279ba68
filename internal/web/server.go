package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"chainfix/internal/repair"
	"chainfix/internal/source"
	"chainfix/internal/target"
)

// Bounds of the server, each with its reason.
const (
	// MaxFiles bounds the `file` parts of one request: a leaf, a few
	// intermediates, a root, a PFX; 32 is already a pool.
	MaxFiles = 32
	// MaxBody bounds one request body: four inputs of the CLI's largest
	// (source.MaxInputSize each) and the form's own bytes. Larger bodies
	// are cut off before they are read into memory.
	MaxBody = 4*source.MaxInputSize + 1<<20
	// maxField bounds one text field (a password, a host name, an error
	// text to explain).
	maxField = 64 << 10
	// maxHostsField bounds the pasted host list of a bulk check: MaxBulkHosts
	// lines of a host, a port and an SNI name.
	maxHostsField = 1 << 20
	// DefaultTimeout is the per-request deadline when Options.Timeout is
	// zero: the engine's own bound of one run (repair.MinDeadline) and
	// time to encode the answer.
	DefaultTimeout = repair.MinDeadline + 30*time.Second
	// readHeaderTimeout, readTimeout, idleTimeout: a browser on loopback
	// sends its headers at once; the body of the largest upload (MaxBody)
	// arrives in well under a minute even over a LAN.
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 2 * time.Minute
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 64 << 10
	// shutdownGrace lets the requests in flight finish on SIGINT.
	shutdownGrace = 5 * time.Second
	// tokenBytes of randomness in the access token: 256 bits, beyond any
	// guessing over HTTP.
	tokenBytes = 32
	// CookieName is the cookie the page keeps the token in.
	CookieName = "chainfix_token"
)

// Headers of every answer (see the package documentation). The page uses
// no inline script or style attribute, and reaches nothing but this server.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"

// ExitHeader carries the exit status the command would have had.
const ExitHeader = "Chainfix-Exit"

// Options configure a Server.
type Options struct {
	// Addr is the address the server listens on (the listener's, with the
	// port chosen): only this Host is served. A loopback address also
	// admits localhost; an unspecified one (0.0.0.0, [::]) any IP literal
	// with the port, never a name (DNS rebinding needs one).
	Addr string
	// Token is the access token (NewToken); required.
	Token string
	// NewRunner builds the engine for one request (or one bulk run, with
	// its fetch budget: 0 means the default of one chain). Trust store and
	// pool are loaded once by the caller; the fetch client is new each
	// time, so that one run's budget and failures do not last for days.
	NewRunner func(maxFetches int) *repair.Runner
	// Request is the template of every request (KeyUsages, Dial options);
	// its Inputs, Host, At and Password are set per request.
	Request repair.Request
	// Now is the validation time of a request (the CLI's --at, or the
	// clock); required: library code does not read the clock.
	Now func() time.Time
	// Offline: AIA is off; a --host request is refused, as by the CLI.
	Offline bool
	// Timeout bounds one API request; 0 means DefaultTimeout.
	Timeout time.Duration
	// Log receives one line per request (method, path, status, time;
	// never a query, a form field or a header value); nil: discard.
	Log logrus.FieldLogger
}

// Server is the page and the API; see the package documentation.
type Server struct {
	opts  Options
	log   logrus.FieldLogger
	hosts map[string]bool
	anyIP bool // listening on an unspecified address
	port  string
	page  []byte
	mux   *http.ServeMux
	bulk  *bulkRuns

	// base is cancelled by Close: bulk runs and their event streams end
	// with the server (API requests get shutdownGrace to finish).
	base   context.Context
	cancel context.CancelFunc
	once   sync.Once
}

// NewToken returns a new random access token (URL-safe base64).
func NewToken() (string, error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("making the access token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// URL is the page's address with its token: what serve prints.
func URL(addr, token string) string {
	return "http://" + addr + "/?token=" + url.QueryEscape(token)
}

// New makes a Server.
func New(opts Options) (*Server, error) {
	if len(opts.Token) < 16 {
		return nil, errors.New("web: an access token of at least 16 characters is required")
	}
	if opts.NewRunner == nil || opts.Now == nil {
		return nil, errors.New("web: NewRunner and Now are required")
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	s := &Server{opts: opts, log: opts.Log}
	if s.log == nil {
		l := logrus.New()
		l.SetOutput(io.Discard)
		s.log = l
	}
	if err := s.allowHosts(opts.Addr); err != nil {
		return nil, err
	}
	page, err := renderPage(opts)
	if err != nil {
		return nil, err
	}
	s.page = page
	s.base, s.cancel = context.WithCancel(context.Background())
	s.bulk = newBulkRuns()
	s.routes()
	return s, nil
}

// allowHosts derives the Host headers served from the listening address.
func (s *Server) allowHosts(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("web: listening address %q: %w", addr, err)
	}
	s.port = port
	s.hosts = map[string]bool{strings.ToLower(net.JoinHostPort(host, port)): true}
	ip := net.ParseIP(host)
	if strings.EqualFold(host, "localhost") || ip != nil && (ip.IsLoopback() || ip.IsUnspecified()) {
		for _, h := range []string{"localhost", "127.0.0.1", "::1"} {
			s.hosts[net.JoinHostPort(h, port)] = true
		}
	}
	s.anyIP = ip != nil && ip.IsUnspecified()
	return nil
}

// hostOK reports whether a Host header (or an Origin's host) names this
// server.
func (s *Server) hostOK(h string) bool {
	h = strings.ToLower(h)
	if s.hosts[h] {
		return true
	}
	if !s.anyIP {
		return false
	}
	host, port, err := net.SplitHostPort(h)
	return err == nil && port == s.port && net.ParseIP(host) != nil
}

func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /{$}", s.handlePage)
	m.HandleFunc("GET /static/{file}", s.handleStatic)
	m.HandleFunc("POST /api/check", s.api(s.handleCheck))
	m.HandleFunc("POST /api/diagnose", s.api(s.handleDiagnose))
	m.HandleFunc("POST /api/build", s.api(s.handleBuild))
	m.HandleFunc("POST /api/pfx", s.api(s.handlePFX))
	m.HandleFunc("POST /api/inspect", s.api(s.handleInspect))
	m.HandleFunc("POST /api/explain", s.api(s.handleExplain))
	m.HandleFunc("POST /api/bulk", s.api(s.handleBulkStart))
	m.HandleFunc("GET /api/bulk/{id}/events", s.handleBulkEvents)
	m.HandleFunc("GET /api/bulk/{id}/{file}", s.handleBulkResults)
	m.HandleFunc("DELETE /api/bulk/{id}", s.handleBulkCancel)
	s.mux = m
}

// ServeHTTP applies the checks every request passes, then routes it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusWriter{ResponseWriter: w}
	defer func() {
		// The path only: the query may hold the token.
		s.log.Infof("web: %s %s %d %s", r.Method, r.URL.Path, rec.status(), time.Since(start).Round(time.Microsecond))
	}()
	h := rec.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")

	if !s.hostOK(r.Host) {
		// DNS rebinding: a page of evil.example whose name now resolves
		// to 127.0.0.1 sends Host: evil.example.
		writeError(rec, http.StatusMisdirectedRequest, noExit, "this server answers only to its own address; open the address chainfix serve printed")
		return
	}
	if !s.originOK(r) {
		writeError(rec, http.StatusForbidden, noExit, "cross-origin request refused")
		return
	}
	fromQuery, ok := s.tokenOK(r)
	if !ok {
		writeError(rec, http.StatusUnauthorized, noExit, "missing or wrong access token: open the address chainfix serve printed, or send Authorization: Bearer TOKEN")
		return
	}
	if fromQuery {
		// The page keeps the token in a cookie scripts cannot read and
		// other sites cannot make the browser send.
		http.SetCookie(rec, &http.Cookie{Name: CookieName, Value: s.opts.Token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
	}
	s.mux.ServeHTTP(rec, r)
}

// originOK refuses what another site makes a browser send: a foreign
// Origin on anything but GET and HEAD, and any request a browser marks as
// cross-site or same-site but not same-origin, except the navigation to
// the page itself (the printed link may be clicked anywhere; it still
// needs the token).
func (s *Server) originOK(r *http.Request) bool {
	if o := r.Header.Get("Origin"); o != "" && r.Method != http.MethodGet && r.Method != http.MethodHead {
		u, err := url.Parse(o)
		if err != nil || u.Scheme != "http" || !s.hostOK(u.Host) {
			return false
		}
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
		return true
	}
	return r.Method == http.MethodGet && r.URL.Path == "/" && r.Header.Get("Sec-Fetch-Mode") == "navigate"
}

// tokenOK looks for the token: a Bearer header, the cookie, or (GET / only)
// the query of the printed address.
func (s *Server) tokenOK(r *http.Request) (fromQuery, ok bool) {
	if auth := r.Header.Get("Authorization"); auth != "" {
		t, found := strings.CutPrefix(auth, "Bearer ")
		return false, found && s.same(t)
	}
	if c, err := r.Cookie(CookieName); err == nil && s.same(c.Value) {
		return false, true
	}
	if r.Method == http.MethodGet && r.URL.Path == "/" {
		if t := r.URL.Query().Get("token"); t != "" && s.same(t) {
			return true, true
		}
	}
	return false, false
}

func (s *Server) same(t string) bool {
	return subtle.ConstantTimeCompare([]byte(t), []byte(s.opts.Token)) == 1
}

// Serve serves on ln until ctx ends, then shuts down: requests in flight
// get shutdownGrace to finish, bulk runs are cancelled. It returns nil
// after a shutdown caused by ctx.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		// WriteTimeout covers the slowest API answer; the event stream of
		// a bulk run extends its own deadline as it goes.
		WriteTimeout:   s.opts.Timeout + 30*time.Second,
		IdleTimeout:    idleTimeout,
		MaxHeaderBytes: maxHeaderBytes,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		s.Close()
		return err
	case <-ctx.Done():
	}
	s.Close() // ends bulk runs and event streams
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	err := srv.Shutdown(sctx)
	<-errc
	if errors.Is(err, context.DeadlineExceeded) {
		srv.Close()
		return nil
	}
	return err
}

// Close cancels the bulk runs and event streams.
func (s *Server) Close() {
	s.once.Do(s.cancel)
}

// handlePage serves the page.
func (s *Server) handlePage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(s.page)
}

//go:embed static
var static embed.FS

// staticTypes are the files under static/ served, with their types.
var staticTypes = map[string]string{
	"app.js":   "text/javascript; charset=utf-8",
	"app.css":  "text/css; charset=utf-8",
	"icon.svg": "image/svg+xml",
}

func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	ctype, ok := staticTypes[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	data, err := static.ReadFile("static/" + name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Write(data)
}

// pageData fills static/index.html.
type pageData struct {
	Targets []*target.Target
	Offline bool
	MaxMiB  int
}

// renderPage executes the page template once.
func renderPage(opts Options) ([]byte, error) {
	t, err := template.ParseFS(static, "static/index.html")
	if err != nil {
		return nil, fmt.Errorf("web: page template: %w", err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, pageData{Targets: target.Targets(), Offline: opts.Offline, MaxMiB: source.MaxInputSize >> 20}); err != nil {
		return nil, fmt.Errorf("web: page template: %w", err)
	}
	return b.Bytes(), nil
}

// statusWriter remembers the status for the log line.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

func (w *statusWriter) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}

// Unwrap lets http.ResponseController reach Flush and the deadlines.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
