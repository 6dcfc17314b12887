package bench

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/gryadka/gryadka/paxos"
)

func TestRoundCounter_CountsPhases(t *testing.T) {
	c := &RoundCounter{}
	done := make(chan struct{}, 100)
	accs := make([]paxos.Acceptor, 3)
	for i := range accs {
		accs[i] = signalAcceptor{Acceptor: paxos.NewMemAcceptor(fmt.Sprint("a", i+1)), done: done}
	}
	p, err := paxos.NewProposer(paxos.Options{ID: "p1", Config: c.Count(paxos.Majority(accs...)), OneRTT: true})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := p.Change(context.Background(), "k", func([]byte) ([]byte, error) { return []byte("v"), nil }); err != nil {
			t.Fatal(err)
		}
	}
	// The first change prepares; with 1RTT its accept promises the next
	// ballot, so the two after it only accept: 4 phases of 3 messages.
	// Wait for the stragglers a won phase does not wait for.
	for range 4 * 3 {
		<-done
	}
	prepare, accept := c.Rounds()
	if prepare != 1 || accept != 3 {
		t.Errorf("want 1 prepare and 3 accept rounds, have %d and %d", prepare, accept)
	}
}

// signalAcceptor signals done after each message it answered.
type signalAcceptor struct {
	paxos.Acceptor
	done chan<- struct{}
}

func (a signalAcceptor) Prepare(ctx context.Context, key string, b paxos.Ballot) (paxos.Promise, error) {
	defer func() { a.done <- struct{}{} }()
	return a.Acceptor.Prepare(ctx, key, b)
}

func (a signalAcceptor) Accept(ctx context.Context, key string, b paxos.Ballot, value []byte, next paxos.Ballot) error {
	defer func() { a.done <- struct{}{} }()
	return a.Acceptor.Accept(ctx, key, b, value, next)
}

func TestRoundCounter_CountsLostPhases(t *testing.T) {
	c := &RoundCounter{}
	done := make(chan struct{}, 100)
	accs := []paxos.Acceptor{signalAcceptor{paxos.NewMemAcceptor("a1"), done},
		signalAcceptor{downAcceptor{paxos.NewMemAcceptor("a2")}, done},
		signalAcceptor{downAcceptor{paxos.NewMemAcceptor("a3")}, done}}
	p, err := paxos.NewProposer(paxos.Options{ID: "p1", Config: c.Count(paxos.Majority(accs...))})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := p.Change(context.Background(), "k", func([]byte) ([]byte, error) { return []byte("v"), nil }); err == nil {
			t.Fatal("want the change to fail without a quorum")
		}
	}
	// Each change loses its prepare phase, which still cost a round trip,
	// and never accepts.
	for range 2 * 3 {
		<-done
	}
	prepare, accept := c.Rounds()
	if prepare != 2 || accept != 0 {
		t.Errorf("want 2 prepare and 0 accept rounds, have %d and %d", prepare, accept)
	}
}

// downAcceptor fails every message, as an unreachable node does.
type downAcceptor struct{ paxos.Acceptor }

var errDown = errors.New("node down")

func (downAcceptor) Prepare(context.Context, string, paxos.Ballot) (paxos.Promise, error) {
	return paxos.Promise{}, errDown
}

func (downAcceptor) Accept(context.Context, string, paxos.Ballot, []byte, paxos.Ballot) error {
	return errDown
}

func TestRoundCounter_ZeroValueCountsNothing(t *testing.T) {
	var c RoundCounter
	if prepare, accept := c.Rounds(); prepare != 0 || accept != 0 {
		t.Errorf("want no rounds, have %d and %d", prepare, accept)
	}
}
