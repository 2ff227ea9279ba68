package main

import (
	"crypto/elliptic"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"chainfix/internal/testpki"
)

// TestAIAFailureNamesLeafOnce: a failed fetch of the issuer names the
// certificate once, says what went wrong (the status), and check says why
// the intermediate could not be fetched.
func TestAIAFailureNamesLeafOnce(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	root := testpki.Issue(testpki.Template{CN: "Naming Root", CA: true, Key: testpki.ECDSAKey(elliptic.P256(), "naming root"), Serial: 400}, nil)
	inter := testpki.Issue(testpki.Template{CN: "Naming Int", CA: true, Key: testpki.ECDSAKey(elliptic.P256(), "naming int"), Serial: 401}, root)
	leaf := testpki.Issue(testpki.Template{CN: "naming.example.test", DNS: []string{"naming.example.test"}, Serial: 402, IssuerURL: []string{srv.URL + "/int.cer"}}, inter)
	dir := t.TempDir()
	rootFile, leafFile := filepath.Join(dir, "root.pem"), filepath.Join(dir, "leaf.pem")
	os.WriteFile(rootFile, root.PEM(), 0o644)
	os.WriteFile(leafFile, leaf.PEM(), 0o644)

	code, _, stderr := runCLI(t, nil, "", "build", "--no-cache", "--roots", rootFile, leafFile)
	if code != exitFailure {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if n := strings.Count(stderr, "CN=naming.example.test"); n != 1 {
		t.Errorf("the leaf is named %d times: %s", n, stderr)
	}
	if !strings.Contains(stderr, "404") {
		t.Errorf("the error does not say what the server answered: %s", stderr)
	}
	code, stdout, _ := runCLI(t, nil, "", "check", "--no-cache", "--roots", rootFile, leafFile)
	if code != exitFailure || !strings.Contains(stdout, "404") {
		t.Errorf("check does not say why the intermediate could not be fetched (exit %d):\n%s", code, stdout)
	}
}
