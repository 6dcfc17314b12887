package paxos_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/gryadka/gryadka/paxos"
)

// appendID returns an update that appends "id," to the state, so the final
// state records the order in which updates ran.
func appendID(id string) paxos.UpdateFunc {
	return func(state []byte) ([]byte, error) { return append(state, id+","...), nil }
}

// checkSerial checks that every result is the state right after its own
// update: a prefix of the final state ending with its ID, each ID once.
func checkSerial(t *testing.T, final string, results map[string]string) {
	t.Helper()
	if want, have := len(results), strings.Count(final, ","); want != have {
		t.Errorf("updates in the final state: want %d, have %d (%q)", want, have, final)
	}
	for id, r := range results {
		ownLast := strings.HasSuffix(r, ","+id+",") || r == id+","
		if !strings.HasPrefix(final, r) || !ownLast {
			t.Errorf("change %s: result %q is not the final state %q up to its own update", id, r, final)
		}
	}
}

// From the issue: "Concurrent changes to one key in one proposer wait
// their turn instead of failing."
func TestProposer_ConcurrentChangesOfOneKeyAllCommitInTurn(t *testing.T) {
	for name, opts := range map[string]paxos.Options{
		"2rtt":       {},
		"1rtt":       {OneRTT: true},
		"MaxBatch 1": {OneRTT: true, MaxBatch: 1},
	} {
		t.Run(name, func(t *testing.T) {
			p := newProposer(t, paxos.Majority(asAcceptors(memAcceptors(3))...), opts)
			var mu sync.Mutex
			results := map[string]string{}
			var wg sync.WaitGroup
			for i := range 40 {
				id := fmt.Sprint(i)
				wg.Go(func() {
					v, err := p.Change(context.Background(), "k", appendID(id))
					if err != nil {
						t.Errorf("change %s: %v", id, err)
						return
					}
					mu.Lock()
					results[id] = string(v)
					mu.Unlock()
				})
			}
			wg.Wait()
			checkSerial(t, mustChange(t, p, "k", func(s []byte) ([]byte, error) { return s, nil }), results)
		})
	}
}

// queueBehindBlockedRound starts a change of key "k" that blocks in its
// round, then queues one change per update, in order, behind it. It
// returns the channel of results and opens the gate.
func queueBehindBlockedRound(t *testing.T, p *paxos.Proposer, g *gate, updates []paxos.UpdateFunc) []chan error {
	t.Helper()
	done := make([]chan error, len(updates)+1)
	run := func(i int, u paxos.UpdateFunc) {
		done[i] = make(chan error, 1)
		go func() {
			_, err := p.Change(context.Background(), "k", u)
			done[i] <- err
		}()
	}
	run(0, appendID("first"))
	<-g.entered
	for i, u := range updates {
		run(i+1, u)
		eventually(t, "a change to queue", func() bool { return p.Queued("k") == i+1 })
	}
	g.open()
	return done
}

// Group commit: changes queued behind a round share the next one, up to
// MaxBatch a round.
func TestProposer_QueuedChangesShareARound(t *testing.T) {
	for name, tc := range map[string]struct {
		maxBatch    int
		wantBatches []int
	}{
		"default":    {0, []int{1, 5}},
		"MaxBatch 2": {2, []int{1, 2, 2, 1}},
		"MaxBatch 1": {1, []int{1, 1, 1, 1, 1, 1}},
	} {
		t.Run(name, func(t *testing.T) {
			g := newGate(t)
			mems := memAcceptors(3)
			acc := wrap(mems, map[int]hookFunc{0: g.block, 1: g.block, 2: g.block})
			tr := &collector{}
			p := newProposer(t, paxos.Majority(acc...), paxos.Options{MaxBatch: tc.maxBatch, Tracer: tr})
			var updates []paxos.UpdateFunc
			for i := range 5 {
				updates = append(updates, appendID(fmt.Sprint(i)))
			}
			for i, ch := range queueBehindBlockedRound(t, p, g, updates) {
				if err := <-ch; err != nil {
					t.Errorf("change %d: %v", i, err)
				}
			}
			var batches []int
			for _, s := range eventsOf[paxos.ChangeStarted](tr) {
				batches = append(batches, s.Batch)
			}
			if want, have := fmt.Sprint(tc.wantBatches), fmt.Sprint(batches); want != have {
				t.Errorf("changes per round: want %s, have %s", want, have)
			}
			eventually(t, "a1 to hold every change in order", func() bool {
				return string(mems[0].State("k").Value) == "first,0,1,2,3,4,"
			})
		})
	}
}

