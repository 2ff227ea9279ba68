package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"chainfix/internal/testpki"
)

// TestAIAAlternatives: a leaf names two caIssuers URLs; the first serves an
// issuer that gives only an invalid path (expired at --at, or reaching an
// untrusted root), the second a good one. chainfix must try the second and
// apply its path policy to every candidate.
func TestAIAAlternatives(t *testing.T) {
	root := testpki.Issue(testpki.Template{CN: "Alt Root", CA: true, Key: testpki.RSAKey(10), Serial: 200}, nil)
	other := testpki.Issue(testpki.Template{CN: "Alt Untrusted Root", CA: true, Key: testpki.RSAKey(11), Serial: 201}, nil)
	intKey := testpki.RSAKey(12)
	good := testpki.Issue(testpki.Template{CN: "Alt Int", CA: true, Key: intKey, Serial: 202}, root)
	expired := testpki.Issue(testpki.Template{CN: "Alt Int", CA: true, Key: intKey, Serial: 203,
		NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}, root)
	untrusted := testpki.Issue(testpki.Template{CN: "Alt Int", CA: true, Key: intKey, Serial: 204}, other)

	for _, tt := range []struct {
		name  string
		first *testpki.Cert
	}{
		{"first URL serves an expired issuer", expired},
		{"first URL serves an issuer under an untrusted root", untrusted},
	} {
		t.Run(tt.name, func(t *testing.T) {
			mux := http.NewServeMux()
			mux.HandleFunc("/first.cer", func(w http.ResponseWriter, r *http.Request) { w.Write(tt.first.DER()) })
			mux.HandleFunc("/second.cer", func(w http.ResponseWriter, r *http.Request) { w.Write(good.DER()) })
			srv := httptest.NewServer(mux)
			defer srv.Close()
			leaf := testpki.Issue(testpki.Template{CN: "alt.example.test", DNS: []string{"alt.example.test"}, Serial: 205,
				IssuerURL: []string{srv.URL + "/first.cer", srv.URL + "/second.cer"}}, good)
			dir := t.TempDir()
			write := func(name string, data []byte) string {
				p := filepath.Join(dir, name)
				if err := os.WriteFile(p, data, 0o644); err != nil {
					t.Fatal(err)
				}
				return p
			}
			rootFile, leafFile := write("root.pem", root.PEM()), write("leaf.pem", leaf.PEM())
			code, stdout, stderr := runCLI(t, nil, "", "build", "--no-cache", "--at", "2026-01-01", "--roots", rootFile, leafFile)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if want := string(leaf.PEM()) + string(good.PEM()); stdout != want {
				t.Errorf("bundle is not leaf + the valid intermediate:\n%s", stdout)
			}
		})
	}
}

// TestNoDataLoss: outputs never replace an input or a file that is not a
// directory; the file stays as it was and the run fails.
func TestNoDataLoss(t *testing.T) {
	_, f := fixtureDir(t)
	env := mapEnv{"SSL_CERT_FILE": f("pki/root.pem"), "PW": "s3cret"}
	notes := f("notes.txt")
	if err := os.WriteFile(notes, []byte("my notes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, env, "", "pfx", "--offline", "--key", f("pki/leaf.key"), f("pki/leaf.pem"), f("pki/intermediate.pem"), "-o", f("site.pfx"), "--password-env", "PW"); code != 0 {
		t.Fatalf("making site.pfx: exit %d: %s", code, stderr)
	}
	link := f("leaf-link.pem")
	if err := os.Symlink(f("pki/leaf.pem"), link); err != nil && runtime.GOOS != "windows" {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		args    []string
		victim  string
		wantErr string
	}{
		{"--split onto a regular file", []string{"build", "--offline", "--split", notes, f("jumbled.pem")}, notes, "not a directory"},
		{"--split onto an input", []string{"build", "--offline", "--split", f("pki/leaf.pem"), f("pki/leaf.pem")}, f("pki/leaf.pem"), "input"},
		{"key -o its own input", []string{"key", "--in", f("site.pfx"), "--password-env", "PW", "-o", f("site.pfx")}, f("site.pfx"), "also an input"},
		{"build -o its own input", []string{"build", "--offline", f("site.pfx"), "--password-env", "PW", "-o", f("site.pfx")}, f("site.pfx"), "also an input"},
		{"build -o an input through a link", []string{"build", "--offline", link, f("pki/intermediate.pem"), "-o", f("pki/leaf.pem")}, f("pki/leaf.pem"), "also an input"},
		{"pfx -o the key", []string{"pfx", "--offline", "--key", f("pki/leaf.key"), f("pki/leaf.pem"), "-o", f("pki/leaf.key"), "--password-env", "PW"}, f("pki/leaf.key"), "also an input"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if runtime.GOOS == "windows" && strings.Contains(tt.name, "through a link") {
				t.Skip("symbolic links need a privilege on Windows (and Wine's are not followed)")
			}
			before, err := os.ReadFile(tt.victim)
			if err != nil {
				t.Fatal(err)
			}
			code, _, stderr := runCLI(t, env, "", tt.args...)
			if code != exitFailure {
				t.Errorf("exit %d, want 1: %s", code, stderr)
			}
			if !strings.Contains(stderr, tt.wantErr) {
				t.Errorf("stderr does not say %q: %s", tt.wantErr, stderr)
			}
			after, err := os.ReadFile(tt.victim)
			if err != nil || string(after) != string(before) {
				t.Errorf("%s changed (%v)", tt.victim, err)
			}
		})
	}
}

