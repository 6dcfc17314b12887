package paxos_test

import (
	"slices"
	"strconv"
	"testing"

	"github.com/gryadka/gryadka/paxos"
)

// roundKinds returns, per round, whether it started as a 1RTT round and
// how many round trips it took.
func roundKinds(c *collector) (oneRTT []bool, trips []int) {
	for _, s := range eventsOf[paxos.ChangeStarted](c) {
		oneRTT = append(oneRTT, s.OneRTT)
	}
	for _, f := range eventsOf[paxos.ChangeFinished](c) {
		trips = append(trips, f.RoundTrips)
	}
	return oneRTT, trips
}

// From the paper (one-round-trip optimization): the accept carries the
// promise of the next ballot, so "the next change of the same key may skip
// the prepare phase".
func TestProposer_OneRTTSkipsThePrepareOfTheNextChange(t *testing.T) {
	for name, tc := range map[string]struct {
		oneRTT       bool
		wantFast     []bool
		wantTrips    []int
		wantPrepares int
	}{
		"on":  {true, []bool{false, true, true, true}, []int{2, 1, 1, 1}, 3},
		"off": {false, []bool{false, false, false, false}, []int{2, 2, 2, 2}, 12},
	} {
		t.Run(name, func(t *testing.T) {
			tr := &collector{}
			p := newProposer(t, paxos.Majority(asAcceptors(memAcceptors(3))...), paxos.Options{OneRTT: tc.oneRTT, Tracer: tr})
			for i := range 4 {
				if want, have := strconv.Itoa(i+1), mustChange(t, p, "k", incr); want != have {
					t.Fatalf("change %d: want %q, have %q", i+1, want, have)
				}
			}
			fast, trips := roundKinds(tr)
			if want, have := tc.wantFast, fast; !slices.Equal(want, have) {
				t.Errorf("ChangeStarted.OneRTT: want %v, have %v", want, have)
			}
			if want, have := tc.wantTrips, trips; !slices.Equal(want, have) {
				t.Errorf("ChangeFinished.RoundTrips: want %v, have %v", want, have)
			}
			// Stragglers trace their message after the round returned.
			total := tc.wantPrepares + 4*3
			eventually(t, "every message to be traced", func() bool { return len(eventsOf[paxos.MessageSent](tr)) >= total })
			if want, have := tc.wantPrepares, sentIn(tr, paxos.PhasePrepare); want != have {
				t.Errorf("prepares sent: want %d, have %d", want, have)
			}
			if want, have := 12, sentIn(tr, paxos.PhaseAccept); want != have {
				t.Errorf("accepts sent: want %d, have %d", want, have)
			}
			for _, m := range eventsOf[paxos.MessageSent](tr) {
				if want, have := tc.oneRTT, !m.Next.IsZero(); m.Phase == paxos.PhaseAccept && want != have {
					t.Errorf("accept %d: want a next ballot %v, have %s", m.Msg, want, m.Next)
				}
			}
		})
	}
}

// A rival proposer's write takes the cached promise away: the next 1RTT
// change conflicts, drops the cache, and the one after prepares again.
func TestProposer_ConflictFromAnotherProposerInvalidatesTheCache(t *testing.T) {
	acc := asAcceptors(memAcceptors(3))
	tr := &collector{}
	p1 := newProposer(t, paxos.Majority(acc...), paxos.Options{ID: "p1", OneRTT: true, Tracer: tr})
	p2 := newProposer(t, paxos.Majority(acc...), paxos.Options{ID: "p2"})
	mustChange(t, p1, "k", incr)
	mustChange(t, p1, "k", incr)
	if want, have := "3", changeRetrying(t, p2, "k", incr); want != have {
		t.Fatalf("p2: want %q, have %q", want, have)
	}
	if _, err := p1.Change(t.Context(), "k", incr); !paxos.IsConflict(err) {
		t.Fatalf("p1 after p2 wrote: want a conflict, have %v", err)
	}
	if want, have := 0, p1.CachedKeys(); want != have {
		t.Errorf("CachedKeys after the conflict: want %d, have %d", want, have)
	}
	if want, have := "4", mustChange(t, p1, "k", incr); want != have {
		t.Errorf("p1 retry: want %q, have %q", want, have)
	}
	fast, _ := roundKinds(tr)
	if want, have := []bool{false, true, true, false}, fast; !slices.Equal(want, have) {
		t.Errorf("p1 rounds, OneRTT: want %v, have %v", want, have)
	}
}

