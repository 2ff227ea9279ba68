package main

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"chainfix/internal/fixtures"
	"chainfix/internal/report"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"chainfix": func() { os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr, osEnv{})) },
	})
}

// TestScripts runs the whole-program scripts in testdata/script: stdout,
// stderr and files of real runs of the binary. Each script starts in a
// directory holding a copy of testdata's fixtures, with the test root as
// the "system" trust store and a private cache dir.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			if err := fixtures.Write(env.WorkDir); err != nil {
				return err
			}
			env.Setenv("SSL_CERT_FILE", filepath.Join(env.WorkDir, "pki", "root.pem"))
			env.Setenv("XDG_CACHE_HOME", filepath.Join(env.WorkDir, ".cache"))
			env.Setenv("HTTP_PROXY", "")
			env.Setenv("HTTPS_PROXY", "")
			return nil
		},
	})
}

// runCLI runs the app in-process.
func runCLI(t *testing.T, env mapEnv, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	if env == nil {
		env = mapEnv{}
	}
	if env["XDG_CACHE_HOME"] == "" {
		// Never the developer's real cache: a test must not depend on it.
		env["XDG_CACHE_HOME"] = t.TempDir()
	}
	code = run(append([]string{"chainfix"}, args...), strings.NewReader(stdin), &out, &errb, env)
	return code, out.String(), errb.String()
}

// TestExitCodes pins the exit status of each kind of outcome: 0 success,
// 1 failure, 2 usage error.
func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	if err := fixtures.Write(dir); err != nil {
		t.Fatal(err)
	}
	f := func(name string) string { return filepath.Join(dir, name) }
	env := mapEnv{"SSL_CERT_FILE": f("pki/root.pem"), "XDG_CACHE_HOME": f("cache")}
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"chain built", []string{"build", "--offline", f("jumbled.pem")}, exitOK},
		{"flags after the file", []string{"build", f("jumbled.pem"), "--offline", "-o", f("out.pem")}, exitOK},
		{"missing intermediate", []string{"build", "--offline", f("pki/leaf.pem")}, exitFailure},
		{"untrusted private root", []string{"build", "--offline", f("private/intranet-chain.pem")}, exitFailure},
		{"untrusted allowed", []string{"build", "--offline", "--allow-untrusted", f("private/intranet-chain.pem")}, exitOK},
		{"no such file", []string{"build", "--offline", f("nosuch.pem")}, exitFailure},
		{"unknown flag", []string{"build", "--frobnicate", f("jumbled.pem")}, exitUsage},
		{"unknown command", []string{"frobnicate"}, exitUsage},
		{"no command", []string{}, exitUsage},
		{"bad --format", []string{"build", "--format", "xml", f("jumbled.pem")}, exitUsage},
		{"der needs split", []string{"build", "--offline", "--format", "der", f("jumbled.pem")}, exitUsage},
		{"bad --at", []string{"build", "--at", "tomorrow", f("jumbled.pem")}, exitUsage},
		{"files and --host", []string{"build", "--host", "example.test", f("jumbled.pem")}, exitUsage},
		{"bad --log-level", []string{"--log-level", "loud", "build", f("jumbled.pem")}, exitUsage},
		{"check ok", []string{"check", "--offline", f("golden/fullchain.pem")}, exitOK},
		{"check finds problems", []string{"check", "--offline", f("pki/leaf.pem")}, exitFailure},
		{"match", []string{"match", "--key", f("pki/leaf.key"), f("pki/leaf.pem")}, exitOK},
		{"no match", []string{"match", "--key", f("pki/other.key"), f("pki/leaf.pem")}, exitFailure},
		{"match without --key", []string{"match", f("pki/leaf.pem")}, exitUsage},
		{"pfx without password choice", []string{"pfx", "--offline", "--key", f("pki/leaf.key"), f("jumbled.pem"), "-o", f("x.pfx")}, exitUsage},
		{"pfx without any key", []string{"pfx", "--offline", "--no-password", f("jumbled.pem"), "-o", f("z.pfx")}, exitFailure},
		{"pfx --in with --host", []string{"pfx", "--no-password", "--in", f("x.pfx"), "--host", "127.0.0.1:1", "-o", f("z.pfx")}, exitUsage},
		{"pfx with a key that does not match", []string{"pfx", "--offline", "--no-password", "--key", f("pki/other.key"), f("jumbled.pem"), "-o", f("y.pfx")}, exitFailure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, env, "", tt.args...)
			if code != tt.want {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.want, stdout, stderr)
			}
			if code != exitOK && len(tt.args) > 0 && tt.args[0] == "build" && stdout != "" {
				t.Errorf("a failed build wrote to stdout: %q", stdout)
			}
			if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic") {
				t.Errorf("stack trace on stderr: %s", stderr)
			}
			if code == exitUsage && !strings.HasPrefix(stderr, "chainfix: error: ") {
				t.Errorf("usage error without the one-line message: %q", stderr)
			}
		})
	}
}

