package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// urfave/cli v2 computes a flag's names with a regular expression on every
// Names() call (FlagNames strips a v1-style "name, alias"), and
// Context.IsSet finds a flag by calling Names() on each flag before it; a
// command's run calls IsSet for every flag (runFlagActions), so a command
// with 60 flags made about 2,000 regular-expression runs per process:
// 0.4 ms of the 6 ms a warm `chainfix build` takes, the largest part of
// the run that is chainfix's to change. The types below embed the flag, so
// every method and interface is the flag's own but Names, which returns
// the names computed once.
//
// Only the dynamic type changes, and urfave/cli looks at it in three
// places (v2.27.7): fish completion for TakesFile (fish.go: the fish
// script is made from the flags' own types, withOwnFlagTypes), the default
// text of a boolean with DisableDefaultText (flag.go: the help line is the
// embedded flag's own String, and namedBool's GetDefaultText answers as
// that rule would), and hidden booleans in flag suggestions (help.go: such
// a flag keeps its type). chainfix's own code asks interfaces
// (takesValue, the completion's repeatable flags), not types.

type (
	namedString struct {
		*cli.StringFlag
		names []string
	}
	namedBool struct {
		*cli.BoolFlag
		names []string
	}
	namedStringSlice struct {
		*cli.StringSliceFlag
		names []string
	}
	namedDuration struct {
		*cli.DurationFlag
		names []string
	}
	namedInt struct {
		*cli.IntFlag
		names []string
	}
	namedGeneric struct {
		*cli.GenericFlag
		names []string
	}
)

func (f *namedString) Names() []string { return f.names }
func (f *namedBool) Names() []string   { return f.names }

// GetDefaultText is "" for a boolean with DisableDefaultText: urfave/cli
// asks DisableDefaultText of a *cli.BoolFlag only, and would print
// "(default: false)" for the wrapper.
func (f *namedBool) GetDefaultText() string {
	if f.DisableDefaultText {
		return ""
	}
	return f.BoolFlag.GetDefaultText()
}
func (f *namedStringSlice) Names() []string { return f.names }
func (f *namedDuration) Names() []string    { return f.names }
func (f *namedInt) Names() []string         { return f.names }
func (f *namedGeneric) Names() []string     { return f.names }

// withNamesOnce returns flags with each flag that can be wrapped wrapped.
func withNamesOnce(flags []cli.Flag) []cli.Flag {
	out := make([]cli.Flag, len(flags))
	for i, f := range flags {
		out[i] = nameOnce(f)
	}
	return out
}

func nameOnce(f cli.Flag) cli.Flag {
	switch t := f.(type) {
	case *cli.StringFlag:
		return &namedString{t, namesOf(t.Name, t.Aliases)}
	case *cli.BoolFlag:
		if !t.Hidden {
			return &namedBool{t, namesOf(t.Name, t.Aliases)}
		}
	case *cli.StringSliceFlag:
		return &namedStringSlice{t, namesOf(t.Name, t.Aliases)}
	case *cli.DurationFlag:
		return &namedDuration{t, namesOf(t.Name, t.Aliases)}
	case *cli.IntFlag:
		return &namedInt{t, namesOf(t.Name, t.Aliases)}
	case *cli.GenericFlag:
		return &namedGeneric{t, namesOf(t.Name, t.Aliases)}
	}
	return f
}

// namesOf is cli.FlagNames without its regular expression (which strips,
// from each name, everything from its first comma or space on; names
// hold no newline, where that expression would stop).
func namesOf(name string, aliases []string) []string {
	out := make([]string, 0, 1+len(aliases))
	for _, part := range append([]string{name}, aliases...) {
		if strings.ContainsRune(part, '\n') {
			return cli.FlagNames(name, aliases)
		}
		if i := strings.IndexAny(part, ", "); i >= 0 {
			part = part[:i]
		}
		out = append(out, part)
	}
	return out
}

// firstName is a flag's name, without computing its aliases. It runs
// before the flags are wrapped (withoutFlags), where Names() would run
// urfave/cli's regular expression: the first run of one costs a fresh
// process about 0.1 ms.
func firstName(f cli.Flag) string {
	if name, ok := nameField(f); ok {
		return namesOf(name, nil)[0]
	}
	return f.Names()[0]
}

// nameField is the Name of the flag types chainfix uses.
func nameField(f cli.Flag) (string, bool) {
	switch t := f.(type) {
	case *cli.StringFlag:
		return t.Name, true
	case *cli.BoolFlag:
		return t.Name, true
	case *cli.StringSliceFlag:
		return t.Name, true
	case *cli.DurationFlag:
		return t.Name, true
	case *cli.IntFlag:
		return t.Name, true
	case *cli.GenericFlag:
		return t.Name, true
	}
	return "", false
}

// ownType is the flag nameOnce wrapped.
func ownType(f cli.Flag) cli.Flag {
	switch t := f.(type) {
	case *namedString:
		return t.StringFlag
	case *namedBool:
		return t.BoolFlag
	case *namedStringSlice:
		return t.StringSliceFlag
	case *namedDuration:
		return t.DurationFlag
	case *namedInt:
		return t.IntFlag
	case *namedGeneric:
		return t.GenericFlag
	}
	return f
}

// withOwnFlagTypes is a copy of app whose flags have their own types
// again, for urfave/cli's code that looks at them (fish completion).
func withOwnFlagTypes(app *cli.App) *cli.App {
	own := func(flags []cli.Flag) []cli.Flag {
		out := make([]cli.Flag, len(flags))
		for i, f := range flags {
			out[i] = ownType(f)
		}
		return out
	}
	c := *app
	c.Flags = own(app.Flags)
	c.Commands = make([]*cli.Command, len(app.Commands))
	for i, cmd := range app.Commands {
		cc := *cmd
		cc.Flags = own(cmd.Flags)
		c.Commands[i] = &cc
	}
	return &c
}
