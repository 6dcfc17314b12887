package paxos_test

import (
	"context"
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
