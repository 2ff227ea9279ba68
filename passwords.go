package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sync"

	"golang.org/x/term"

	"chainfix/internal/secret"
	"chainfix/pfx"
)

// passwordSource is where a password comes from. A password is never a
// flag value (it would show in process listings and shell history), and is
// never logged.
type passwordSource struct {
	file    string // --*-password-file
	envVar  string // --*-password-env
	purpose string // for the prompt: "the input", "the new PFX"
	// flagPrefix is "" for --password-*, "in-" for --in-password-*,
	// "out-" for --out-password-*: messages name the flags the user has.
	flagPrefix string
}

// readPassword reads a password from a file (one line; the final line end
// is not part of it) or an environment variable. ok is false when neither
// is set.
func (st *state) readPassword(ps passwordSource) (pw []byte, ok bool, err error) {
	switch {
	case ps.file != "" && ps.envVar != "":
		return nil, false, usagef("give a password file or a password variable, not both")
	case ps.file != "":
		pw, err := secret.ReadPasswordFile(ps.file)
		if err != nil {
			return nil, false, err
		}
		return pw, true, nil
	case ps.envVar != "":
		v := st.env.Getenv(ps.envVar)
		if v == "" {
			return nil, false, fmt.Errorf("environment variable %s (from --%s) is empty or not set", ps.envVar, passwordEnvFlagFor(ps))
		}
		return []byte(v), true, nil
	}
	return nil, false, nil
}

// inputPassword returns a PasswordFunc for encrypted inputs: the file or
// variable when given, else a no-echo prompt when stdin is a terminal. It
// asks at most once per run.
func (st *state) inputPassword(ps passwordSource) pfx.PasswordFunc {
	var once sync.Once
	var pw []byte
	var err error
	return func() ([]byte, error) {
		once.Do(func() {
			var ok bool
			pw, ok, err = st.readPassword(ps)
			if err != nil || ok {
				return
			}
			if !isTerminal(st.stdin) {
				err = fmt.Errorf("%w; give --%s or --%s", pfx.ErrPasswordRequired, passwordFileFlagFor(ps), passwordEnvFlagFor(ps))
				return
			}
			pw, err = st.prompt(fmt.Sprintf("Password for %s: ", ps.purpose))
		})
		return pw, err
	}
}

// newPassword resolves the password of a file chainfix writes, without
// asking: from the file or variable, or empty with --no-password. decided
// is false when it must be asked for on the terminal (promptNewPassword,
// once the work that could fail is done); that is a usage error when
// stdin is not a terminal.
func (st *state) newPassword(ps passwordSource, none bool) (pw string, decided bool, err error) {
	b, ok, err := st.readPassword(ps)
	if err != nil {
		return "", false, err
	}
	if ok {
		if none {
			return "", false, usagef("--no-password contradicts --%s/--%s", passwordFileFlagFor(ps), passwordEnvFlagFor(ps))
		}
		if len(b) == 0 {
			return "", false, errors.New("the password file is empty; use --no-password for an empty password")
		}
		return string(b), true, nil
	}
	if none {
		return "", true, nil
	}
	if !isTerminal(st.stdin) {
		return "", false, usagef("%s needs a password: give --%s, --%s, or --no-password", ps.purpose, passwordFileFlagFor(ps), passwordEnvFlagFor(ps))
	}
	return "", false, nil
}

// promptNewPassword asks for a new password twice on the terminal.
func (st *state) promptNewPassword(ps passwordSource) (string, error) {
	first, err := st.prompt(fmt.Sprintf("Password for %s: ", ps.purpose))
	if err != nil {
		return "", err
	}
	second, err := st.prompt("Again: ")
	if err != nil {
		return "", err
	}
	if !bytes.Equal(first, second) {
		return "", errors.New("the passwords do not match")
	}
	if len(first) == 0 {
		return "", errors.New("empty password; use --no-password to write a PFX without one")
	}
	return string(first), nil
}

// prompt reads a line from the terminal without echo; the prompt goes to
// stderr, never stdout (which may be a PEM or PFX being redirected).
func (st *state) prompt(text string) ([]byte, error) {
	f, ok := st.stdin.(*os.File)
	if !ok {
		return nil, pfx.ErrPasswordRequired
	}
	fmt.Fprint(st.stderr, text)
	pw, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(st.stderr)
	if err != nil {
		return nil, fmt.Errorf("reading the password: %w", err)
	}
	return pw, nil
}

func passwordFileFlagFor(ps passwordSource) string {
	if ps.flagPrefix != "" {
		return ps.flagPrefix + flagPasswordFile
	}
	return flagPasswordFile
}

func passwordEnvFlagFor(ps passwordSource) string {
	if ps.flagPrefix != "" {
		return ps.flagPrefix + flagPasswordEnv
	}
	return flagPasswordEnv
}
