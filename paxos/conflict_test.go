package paxos_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/gryadka/gryadka/paxos"
)

// hookFunc runs before a call reaches an acceptor (see hooked).
type hookFunc = func(ctx context.Context, phase paxos.Phase, key string) error

// wrap returns mems as acceptors, the ones with an index in hooks wrapped.
func wrap(mems []*paxos.MemAcceptor, hooks map[int]hookFunc) []paxos.Acceptor {
	out := asAcceptors(mems)
	for i, h := range hooks {
		out[i] = hooked{Acceptor: mems[i], hook: h}
	}
	return out
}

// rival is a ballot of another proposer, above anything the tests issue.
var rival = paxos.Ballot{Counter: 50, Proposer: "rival.r1"}

// rivalFirst is a hook that, before each accept, lets the rival prepare on
// m, so the accept arrives after a higher promise.
func rivalFirst(m *paxos.MemAcceptor) hookFunc {
	return func(ctx context.Context, phase paxos.Phase, key string) error {
		if phase == paxos.PhaseAccept {
			_, _ = m.Prepare(ctx, key, rival)
		}
		return nil
	}
}

// From the paper: "If a proposer gets a conflict, it fast-forwards its
// counter past the conflicting ballot", and the change may be retried.
func TestProposer_ConflictFastForwardsPastTheSeenBallot(t *testing.T) {
	a := memAcceptors(3)
	for _, m := range a[:2] {
		if _, err := m.Prepare(context.Background(), "k", rival); err != nil {
			t.Fatal(err)
		}
	}
	tr := &collector{}
	p := newProposer(t, paxos.Majority(asAcceptors(a)...), paxos.Options{Tracer: tr})

	_, err := p.Change(context.Background(), "k", incr)
	var conflict *paxos.ConflictError
	if !errors.As(err, &conflict) {
		t.Fatalf("want a *ConflictError, have %v", err)
	}
	if want, have := rival, conflict.Seen; want != have {
		t.Errorf("Seen: want %s, have %s", want, have)
	}
	if want, have := paxos.PhasePrepare, conflict.Phase; want != have {
		t.Errorf("conflict phase: want %s, have %s", want, have)
	}
	if !paxos.IsConflict(err) || paxos.IsIndefinite(err) {
		t.Errorf("want a definite conflict, have IsConflict=%v IsIndefinite=%v", paxos.IsConflict(err), paxos.IsIndefinite(err))
	}
	if want, have := rival.Counter, p.Counter(); want != have {
		t.Errorf("Counter after the conflict: want %d, have %d", want, have)
	}
	ff := eventsOf[paxos.BallotFastForwarded](tr)
	if len(ff) != 1 || ff[0].From.Counter != 1 || ff[0].To.Counter != rival.Counter {
		t.Errorf("want one BallotFastForwarded from 1 to %d, have %+v", rival.Counter, ff)
	}

	tr.reset()
	if want, have := "1", mustChange(t, p, "k", incr); want != have {
		t.Errorf("retry: want %q, have %q", want, have)
	}
	started := eventsOf[paxos.ChangeStarted](tr)
	if len(started) != 1 || !rival.Less(started[0].Ballot) {
		t.Errorf("retry: want one round with a ballot above %s, have %+v", rival, started)
	}
}

