package repair

import (
	"context"
	"crypto/x509"
	"errors"
	"strings"
	"testing"

	"chainfix/bundle"
	"chainfix/internal/testpki"
)

// TestDiagnoseSaysWhyTheFetchFailed: chain-incomplete names the failed AIA
// fetch, so the admin knows chainfix build cannot complete the chain
// either, and why.
func TestDiagnoseSaysWhyTheFetchFailed(t *testing.T) {
	root := testpki.Issue(testpki.Template{CN: "root", CA: true, Key: testpki.RSAKey(1)}, nil)
	inter := testpki.Issue(testpki.Template{CN: "int", CA: true, Key: testpki.RSAKey(2)}, root)
	leaf := testpki.Issue(testpki.Template{CN: "www.example", DNS: []string{"www.example"}, IssuerURL: []string{"http://aia.example/int.cer"}}, inter).Cert
	served := []*x509.Certificate{leaf}
	res, err := bundle.Build(context.Background(), served, bundle.Options{Roots: []*x509.Certificate{root.Cert}, At: testpki.Epoch, AllowUntrusted: true})
	if err != nil {
		t.Fatal(err)
	}
	out := &Outcome{Request: &Request{At: testpki.Epoch}, Given: served, Input: served, Result: res,
		FetchProblems: []FetchProblem{{Cert: leaf, Err: errors.New("http://aia.example/int.cer: 404 Not Found")}}}
	fs := Diagnose(out, DiagnoseOptions{})
	if len(fs) == 0 || fs[0].ID != bundle.IDChainIncomplete || !strings.Contains(fs[0].Message, "fetching it failed: http://aia.example/int.cer: 404 Not Found") {
		t.Errorf("findings %+v", fs)
	}
}
