// Command chainfix repairs and bundles TLS certificate chains: it orders a
// leaf and its intermediates, fetches what is missing through AIA, writes a
// canonical bundle or a PFX, checks that a key matches, and explains what is
// wrong with a chain or an endpoint. See README.md.
//
// This package is only the command line: flags become requests to the
// engine (internal/repair), outcomes go to a renderer (internal/report),
// and errors become exit codes here, in run.
package main

//go:generate go run gen_testdata.go

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/sirupsen/logrus"

	"chainfix/internal/report"
	"chainfix/internal/safefile"
)

func main() {
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr, osEnv{}))
}

// Exit codes (README "Exit codes").
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
	// exitUndecided: check could not check at all (unreadable input, no
	// certificate); match could not decide (unreadable key, wrong
	// password). An *undecidedError.
	exitUndecided = 3
	// exitInterrupted is the shell's code for a process ended by SIGINT.
	exitInterrupted = 130
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
	// The first SIGINT or SIGTERM cancels the run's context: work stops,
	// nothing partial is written. A second one removes the temporary files
	// still being written and ends the process at once.
	//
	// signal.Notify waits for the runtime to start its signal thread: a
	// quarter of a millisecond here, a twentieth of a short process. It
	// runs beside the work instead, and every output waits for it: stdout
	// (afterHandler) and every temporary file (safefile.AwaitHandler).
	// Until then a signal ends the process as it would any program, before
	// it has written anything.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 2)
	listening, done := make(chan struct{}), make(chan struct{})
	go func() {
		signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
		close(listening)
		select {
		case <-sigs:
			cancel()
		case <-done:
			return
		}
		select {
		case <-sigs:
			safefile.Cleanup()
			os.Exit(exitInterrupted)
		case <-done:
		}
	}()
	defer func() {
		close(done)
		<-listening
		signal.Stop(sigs)
	}()
	safefile.AwaitHandler(listening)
	stdout = &afterHandler{w: stdout, ready: listening}

	voice := report.NewVoice(stderr)
	st := &state{stdin: stdin, stdout: stdout, stderr: stderr, voice: voice, env: env, log: newLogger(voice)}
	st.ctx = ctx

	var words []string // after the program name
	if len(args) > 0 {
		words = args[1:]
	}
	app := newAppFor(st, words)
	if len(args) > 0 {
		args = append([]string{args[0]}, reorderArgs(app, args[1:])...)
	}
	err := app.Run(args)
	if err == nil && st.notFound != "" {
		err = unknownCommand(app, st.notFound)
	}
	if err == nil {
		return st.exitCode
	}
	code := exitFailure
	var ue *usageError
	var und *undecidedError
	switch {
	case errors.As(err, &ue):
		code = exitUsage
	case errors.As(err, &und) && !errors.Is(err, context.Canceled):
		code = exitUndecided
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		code = exitInterrupted
		err = errors.New("interrupted; nothing was written")
	}
	msg := err.Error()
	if code == exitUsage && st.command != "" {
		msg += fmt.Sprintf(" (run 'chainfix help %s' for usage)", st.command)
	}
	voice.Errorf("%s", msg)
	return code
}

// afterHandler is stdout, whose writes wait until the signal handler is in
// place (run): a Ctrl-C that comes before it cannot end the process in the
// middle of an output.
type afterHandler struct {
	w     io.Writer
	ready <-chan struct{}
}

func (a *afterHandler) Write(p []byte) (int, error) {
	<-a.ready
	return a.w.Write(p)
}

// state is what one run of the app shares between its commands: the
// process's streams, the environment, the logger and the run's context.
type state struct {
	ctx            context.Context
	stdin          io.Reader
	stdout, stderr io.Writer
	// voice carries the human messages to stderr (report.Voice).
	voice *report.Voice
	env   environment
	log   *logrus.Logger
	// notFound is set when the user named a command that does not exist.
	notFound string
	// command is the command being run, for the usage hint.
	command string
	// exitCode lets a command report failure without an error line of its
	// own (check and match print their verdict on stdout).
	exitCode int
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

// newLogger makes the run's one logger: warnings by default, in chainfix's
// voice, to stderr through the Voice.
func newLogger(voice *report.Voice) *logrus.Logger {
	l := logrus.New()
	l.SetOutput(voice)
	l.SetLevel(logrus.WarnLevel)
	l.SetFormatter(report.LogFormatter{})
	return l
}
