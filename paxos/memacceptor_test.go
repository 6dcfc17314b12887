package paxos_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gryadka/gryadka/paxos"
)

// step is one message to an acceptor and what it must answer.
type step struct {
	prepare      string // ballot to prepare, or "" for an accept
	accept, next string // ballots of an accept
	value        string
	wantSeen     string // "" for success, else the ballot of the conflict
}

func ballot(t *testing.T, s string) paxos.Ballot {
	t.Helper()
	b, err := paxos.ParseBallot(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// From the paper: "an acceptor returns a conflict if it already saw a
// greater ballot number" (Prepare step 2, Accept step 2); otherwise it
// promises, or accepts and, with the one-round-trip optimization, promises
// the next ballot too.
func TestMemAcceptor_FollowsThePrepareAndAcceptRules(t *testing.T) {
	for name, tc := range map[string]struct {
		steps []step
		want  paxos.MemState
	}{
		"prepare promises": {
			steps: []step{{prepare: "2:p"}},
			want:  paxos.MemState{Promise: ballot(t, "2:p")},
		},
		"prepare of the promised ballot is refused": {
			steps: []step{{prepare: "2:p"}, {prepare: "2:p", wantSeen: "2:p"}},
			want:  paxos.MemState{Promise: ballot(t, "2:p")},
		},
		"prepare below the promise is refused": {
			steps: []step{{prepare: "3:p"}, {prepare: "2:q", wantSeen: "3:p"}},
			want:  paxos.MemState{Promise: ballot(t, "3:p")},
		},
		"prepare of the accepted ballot is refused": {
			steps: []step{{accept: "2:p", value: "v"}, {prepare: "2:p", wantSeen: "2:p"}},
			want:  paxos.MemState{Promise: ballot(t, "2:p"), Accepted: ballot(t, "2:p"), Value: []byte("v")},
		},
		"accept of the promised ballot": {
			steps: []step{{prepare: "2:p"}, {accept: "2:p", value: "v"}},
			want:  paxos.MemState{Promise: ballot(t, "2:p"), Accepted: ballot(t, "2:p"), Value: []byte("v")},
		},
		"accept above the promise": {
			steps: []step{{prepare: "2:p"}, {accept: "4:q", value: "v"}},
			want:  paxos.MemState{Promise: ballot(t, "4:q"), Accepted: ballot(t, "4:q"), Value: []byte("v")},
		},
		"accept below the promise is refused": {
			steps: []step{{accept: "2:p", value: "v"}, {prepare: "3:q"}, {accept: "2:p", value: "w", wantSeen: "3:q"}},
			want:  paxos.MemState{Promise: ballot(t, "3:q"), Accepted: ballot(t, "2:p"), Value: []byte("v")},
		},
		"duplicated accept is harmless": {
			steps: []step{{prepare: "2:p"}, {accept: "2:p", value: "v"}, {accept: "2:p", value: "v"}},
			want:  paxos.MemState{Promise: ballot(t, "2:p"), Accepted: ballot(t, "2:p"), Value: []byte("v")},
		},
		"accept promises the next ballot": {
			steps: []step{{accept: "2:p", next: "3:p", value: "v"}, {prepare: "2:z", wantSeen: "3:p"}},
			want:  paxos.MemState{Promise: ballot(t, "3:p"), Accepted: ballot(t, "2:p"), Value: []byte("v")},
		},
		"the next ballot's accept skips the prepare": {
			steps: []step{{accept: "2:p", next: "3:p", value: "v"}, {accept: "3:p", next: "4:p", value: "w"}},
			want:  paxos.MemState{Promise: ballot(t, "4:p"), Accepted: ballot(t, "3:p"), Value: []byte("w")},
		},
		"a rival's prepare takes the next ballot away": {
			steps: []step{{accept: "2:p", next: "3:p", value: "v"}, {prepare: "3:q"}, {accept: "3:p", value: "w", wantSeen: "3:q"}},
			want:  paxos.MemState{Promise: ballot(t, "3:q"), Accepted: ballot(t, "2:p"), Value: []byte("v")},
		},
	} {
		t.Run(name, func(t *testing.T) {
			m := paxos.NewMemAcceptor("a1")
			ctx := context.Background()
			for i, s := range tc.steps {
				var err error
				if s.prepare != "" {
					_, err = m.Prepare(ctx, "k", ballot(t, s.prepare))
				} else {
					err = m.Accept(ctx, "k", ballot(t, s.accept), []byte(s.value), ballot(t, s.next))
				}
				var ce *paxos.ConflictError
				switch {
				case s.wantSeen == "" && err != nil:
					t.Fatalf("step %d: want success, have %v", i+1, err)
				case s.wantSeen != "" && !errors.As(err, &ce):
					t.Fatalf("step %d: want a conflict, have %v", i+1, err)
				case s.wantSeen != "" && ce.Seen != ballot(t, s.wantSeen):
					t.Fatalf("step %d: want a conflict that saw %s, have %s", i+1, s.wantSeen, ce.Seen)
				}
			}
			have := m.State("k")
			if tc.want.Promise != have.Promise || tc.want.Accepted != have.Accepted || string(tc.want.Value) != string(have.Value) {
				t.Errorf("want %+v, have %+v", tc.want, have)
			}
		})
	}
}

func TestMemAcceptor_PromiseReturnsTheAcceptedValue(t *testing.T) {
	m := paxos.NewMemAcceptor("a1")
	ctx := context.Background()
	if err := m.Accept(ctx, "k", ballot(t, "2:p"), []byte("v"), paxos.Ballot{}); err != nil {
		t.Fatal(err)
	}
	pr, err := m.Prepare(ctx, "k", ballot(t, "3:q"))
	if err != nil {
		t.Fatal(err)
	}
	if pr.Accepted != ballot(t, "2:p") || string(pr.Value) != "v" {
		t.Errorf("want 2:p with v, have %s with %q", pr.Accepted, pr.Value)
	}
	pr.Value[0] = 'x' // the promise is a copy
	if want, have := "v", string(m.State("k").Value); want != have {
		t.Errorf("state changed through a promise: want %q, have %q", want, have)
	}
	if pr, err := m.Prepare(ctx, "other", ballot(t, "1:q")); err != nil || !pr.Accepted.IsZero() || pr.Value != nil {
		t.Errorf("fresh key: want an empty promise, have %+v, %v", pr, err)
	}
}

func TestMemAcceptor_CancelledCallChangesNothing(t *testing.T) {
	m := paxos.NewMemAcceptor("a1")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Prepare(ctx, "k", ballot(t, "1:p")); !errors.Is(err, context.Canceled) {
		t.Errorf("Prepare: want context.Canceled, have %v", err)
	}
	if err := m.Accept(ctx, "k", ballot(t, "1:p"), []byte("v"), paxos.Ballot{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Accept: want context.Canceled, have %v", err)
	}
	if have := m.State("k"); !have.Promise.IsZero() || have.Value != nil {
		t.Errorf("want nothing stored, have %+v", have)
	}
}

func TestMemAcceptor_WipeForgetsEverything(t *testing.T) {
	m := paxos.NewMemAcceptor("a1")
	if err := m.Accept(context.Background(), "k", ballot(t, "5:p"), []byte("v"), paxos.Ballot{}); err != nil {
		t.Fatal(err)
	}
	m.Wipe()
	if have := m.State("k"); !have.Promise.IsZero() || !have.Accepted.IsZero() || have.Value != nil {
		t.Errorf("after Wipe: want an empty state, have %+v", have)
	}
}

// With OneRTT, a committed change leaves a quorum promised to the next
// ballot, so no rival can slip a write in before the next 1RTT accept.
func TestProposer_OneRTTAcceptLeavesAQuorumPromisedToTheNextBallot(t *testing.T) {
	mems := memAcceptors(3)
	tr := &collector{}
	p := newProposer(t, paxos.Majority(asAcceptors(mems)...), paxos.Options{OneRTT: true, Tracer: tr})
	mustChange(t, p, "k", set("v"))
	b := lastFinished(t, tr).Ballot
	promised := 0
	for _, m := range mems {
		if s := m.State("k"); s.Accepted == b && b.Less(s.Promise) {
			promised++
		}
	}
	if promised < 2 {
		t.Errorf("acceptors that accepted %s and promised a higher ballot: want at least 2, have %d", b, promised)
	}
}
