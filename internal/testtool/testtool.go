// Package testtool finds and runs the external tools (openssl, Java's
// keytool) that interop tests check chainfix's output with.
//
// A missing tool skips the test on a developer's machine; under CI, which
// installs the tools and sets CHAINFIX_REQUIRE_TOOLS=1, it fails the test,
// so a broken install step cannot hide behind skips.
package testtool

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"testing"
	"time"
)

// Timeout bounds one tool run; keytool starts a JVM, which takes seconds
// on a loaded 2-core machine.
const Timeout = 60 * time.Second

// Need returns the path of tool, or skips (or, under
// CHAINFIX_REQUIRE_TOOLS=1, fails) the test when it is not installed.
func Need(t testing.TB, tool string) string {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("CHAINFIX_REQUIRE_TOOLS") == "1" {
			t.Fatalf("%s is required for this interop test (CHAINFIX_REQUIRE_TOOLS=1): %v", tool, err)
		}
		t.Skipf("%s not installed", tool)
	}
	return path
}

// Run runs tool with args in dir ("" = the current directory), bounded by
// Timeout, and returns its combined output.
func Run(t testing.TB, dir, tool string, args ...string) ([]byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, Need(t, tool), args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	return out.Bytes(), err
}
