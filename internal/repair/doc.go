// Package repair is chainfix's pipeline: decode -> fetch -> build (and,
// for check, diagnose). Every front end (the CLI's commands, a bulk run, a
// web handler) builds one Runner per process and calls Run for each chain.
//
// A Runner holds what is loaded once: the trust store, the --pool
// certificates and ONE fetch.Client (so one cache and one in-flight
// deduplication of AIA URLs serve every chain of the process). It is safe
// for concurrent use. Run never reads the clock or the environment: the
// validation time and everything else come in the Request.
//
// Bounds: each Run's network work (AIA and --host) ends after
// Config.Deadline (see DeadlineFor), whatever the caller's context allows.
package repair
