package main

import (
	"fmt"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/sirupsen/logrus"
	"github.com/urfave/cli/v2"
)

// rootHelpExtra ends the root help: what scripts need to know.
const rootHelpExtra = `
EXIT STATUS:
   0  success (check: no error found; match: the key matches)
   1  failure (check: an error was found; match: no certificate matches)
   2  usage error (an unknown flag or command, a bad flag value)
   3  could not decide (check: unreadable input, no certificate; match: unreadable key, wrong password)
   130 interrupted (SIGINT or SIGTERM); nothing was written
`

// commands are chainfix's commands, in the order help lists them. Making
// one makes its flags, and a run needs only the one it runs: newAppFor.
var commands = []commandMaker{
	{"build", buildCommand}, {"pfx", pfxCommand}, {"match", matchCommand}, {"key", keyCommand},
	{"check", checkCommand}, {"inspect", inspectCommand}, {"explain", explainCommand},
	{"version", versionCommand}, {"completion", completionCommand}, {"serve", serveCommand},
}

// commandMaker makes the command called name.
type commandMaker struct {
	name string
	make func(*state) *cli.Command
}

// newApp builds the whole command tree (newAppFor with no arguments).
func newApp(st *state) *cli.App { return newAppFor(st, nil) }

// newAppFor builds the command tree for a run with args (the words after
// the program name) and fences urfave/cli v2's defaults that do not fit a
// tool scripts call: usage errors become *usageError (exit 2) instead of
// help on stdout, an unknown command is a usage error with a suggestion
// instead of exit 3, cli.Exit never calls os.Exit, and slice flags do not
// split on commas (file names may contain them).
//
// When args name a command, the tree holds that command alone: nothing
// else of the tree is read when one command runs, and making all ten
// (133 flags) is a tenth of a millisecond of a process that lives a few.
// Help, completion, a mistyped command and no command get every command.
func newAppFor(st *state, args []string) *cli.App {
	// urfave/cli's version flag claims -v, which chainfix uses for
	// --verbose; its flag is a package variable, so set it once.
	versionFlagOnce.Do(func() {
		cli.VersionFlag = &cli.BoolFlag{Name: "version", Usage: "print the version", DisableDefaultText: true}
		cli.HelpFlag = &cli.BoolFlag{Name: "help", Aliases: []string{"h"}, Usage: "show help", DisableDefaultText: true}
		cli.AppHelpTemplate += rootHelpExtra
	})
	global := globalFlags()
	markFileFlags(global)
	global = withNamesOnce(global)
	only := ""
	if i := commandIndex(global, args); i < len(args) && args[i] != "completion" {
		only = args[i]
	}
	if !slices.ContainsFunc(commands, func(c commandMaker) bool { return c.name == only }) {
		only = ""
	}
	var cmds []*cli.Command
	for _, c := range commands {
		if only == "" || c.name == only {
			cmds = append(cmds, c.make(st))
		}
	}
	app := &cli.App{
		Name:    "chainfix",
		Usage:   "repair and bundle TLS certificate chains",
		Version: version(),
		UsageText: "chainfix [global options] command [options] [FILE...]\n\n" +
			"   chainfix build leaf.pem -o fullchain.pem\n" +
			"   chainfix pfx --key key.pem leaf.pem -o site.pfx\n" +
			"   chainfix check --host example.com",
		Flags:                     global,
		Commands:                  cmds,
		Reader:                    st.stdin,
		Writer:                    st.stdout,
		ErrWriter:                 st.stderr,
		DisableSliceFlagSeparator: true,
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
				return unknownCommand(c.App, c.Args().First())
			}
			return usagef("no command given; run 'chainfix help' for the list")
		},
	}
	for _, cmd := range app.Commands {
		// Completion: fish's script (urfave/cli's) completes file names
		// only for flags marked TakesFile.
		markFileFlags(cmd.Flags)
		cmd.Flags = withNamesOnce(cmd.Flags)
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

// unknownCommand is the usage error for a mistyped command, with the
// closest command name when it is close (same first letter).
func unknownCommand(app *cli.App, name string) error {
	msg := fmt.Sprintf("unknown command %q", name)
	if s := suggest(app, name); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	return usagef("%s; run 'chainfix help' for the list", msg)
}

// suggest uses urfave/cli's own suggestion (Jaro-Winkler over the command
// names), kept only when it starts like what was typed: the library always
// names some command, even for nonsense.
func suggest(app *cli.App, name string) string {
	if cli.SuggestCommand == nil || name == "" {
		return ""
	}
	text := cli.SuggestCommand(app.Commands, name) // `Did you mean "build"?`
	i, j := strings.IndexByte(text, '"'), strings.LastIndexByte(text, '"')
	if i < 0 || j <= i {
		return ""
	}
	s, err := strconv.Unquote(text[i : j+1])
	if err != nil || s == "help" || s == "h" || !strings.EqualFold(s[:1], name[:1]) {
		return ""
	}
	return s
}

// configureLogger applies the global logging flags.
func configureLogger(c *cli.Context, st *state) error {
	level := logrus.WarnLevel
	if s := c.String(flagLogLevel); s != "" {
		l, err := logrus.ParseLevel(s)
		if err != nil || l < logrus.ErrorLevel {
			return usagef("--log-level %q: want error, warn, info, debug or trace", s)
		}
		level = l
	}
	if c.Bool(flagVerbose) {
		level = logrus.InfoLevel
	}
	if c.Bool(flagQuiet) {
		level = logrus.ErrorLevel
		st.voice.Quiet = true
	}
	st.log.SetLevel(level)
	switch f := c.String(flagLogFormat); f {
	case "", "text":
	case "json":
		st.voice.SetJSON(true)
	default:
		return usagef("--log-format %q: want text or json", f)
	}
	return nil
}

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
// it, and --help/-h anywhere before "--" asks for the command's help.
// Everything after "--" is a file name: the result then ends with "--" and
// all the file names, so a file called "-x.pem" stays a file.
func reorderArgs(app *cli.App, args []string) []string {
	i := commandIndex(app.Flags, args)
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
		if isHelp(a) {
			// urfave/cli would take the first file name for a help topic
			// and fail with "unknown command": help is all that is asked.
			return append(globals, args[i], "--help")
		}
		// A global flag after the command goes before it; anything else,
		// unknown flags too (so the parser reports them), goes with the
		// command's flags.
		target, known := &flags, cmd.Flags
		if findFlag(cmd.Flags, a) == nil && findFlag(app.Flags, a) != nil && !isHelp(a) {
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

// commandIndex is where the command name is in args: after the global
// flags (which come before it) and their values; len(args) when there is
// no command.
func commandIndex(global []cli.Flag, args []string) int {
	i := 0
	for i < len(args) && strings.HasPrefix(args[i], "-") && args[i] != "-" && args[i] != "--" {
		if takesValue(global, args[i]) {
			i++
		}
		i++
	}
	return i
}

// flagName strips dashes and any "=value" from a command-line flag.
func flagName(arg string) string {
	name := strings.TrimLeft(arg, "-")
	if k := strings.IndexByte(name, '='); k >= 0 {
		name = name[:k]
	}
	return name
}

func isHelp(arg string) bool {
	n := flagName(arg)
	return n == "help" || n == "h"
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
	if isHelp(arg) {
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
	// chainfix's own flag types first: a type switch on them asks the
	// runtime for no interface table, which a fresh process builds anew.
	switch f.(type) {
	case *namedBool:
		return false
	case *namedString, *namedStringSlice, *namedDuration, *namedInt, *namedGeneric:
		return true
	}
	if df, ok := f.(cli.DocGenerationFlag); ok {
		return df.TakesValue() // false for a boolean only
	}
	return true
}
