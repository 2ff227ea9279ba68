package fetch

import (
	"crypto/tls"
	"errors"
	"net"
	"slices"
	"testing"
	"time"
)

// TestProbeVersions: servers on loopback limited to each range of TLS
// versions; Probe says which versions each accepts, fast.
func TestProbeVersions(t *testing.T) {
	c := newTLSChain()
	all := []uint16{tls.VersionTLS10, tls.VersionTLS11, tls.VersionTLS12, tls.VersionTLS13}
	tests := []struct {
		name     string
		min, max uint16
	}{
		{"TLS 1.3 only", tls.VersionTLS13, tls.VersionTLS13},
		{"TLS 1.2 only", tls.VersionTLS12, tls.VersionTLS12},
		{"TLS 1.1 only", tls.VersionTLS11, tls.VersionTLS11},
		{"TLS 1.0 only (an old IIS)", tls.VersionTLS10, tls.VersionTLS10},
		{"TLS 1.0 to 1.3", tls.VersionTLS10, tls.VersionTLS13},
		{"TLS 1.2 and 1.3", tls.VersionTLS12, tls.VersionTLS13},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, _ := startTLSServer(t, &tls.Config{
				Certificates: []tls.Certificate{c.certificate(c.leaf, c.p.inter)},
				MinVersion:   tt.min,
				MaxVersion:   tt.max,
				// Legacy suites too: a TLS 1.0 server may offer nothing else.
				CipherSuites: allCipherSuites(),
			})
			start := time.Now()
			res, err := Probe(testCtx(t), addr, DialOptions{ServerName: "leaf.example"})
			if err != nil {
				t.Fatal(err)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("probe took %s, want well under a second", d)
			}
			var want []uint16
			for _, v := range all {
				if v >= tt.min && v <= tt.max {
					want = append(want, v)
				}
			}
			if got := res.Accepted(); !slices.Equal(got, want) {
				t.Errorf("accepted %v, want %v", got, want)
			}
			for _, v := range res.Versions {
				if v.Unknown || v.Accepted != (v.Err == nil) || v.Accepted && v.CipherSuite == 0 {
					t.Errorf("%s: %+v", tls.VersionName(v.Version), v)
				}
			}
			if len(res.WithSNI) != 2 || res.SNIDiffers() {
				t.Errorf("with SNI %d certificates, differs %v (%v)", len(res.WithSNI), res.SNIDiffers(), res.WithoutSNIErr)
			}
		})
	}
}

// TestProbeSNI: a server that sends another certificate to clients without
// SNI is caught; one that sends the same is not.
func TestProbeSNI(t *testing.T) {
	c := newTLSChain()
	other := c.p.leaf("default.example")
	otherCert := tls.Certificate{Certificate: [][]byte{other.DER()}, PrivateKey: other.Key}
	for _, tt := range []struct {
		name    string
		noSNI   *tls.Certificate
		differs bool
	}{
		{"same certificate without SNI", nil, false},
		{"another certificate without SNI", &otherCert, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			right := c.certificate(c.leaf)
			// crypto/tls serves Certificates[0] to a client without SNI and
			// asks GetCertificate otherwise.
			def := right
			if tt.noSNI != nil {
				def = *tt.noSNI
			}
			addr, _ := startTLSServer(t, &tls.Config{Certificates: []tls.Certificate{def},
				GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return &right, nil }})
			_, port, _ := net.SplitHostPort(addr)
			res, err := probe(testCtx(t), net.JoinHostPort("leaf.example", port), DialOptions{}, loopbackDial)
			if err != nil {
				t.Fatal(err)
			}
			if !res.SNIChecked || res.SNIDiffers() != tt.differs {
				t.Errorf("checked %v, differs %v, want %v (without SNI: %v)", res.SNIChecked, res.SNIDiffers(), tt.differs, res.WithoutSNIErr)
			}
		})
	}
	t.Run("IP address without --servername: nothing to compare", func(t *testing.T) {
		right := c.certificate(c.leaf)
		addr, _ := startTLSServer(t, &tls.Config{Certificates: []tls.Certificate{right}})
		res, err := Probe(testCtx(t), addr, DialOptions{})
		if err != nil || res.SNIChecked {
			t.Errorf("err %v, SNI checked %v", err, res != nil && res.SNIChecked)
		}
	})
}

// TestProbeFailures: no TLS at all is an error, not four refused versions.
func TestProbeFailures(t *testing.T) {
	t.Run("plain-text port", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		go func() {
			for {
				conn, err := ln.Accept()
				if err != nil {
					return
				}
				conn.Write([]byte("220 mail.example ESMTP ready\r\n"))
				time.Sleep(50 * time.Millisecond)
				conn.Close()
			}
		}()
		_, err = Probe(testCtx(t), ln.Addr().String(), DialOptions{ConnectTimeout: 2 * time.Second})
		if !errors.Is(err, ErrNotTLS) {
			t.Errorf("err = %v, want ErrNotTLS", err)
		}
	})
	t.Run("closed port", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		_, err = Probe(testCtx(t), addr, DialOptions{ConnectTimeout: 2 * time.Second})
		if !errors.Is(err, ErrConnectionRefused) {
			t.Errorf("err = %v, want ErrConnectionRefused", err)
		}
	})
}
