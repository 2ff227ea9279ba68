package main

import (
	"crypto/tls"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"chainfix/internal/report"
)

// TestCheckProbesVersions: check --host probes every TLS version: a server
// that still accepts TLS 1.0 beside TLS 1.2 gets a warning (exit 0, 1 with
// --strict), one that speaks only TLS 1.0 errors twice (legacy only, 1.2
// and 1.3 refused), and the versions are in the JSON document.
func TestCheckProbesVersions(t *testing.T) {
	p := newAIAPKI(t)
	server := func(min, max uint16) string {
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		srv.Config.ErrorLog = log.New(io.Discard, "", 0)
		srv.TLS = &tls.Config{
			Certificates: []tls.Certificate{{Certificate: [][]byte{p.leaf.DER(), p.inter.DER()}, PrivateKey: p.leaf.Key}},
			MinVersion:   min, MaxVersion: max,
		}
		srv.StartTLS()
		t.Cleanup(srv.Close)
		return srv.Listener.Addr().String()
	}
	tests := []struct {
		name     string
		min, max uint16
		strict   bool
		want     int
		ids      []string
		versions string
	}{
		{"TLS 1.0 beside TLS 1.2", tls.VersionTLS10, tls.VersionTLS12, false, exitOK,
			[]string{"tls-legacy-version-accepted", "tls-version-refused"}, "TLS 1.0 accepted, TLS 1.1 accepted, TLS 1.2 accepted, TLS 1.3 refused"},
		{"TLS 1.0 beside TLS 1.2, strict", tls.VersionTLS10, tls.VersionTLS12, true, exitFailure,
			[]string{"tls-legacy-version-accepted", "tls-version-refused"}, ""},
		{"TLS 1.0 only", tls.VersionTLS10, tls.VersionTLS10, false, exitFailure,
			[]string{"tls-legacy-version-accepted", "tls-version-refused"}, "TLS 1.0 accepted, TLS 1.1 refused, TLS 1.2 refused, TLS 1.3 refused"},
		{"TLS 1.2 and 1.3", tls.VersionTLS12, tls.VersionTLS13, false, exitOK, nil, "TLS 1.0 refused, TLS 1.1 refused, TLS 1.2 accepted, TLS 1.3 accepted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"check", "--json", "--no-cache", "--roots", p.path("root.pem"), "--host", server(tt.min, tt.max), "--servername", "aia.example.test"}
			if tt.strict {
				args = append(args, "--strict")
			}
			code, out, stderr := runCLI(t, nil, "", args...)
			if code != tt.want {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tt.want, out, stderr)
			}
			var rep report.Check
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, f := range rep.Findings {
				if f.ID != "ok" {
					ids = append(ids, f.ID)
				}
			}
			if strings.Join(ids, ",") != strings.Join(tt.ids, ",") {
				t.Errorf("ids %v, want %v\n%s", ids, tt.ids, out)
			}
			var vs []string
			for _, v := range rep.TLSVersions {
				vs = append(vs, v.Version+" "+v.Result)
			}
			if tt.versions != "" && strings.Join(vs, ", ") != tt.versions {
				t.Errorf("versions %q, want %q", strings.Join(vs, ", "), tt.versions)
			}
		})
	}
	t.Run("--all-ips lists each address", func(t *testing.T) {
		code, out, stderr := runCLI(t, nil, "", "check", "--json", "--all-ips", "--no-cache", "--roots", p.path("root.pem"), "--host", server(tls.VersionTLS12, tls.VersionTLS13), "--servername", "aia.example.test")
		var rep report.Check
		if err := json.Unmarshal([]byte(out), &rep); err != nil || code != exitOK || len(rep.Addresses) != 1 || len(rep.Addresses[0].Served) != 2 {
			t.Errorf("exit %d, %v\n%s\n%s", code, err, out, stderr)
		}
	})
	t.Run("unreachable endpoint: endpoint-unreachable, exit 1", func(t *testing.T) {
		code, out, _ := runCLI(t, nil, "", "check", "--json", "--no-cache", "--connect-timeout", "2s", "--host", "127.0.0.1:1")
		if code != exitFailure || !strings.Contains(out, `"id": "endpoint-unreachable"`) {
			t.Errorf("exit %d\n%s", code, out)
		}
	})
}
