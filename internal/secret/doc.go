// Package secret reads secrets chainfix is given by name, today the
// password files of --password-file, --in-password-file and
// --out-password-file.
//
// ReadPasswordFile reads the whole file, through as many reads as it
// takes: a password arriving through a pipe (a FIFO, or bash's
// <(pass show site) process substitution, which is a /dev/fd path) may come
// in several writes, and a single read would cut it short. Opening a FIFO
// waits for its writer, as for any program reading one. The password is
// the first line, without its line end (LF, CRLF, or a lone CR); a file
// holding only a line end gives an empty password, which the caller may
// refuse. A password thus cannot contain CR or LF.
//
// Refused: a directory, and a file longer than MaxPasswordFile bytes (a
// certificate or a key given by mistake). Errors name the file and say
// why; they never contain any byte of the file.
package secret
