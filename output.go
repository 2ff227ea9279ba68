package main

import (
	"os"

	"golang.org/x/term"

	"chainfix/internal/safefile"
)

// writeOutput writes data to path (internal/safefile: atomically for a
// regular file, straight into a device or a pipe, never over an input), or
// to stdout when path is "" or "-".
func (st *state) writeOutput(path string, data []byte, mode os.FileMode) error {
	if path == "" || path == "-" {
		_, err := st.stdout.Write(data)
		return err
	}
	return safefile.WriteFile(path, data, mode)
}

// isTerminal reports whether w or r is an interactive terminal.
func isTerminal(f any) bool {
	if a, ok := f.(*afterHandler); ok {
		f = a.w
	}
	file, ok := f.(*os.File)
	return ok && term.IsTerminal(int(file.Fd()))
}

// notInputs refuses an output path that is one of the inputs (the same
// file after resolving links): `chainfix key --in site.pfx -o site.pfx`
// would replace the PFX with a bare key. Checked before any work.
func notInputs(out string, inputs ...[]string) error {
	var all []string
	for _, in := range inputs {
		all = append(all, in...)
	}
	return safefile.CheckNotInput(out, all)
}
