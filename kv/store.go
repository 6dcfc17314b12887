package kv

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync/atomic"
	"time"

	"github.com/gryadka/gryadka/paxos"
)

// Store is a key-value store whose every operation is one CASPaxos change
// of one key. It is safe for concurrent use.
type Store struct {
	p    *paxos.Proposer
	opts options

	attempts, conflicts, retries, unknown atomic.Uint64
}

type options struct {
	minBackoff, maxBackoff time.Duration
	maxAttempts            int
	limits                 ExprLimits
}

// Option configures a Store.
type Option func(*options)

// WithBackoff sets the bounds of the delay between conflict retries
// (default 2ms, doubling up to 200ms, each delay jittered by half).
func WithBackoff(min, max time.Duration) Option {
	return func(o *options) { o.minBackoff, o.maxBackoff = min, max }
}

// WithMaxAttempts bounds the attempts of one operation (default 100); the
// context's deadline bounds them too.
func WithMaxAttempts(n int) Option {
	return func(o *options) { o.maxAttempts = n }
}

// WithExprLimits sets the limits of Change expressions (default
// DefaultExprLimits). MaxValueSize also bounds every stored value.
func WithExprLimits(l ExprLimits) Option {
	return func(o *options) { o.limits = l }
}

// New returns a Store that runs its operations through p.
func New(p *paxos.Proposer, opts ...Option) *Store {
	o := options{minBackoff: 2 * time.Millisecond, maxBackoff: 200 * time.Millisecond, maxAttempts: 100,
		limits: DefaultExprLimits}
	for _, opt := range opts {
		opt(&o)
	}
	o.minBackoff = max(o.minBackoff, time.Microsecond)
	o.maxBackoff = max(o.maxBackoff, o.minBackoff)
	o.maxAttempts = max(o.maxAttempts, 1)
	return &Store{p: p, opts: o}
}

// Stats returns the store's counters.
func (s *Store) Stats() Stats {
	return Stats{Attempts: s.attempts.Load(), Conflicts: s.conflicts.Load(), Retries: s.retries.Load(),
		Unknown: s.unknown.Load()}
}

// Get returns key's entry. It fails with ErrNotFound when the key is
// absent or deleted; the returned Entry still has the key's version.
func (s *Store) Get(ctx context.Context, key string) (Entry, error) {
	return s.do(ctx, "get", key, true, func(cur Entry) (Entry, error) { return cur, nil })
}

// Set stores value, whatever the key held, and returns the new entry.
func (s *Store) Set(ctx context.Context, key string, value any) (Entry, error) {
	v, err := s.check(value)
	if err != nil {
		return Entry{}, &OpError{Op: "set", Key: key, Err: err}
	}
	return s.do(ctx, "set", key, false, func(cur Entry) (Entry, error) {
		return Entry{Version: cur.Version + 1, Value: v}, nil
	})
}

// CAS stores value if key is at version (0: never written), and fails
// with a *MismatchError otherwise. A deleted key is at its tombstone's
// version.
func (s *Store) CAS(ctx context.Context, key string, version uint64, value any) (Entry, error) {
	v, err := s.check(value)
	if err != nil {
		return Entry{}, &OpError{Op: "cas", Key: key, Err: err}
	}
	return s.do(ctx, "cas", key, false, func(cur Entry) (Entry, error) {
		if cur.Version != version {
			return cur, &MismatchError{Expected: version, Current: cur.Version}
		}
		return Entry{Version: cur.Version + 1, Value: v}, nil
	})
}

// Incr adds delta to key's integer value; an absent or deleted key counts
// as 0. Other values, and sums that overflow, fail with ErrNotInteger.
func (s *Store) Incr(ctx context.Context, key string, delta int64) (Entry, error) {
	return s.do(ctx, "incr", key, false, func(cur Entry) (Entry, error) {
		var n int64
		if cur.Live() {
			i, ok := cur.Value.(int64)
			if !ok {
				return cur, fmt.Errorf("%w: the value is %s", ErrNotInteger, cur)
			}
			n = i
		}
		if delta > 0 && n > math.MaxInt64-delta || delta < 0 && n < math.MinInt64-delta {
			return cur, fmt.Errorf("%w: %d%+d overflows 64 bits", ErrNotInteger, n, delta)
		}
		return Entry{Version: cur.Version + 1, Value: n + delta}, nil
	})
}

// Delete writes a tombstone for key and returns it. It fails with
// ErrNotFound, changing nothing, when the key is absent or deleted.
func (s *Store) Delete(ctx context.Context, key string) (Entry, error) {
	return s.do(ctx, "del", key, false, func(cur Entry) (Entry, error) {
		if !cur.Live() {
			return cur, ErrNotFound
		}
		return Entry{Version: cur.Version + 1, Deleted: true}, nil
	})
}

// Change compiles src (see CompileExpr) and sets key to its value for
// x = the current value, or nil when the key has none. A nil result
// deletes the key; on a key without a value it changes nothing.
func (s *Store) Change(ctx context.Context, key, src string) (Entry, error) {
	e, err := CompileExpr(src, s.opts.limits)
	if err != nil {
		return Entry{}, &OpError{Op: "change", Key: key, Err: err}
	}
	return s.do(ctx, "change", key, false, func(cur Entry) (Entry, error) {
		var x any
		if cur.Live() {
			x = cur.Value
		}
		v, err := e.Eval(x)
		switch {
		case err != nil:
			return cur, err
		case v == nil && !cur.Live():
			return cur, nil
		case v == nil:
			return Entry{Version: cur.Version + 1, Deleted: true}, nil
		}
		return Entry{Version: cur.Version + 1, Value: v}, nil
	})
}

// check normalizes a value to store and refuses it before any round when
// it is too large.
func (s *Store) check(value any) (any, error) {
	v, err := Normalize(value)
	if err != nil {
		return nil, err
	}
	b, err := Encode(Entry{Version: math.MaxUint64, Value: v})
	if err != nil {
		return nil, err
	}
	if limit := s.opts.limits.MaxValueSize; limit > 0 && len(b) > limit {
		return nil, fmt.Errorf("%w: %d bytes encoded, the limit is %d", ErrBadValue, len(b), limit)
	}
	return v, nil
}

// do runs one operation: f maps the current entry to the next one, or
// refuses with an error, leaving the key unchanged. An entry f returns
// unchanged is written back as it was.
func (s *Store) do(ctx context.Context, op, key string, read bool, f func(Entry) (Entry, error)) (Entry, error) {
	maxSize := s.opts.limits.MaxValueSize
	update := func(state []byte) ([]byte, error) {
		cur, err := Decode(state)
		if err != nil {
			return nil, err
		}
		next, err := f(cur)
		if err != nil {
			return nil, err
		}
		if next.Version == cur.Version {
			return state, nil
		}
		out, err := Encode(next)
		if err == nil && maxSize > 0 && len(out) > maxSize {
			err = fmt.Errorf("%w: %d bytes encoded, the limit is %d", ErrBadValue, len(out), maxSize)
		}
		return out, err
	}
	state, err := s.change(ctx, op, key, read, update)
	e, derr := Decode(state)
	if err == nil {
		err = derr
	}
	if err == nil && read && !e.Live() {
		err = ErrNotFound
	}
	if err != nil {
		if errors.Is(err, ErrCorrupt) {
			e = Entry{}
		}
		return e, &OpError{Op: op, Key: key, Entry: e, Err: err}
	}
	return e, nil
}
