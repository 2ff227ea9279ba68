package bundle

import (
	"context"
	"testing"
	"time"

	"chainfix/internal/testpki"
)

// Reasons are data: each Dropped, Rejected, Note and the leaf choice
// carries its kind and the certificates it is about, and the words come
// from package internal/report (read here through dropText and friends).
func TestReasonsAreData(t *testing.T) {
	t.Run("dropped", func(t *testing.T) {
		p := newPKI(t, append(clone(lePKI),
			spec{label: "R3-sibling", cn: "R3", issuer: "X1", key: 6, muts: []mut{org("Let's Encrypt")}},
			spec{label: "old", issuer: "R3", leaf: true, muts: []mut{expired}},
			spec{label: "other", key: 7},
		))
		input := p.get(t, "leaf", "R3", "X1-by-DST", "R3", "R3-sibling", "other")
		r, err := Build(context.Background(), input, Options{Roots: p.get(t, "X1"), At: testpki.Epoch})
		if err != nil {
			t.Fatal(err)
		}
		want := []struct {
			label string
			kind  DropKind
			other string
			text  string
		}{
			// A duplicate sits at the place of its first copy.
			{"R3", DropDuplicate, "", "duplicate of input certificate 2 (CN=R3,O=Let's Encrypt)"},
			{"X1-by-DST", DropExpiredCrossSign, "X1", "expired cross-sign: CN=ISRG Root X1 expired 2024-09-30; the path ends at the trusted root itself"},
			{"R3-sibling", DropWrongIntermediate, "leaf", "wrong intermediate: CN=R3,O=Let's Encrypt has the name of the issuer of CN=leaf but did not sign it (a renewed or sibling CA with another key, or a damaged copy), not on the path"},
			{"other", DropUnrelated, "", "not on the path (unrelated to the leaf)"},
		}
		if len(r.Dropped) != len(want) {
			t.Fatalf("Dropped = %+v", r.Dropped)
		}
		for i, w := range want {
			d := r.Dropped[i]
			other := ""
			if d.Other != nil {
				other = p.label(d.Other)
			}
			if p.label(d.Cert) != w.label || d.Kind != w.kind || other != w.other || dropText(d) != w.text {
				t.Errorf("Dropped[%d] = %s %s (other %q): %q, want %s %s (other %q): %q", i, p.label(d.Cert), d.Kind, other, dropText(d), w.label, w.kind, w.other, w.text)
			}
		}
		if d := r.Dropped[1]; !d.OfRoot {
			t.Errorf("the expired cross-sign of the trusted root: OfRoot false")
		}
		if d := r.Dropped[0]; d.Index != 1 {
			t.Errorf("duplicate Index = %d, want 1", d.Index)
		}
	})
	t.Run("on a rejected path", func(t *testing.T) {
		p := newPKI(t, append(clone(basicPKI),
			spec{label: "root-b", key: 7},
			spec{label: "int-b", issuer: "root-b", key: 8},
			spec{label: "int-by-b", cn: "int", issuer: "int-b", key: 2}))
		r, err := Build(context.Background(), p.get(t, "leaf", "int", "int-by-b", "int-b", "root-b"), Options{Roots: p.get(t, "root"), At: testpki.Epoch})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range r.Dropped {
			if p.label(d.Cert) != "int-b" {
				continue
			}
			if d.Kind != DropOnRejectedPath || d.Rejected == nil || d.Rejected.Kind != RejectUntrustedRoot || p.label(d.Rejected.Cert) != "root-b" {
				t.Errorf("int-b: %+v", d)
			}
			if got, want := dropText(d), "on a rejected path: untrusted root CN=root-b"; got != want {
				t.Errorf("int-b: %q, want %q", got, want)
			}
			return
		}
		t.Errorf("int-b not dropped: %+v", r.Dropped)
	})
	t.Run("rejected and notes", func(t *testing.T) {
		p := newPKI(t, []spec{
			{label: "root", key: 1},
			{label: "int-short", cn: "int", issuer: "root", key: 2, muts: []mut{notAfter(date(2027, 1, 1))}},
			{label: "int-shorter", cn: "int", issuer: "root", key: 2, muts: []mut{notAfter(date(2026, 12, 1))}},
			{label: "leaf", issuer: "int-short", leaf: true, muts: []mut{notAfter(date(2028, 1, 1))}},
		})
		r, err := Build(context.Background(), p.get(t, "leaf", "int-shorter", "int-short"), Options{Roots: p.get(t, "root"), At: testpki.Epoch})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Rejected) != 1 {
			t.Fatalf("Rejected = %+v", r.Rejected)
		}
		rj := r.Rejected[0]
		if rj.Kind != RejectEarlierExpiry || p.label(rj.Cert) != "int-shorter" || p.label(rj.Other) != "int-short" {
			t.Errorf("Rejected = %+v", rj)
		}
		if got, want := rejectText(rj), "its earliest-expiring intermediate CN=int expires 2026-12-01, before the chosen path's (2027-01-01)"; got != want {
			t.Errorf("rejected: %q, want %q", got, want)
		}
		if len(r.Notes) != 1 || r.Notes[0].Code != NoteIntermediateExpiresBeforeLeaf || r.Notes[0].Leaf != r.Leaf {
			t.Fatalf("Notes = %+v", r.Notes)
		}
		if got, want := noteText(r.Notes[0]), "intermediate CN=int expires 2027-01-01, before the leaf (2028-01-01); the chain breaks then unless its CA's newer intermediate is installed"; got != want {
			t.Errorf("note: %q, want %q", got, want)
		}
	})
	t.Run("SHA-1 note", func(t *testing.T) {
		p := newPKI(t, []spec{
			{label: "root", key: 1},
			{label: "int", issuer: "root", key: 2},
			{label: "leaf", issuer: "int", leaf: true, muts: []mut{signedSHA1}},
		})
		// crypto/x509 refuses the SHA-1 leaf; the note is what an
		// untrusted, self-anchored reading of the same path would give.
		notes := notesFor(p.get(t, "leaf", "int", "root"), true, true)
		if len(notes) != 1 || notes[0].Code != NoteWeakSignature || notes[0].Hash != "SHA-1" || p.label(notes[0].Cert) != "leaf" {
			t.Fatalf("notes = %+v", notes)
		}
		if got, want := noteText(notes[0]), "CN=leaf is signed with SHA-1, which current clients refuse; get a SHA-256 reissue from its CA"; got != want {
			t.Errorf("note: %q, want %q", got, want)
		}
	})
	t.Run("leaf choice", func(t *testing.T) {
		p := newPKI(t, []spec{
			{label: "root", key: 1},
			{label: "int", issuer: "root", key: 2},
			{label: "a", issuer: "int", leaf: true},
			{label: "a-expired", cn: "a", issuer: "int", leaf: true, muts: []mut{expired}},
			{label: "b", issuer: "int", leaf: true},
		})
		r, err := Build(context.Background(), p.get(t, "a-expired", "a", "int", "b"), Options{Roots: p.get(t, "root"), At: testpki.Epoch})
		if err != nil {
			t.Fatal(err)
		}
		c := r.LeafChoice
		if c.Kind != LeafRanked || c.Validity != Valid || len(c.Rivals) != 2 {
			t.Fatalf("LeafChoice = %+v", c)
		}
		if rv := c.Rivals[0]; p.label(rv.Cert) != "a-expired" || rv.Lost != LostValidity || rv.Validity != Expired {
			t.Errorf("rival 0 = %+v", rv)
		}
		if rv := c.Rivals[1]; p.label(rv.Cert) != "b" || rv.Lost != LostInputOrder || p.label(rv.Site) != "a" {
			t.Errorf("rival 1 = %+v", rv)
		}
		for _, d := range r.Dropped {
			if d.Kind != DropOtherLeaf || d.Rival == nil || d.Other != r.Leaf {
				t.Errorf("Dropped %s: %+v", p.label(d.Cert), d)
			}
		}
	})
}

