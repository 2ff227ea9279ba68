package main

import (
	"fmt"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/urfave/cli/v2"
)

// newApp builds the command tree and fences urfave/cli v2's defaults that
// do not fit a tool scripts call: usage errors become *usageError (exit 2)
// instead of help on stdout, an unknown command is a usage error instead of
// exit 3, cli.Exit never calls os.Exit, and slice flags do not split on
// commas (file names may contain them).
func newApp(st *state) *cli.App {
	// urfave/cli's version flag claims -v, which chainfix uses for
	// --verbose; its flag is a package variable, so set it once.
	versionFlagOnce.Do(func() {
		cli.VersionFlag = &cli.BoolFlag{Name: "version", Usage: "print the version"}
	})
	app := &cli.App{
		Name:    "chainfix",
		Usage:   "repair and bundle TLS certificate chains",
		Version: version(),
		UsageText: "chainfix [global options] command [options] [FILE...]\n\n" +
			"   chainfix build leaf.pem -o fullchain.pem\n" +
			"   chainfix pfx --key key.pem leaf.pem -o site.pfx\n" +
			"   chainfix check --host example.com",
		Flags:                     globalFlags(),
		Commands:                  []*cli.Command{buildCommand(st), pfxCommand(st), matchCommand(st), keyCommand(st), checkCommand(st)},
		Reader:                    st.stdin,
		Writer:                    st.stdout,
		ErrWriter:                 st.stderr,
		DisableSliceFlagSeparator: true,
		HideHelpCommand:           false,
		ExitErrHandler:            func(*cli.Context, error) {},
		CommandNotFound: func(c *cli.Context, name string) {
			st.notFound = name
		},
		OnUsageError: func(c *cli.Context, err error, _ bool) error {
			return &usageError{msg: err.Error()}
		},
		Before: func(c *cli.Context) error {
			return configureLogger(c, st)
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("unknown command %q; run 'chainfix help' for the list", c.Args().First())
			}
			return usagef("no command given; run 'chainfix help' for the list")
		},
	}
	for _, cmd := range app.Commands {
		name := cmd.Name
		cmd.OnUsageError = func(c *cli.Context, err error, _ bool) error {
			st.command = name
			return &usageError{msg: fmt.Sprintf("%s: %v", name, err)}
		}
		action := cmd.Action
		cmd.Action = func(c *cli.Context) error {
			st.command = name
			return action(c)
		}
	}
	return app
}

var versionFlagOnce sync.Once

// version reports the module version from the build info ("devel" plus
// the VCS revision for a build from a checkout).
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	v := info.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += "+" + s.Value[:12]
			}
		}
	}
	return v
}

// reorderArgs moves the flags a command knows ahead of its file names, so
// that `chainfix build leaf.pem -o out.pem` works: urfave/cli v2 stops at
// the first non-flag argument and would take "-o" for a file name. Global
// flags given after the command (`chainfix build leaf.pem -q`) move before
// it. Everything after "--" is a file name: the result then ends with
// "--" and all the file names, so a file called "-x.pem" stays a file.
func reorderArgs(app *cli.App, args []string) []string {
	// Global flags come before the command name.
	i := 0
	for i < len(args) && strings.HasPrefix(args[i], "-") && args[i] != "-" && args[i] != "--" {
		if takesValue(app.Flags, args[i]) {
			i++
		}
		i++
	}
	if i >= len(args) {
		return args
	}
	var cmd *cli.Command
	for _, c := range app.Commands {
		if c.HasName(args[i]) {
			cmd = c
		}
	}
	if cmd == nil {
		return args
	}
	globals := append([]string{}, args[:i]...)
	var flags, files, literal []string
	rest := args[i+1:]
	for j := 0; j < len(rest); j++ {
		a := rest[j]
		if a == "--" {
			literal = rest[j+1:]
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			files = append(files, a)
			continue
		}
		// A global flag after the command goes before it; anything else,
		// unknown flags too (so the parser reports them), goes with the
		// command's flags.
		target, known := &flags, cmd.Flags
		if findFlag(cmd.Flags, a) == nil && findFlag(app.Flags, a) != nil {
			target, known = &globals, app.Flags
		}
		*target = append(*target, a)
		if takesValue(known, a) && j+1 < len(rest) {
			j++
			*target = append(*target, rest[j])
		}
	}
	out := append(append(globals, args[i]), flags...)
	if len(literal) > 0 {
		return append(append(append(out, "--"), files...), literal...)
	}
	return append(out, files...)
}

// flagName strips dashes and any "=value" from a command-line flag.
func flagName(arg string) string {
	name := strings.TrimLeft(arg, "-")
	if k := strings.IndexByte(name, '='); k >= 0 {
		name = name[:k]
	}
	return name
}

func findFlag(flags []cli.Flag, arg string) cli.Flag {
	name := flagName(arg)
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	if name == "help" || name == "h" {
		return cli.HelpFlag
	}
	return nil
}

// takesValue reports whether arg is a known flag that consumes the next
// argument (every flag type but a boolean one).
func takesValue(flags []cli.Flag, arg string) bool {
	f := findFlag(flags, arg)
	if f == nil || strings.Contains(arg, "=") {
		return false
	}
	_, isBool := f.(*cli.BoolFlag)
	return !isBool && f != cli.HelpFlag
}
