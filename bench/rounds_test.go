package bench

import (
	"context"
	"testing"

	"github.com/gryadka/gryadka/paxos"
)

func TestRoundCounter_CountsPhases(t *testing.T) {
	c := &RoundCounter{}
	s := memStores(t, 1, c)[0]
	ctx := context.Background()
	for range 3 {
		if _, err := s.Incr(ctx, "k", 1); err != nil {
			t.Fatal(err)
		}
	}
	// The first change prepares; with 1RTT its accept promises the next
	// ballot, so the two after it only accept.
	prepare, accept := c.Rounds()
	if prepare != 1 || accept != 3 {
		t.Errorf("want 1 prepare and 3 accept rounds, have %d and %d", prepare, accept)
	}
}

func TestRoundCounter_TraceAllocatesNothing(t *testing.T) {
	c := &RoundCounter{}
	events := []paxos.Event{
		paxos.QuorumDecided{Phase: paxos.PhasePrepare},
		paxos.QuorumDecided{Phase: paxos.PhaseAccept},
		paxos.ChangeStarted{},
	}
	allocs := testing.AllocsPerRun(100, func() {
		for _, e := range events {
			c.Trace(e)
		}
	})
	if allocs != 0 {
		t.Errorf("want no allocation, have %.1f per run", allocs)
	}
}
