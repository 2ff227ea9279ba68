package report

import (
	"fmt"
	"io"
	"strings"

	"chainfix/internal/explain"
)

// Explained is explain's product: the client errors recognised in a
// text, with the findings that cause each.
type Explained struct {
	Text    string            `json:"text"`
	Matches []explain.Mapping `json:"matches"`
	// Confirm is the command that checks for those findings.
	Confirm string `json:"confirm"`
}

// ConfirmCommand is the command an admin runs to see which finding it is.
const ConfirmCommand = "chainfix check --host HOST --name NAME (or: chainfix check --name NAME CHAIN-FILE)"

// ExplainText writes the explanation for a person.
func ExplainText(w io.Writer, e *Explained) {
	line := func(format string, args ...any) {
		io.WriteString(w, TermSafe(capLine(fmt.Sprintf(format, args...)))+"\n")
	}
	for i, m := range e.Matches {
		if i > 0 {
			line("")
		}
		line("%s: %s", m.Client, m.Error)
		line("  means: %s", m.Meaning)
		line("  caused by (check finding ids):")
		for _, id := range m.IDs {
			line("    %-33s %s", id, explain.What[id])
		}
		line("  source: %s", m.Source)
	}
	line("")
	line("confirm with: %s", strings.TrimSpace(e.Confirm))
}
