package kv

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gryadka/gryadka/paxos"
)

// conflicting refuses its first n prepares as if it had seen a higher
// ballot, then behaves as the acceptor it wraps; n < 0 refuses forever.
type conflicting struct {
	paxos.Acceptor
	n atomic.Int64
}

func (c *conflicting) Prepare(ctx context.Context, key string, b paxos.Ballot) (paxos.Promise, error) {
	if c.n.Add(-1) >= 0 || c.n.Load() < -1<<40 {
		return paxos.Promise{}, &paxos.ConflictError{Phase: paxos.PhasePrepare, Acceptor: c.Name(), Proposed: b,
			Seen: paxos.Ballot{Counter: b.Counter + 1, Proposer: "zz"}}
	}
	return c.Acceptor.Prepare(ctx, key, b)
}

func withConflicts(a paxos.Acceptor, n int64) *conflicting {
	c := &conflicting{Acceptor: a}
	c.n.Store(n)
	return c
}

// failingAccepts fails every accept with a plain error: the vote is
// missing and nobody knows whether the acceptor stored the value.
type failingAccepts struct{ paxos.Acceptor }

func (failingAccepts) Accept(context.Context, string, paxos.Ballot, []byte, paxos.Ballot) error {
	return errors.New("connection reset")
}

func TestStore_RetriesDefiniteConflicts(t *testing.T) {
	as := memAcceptors(3)
	p := newProposer(t, "p1", false, withConflicts(as[0], 3), withConflicts(as[1], 3), as[2])
	s := New(p, WithBackoff(time.Microsecond, time.Millisecond))
	e, err := s.Incr(ctxT(t), "k", 1)
	check(t, "incr", Entry{Version: 1, Value: int64(1)}, e, nil, err)
	if want, have := (Stats{Attempts: 4, Conflicts: 3, Retries: 3}), s.Stats(); want != have {
		t.Errorf("want %+v, have %+v", want, have)
	}
}

func TestStore_GivesUpOnConflicts(t *testing.T) {
	tests := map[string]struct {
		opts    []Option
		timeout time.Duration
		want    string
	}{
		"attempt limit": {opts: []Option{WithMaxAttempts(5), WithBackoff(time.Microsecond, time.Microsecond)},
			timeout: time.Minute, want: "(5 attempts)"},
		"deadline": {opts: []Option{WithBackoff(time.Millisecond, 10*time.Millisecond)},
			timeout: 50 * time.Millisecond, want: "before the deadline"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			as := memAcceptors(3)
			p := newProposer(t, "p1", false, withConflicts(as[0], -1<<50), withConflicts(as[1], -1<<50), as[2])
			s := New(p, tt.opts...)
			ctx, cancel := context.WithTimeout(context.Background(), tt.timeout)
			defer cancel()
			_, err := s.Set(ctx, "k", 1)
			if !errors.Is(err, ErrConflict) || !paxos.IsConflict(err) {
				t.Fatalf("want ErrConflict wrapping the conflict, have %v", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("want %q in %q", tt.want, err)
			}
		})
	}
}

func TestStore_UnknownOutcomeIsNotRetried(t *testing.T) {
	as := memAcceptors(3)
	p := newProposer(t, "p1", false, as[0], failingAccepts{as[1]}, failingAccepts{as[2]})
	s := New(p)
	ctx := ctxT(t)
	_, err := s.Incr(ctx, "k", 1)
	if !errors.Is(err, ErrUnknownOutcome) || !errors.Is(err, paxos.ErrNoQuorum) {
		t.Fatalf("want ErrUnknownOutcome from a lost accept quorum, have %v", err)
	}
	if want, have := (Stats{Attempts: 1, Unknown: 1}), s.Stats(); want != have {
		t.Errorf("want %+v, have %+v", want, have)
	}
	// A read that loses its accept quorum changed nothing: it reports the
	// missing quorum, not an unknown outcome.
	_, err = s.Get(ctx, "k")
	if errors.Is(err, ErrUnknownOutcome) || paxos.IsIndefinite(err) || !errors.Is(err, paxos.ErrNoQuorum) {
		t.Errorf("want a definite ErrNoQuorum for a read, have %v", err)
	}
}

// Two proposers increment one key through their own stores. Every
// acknowledged increment is in the final value, and only increments of
// unknown outcome may add to it.
func TestStore_DuellingProposers(t *testing.T) {
	as := memAcceptors(3)
	stores := []*Store{
		New(newProposer(t, "p1", true, as...), WithBackoff(time.Microsecond, time.Millisecond)),
		New(newProposer(t, "p2", true, as...), WithBackoff(time.Microsecond, time.Millisecond)),
	}
	ctx := ctxT(t)
	var acked, unknown atomic.Int64
	var wg sync.WaitGroup
	for _, s := range stores {
		for range 4 {
			wg.Go(func() {
				for range 50 {
					_, err := s.Incr(ctx, "n", 1)
					switch {
					case err == nil:
						acked.Add(1)
					case errors.Is(err, ErrUnknownOutcome):
						unknown.Add(1)
					default:
						t.Errorf("incr: %v", err)
					}
				}
			})
		}
	}
	wg.Wait()
	e, err := stores[0].Get(ctx, "n")
	if err != nil {
		t.Fatal(err)
	}
	have := e.Value.(int64)
	if have < acked.Load() || have > acked.Load()+unknown.Load() {
		t.Errorf("want between %d acknowledged and %d with unknown outcomes, have %d", acked.Load(),
			acked.Load()+unknown.Load(), have)
	}
	t.Logf("value %d, acked %d, unknown %d, stats %+v %+v", have, acked.Load(), unknown.Load(),
		stores[0].Stats(), stores[1].Stats())
}
