package fetch

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"golang.org/x/net/http/httpproxy"
)

// TestProxy: requests go to the proxy from opts.Proxy, as absolute-URL
// requests for the real CA host. The leaf names a non-loopback host because
// httpproxy (like ProxyFromEnvironment) never proxies localhost; the request
// reaches the loopback proxy only, never the internet.
func TestProxy(t *testing.T) {
	const caURL = "http://crt.sectigo.com/SectigoRSADomainValidationSecureServerCA.crt"
	p := newPKI()

	var mu sync.Mutex
	type seen struct{ requestURI, host, agent string }
	var got []seen
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, seen{r.RequestURI, r.Host, r.UserAgent()})
		mu.Unlock()
		if r.URL.String() != caURL {
			http.Error(w, "unexpected URL "+r.URL.String(), http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/pkix-cert")
		w.Write(p.inter.DER())
	}))
	defer proxy.Close()

	proxyFunc := (&httpproxy.Config{HTTPProxy: proxy.URL}).ProxyFunc()
	c := New(Options{
		UserAgent: "chainfix/v0.0.0-test",
		Proxy:     func(r *http.Request) (*url.URL, error) { return proxyFunc(r.URL) },
	})
	leaf := p.leaf("leaf.example", caURL)
	certs, err := c.Issuers(testCtx(t), leaf.Cert)
	if err != nil || subjects(certs) != "CN=Test Int" {
		t.Fatalf("got %q, %v", subjects(certs), err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 {
		t.Fatalf("proxy saw %d requests, want 1", len(got))
	}
	if got[0].requestURI != caURL || got[0].host != "crt.sectigo.com" || got[0].agent != "chainfix/v0.0.0-test" {
		t.Errorf("proxy saw %+v", got[0])
	}
}