// A conflict drops what the proposer cached for the key: its promise is
// gone, so the next change must prepare again.
func TestProposer_ConflictDropsTheCachedState(t *testing.T) {
	a := memAcceptors(3)
	tr := &collector{}
	p := newProposer(t, paxos.Majority(asAcceptors(a)...), paxos.Options{OneRTT: true, Tracer: tr})
	mustChange(t, p, "k", incr)
	if want, have := 1, p.CachedKeys(); want != have {
		t.Fatalf("CachedKeys after a change: want %d, have %d", want, have)
	}
	for _, m := range a {
		if _, err := m.Prepare(context.Background(), "k", rival); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.Change(context.Background(), "k", incr); !paxos.IsConflict(err) {
		t.Fatalf("1RTT change after a rival prepare: want a conflict, have %v", err)
	}
	if want, have := 0, p.CachedKeys(); want != have {
		t.Errorf("CachedKeys after a conflict: want %d, have %d", want, have)
	}
	if have := p.Counter(); have < rival.Counter {
		t.Errorf("Counter after the conflict: want at least %d, have %d", rival.Counter, have)
	}
	tr.reset()
	if want, have := "2", mustChange(t, p, "k", incr); want != have {
		t.Errorf("retry: want %q, have %q", want, have)
	}
	if want, have := 2, lastFinished(t, tr).RoundTrips; want != have {
		t.Errorf("retry: want %d round trips (it prepares), have %d", want, have)
	}
}

// From the issue: "A failure before any accept was sent is definite; a
// failure after an accept may have reached an acceptor is indefinite."
func TestChangeError_TellsWhetherTheOutcomeIsKnown(t *testing.T) {
	for name, tc := range map[string]struct {
		config     func([]paxos.Acceptor) paxos.Config
		hooks      func(t *testing.T, a []*paxos.MemAcceptor) map[int]hookFunc
		wantPhase  paxos.Phase
		wantIndef  bool
		wantErr    error // or nil for a conflict
		wantStored int   // acceptors that hold the new value afterwards
	}{
		"prepare refused": {
			hooks: func(t *testing.T, a []*paxos.MemAcceptor) map[int]hookFunc {
				return map[int]hookFunc{0: rivalOnPrepare(a[0]), 1: rivalOnPrepare(a[1])}
			},
			wantPhase: paxos.PhasePrepare,
		},
		"prepare unanswered": {
			hooks: func(t *testing.T, a []*paxos.MemAcceptor) map[int]hookFunc {
				return map[int]hookFunc{1: failPhase(paxos.PhasePrepare), 2: failPhase(paxos.PhasePrepare)}
			},
			wantPhase: paxos.PhasePrepare, wantErr: paxos.ErrNoQuorum,
		},
		"accept reached one acceptor": {
			hooks: func(t *testing.T, a []*paxos.MemAcceptor) map[int]hookFunc {
				return map[int]hookFunc{1: failPhase(paxos.PhaseAccept), 2: failPhase(paxos.PhaseAccept)}
			},
			wantPhase: paxos.PhaseAccept, wantIndef: true, wantErr: paxos.ErrNoQuorum, wantStored: 1,
		},
		"accept refused by two, third unheard": {
			hooks: func(t *testing.T, a []*paxos.MemAcceptor) map[int]hookFunc {
				g := newGate(t)
				return map[int]hookFunc{0: rivalFirst(a[0]), 1: rivalFirst(a[1]), 2: g.blockPhase(paxos.PhaseAccept)}
			},
			wantPhase: paxos.PhaseAccept, wantIndef: true,
		},
		"accept refused by every acceptor": {
			// Prepare 3/3 with accept 1/3: the vote is lost only when all
			// three have refused, so nothing can have been accepted.
			config: func(a []paxos.Acceptor) paxos.Config {
				return paxos.Config{Prepare: a, PrepareQuorum: 3, Accept: a, AcceptQuorum: 1}
			},
			hooks: func(t *testing.T, a []*paxos.MemAcceptor) map[int]hookFunc {
				return map[int]hookFunc{0: rivalFirst(a[0]), 1: rivalFirst(a[1]), 2: rivalFirst(a[2])}
			},
			wantPhase: paxos.PhaseAccept,
		},
	} {
		t.Run(name, func(t *testing.T) {
			mems := memAcceptors(3)
			acc := wrap(mems, tc.hooks(t, mems))
			cfg := paxos.Majority(acc...)
			if tc.config != nil {
				cfg = tc.config(acc)
			}
			p := newProposer(t, cfg, paxos.Options{})
			_, err := p.Change(context.Background(), "k", set("new"))
			var ce *paxos.ChangeError
			if !errors.As(err, &ce) {
				t.Fatalf("want a *ChangeError, have %v", err)
			}
			if want, have := tc.wantPhase, ce.Phase; want != have {
				t.Errorf("Phase: want %s, have %s", want, have)
			}
			if want, have := tc.wantIndef, paxos.IsIndefinite(err); want != have {
				t.Errorf("IsIndefinite: want %v, have %v (%v)", want, have, err)
			}
			if tc.wantErr == nil && !paxos.IsConflict(err) {
				t.Errorf("want a conflict, have %v", err)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("want %v, have %v", tc.wantErr, err)
			}
			// An accept may land after the round gave up on it.
			eventually(t, "the acceptors to hold the expected values", func() bool {
				stored := 0
				for _, m := range mems {
					if string(m.State("k").Value) == "new" {
						stored++
					}
				}
				return stored == tc.wantStored
			})
		})
	}
}

// rivalOnPrepare is a hook that lets the rival prepare on m first.
func rivalOnPrepare(m *paxos.MemAcceptor) hookFunc {
	return func(ctx context.Context, phase paxos.Phase, key string) error {
		if phase == paxos.PhasePrepare {
			_, _ = m.Prepare(ctx, key, rival)
		}
		return nil
	}
}

// A change that gives up while it waits behind another change of its key
// never reached an acceptor: its failure is definite.
func TestProposer_CancelWhileQueuedIsDefinite(t *testing.T) {
	g := newGate(t)
	mems := memAcceptors(3)
	acc := wrap(mems, map[int]hookFunc{0: g.block, 1: g.block, 2: g.block})
	p := newProposer(t, paxos.Majority(acc...), paxos.Options{})

	first := make(chan error, 1)
	go func() {
		_, err := p.Change(context.Background(), "k", set("first"))
		first <- err
	}()
	<-g.entered // the first change is in its round

	ctx, cancel := context.WithCancel(context.Background())
	second := make(chan error, 1)
	go func() {
		_, err := p.Change(ctx, "k", set("second"))
		second <- err
	}()
	eventually(t, "the second change to queue", func() bool { return p.Queued("k") == 1 })
	cancel()
	err := <-second
	if !errors.Is(err, context.Canceled) || paxos.IsIndefinite(err) {
		t.Errorf("want a definite context.Canceled, have %v (indefinite=%v)", err, paxos.IsIndefinite(err))
	}

	g.open()
	if err := <-first; err != nil {
		t.Fatalf("first change: %v", err)
	}
	eventually(t, "every acceptor to hold the first value", func() bool {
		for _, m := range mems {
			if string(m.State("k").Value) != "first" {
				return false
			}
		}
		return true
	})
	if want, have := 0, p.InFlight(); want != have {
		t.Errorf("InFlight: want %d, have %d", want, have)
	}
}

// Layers between the proposer and an acceptor (links, fault injection,
// clients) may wrap the acceptor's errors; a wrapped *ConflictError is
// still a conflict, and the proposer still fast-forwards past it.
func TestProposer_RecognisesAWrappedConflict(t *testing.T) {
	mems := memAcceptors(3)
	acc := asAcceptors(mems)
	for i, m := range mems {
		if _, err := m.Prepare(context.Background(), "k", rival); err != nil {
			t.Fatal(err)
		}
		acc[i] = annotated{m}
	}
	p := newProposer(t, paxos.Majority(acc...), paxos.Options{})
	_, err := p.Change(context.Background(), "k", set("v"))
	if !paxos.IsConflict(err) || paxos.IsIndefinite(err) {
		t.Fatalf("want a definite conflict, have %v", err)
	}
	if want, have := rival.Counter, p.Counter(); want != have {
		t.Errorf("Counter: want %d, have %d", want, have)
	}
	if want, have := "v", mustChange(t, p, "k", set("v")); want != have {
		t.Errorf("retry: want %q, have %q", want, have)
	}
}

// annotated wraps every error of an acceptor with the link it came over.
type annotated struct{ *paxos.MemAcceptor }

func (a annotated) Prepare(ctx context.Context, key string, b paxos.Ballot) (paxos.Promise, error) {
	pr, err := a.MemAcceptor.Prepare(ctx, key, b)
	if err != nil {
		err = fmt.Errorf("link to %s: %w", a.Name(), err)
	}
	return pr, err
}

func (a annotated) Accept(ctx context.Context, key string, b paxos.Ballot, value []byte, next paxos.Ballot) error {
	if err := a.MemAcceptor.Accept(ctx, key, b, value, next); err != nil {
		return fmt.Errorf("link to %s: %w", a.Name(), err)
	}
	return nil
}
