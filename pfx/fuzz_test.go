package pfx

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzSeeds adds every committed fixture whose name has one of the
// suffixes as a seed, plus a few truncations of it.
func fuzzSeeds(f *testing.F, suffixes ...string) {
	files, err := filepath.Glob(filepath.Join("testdata", "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		ok := false
		for _, s := range suffixes {
			ok = ok || strings.HasSuffix(name, s)
		}
		if !ok {
			continue
		}
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[:len(data)/2])
		f.Add(data[:len(data)-1])
	}
}

func fuzzPassword() ([]byte, error) { return []byte(fixturePassword), nil }

func FuzzParseKey(f *testing.F) {
	fuzzSeeds(f, ".pem", ".der", ".p12")
	f.Add(scryptKeyPEM(f, 1<<16, 8, 16)) // refused: too much work
	f.Fuzz(func(t *testing.T, data []byte) {
		key, err := ParseKey(data, fuzzPassword)
		if err == nil && key == nil {
			t.Fatal("nil key without error")
		}
		if err != nil && key != nil {
			t.Fatal("key with error")
		}
	})
}

func FuzzDecode(f *testing.F) {
	fuzzSeeds(f, ".p12")
	f.Add(toBER(f, readFixture(f, "openssl-aes.p12")))
	f.Add(manyItemsPFX(f, 5, MaxIterations)) // refused: too much work
	f.Add(manyItemsPFX(f, 2, 1))             // MAC verifies; items do not decrypt
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Decode(data, fuzzPassword)
		if err != nil {
			return
		}
		if c.Leaf != nil {
			if c.Key == nil || !MatchKey(c.Key.Public(), c.Leaf) {
				t.Fatal("leaf without a matching key")
			}
		}
		for _, cert := range c.Certificates {
			if cert == nil {
				t.Fatal("nil certificate")
			}
		}
	})
}
