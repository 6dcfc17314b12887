package bench

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gryadka/gryadka/kv"
)

// KeyMode says which keys the clients change.
type KeyMode string

// The key modes.
const (
	// KeysOwn gives every client a key of its own.
	KeysOwn KeyMode = "own"
	// KeysShared has every client change one key.
	KeysShared KeyMode = "shared"
)

// Op is what one operation of a client does.
type Op string

// The operations.
const (
	// OpInc is one change: an increment.
	OpInc Op = "inc"
	// OpRMW is two changes: a read, then a compare-and-set of the value
	// plus one, retried from the read on a version mismatch.
	OpRMW Op = "rmw"
)

// ErrBadOptions is wrapped by every error about Options.
var ErrBadOptions = errors.New("bench: bad options")

// Options configure Run.
type Options struct {
	// Clients is how many clients run operations back to back.
	Clients int
	// Keys is KeysOwn or KeysShared.
	Keys KeyMode
	// Op is OpInc or OpRMW.
	Op Op
	// Duration is how long clients start new operations; those in flight
	// at the end are let finish.
	Duration time.Duration
	// OpTimeout bounds one operation, retries included (default 5s).
	OpTimeout time.Duration
	// Prefix starts every key name; give each run its own, so that runs
	// sharing nodes never touch each other's keys.
	Prefix string
	// Tick, if not nil, is called about four times a second from another
	// goroutine with the time since the start and the operations done,
	// and once at the end.
	Tick func(elapsed time.Duration, ops uint64)
}

// Validate explains what is wrong with o, or returns nil.
func (o Options) Validate() error {
	switch {
	case o.Clients < 1:
		return fmt.Errorf("%w: %d clients: want at least 1", ErrBadOptions, o.Clients)
	case o.Keys != KeysOwn && o.Keys != KeysShared:
		return fmt.Errorf("%w: keys %q: want own or shared", ErrBadOptions, o.Keys)
	case o.Op != OpInc && o.Op != OpRMW:
		return fmt.Errorf("%w: op %q: want inc or rmw", ErrBadOptions, o.Op)
	case o.Duration <= 0:
		return fmt.Errorf("%w: duration %s: want more than zero", ErrBadOptions, o.Duration)
	case o.Prefix == "":
		return fmt.Errorf("%w: the key prefix is empty", ErrBadOptions)
	}
	return nil
}

// Result is what a run did.
type Result struct {
	// Ops counts the operations that succeeded; Latency holds their
	// durations, from the first attempt to success, retries included.
	Ops     uint64
	Latency *Histogram
	// Errors counts the operations that failed, ErrorKinds by ErrorKind.
	Errors     uint64
	ErrorKinds map[string]uint64
	// Elapsed runs from the start to the end of the last operation.
	Elapsed time.Duration
	// Expect is what each key must hold, sorted by key.
	Expect []Expectation
}

// Run has opts.Clients clients run operations through stores, client i
// through stores[i%len(stores)], until opts.Duration has passed or ctx is
// done, then waits for the operations in flight.
func Run(ctx context.Context, stores []*kv.Store, opts Options) (*Result, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if len(stores) == 0 {
		return nil, fmt.Errorf("%w: no proposers", ErrBadOptions)
	}
	if opts.OpTimeout <= 0 {
		opts.OpTimeout = 5 * time.Second
	}
	var ops atomic.Uint64
	clients := make([]*client, opts.Clients)
	start := time.Now()
	deadline := start.Add(opts.Duration)
	var wg sync.WaitGroup
	for i := range clients {
		c := &client{store: stores[i%len(stores)], op: opts.Op, key: opts.Prefix + "/shared",
			timeout: opts.OpTimeout, done: &ops, kinds: map[string]uint64{}}
		if opts.Keys == KeysOwn {
			c.key = opts.Prefix + "/c" + strconv.Itoa(i+1)
		}
		clients[i] = c
		wg.Go(func() { c.run(ctx, deadline) })
	}
	stopTicks := tick(opts.Tick, start, &ops)
	wg.Wait()
	stopTicks()

	r := &Result{Latency: &Histogram{}, ErrorKinds: map[string]uint64{}, Elapsed: time.Since(start)}
	expect := map[string]*Expectation{}
	for _, c := range clients {
		r.Ops += c.acked
		r.Errors += c.failed
		r.Latency.Merge(&c.latency)
		for k, n := range c.kinds {
			r.ErrorKinds[k] += n
		}
		e := expect[c.key]
		if e == nil {
			e = &Expectation{Key: c.key}
			expect[c.key] = e
		}
		e.Min += int64(c.acked)
		e.Max += int64(c.acked + c.unknown)
	}
	for _, e := range expect {
		r.Expect = append(r.Expect, *e)
	}
	slices.SortFunc(r.Expect, func(a, b Expectation) int { return cmp.Compare(a.Key, b.Key) })
	return r, nil
}

// tick calls f every 250ms until the returned stop is called, and once
// more from stop, with the final count.
func tick(f func(time.Duration, uint64), start time.Time, ops *atomic.Uint64) (stop func()) {
	if f == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				f(time.Since(start), ops.Load())
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
		f(time.Since(start), ops.Load())
	}
}

// client runs operations on one key back to back. Its fields are its own
// until Run has waited for it.
type client struct {
	store   *kv.Store
	op      Op
	key     string
	timeout time.Duration
	done    *atomic.Uint64

	latency                Histogram
	acked, failed, unknown uint64
	kinds                  map[string]uint64
}

func (c *client) run(ctx context.Context, deadline time.Time) {
	for time.Now().Before(deadline) && ctx.Err() == nil {
		// An operation in flight is let finish even when ctx ends.
		octx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.timeout)
		start := time.Now()
		err := c.once(octx)
		took := time.Since(start)
		cancel()
		if err == nil {
			c.latency.Record(took)
			c.acked++
			c.done.Add(1)
			continue
		}
		c.failed++
		c.kinds[ErrorKind(err)]++
		if !Definite(err) {
			c.unknown++
		}
		// Do not spin on a cluster that keeps failing.
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func (c *client) once(ctx context.Context) error {
	if c.op == OpInc {
		_, err := c.store.Incr(ctx, c.key, 1)
		return err
	}
	for {
		e, err := c.store.Get(ctx, c.key)
		if err != nil && !errors.Is(err, kv.ErrNotFound) {
			return err
		}
		n, err := counterValue(e)
		if err != nil {
			return fmt.Errorf("rmw %s: %w", c.key, err)
		}
		_, err = c.store.CAS(ctx, c.key, e.Version, n+1)
		if errors.Is(err, kv.ErrVersionMismatch) && ctx.Err() == nil {
			continue // another client changed the key in between
		}
		return err
	}
}

// counterValue returns the integer e holds, 0 when the key has no value.
func counterValue(e kv.Entry) (int64, error) {
	if !e.Live() {
		return 0, nil
	}
	n, ok := e.Value.(int64)
	if !ok {
		return 0, fmt.Errorf("%w: the key holds %s", kv.ErrNotInteger, e)
	}
	return n, nil
}
