package safefile

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestSyncDirGroupCommit: concurrent writers share directory fsyncs, and
// none returns before an fsync that started after it arrived has finished.
func TestSyncDirGroupCommit(t *testing.T) {
	const writers = 50
	var (
		clock   atomic.Int64 // orders arrivals and fsync starts
		mu      sync.Mutex
		done    []int64 // start ticks of finished fsyncs
		calls   atomic.Int32
		release = make(chan struct{})
	)
	old := dirFsync
	t.Cleanup(func() { dirFsync = old })
	dirFsync = func(dir string) {
		start := clock.Add(1)
		if calls.Add(1) == 1 {
			<-release // hold the first fsync until every writer waits
		}
		mu.Lock()
		done = append(done, start)
		mu.Unlock()
	}
	dir := t.TempDir()
	var wg sync.WaitGroup
	bad := make(chan string, writers)
	for range writers {
		wg.Go(func() {
			arrived := clock.Add(1)
			syncDir(dir)
			mu.Lock()
			defer mu.Unlock()
			for _, s := range done {
				if s > arrived {
					return
				}
			}
			bad <- "a writer returned before an fsync that started after it"
		})
	}
	waitFor(t, func() bool {
		dirSyncs.mu.Lock()
		defer dirSyncs.mu.Unlock()
		d := dirSyncs.dirs[dir]
		return d != nil && d.waiters == writers
	})
	close(release)
	wg.Wait()
	close(bad)
	for msg := range bad {
		t.Fatal(msg)
	}
	// The first fsync, then one for everybody who arrived during it.
	if n := calls.Load(); n != 2 {
		t.Errorf("%d fsyncs for %d concurrent writers, want 2", n, writers)
	}
	if len(dirSyncs.dirs) != 0 {
		t.Errorf("state left behind for %d directories", len(dirSyncs.dirs))
	}
	// Alone, a write still gets its own fsync.
	syncDir(dir)
	if n := calls.Load(); n != 3 {
		t.Errorf("a lone write made %d fsyncs, want 1", n-2)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(time.Millisecond)
	}
}
