// Package web is chainfix serve (issue 13): a page on the admin's own
// machine that does what the commands do, with the same engine, and an HTTP
// API that mirrors the CLI. Keys and passwords never leave the machine.
//
// # API
//
// POST /api/check, /api/build, /api/pfx, /api/inspect and /api/explain take
// multipart/form-data, named after the command's flags: repeatable `file`
// parts (certificates, chains, PFX, keys: the FILE arguments), a `key` file
// part, and fields such as `password`, `host`, `servername`, `name`, `for`
// and the command's options (`include_root`, `chain_only`, `format`,
// `armor`, `crlf`, `encryption`, ...); a field the endpoint does not take
// is refused, as an unknown flag is. /api/check, /api/inspect and
// /api/explain answer the document the command's --json prints; /api/build
// the bundle and /api/pfx the PFX, byte for byte what the commands write
// (a --for target's file set as a zip); every answer carries the command's
// exit status in the Chainfix-Exit header. A failure is a JSON object
// {"error": "...", "exit": N} in the CLI's words. /api/diagnose is the
// page's own call (the check document, the summary of what was done to
// the chain, inspect's details of each certificate, the validation time);
// /api/bulk checks a pasted host list in the background, with progress as
// server-sent events and results as CSV and JSON. README.md documents
// every field.
//
// # Safety
//
// Every request must carry the access token (New's Options.Token): in the
// `token` query parameter of the page's address (GET / only; the page then
// keeps it in an HttpOnly, SameSite=Strict cookie) or as
// `Authorization: Bearer TOKEN`; it is compared in constant time. A Host
// header that is not the listening address is refused (DNS rebinding), so
// is a request with a foreign Origin or a cross-site Sec-Fetch-Site (CSRF).
// No CORS header is ever sent. Every answer has a strict
// Content-Security-Policy (scripts and styles from this server only, no
// inline script, frame-ancestors 'none'), X-Content-Type-Options nosniff,
// Referrer-Policy no-referrer and Cache-Control no-store.
//
// Uploads are read into memory, never written to disk (the multipart parts
// are streamed, not parsed with ParseMultipartForm, which spills to
// temporary files): each file at most source.MaxInputSize, like one CLI
// input, at most MaxFiles of them, MaxBody bytes in all. Keys and
// passwords live only for their request (their buffers are zeroed after
// it) and are never logged or echoed: the log has a request's method, path
// and status only. Every API request has a deadline (Options.Timeout).
//
// The page (static/) is HTML, CSS and JavaScript written for it, embedded
// in the binary: it works without network access. It draws what the API
// answers; every decision about a chain is the engine's.
package web
