// Package bulk runs many chains in one process (issue 9): an estate's
// certificate files or its list of hosts, each one job on ONE shared
// repair.Runner, so that each intermediate is fetched once for all of them
// (the fetch client's cache and in-flight deduplication) and the process
// starts, and reads the trust store, once.
//
// # Jobs
//
// A job is one chain: a file (Files; every certificate-bearing file under a
// directory, Dir) or a live server (Hosts; a hosts file, ParseHosts: one
// HOST[:PORT] per line, '#' comments, an optional name=SNI). Job.Request
// turns a job into the engine's request, reading the file only then, so a
// run of 10,000 files never holds them all. OutputNames names each job's
// product in an output directory: after the input file or the host, made
// safe, collisions numbered in input order ("-2", "-3"), so the same input
// list always gives the same names.
//
// # Running
//
// Run calls a work function for every job on a pool of Options.Jobs
// goroutines, at most Options.MaxPerEndpoint of them on one endpoint
// address at once, and hands each result to emit in INPUT order as soon as
// every earlier job's result has been handed over: output is streamed and
// byte-stable whatever the timing. A finished result waits for the earlier
// ones at most Options.MaxPending deep; the pool starts no job beyond that
// window, so memory stays bounded however slow one job is.
//
// When the caller's context is cancelled (the CLI's first SIGINT), Run
// starts no new job; the jobs already running finish with a context that
// the cancellation does not reach (they end by their own deadlines), their
// results are emitted, and Stats says how many were never started. What a
// finished job wrote is complete; what was not started is not written at
// all. Ending running jobs at once is the caller's business (the CLI's
// second SIGINT ends the process and removes temporary files).
//
// Limits: MaxJobs jobs in a list (the list is held in memory), MaxHostsLine
// bytes in a hosts-file line; a directory walk skips hidden names (.git,
// and the .NAME.tmp-* files of interrupted writes).
package bulk
