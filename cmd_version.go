package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v2"
)

func versionCommand(st *state) *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the version, the commit and the Go version chainfix was built with",
		Description: `The version is the module version the Go toolchain stamped (a release tag,
or a pseudo-version from the git checkout), or "devel" when it stamped none
(go build -buildvcs=false, a build outside a checkout). The commit is the git
revision, "with uncommitted changes" when the tree was dirty, or "unknown"
when the build carries no VCS information.

Example:
   chainfix version`,
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("version takes no arguments")
			}
			info, _ := debug.ReadBuildInfo()
			_, err := fmt.Fprint(st.stdout, versionText(version(), info))
			return err
		},
	}
}

// versionText is what `chainfix version` prints: three lines, the version,
// the commit and the toolchain. info may be nil (a binary without build
// information).
func versionText(v string, info *debug.BuildInfo) string {
	var revision, at string
	modified := false
	goVersion := runtime.Version()
	if info != nil {
		if info.GoVersion != "" {
			goVersion = info.GoVersion
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	commit := "unknown (built without VCS information: -buildvcs=false, or not from a git checkout)"
	if revision != "" {
		var notes []string
		if at != "" {
			notes = append(notes, at)
		}
		if modified {
			notes = append(notes, "with uncommitted changes")
		}
		commit = revision
		if len(notes) > 0 {
			commit += " (" + strings.Join(notes, ", ") + ")"
		}
	}
	return fmt.Sprintf("chainfix %s\ncommit   %s\ngo       %s %s/%s\n", v, commit, goVersion, runtime.GOOS, runtime.GOARCH)
}
