package paxos_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gryadka/gryadka/paxos"
)

func TestMemAcceptor_RemoveOnlyTheTombstoneItWasGiven(t *testing.T) {
	ctx := context.Background()
	tomb := paxos.Ballot{Counter: 5, Proposer: "gc"}
	higher := paxos.Ballot{Counter: 6, Proposer: "p1"}
	tests := map[string]struct {
		setup   func(*paxos.MemAcceptor)
		removed bool
	}{
		"absent": {setup: func(*paxos.MemAcceptor) {}, removed: true},
		"the tombstone": {setup: func(m *paxos.MemAcceptor) {
			_ = m.Accept(ctx, "k", tomb, []byte("dead"), paxos.Ballot{})
		}, removed: true},
		"prepared since": {setup: func(m *paxos.MemAcceptor) {
			_ = m.Accept(ctx, "k", tomb, []byte("dead"), paxos.Ballot{})
			_, _ = m.Prepare(ctx, "k", higher)
		}},
		"written since": {setup: func(m *paxos.MemAcceptor) {
			_ = m.Accept(ctx, "k", higher, []byte("alive"), paxos.Ballot{})
		}},
		"an older state": {setup: func(m *paxos.MemAcceptor) {
			_ = m.Accept(ctx, "k", paxos.Ballot{Counter: 1, Proposer: "p1"}, []byte("old"), paxos.Ballot{})
		}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			m := paxos.NewMemAcceptor("a1")
			tt.setup(m)
			before := m.State("k")
			for range 2 { // idempotent
				removed, err := m.Remove(ctx, "k", tomb)
				if err != nil {
					t.Fatal(err)
				}
				if want, have := tt.removed, removed; want != have {
					t.Fatalf("want removed=%v, have %v", want, have)
				}
			}
			after := m.State("k")
			if tt.removed && !after.Accepted.IsZero() {
				t.Fatalf("want the key gone, have %+v", after)
			}
			if !tt.removed && (after.Accepted != before.Accepted || after.Promise != before.Promise) {
				t.Fatalf("want the state untouched: %+v, have %+v", before, after)
			}
		})
	}
}

func TestMemAcceptor_MinAgeOnlyRises(t *testing.T) {
	ctx := context.Background()
	m := paxos.NewMemAcceptor("a1")
	for _, age := range []uint64{3, 1, 3} {
		if err := m.RaiseMinAge(ctx, "p1.x", age); err != nil {
			t.Fatal(err)
		}
	}
	if want, have := uint64(3), m.MinAges()["p1.x"]; want != have {
		t.Fatalf("want min age %d, have %d", want, have)
	}
	b := paxos.Ballot{Counter: 1, Proposer: "p1.x"}
	if _, err := m.Prepare(paxos.WithAge(ctx, 2), "k", b); !paxos.IsTooOld(err) {
		t.Fatalf("want a refusal by age, have %v", err)
	}
	if _, err := m.Prepare(paxos.WithAge(ctx, 3), "k", b); err != nil {
		t.Fatalf("want age 3 to pass, have %v", err)
	}
	if _, err := m.Prepare(ctx, "k", paxos.Ballot{Counter: 2, Proposer: "p2.y"}); err != nil {
		t.Fatalf("want another proposer unaffected, have %v", err)
	}
}

