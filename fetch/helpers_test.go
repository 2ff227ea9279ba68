package fetch

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	stdpem "encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"chainfix/internal/testpki"

	"github.com/sirupsen/logrus"
	logtest "github.com/sirupsen/logrus/hooks/test"
	"github.com/smallstep/pkcs7"
)

// hangGuard bounds how long a test waits for something that should happen
// at once; hitting it is a failure (a hang), not a timing assertion.
const hangGuard = 5 * time.Second

// testPKI is a small hierarchy: root -> int -> leaves, plus a sibling
// intermediate "Wrong Int" (same root, different key) that signs nothing
// the leaves carry.
type testPKI struct {
	root, inter, wrong *testpki.Cert
}

func newPKI() *testPKI {
	root := testpki.Issue(testpki.Template{CN: "Test Root", CA: true, Key: testpki.RSAKey(1)}, nil)
	inter := testpki.Issue(testpki.Template{CN: "Test Int", CA: true, Key: testpki.RSAKey(2)}, root)
	wrong := testpki.Issue(testpki.Template{CN: "Wrong Int", CA: true, Key: testpki.RSAKey(3)}, root)
	return &testPKI{root: root, inter: inter, wrong: wrong}
}

// leaf issues a leaf under the intermediate with the given AIA URLs.
func (p *testPKI) leaf(cn string, urls ...string) *testpki.Cert {
	return testpki.Issue(testpki.Template{CN: cn, DNS: []string{cn}, IssuerURL: urls}, p.inter)
}

// aiaServer is an httptest server with per-path handlers that counts the
// requests it receives.
type aiaServer struct {
	*httptest.Server
	mu     sync.Mutex
	hits   map[string]int
	total  int
	agents []string
	routes map[string]http.HandlerFunc
}

func newAIAServer(t testing.TB) *aiaServer {
	s := &aiaServer{hits: map[string]int{}, routes: map[string]http.HandlerFunc{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.EscapedPath()]++
		s.total++
		s.agents = append(s.agents, r.UserAgent())
		h := s.routes[r.URL.EscapedPath()]
		s.mu.Unlock()
		if h == nil {
			http.NotFound(w, r)
			return
		}
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *aiaServer) handle(path string, h http.HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.routes[path] = h
}

func (s *aiaServer) url(path string) string { return s.URL + path }

func (s *aiaServer) requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

func (s *aiaServer) hitsOf(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// serve answers with body and the given Content-Type ("" sends none at all,
// which net/http would otherwise sniff).
func serve(ctype string, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if ctype == "" {
			w.Header()["Content-Type"] = nil
		} else {
			w.Header().Set("Content-Type", ctype)
		}
		w.Write(body)
	}
}

func pemOf(certs ...*testpki.Cert) []byte {
	var b bytes.Buffer
	for _, c := range certs {
		stdpem.Encode(&b, &stdpem.Block{Type: "CERTIFICATE", Bytes: c.DER()})
	}
	return b.Bytes()
}

func pkcs7Of(t testing.TB, certs ...*testpki.Cert) []byte {
	t.Helper()
	var all []byte
	for _, c := range certs {
		all = append(all, c.DER()...)
	}
	der, err := pkcs7.DegenerateCertificate(all)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// subjects lists certificates' subjects, for comparisons.
func subjects(certs []*x509.Certificate) string {
	var s []string
	for _, c := range certs {
		s = append(s, c.Subject.String())
	}
	return strings.Join(s, ", ")
}

// newTestLogger returns a logger recording every entry down to debug.
func newTestLogger() (*logrus.Logger, *logtest.Hook) {
	l, hook := logtest.NewNullLogger()
	l.SetLevel(logrus.DebugLevel)
	return l, hook
}

// findEntry returns the first log entry whose message contains msg.
func findEntry(hook *logtest.Hook, msg string) *logrus.Entry {
	for _, e := range hook.AllEntries() {
		if strings.Contains(e.Message, msg) {
			return e
		}
	}
	return nil
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	t.Cleanup(cancel)
	return ctx
}

// sha1Child issues a leaf under issuer and re-signs it with SHA-1 by hand,
// since crypto/x509 no longer signs with SHA-1.
func sha1Child(t testing.TB, issuer *testpki.Cert, aiaURL string) *x509.Certificate {
	t.Helper()
	leaf := testpki.Issue(testpki.Template{CN: "sha1.example", IssuerURL: []string{aiaURL}}, issuer)
	var outer struct {
		TBS asn1.RawValue
		Alg pkix.AlgorithmIdentifier
		Sig asn1.BitString
	}
	if _, err := asn1.Unmarshal(leaf.DER(), &outer); err != nil {
		t.Fatal(err)
	}
	var elems []asn1.RawValue
	for rest := outer.TBS.Bytes; len(rest) > 0; {
		var rv asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &rv); err != nil {
			t.Fatal(err)
		}
		elems = append(elems, rv)
	}
	sha1Alg := pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}, Parameters: asn1.NullRawValue}
	algDER, err := asn1.Marshal(sha1Alg)
	if err != nil {
		t.Fatal(err)
	}
	var body []byte
	for i, e := range elems {
		if i == 2 { // version [0], serial, signature
			body = append(body, algDER...)
			continue
		}
		body = append(body, e.FullBytes...)
	}
	tbs, err := asn1.Marshal(asn1.RawValue{Tag: asn1.TagSequence, IsCompound: true, Bytes: body})
	if err != nil {
		t.Fatal(err)
	}
	digest := sha1.Sum(tbs)
	sig, err := issuer.Key.Sign(rand.Reader, digest[:], crypto.SHA1)
	if err != nil {
		t.Fatal(err)
	}
	outer.TBS = asn1.RawValue{FullBytes: tbs}
	outer.Alg = sha1Alg
	outer.Sig = asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)}
	der, err := asn1.Marshal(outer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if c.SignatureAlgorithm != x509.SHA1WithRSA {
		t.Fatalf("re-signed leaf has %v", c.SignatureAlgorithm)
	}
	return c
}