// A panicking update is refused like an update that returned an error;
// the other changes of its round commit.
func TestProposer_PanickingUpdateDoesNotHurtItsBatch(t *testing.T) {
	g := newGate(t)
	acc := wrap(memAcceptors(3), map[int]hookFunc{0: g.block, 1: g.block, 2: g.block})
	tr := &collector{}
	p := newProposer(t, paxos.Majority(acc...), paxos.Options{Tracer: tr})
	boom := func([]byte) ([]byte, error) { panic("boom") }
	done := queueBehindBlockedRound(t, p, g, []paxos.UpdateFunc{appendID("a"), boom, appendID("c")})
	for i, wantRefused := range []bool{false, false, true, false} {
		err := <-done[i]
		var re *paxos.RefusedError
		if want, have := wantRefused, errors.As(err, &re); want != have {
			t.Fatalf("change %d: want refused %v, have %v", i, want, err)
		}
		if re != nil && (!strings.Contains(re.Error(), "update panicked: boom") || string(re.State) != "first,a,") {
			t.Errorf("want a refusal for the panic with state %q, have %q with state %q", "first,a,", re, re.State)
		}
	}
	if want, have := "first,a,c,", mustChange(t, p, "k", appendID("d")); want+"d," != have {
		t.Errorf("want %q, have %q", want+"d,", have)
	}
}

// From the issue: "changes to different keys run in parallel".
func TestProposer_DifferentKeysDoNotWaitForEachOther(t *testing.T) {
	g := newGate(t)
	block := g.blockKey("slow")
	p := newProposer(t, paxos.Majority(wrap(memAcceptors(3), map[int]hookFunc{0: block, 1: block, 2: block})...), paxos.Options{})
	slow := make(chan error, 1)
	go func() {
		_, err := p.Change(context.Background(), "slow", set("s"))
		slow <- err
	}()
	<-g.entered
	if want, have := "f", mustChange(t, p, "fast", set("f")); want != have {
		t.Errorf("fast: want %q, have %q", want, have)
	}
	if want, have := 1, p.InFlight(); want != have {
		t.Errorf("InFlight while slow hangs: want %d, have %d", want, have)
	}
	g.open()
	if err := <-slow; err != nil {
		t.Errorf("slow: %v", err)
	}
}

// From the issue: "update may refuse: the change then fails with a typed
// error carrying the update's error, while the current state is written
// back unchanged so the one-round-trip cache stays valid."
func TestProposer_RefusedUpdateWritesTheStateBackUnchanged(t *testing.T) {
	mems := memAcceptors(3)
	tr := &collector{}
	p := newProposer(t, paxos.Majority(asAcceptors(mems)...), paxos.Options{OneRTT: true, Tracer: tr})
	mustChange(t, p, "k", set("v1"))
	before := lastFinished(t, tr).Ballot

	errStale := errors.New("version 1 is not 2")
	_, err := p.Change(context.Background(), "k", func([]byte) ([]byte, error) { return nil, errStale })
	var re *paxos.RefusedError
	if !errors.As(err, &re) {
		t.Fatalf("want a *RefusedError, have %v", err)
	}
	if !errors.Is(err, errStale) || re.Key != "k" || string(re.State) != "v1" {
		t.Errorf("want the update's error, key k and state v1, have %v, %q, %q", re.Err, re.Key, re.State)
	}
	if paxos.IsIndefinite(err) || paxos.IsConflict(err) {
		t.Errorf("a refusal is definite and no conflict: have %v", err)
	}
	refused := lastFinished(t, tr)
	if !refused.Committed || !before.Less(refused.Ballot) {
		t.Errorf("want the round committed under a ballot above %s, have %+v", before, refused)
	}
	eventually(t, "every acceptor to hold v1 under the new ballot", func() bool {
		for _, m := range mems {
			if s := m.State("k"); string(s.Value) != "v1" || s.Accepted != refused.Ballot {
				return false
			}
		}
		return true
	})
	mustChange(t, p, "k", set("v2"))
	if want, have := 1, lastFinished(t, tr).RoundTrips; want != have {
		t.Errorf("the change after a refusal: want %d round trip, have %d", want, have)
	}
}
