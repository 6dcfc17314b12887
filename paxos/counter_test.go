package paxos

import (
	"context"
	"errors"
	"math"
	"testing"
)

// A conflict with the highest possible ballot must not wrap the counter
// around, which would reuse ballots.
func TestProposer_ExhaustedCounterNeverWraps(t *testing.T) {
	as := []Acceptor{NewMemAcceptor("a1"), NewMemAcceptor("a2"), NewMemAcceptor("a3")}
	top := Ballot{Counter: math.MaxUint64, Proposer: "zz"}
	for _, a := range as {
		if _, err := a.Prepare(context.Background(), "k", top); err != nil {
			t.Fatal(err)
		}
	}
	p, err := NewProposer(Options{ID: "p1", Config: Majority(as...)})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		_, err = p.Change(context.Background(), "k", func(s []byte) ([]byte, error) { return s, nil })
	}
	if !errors.Is(err, ErrBallotsExhausted) || IsIndefinite(err) {
		t.Fatalf("want a definite ErrBallotsExhausted, have %v", err)
	}
	if have := p.Counter(); have != math.MaxUint64 {
		t.Fatalf("want the counter parked at 2^64-1, have %d", have)
	}
}

// A stale 1RTT accept that every acceptor refuses changed nothing: the
// proposer waits for the last refusal and reports a definite conflict.
func TestProposer_AcceptRefusedByAllIsDefinite(t *testing.T) {
	as := []Acceptor{NewMemAcceptor("a1"), NewMemAcceptor("a2"), NewMemAcceptor("a3")}
	p1, _ := NewProposer(Options{ID: "p1", Config: Majority(as...), OneRTT: true})
	p2, _ := NewProposer(Options{ID: "p2", Config: Majority(as...), OneRTT: true})
	ctx := context.Background()
	same := func(s []byte) ([]byte, error) { return s, nil }
	if _, err := p1.Change(ctx, "k", same); err != nil {
		t.Fatal(err)
	}
	for range 3 { // p2 overtakes p1's cached promise on every acceptor
		if _, err := p2.Change(ctx, "k", same); err == nil {
			break
		}
	}
	_, err := p1.Change(ctx, "k", same)
	if !IsConflict(err) || IsIndefinite(err) {
		t.Fatalf("want a definite conflict, have %v", err)
	}
	if _, err := p1.Change(ctx, "k", same); err != nil {
		t.Fatalf("want the retry to commit, have %v", err)
	}
}
