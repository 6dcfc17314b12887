package check

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gryadka/gryadka/kv"
)

// Workload says what the clients of a run do. Each client works on one
// key, so a key has Clients/Keys clients (at most 8, so the checker stays
// fast). Most clients of a key go through its home proposer, one in three
// through another proposer (see runClients).
type Workload struct {
	Keys      int           // keys, default 4
	Clients   int           // clients, default 3 per key
	OpTimeout time.Duration // bounds one operation, retries included (default 1s)
	// TrustFailures makes clients report an unknown outcome as a definite
	// failure: the "indefinite" negative control, which the checker must
	// catch.
	TrustFailures bool
}

// visitPause bounds the pause of a client visiting a key through another
// proposer than the key's home one (one visit a second on average).
const visitPause = 2 * time.Second

// maxClientsPerKey keeps porcupine's search small.
const maxClientsPerKey = 8

func (w Workload) withDefaults() (Workload, error) {
	if w.Keys <= 0 {
		w.Keys = 4
	}
	if w.Clients <= 0 {
		w.Clients = 3 * w.Keys
	}
	if w.OpTimeout <= 0 {
		w.OpTimeout = time.Second
	}
	if perKey := (w.Clients + w.Keys - 1) / w.Keys; perKey > maxClientsPerKey {
		return w, fmt.Errorf("check: %d clients on %d keys is %d clients per key; at most %d keep the checker fast",
			w.Clients, w.Keys, perKey, maxClientsPerKey)
	}
	return w, nil
}

// keyName is the name of the i-th key of a run.
func keyName(run string, i int) string { return fmt.Sprintf("check-%s-k%d", run, i) }

// client runs operations on one key through one store and records them.
type client struct {
	id      int
	key     string
	store   *kv.Store
	rec     *Recorder
	rng     *rand.Rand
	trust   bool
	timeout time.Duration
	version uint64        // the last version seen, for compare-and-set
	values  int64         // sequence of the values this client writes
	pause   time.Duration // up to this long between operations
	nextID  *atomic.Int64
}

// pick draws the next operation: reads 30%, increments 25%, sets 20%,
// compare-and-sets 20% and deletes 5%.
func (c *client) pick() Input {
	in := Input{Key: c.key}
	switch n := c.rng.IntN(100); {
	case n < 30:
		in.Kind = OpGet
	case n < 55:
		in.Kind = OpIncr
	case n < 75:
		in.Kind = OpSet
	case n < 95:
		in.Kind = OpCAS
		in.Version = c.version
	default:
		in.Kind = OpDelete
	}
	if in.Kind == OpSet || in.Kind == OpCAS {
		c.values++
		in.Value = UniqueValue(c.id, c.values)
	}
	return in
}

// run issues operations until ctx ends; the last one is allowed to finish.
func (c *client) run(ctx context.Context) {
	for ctx.Err() == nil {
		c.do(c.pick())
		if c.pause > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(time.Duration(c.rng.Int64N(int64(c.pause)))):
			}
		}
	}
}

// do runs in and records it. After an unknown outcome the client takes a
// new ID, as Jepsen does, since its operation may still be in flight.
func (c *client) do(in Input) Output {
	p := c.rec.Invoke(c.id, in)
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	var e kv.Entry
	var err error
	switch in.Kind {
	case OpGet:
		e, err = c.store.Get(ctx, in.Key)
	case OpSet:
		e, err = c.store.Set(ctx, in.Key, in.Value)
	case OpCAS:
		e, err = c.store.CAS(ctx, in.Key, in.Version, in.Value)
	case OpIncr:
		e, err = c.store.Incr(ctx, in.Key, 1)
	case OpDelete:
		e, err = c.store.Delete(ctx, in.Key)
	}
	out := outputOf(in.Kind, e, err, c.trust)
	p.Return(out)
	if out.Versioned {
		c.version = out.Version
	}
	if out.Outcome == OutcomeUnknown {
		c.id = int(c.nextID.Add(1))
	}
	return out
}

// outputOf says what a client learned from a kv operation. With trust, an
// unknown outcome is taken for a definite failure: wrong, on purpose.
func outputOf(kind OpKind, e kv.Entry, err error, trust bool) Output {
	out := Output{Outcome: OutcomeOK, Version: e.Version, Versioned: true}
	var mismatch *kv.MismatchError
	switch {
	case errors.Is(err, kv.ErrUnknownOutcome) && trust:
		return Output{Outcome: OutcomeFailed}
	case errors.Is(err, kv.ErrUnknownOutcome):
		return Output{Outcome: OutcomeUnknown}
	case errors.As(err, &mismatch):
		return Output{Outcome: OutcomeRefused, Version: mismatch.Current, Versioned: true}
	case errors.Is(err, kv.ErrNotFound) && kind == OpDelete:
		out.Outcome = OutcomeRefused
		return out
	case errors.Is(err, kv.ErrNotFound):
		return out
	case err != nil:
		return Output{Outcome: OutcomeFailed}
	}
	out.Exists = e.Live()
	if out.Exists {
		n, isInt := e.Value.(int64)
		if !isInt {
			n = math.MinInt64 // no write of the workload stores this: the checker flags it
		}
		out.Value = n
	}
	return out
}

// runClients runs w's clients on the stores until ctx ends and returns
// once every client's last operation finished.
func runClients(ctx context.Context, w Workload, seed int64, run string, stores []*kv.Store, rec *Recorder) {
	var wg sync.WaitGroup
	nextID := &atomic.Int64{}
	nextID.Store(int64(w.Clients - 1))
	for i := range w.Clients {
		key, nth := i%w.Keys, i/w.Keys
		// Most clients of a key share its home proposer. Every third one
		// visits through the next proposer, pausing between operations,
		// so proposers duel now and then: each visit makes the home
		// proposer's next accept conflict, an unknown outcome that the
		// checker pays for.
		proposer, pause := key, time.Duration(0)
		if nth%3 == 2 && len(stores) > 1 {
			proposer, pause = key+1, visitPause
		}
		c := &client{id: i, key: keyName(run, key), store: stores[proposer%len(stores)], rec: rec, pause: pause,
			rng: rand.New(rand.NewPCG(uint64(seed), uint64(i))), trust: w.TrustFailures, timeout: w.OpTimeout,
			nextID: nextID}
		wg.Go(func() { c.run(ctx) })
	}
	wg.Wait()
}

// UniqueValue returns the n-th value (n >= 1) that client writes with a set
// or CAS. Values are unique to the client and far apart, so a value read
// names the write it came from even after increments, and checking a
// history whose writes use them stays fast.
func UniqueValue(client int, n int64) int64 { return int64(client+1)<<40 | n*valueSpan }
