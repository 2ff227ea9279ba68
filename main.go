// Command chainfix repairs and bundles TLS certificate chains: it orders a
// leaf and its intermediates, fetches what is missing through AIA, writes a
// canonical bundle or a PFX, checks that a key matches, and explains what is
// wrong with a chain or an endpoint. See README.md.
package main

//go:generate go run gen_testdata.go

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/sirupsen/logrus"
	"github.com/urfave/cli/v2"
)

func main() {
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr, osEnv{}))
}

// Exit codes (README "Exit codes").
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// usageError marks a mistake in how chainfix was called (exit 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// run is main without the process: the only place an error becomes an exit
// code and a line on stderr. Tests call it in-process.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer, env environment) int {
	log := newLogger(stderr)
	notes := &lineWriter{w: stderr}
	st := &state{stdin: stdin, stdout: stdout, stderr: stderr, notes: notes, env: env, log: log}
	app := newApp(st)
	if len(args) > 0 {
		args = append([]string{args[0]}, reorderArgs(app, args[1:])...)
	}
	err := app.Run(args)
	if err == nil && st.notFound != "" {
		err = usagef("unknown command %q; run 'chainfix help' for the list", st.notFound)
	}
	if err == nil {
		return st.exitCode
	}
	var ue *usageError
	code := exitFailure
	if errors.As(err, &ue) {
		code = exitUsage
	}
	msg := oneLine(err.Error())
	if code == exitUsage && st.command != "" {
		msg += fmt.Sprintf(" (run 'chainfix help %s' for usage)", st.command)
	}
	fmt.Fprintf(notes, "chainfix: error: %s\n", msg)
	return code
}

// oneLine folds a multi-line error into one line, as every message on
// stderr is one line.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	s = strings.ReplaceAll(s, "\r", "")
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}

// state is what one run of the app shares between its commands: the
// process's streams, the environment, the logger.
type state struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// notes carries the human messages to stderr: terminal-safe, or JSON
	// with --log-format json (see lineWriter).
	notes *lineWriter
	env   environment
	log   *logrus.Logger
	// notFound is set when the user named a command that does not exist.
	notFound string
	// command is the command being run, for the usage hint.
	command string
	// exitCode lets a command report failure without an error line of its
	// own (check and match print their verdict on stdout).
	exitCode int
	// quiet suppresses the human summary on stderr.
	quiet bool
}

// environment is the process environment, resolved once here; packages
// never call os.Getenv. Tests pass a map.
type environment interface {
	Getenv(string) string
}

// osEnv is the real process environment.
type osEnv struct{}

func (osEnv) Getenv(k string) string { return os.Getenv(k) }

// mapEnv is an environment for tests.
type mapEnv map[string]string

func (m mapEnv) Getenv(k string) string { return m[k] }

func newLogger(stderr io.Writer) *logrus.Logger {
	l := logrus.New()
	l.SetOutput(stderr)
	l.SetLevel(logrus.WarnLevel)
	l.SetFormatter(lineFormatter{})
	return l
}

// lineFormatter writes log entries in chainfix's one voice on stderr:
// "chainfix: warning: message key=value ...".
type lineFormatter struct{}

func (lineFormatter) Format(e *logrus.Entry) ([]byte, error) {
	var b strings.Builder
	level := e.Level.String()
	if e.Level == logrus.WarnLevel {
		level = "warning"
	}
	fmt.Fprintf(&b, "chainfix: %s: %s", level, termSafe(e.Message))
	keys := make([]string, 0, len(e.Data))
	for k := range e.Data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%s", k, termSafe(fmt.Sprint(e.Data[k])))
	}
	b.WriteByte('\n')
	return []byte(b.String()), nil
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
		st.quiet = true
	}
	st.log.SetLevel(level)
	switch f := c.String(flagLogFormat); f {
	case "", "text":
	case "json":
		st.log.SetFormatter(&logrus.JSONFormatter{})
		st.notes.json = true
	default:
		return usagef("--log-format %q: want text or json", f)
	}
	return nil
}
