// Package report is chainfix's one user-facing voice: the lines on stderr
// (errors, warnings, notes, the summary of what was done to a chain), the
// check report on stdout, and the JSON models scripts read. Every function
// writes to an io.Writer it is given, so the CLI, a bulk run and a web
// handler render the same outcome the same way.
//
// Every line is made safe for a terminal (certificate names come from
// outside; an escape sequence in a subject must not reach the admin's
// terminal) and capped at MaxLineLength characters.
package report
