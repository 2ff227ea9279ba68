package main

import (
	"bytes"
	"path/filepath"
	"testing"
)

func TestLoadRoots(t *testing.T) {
	_, f := fixtureDir(t)
	tests := []struct {
		name     string
		env      mapEnv
		files    []string
		wantFrom string
		check    func(t *testing.T, n int, hasISRG bool)
	}{
		{"--roots wins", mapEnv{"SSL_CERT_FILE": f("cross/roots.pem")}, []string{f("pki/root.pem")}, "--roots",
			func(t *testing.T, n int, _ bool) {
				if n != 1 {
					t.Errorf("%d roots, want 1", n)
				}
			}},
		{"SSL_CERT_FILE", mapEnv{"SSL_CERT_FILE": f("cross/roots.pem")}, nil, f("cross/roots.pem"),
			func(t *testing.T, n int, _ bool) {
				if n != 2 {
					t.Errorf("%d roots, want 2", n)
				}
			}},
		{"no trust store: the embedded Mozilla set", mapEnv{"SSL_CERT_FILE": filepath.Join(t.TempDir(), "none.pem")}, nil, "the embedded Mozilla root set",
			func(t *testing.T, n int, hasISRG bool) {
				if n < 100 || !hasISRG {
					t.Errorf("%d roots, ISRG Root X1 among them: %v", n, hasISRG)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &state{env: tt.env, log: newLogger(&bytes.Buffer{})}
			roots, from, err := st.loadRoots(tt.files)
			if err != nil {
				t.Fatal(err)
			}
			if from != tt.wantFrom {
				t.Errorf("roots from %q, want %q", from, tt.wantFrom)
			}
			isrg := false
			for _, r := range roots {
				isrg = isrg || r.Subject.CommonName == "ISRG Root X1"
			}
			tt.check(t, len(roots), isrg)
		})
	}
}