func TestMemAcceptor_FloorRefusesEveryKeyBelowIt(t *testing.T) {
	ctx := context.Background()
	tomb := paxos.Ballot{Counter: 5, Proposer: "gc.z"}
	below, above := paxos.Ballot{Counter: 4, Proposer: "p2.x"}, paxos.Ballot{Counter: 6, Proposer: "p2.x"}
	hot := paxos.Ballot{Counter: 7, Proposer: "p1.y"} // promised on "hot" before the removal
	prepare := func(key string, b paxos.Ballot) func(*paxos.MemAcceptor) error {
		return func(m *paxos.MemAcceptor) error { _, err := m.Prepare(ctx, key, b); return err }
	}
	accept := func(key string, b paxos.Ballot) func(*paxos.MemAcceptor) error {
		return func(m *paxos.MemAcceptor) error { return m.Accept(ctx, key, b, []byte("v"), paxos.Ballot{}) }
	}
	tests := map[string]struct {
		call func(*paxos.MemAcceptor) error
		want *paxos.ConflictError // nil: the call passes
	}{
		"prepare below": {call: prepare("k", below),
			want: &paxos.ConflictError{Phase: paxos.PhasePrepare, Acceptor: "a1", Proposed: below, Seen: tomb}},
		"accept below": {call: accept("k", below),
			want: &paxos.ConflictError{Phase: paxos.PhaseAccept, Acceptor: "a1", Proposed: below, Seen: tomb}},
		"prepare at":    {call: prepare("k", tomb)},
		"accept at":     {call: accept("k", tomb)},
		"prepare above": {call: prepare("k", above)},
		"accept above":  {call: accept("k", above)},
		"prepare below a promise": {call: prepare("hot", below),
			want: &paxos.ConflictError{Phase: paxos.PhasePrepare, Acceptor: "a1", Proposed: below, Seen: hot}},
		"prepare of the removed key": {call: prepare("dead", below),
			want: &paxos.ConflictError{Phase: paxos.PhasePrepare, Acceptor: "a1", Proposed: below, Seen: tomb}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			m := paxos.NewMemAcceptor("a1")
			if _, err := m.Prepare(ctx, "hot", hot); err != nil {
				t.Fatal(err)
			}
			if err := m.Accept(ctx, "dead", tomb, []byte("tombstone"), paxos.Ballot{}); err != nil {
				t.Fatal(err)
			}
			if removed, err := m.Remove(ctx, "dead", tomb); err != nil || !removed {
				t.Fatalf("want the tombstone removed, have %v, %v", removed, err)
			}
			err := tt.call(m)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("want the call to pass, have %v", err)
				}
				return
			}
			var have *paxos.ConflictError
			if !errors.As(err, &have) || *have != *tt.want {
				t.Fatalf("want %+v, have %v", tt.want, err)
			}
			if s := m.State("k"); !s.Promise.IsZero() || s.Value != nil {
				t.Fatalf("want the refusal to change nothing, have %+v", s)
			}
		})
	}
}

func TestMemAcceptor_RemoveRaisesTheFloorNeverLowers(t *testing.T) {
	ctx := context.Background()
	m := paxos.NewMemAcceptor("a1")
	if err := m.Accept(ctx, "used", paxos.Ballot{Counter: 2, Proposer: "p1"}, []byte("v"), paxos.Ballot{}); err != nil {
		t.Fatal(err)
	}
	b := func(n uint64) paxos.Ballot { return paxos.Ballot{Counter: n, Proposer: "gc"} }
	steps := []struct {
		key     string
		tomb    paxos.Ballot
		removed bool
		floor   paxos.Ballot
	}{
		{key: "absent", tomb: b(5), removed: true, floor: b(5)},
		{key: "absent", tomb: b(3), removed: true, floor: b(5)},
		{key: "used", tomb: b(9), removed: false, floor: b(5)},
		{key: "absent", tomb: b(9), removed: true, floor: b(9)},
	}
	for i, s := range steps {
		removed, err := m.Remove(ctx, s.key, s.tomb)
		if err != nil || removed != s.removed {
			t.Fatalf("step %d: want removed=%v, have %v, %v", i, s.removed, removed, err)
		}
		if want, have := s.floor, m.Floor(); want != have {
			t.Fatalf("step %d: want the floor %s, have %s", i, want, have)
		}
	}
	m.ForgetFloor()
	if _, err := m.Prepare(ctx, "k", b(1)); err != nil {
		t.Fatalf("want no floor once forgotten, have %v", err)
	}
}
