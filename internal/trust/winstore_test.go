package trust

import (
	"encoding/pem"
	"errors"
	"os"
	"slices"
	"testing"
)

// derOf reads the certificates of a committed PEM fixture as DER, as
// CertEnumCertificatesInStore hands them over.
func derOf(t *testing.T, parts ...string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(testdataPath(parts...))
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return out
		}
		out = append(out, b.Bytes)
	}
}

// TestWindowsStore assembles canned Windows system stores: roots from every
// ROOT and AuthRoot store, once each; the CA stores as intermediates; what
// a Disallowed store holds in neither; stores that cannot be opened passed
// over.
func TestWindowsStore(t *testing.T) {
	modern, legacy := derOf(t, "cross", "modern-root.pem"), derOf(t, "cross", "legacy-root.pem")
	testRoot, inter := derOf(t, "pki", "root.pem"), derOf(t, "pki", "intermediate.pem")
	private := derOf(t, "private", "root.pem")
	stores := map[winStoreRef][][]byte{
		{winLocationMachine, "ROOT"}:                  append(append([][]byte{}, modern...), legacy...),
		{winLocationMachine, "AuthRoot"}:              append([][]byte{{0x30, 0x00}}, modern...), // a broken certificate, a duplicate
		{winLocationMachineGroupPolicy, "ROOT"}:       testRoot,                                  // the enterprise root, by GPO
		{winLocationUser, "ROOT"}:                     private,
		{winLocationMachine, "CA"}:                    append(append([][]byte{}, inter...), modern...), // a root in the CA store is not an intermediate
		{winLocationUser, "Disallowed"}:               legacy,
		{winLocationMachineGroupPolicy, "Disallowed"}: nil,
	}
	var opened []winStoreRef
	read := func(ref winStoreRef) ([][]byte, error) {
		opened = append(opened, ref)
		ders, ok := stores[ref]
		if !ok {
			return nil, errors.New("The system cannot find the file specified.")
		}
		return ders, nil
	}
	s, err := windowsStore(read, Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantRoots := []string{"Chainfix Modern Root X1", "Chainfix Test Root R1", "Example Corp Private Root"}
	if got := names(s.Anchors.All()); !slices.Equal(got, wantRoots) {
		t.Errorf("roots %q, want %q", got, wantRoots)
	}
	if got := names(s.Intermediates); !slices.Equal(got, []string{"Chainfix Test Intermediate I1"}) {
		t.Errorf("intermediates %q", got)
	}
	if s.Name != winStoreName || s.IntermediatesFrom != winIntermediates {
		t.Errorf("named %q / %q", s.Name, s.IntermediatesFrom)
	}
	for _, ref := range append(append(append([]winStoreRef{}, winRootStores...), winCAStores...), winDisallowedStores...) {
		if !slices.Contains(opened, ref) {
			t.Errorf("store %s not read", ref)
		}
	}

	t.Run("no root store readable", func(t *testing.T) {
		_, err := windowsStore(func(winStoreRef) ([][]byte, error) { return nil, errors.New("access denied") }, Options{})
		if !errors.Is(err, ErrNoSystemStore) {
			t.Fatalf("error %v, want ErrNoSystemStore (Default then uses the Mozilla set)", err)
		}
	})
}
