package main

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"chainfix/internal/repair"
	"chainfix/internal/safefile"
	"chainfix/internal/target"
)

// Flags of --for, the upload-ready file sets of internal/target.
const (
	flagFor      = "for"
	flagWindows  = "windows"
	flagAlias    = "alias"
	flagBaseName = "base-name"
)

// forFlags are taken by build, pfx and check; withOutDir adds --out-dir
// (build has it already, for bulk runs).
func forFlags(withOutDir bool) []cli.Flag {
	flags := []cli.Flag{
		&cli.StringFlag{Name: flagFor, Usage: "write (build, pfx) or check (check) exactly the files `TARGET` wants: " + strings.Join(target.Names(), ", ")},
		&cli.StringFlag{Name: flagWindows, Usage: "with --for iis: the Windows Server `RELEASE` (2016 and older get 3DES)"},
		&cli.StringFlag{Name: flagAlias, Usage: "with --for java: the keystore `ALIAS` (default: the base name)"},
		&cli.StringFlag{Name: flagBaseName, Usage: "with --for: the base `NAME` of the files (default: from the leaf's name)"},
	}
	if withOutDir {
		flags = append(flags, &cli.StringFlag{Name: flagOutDir, Usage: "with --for: write the target's files into the new `DIR` (default: stdout when the target wants one file)"})
	}
	return flags
}

// forTarget resolves --for, or nil when it is not given.
func forTarget(c *cli.Context) (*target.Target, error) {
	name := c.String(flagFor)
	if name == "" {
		for _, f := range []string{flagWindows, flagAlias, flagBaseName} {
			if c.IsSet(f) {
				return nil, usagef("--%s goes with --for", f)
			}
		}
		return nil, nil
	}
	t, err := target.Lookup(name)
	if err != nil {
		return nil, &usageError{msg: "--for: " + err.Error()}
	}
	return t, nil
}

// targetInput is the chain of an outcome as a target sees it.
func targetInput(c *cli.Context, out *repair.Outcome) target.Input {
	in := repair.TargetInput(out, c.Bool(flagIncludeRoot))
	in.Windows, in.Alias, in.Name = c.String(flagWindows), c.String(flagAlias), c.String(flagBaseName)
	return in
}

// writeTargetFiles builds the target's file set and writes it: into the
// new --out-dir, or to stdout when the target wants one file. Nothing is
// written when a rule fails. The stderr notes say which file goes where.
func (st *state) writeTargetFiles(c *cli.Context, t *target.Target, in target.Input) error {
	files, findings, err := t.Build(in)
	for _, f := range findings {
		if f.Severity == target.Warning {
			st.voice.Warnf("%s: %s: %s (%s)", t.Name, f.Rule, f.Message, f.Source)
		}
	}
	if err != nil {
		var msgs []string
		for _, f := range findings {
			if f.Severity == target.Error {
				msgs = append(msgs, fmt.Sprintf("%s: %s (%s)", f.Rule, f.Message, f.Source))
			}
		}
		if len(msgs) > 0 {
			return fmt.Errorf("%s would reject this: %s; nothing written", t.Title, strings.Join(msgs, "; "))
		}
		return fmt.Errorf("--for %s: %w", t.Name, err)
	}
	dir := c.String(flagOutDir)
	if dir == "" {
		if len(files) != 1 {
			return usagef("--for %s writes %d files; give --out-dir DIR", t.Name, len(files))
		}
		if isTerminal(st.stdout) && (files[0].Secret || !isText(files[0].Data)) {
			return usagef("refusing to write %s to a terminal; use --out-dir DIR", files[0].Name)
		}
		if _, err := st.stdout.Write(files[0].Data); err != nil {
			return err
		}
		st.voice.Notef("%s: %s (written to stdout)", files[0].Name, files[0].Field)
		return nil
	}
	set := make([]safefile.File, 0, len(files))
	for _, f := range files {
		mode := safefile.Public
		if f.Secret {
			mode = safefile.Secret
		}
		set = append(set, safefile.File{Name: f.Name, Data: f.Data, Mode: mode})
	}
	if err := safefile.WriteFiles(dir, set); err != nil {
		return fmt.Errorf("--out-dir: %w", err)
	}
	for _, f := range files {
		st.voice.Notef("%s/%s: %s", strings.TrimRight(dir, "/"), f.Name, f.Field)
	}
	return nil
}

// isText reports whether data is printable PEM or YAML (not DER or PFX).
func isText(data []byte) bool {
	return !bytes.ContainsFunc(data, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\r' && r != '\t' })
}