func TestReorderArgs(t *testing.T) {
	st := &state{log: newLogger(report.NewVoice(&bytes.Buffer{})), voice: report.NewVoice(&bytes.Buffer{}), env: mapEnv{}}
	app := newApp(st)
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"flags first stay", "build -o out.pem leaf.pem", "build -o out.pem leaf.pem"},
		{"value flag after the file", "build leaf.pem -o out.pem", "build -o out.pem leaf.pem"},
		{"bool and value flags after files", "build a.pem b.pem --include-root --out x.pem", "build --include-root --out x.pem a.pem b.pem"},
		{"flag=value form", "build a.pem --out=x.pem", "build --out=x.pem a.pem"},
		{"repeated slice flag", "build a.pem --pool p1 --pool p2", "build --pool p1 --pool p2 a.pem"},
		{"stdin dash stays a file", "build - -o x.pem", "build -o x.pem -"},
		{"double dash ends flags", "build a.pem -- -o", "build -- a.pem -o"},
		{"double dash keeps dash files", "build --offline int.pem -- -leaf.pem", "build --offline -- int.pem -leaf.pem"},
		{"global flags after the command move before it", "build a.pem -q --log-level debug -o x", "-q --log-level debug build -o x a.pem"},
		{"global flags before the command", "-v build a.pem -o x", "-v build -o x a.pem"},
		{"global value flag", "--log-level debug build a.pem --offline", "--log-level debug build --offline a.pem"},
		{"unknown flag moves too so the parser reports it", "build a.pem --bogus", "build --bogus a.pem"},
		{"unknown command untouched", "frob a -o x", "frob a -o x"},
		{"help after a file asks for the command's help", "build a.pem --help", "build --help"},
		{"-h after flags and files too", "-q build a.pem -o x -h", "-q build --help"},
		{"help after -- is a file name", "build -- --help", "build -- --help"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := reorderArgs(app, strings.Fields(tt.in))
			if !reflect.DeepEqual(got, strings.Fields(tt.want)) {
				t.Errorf("reorderArgs(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestFixturesUpToDate proves the committed testdata is what the generator
// writes, so regenerating changes nothing and nobody edits fixtures by hand.
func TestFixturesUpToDate(t *testing.T) {
	for name, want := range fixtures.Files() {
		got, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(name)))
		if err != nil {
			t.Errorf("%s: %v (run go generate)", name, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("testdata/%s differs from what the generator writes (run go generate)", name)
		}
	}
}

// TestAfterHandler: stdout's writes wait for the signal handler, and a
// terminal behind the wrapper is still seen as one.
func TestAfterHandler(t *testing.T) {
	var buf bytes.Buffer
	ready := make(chan struct{})
	out := &afterHandler{w: &buf, ready: ready}
	wrote := make(chan error, 1)
	go func() {
		_, err := out.Write([]byte("bundle"))
		wrote <- err
	}()
	select {
	case err := <-wrote:
		t.Fatalf("the write ended (%v) before the handler was in place", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(ready)
	if err := <-wrote; err != nil || buf.String() != "bundle" {
		t.Fatalf("wrote %q, %v", buf.String(), err)
	}
	// A pseudo-terminal's master side answers the terminal ioctl too.
	f, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer f.Close()
	if !isTerminal(f) {
		t.Skip("/dev/ptmx is not a terminal here")
	}
	if !isTerminal(&afterHandler{w: f, ready: ready}) {
		t.Error("a terminal behind afterHandler is not seen as one")
	}
}

// TestNewAppFor: a run that names a command makes that command alone, as
// the full tree makes it; help, completion, a mistyped command and no
// command get every command.
func TestNewAppFor(t *testing.T) {
	full := newApp(testState())
	if len(full.Commands) != len(commands) {
		t.Fatalf("the full tree has %d commands, the table %d", len(full.Commands), len(commands))
	}
	for i, c := range full.Commands {
		if c.Name != commands[i].name {
			t.Errorf("command %d is called %q, the table says %q", i, c.Name, commands[i].name)
		}
		app := newAppFor(testState(), []string{"-q", "--log-level", "debug", c.Name, "leaf.pem"})
		if c.Name == "completion" {
			if len(app.Commands) != len(commands) {
				t.Errorf("completion: %d commands, want all %d", len(app.Commands), len(commands))
			}
			continue
		}
		if len(app.Commands) != 1 || app.Commands[0].Name != c.Name {
			t.Errorf("%s: the app has %d commands", c.Name, len(app.Commands))
			continue
		}
		var want, got []string
		for _, f := range c.Flags {
			want = append(want, f.String())
		}
		for _, f := range app.Commands[0].Flags {
			got = append(got, f.String())
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: flags differ from the full tree's", c.Name)
		}
	}
	for _, args := range [][]string{nil, {"help", "build"}, {"biuld"}, {"--version"}, {"--log-level", "build"}} {
		if n := len(newAppFor(testState(), args).Commands); n != len(commands) {
			t.Errorf("%q: %d commands, want all %d", args, n, len(commands))
		}
	}
}
