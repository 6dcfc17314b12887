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