// TestHelpAndUsage: help after a file name, flags a command does not
// offer, help text without bare placeholders or noise, a suggestion for a
// mistyped command, exit codes in the root help.
func TestHelpAndUsage(t *testing.T) {
	_, f := fixtureDir(t)
	code, stdout, stderr := runCLI(t, nil, "", "build", f("pki/leaf.pem"), "--help")
	if code != 0 || !strings.Contains(stdout, "chainfix build leaf.pem -o fullchain.pem") {
		t.Errorf("build FILE --help: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, _, stderr = runCLI(t, nil, "", "check", "--allow-untrusted", f("pki/leaf.pem"))
	if code != exitUsage || !strings.Contains(stderr, "allow-untrusted") {
		t.Errorf("check --allow-untrusted: exit %d, stderr %q; want a usage error", code, stderr)
	}
	code, _, stderr = runCLI(t, nil, "", "buidl", f("pki/leaf.pem"))
	if code != exitUsage || !strings.Contains(stderr, `did you mean "build"?`) {
		t.Errorf("buidl: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = runCLI(t, nil, "", "frobnicate")
	if code != exitUsage || strings.Contains(stderr, "did you mean") {
		t.Errorf("frobnicate: exit %d, stderr %q; want no far-fetched suggestion", code, stderr)
	}
	_, root, _ := runCLI(t, nil, "", "--help")
	if !strings.Contains(root, "EXIT STATUS") || !strings.Contains(root, "usage error") {
		t.Errorf("root help lacks the exit codes:\n%s", root)
	}
	for _, cmd := range []string{"build", "pfx", "check", "match", "key"} {
		_, help, _ := runCLI(t, nil, "", "help", cmd)
		if strings.Contains(help, " value ") || strings.Contains(help, "(default: false)") {
			t.Errorf("help %s has a bare 'value' placeholder or '(default: false)':\n%s", cmd, help)
		}
	}
}

// TestRootsNotRoot: a --roots certificate that is not a self-signed CA is
// announced, and build and check agree on what the chain is.
func TestRootsNotRoot(t *testing.T) {
	_, f := fixtureDir(t)
	code, stdout, stderr := runCLI(t, nil, "", "build", "--offline", "--roots", f("pki/intermediate.pem"), f("pki/leaf.pem"))
	if code != 0 || !strings.Contains(stderr, "although it is not a root") {
		t.Fatalf("build: exit %d, stderr %s", code, stderr)
	}
	if strings.Count(stdout, "BEGIN CERTIFICATE") != 2 {
		t.Errorf("build did not keep the intermediate anchor in the bundle:\n%s", stdout)
	}
	code, stdout, stderr = runCLI(t, nil, "", "check", "--offline", "--roots", f("pki/intermediate.pem"), f("pki/leaf.pem"))
	if code != exitFailure || !strings.Contains(stdout, "chain-incomplete") || !strings.Contains(stderr, "although it is not a root") {
		t.Errorf("check of a leaf alone with the intermediate as anchor: exit %d, want 1 with chain-incomplete (build adds it):\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, _ = runCLI(t, nil, "", "check", "--offline", "--roots", f("pki/intermediate.pem"), f("pki/leaf.pem"), f("pki/intermediate.pem"))
	if code != 0 {
		t.Errorf("check of leaf + intermediate, the intermediate as anchor: exit %d, want 0:\n%s", code, stdout)
	}
}

// types names a receiver's type: "*state", "hinted".
func types(fl *ast.FieldList) string {
	switch t := fl.List[0].Type.(type) {
	case *ast.StarExpr:
		if id, ok := t.X.(*ast.Ident); ok {
			return "*" + id.Name
		}
	case *ast.Ident:
		return t.Name
	}
	return ""
}

// TestThinCLI: command files call no function or method defined in
// another command file (each command is one file over the engine).
func TestThinCLI(t *testing.T) {
	files, _ := filepath.Glob("cmd_*.go")
	fset := token.NewFileSet()
	asts := map[string]*ast.File{}
	home := map[string]string{} // function or method name -> file
	for _, name := range files {
		af, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		asts[name] = af
		for _, d := range af.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok {
				continue
			}
			// Functions, and the commands' methods on *state; methods of a
			// file's own types (an error's Error) are called through
			// interfaces.
			if fd.Recv == nil || types(fd.Recv) == "*state" {
				home[fd.Name.Name] = name
			}
		}
	}
	if len(home) < 5 {
		t.Fatalf("found only %d functions in %d command files", len(home), len(files))
	}
	for name, af := range asts {
		ast.Inspect(af, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			var fn string
			switch f := call.Fun.(type) {
			case *ast.Ident:
				fn = f.Name
			case *ast.SelectorExpr:
				fn = f.Sel.Name
			}
			if h, ok := home[fn]; ok && h != name {
				t.Errorf("%s calls %s, defined in %s", name, fn, h)
			}
			return true
		})
	}
}

// TestCLIOnlyInMain: the engine does not know the command line: no package
// but main imports urfave/cli.
func TestCLIOnlyInMain(t *testing.T) {
	checked := 0
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || filepath.Dir(path) == "." || !strings.HasSuffix(path, ".go") {
			return nil
		}
		af, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		for _, imp := range af.Imports {
			if strings.Contains(imp.Path.Value, "github.com/urfave/cli") {
				t.Errorf("%s imports %s: only package main may", path, imp.Path.Value)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Errorf("checked only %d files", checked)
	}
}
