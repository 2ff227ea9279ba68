package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"

	"chainfix/internal/fixtures"
	"chainfix/internal/report"
)

// TestRootsKeywords: --roots system and --roots mozilla choose a store by
// name, combine with files, and -v says which store was used and how many
// roots it held; a file named "system" is given as ./system.
func TestRootsKeywords(t *testing.T) {
	dir := t.TempDir()
	if err := fixtures.Write(dir); err != nil {
		t.Fatal(err)
	}
	f := func(name string) string { return filepath.Join(dir, name) }
	testRoot := f("pki/root.pem")
	tests := []struct {
		name       string
		env        mapEnv
		args       []string
		wantCode   int
		wantStderr []string
	}{
		{
			name:       "system: SSL_CERT_FILE names the store on every platform",
			env:        mapEnv{"SSL_CERT_FILE": testRoot},
			args:       []string{"-v", "build", "--offline", "--roots", "system", f("jumbled.pem")},
			wantCode:   exitOK,
			wantStderr: []string{"trusting 1 roots from " + testRoot},
		},
		{
			name:       "mozilla: the test root is not among the public roots",
			env:        mapEnv{"SSL_CERT_FILE": testRoot},
			args:       []string{"-v", "build", "--offline", "--roots", "mozilla", f("jumbled.pem")},
			wantCode:   exitFailure,
			wantStderr: []string{"roots from the embedded Mozilla root set"},
		},
		{
			name:       "system and a file combined",
			env:        mapEnv{"SSL_CERT_FILE": testRoot},
			args:       []string{"-v", "build", "--offline", "--roots", "system", "--roots", f("private/root.pem"), f("private/intranet-chain.pem")},
			wantCode:   exitOK,
			wantStderr: []string{"trusting 2 roots from " + testRoot + " + --roots " + f("private/root.pem")},
		},
		{
			name:       "system where there is none: an error, no silent fallback",
			env:        mapEnv{"SSL_CERT_FILE": f("no-such-bundle.pem")},
			args:       []string{"build", "--offline", "--roots", "system", f("jumbled.pem")},
			wantCode:   exitFailure,
			wantStderr: []string{"chainfix: error: --roots system: ", "use --roots mozilla or --roots FILE"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.env, "", tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s", code, tt.wantCode, stderr)
			}
			for _, w := range tt.wantStderr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not say %q:\n%s", w, stderr)
				}
			}
		})
	}

	t.Run("a file named system is given as ./system", func(t *testing.T) {
		data, err := os.ReadFile(testRoot)
		if err != nil {
			t.Fatal(err)
		}
		work := t.TempDir()
		if err := os.WriteFile(filepath.Join(work, "system"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Chdir(work)
		// The store named by the keyword has no test root; the file has.
		env := mapEnv{"SSL_CERT_FILE": f("cross/roots.pem")}
		if code, _, stderr := runCLI(t, env, "", "build", "--offline", "--roots", "system", f("jumbled.pem")); code != exitFailure {
			t.Errorf("--roots system used the file: exit %d\n%s", code, stderr)
		}
		if code, _, stderr := runCLI(t, env, "", "-v", "build", "--offline", "--roots", "./system", f("jumbled.pem")); code != exitOK || !strings.Contains(stderr, "from --roots ./system") {
			t.Errorf("--roots ./system: exit %d\n%s", code, stderr)
		}
	})
}

// TestDefaultCacheDir pins the AIA cache location per platform, from the
// run's environment: %LocalAppData% on Windows, ~/Library/Caches on macOS,
// $XDG_CACHE_HOME or ~/.cache elsewhere, none when nothing says where.
// Only the cases of the platform running the test apply; CI runs the
// Windows ones under Wine.
func TestDefaultCacheDir(t *testing.T) {
	const home = "/home/admin"
	tests := []struct {
		goos string // "unix": anything but windows and darwin
		name string
		env  mapEnv
		want string
	}{
		{"windows", "LocalAppData", mapEnv{"LocalAppData": `C:\Users\admin\AppData\Local`, "HOME": home}, filepath.Join(`C:\Users\admin\AppData\Local`, "chainfix")},
		{"windows", "no LocalAppData", mapEnv{"HOME": home}, ""},
		{"darwin", "Library/Caches", mapEnv{"HOME": "/Users/admin", "XDG_CACHE_HOME": "/ignored"}, filepath.Join("/Users/admin", "Library", "Caches", "chainfix")},
		{"darwin", "no HOME", mapEnv{}, ""},
		{"unix", "XDG_CACHE_HOME", mapEnv{"XDG_CACHE_HOME": "/var/cache/x", "HOME": home}, filepath.Join("/var/cache/x", "chainfix")},
		{"unix", "~/.cache", mapEnv{"HOME": home}, filepath.Join(home, ".cache", "chainfix")},
		{"unix", "no HOME", mapEnv{}, ""},
	}
	goos := runtime.GOOS
	if goos != "windows" && goos != "darwin" {
		goos = "unix"
	}
	ran := 0
	for _, tt := range tests {
		if tt.goos != goos {
			continue
		}
		ran++
		t.Run(tt.name, func(t *testing.T) {
			l := logrus.New()
			l.SetLevel(logrus.PanicLevel)
			st := &state{env: tt.env, log: l, voice: report.NewVoice(&strings.Builder{})}
			if got := st.defaultCacheDir(); got != tt.want {
				t.Errorf("cache dir %q, want %q", got, tt.want)
			}
		})
	}
	if ran == 0 {
		t.Skipf("no case for %s", runtime.GOOS)
	}
}
