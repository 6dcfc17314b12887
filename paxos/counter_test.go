package paxos

import (
	"context"
	"errors"
	"math"
	"sync"
	"testing"
	"time"
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

// blockingAcceptor never answers: it waits for the request's context.
type blockingAcceptor struct{ name string }

func (b blockingAcceptor) Name() string { return b.name }

func (b blockingAcceptor) Prepare(ctx context.Context, _ string, _ Ballot) (Promise, error) {
	<-ctx.Done()
	return Promise{}, ctx.Err()
}

func (b blockingAcceptor) Accept(ctx context.Context, _ string, _ Ballot, _ []byte, _ Ballot) error {
	<-ctx.Done()
	return ctx.Err()
}

type timeoutTracer struct {
	mu       sync.Mutex
	timeouts int
}

func (t *timeoutTracer) Enabled() bool { return true }

func (t *timeoutTracer) Trace(e Event) {
	if r, ok := e.(ReplyReceived); ok && r.Timeout {
		t.mu.Lock()
		t.timeouts++
		t.mu.Unlock()
	}
}

// SetRoundTimeout takes effect for the next round: requests that get no
// answer end by the new timeout, not by the one given at construction.
func TestProposer_SetRoundTimeoutAppliesToTheNextRound(t *testing.T) {
	as := []Acceptor{NewMemAcceptor("a1"), blockingAcceptor{"a2"}, blockingAcceptor{"a3"}}
	tr := &timeoutTracer{}
	p, err := NewProposer(Options{ID: "p1", Config: Majority(as...), RoundTimeout: time.Hour, Tracer: tr})
	if err != nil {
		t.Fatal(err)
	}
	p.SetRoundTimeout(20 * time.Millisecond)
	p.SetRoundTimeout(0) // ignored
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err = p.Change(ctx, "k", func(s []byte) ([]byte, error) { return s, nil })
	if !errors.Is(err, ErrNoQuorum) || ctx.Err() != nil {
		t.Fatalf("want ErrNoQuorum before the caller gives up, have %v", err)
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if tr.timeouts != 2 {
		t.Fatalf("want the two silent acceptors traced as timeouts, have %d", tr.timeouts)
	}
}
