package bulk

import (
	"context"
	"runtime"
	"sync"
)

// Defaults of Options, each with its reason.
const (
	// JobsPerCPU: a job mostly waits on the network (an AIA fetch, a TLS
	// handshake), so a few per CPU keep the CPUs busy; decoding and
	// building take a millisecond or two of CPU.
	JobsPerCPU = 4
	// MinDefaultJobs and MaxDefaultJobs bound the default: 8 at once even
	// on one CPU (waiting is cheap), and no more than 64 sockets at once
	// by default (a host's file-descriptor limit, a firewall's rate limit).
	MinDefaultJobs = 8
	MaxDefaultJobs = 64
	// DefaultMaxPerEndpoint: jobs at once on one endpoint address, as the
	// fetch client's limit per AIA host (fetch.DefaultMaxPerHost): a
	// hosts file may list one load balancer under many names and ports,
	// and a burst of handshakes looks like an attack to it.
	DefaultMaxPerEndpoint = 4
	// DefaultMaxPending: finished results waiting for an earlier, slower
	// job before the pool stops starting new ones. A check report is a
	// few KiB, so 4096 stay under ~20 MB, while one host that times out
	// (10 s) does not stall a fast run for long.
	DefaultMaxPending = 4096
)

// DefaultJobs is the default size of the pool: JobsPerCPU per CPU, between
// MinDefaultJobs and MaxDefaultJobs.
func DefaultJobs() int {
	return min(max(JobsPerCPU*runtime.NumCPU(), MinDefaultJobs), MaxDefaultJobs)
}

// Options tune Run. The zero value uses the defaults.
type Options struct {
	// Jobs is how many jobs run at once; 0 means DefaultJobs().
	Jobs int
	// MaxPerEndpoint is how many host jobs run at once on one endpoint
	// address (Job.Endpoint); 0 means DefaultMaxPerEndpoint.
	MaxPerEndpoint int
	// MaxPending bounds the results held for input order; 0 means
	// DefaultMaxPending. It is raised to twice Jobs when lower, so that
	// every worker can have a job.
	MaxPending int
	// Progress, when set, is called after each job ends with how many
	// have ended and how many of them failed, from the goroutine that
	// called Run (the one emit runs on), in the order jobs end.
	Progress func(done, failed int)
}

// Result is what a job produced; OK says whether it succeeded.
type Result interface {
	OK() bool
}

// Stats count what Run did.
type Stats struct {
	Total   int // jobs given
	Started int // jobs started (all of them unless interrupted)
	Done    int // jobs ended and emitted (== Started)
	Failed  int // of Done, those whose result was not OK
}

// NotStarted is how many jobs were never started: the context was
// cancelled first.
func (s Stats) NotStarted() int { return s.Total - s.Started }

// Interrupted reports whether the run stopped before starting every job.
func (s Stats) Interrupted() bool { return s.Started < s.Total }

// Run calls work for every job, at most opts.Jobs at once, and emit with
// each job and its result in input order (see the package documentation).
// emit runs on the calling goroutine, one call at a time. Once ctx is
// done no job is started; running ones go on with a context ctx's
// cancellation does not reach (context.WithoutCancel) and are emitted.
func Run[R Result](ctx context.Context, jobs []Job, opts Options, work func(context.Context, Job) R, emit func(Job, R)) Stats {
	n := opts.Jobs
	if n <= 0 {
		n = DefaultJobs()
	}
	perEndpoint := opts.MaxPerEndpoint
	if perEndpoint <= 0 {
		perEndpoint = DefaultMaxPerEndpoint
	}
	pending := opts.MaxPending
	if pending <= 0 {
		pending = DefaultMaxPending
	}
	pending = max(pending, 2*n)
	workCtx := context.WithoutCancel(ctx)

	type ended struct {
		i int
		r R
	}
	todo := make(chan int)
	results := make(chan ended, n)
	window := make(chan struct{}, pending) // a token per job started and not yet emitted
	limits := &endpointLimits{max: perEndpoint, slots: map[string]chan struct{}{}}
	stats := Stats{Total: len(jobs)}

	// The dispatcher starts jobs in input order while the window has room
	// and ctx allows; it is the only writer of started.
	var started int
	dispatched := make(chan struct{})
	go func() {
		defer close(dispatched)
		defer close(todo)
		for i := range jobs {
			if ctx.Err() != nil {
				return
			}
			select {
			case window <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case todo <- i:
				started++
			case <-ctx.Done():
				<-window
				return
			}
		}
	}()

	var wg sync.WaitGroup
	for range min(n, max(len(jobs), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range todo {
				release := limits.acquire(jobs[i].Endpoint())
				r := work(workCtx, jobs[i])
				release()
				results <- ended{i, r}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()

	// The collector (this goroutine) emits in input order.
	held := map[int]R{}
	next := 0
	for e := range results {
		stats.Done++
		if !e.r.OK() {
			stats.Failed++
		}
		if opts.Progress != nil {
			opts.Progress(stats.Done, stats.Failed)
		}
		held[e.i] = e.r
		for {
			r, ok := held[next]
			if !ok {
				break
			}
			delete(held, next)
			emit(jobs[next], r)
			<-window
			next++
		}
	}
	<-dispatched
	stats.Started = started
	return stats
}

// endpointLimits is a semaphore per endpoint address.
type endpointLimits struct {
	max   int
	mu    sync.Mutex
	slots map[string]chan struct{}
}

// acquire waits for a slot of endpoint ("" has no limit) and returns its
// release.
func (l *endpointLimits) acquire(endpoint string) func() {
	if endpoint == "" {
		return func() {}
	}
	l.mu.Lock()
	s, ok := l.slots[endpoint]
	if !ok {
		s = make(chan struct{}, l.max)
		l.slots[endpoint] = s
	}
	l.mu.Unlock()
	s <- struct{}{}
	return func() { <-s }
}
