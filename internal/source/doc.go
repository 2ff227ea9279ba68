// Package source reads chainfix's inputs: named files, stdin, or bytes a
// caller already holds (a web upload), and decodes every certificate and
// private key they contain, in any encoding package pem and package pfx
// accept (PEM with text around it, DER, PKCS#7, PFX, key files).
//
// Limits: one input is at most MaxInputSize bytes, refused before it is
// read into memory. Repeated warnings about one input (a pool with
// thousands of unreadable blocks) are summarised after MaxWarningsPerInput.
//
// Keys are found but not decoded: a key file among the inputs is decoded
// only when a command asks for it (Key.Signer), so that a password prompt
// never appears for a key nobody needs.
package source
