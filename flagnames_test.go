package main

import (
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"chainfix/internal/report"
)

// TestNamesOnce: every flag of every command answers Names() as urfave/cli
// would, nearly all of them without the regular expression, and the help
// of a command is the same with its flags in their own types.
func TestNamesOnce(t *testing.T) {
	app := newApp(testState())
	wrapped, total := 0, 0
	for _, cmd := range app.Commands {
		for _, f := range cmd.Flags {
			total++
			own := ownType(f)
			if own != f {
				wrapped++
			}
			if want := cli.FlagNames(own.Names()[0], own.Names()[1:]); !slices.Equal(f.Names(), want) || !slices.Equal(own.Names(), want) {
				t.Errorf("%s: Names %v, want %v", cmd.Name, f.Names(), want)
			}
			if df, ok := own.(cli.DocGenerationFlag); ok && takesValue(cmd.Flags, "--"+own.Names()[0]) != df.TakesValue() {
				t.Errorf("%s --%s: takesValue is not the flag's TakesValue (%v)", cmd.Name, own.Names()[0], df.TakesValue())
			}
			if _, ok := nameField(own); !ok {
				t.Errorf("%s --%s: firstName does not know a %T", cmd.Name, own.Names()[0], own)
			} else if got := firstName(own); got != own.Names()[0] {
				t.Errorf("%s: firstName %q, want %q", cmd.Name, got, own.Names()[0])
			}
		}
	}
	if wrapped != total {
		t.Errorf("%d of %d flags name themselves once", wrapped, total)
	}
	for _, cmd := range []string{"build", "check", "pfx"} {
		_, fast, _ := runCLI(t, nil, "", cmd, "--help")
		var own strings.Builder
		st := testState()
		st.stdout = &own
		a := withOwnFlagTypes(newApp(st))
		a.Writer = &own
		a.Run([]string{"chainfix", cmd, "--help"})
		if fast != own.String() || !strings.Contains(fast, "--roots") {
			t.Errorf("%s --help differs with the flags in their own types", cmd)
		}
	}
}

// testState is the state run makes, writing nowhere.
func testState() *state {
	voice := report.NewVoice(io.Discard)
	return &state{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, voice: voice, env: mapEnv{}, log: newLogger(voice)}
}

// TestFlagNames: the same names as urfave/cli's regular expression gives.
func TestFlagNames(t *testing.T) {
	for _, tc := range [][]string{{"roots"}, {"out", "o"}, {"a, b"}, {"x y", "z,w"}, {" lead"}, {""}, {"a,,b", " ", "c d e"}, {"new\nline, x"}} {
		if got, want := namesOf(tc[0], tc[1:]), cli.FlagNames(tc[0], tc[1:]); !slices.Equal(got, want) {
			t.Errorf("%q: %q, want %q", tc, got, want)
		}
	}
}
