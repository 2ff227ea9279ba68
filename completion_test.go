package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"
	"github.com/urfave/cli/v2"

	"chainfix/internal/fixtures"
	"chainfix/internal/report"
	"chainfix/internal/testtool"
)

// testTree is the completion model of a fresh app.
func testTree() compTree {
	l := logrus.New()
	l.SetOutput(&strings.Builder{})
	var out strings.Builder
	return completionModel(newApp(&state{stdout: &out, stderr: &out, voice: report.NewVoice(&out), env: mapEnv{}, log: l}))
}

// TestCompletionScripts: each shell's script names every command and the
// values of the flags that take one of a few words; an unknown shell or a
// missing one is a usage error.
func TestCompletionScripts(t *testing.T) {
	tree := testTree()
	for _, shell := range completionShells {
		t.Run(shell, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, nil, "", "completion", shell)
			if code != exitOK || stderr != "" {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			for _, c := range tree.commands {
				if !strings.Contains(stdout, c.name) {
					t.Errorf("no command %s", c.name)
				}
			}
			for _, want := range []string{"--format", "p7b", "--purpose", "client", "--encryption", "legacy", "--starttls", "postgres", "--for", "iis", "mozilla"} {
				if shell == "fish" {
					want = strings.Replace(want, "--", "-l ", 1) // complete -l format
				}
				if !strings.Contains(stdout, want) {
					t.Errorf("does not offer %s", want)
				}
			}
		})
	}
	// fish completes file names for the flags that take a file or a
	// directory, and only for those ("-f": no file names).
	_, fish, _ := runCLI(t, nil, "", "completion", "fish")
	for flag, files := range map[string]bool{"roots": true, "out-dir": true, "key": true, "format": false, "offline": false} {
		line := ""
		for _, l := range strings.Split(fish, "\n") {
			if strings.Contains(l, "__fish_seen_subcommand_from build'") && strings.Contains(l, " -l "+flag+" ") && strings.Contains(l, " -d ") {
				line = l
			}
		}
		if line == "" || strings.Contains(line, " -f ") == files {
			t.Errorf("fish, build --%s (file names: %v): %q", flag, files, line)
		}
	}
	for _, args := range [][]string{{"completion"}, {"completion", "tcsh"}, {"completion", "bash", "zsh"}} {
		if code, _, stderr := runCLI(t, nil, "", args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d: %s", args, code, exitUsage, stderr)
		}
	}
}

