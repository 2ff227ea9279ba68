package pfx

import (
	"context"
	"encoding/asn1"
	stdpem "encoding/pem"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// pbes2Item is an EncryptedData ContentInfo whose parameters ask for
// PBKDF2-HMAC-SHA256 with iterations and AES-256-CBC; its ciphertext is
// zeros, never meant to decrypt. It passes parsePFX's checks, so only the
// work bound stands between it and go-pkcs12.
func pbes2Item(t testing.TB, iterations int) []byte {
	t.Helper()
	null := asn1.RawValue{Tag: asn1.TagNull}
	kdf, err := asn1.Marshal(pbkdf2Params{
		Salt:       asn1.RawValue{Tag: asn1.TagOctetString, Bytes: []byte("saltsalt")},
		Iterations: iterations,
		PRF:        pkixAlg(oidHMACWithSHA256, null),
	})
	if err != nil {
		t.Fatal(err)
	}
	iv, err := asn1.Marshal(make([]byte, 16))
	if err != nil {
		t.Fatal(err)
	}
	params, err := asn1.Marshal(pbes2Params{
		KDF:    pkixAlg(oidPBKDF2, asn1.RawValue{FullBytes: kdf}),
		Scheme: pkixAlg(oidAES256CBC, asn1.RawValue{FullBytes: iv}),
	})
	if err != nil {
		t.Fatal(err)
	}
	ed, err := asn1.Marshal(encryptedData{EncryptedContentInfo: encryptedContentInfo{
		ContentType:                oidData,
		ContentEncryptionAlgorithm: pkixAlg(oidPBES2, asn1.RawValue{FullBytes: params}),
		EncryptedContent:           make([]byte, 1024),
	}})
	if err != nil {
		t.Fatal(err)
	}
	return derSeq(derOID(oidEncryptedData), derExplicit0(ed))
}

// manyItemsPFX is a PFX of n EncryptedData items at iterations each, with
// the synthetic (one-iteration) PBMAC1 keyed by fixturePassword.
func manyItemsPFX(t testing.TB, n, iterations int) []byte {
	t.Helper()
	items := make([][]byte, n)
	for i := range items {
		items[i] = pbes2Item(t, iterations)
	}
	data, err := synthPFX(fixturePassword, items...)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// scryptKeyPEM is an encrypted PKCS#8 key whose scrypt parameters are
// within the per-key bounds (memory, p) but whose work is not.
func scryptKeyPEM(t testing.TB, n, r, p int) []byte {
	t.Helper()
	kdf, err := asn1.Marshal(scryptParams{Salt: []byte("saltsalt"), N: n, R: r, P: p})
	if err != nil {
		t.Fatal(err)
	}
	iv, err := asn1.Marshal(make([]byte, 16))
	if err != nil {
		t.Fatal(err)
	}
	params, err := asn1.Marshal(pbes2Params{
		KDF:    pkixAlg(oidScrypt, asn1.RawValue{FullBytes: kdf}),
		Scheme: pkixAlg(oidAES256CBC, asn1.RawValue{FullBytes: iv}),
	})
	if err != nil {
		t.Fatal(err)
	}
	der, err := asn1.Marshal(encryptedPrivateKeyInfo{
		Algorithm:     pkixAlg(oidPBES2, asn1.RawValue{FullBytes: params}),
		EncryptedData: make([]byte, 64),
	})
	if err != nil {
		t.Fatal(err)
	}
	return stdpem.EncodeToMemory(&stdpem.Block{Type: labelEncPKCS8, Bytes: der})
}

// TestTooMuchWorkFailsFast: inputs whose every derivation is within
// MaxIterations but whose sum is far beyond MaxTotalIterations are
// refused before any derivation runs (before this bound, the 64-item file
// cost about 10 s of CPU) and before the password is asked for.
func TestTooMuchWorkFailsFast(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		key  bool // read with ParseKey instead of Decode
	}{
		{"PFX with 64 items at MaxIterations", manyItemsPFX(t, 64, MaxIterations), false},
		{"PFX with 5 items at MaxIterations", manyItemsPFX(t, 5, MaxIterations), false},
		{"PFX with 64 items at MaxIterations, given as a key", manyItemsPFX(t, 64, MaxIterations), true},
		{"scrypt key within the memory bound, p=16", scryptKeyPEM(t, 1<<16, 8, 16), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pw, calls := countingPassword(fixturePassword)
			start := time.Now()
			var err error
			if tt.key {
				_, err = ParseKey(tt.data, pw)
			} else {
				_, err = Decode(tt.data, pw)
			}
			elapsed := time.Since(start)
			if !errors.Is(err, ErrTooManyIterations) {
				t.Fatalf("err = %v, want ErrTooManyIterations", err)
			}
			if !strings.Contains(err.Error(), fmt.Sprint(MaxTotalIterations)) {
				t.Errorf("err = %q, want it to name the bound %d", err, MaxTotalIterations)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("err = %q, want one line", err)
			}
			if elapsed > 250*time.Millisecond {
				t.Errorf("took %v; the bound must refuse before deriving", elapsed)
			}
			if *calls != 0 {
				t.Errorf("password asked %d times for a file refused up front", *calls)
			}
		})
	}
}

