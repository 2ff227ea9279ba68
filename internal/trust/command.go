package trust

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// commandTimeout bounds one run of a helper program (macOS's security
// tool): reading a few hundred certificates takes well under a second, and
// a tool that hangs (a keychain locked behind a dialog) must not hang
// chainfix with it.
const commandTimeout = 30 * time.Second

// runCommand is the default Options.Command: it runs name with args and
// returns standard output; a failure carries the first line of standard
// error.
func runCommand(name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		what := name
		if len(args) > 0 {
			what += " " + args[0]
		}
		if msg, _, _ := strings.Cut(strings.TrimSpace(stderr.String()), "\n"); msg != "" {
			return nil, fmt.Errorf("%s: %w: %s", what, err, msg)
		}
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return stdout.Bytes(), nil
}
