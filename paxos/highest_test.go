package paxos_test

import (
	"context"
	"testing"

	"github.com/gryadka/gryadka/paxos"
)

// accepted is a (ballot, value) an acceptor is seeded with.
type accepted struct {
	ballot string
	value  string
}

// seed makes m accept value under ballot for key, as an earlier round did.
func seed(t *testing.T, m *paxos.MemAcceptor, key string, s accepted) {
	t.Helper()
	b, err := paxos.ParseBallot(s.ballot)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Prepare(context.Background(), key, b); err != nil {
		t.Fatalf("seed %s: %v", m.Name(), err)
	}
	if err := m.Accept(context.Background(), key, b, []byte(s.value), paxos.Ballot{}); err != nil {
		t.Fatalf("seed %s: %v", m.Name(), err)
	}
}

// From the paper: the proposer "picks the value of the tuple with the
// highest ballot number" among the promises of a prepare quorum, or the
// empty state when none has accepted anything (Propose step 3).
func TestProposer_ChangeSeesTheValueOfTheHighestAcceptedBallot(t *testing.T) {
	for name, tc := range map[string]struct {
		seeds    map[int]accepted
		majority bool // prepare 2/3 with a3 hung, else prepare 3/3
		want     string
		wantNil  bool
	}{
		"highest counter wins": {
			seeds: map[int]accepted{0: {"3:x", "old"}, 1: {"9:y", "new"}, 2: {"7:z", "mid"}},
			want:  "new",
		},
		"same counter, higher proposer wins": {
			seeds: map[int]accepted{0: {"5:pa", "a"}, 1: {"5:pb", "b"}},
			want:  "b",
		},
		"higher counter beats higher proposer": {
			seeds: map[int]accepted{0: {"6:pa", "a"}, 1: {"5:pz", "z"}},
			want:  "a",
		},
		"a value accepted by one acceptor is carried on": {
			seeds: map[int]accepted{2: {"4:x", "lone"}},
			want:  "lone",
		},
		"nothing accepted is the empty state": {
			seeds:   map[int]accepted{},
			wantNil: true,
		},
		"quorum of two, the hung acceptor's value unseen": {
			seeds:    map[int]accepted{0: {"2:x", "old"}, 1: {"3:x", "new"}, 2: {"9:x", "hidden"}},
			majority: true,
			want:     "new",
		},
	} {
		t.Run(name, func(t *testing.T) {
			mems := memAcceptors(3)
			for i, s := range tc.seeds {
				seed(t, mems[i], "k", s)
			}
			acc := asAcceptors(mems)
			cfg := paxos.Config{Prepare: acc, PrepareQuorum: 3, Accept: acc, AcceptQuorum: 2}
			if tc.majority {
				acc = wrap(mems, map[int]hookFunc{2: newGate(t).block})
				cfg = paxos.Majority(acc...)
			}
			p := newProposer(t, cfg, paxos.Options{})
			var seen []byte
			have := changeRetrying(t, p, "k", func(state []byte) ([]byte, error) {
				seen = state
				return append(state, '+'), nil
			})
			if tc.wantNil != (seen == nil) || string(seen) != tc.want {
				t.Errorf("state seen by the update: want %q (nil %v), have %q (nil %v)", tc.want, tc.wantNil, seen, seen == nil)
			}
			if want := tc.want + "+"; want != have {
				t.Errorf("committed: want %q, have %q", want, have)
			}
		})
	}
}