// TestWorkAccounting pins what each fixture costs, derivation by
// derivation, so that none goes uncounted. Costs are in iterations; every
// fixture uses 2048 (Java: 10000). The empty-password probe checks the MAC
// twice; PKCS#12 PBE derives the key and the IV separately; a synthetic
// PFX's MAC counts synthMACCost.
func TestWorkAccounting(t *testing.T) {
	const n = 2048
	tests := []struct {
		file string
		want int64
	}{
		// probe (2 MAC checks) + MAC + certificates + key
		{"openssl-aes.p12", 2*n + n + n + n},
		{"openssl-3des.p12", 2*n + n + 2*n + 2*n},
		{"openssl-legacy-rc2.p12", 2*n + n + 2*n + 2*n},
		{"java-trusted.p12", 2*10000 + 10000 + 10000 + 10000},
		// the probe succeeds: charged as two MAC checks and both items
		{"openssl-empty-password.p12", 2*n + n + n},
		// probe + DecodeChain (MAC, item; refuses a file without a key)
		// + the item again, alone in a synthetic PFX
		{"openssl-nokeys.p12", 2*n + n + n + synthMACCost + n},
		// no MAC: each item alone in a synthetic PFX
		{"openssl-nomac.p12", synthMACCost + synthMACCost + n},
		{"openssl-plain.p12", 0},
		{"rsa-enc-aes256.pem", n},
		{"ec-enc-pbe-sha1-3des.pem", synthMACCost + 2*n},
		{"ed25519-enc-scrypt.pem", scryptIterationCost * 16384 * 8 * 1},
		{"rsa-legacy-aes256.pem", legacyPEMIterations},
		{"rsa-pkcs8.pem", 0},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			pw, _ := countingPassword(fixturePassword)
			s := newSession(context.Background(), pw)
			data := readFixture(t, tt.file)
			var err error
			if IsPKCS12(data) {
				_, err = decode(data, s)
			} else {
				_, err = parseKey(data, s)
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.spent != tt.want {
				t.Errorf("spent %d iterations, want %d", s.spent, tt.want)
			}
		})
	}
}

// TestWorkBoundAtRunTime: the bound also holds for work the up-front
// check lets through (here, the probe with the empty password comes on
// top of the least cost), with a message naming the step refused.
func TestWorkBoundAtRunTime(t *testing.T) {
	pw, calls := countingPassword(fixturePassword)
	s := newSession(context.Background(), pw)
	// openssl-aes.p12 needs 6144 at least (MAC, two items), and 10240 with
	// the probe: leave room for the first, not the second.
	s.spent = MaxTotalIterations - 9000
	_, err := decode(readFixture(t, "openssl-aes.p12"), s)
	if !errors.Is(err, ErrTooManyIterations) {
		t.Fatalf("err = %v, want ErrTooManyIterations", err)
	}
	if !strings.Contains(err.Error(), "MAC check") || !strings.Contains(err.Error(), fmt.Sprint(MaxTotalIterations)) {
		t.Errorf("err = %q, want it to name the step and the bound", err)
	}
	if *calls != 1 {
		t.Errorf("password asked %d times, want 1 (the refusal comes after the probe)", *calls)
	}
	if s.spent > MaxTotalIterations {
		t.Errorf("spent %d, beyond the bound", s.spent)
	}
}

func TestContextStopsDerivations(t *testing.T) {
	// The password prompt is where a user presses Ctrl-C: the PasswordFunc
	// cancels the context, and no derivation may start after it.
	tests := []struct {
		name, file string
	}{
		{"PFX (after the empty-password probe)", "openssl-aes.p12"},
		{"PFX with PKCS#12 PBE", "openssl-3des.p12"},
		{"PFX without a MAC", "openssl-nomac.p12"},
		{"encrypted PKCS#8", "rsa-enc-aes256.pem"},
		{"encrypted PKCS#8 with PKCS#12 PBE", "ec-enc-pbe-sha1-3des.pem"},
		{"encrypted PKCS#8 with scrypt", "ed25519-enc-scrypt.pem"},
		{"legacy encrypted PEM", "ec-legacy-des3.pem"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			pw := func() ([]byte, error) {
				cancel()
				return []byte(fixturePassword), nil
			}
			data := readFixture(t, tt.file)
			var err error
			if IsPKCS12(data) {
				_, err = DecodeContext(ctx, data, pw)
			} else {
				_, err = ParseKeyContext(ctx, data, pw)
			}
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
			if errors.Is(err, ErrIncorrectPassword) {
				t.Errorf("err = %v: a cancellation is not a wrong password", err)
			}
		})
	}
	t.Run("a context done on entry stops even unencrypted inputs", func(t *testing.T) {
		expired, cancel := context.WithDeadline(context.Background(), time.Unix(0, 0))
		defer cancel()
		if _, err := ParseKeyContext(expired, readFixture(t, "rsa-pkcs8.pem"), nil); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("plain key: err = %v, want context.DeadlineExceeded", err)
		}
		if _, err := DecodeContext(expired, readFixture(t, "openssl-plain.p12"), nil); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("plain PFX: err = %v, want context.DeadlineExceeded", err)
		}
	})
}