// TestCompletionBash runs the bash script the way bash's programmable
// completion does, for the situations an admin meets.
func TestCompletionBash(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("bash completion is not for Windows (PowerShell is)")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not installed")
	}
	dir := t.TempDir()
	if err := fixtures.Write(dir); err != nil {
		t.Fatal(err)
	}
	_, script, _ := runCLI(t, nil, "", "completion", "bash")
	scriptFile := filepath.Join(dir, "chainfix.bash")
	if err := os.WriteFile(scriptFile, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		line string // the words typed; the last one is being completed
		want string // COMPREPLY, sorted, space-separated
	}{
		{"chainfix b", "build"},
		{"chainfix -v c", "check completion"},
		{"chainfix build --form", "--format"},
		{"chainfix build --format ", "der p7b pem"},
		{"chainfix check --purpose c", "client"},
		{"chainfix pfx --encryption ", "legacy modern"},
		{"chainfix check --starttls p", "pop3 postgres"},
		{"chainfix build --for ci", "cisco-wlc citrix-adc"},
		{"chainfix --log-level d", "debug"},
		{"chainfix build --log-format j", "json"},
		{"chainfix build --roots m", "mozilla"},
		{"chainfix build --roots pki/r", "pki/root.pem"},
		{"chainfix check pki/leaf.", "pki/leaf.der pki/leaf.key pki/leaf.pem"},
		{"chainfix build -o pki/o", "pki/other-leaf.pem pki/other.key"},
		{"chainfix build --split pr", "private"},
		{"chainfix completion z", "zsh"},
		{"chainfix build --timeout ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			prog := `source "$1"; shift
COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
_chainfix 2>/dev/null
printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort | tr '\n' ' '`
			words := strings.Split(tt.line, " ")
			cmd := exec.Command(bash, append([]string{"--norc", "--noprofile", "-c", prog, "bash", scriptFile}, words...)...)
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if got := strings.TrimSpace(string(out)); got != tt.want {
				t.Errorf("completes %q, want %q", got, tt.want)
			}
		})
	}
}

// TestCompletionSyntax: zsh and fish accept their scripts (CI installs
// both; PowerShell is not available there).
func TestCompletionSyntax(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("zsh and fish are not run on Windows")
	}
	dir := t.TempDir()
	for _, shell := range []string{"zsh", "fish"} {
		t.Run(shell, func(t *testing.T) {
			bin := testtool.Need(t, shell)
			_, script, _ := runCLI(t, nil, "", "completion", shell)
			file := filepath.Join(dir, "chainfix."+shell)
			if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
				t.Fatal(err)
			}
			if out, err := testtool.Run(t, dir, bin, "-n", file); err != nil {
				t.Fatalf("%s -n: %v\n%s", shell, err, out)
			}
		})
	}
	t.Run("fish offers the values", func(t *testing.T) {
		fish := testtool.Need(t, "fish")
		_, script, _ := runCLI(t, nil, "", "completion", "fish")
		file := filepath.Join(dir, "chainfix.fish")
		if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := testtool.Run(t, dir, fish, "--no-config", "-c", "source "+file+"; complete -C 'chainfix build --format '")
		if err != nil || strings.Fields(string(out)) == nil || strings.Join(strings.Fields(string(out)), " ") != "der p7b pem" {
			t.Errorf("fish completes --format with %q (%v)", out, err)
		}
	})
}

// TestCompletionValuesAccepted: every value completion offers is one the
// command accepts (a refused value is quoted in the usage error), and a
// made-up one is refused, which shows the check works.
func TestCompletionValuesAccepted(t *testing.T) {
	dir := t.TempDir()
	if err := fixtures.Write(dir); err != nil {
		t.Fatal(err)
	}
	f := func(name string) string { return filepath.Join(dir, name) }
	env := mapEnv{"SSL_CERT_FILE": f("pki/root.pem")}
	base := map[string][]string{
		"build": {"--offline", f("jumbled.pem")},
		"check": {"--offline", f("jumbled.pem")},
		"pfx":   {"--offline", "--no-password", "--key", f("pki/leaf.key"), "-o", f("out.pfx"), f("jumbled.pem")},
	}
	// --starttls goes with --host; 127.0.0.1:1 refuses at once.
	hostBase := []string{"--no-cache", "--connect-timeout", "2s", "--host", "127.0.0.1:1"}
	try := func(t *testing.T, cmd string, f compFlag, value string) string {
		var args []string
		switch {
		case cmd == "":
			args = append([]string{"--" + f.long[0], value, "build"}, base["build"]...)
		case f.long[0] == flagStartTLS:
			args = append([]string{cmd, "--" + f.long[0], value}, hostBase...)
			if cmd == "pfx" {
				args = append(args, "--no-password")
			}
		default:
			args = append([]string{cmd, "--" + f.long[0], value}, base[cmd]...)
		}
		_, _, stderr := runCLI(t, env, "", args...)
		os.Remove(filepath.Join(dir, "out.pfx"))
		return stderr
	}
	check := func(t *testing.T, cmd string, f compFlag) {
		if f.kind != valueWords {
			return // --roots keywords: TestRootsKeywords
		}
		if _, ok := base[cmd]; !ok && cmd != "" {
			t.Logf("%s --%s: no base arguments for %s; not checked", cmd, f.long[0], cmd)
			return
		}
		for _, v := range f.words {
			if stderr := try(t, cmd, f, v); strings.Contains(stderr, `"`+v+`"`) {
				t.Errorf("%s --%s %s: refused: %s", cmd, f.long[0], v, stderr)
			}
		}
		if stderr := try(t, cmd, f, "no-such-value"); !strings.Contains(stderr, `"no-such-value"`) {
			t.Errorf("%s --%s no-such-value: not refused with the value quoted: %s", cmd, f.long[0], stderr)
		}
	}
	tree := testTree()
	for _, fl := range tree.global {
		check(t, "", fl)
	}
	for _, c := range tree.commands {
		for _, fl := range c.flags {
			check(t, c.name, fl)
		}
	}
}

// TestVersionCommand: version, commit and toolchain, also for a build
// without VCS information (a test binary is one).
func TestVersionCommand(t *testing.T) {
	code, stdout, stderr := runCLI(t, nil, "", "version")
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) != 3 || lines[0] != "chainfix "+version() || !strings.HasPrefix(lines[1], "commit   ") ||
		lines[2] != "go       "+runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH {
		t.Errorf("version printed:\n%s", stdout)
	}
	if code, _, _ := runCLI(t, nil, "", "version", "extra"); code != exitUsage {
		t.Errorf("version with an argument: exit %d, want %d", code, exitUsage)
	}

	tests := []struct {
		name     string
		settings []debug.BuildSetting
		want     string
	}{
		{"-buildvcs=false", nil, "commit   unknown (built without VCS information: -buildvcs=false, or not from a git checkout)\n"},
		{"clean checkout", []debug.BuildSetting{{Key: "vcs.revision", Value: "94c228d653231e18ea889a34bc7bb9960c820bab"}, {Key: "vcs.time", Value: "2026-11-30T12:59:41Z"}, {Key: "vcs.modified", Value: "false"}},
			"commit   94c228d653231e18ea889a34bc7bb9960c820bab (2026-11-30T12:59:41Z)\n"},
		{"dirty checkout", []debug.BuildSetting{{Key: "vcs.revision", Value: "94c228d653231e18ea889a34bc7bb9960c820bab"}, {Key: "vcs.modified", Value: "true"}},
			"commit   94c228d653231e18ea889a34bc7bb9960c820bab (with uncommitted changes)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := versionText("v1.2.3", &debug.BuildInfo{GoVersion: "go1.26.8", Settings: tt.settings})
			want := "chainfix v1.2.3\n" + tt.want + "go       go1.26.8 " + runtime.GOOS + "/" + runtime.GOARCH + "\n"
			if got != want {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
	if got := versionText("devel", nil); !strings.HasPrefix(got, "chainfix devel\ncommit   unknown") {
		t.Errorf("without build information: %s", got)
	}
}

// TestPlaceholderOf: the placeholder markFileFlags reads is the one help
// shows, for every flag and for odd usages.
func TestPlaceholderOf(t *testing.T) {
	usages := []string{"", "plain", "one `FILE` here", "`DIR`", "unclosed `FILE", "``", "`A` and `B`"}
	app := newApp(testState())
	for _, c := range app.Commands {
		for _, f := range c.Flags {
			if df, ok := f.(cli.DocGenerationFlag); ok {
				usages = append(usages, df.GetUsage())
			}
		}
	}
	for _, u := range usages {
		if want, _ := unquoteUsage(u); placeholderOf(u) != want {
			t.Errorf("%q: placeholder %q, want %q", u, placeholderOf(u), want)
		}
	}
}
