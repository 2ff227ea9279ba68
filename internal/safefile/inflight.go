package safefile

import (
	"os"
	"sync"
	"sync/atomic"
)

// inflight is the set of temporary files and directories this process
// still has on disk, for Cleanup. It is the package's only state (with the
// directory syncs of dirsync.go): a process has one set of signals, and
// the handler that calls Cleanup cannot know which writes are running.
//
// Creating a temporary name, and renaming it into place, happen under gate
// held shared, and Cleanup holds it alone: it either sees a name and
// removes it, or runs after the rename (the destination is complete).
// Shared, so that concurrent writes (a bulk run writes one file per job)
// do not wait for each other's renames.
var inflight struct {
	gate   sync.RWMutex
	closed bool // Cleanup ran: no new temporary names, no renames; under gate

	mu    sync.Mutex // guards paths
	paths map[string]struct{}

	// handler is closed once the caller's SIGINT/SIGTERM handler is in
	// place (AwaitHandler); nil when nobody said one is coming.
	handler atomic.Pointer[<-chan struct{}]
}

// AwaitHandler makes every later write wait for ready to be closed before
// it creates a temporary name. The CLI installs its SIGINT/SIGTERM handler,
// the one that calls Cleanup, beside its first work rather than before it
// (os/signal waits for the runtime to start a signal thread, a quarter of
// a millisecond, a twentieth of a short process); a named temporary file made
// before that handler exists could outlive a Ctrl-C. Process-wide, as
// Cleanup is; writes made while nothing was awaited never wait.
func AwaitHandler(ready <-chan struct{}) {
	inflight.handler.Store(&ready)
}

// Cleanup removes every temporary file and directory that writes of this
// package still have in flight, and makes those writes, and any later one,
// fail with ErrInterrupted. The CLI must call it from its SIGINT/SIGTERM
// handler, just before the process exits: without it, Ctrl-C during a
// write could leave a hidden ".NAME.tmp-RANDOM" file or directory beside
// the output. Destinations are never touched: each still holds its old
// content, or the complete new one if its rename came first. Cleanup is
// safe to call from any goroutine, and more than once.
func Cleanup() {
	inflight.gate.Lock()
	defer inflight.gate.Unlock()
	inflight.closed = true
	inflight.mu.Lock()
	defer inflight.mu.Unlock()
	for p := range inflight.paths {
		os.RemoveAll(p) // best effort: the process is exiting
		delete(inflight.paths, p)
	}
}

// track runs create, which makes a temporary file or directory and returns
// its name, and records that name for Cleanup. It fails with
// ErrInterrupted once Cleanup has run.
func track(create func() (string, error)) (string, error) {
	if ready := inflight.handler.Load(); ready != nil {
		<-*ready
	}
	inflight.gate.RLock()
	defer inflight.gate.RUnlock()
	if inflight.closed {
		return "", ErrInterrupted
	}
	name, err := create()
	if err != nil {
		return "", err
	}
	inflight.mu.Lock()
	defer inflight.mu.Unlock()
	if inflight.paths == nil {
		inflight.paths = map[string]struct{}{}
	}
	inflight.paths[name] = struct{}{}
	return name, nil
}

// commit renames the complete temporary tmp to final and stops tracking
// it. After Cleanup it fails with ErrInterrupted: tmp is gone already.
func commit(tmp, final string, rename func(oldpath, newpath string) error) error {
	inflight.gate.RLock()
	defer inflight.gate.RUnlock()
	if inflight.closed {
		return ErrInterrupted
	}
	if err := rename(tmp, final); err != nil {
		return err
	}
	untrack(tmp)
	return nil
}

// discard removes the temporary tmp after a failed write and stops
// tracking it.
func discard(tmp string) {
	os.RemoveAll(tmp)
	untrack(tmp)
}

func untrack(tmp string) {
	inflight.mu.Lock()
	defer inflight.mu.Unlock()
	delete(inflight.paths, tmp)
}
