package trust

import (
	"testing"
)

// TestSystemWindows reads the real certificate stores through CryptoAPI (on
// Windows, and under Wine in CI, whose ROOT store is filled from the host's
// bundle): a non-empty explicit set of roots, named as the Windows stores.
func TestSystemWindows(t *testing.T) {
	s, err := System(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != winStoreName {
		t.Errorf("roots from %q, want the Windows stores", s.Name)
	}
	if len(s.Anchors.All()) == 0 {
		t.Fatal("no roots read from the Windows stores")
	}
	t.Logf("%d roots, %d intermediates (%s)", len(s.Anchors.All()), len(s.Intermediates), s.IntermediatesFrom)

	// SSL_CERT_FILE still wins over the stores.
	crossRoots := testdataPath("cross", "roots.pem")
	s, err = System(Options{Getenv: func(k string) string {
		if k == "SSL_CERT_FILE" {
			return crossRoots
		}
		return ""
	}})
	if err != nil || s.Name != crossRoots || len(s.Anchors.All()) != 2 {
		t.Fatalf("with SSL_CERT_FILE: %v, %+v", err, s)
	}
}