func TestIsRoot(t *testing.T) {
	p := newPKI(t, []spec{
		{label: "root", key: 1},
		{label: "int", issuer: "root", key: 2},
		{label: "leaf", issuer: "int", leaf: true},
		{label: "self-signed-leaf", leaf: true},
		{label: "self-signed-ca", cn: "www", key: 3},
		{label: "rollover", cn: "root", issuer: "root", key: 4},
	})
	for label, want := range map[string]bool{"root": true, "int": false, "leaf": false, "self-signed-leaf": false, "self-signed-ca": true, "rollover": false} {
		if got := IsRoot(p.certs[label].Cert); got != want {
			t.Errorf("IsRoot(%s) = %v, want %v", label, got, want)
		}
	}
	if IsRoot(nil) {
		t.Error("IsRoot(nil) = true")
	}
}

func TestValidityAt(t *testing.T) {
	p := newPKI(t, []spec{{label: "root", key: 1, muts: []mut{notBefore(date(2025, 1, 1)), notAfter(date(2026, 1, 1))}}})
	c := p.certs["root"].Cert
	for at, want := range map[time.Time]Validity{
		date(2024, 12, 31): NotYetValid,
		c.NotBefore:        Valid, // both bounds are inclusive
		c.NotAfter:         Valid,
		date(2026, 1, 2):   Expired,
	} {
		if got := ValidityAt(c, at); got != want {
			t.Errorf("ValidityAt(%s) = %s, want %s", at, got, want)
		}
	}
}