func TestProposer_CacheIsDroppedWhenItsPromisesMayBeGone(t *testing.T) {
	for name, drop := range map[string]func(p *paxos.Proposer, acc []paxos.Acceptor) error{
		"SetConfig": func(p *paxos.Proposer, acc []paxos.Acceptor) error { return p.SetConfig(paxos.Majority(acc...)) },
		"SetOneRTT": func(p *paxos.Proposer, _ []paxos.Acceptor) error { p.SetOneRTT(false); p.SetOneRTT(true); return nil },
		"Forget":    func(p *paxos.Proposer, _ []paxos.Acceptor) error { p.Forget("k"); return nil },
	} {
		t.Run(name, func(t *testing.T) {
			acc := asAcceptors(memAcceptors(3))
			tr := &collector{}
			p := newProposer(t, paxos.Majority(acc...), paxos.Options{OneRTT: true, Tracer: tr})
			mustChange(t, p, "k", incr)
			if want, have := 1, p.CachedKeys(); want != have {
				t.Fatalf("CachedKeys: want %d, have %d", want, have)
			}
			if err := drop(p, acc); err != nil {
				t.Fatal(err)
			}
			if want, have := 0, p.CachedKeys(); want != have {
				t.Errorf("CachedKeys after %s: want %d, have %d", name, want, have)
			}
			mustChange(t, p, "k", incr)
			if want, have := 2, lastFinished(t, tr).RoundTrips; want != have {
				t.Errorf("round trips of the next change: want %d, have %d", want, have)
			}
		})
	}
}

func TestProposer_CacheKeepsTheRecentlyUsedKeys(t *testing.T) {
	tr := &collector{}
	p := newProposer(t, paxos.Majority(asAcceptors(memAcceptors(3))...), paxos.Options{OneRTT: true, CacheSize: 2, Tracer: tr})
	for _, k := range []string{"a", "b", "c"} {
		mustChange(t, p, k, incr)
	}
	if want, have := 2, p.CachedKeys(); want != have {
		t.Errorf("CachedKeys with CacheSize 2: want %d, have %d", want, have)
	}
	for k, want := range map[string]int{"c": 1, "a": 2} { // a was evicted
		mustChange(t, p, k, incr)
		if have := lastFinished(t, tr).RoundTrips; want != have {
			t.Errorf("key %s: want %d round trips, have %d", k, want, have)
		}
	}
}

// An accept counts as the next prepare only when the acceptors that took
// it include a prepare quorum.
func TestProposer_CachesOnlyWhenTheAcceptHoldsAPrepareQuorum(t *testing.T) {
	a := asAcceptors(memAcceptors(4))
	for name, tc := range map[string]struct {
		cfg        paxos.Config
		wantCached int
	}{
		"majority":                {paxos.Majority(a[:3]...), 1},
		"prepare 3/3, accept 1/3": {paxos.Config{Prepare: a[:3], PrepareQuorum: 3, Accept: a[:3], AcceptQuorum: 1}, 0},
		"prepare 2/3, accept 3/4": {paxos.Config{Prepare: a[:3], PrepareQuorum: 2, Accept: a, AcceptQuorum: 3}, 1},
		"prepare 2/2, accept 2/3 elsewhere": {paxos.Config{Prepare: a[:2], PrepareQuorum: 2, Accept: a[1:4], AcceptQuorum: 2,
			Unsafe: true}, 0},
	} {
		t.Run(name, func(t *testing.T) {
			tr := &collector{}
			p := newProposer(t, tc.cfg, paxos.Options{OneRTT: true, Tracer: tr})
			changeRetrying(t, p, name, incr)
			if want, have := tc.wantCached, p.CachedKeys(); want != have {
				t.Errorf("CachedKeys: want %d, have %d", want, have)
			}
			changeRetrying(t, p, name, incr)
			if want, have := 2-tc.wantCached, lastFinished(t, tr).RoundTrips; want != have {
				t.Errorf("round trips of the next change: want %d, have %d", want, have)
			}
		})
	}
}
