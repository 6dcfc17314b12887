package paxos_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/gryadka/gryadka/paxos"
)

// raiseAll gives every acceptor the minimum age for p's ballots.
func raiseAll(t *testing.T, mems []*paxos.MemAcceptor, p *paxos.Proposer, age uint64) {
	t.Helper()
	for _, m := range mems {
		if err := m.RaiseMinAge(context.Background(), p.ID(), age); err != nil {
			t.Fatal(err)
		}
	}
}

// From the paper: acceptors reject messages from proposers older than the
// minimum age they hold. The refusal is definite and says what to do; once
// the proposer's own age is raised, it passes again.
func TestProposer_AcceptorsRefuseAnOlderProposer(t *testing.T) {
	mems := memAcceptors(3)
	p := newProposer(t, paxos.Majority(asAcceptors(mems)...), paxos.Options{})
	mustChange(t, p, "k", set("v1"))
	raiseAll(t, mems, p, 1)

	_, err := p.Change(context.Background(), "k", set("v2"))
	var ae *paxos.AgeError
	if !errors.As(err, &ae) || !paxos.IsTooOld(err) {
		t.Fatalf("want an *AgeError, have %v", err)
	}
	if paxos.IsIndefinite(err) {
		t.Fatalf("want a definite failure, have %v", err)
	}
	if want := "proposer p1.i1 is too old (age 0 < 1"; !strings.Contains(err.Error(), want) {
		t.Fatalf("want the error to say %q, have %q", want, err)
	}
	// The first change returned once a quorum accepted v1; the third
	// acceptor may not have it yet, but none may hold v2.
	for i, m := range mems {
		if have := m.State("k").Value; string(have) == "v2" {
			t.Fatalf("a%d: want v1 untouched, have %q", i+1, have)
		}
	}

	if want, have := uint64(1), p.RaiseAge(); want != have {
		t.Fatalf("want age %d, have %d", want, have)
	}
	if want, have := "v2", mustChange(t, p, "k", set("v2")); want != have {
		t.Fatalf("want %q, have %q", want, have)
	}
}

// An accept refused by age in every acceptor changed nothing: definite,
// even though its prepare had passed.
func TestProposer_AcceptRefusedByAgeIsDefinite(t *testing.T) {
	mems := memAcceptors(3)
	var p *paxos.Proposer
	var once sync.Once
	as := make([]paxos.Acceptor, len(mems))
	for i, m := range mems {
		as[i] = hooked{Acceptor: m, hook: func(_ context.Context, ph paxos.Phase, _ string) error {
			if ph == paxos.PhaseAccept {
				once.Do(func() { raiseAll(t, mems, p, 1) })
			}
			return nil
		}}
	}
	p = newProposer(t, paxos.Majority(as...), paxos.Options{})
	_, err := p.Change(context.Background(), "k", set("v1"))
	if !paxos.IsTooOld(err) || paxos.IsIndefinite(err) {
		t.Fatalf("want a definite refusal by age, have %v", err)
	}
}

// A round keeps the age it started with: its messages carry it even when
// the age is raised while they are on their way, so a message held back in
// the network is fenced off.
func TestProposer_MessagesCarryTheAgeOfTheirRound(t *testing.T) {
	mems := memAcceptors(3)
	g := newGate(t)
	var mu sync.Mutex
	var ages []uint64
	as := make([]paxos.Acceptor, len(mems))
	for i, m := range mems {
		as[i] = hooked{Acceptor: m, hook: func(ctx context.Context, ph paxos.Phase, k string) error {
			if err := g.blockPhase(paxos.PhaseAccept)(ctx, ph, k); err != nil {
				return err
			}
			mu.Lock()
			ages = append(ages, paxos.AgeFrom(ctx))
			mu.Unlock()
			return nil
		}}
	}
	p := newProposer(t, paxos.Majority(as...), paxos.Options{Age: 4})
	done := make(chan error, 1)
	go func() {
		_, err := p.Change(context.Background(), "k", set("v1"))
		done <- err
	}()
	<-g.entered // the accept is on its way
	p.RaiseAge()
	g.open()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(ages) < 5 { // 3 prepares, at least 2 accepts
		t.Fatalf("want at least 5 messages seen, have %v", ages)
	}
	for _, have := range ages {
		if have != 4 {
			t.Fatalf("want every message of the round at age 4, have %v", ages)
		}
	}
	if want, have := uint64(5), p.Age(); want != have {
		t.Fatalf("want age %d, have %d", want, have)
	}
}

// Invalidate moves the counter past the tombstone's ballot and makes the
// next change of the key prepare again.
func TestProposer_InvalidateFastForwardsAndDropsTheCache(t *testing.T) {
	mems := memAcceptors(3)
	c := &collector{}
	p := newProposer(t, paxos.Majority(asAcceptors(mems)...), paxos.Options{OneRTT: true, Tracer: c})
	mustChange(t, p, "k", set("v1"))
	mustChange(t, p, "other", set("o1"))
	if want, have := 2, p.CachedKeys(); want != have {
		t.Fatalf("want %d cached keys, have %d", want, have)
	}

	p.Invalidate("k", paxos.Ballot{Counter: 40, Proposer: "gc"})
	if want, have := uint64(40), p.Counter(); want != have {
		t.Fatalf("want counter %d, have %d", want, have)
	}
	p.Invalidate("k", paxos.Ballot{Counter: 3, Proposer: "gc"})
	if want, have := uint64(40), p.Counter(); want != have {
		t.Fatalf("want the counter never to go back: %d, have %d", want, have)
	}

	c.reset()
	mustChange(t, p, "k", set("v2"))
	mustChange(t, p, "other", set("o2"))
	oneRTT, _ := roundKinds(c)
	if want := []bool{false, false}; oneRTT[0] != want[0] || oneRTT[1] != want[1] {
		t.Fatalf("want both keys to prepare after Invalidate (a new cache generation), have oneRTT=%v", oneRTT)
	}
	if st := mems[0].State("k"); st.Accepted.Counter <= 40 {
		t.Fatalf("want the next ballot past 40, have %s", st.Accepted)
	}
}
