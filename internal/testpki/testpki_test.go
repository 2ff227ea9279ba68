package testpki

import (
	"bytes"
	"crypto/elliptic"
	"testing"
)

func TestDeterministic(t *testing.T) {
	r := Issue(Template{CN: "Root", CA: true, Key: RSAKey(1)}, nil)
	l1 := Issue(Template{CN: "leaf", DNS: []string{"a"}}, r)
	l2 := Issue(Template{CN: "leaf", DNS: []string{"a"}}, Issue(Template{CN: "Root", CA: true, Key: RSAKey(1)}, nil))
	if !bytes.Equal(l1.DER(), l2.DER()) {
		t.Fatal("not deterministic")
	}
	for _, c := range []elliptic.Curve{elliptic.P256(), elliptic.P384(), elliptic.P521()} {
		ECDSAKey(c, "x")
	}
}
